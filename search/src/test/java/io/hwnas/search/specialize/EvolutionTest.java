package io.hwnas.search.specialize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LutModel;
import io.hwnas.supernet.space.SearchSpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvolutionTest {

    /** The exhaustive best of the small problem under a budget. */
    private static int[] exhaustiveBest(Fixtures.Problem p, LatencyModel lat, double budget) {
        int[] best = null;
        double bestAcc = Double.NEGATIVE_INFINITY;
        for (int[] g : p.all()) {
            if (lat.predictMs(g) <= budget && p.accuracy(g) > bestAcc) {
                bestAcc = p.accuracy(g);
                best = g;
            }
        }
        return best;
    }

    @Test
    void findsTheExhaustiveBestUnderABudgetInMostSeeds() {
        SearchSpace s = Fixtures.small();
        Fixtures.Problem p = new Fixtures.Problem(6, 5, 21);
        LutModel lat = Fixtures.lut(s, 0.5, p.latencyMs, "synthetic");
        double budget = lat.rangeMs().fastestMs() + 0.4 * (lat.rangeMs().slowestMs() - lat.rangeMs().fastestMs());
        int[] want = exhaustiveBest(p, lat, budget);
        int hits = 0;
        for (long seed = 0; seed < 10; seed++) {
            // 30 generations: about 3,000 estimates, a fifth of the 15,625 architectures
            Evolution.Result r = Evolution.underBudget(p, lat, budget, EvolutionConfig.ofa(seed).withGenerations(30));
            assertTrue(r.best().latencyMs() <= budget);
            if (Arrays.equals(want, r.best().ops())) {
                hits++;
            }
        }
        assertTrue(hits >= 8, "exhaustive best found in " + hits + "/10 seeds");
    }

    @Test
    void noCandidateOverBudgetIsEverEstimatedAndTheHistoryIsMonotone() {
        LatencyModel raspi = Fixtures.device("raspi4");
        AccuracyEstimator base = Fixtures.additive(22, 9, 1);
        double budget = 15;
        List<Double> seen = new ArrayList<>();
        AccuracyEstimator spy = ops -> {
            seen.add(raspi.predictMs(ops));
            return base.accuracy(ops);
        };
        Evolution.Result r = Evolution.underBudget(spy, raspi, budget, EvolutionConfig.ofa(3).withGenerations(60));
        assertTrue(seen.size() > 1000, "estimates: " + seen.size());
        assertEquals(seen.size(), r.accuracyEvaluations());
        for (double ms : seen) {
            assertTrue(ms <= budget, "estimated an architecture of " + ms + " ms over the budget " + budget);
        }
        assertEquals(61, r.history().size());
        for (int i = 1; i < r.history().size(); i++) {
            assertTrue(r.history().get(i).bestFitness() >= r.history().get(i - 1).bestFitness());
        }
        assertEquals(r.best().accuracy(), r.history().get(60).bestFitness(), 0);
        assertEquals(raspi.predictMs(r.best().ops()), r.best().latencyMs(), 0);
    }

    @Test
    void sameSeedSameResult() {
        LatencyModel pixel = Fixtures.device("pixel3");
        AccuracyEstimator acc = Fixtures.additive(22, 9, 2);
        EvolutionConfig cfg = EvolutionConfig.ofa(42).withGenerations(40);
        Evolution.Result a = Evolution.underBudget(acc, pixel, 9, cfg);
        Evolution.Result b = Evolution.underBudget(acc, pixel, 9, cfg);
        assertArrayEquals(a.best().ops(), b.best().ops());
        assertEquals(a.history(), b.history());
        assertEquals(a.accuracyEvaluations(), b.accuracyEvaluations());
    }

    @Test
    void searchesSharingOneMemoPickTheSameAndCountOnlyWhatEachComputed() {
        // hwnas specialize hands every target's search one memo: same picks as separate searches, and
        // each search reports the architectures it computed, not the memo's running total
        LatencyModel raspi = Fixtures.device("raspi4");
        LatencyModel pixel = Fixtures.device("pixel3");
        AccuracyEstimator base = Fixtures.additive(22, 9, 4);
        java.util.Set<String> distinct = new java.util.HashSet<>();
        int[] calls = {0};
        AccuracyEstimator counting = ops -> {
            calls[0]++;
            distinct.add(Arrays.toString(ops));
            return base.accuracy(ops);
        };
        EvolutionConfig cfg = EvolutionConfig.ofa(5).withGenerations(20);
        Evolution.Result aAlone = Evolution.underBudget(base, raspi, 15, cfg);
        Evolution.Result bAlone = Evolution.underBudget(base, pixel, 9, cfg);
        AccuracyEstimator memo = Memo.of(counting);
        Evolution.Result a = Evolution.underBudget(memo, raspi, 15, cfg);
        Evolution.Result b = Evolution.underBudget(memo, pixel, 9, cfg);
        assertArrayEquals(aAlone.best().ops(), a.best().ops());
        assertArrayEquals(bAlone.best().ops(), b.best().ops());
        assertEquals(aAlone.accuracyEvaluations(), a.accuracyEvaluations());
        assertTrue(b.accuracyEvaluations() < bAlone.accuracyEvaluations(),
                "the second search reused none of the first's values: " + b.accuracyEvaluations());
        assertEquals(calls[0], a.accuracyEvaluations() + b.accuracyEvaluations());
        assertEquals(distinct.size(), calls[0]); // no architecture was computed twice
    }

    @Test
    void unreachableBudgetIsRefused() {
        LatencyModel eyeriss = Fixtures.device("eyeriss");
        double fastest = eyeriss.rangeMs().fastestMs();
        HwnasException e = assertThrows(HwnasException.class, () -> Evolution.underBudget(
                Fixtures.additive(22, 9, 1), eyeriss, fastest - 0.01, EvolutionConfig.ofa(1).withGenerations(2)));
        assertTrue(e.getMessage().contains("unreachable latency budget"), e.getMessage());
        assertTrue(e.getMessage().contains(String.format(java.util.Locale.ROOT, "takes %.4f ms", fastest)), e.getMessage());
        assertTrue(e.getMessage().contains("eyeriss"), e.getMessage());
    }

    @Test
    void fpgaTableNearZeroBudgetsWork() {
        // the fpga table sums to about 0 ms for the fastest (all-skip) architecture: a budget of exactly
        // that is reachable, and only the fastest architectures qualify
        LatencyModel fpga = Fixtures.device("fpga");
        double fastest = fpga.rangeMs().fastestMs();
        assertTrue(Math.abs(fastest) < 1e-9, "fastest " + fastest);
        Evolution.Result r = Evolution.underBudget(Fixtures.additive(22, 9, 6), fpga, fastest,
                EvolutionConfig.ofa(1).withGenerations(5));
        assertTrue(r.best().latencyMs() <= fastest);
        Evolution.Result r2 = Evolution.underBudget(Fixtures.additive(22, 9, 6), fpga, 5,
                EvolutionConfig.ofa(1).withGenerations(40));
        assertTrue(r2.best().latencyMs() <= 5 && r2.best().accuracy() > r.best().accuracy());
    }

    @Test
    void unreachableGenericConstraintIsRefused() {
        Evolution.Constraint impossible = Evolution.Constraint.of("sum of ops >= 100", g -> 100 - Arrays.stream(g).sum());
        HwnasException e = assertThrows(HwnasException.class,
                () -> Evolution.maximize(new int[] {3, 3}, gs -> new double[gs.length], impossible,
                        EvolutionConfig.ofa(0).withGenerations(1)));
        assertTrue(e.getMessage().contains("sum of ops >= 100"), e.getMessage());
    }
}
