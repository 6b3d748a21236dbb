package io.hwnas.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The temporary file a write makes beside its target is recognised by its name (what an interrupted write leaves). */
class AtomicFilesTest {
    @Test
    void theTemporaryOfAWriteIsRecognisedAndItsTargetIsNot(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("summary.json");
        String[] seen = new String[1];
        AtomicFiles.write(target, out -> {
            try (Stream<Path> s = Files.list(dir)) { // the temporary, while the write is under way
                seen[0] = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("summary.json")).findFirst()
                        .orElseThrow();
            }
            out.write('x');
        });
        assertTrue(AtomicFiles.isTemporary(seen[0]), seen[0]);
        assertEquals("x", Files.readString(target));
        assertFalse(AtomicFiles.isTemporary("summary.json"));
        assertFalse(AtomicFiles.isTemporary("notes.tmp"));
        assertEquals(RealPath.of(dir), dir.toRealPath());
        assertEquals(dir.resolve("missing/../x").toAbsolutePath().normalize(), RealPath.of(dir.resolve("missing/../x")));
    }
}
