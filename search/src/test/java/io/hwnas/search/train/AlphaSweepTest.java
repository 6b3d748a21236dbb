package io.hwnas.search.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.supernet.util.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The latency term works: the same run (fbnet-fmnist-tiny, the measured example LUT of this
 * project's VM) with α = 0 and with growing latency pressure gives θ that favours cheaper ops.
 * Prints a table. Slow (several minutes): {@code -Dhwnas.test.excluded=gpu -Dtest=AlphaSweepTest}.
 */
@Tag("slow")
class AlphaSweepTest {
    @TempDir
    Path tmp;

    record Row(String name, double alpha, double beta, TrainResult r, double expectedMs, double skipProb) {}

    @Test
    void latencyPressureMovesThetaToCheaperOps() {
        SearchSpace space = SpaceRegistry.get("fbnet-fmnist-tiny");
        Path lut = Path.of(System.getProperty("hwnas.root", "..")).resolve("latency/luts/fbnet-fmnist-tiny-vm-1t-cpu.json");
        String epochs = System.getProperty("sweep.epochs", "7");
        String subset = System.getProperty("sweep.subset", "2000");
        TrainConfig base = TrainConfig.parse("sweep", "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\","
                + " \"lut\": \"" + lut + "\", \"epochs\": " + epochs + ", \"warmup_epochs\": 2, \"batch_size\": 32,"
                + " \"train_subset\": " + subset + ", \"weight_lr\": 0.05, \"theta_lr\": 0.05, \"seed\": 1}");
        double[][] settings = {{0, 0.6}, {0.2, 0.6}, {1.0, 0.6}, {0.2, 1.5}, {0.2, 3.0}};
        List<Row> rows = new ArrayList<>();
        LatencyTerm term = SupernetTrainer.latencyTerm(base, space);
        int skip = space.opIndex("skip");
        for (double[] ab : settings) {
            String name = "a" + ab[0] + "-b" + ab[1];
            TrainConfig c = base.with("alpha", ab[0]).with("beta", ab[1]);
            TrainResult r = SupernetTrainer.start(c, tmp.resolve(name), Progress.NONE, SupernetTrainer.Stopper.NEVER);
            double p = 0;
            for (float[] row : r.probabilities()) {
                p += row[skip];
            }
            rows.add(new Row(name, ab[0], ab[1], r, term.expectedMs(r.probabilities()), p / r.probabilities().length));
        }
        System.out.printf("LUT %s (unit %s, fastest %.3f ms, slowest %.3f ms)%n", lut, term.unit(), term.fastestMs(),
                term.slowestMs());
        System.out.printf("%-6s %-5s %-14s %-14s %-10s %s%n", "alpha", "beta", "argmax ms", "E[lat] ms", "P(skip)",
                "argmax");
        for (Row w : rows) {
            System.out.printf("%-6.2f %-5.2f %-14.4f %-14.4f %-10.4f %s%n", w.alpha(), w.beta(), w.r().argmaxLatencyMs(),
                    w.expectedMs(), w.skipProb(), w.r().argmax().canonical());
        }
        Row plain = rows.get(0);
        Row strongest = rows.get(rows.size() - 1);
        assertTrue(strongest.r().argmaxLatencyMs() <= 0.8 * plain.r().argmaxLatencyMs(),
                "latency term did not cut the argmax latency by 20 %");
        // more pressure (β up at α = 0.2), lower expected latency
        assertTrue(rows.get(1).expectedMs() < plain.expectedMs());
        assertTrue(rows.get(3).expectedMs() < rows.get(1).expectedMs());
        assertTrue(rows.get(4).expectedMs() < rows.get(3).expectedMs());
    }
}
