package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.Json;
import io.hwnas.core.SharedData;
import io.hwnas.latency.HelpData;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyFitCommandTest {
    @TempDir
    static Path dir;
    static Path help;
    static Path lutModel;
    static SearchSpace space;

    @BeforeAll
    static void fitOne() {
        help = SharedData.data(HelpData.DEFAULT);
        space = SpaceRegistry.get("fbnet-cifar");
        lutModel = dir.resolve("gold-lut.json");
        CliRun r = CliRun.of("latency", "fit", "--data", help.toString(), "--target", "gold_6226_ms", "--model", "lut",
                "--space", "fbnet-cifar", "--samples", "1000", "--seed", "3", "-o", lutModel.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("wrote " + lutModel) && r.out().contains("lut-fit"), r.out());
        assertTrue(r.out().contains("held-out (") && r.out().contains("rows not fitted): MAPE "), r.out());
    }

    /** --samples below the file's rows scores the fit on rows it did not see; the figures are those of Agreement. */
    @Test
    void heldOutRowsScoreTheFit() throws Exception {
        Path out = dir.resolve("held.json");
        CliRun r = CliRun.of("latency", "fit", "--data", help.toString(), "--target", "gold_6226_ms", "--model", "lut",
                "--space", "fbnet-cifar", "--samples", "1000", "--seed", "3", "-o", out.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode h = Json.mapper().readTree(r.out()).get("held_out");
        HelpData d = HelpData.read(help);
        int n = d.column("gold_6226_ms").length;
        int rows = Math.min(n - 1000, 5000);
        assertEquals(rows, h.get("rows").asInt());
        int[] perm = io.hwnas.latency.predict.TrainingSet.permutation(n, 3);
        LatencyModel m = LatencyModels.read(out, space);
        double[] pred = new double[rows];
        double[] want = new double[rows];
        for (int i = 0; i < rows; i++) {
            pred[i] = m.predictMs(d.arch(perm[1000 + i], space));
            want[i] = d.column("gold_6226_ms")[perm[1000 + i]];
        }
        var s = io.hwnas.latency.Agreement.of(pred, want);
        assertEquals(s.mapePct(), h.get("mape_pct").asDouble(), 1e-9);
        assertEquals(s.kendallTau(), h.get("kendall_tau").asDouble(), 1e-12);
        assertTrue(s.mapePct() < 10 && s.kendallTau() > 0.8, h.toString()); // a least-squares LUT of a CPU fits well
        // fewer rows than a LUT's unknowns: warned
        int unknowns = space.layerCount() * (space.ops().size() - 1) + 1;
        r = CliRun.of("latency", "fit", "--data", help.toString(), "--target", "gold_6226_ms", "--model", "lut",
                "--space", "fbnet-cifar", "--samples", "50", "-o", dir.resolve("few.json").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("hwnas: warning: 50 rows for the " + unknowns + " unknowns of a LUT of fbnet-cifar:"
                + " the fit is underdetermined"), r.toString());
        // every row fitted: no score, and the text says how to get one
        Path small = dir.resolve("small.csv");
        List<String> lines = Files.readAllLines(help).subList(0, 301);
        Files.write(small, lines);
        r = CliRun.of("latency", "fit", "--data", small.toString(), "--target", "gold_6226_ms", "--model", "flops",
                "--space", "fbnet-cifar", "-o", dir.resolve("all.json").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("no held-out score: every row of small.csv was fitted (give --samples N of at most 290"),
                r.out());
    }

    @Test
    void fittedLutPredictsHelpArchitecturesAndAListOfThem() throws Exception {
        HelpData h = HelpData.read(help);
        double[] want = h.column("gold_6226_ms");
        Path list = dir.resolve("archs.txt");
        Files.writeString(list, "# three HELP architectures\n" + h.ops(4000) + "\n\n" + h.ops(4001) + "\n" + h.ops(4002)
                + "\n");
        CliRun r = CliRun.of("latency", "--lut", lutModel.toString(), "--arch-list", list.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.mapper().readTree(r.out());
        assertEquals(3, j.size());
        LatencyModel m = LatencyModels.read(lutModel, space);
        for (int i = 0; i < 3; i++) {
            assertEquals(h.ops(4000 + i), j.get(i).get("arch").asText());
            double ms = j.get(i).get("latency_ms").asDouble();
            assertEquals(m.predictMs(h.arch(4000 + i, space)), ms, 1e-9);
            assertEquals(want[4000 + i], ms, 0.1 * want[4000 + i]); // a fitted LUT of a CPU: within 10 %
        }
        CliRun text = CliRun.of("latency", "--lut", lutModel.toString(), "--arch-list", list.toString());
        assertEquals(0, text.code(), text.toString());
        assertEquals(3, text.out().split("\n").length, text.out());
        CliRun one = CliRun.of("latency", "--lut", lutModel.toString(), "--arch", h.ops(7), "--json");
        assertEquals(0, one.code(), one.toString());
        JsonNode o = Json.mapper().readTree(one.out());
        assertEquals("gold_6226", o.get("device").asText());
        assertEquals("estimated", o.get("source").asText());
    }

    @Test
    void everyKindFitsAndPredictsThroughTheCli() throws Exception {
        for (String kind : List.of("flops", "xgboost")) {
            Path out = dir.resolve(kind + ".json");
            CliRun r = CliRun.of("latency", "fit", "--data", help.toString(), "--target", "2080ti_1_ms", "--model", kind,
                    "--space", "fbnet-cifar", "--samples", "200", "-o", out.toString(), "--json");
            assertEquals(0, r.code(), r.toString());
            JsonNode j = Json.mapper().readTree(r.out());
            assertEquals(kind, j.get("kind").asText());
            assertEquals(200, j.get("training_samples").asInt());
            assertEquals(kind.equals("flops"), j.get("differentiable").asBoolean());
            CliRun p = CliRun.of("latency", "--lut", out.toString(), "--arch", HelpData.read(help).ops(0), "--json");
            assertEquals(0, p.code(), p.toString());
            assertTrue(Json.mapper().readTree(p.out()).get("latency_ms").asDouble() > 0);
        }
    }

    @Test
    void badInputIsOneLineExitTwoAndNothingWritten() throws Exception {
        Path out = dir.resolve("never.json");
        CliRun r = CliRun.of("latency", "fit", "--data", help.toString(), "--target", "tpu_ms", "--model", "lut",
                "--space", "fbnet-cifar", "-o", out.toString());
        assertTrue(r.userError() && r.err().contains(help.toString()) && r.err().contains("tpu_ms"), r.toString());
        Path csv = dir.resolve("bad.csv");
        List<String> lines = Files.readAllLines(help).subList(0, 30);
        lines = new java.util.ArrayList<>(lines);
        lines.set(5, lines.get(5).replaceFirst(",[0-9.]+$", ",n/a"));
        Files.write(csv, lines);
        r = CliRun.of("latency", "fit", "--data", csv.toString(), "--target", "titanxp_64_ms", "--model", "lut",
                "--space", "fbnet-cifar", "-o", out.toString());
        assertTrue(r.userError() && r.err().contains("line 6") && r.err().contains("'titanxp_64_ms'")
                && r.err().contains("n/a"), r.toString());
        r = CliRun.of("latency", "fit", "--data", help.toString(), "--target", "gold_6226_ms", "--model", "mlp",
                "--space", "fbnet-cifar", "--samples", "5", "-o", out.toString());
        assertTrue(r.userError() && r.err().contains("5 training sample(s)") && r.err().contains("at least 10"),
                r.toString());
        r = CliRun.of("latency", "fit", "--data", help.toString(), "--target", "gold_6226_ms", "--model", "lut",
                "--space", "fbnet-cifar-tiny", "-o", out.toString());
        assertTrue(r.userError() && r.err().contains("line 2") && r.err().contains("'ops'")
                && r.err().contains("fbnet-cifar-tiny"), r.toString());
        r = CliRun.of("latency", "fit", "--data", help.toString(), "--target", "gold_6226_ms", "--model", "forest",
                "--space", "fbnet-cifar", "-o", out.toString());
        assertTrue(r.userError() && r.err().contains("forest"), r.toString());
        // a least-squares LUT from 300 rows has a negative fixed part here: written (it predicts the data's kind of
        // architecture), with a warning that it cannot be a training or specialization LUT
        Path neg = dir.resolve("neg.json");
        r = CliRun.of("latency", "fit", "--data", help.toString(), "--target", "gold_6226_ms", "--model", "lut",
                "--space", "fbnet-cifar", "--samples", "300", "-o", neg.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("hwnas: warning: the fitted lut model predicts -") && r.err().contains("over fbnet-cifar")
                && r.err().contains("--samples, now 300 of "), r.toString());
        assertTrue(Json.mapper().readTree(r.out()).get("warning").asText().contains("cannot be the LUT of a training"),
                r.out());
        assertFalse(Files.exists(out));
        // a model of another space
        r = CliRun.of("latency", "--lut", lutModel.toString(), "--space", "fbnet-cifar-tiny", "--arch",
                "skip skip skip skip skip skip skip");
        assertTrue(r.userError() && r.err().contains(lutModel.toString()) && r.err().contains("fbnet-cifar-tiny"),
                r.toString());
        r = CliRun.of("latency", "--lut", lutModel.toString());
        assertTrue(r.userError() && r.err().contains("--arch-list"), r.toString());
    }
}
