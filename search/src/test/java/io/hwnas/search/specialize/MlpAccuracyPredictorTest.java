package io.hwnas.search.specialize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.LatencyModel;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlpAccuracyPredictorTest {
    private static final SearchSpace TINY = SpaceRegistry.get("fbnet-fmnist-tiny"); // 7 layers x 9 ops

    private static List<MlpAccuracyPredictor.Sample> samples(AccuracyEstimator f, int layers, int ops, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<MlpAccuracyPredictor.Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] g = Genes.random(Genes.uniform(layers, ops), r);
            out.add(new MlpAccuracyPredictor.Sample(g, f.accuracy(g)));
        }
        return out;
    }

    private static MlpAccuracyPredictor.Config small(long seed) {
        return MlpAccuracyPredictor.Config.ofa(seed).withHidden(List.of(64, 64, 64)).withEpochs(30);
    }

    @Test
    void learnsAnAdditiveAccuracyFunctionWithAHighKendallTau() {
        AccuracyEstimator f = Fixtures.additive(7, 9, 3);
        var data = samples(f, 7, 9, 500, 1);
        MlpAccuracyPredictor p = MlpAccuracyPredictor.train(data, MlpAccuracyPredictor.Encoding.of(TINY), "run-a",
                small(7));
        MlpAccuracyPredictor.Report rep = p.report();
        assertEquals(400, rep.trainCount());
        assertEquals(100, rep.heldOutCount());
        assertTrue(rep.heldOutKendallTau() >= 0.85, rep.toString());
        // the accuracy spread is about 0.76 (7 uniform gains); the fit is far better than the spread
        assertTrue(rep.heldOutRmse() < 0.15, rep.toString());
        // and on fresh architectures: the same rank quality
        var fresh = samples(f, 7, 9, 200, 99);
        double[] pred = p.accuracies(fresh.stream().map(MlpAccuracyPredictor.Sample::ops).toArray(int[][]::new));
        double[] act = fresh.stream().mapToDouble(MlpAccuracyPredictor.Sample::accuracy).toArray();
        assertTrue(Stats.kendallTau(pred, act) >= 0.85);
        // one at a time and batched agree
        assertEquals(pred[5], p.accuracy(fresh.get(5).ops()), 1e-12);
    }

    @Test
    void sameSeedSameModel() {
        var data = samples(Fixtures.additive(7, 9, 3), 7, 9, 120, 2);
        var cfg = small(3).withEpochs(5);
        var enc = MlpAccuracyPredictor.Encoding.of(TINY);
        MlpAccuracyPredictor a = MlpAccuracyPredictor.train(data, enc, "r", cfg);
        MlpAccuracyPredictor b = MlpAccuracyPredictor.train(data, enc, "r", cfg);
        assertEquals(a.report(), b.report());
        int[] g = data.get(0).ops();
        assertEquals(a.accuracy(g), b.accuracy(g), 0);
    }

    @Test
    void savesAndLoadsOfasSizeAndRefusesAnotherRunOrSpace(@TempDir Path dir) throws Exception {
        SearchSpace cifar = SpaceRegistry.get("fbnet-cifar");
        var enc = MlpAccuracyPredictor.Encoding.of(cifar);
        var data = samples(Fixtures.additive(22, 9, 5), 22, 9, 60, 4);
        // OFA's size (3 x 400), one epoch: the file round trip, not the fit, is under test here
        MlpAccuracyPredictor p = MlpAccuracyPredictor.train(data, enc, "runs/x@sha256:abc",
                MlpAccuracyPredictor.Config.ofa(1).withEpochs(1));
        Path file = dir.resolve("predictor.json");
        p.save(file);
        String text = Files.readString(file);
        assertTrue(text.contains("\"schema\" : 1") && text.contains("\"space\" : \"fbnet-cifar\"")
                && text.contains("\"run\" : \"runs/x@sha256:abc\"") && text.contains("held_out_kendall_tau"), text
                .substring(0, 400));
        MlpAccuracyPredictor q = MlpAccuracyPredictor.load(file, cifar, "runs/x@sha256:abc");
        int[][] archs = data.stream().map(MlpAccuracyPredictor.Sample::ops).toArray(int[][]::new);
        assertArrayEquals(p.accuracies(archs), q.accuracies(archs), 0);
        assertEquals(p.report(), q.report());
        assertEquals(p.config(), q.config());

        HwnasException otherRun = assertThrows(HwnasException.class,
                () -> MlpAccuracyPredictor.load(file, cifar, "runs/y@sha256:def"));
        assertTrue(otherRun.getMessage().startsWith(file.toString()) && otherRun.getMessage().contains("another run")
                && otherRun.getMessage().contains("runs/y@sha256:def"), otherRun.getMessage());
        HwnasException otherSpace = assertThrows(HwnasException.class,
                () -> MlpAccuracyPredictor.load(file, SpaceRegistry.get("fbnet-cifar-tiny"), "runs/x@sha256:abc"));
        assertTrue(otherSpace.getMessage().startsWith(file.toString())
                && otherSpace.getMessage().contains("trained for space fbnet-cifar, not fbnet-cifar-tiny"),
                otherSpace.getMessage());

        Files.writeString(file, text.replace("\"schema\" : 1", "\"schema\" : 2"));
        HwnasException schema = assertThrows(HwnasException.class,
                () -> MlpAccuracyPredictor.load(file, cifar, "runs/x@sha256:abc"));
        assertTrue(schema.getMessage().contains("schema"), schema.getMessage());
    }

    @Test
    void recordsHowItsPairsWereMeasuredAndReadsOlderFilesWithout(@TempDir Path dir) throws Exception {
        var enc = MlpAccuracyPredictor.Encoding.of(TINY);
        var data = samples(Fixtures.additive(7, 9, 3), 7, 9, 20, 2);
        var pairs = new MlpAccuracyPredictor.Pairs(40, 0, 2, 200);
        MlpAccuracyPredictor p = MlpAccuracyPredictor.train(data, enc, "r", small(3).withEpochs(1)).withPairs(pairs);
        Path file = dir.resolve("predictor.json");
        p.save(file);
        assertEquals(pairs, MlpAccuracyPredictor.load(file, TINY, "r").pairs());
        // a file saved before the settings were recorded still loads, with none
        com.fasterxml.jackson.databind.node.ObjectNode n =
                (com.fasterxml.jackson.databind.node.ObjectNode) io.hwnas.core.Json.readTree(file);
        n.remove("pairs");
        io.hwnas.core.Json.writeFile(file, n);
        MlpAccuracyPredictor old = MlpAccuracyPredictor.load(file, TINY, null); // null: of any run
        assertNull(old.pairs());
        assertEquals(p.report(), old.report());
        // what differs is named, stored value first
        assertNull(pairs.differences(new MlpAccuracyPredictor.Pairs(40, 0, 2, 200)));
        assertEquals("40 pairs, held-out 200 images; asked 60 pairs, held-out 300 images",
                pairs.differences(new MlpAccuracyPredictor.Pairs(60, 0, 2, 300)));
        assertEquals("2 recalibration batches, seed 0; asked 4 recalibration batches, seed 7",
                pairs.differences(new MlpAccuracyPredictor.Pairs(40, 7, 4, 200)));
    }

    @Test
    void badInputsAreRefusedWithTheirIndex() {
        var enc = MlpAccuracyPredictor.Encoding.of(TINY);
        var data = new ArrayList<>(samples(Fixtures.additive(7, 9, 3), 7, 9, 10, 2));
        data.set(3, new MlpAccuracyPredictor.Sample(new int[] {0, 0, 0, 0, 0, 0, 9}, 0.5));
        HwnasException e = assertThrows(HwnasException.class, () -> MlpAccuracyPredictor.train(data, enc, "r",
                small(1)));
        assertTrue(e.getMessage().contains("samples[3].ops") && e.getMessage().contains("op index 9"), e.getMessage());
    }

    @Test
    void drivesEvolutionUnderARealLut() {
        // the predictor as the search's estimator: evolution under the raspi4 table of fbnet-cifar
        SearchSpace cifar = SpaceRegistry.get("fbnet-cifar");
        LatencyModel raspi = Fixtures.device("raspi4");
        AccuracyEstimator truth = Fixtures.additive(22, 9, 12);
        var data = samples(truth, 22, 9, 300, 5);
        MlpAccuracyPredictor p = MlpAccuracyPredictor.train(data, MlpAccuracyPredictor.Encoding.of(cifar), "r",
                small(2).withEpochs(30));
        Evolution.Result r = Evolution.underBudget(p, raspi, 15, EvolutionConfig.ofa(0).withGenerations(40));
        assertTrue(r.best().latencyMs() <= 15);
        assertEquals(p.accuracy(r.best().ops()), r.best().accuracy(), 0);
    }
}
