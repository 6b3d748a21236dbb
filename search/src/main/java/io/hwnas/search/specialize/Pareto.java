package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Pareto utilities. Objective vectors are minimized ({@code double[m]} per point); a
 * {@link Candidate} maps to {@code (-accuracy, latency_1, ..., latency_k)}.
 */
public final class Pareto {
    private Pareto() {}

    /** Whether {@code a} dominates {@code b}: no worse in every objective, better in one (minimizing). */
    public static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) {
                return false;
            }
            if (a[i] < b[i]) {
                better = true;
            }
        }
        return better;
    }

    /** The minimized objectives of a candidate: {@code (-accuracy, latencies...)}. */
    public static double[] objectives(Candidate c) {
        double[] lat = c.latenciesMs();
        double[] o = new double[lat.length + 1];
        o[0] = -c.accuracy();
        System.arraycopy(lat, 0, o, 1, lat.length);
        return o;
    }

    /**
     * Indices (ascending) of the points no other point dominates; equal points are all kept. Points are
     * visited in lexicographic order, where a dominator always comes first, and each is compared with
     * the points kept so far only (a dropped dominator is itself dominated by a kept one): O(n·front).
     */
    public static int[] frontIndices(double[][] objs) {
        Integer[] order = new Integer[objs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Arrays.compare(objs[x], objs[y]));
        List<Integer> keep = new ArrayList<>();
        for (int i : order) {
            boolean dominated = false;
            for (int k = 0; k < keep.size() && !dominated; k++) {
                dominated = dominates(objs[keep.get(k)], objs[i]);
            }
            if (!dominated) {
                keep.add(i);
            }
        }
        return keep.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** The non-dominated candidates (accuracy up, every latency down), sorted by first latency. */
    public static List<Candidate> front(List<Candidate> cands) {
        double[][] o = cands.stream().map(Pareto::objectives).toArray(double[][]::new);
        List<Candidate> f = new ArrayList<>();
        for (int i : frontIndices(o)) {
            f.add(cands.get(i));
        }
        f.sort(Comparator.comparingDouble(Candidate::latencyMs).thenComparing(c -> -c.accuracy()));
        return f;
    }

    /**
     * The 2-D hypervolume (area) dominated by the points and bounded by the reference point
     * {@code (refAccuracy, refLatencyMs)}: the region of accuracy in [refAccuracy, acc] and latency in
     * [lat, refLatencyMs] covered by some point. Points beyond the reference contribute nothing.
     * Latency is each candidate's first latency.
     */
    public static double hypervolume2d(List<Candidate> points, double refAccuracy, double refLatencyMs) {
        double[][] p = new double[points.size()][];
        for (int i = 0; i < p.length; i++) {
            p[i] = new double[] {points.get(i).latencyMs(), points.get(i).accuracy()};
        }
        return hypervolume2d(p, refAccuracy, refLatencyMs);
    }

    /** As {@link #hypervolume2d(List, double, double)} for {@code (latencyMs, accuracy)} pairs. */
    public static double hypervolume2d(double[][] latencyAccuracy, double refAccuracy, double refLatencyMs) {
        HwnasException.require(Double.isFinite(refAccuracy) && Double.isFinite(refLatencyMs), "reference",
                refAccuracy + ", " + refLatencyMs, "must be finite");
        double[][] p = Arrays.stream(latencyAccuracy).filter(x -> x[0] < refLatencyMs && x[1] > refAccuracy)
                .sorted(Comparator.<double[]>comparingDouble(x -> x[0]).thenComparingDouble(x -> -x[1]))
                .toArray(double[][]::new);
        double area = 0;
        double level = refAccuracy; // highest accuracy reached by a faster point so far
        for (double[] x : p) {
            if (x[1] > level) {
                area += (x[1] - level) * (refLatencyMs - x[0]);
                level = x[1];
            }
        }
        return area;
    }
}
