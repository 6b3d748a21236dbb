package io.hwnas.supernet.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.TestNets;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubnetsTest {
    static Shape input(SearchSpace s, int batch) {
        return new Shape(batch, s.input().channels(), s.input().height(), s.input().width());
    }

    static Supernet trainedLooking(NDManager m, SearchSpace s, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        Supernet net = new Supernet(s);
        net.initialize(m, DataType.FLOAT32, input(s, 1));
        TestNets.randomizeBn(net, seed);
        return net;
    }

    @ParameterizedTest
    @ValueSource(strings = {"fbnet-fmnist-tiny", "fbnet-cifar-tiny"})
    void extractedNetworkMatchesTheSupernetPath(String id) {
        SearchSpace s = SpaceRegistry.get(id);
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = trainedLooking(m, s, 1);
            Architecture a = FixedNetTest.randomArch(s, 17);
            Block sub = Subnets.extract(net, a, m);
            NDArray x = TestNets.random(m, input(s, 4), DataType.FLOAT32, 2);
            float[] want = net.forwardPath(new ParameterStore(m, false), x, a.indices(s), false).toFloatArray();
            float[] got = TestNets.forward(m, sub, x, false).toFloatArray();
            assertArrayEquals(want, got, 1e-5f);
            // the weights are copies: changing the supernet leaves the subnet alone
            TestNets.randomizeBn(net, 99);
            float[] after = net.forwardPath(new ParameterStore(m, false), x, a.indices(s), false).toFloatArray();
            assertNotEquals(want[0], after[0]);
            assertArrayEquals(got, TestNets.forward(m, sub, x, false).toFloatArray(), 0f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fbnet-fmnist-tiny", "fbnet-cifar-tiny"})
    void saveLoadRoundTripGivesIdenticalOutputs(String id, @TempDir Path dir) {
        SearchSpace s = SpaceRegistry.get(id);
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = trainedLooking(m, s, 3);
            Architecture a = FixedNetTest.randomArch(s, 5);
            Block sub = Subnets.extract(net, a, m);
            SubnetIO.save(dir, s, a, sub);
            Subnet back = SubnetIO.load(dir, m);
            assertEquals(s, back.space());
            assertEquals(a, back.arch());
            NDArray x = TestNets.random(m, input(s, 3), DataType.FLOAT32, 4);
            assertArrayEquals(TestNets.forward(m, sub, x, false).toFloatArray(),
                    TestNets.forward(m, back.net(), x, false).toFloatArray(), 0f);
        }
    }

    @org.junit.jupiter.api.Test
    void refusesWeightsOfAnotherArchitecture(@TempDir Path dir) throws IOException {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = trainedLooking(m, s, 3);
            Architecture a = Architecture.uniform(s, "k3_e1");
            Architecture b = Architecture.uniform(s, "k5_e1");
            Path da = dir.resolve("a");
            Path db = dir.resolve("b");
            SubnetIO.save(da, s, a, Subnets.extract(net, a, m));
            SubnetIO.save(db, s, b, Subnets.extract(net, b, m));

            // arch.json swapped for another architecture
            Files.copy(db.resolve("arch.json"), da.resolve("arch.json"), StandardCopyOption.REPLACE_EXISTING);
            HwnasException e = assertThrows(HwnasException.class, () -> SubnetIO.load(da, m));
            assertTrue(e.getMessage().contains("model.params"), e.getMessage());
            assertTrue(e.getMessage().contains("k3_e1") && e.getMessage().contains("k5_e1"), e.getMessage());

            // params file of another architecture
            Json.writeFile(da.resolve("arch.json"), a);
            Files.copy(db.resolve("model.params"), da.resolve("model.params"), StandardCopyOption.REPLACE_EXISTING);
            e = assertThrows(HwnasException.class, () -> SubnetIO.load(da, m));
            assertTrue(e.getMessage().contains("model.params"), e.getMessage());

            // a truncated params file
            byte[] bytes = Files.readAllBytes(db.resolve("model.params"));
            Files.write(db.resolve("model.params"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
            e = assertThrows(HwnasException.class, () -> SubnetIO.load(db, m));
            assertTrue(e.getMessage().contains("model.params"), e.getMessage());

            // an architecture of the wrong length
            Files.writeString(db.resolve("arch.json"), "{\"schema\": 1, \"space\": \"fbnet-fmnist-tiny\", \"ops\": [\"skip\"]}");
            e = assertThrows(HwnasException.class, () -> SubnetIO.load(db, m));
            assertTrue(e.getMessage().contains("arch.json"), e.getMessage());
        }
    }
}
