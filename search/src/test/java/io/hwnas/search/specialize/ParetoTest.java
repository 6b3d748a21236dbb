package io.hwnas.search.specialize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParetoTest {

    private static Candidate c(double lat, double acc) {
        return new Candidate(new int[] {0}, acc, new double[] {lat});
    }

    @Test
    void dominationIsStrictInOneObjective() {
        assertTrue(Pareto.dominates(new double[] {1, 2}, new double[] {1, 3}));
        assertFalse(Pareto.dominates(new double[] {1, 3}, new double[] {1, 3}));
        assertFalse(Pareto.dominates(new double[] {0, 4}, new double[] {1, 3}));
    }

    @Test
    void frontOfASetDropsDominatedPointsAndSortsByLatency() {
        List<Candidate> pts = List.of(c(3, 0.6), c(1, 0.5), c(4, 0.9), c(2, 0.7), c(2.5, 0.7), c(5, 0.85));
        List<Candidate> f = Pareto.front(pts);
        assertEquals(List.of(c(1, 0.5), c(2, 0.7), c(4, 0.9)), f);
    }

    @Test
    void hypervolumeMatchesTheHandComputedArea() {
        // staircase: 0.5·(5−1) + (0.7−0.5)·(5−2) + (0.9−0.7)·(5−4) = 2 + 0.6 + 0.2
        List<Candidate> pts = List.of(c(1, 0.5), c(2, 0.7), c(3, 0.6), c(4, 0.9));
        assertEquals(2.8, Pareto.hypervolume2d(pts, 0, 5), 1e-12);
        // points beyond the reference count for nothing; a dominated point adds nothing
        assertEquals(2.8, Pareto.hypervolume2d(List.of(c(1, 0.5), c(2, 0.7), c(4, 0.9), c(6, 1.0), c(3, -1)), 0, 5),
                1e-12);
        assertEquals(0, Pareto.hypervolume2d(List.of(), 0, 5));
        // negative latencies (offset tables) are fine: only differences matter
        assertEquals(2.8, Pareto.hypervolume2d(List.of(c(-9, 0.5), c(-8, 0.7), c(-6, 0.9)), 0, -5), 1e-12);
    }

    @Test
    void frontIndicesKeepsEqualPoints() {
        assertArrayEquals(new int[] {0, 1, 3}, Pareto.frontIndices(new double[][] {{1, 1}, {1, 1}, {2, 2}, {0, 3}}));
    }

    @Test
    void kendallTauAndRmse() {
        double[] a = {1, 2, 3, 4};
        assertEquals(1, Stats.kendallTau(a, new double[] {10, 20, 30, 40}), 1e-12);
        assertEquals(-1, Stats.kendallTau(a, new double[] {4, 3, 2, 1}), 1e-12);
        // 6 pairs: one discordant (3,4 swapped) → (5 − 1) / 6
        assertEquals(4.0 / 6, Stats.kendallTau(a, new double[] {1, 2, 4, 3}), 1e-12);
        assertEquals(Math.sqrt(0.5), Stats.rmse(new double[] {1, 2}, new double[] {2, 2}), 1e-12);
    }
}
