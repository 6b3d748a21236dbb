package io.hwnas.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LutTransferTest {
    static final SearchSpace CIFAR = SpaceRegistry.get("fbnet-cifar");
    static final SearchSpace TINY = SpaceRegistry.get("fbnet-fmnist-tiny");

    static Lut raspi4() {
        return HwNasBenchImport.fbnet(HwNasBenchImport.defaultCsv(), HwNasBenchImport.defaultBase(), "raspi4", CIFAR);
    }

    /** Carried over to its own space, a table is unchanged (scale 1 everywhere), only marked estimated. */
    @Test
    void toItsOwnSpaceTheTableIsUnchanged() {
        Lut src = raspi4();
        LutTransfer.Result r = LutTransfer.transfer(src, CIFAR, CIFAR, "raspi4.json");
        assertEquals(DeviceRecord.Source.ESTIMATED, r.lut().device().source());
        assertEquals("raspi4", r.lut().device().name());
        assertEquals(1.0, r.networkScale(), 1e-15);
        assertEquals(src.fixedMs(), r.lut().fixedMs(), 1e-9);
        for (LutTransfer.LayerMap m : r.layers()) {
            assertEquals(m.layer(), m.sourceLayer());
            assertEquals(1.0, m.scale(), 1e-15);
        }
        for (LutEntry e : src.entries()) {
            assertEquals(e.medianMs(), r.lut().entry(e.layer(), e.op()).medianMs(), 1e-12);
        }
    }

    /** MACs of op kK_eE(_gG) at a layer, written out here (not through Costs). */
    static double macs(int cin, int cout, int h, int stride, int k, int e, int g) {
        int ho = (h - 1) / stride + 1;
        double mid = (double) e * cin;
        return cin * mid / g * h * h + mid * k * k * ho * ho + mid * cout / g * ho * ho;
    }

    static double layerMacs(LayerSpec l) {
        int[][] ops = {{3, 1, 1}, {3, 1, 2}, {3, 3, 1}, {3, 6, 1}, {5, 1, 1}, {5, 1, 2}, {5, 3, 1}, {5, 6, 1}};
        double m = 0;
        for (int[] o : ops) {
            m += macs(l.inChannels(), l.outChannels(), l.inHeight(), l.stride(), o[0], o[1], o[2]);
        }
        if (l.inChannels() != l.outChannels() || l.stride() != 1) { // a projecting skip: 1x1 conv
            int ho = (l.inHeight() - 1) / l.stride() + 1;
            m += (double) l.inChannels() * l.outChannels() * ho * ho;
        }
        return m;
    }

    @Test
    void toTheTinySpaceLayersScaleByTheirMacsAndKeepTheDevicesOpOrder() {
        Lut src = raspi4();
        LutTransfer.Result r = LutTransfer.transfer(src, CIFAR, TINY, "raspi4.json");
        Lut t = r.lut();
        assertEquals("fbnet-fmnist-tiny", t.space());
        assertEquals(7, r.layers().size());
        int[] firstOfStage = {0, 1, 5, 9, 13, 17, 21};
        for (int i = 0; i < 7; i++) {
            LutTransfer.LayerMap m = r.layers().get(i);
            assertEquals(firstOfStage[i], m.sourceLayer(), "layer " + i);
            LayerSpec tl = TINY.layers().get(i);
            LayerSpec sl = CIFAR.layers().get(firstOfStage[i]);
            assertEquals(layerMacs(tl) / layerMacs(sl), m.scale(), 1e-12, "layer " + i);
            assertTrue(m.scale() > 0 && m.scale() < 1, "half-width, 28x28 layers are smaller: " + m.scale());
            for (String a : TINY.ops()) {
                for (String b : TINY.ops()) {
                    double ds = src.entry(sl.index(), a).medianMs() - src.entry(sl.index(), b).medianMs();
                    double dt = t.entry(i, a).medianMs() - t.entry(i, b).medianMs();
                    assertEquals(Math.signum(ds), Math.signum(dt), "layer " + i + " " + a + " vs " + b);
                }
            }
        }
        // the all-k3_e1 network: the source's, times the networks' MAC ratio
        LatencyModel ms = LatencyModels.of(src, CIFAR, "src");
        LatencyModel mt = LatencyModels.of(t, TINY, "dst");
        double ratio = (double) Costs.architecture(TINY, Architecture.uniform(TINY, "k3_e1")).macs()
                / Costs.architecture(CIFAR, Architecture.uniform(CIFAR, "k3_e1")).macs();
        assertEquals(ms.predictMs(Architecture.uniform(CIFAR, "k3_e1")) * ratio,
                mt.predictMs(Architecture.uniform(TINY, "k3_e1")), 1e-9);
        assertTrue(mt.rangeMs().fastestMs() > 0, "fastest " + mt.rangeMs().fastestMs());
        assertTrue(t.device().notes().startsWith("ESTIMATED"), t.device().notes());
        assertTrue(t.device().notes().contains("stage2.block0 <- stage2.block0"), t.device().notes());
    }

    /** A space with more blocks per stage than the table's takes the stage's last block for the extra ones. */
    @Test
    void extraBlocksTakeTheStagesLastBlock() {
        LayerSpec s = LutTransfer.sourceLayer(TINY.layers(), CIFAR.layers().get(3)); // stage1.block2
        assertEquals("stage1.block0", s.name());
        assertEquals("stage1.block2", LutTransfer.sourceLayer(CIFAR.layers(), CIFAR.layers().get(3)).name());
    }

    @Test
    void spacesWithOtherOpsOrStagesAreRefused(@TempDir Path dir) throws Exception {
        String base; // a resource of the supernet module: a jar entry under mvn verify
        try (var in = SpaceRegistry.class.getResourceAsStream("/io/hwnas/spaces/fbnet-fmnist-tiny.json")) {
            base = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Path otherOps = dir.resolve("other-ops.json");
        Files.writeString(otherOps, base.replace("\"fbnet-fmnist-tiny\"", "\"other-ops\"")
                .replaceAll("\"ops\"\\s*:\\s*\\[[^]]*]", "\"ops\": [\"k3_e1\", \"k7_e6\", \"skip\"]"));
        SearchSpace f = SpaceRegistry.resolve(otherOps.toString());
        HwnasException e = assertThrows(HwnasException.class, () -> LutTransfer.transfer(raspi4(), CIFAR, f, "r.json"));
        assertTrue(e.getMessage().contains("candidate ops [k7_e6] are not in the table's space fbnet-cifar")
                && e.getMessage().contains("other-ops"), e.getMessage());

        Path sixStages = dir.resolve("six.json");
        Files.writeString(sixStages, base.replace("\"fbnet-fmnist-tiny\"", "\"six\"")
                .replaceFirst("\\{\\s*\"layers\"\\s*:\\s*1\\s*,\\s*\"channels\"\\s*:\\s*176\\s*,\\s*\"stride\"\\s*:\\s*1\\s*}\\s*", "")
                .replaceAll(",\\s*]", "]"));
        SearchSpace six = SpaceRegistry.resolve(sixStages.toString());
        assertEquals(6, six.layerCount(), Files.readString(sixStages));
        e = assertThrows(HwnasException.class, () -> LutTransfer.transfer(raspi4(), CIFAR, six, "r.json"));
        assertTrue(e.getMessage().contains("6 stages") && e.getMessage().contains("has 7"), e.getMessage());
    }

    /**
     * Into a space with some of the table's ops, in another order: each entry and the fixed part are those of the
     * transfer into the same layout with all of them, so every architecture of the smaller space takes the same
     * latency under both tables; the notes say which ops were dropped.
     */
    @Test
    void intoASpaceWithSomeOfTheOpsTheEntriesAreTheFullTransfers(@TempDir Path dir) throws Exception {
        for (SearchSpace full : List.of(TINY, SpaceRegistry.get("fbnet-fmnist-tiny-shortcut"))) {
            String json; // a resource of the supernet module: a jar entry under mvn verify
            try (var in = SpaceRegistry.class.getResourceAsStream("/io/hwnas/spaces/" + full.id() + ".json")) {
                json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            Path p = dir.resolve(full.id() + "-three.json");
            Files.writeString(p, json.replace("\"" + full.id() + "\"", "\"" + full.id() + "-three\"")
                    .replaceAll("\"ops\"\\s*:\\s*\\[[^]]*]", "\"ops\": [\"skip\", \"k5_e3\", \"k3_e3\"]"));
            SearchSpace three = SpaceRegistry.resolve(p.toString());
            assertEquals(List.of("skip", "k5_e3", "k3_e3"), three.ops());
            Lut a = LutTransfer.transfer(raspi4(), CIFAR, full, "raspi4.json").lut();
            LutTransfer.Result r = LutTransfer.transfer(raspi4(), CIFAR, three, "raspi4.json");
            Lut b = r.lut();
            assertEquals(three.id(), b.space());
            assertEquals(7 * 3, b.entries().size());
            assertEquals(a.fixedMs(), b.fixedMs(), 1e-12);
            for (LutEntry e : b.entries()) {
                assertEquals(a.entry(e.layer(), e.op()).medianMs(), e.medianMs(), 1e-12, e.toString());
            }
            LatencyModel ma = LatencyModels.of(a, full, "a");
            LatencyModel mb = LatencyModels.of(b, three, "b");
            Random rnd = new Random(3);
            for (int i = 0; i < 20; i++) {
                String[] ops = new String[7];
                for (int l = 0; l < 7; l++) {
                    ops[l] = three.ops().get(rnd.nextInt(3));
                }
                String spec = String.join(" ", ops);
                assertEquals(ma.predictMs(Architecture.parse(full, spec)), mb.predictMs(Architecture.parse(three, spec)),
                        1e-9, spec);
            }
            assertTrue(b.device().notes().contains("[k3_e1, k3_e1_g2, k3_e6, k5_e1, k5_e1_g2, k5_e6] dropped"),
                    b.device().notes());
            assertEquals(DeviceRecord.Source.ESTIMATED, b.device().source());
        }
    }

    /**
     * Into a space with projection shortcuts: each shortcut layer's kK_eE ops take the plain space's entry plus
     * one constant (the shortcut's MACs at the device's average time per MAC), so their order is the device's;
     * skip and the layers without a shortcut are the plain transfer's; the all-k3_e1 network keeps the MAC
     * ratio rule. A table of a space with shortcuts does not carry over.
     */
    @Test
    void intoASpaceWithProjectionShortcutsTheirCostIsAddedByMacs() {
        SearchSpace plain = SpaceRegistry.get("fbnet-fmnist-tiny");
        SearchSpace sc = SpaceRegistry.get("fbnet-fmnist-tiny-shortcut");
        Lut p = LutTransfer.transfer(raspi4(), CIFAR, plain, "r.json").lut();
        Lut s = LutTransfer.transfer(raspi4(), CIFAR, sc, "r.json").lut();
        double[][] tp = p.tableMs(plain);
        double[][] ts = s.tableMs(sc);
        int skip = sc.opIndex("skip");
        for (LayerSpec l : sc.layers()) {
            double add = ts[l.index()][0] - tp[l.index()][0];
            if (l.hasShortcut()) {
                assertTrue(add > 0, l.name() + " " + add);
            } else {
                assertEquals(0, add, 1e-12, l.name());
            }
            for (int o = 0; o < sc.ops().size(); o++) {
                assertEquals(tp[l.index()][o] + (o == skip ? 0 : add), ts[l.index()][o], 1e-9, l.name() + " " + o);
            }
        }
        double macRatio = (double) Costs.architecture(sc, Architecture.uniform(sc, "k3_e1")).macs()
                / Costs.architecture(plain, Architecture.uniform(plain, "k3_e1")).macs();
        assertEquals(LatencyModels.of(p, plain, "p").predictMs(Architecture.uniform(plain, "k3_e1")) * macRatio,
                LatencyModels.of(s, sc, "s").predictMs(Architecture.uniform(sc, "k3_e1")), 1e-9);
        assertTrue(s.device().notes().contains("projection shortcuts"), s.device().notes());
        HwnasException e = assertThrows(HwnasException.class, () -> LutTransfer.transfer(s, sc, plain, "s.json"));
        assertTrue(e.getMessage().contains("projection shortcuts") && e.getMessage().contains("lut measure"), e.getMessage());
        // the published tables did not time shortcuts: importing them for such a space is refused, naming the way
        SearchSpace cifarSc = new SearchSpace(1, "fbnet-cifar-sc", "", CIFAR.input(), CIFAR.stem(), CIFAR.stages(),
                CIFAR.head(), CIFAR.ops(), "projection");
        e = assertThrows(HwnasException.class, () -> HwNasBenchImport.fbnet(HwNasBenchImport.defaultCsv(),
                HwNasBenchImport.defaultBase(), "raspi4", cifarSc));
        assertTrue(e.getMessage().contains("fbnet-cifar-sc") && e.getMessage().contains("lut transfer"), e.getMessage());
    }

    /** Random architectures: the carried-over table is a LUT like any other (sums, positive, ordered range). */
    @Test
    void everyDeviceCarriesOverToTheTinySpaces() {
        for (String dev : List.of("raspi4", "pixel3", "eyeriss")) {
            Lut src = HwNasBenchImport.fbnet(HwNasBenchImport.defaultCsv(), HwNasBenchImport.defaultBase(), dev, CIFAR);
            for (SearchSpace s : List.of(TINY, SpaceRegistry.get("fbnet-cifar-tiny"))) {
                LatencyModel m = LatencyModels.of(LutTransfer.transfer(src, CIFAR, s, dev).lut(), s, dev);
                Random rnd = new Random(1);
                for (int i = 0; i < 20; i++) {
                    int[] a = new int[s.layerCount()];
                    for (int l = 0; l < a.length; l++) {
                        a[l] = rnd.nextInt(s.ops().size());
                    }
                    double p = m.predictMs(a);
                    assertTrue(p >= m.rangeMs().fastestMs() - 1e-9 && p <= m.rangeMs().slowestMs() + 1e-9, dev + " " + p);
                }
            }
        }
    }
}
