package io.hwnas.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import io.hwnas.supernet.space.HeadSpec;
import io.hwnas.supernet.space.InputSpec;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.StageSpec;
import io.hwnas.supernet.space.StemSpec;
import io.hwnas.core.Progress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LutMeasurerTest {
    /** A 2-layer space small enough to measure in a unit test. */
    static SearchSpace tiny() {
        return new SearchSpace(1, "unit-2layer", "2-layer test space", new InputSpec(3, 8, 8), new StemSpec(4, 3, 1),
                List.of(new StageSpec(1, 4, 1), new StageSpec(1, 8, 2)), new HeadSpec(16, 10),
                List.of("k3_e1", "k3_e3", "skip"));
    }

    /** Plain stand-in blocks (the real ones are the supernet's): conv for ops, identity for skip. */
    static final LutMeasurer.Blocks PLAIN = new LutMeasurer.Blocks() {
        @Override
        public Block op(LayerSpec l, OpSpec op) {
            if (op.isIdentity(l)) {
                return new LambdaBlock(x -> x, "identity");
            }
            int k = op.isSkip() ? 1 : op.kernel();
            return Conv2d.builder().setKernelShape(new Shape(k, k)).optStride(new Shape(l.stride(), l.stride()))
                    .optPadding(new Shape(k / 2, k / 2)).setFilters(l.outChannels()).build();
        }

        @Override
        public Block stem(SearchSpace s) {
            return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                    .setFilters(s.stem().channels()).build();
        }

        @Override
        public Block head(SearchSpace s) {
            return new SequentialBlock().add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock())
                    .add(Linear.builder().setUnits(s.head().classes()).build()).add(Activation.reluBlock());
        }
    };

    @Test
    void measuresEveryEntryAndTheFixedPart() {
        SearchSpace s = tiny();
        List<String> events = new ArrayList<>();
        Progress p = new Progress() {
            @Override
            public void start(String task, long total) {
                events.add("start " + total);
            }

            @Override
            public void update(long done, String status) {
                events.add("update " + done);
            }

            @Override
            public void finish(String summary) {
                events.add("finish");
            }
        };
        Lut lut = LutMeasurer.measure(s, PLAIN, new MeasureConfig(1, 1, 2, 3, "unit"), p);
        assertEquals("unit-2layer", lut.space());
        assertEquals(2 * 3, lut.entries().size());
        assertEquals(List.of("stem", "head"), List.copyOf(lut.fixedBreakdownMs().keySet()));
        assertEquals(lut.fixedBreakdownMs().get("stem") + lut.fixedBreakdownMs().get("head"), lut.fixedMs(), 1e-12);
        for (LutEntry e : lut.entries()) {
            assertEquals(3, e.count());
            assertTrue(e.medianMs() > 0 && e.medianMs() < 1000, e.toString());
        }
        DeviceRecord d = lut.device();
        assertEquals(DeviceRecord.Source.MEASURED, d.source());
        assertEquals("unit", d.name());
        assertEquals(1, d.threads());
        assertEquals(1, d.batch());
        assertTrue(d.runtime().contains("DJL") && d.runtime().contains("PyTorch"), d.runtime());
        assertNotNull(d.date());
        assertEquals("start 5", events.get(0)); // 2 warm-up + 3 timed rounds
        assertEquals("update 5", events.get(events.size() - 2));
        assertEquals("finish", events.get(events.size() - 1));
        // identity skip (layer 0: 4 -> 4, stride 1) costs far less than a 3x3 conv... usually; only check it ran
        assertTrue(lut.entry(0, "skip").medianMs() >= 0);
    }

    @Test
    void cpuClockNeedsOneThread() {
        SearchSpace s = tiny();
        Lut lut = LutMeasurer.measure(s, PLAIN, new MeasureConfig(1, 1, 1, 3, "unit", MeasureConfig.Clock.CPU),
                Progress.NONE);
        assertTrue(lut.device().runtime().contains("thread CPU time"), lut.device().runtime());
        for (LutEntry e : lut.entries()) {
            assertTrue(e.medianMs() >= 0 && e.medianMs() < 1000, e.toString());
        }
        io.hwnas.core.HwnasException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.hwnas.core.HwnasException.class,
                () -> new MeasureConfig(2, 1, 1, 3, null, MeasureConfig.Clock.CPU));
        assertTrue(e.getMessage().contains("threads") && e.getMessage().contains("2"), e.getMessage());
    }

    @Test
    void timingStatistics() {
        Timing t = Timing.of(new double[] {3, 1, 2, 10});
        assertEquals(2.5, t.medianMs());
        assertEquals(4, t.meanMs());
        assertEquals(Math.sqrt((1 + 9 + 4 + 36) / 3.0), t.stdMs(), 1e-12);
        assertEquals(4, t.count());
        assertEquals(2, Timing.of(new double[] {5, 2, 1}).medianMs());
    }

    @Test
    void validationComparesPredictionWithWholeNetworks() {
        SearchSpace s = tiny();
        MeasureConfig cfg = new MeasureConfig(1, 1, 2, 3, "unit");
        Lut lut = LutMeasurer.measure(s, PLAIN, cfg, Progress.NONE);
        LutValidation.Result r = LutValidation.validate(LatencyModels.of(lut, s, "test"), PLAIN, cfg, 3, 42, Progress.NONE);
        assertEquals(3, r.rows().size());
        assertEquals(LutValidation.randomArchs(s, 3, 42).get(1).canonical(), r.rows().get(1).arch());
        for (LutValidation.Row row : r.rows()) {
            assertTrue(row.measuredMs() > 0, row.toString());
            assertEquals((row.predictedMs() - row.measuredMs()) / row.measuredMs() * 100, row.errorPct(), 1e-9);
        }
        assertTrue(Double.isFinite(r.meanAbsErrorPct()));
    }

    @Test
    void kendallTau() {
        List<LutValidation.Row> rows = List.of(new LutValidation.Row("a", 1, 10, 0), new LutValidation.Row("b", 2, 20, 0),
                new LutValidation.Row("c", 3, 15, 0));
        assertEquals(1.0 / 3, LutValidation.kendallTau(rows), 1e-12);
    }
}
