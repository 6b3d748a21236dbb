package io.hwnas.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strict reading: duplicate keys, fractional integers, out-of-range numbers, bounded and text-only files. */
class JsonStrictTest {
    record Cfg(int schema, int epochs, long steps, double lr, List<Integer> layers) {}

    @TempDir
    Path tmp;

    private HwnasException refused(String json) throws IOException {
        Path f = tmp.resolve("cfg.json");
        Files.writeString(f, json);
        return assertThrows(HwnasException.class, () -> Json.read(f, Cfg.class));
    }

    private static void has(HwnasException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void acceptsAWellFormedFile() throws IOException {
        Path f = tmp.resolve("ok.json");
        Files.writeString(f, "{\"schema\":1,\"epochs\":2,\"steps\":3e0,\"lr\":0.5,\"layers\":[1,2]}");
        // 3e0 is a float literal: refused for a long field as well
        has(assertThrows(HwnasException.class, () -> Json.read(f, Cfg.class)), "steps", "3e0");
        Files.writeString(f, "\uFEFF{\"schema\":1,\"epochs\":2,\"steps\":3,\"lr\":0.5,\"layers\":[1,2]}");
        Cfg c = Json.read(f, Cfg.class);
        assertEquals(2, c.epochs());
        assertEquals(0.5, c.lr());
    }

    @Test
    void duplicateKeyIsRefusedNamingKeyAndFile() throws IOException {
        HwnasException e = refused("{\"schema\":1,\"epochs\":2,\"epochs\":3,\"steps\":1,\"lr\":1,\"layers\":[]}");
        has(e, "cfg.json", "key 'epochs' is given twice");
        // also through the tree reader used by configs with defaults
        Path f = tmp.resolve("cfg.json");
        has(assertThrows(HwnasException.class, () -> Json.readTree(f)), "cfg.json", "key 'epochs' is given twice");
    }

    record Inner(int channels, int classes) {}

    record Outer(int schema, Inner head, double lr) {}

    private HwnasException refusedOuter(String json) throws IOException {
        Path f = tmp.resolve("space.json");
        Files.writeString(f, json);
        return assertThrows(HwnasException.class, () -> Json.read(f, Outer.class));
    }

    /** {@code e} holds every part, on one line, and none of Jackson's or Java's internals. */
    private static void plain(HwnasException e, String... parts) {
        has(e, parts);
        for (String internal : List.of("io.hwnas", "java.lang", "DeserializationFeature", "creator", "ignorable", "`")) {
            assertTrue(!e.getMessage().contains(internal), () -> "'" + internal + "' in: " + e.getMessage());
        }
    }

    @Test
    void missingUnknownAndStringFieldsAreNamedPlainly() throws IOException {
        // a typo: the unknown field is named first (Jackson finds the missing one first), with what is known there
        plain(refusedOuter("{\"schema\":1,\"head\":{\"chanels\":8,\"classes\":10},\"lr\":1}"), "space.json",
                "field 'head.chanels' is not known", "known there: channels, classes", "'channels' is required");
        plain(refusedOuter("{\"schema\":1,\"head\":{\"channels\":8,\"classes\":10},\"rl\":1}"), "space.json",
                "field 'rl' is not known", "head, lr, schema");
        plain(refusedOuter("{\"schema\":1,\"head\":{\"classes\":10},\"lr\":1}"), "space.json", "head.channels",
                "is required");
        plain(refusedOuter("{\"schema\":1,\"head\":{\"channels\":8,\"classes\":10},\"lr\":\"NaN\"}"), "space.json",
                "field 'lr' = \"NaN\"", "a JSON number");
        plain(refusedOuter("{\"schema\":1,\"head\":{\"channels\":8,\"classes\":10,\"x\":1},\"lr\":1}"),
                "space.json", "head.x", "not known", "channels, classes");
        plain(refused("{\"schema\":1,\"epochs\":2,\"steps\":3,\"lr\":0.5,\"layers\":\"k3\"}"), "cfg.json",
                "field 'layers' = \"k3\"", "a JSON array, not a string");
        plain(refusedOuter("{\"schema\":1,\"head\":[8, 10],\"lr\":1}"), "space.json", "field 'head'",
                "a JSON object, not an array");
        // a number in quotes: what the field takes, without a dangling Java type name
        HwnasException e = refused("{\"schema\":1,\"epochs\":\"8\",\"steps\":3,\"lr\":0.5,\"layers\":[]}");
        plain(e, "cfg.json", "field 'epochs' = \"8\"", "must be a JSON number (a whole number), not a string in quotes");
        assertTrue(!e.getMessage().contains("(int)"), e.getMessage());
    }

    /** A file cut short names where, without Jackson's "[Source: REDACTED ...]" location text. */
    @Test
    void aTruncatedFileNamesTheLineWithoutJacksonsSourceText() throws IOException {
        HwnasException e = refused("{\"schema\": 1, \"epochs\": 2");
        plain(e, "cfg.json", "malformed JSON at line 1", "start marker at line 1, column 1");
        for (String internal : List.of("Source", "REDACTED", "StreamReadFeature")) {
            assertTrue(!e.getMessage().contains(internal), () -> "'" + internal + "' in: " + e.getMessage());
        }
    }

    /** NaN and Infinity are not JSON: said so, without the parser setting Jackson suggests. */
    @Test
    void nanIsRefusedWithoutJacksonsParserAdvice() throws IOException {
        for (String v : List.of("NaN", "Infinity", "-Infinity")) {
            HwnasException e = refused("{\"schema\": 1, \"epochs\": " + v + "}");
            plain(e, "cfg.json", "malformed JSON at line 1", "JSON has no NaN or Infinity; give a number");
            assertTrue(!e.getMessage().contains("JsonReadFeature") && !e.getMessage().contains("enable"),
                    e.getMessage());
        }
    }

    record Flags(int schema, boolean on, double lr, Boolean maybe, String mode) {
        Flags {
            HwnasException.require(java.util.Set.of("a", "b").contains(mode), "mode", mode, "must be a or b");
        }
    }

    private HwnasException refusedFlags(String json) throws IOException {
        Path f = tmp.resolve("flags.json");
        Files.writeString(f, json);
        return assertThrows(HwnasException.class, () -> Json.read(f, Flags.class));
    }

    /** Null and boolean values are named as field = value with what the field takes, never Jackson's words. */
    @Test
    void nullsAndBooleansAreNamedPlainly() throws IOException {
        String rest = "\"schema\":1,\"maybe\":null,\"mode\":\"a\"";
        plain(refusedFlags("{" + rest + ",\"on\":true,\"lr\":null}"), "flags.json", "field 'lr' = null",
                "must be a JSON number");
        plain(refusedFlags("{" + rest + ",\"on\":null,\"lr\":1}"), "flags.json", "field 'on' = null",
                "must be true or false");
        plain(refused("{\"schema\":1,\"epochs\":null,\"steps\":3,\"lr\":0.5,\"layers\":[]}"), "cfg.json",
                "field 'epochs' = null", "must be a JSON whole number");
        plain(refusedFlags("{" + rest + ",\"on\":1,\"lr\":1}"), "flags.json", "field 'on' = 1",
                "must be true or false, not a number");
        plain(refusedFlags("{" + rest + ",\"on\":1.5,\"lr\":1}"), "flags.json", "field 'on' = 1.5",
                "must be true or false, not a number");
        plain(refusedFlags("{" + rest + ",\"on\":\"yes\",\"lr\":1}"), "flags.json", "field 'on' = \"yes\"",
                "must be true or false, not a string");
        // a null that reaches a constructor check which does not expect one (Set.of(...).contains(null) throws)
        plain(refusedFlags("{\"schema\":1,\"maybe\":true,\"mode\":null,\"on\":true,\"lr\":1}"), "flags.json",
                "field 'mode' = null");
        assertEquals(true, Json.read(writeFlags("{" + rest + ",\"on\":true,\"lr\":1}"), Flags.class).on());
    }

    private Path writeFlags(String json) throws IOException {
        Path f = tmp.resolve("ok-flags.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void emptyFileIsRefusedAsEmpty() throws IOException {
        Path f = tmp.resolve("empty.json");
        Files.writeString(f, "");
        for (HwnasException e : List.of(assertThrows(HwnasException.class, () -> Json.read(f, Cfg.class)),
                assertThrows(HwnasException.class, () -> Json.readTree(f)),
                assertThrows(HwnasException.class, () -> Json.parse(f.toString(), "", Cfg.class)),
                assertThrows(HwnasException.class, () -> Json.read("empty.json", java.io.InputStream.nullInputStream(),
                        Cfg.class)))) {
            plain(e, "empty.json: is empty", "expected a JSON object");
            assertTrue(!e.getMessage().contains("No content"), e.getMessage());
        }
        Files.writeString(f, " \n\t\n");
        plain(assertThrows(HwnasException.class, () -> Json.readTree(f)), "empty.json: is empty", "white space");
    }

    @Test
    void fractionalIntegerIsRefusedNamingFieldAndValue() throws IOException {
        has(refused("{\"schema\":1,\"epochs\":2.5,\"steps\":1,\"lr\":1,\"layers\":[]}"), "cfg.json", "epochs", "2.5");
        has(refused("{\"schema\":1,\"epochs\":2,\"steps\":1,\"lr\":1,\"layers\":[1,2.5]}"), "layers[1]", "2.5");
        has(refused("{\"schema\":1,\"epochs\":\"2\",\"steps\":1,\"lr\":1,\"layers\":[]}"), "epochs");
    }

    @Test
    void numbersOutOfRangeAreRefused() throws IOException {
        has(refused("{\"schema\":1,\"epochs\":3000000000,\"steps\":1,\"lr\":1,\"layers\":[]}"), "cfg.json", "epochs",
                "3000000000", "out of range");
        has(refused("{\"schema\":1,\"epochs\":1,\"steps\":99999999999999999999,\"lr\":1,\"layers\":[]}"), "steps",
                "out of range");
        has(refused("{\"schema\":1,\"epochs\":1,\"steps\":1,\"lr\":1e400,\"layers\":[]}"), "cfg.json", "lr", "1e400",
                "out of range");
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES,
            threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD) // a hang guard: reading /dev/zero never ends
    void nonRegularFilesAreRefusedAtOnce() {
        has(assertThrows(HwnasException.class, () -> Json.read(Path.of("/dev/zero"), Cfg.class)), "/dev/zero",
                "not a regular file");
        has(assertThrows(HwnasException.class, () -> Json.read(tmp, Cfg.class)), "is a directory");
        has(assertThrows(HwnasException.class, () -> Json.read(tmp.resolve("none.json"), Cfg.class)), "no such file");
    }

    @Test
    void oversizedFileIsRefusedWithoutReadingIt() throws IOException {
        Path f = tmp.resolve("big.json");
        Files.writeString(f, "{\"schema\": 1}" + " ".repeat(100));
        has(assertThrows(HwnasException.class, () -> Json.readText(f, 64)), "big.json", "limit");
        // a sparse file over the real limit: refused from its size alone
        try (var raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(Json.MAX_FILE_BYTES + 1);
        }
        has(assertThrows(HwnasException.class, () -> Json.read(f, Cfg.class)), "big.json", "limit");
    }

    @Test
    void binaryAndNonUtf8FilesAreRefusedClearly() throws IOException {
        Path f = tmp.resolve("model.params");
        Files.write(f, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0});
        has(assertThrows(HwnasException.class, () -> Json.read(f, Cfg.class)), "model.params", "binary");
        Files.write(f, "{\"schema\": 1, \"x\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        HwnasException e = assertThrows(HwnasException.class, () -> Json.read(f, Cfg.class));
        has(e, "model.params", "not UTF-8", "offset 23");
        assertTrue(!e.getMessage().contains("Input length"), e.getMessage());
    }

    @Test
    void unreadableFileIsOneLine() throws IOException {
        Path f = tmp.resolve("secret.json");
        Files.writeString(f, "{}");
        f.toFile().setReadable(false);
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(f), "running as root: permissions do not apply");
            has(assertThrows(HwnasException.class, () -> Json.read(f, Cfg.class)), "secret.json", "permission denied");
        } finally {
            f.toFile().setReadable(true);
        }
    }
}
