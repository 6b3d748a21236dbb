package io.hwnas.supernet.space;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import static org.junit.jupiter.api.Assertions.assertFalse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SearchSpaceTest {
    static Stream<String> spaces() {
        return SpaceRegistry.IDS.stream();
    }

    @ParameterizedTest
    @MethodSource("spaces")
    void everyRegisteredSpaceRoundTripsThroughJson(String id, @TempDir Path dir) {
        SearchSpace s = SpaceRegistry.get(id);
        Path file = dir.resolve(id + ".json");
        Json.writeFile(file, s);
        SearchSpace back = SpaceRegistry.resolve(file.toString());
        assertEquals(s, back);
        assertEquals(s.layers(), back.layers());
        assertTrue(Json.write(s).contains("\"schema\" : 1"));
    }

    @ParameterizedTest
    @MethodSource("spaces")
    void layersChainChannelsAndShapes(String id) {
        SearchSpace s = SpaceRegistry.get(id);
        List<LayerSpec> ls = s.layers();
        assertEquals(s.layerCount(), ls.size());
        assertEquals(s.stem().channels(), ls.get(0).inChannels());
        for (int i = 1; i < ls.size(); i++) {
            assertEquals(ls.get(i - 1).outChannels(), ls.get(i).inChannels());
            assertEquals(ls.get(i - 1).outHeight(), ls.get(i).inHeight());
            assertEquals(i, ls.get(i).index());
        }
    }

    @Test
    void fbnetCifarIsTheHwNasBenchLayout() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar");
        assertEquals(22, s.layerCount());
        assertEquals(List.of("k3_e1", "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1", "k5_e1_g2", "k5_e3", "k5_e6", "skip"),
                s.ops());
        List<LayerSpec> ls = s.layers();
        // stage first layers: strides [1,1,2,2,1,2,1] from 32x32
        int[] firstOfStage = {0, 1, 5, 9, 13, 17, 21};
        int[] inSize = {32, 32, 32, 16, 8, 8, 4};
        int[] stride = {1, 1, 2, 2, 1, 2, 1};
        int[] cout = {16, 24, 32, 64, 112, 184, 352};
        for (int k = 0; k < 7; k++) {
            LayerSpec l = ls.get(firstOfStage[k]);
            assertEquals(inSize[k], l.inHeight(), "stage " + k);
            assertEquals(stride[k], l.stride(), "stage " + k);
            assertEquals(cout[k], l.outChannels(), "stage " + k);
            assertEquals("stage" + k + ".block0", l.name());
        }
        assertEquals(1504, s.head().channels());
        assertEquals(4, s.headInputSize()[0]);
        SearchSpace img = SpaceRegistry.get("fbnet-imagenet");
        assertEquals(7, img.headInputSize()[0]); // 224 / 2 / 2 / 2 / 2 / 2
        assertEquals(1984, img.head().channels());
    }

    @Test
    void macsAndParamsOfKnownOpsByHand() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar");
        LayerSpec l1 = s.layers().get(1); // 16 -> 24, stride 1, 32x32
        // k3_e6: mid 96. pw1 32*32*96*16, dw 32*32*96*9, pw2 32*32*24*96
        Costs.Cost c = Costs.op(l1, OpSpec.parse("k3_e6"));
        assertEquals(1_572_864L + 884_736L + 2_359_296L, c.macs());
        assertEquals(96 * 16 + 2 * 96 + 96 * 9 + 2 * 96 + 24 * 96 + 2 * 24, c.params());
        // k5_e1_g2: mid 16, groups 2 on both 1x1 convs
        Costs.Cost g = Costs.op(l1, OpSpec.parse("k5_e1_g2"));
        assertEquals(32L * 32 * 16 * 8 + 32L * 32 * 16 * 25 + 32L * 32 * 24 * 8, g.macs());
        assertEquals(16 * 8 + 32 + 16 * 25 + 32 + 24 * 8 + 48, g.params());
        // skip: identity in layer 2 (24 -> 24, stride 1), projection in layer 5 (24 -> 32, stride 2)
        assertEquals(Costs.Cost.ZERO, Costs.op(s.layers().get(2), OpSpec.parse("skip")));
        LayerSpec l5 = s.layers().get(5);
        assertEquals(16L * 16 * 32 * 24, Costs.op(l5, OpSpec.parse("skip")).macs());
        assertEquals(32 * 24 + 64, Costs.op(l5, OpSpec.parse("skip")).params());
        // stem 3x3 3->16 at 32x32; head 1x1 352->1504 at 4x4 + FC 1504->100
        assertEquals(32L * 32 * 16 * 27, Costs.stem(s).macs());
        assertEquals(16L * 352 * 1504 + 1504L * 100, Costs.head(s).macs());
        assertEquals(352L * 1504 + 2 * 1504 + 1504 * 100 + 100, Costs.head(s).params());
    }

    @Test
    void architectureCostIsFixedPlusItsOps() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar-tiny");
        Architecture a = Architecture.uniform(s, "k3_e1");
        long sum = Costs.fixed(s).macs();
        for (LayerSpec l : s.layers()) {
            sum += Costs.op(l, OpSpec.parse("k3_e1")).macs();
        }
        assertEquals(sum, Costs.architecture(s, a).macs());
        Costs.Cost[] r = Costs.range(s);
        assertTrue(r[0].macs() <= Costs.architecture(s, a).macs() && Costs.architecture(s, a).macs() <= r[1].macs());
    }

    @Test
    void scaledVariantKeepsTheLayoutAndValidates() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar").scaled("fbnet-cifar-w025", 0.25, 8, null, null, 10);
        assertEquals(22, s.layerCount());
        assertEquals(8, s.stem().channels());
        assertEquals(88, s.lastChannels()); // 352 * 0.25
        assertThrows(HwnasException.class,
                () -> SpaceRegistry.get("fbnet-cifar").scaled("x", 0.5, 8, List.of(1, 2), null, 10));
    }

    private static String json(String replaceFrom, String replaceTo) {
        String base = Json.write(SpaceRegistry.get("fbnet-cifar-tiny"));
        assertTrue(base.contains(replaceFrom), replaceFrom);
        return base.replace(replaceFrom, replaceTo);
    }

    private static String error(String text, @TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad-space.json");
        Files.writeString(f, text);
        HwnasException e = assertThrows(HwnasException.class, () -> SpaceRegistry.resolve(f.toString()));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void badSpaceFilesNameFileFieldAndValue(@TempDir Path dir) throws Exception {
        String m = error("{\"schema\": 1, \"id\": ", dir);
        assertTrue(m.contains("malformed JSON") || m.contains("end-of-input"), m);
        m = error(json("\"k3_e6\"", "\"k9_e9_x\""), dir);
        assertTrue(m.contains("unknown op") && m.contains("k9_e9_x"), m);
        m = error(json("\"stride\" : 2", "\"stride\" : 3"), dir);
        assertTrue(m.contains("stride") && m.contains("3"), m);
        m = error(json("\"schema\" : 1", "\"schema\" : 7"), dir);
        assertTrue(m.contains("schema") && m.contains("7"), m);
        m = error(json("\"id\" :", "\"colour\" : \"red\", \"id\" :"), dir);
        assertTrue(m.contains("colour"), m);
        // groups 2 cannot split an odd channel count
        m = error(json("\"channels\" : 12", "\"channels\" : 13"), dir);
        assertTrue(m.contains("k3_e1_g2") && m.contains("13"), m);
        HwnasException missing = assertThrows(HwnasException.class,
                () -> SpaceRegistry.resolve(dir.resolve("nope.json").toString()));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
        assertThrows(HwnasException.class, () -> SpaceRegistry.resolve("fbnet-nonexistent"));
    }

    /**
     * {@code "shortcut"}: absent or "none" is FBNet's ops as written (the same fingerprint as before the field
     * existed, so LUTs of a space stay its LUTs), "projection" gives the shape-changing layers a projection
     * shortcut (an op's cost includes its 1x1 conv), anything else is refused naming the field and value.
     */
    @Test
    void shortcutFieldIsOptionalAndChecked(@TempDir Path dir) throws Exception {
        SearchSpace plain = SpaceRegistry.get("fbnet-fmnist-tiny");
        SearchSpace sc = SpaceRegistry.get("fbnet-fmnist-tiny-shortcut");
        assertFalse(Json.write(plain).contains("shortcut"), Json.write(plain));
        Path none = dir.resolve("none.json");
        Files.writeString(none, Json.write(plain).replace("\"id\" : \"fbnet-fmnist-tiny\"",
                "\"id\" : \"fbnet-fmnist-tiny\", \"shortcut\" : \"none\""));
        assertEquals(plain.sha256(), SpaceRegistry.resolve(none.toString()).sha256()); // same id, same networks: accepted
        assertNotEquals(plain.sha256(), sc.sha256());
        assertTrue(sc.projectionShortcut() && !plain.projectionShortcut());
        List<LayerSpec> ls = sc.layers();
        assertFalse(ls.get(0).hasShortcut()); // 8 -> 8, stride 1: the identity residual, skip the identity
        for (int i = 1; i < ls.size(); i++) {
            assertTrue(ls.get(i).hasShortcut(), ls.get(i).name());
            for (String op : List.of("k3_e1", "k5_e6", "k3_e1_g2")) {
                assertEquals(Costs.op(plain.layers().get(i), OpSpec.parse(op)).plus(Costs.op(ls.get(i), OpSpec.parse("skip"))),
                        Costs.op(ls.get(i), OpSpec.parse(op)), ls.get(i).name() + " " + op);
            }
            assertEquals(Costs.op(plain.layers().get(i), OpSpec.parse("skip")), Costs.op(ls.get(i), OpSpec.parse("skip")));
        }
        // a registered id on a file that adds shortcuts: refused, naming the difference
        Path same = dir.resolve("same-id.json");
        Files.writeString(same, Json.write(plain).replace("\"id\" : \"fbnet-fmnist-tiny\"",
                "\"id\" : \"fbnet-fmnist-tiny\", \"shortcut\" : \"projection\""));
        HwnasException reuse = assertThrows(HwnasException.class, () -> SpaceRegistry.resolve(same.toString()));
        assertTrue(reuse.getMessage().contains("shortcut projection vs none"), reuse.getMessage());
        String m = error(json("\"id\" :", "\"shortcut\" : \"identity\", \"id\" :"), dir);
        assertTrue(m.contains("field 'shortcut' = \"identity\": must be \"projection\" or \"none\""), m);
        m = error(json("\"id\" :", "\"shortcut\" : 1, \"id\" :"), dir);
        assertTrue(m.contains("shortcut"), m);
    }

    @Test
    void opNamesParseStrictly() {
        assertEquals(new OpSpec("k5_e1_g2", 5, 1, 2), OpSpec.parse("k5_e1_g2"));
        assertEquals(1, OpSpec.parse("k3_e6").groups());
        assertTrue(OpSpec.parse("skip").isSkip());
        for (String bad : new String[] {"k3", "k4_e1", "k3_e1_g1", "K3_E1", "skip2", "k03_e1", ""}) {
            assertThrows(HwnasException.class, () -> OpSpec.parse(bad), bad);
        }
    }
}
