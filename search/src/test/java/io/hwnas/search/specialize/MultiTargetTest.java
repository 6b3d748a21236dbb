package io.hwnas.search.specialize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LutModel;
import io.hwnas.supernet.space.SearchSpace;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultiTargetTest {
    private final SearchSpace space = Fixtures.small();
    private final Fixtures.Problem problem = new Fixtures.Problem(6, 5, 31);
    // a second device that favours other ops: the first table reversed per layer, plus noise
    private final LutModel devA = Fixtures.lut(space, 0.5, problem.latencyMs, "devA");
    private final LutModel devB = Fixtures.lut(space, 0.2, reversed(problem.latencyMs), "devB");

    private static double[][] reversed(double[][] t) {
        double[][] r = new double[t.length][];
        for (int l = 0; l < t.length; l++) {
            r[l] = new double[t[l].length];
            for (int k = 0; k < t[l].length; k++) {
                r[l][k] = 0.5 * t[l][t[l].length - 1 - k] + 0.05 * k;
            }
        }
        return r;
    }

    private static double mid(LatencyModel m, double frac) {
        return m.rangeMs().fastestMs() + frac * (m.rangeMs().slowestMs() - m.rangeMs().fastestMs());
    }

    @Test
    void bestUnderEveryBudgetMatchesTheExhaustiveBest() {
        List<Target> targets = List.of(new Target("A", devA, mid(devA, 0.5)), new Target("B", devB, mid(devB, 0.5)));
        int[] want = null;
        double wantAcc = Double.NEGATIVE_INFINITY;
        for (int[] g : problem.all()) {
            if (MultiTarget.excess(targets, g) == 0 && problem.accuracy(g) > wantAcc) {
                wantAcc = problem.accuracy(g);
                want = g;
            }
        }
        MultiTarget.Result r = MultiTarget.bestUnderAllBudgets(problem, targets, EvolutionConfig.ofa(4).withGenerations(40));
        assertArrayEquals(want, r.best().ops());
        assertEquals(wantAcc, r.objective(), 0);
        assertTrue(r.best().latenciesMs()[0] <= targets.get(0).budgetMs());
        assertTrue(r.best().latenciesMs()[1] <= targets.get(1).budgetMs());
        assertEquals(List.of("A", "B"), r.targets());
    }

    @Test
    void everyRealDeviceBudgetIsRespected() {
        List<Target> targets = List.of(new Target("raspi4", Fixtures.device("raspi4"), 20),
                new Target("pixel3", Fixtures.device("pixel3"), 10), new Target("eyeriss", Fixtures.device("eyeriss"), 4),
                new Target("fpga", Fixtures.device("fpga"), 15));
        MultiTarget.Result r = MultiTarget.bestUnderAllBudgets(Fixtures.additive(22, 9, 8), targets,
                EvolutionConfig.ofa(1).withGenerations(50));
        for (int t = 0; t < targets.size(); t++) {
            assertTrue(r.best().latenciesMs()[t] <= targets.get(t).budgetMs(), targets.get(t).label() + ": "
                    + r.best().latenciesMs()[t]);
        }
    }

    @Test
    void aBudgetBelowOneTargetsFastestIsRefused() {
        LatencyModel eyeriss = Fixtures.device("eyeriss");
        List<Target> targets = List.of(new Target("raspi4", Fixtures.device("raspi4"), 20),
                new Target("eyeriss", eyeriss, 2.0));
        HwnasException e = assertThrows(HwnasException.class, () -> MultiTarget.bestUnderAllBudgets(
                Fixtures.additive(22, 9, 8), targets, EvolutionConfig.ofa(1).withGenerations(2)));
        assertTrue(e.getMessage().contains("targets[1].budget_ms (eyeriss)") && e.getMessage().contains("unreachable"),
                e.getMessage());
    }

    @Test
    void smallestWorstRatioAboveAnAccuracyFloorMatchesTheExhaustiveOptimum() {
        List<Target> targets = List.of(new Target("A", devA, mid(devA, 0.3)), new Target("B", devB, mid(devB, 0.3)));
        double[] accs = problem.all().stream().mapToDouble(problem::accuracy).sorted().toArray();
        double floor = accs[(int) (0.8 * accs.length)];
        int[] want = null;
        double wantRatio = Double.POSITIVE_INFINITY;
        for (int[] g : problem.all()) {
            double ratio = MultiTarget.worstRatio(targets, g);
            if (problem.accuracy(g) >= floor && ratio < wantRatio) {
                wantRatio = ratio;
                want = g;
            }
        }
        MultiTarget.Result r = MultiTarget.minimizeWorstRatio(problem, targets, floor,
                EvolutionConfig.ofa(2).withGenerations(40));
        assertTrue(r.best().accuracy() >= floor);
        assertEquals(wantRatio, r.objective(), 1e-12);
        assertArrayEquals(want, r.best().ops());
        // a floor above every architecture is refused
        HwnasException e = assertThrows(HwnasException.class, () -> MultiTarget.minimizeWorstRatio(problem, targets,
                accs[accs.length - 1] + 1, EvolutionConfig.ofa(2).withGenerations(2)));
        assertTrue(e.getMessage().contains("accuracy >= "), e.getMessage());
    }

    @Test
    void coSearchFindsTheBestArchitectureAndSettingPair() {
        // one device, three settings: 1 thread (slow), 2 threads (faster), int8 (fastest, less accurate)
        double[][] t1 = problem.latencyMs;
        double[][] t2 = scale(t1, 0.6);
        double[][] t8 = scale(t1, 0.45);
        AccuracyEstimator int8 = g -> problem.accuracy(g) - 0.35;
        List<CoSearch.Setting> settings = List.of(
                new CoSearch.Setting("threads=1", Fixtures.lut(space, 0.5, t1, "t1"), problem),
                new CoSearch.Setting("threads=2", Fixtures.lut(space, 0.4, t2, "t2"), problem),
                new CoSearch.Setting("int8", Fixtures.lut(space, 0.3, t8, "t8"), int8));
        double budget = mid(settings.get(1).model(), 0.35);
        String wantSetting = null;
        double wantAcc = Double.NEGATIVE_INFINITY;
        for (CoSearch.Setting s : settings) {
            for (int[] g : problem.all()) {
                double a = s.accuracy().accuracy(g);
                if (s.model().predictMs(g) <= budget && a > wantAcc) {
                    wantAcc = a;
                    wantSetting = s.label();
                }
            }
        }
        CoSearch.Result per = CoSearch.perSetting(settings, budget, EvolutionConfig.ofa(5));
        assertEquals(wantSetting, per.setting());
        assertEquals(wantAcc, per.best().accuracy(), 1e-12);
        assertEquals(3, per.perSetting().size());
        // the joint genome is the weaker search (see CoSearch): most seeds, not all
        int hits = 0;
        for (long seed = 0; seed < 5; seed++) {
            CoSearch.Result joint = CoSearch.joint(settings, budget, EvolutionConfig.ofa(seed).withGenerations(200));
            assertTrue(joint.best().latencyMs() <= budget);
            assertEquals(joint.best().latencyMs(),
                    settings.get(joint.settingIndex()).model().predictMs(joint.best().ops()), 0);
            if (joint.setting().equals(wantSetting) && joint.best().accuracy() == wantAcc) {
                hits++;
            }
        }
        assertTrue(hits >= 3, "joint co-search found the best pair in " + hits + "/5 seeds");

        // a budget only the faster settings reach: the slow one is reported, not an error
        double tight = settings.get(0).model().rangeMs().fastestMs() - 0.01;
        CoSearch.Result r = CoSearch.perSetting(settings, tight, EvolutionConfig.ofa(5).withGenerations(5));
        assertNull(r.perSetting().get(0).best());
        assertTrue(r.perSetting().get(0).unreachable().contains("below the fastest"));
        double none = settings.get(2).model().rangeMs().fastestMs() - 0.01;
        assertThrows(HwnasException.class, () -> CoSearch.perSetting(settings, none, EvolutionConfig.ofa(5)));
    }

    private static double[][] scale(double[][] t, double f) {
        double[][] r = new double[t.length][];
        for (int l = 0; l < t.length; l++) {
            r[l] = new double[t[l].length];
            for (int k = 0; k < t[l].length; k++) {
                r[l][k] = f * t[l][k];
            }
        }
        return r;
    }
}
