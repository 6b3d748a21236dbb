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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Nsga2Test {
    // minimized pairs: A B C H form the first front; D, E the second; F the third; G the fourth
    private static final double[][] SET = {
        {1, 5}, // 0 A
        {2, 3}, // 1 B
        {3, 1}, // 2 C
        {2, 5}, // 3 D: dominated by A only
        {3, 4}, // 4 E: dominated by B (and H)
        {4, 4}, // 5 F: dominated by B, E
        {5, 5}, // 6 G: dominated by everything above
        {1.5, 4}, // 7 H
    };

    @Test
    void fastNonDominatedSortFindsTheHandComputedFronts() {
        List<int[]> fronts = Nsga2.nonDominatedSort(SET);
        assertEquals(4, fronts.size());
        assertArrayEquals(new int[] {0, 1, 2, 7}, fronts.get(0));
        assertArrayEquals(new int[] {3, 4}, fronts.get(1));
        assertArrayEquals(new int[] {5}, fronts.get(2));
        assertArrayEquals(new int[] {6}, fronts.get(3));
    }

    @Test
    void crowdingDistanceMatchesTheHandComputation() {
        // objective 1 sorted A(1) H(1.5) B(2) C(3), range 2: H += (2−1)/2, B += (3−1.5)/2
        // objective 2 sorted C(1) B(3) H(4) A(5), range 4: B += (4−1)/4, H += (5−3)/4
        double[] d = Nsga2.crowdingDistance(SET, new int[] {0, 1, 2, 7});
        assertEquals(Double.POSITIVE_INFINITY, d[0]);
        assertEquals(0.75 + 0.75, d[1], 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, d[2]);
        assertEquals(0.5 + 0.5, d[3], 1e-12);
    }

    @Test
    void selectionFillsByFrontThenCrowding() {
        // 3 of the first front: the two extremes (infinite distance), then B (1.5) before H (1.0)
        assertArrayEquals(new int[] {0, 2, 1}, Nsga2.select(SET, 3));
        assertArrayEquals(new int[] {0, 1, 2, 7, 3, 4}, Nsga2.select(SET, 6));
    }

    @Test
    void reproducesTheHandComputedFrontOfASmallSet() {
        // 2 genes x 3 choices; objectives (minimized) listed per genome g0*3+g1
        double[][] table = {
            {5, 1}, {4, 2}, {4.5, 2.5}, // (0,0) front, (0,1) front, (0,2) dominated by (0,1)
            {3, 3}, {3, 4}, {2, 6}, // (1,0) front, (1,1) dominated by (1,0), (1,2) front
            {1, 8}, {2, 7}, {1, 9}, // (2,0) front, (2,1) dominated by (1,2), (2,2) dominated by (2,0)
        };
        Nsga2.Objectives obj = gs -> Arrays.stream(gs).map(g -> table[g[0] * 3 + g[1]].clone())
                .toArray(double[][]::new);
        Nsga2.Run r = Nsga2.minimize(new int[] {3, 3}, obj, Nsga2Config.defaults(3).withPopulation(6).withGenerations(20));
        Set<Integer> got = new HashSet<>();
        for (int[] g : r.genomes()) {
            got.add(g[0] * 3 + g[1]);
        }
        assertEquals(Set.of(0, 1, 3, 5, 6), got);
    }

    @Test
    void frontReachesTheExhaustiveHypervolume() {
        SearchSpace s = Fixtures.small();
        Fixtures.Problem p = new Fixtures.Problem(6, 5, 11);
        LutModel lat = Fixtures.lut(s, 0.5, p.latencyMs, "synthetic");
        List<Candidate> all = new ArrayList<>();
        for (int[] g : p.all()) {
            all.add(new Candidate(g, p.accuracy(g), new double[] {lat.predictMs(g)}));
        }
        List<Candidate> exhaustive = Pareto.front(all);
        double refAcc = all.stream().mapToDouble(Candidate::accuracy).min().orElseThrow();
        double refLat = lat.rangeMs().slowestMs();
        double best = Pareto.hypervolume2d(exhaustive, refAcc, refLat);
        Nsga2.Result r = Nsga2.search(p, List.of(lat), Nsga2Config.defaults(5));
        double got = Pareto.hypervolume2d(r.front(), refAcc, refLat);
        assertTrue(got >= 0.98 * best, "hypervolume " + got + " of exhaustive " + best + " (front " + r.front().size()
                + " vs " + exhaustive.size() + " points)");
        assertTrue(got <= best + 1e-9);
        // the front is non-dominated and its values are the estimator's and the LUT's
        assertEquals(r.front(), Pareto.front(r.front()));
        for (Candidate c : r.front()) {
            assertEquals(p.accuracy(c.ops()), c.accuracy(), 0);
            assertEquals(lat.predictMs(c.ops()), c.latencyMs(), 0);
        }
    }

    @Test
    void sameSeedSameFrontAndPickRespectsTheBudget() {
        LatencyModel raspi = Fixtures.device("raspi4");
        AccuracyEstimator acc = Fixtures.additive(22, 9, 4);
        Nsga2Config cfg = Nsga2Config.defaults(9).withGenerations(30);
        Nsga2.Result a = Nsga2.search(acc, List.of(raspi), cfg);
        Nsga2.Result b = Nsga2.search(acc, List.of(raspi), cfg);
        assertEquals(a.front(), b.front());
        for (double budget : new double[] {12, 20, 35}) {
            Candidate c = Nsga2.pick(a.front(), budget);
            assertTrue(c.latencyMs() <= budget);
            for (Candidate o : a.front()) {
                assertTrue(o.latencyMs() > budget || o.accuracy() <= c.accuracy());
            }
        }
        double fastest = a.front().stream().mapToDouble(Candidate::latencyMs).min().orElseThrow();
        HwnasException e = assertThrows(HwnasException.class, () -> Nsga2.pick(a.front(), fastest - 0.001));
        assertTrue(e.getMessage().contains("no architecture of the NSGA-II front") && e.getMessage().contains(
                String.format(java.util.Locale.ROOT, "the fastest takes %.4f ms; raise the budget", fastest)), e.getMessage());
    }

    @Test
    void severalLatencyModelsAtOnceIncludingNearZeroFpga() {
        LatencyModel pixel = Fixtures.device("pixel3");
        LatencyModel fpga = Fixtures.device("fpga");
        AccuracyEstimator acc = Fixtures.additive(22, 9, 5);
        Nsga2.Result r = Nsga2.search(acc, List.of(pixel, fpga), Nsga2Config.defaults(2).withGenerations(20));
        assertTrue(r.front().size() > 5);
        for (Candidate c : r.front()) {
            assertEquals(2, c.latenciesMs().length);
            assertEquals(fpga.predictMs(c.ops()), c.latenciesMs()[1], 0);
        }
        double[] budgets = {10, 8};
        Candidate c = Nsga2.pick(r.front(), budgets);
        assertTrue(c.latenciesMs()[0] <= 10 && c.latenciesMs()[1] <= 8, c.toString());
        // mutually non-dominated in all three objectives (accuracy, pixel3, fpga)
        double[][] o = r.front().stream().map(Pareto::objectives).toArray(double[][]::new);
        assertEquals(o.length, Pareto.frontIndices(o).length);
    }
}
