package io.hwnas.search.subnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.hwnas.supernet.export.OnnxWriter;
import io.hwnas.supernet.net.FixedNet;
import io.hwnas.supernet.net.Subnet;
import io.hwnas.supernet.net.SubnetIO;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verification of an exported model can fail: a model with other weights is caught on real test images. */
class OnnxExportTest {
    @Test
    void verificationCatchesAModelThatDiffers(@TempDir Path tmp) {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        Architecture a = Architecture.parse(s, "k3_e1_g2 k3_e3 k5_e1 skip k5_e6 k3_e6 k5_e3");
        Path dir = tmp.resolve("subnet");
        try (NDManager m = NDManager.newBaseManager()) {
            Block net = FixedNet.build(s, a);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            SubnetIO.save(dir, s, a, net);
            Subnet sn = SubnetIO.load(dir, m);
            OnnxExport.Options o = new OnnxExport.Options(false, true, 40, null, null);
            OnnxExport.Verification good = OnnxExport.verify(dir, sn,
                    OnnxWriter.bytes(OnnxWriter.network(s, a, sn.net())), o, m);
            assertTrue(good.passed() && good.maxAbsDiff() <= OnnxExport.TOLERANCE, good.toString());
            assertEquals(40, good.images());
            assertEquals("fashion-mnist", good.dataset());
            assertEquals(40, good.top1Agreement());

            OnnxExport.Verification bad = OnnxExport.verify(dir, sn,
                    OnnxWriter.bytes(OnnxWriter.network(s, a, OnnxWriter.random(3))), o, m);
            assertFalse(bad.passed(), bad.toString());
            assertTrue(bad.maxAbsDiff() > OnnxExport.TOLERANCE, bad.toString());
        }
        // export with --verify writes the file only after the check passed
        Path out = tmp.resolve("m.onnx");
        OnnxExport.Result r = OnnxExport.export(dir, out, new OnnxExport.Options(false, true, 20, null, null));
        assertTrue(r.written() && r.verification().passed() && Files.isRegularFile(out), r.toString());
    }
}
