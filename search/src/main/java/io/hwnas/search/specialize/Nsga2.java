package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.LatencyModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * NSGA-II (Deb et al. 2002) over op-index arrays: maximize accuracy, minimize latency under one or
 * several latency models at once. Each generation: binary tournaments on (rank, crowding distance)
 * pick parents, children are uniform crossovers and per-layer mutations (duplicates of the current
 * population are redrawn a few times), parents and children are merged, sorted into non-dominated
 * fronts, and the next population is filled front by front, the last front cut by crowding
 * distance. The result is the first front of the final population. Same seed, same front.
 */
public final class Nsga2 {
    static final int DUPLICATE_TRIES = 20;

    private Nsga2() {}

    /** Objective vectors to minimize, one row per genome; called with one generation at a time. */
    @FunctionalInterface
    public interface Objectives {
        double[][] evaluate(int[][] genomes);
    }

    /** The engine's result: the final population's first front (genomes and objectives). */
    public record Run(List<int[]> genomes, List<double[]> objectives) {}

    /** The Pareto front (sorted by first latency) and how many distinct architectures were estimated. */
    public record Result(List<Candidate> front, long accuracyEvaluations) {}

    /** The accuracy/latency front under one or several latency models of one space. */
    public static Result search(AccuracyEstimator accuracy, List<LatencyModel> latency, Nsga2Config cfg) {
        HwnasException.require(latency != null && !latency.isEmpty(), "latency_models", "[]",
                "need at least one latency model");
        List<Target> asTargets = new ArrayList<>();
        for (int i = 0; i < latency.size(); i++) {
            asTargets.add(new Target("model " + i, latency.get(i), 0));
        }
        int[] card = MultiTarget.check(asTargets);
        Memo acc = Memo.of(accuracy);
        long before = acc.computed();
        int m = latency.size();
        Objectives obj = genomes -> {
            double[] a = acc.accuracies(genomes);
            double[][] o = new double[genomes.length][m + 1];
            for (int i = 0; i < genomes.length; i++) {
                o[i][0] = -a[i];
                for (int k = 0; k < m; k++) {
                    o[i][k + 1] = latency.get(k).predictMs(genomes[i]);
                }
            }
            return o;
        };
        Run r = minimize(card, obj, cfg);
        List<Candidate> front = new ArrayList<>();
        for (int i = 0; i < r.genomes().size(); i++) {
            double[] o = r.objectives().get(i);
            front.add(new Candidate(r.genomes().get(i), -o[0], Arrays.copyOfRange(o, 1, o.length)));
        }
        return new Result(Pareto.front(front), acc.computed() - before);
    }

    /**
     * The most accurate candidate of {@code front} whose first latency is {@code <= budgetMs} (ties:
     * the faster). A budget no candidate meets is refused, naming the fastest one.
     */
    public static Candidate pick(List<Candidate> front, double budgetMs) {
        return pick(front, new double[] {budgetMs});
    }

    /** As {@link #pick(List, double)} with one budget per latency model, every one to be met. */
    public static Candidate pick(List<Candidate> front, double[] budgetsMs) {
        HwnasException.require(front != null && !front.isEmpty(), "front", "[]", "is empty");
        Candidate best = null;
        double fastest = Double.POSITIVE_INFINITY;
        for (Candidate c : front) {
            double[] lat = c.latenciesMs();
            HwnasException.require(budgetsMs.length <= lat.length, "budgets_ms", Arrays.toString(budgetsMs),
                    "more budgets than the front's " + lat.length + " latency models");
            fastest = Math.min(fastest, lat[0]);
            boolean ok = true;
            for (int k = 0; k < budgetsMs.length; k++) {
                ok &= lat[k] <= budgetsMs[k];
            }
            if (ok && (best == null || c.accuracy() > best.accuracy()
                    || (c.accuracy() == best.accuracy() && lat[0] < best.latencyMs()))) {
                best = c;
            }
        }
        if (best == null) {
            String b = Arrays.stream(budgetsMs).mapToObj(v -> String.format(java.util.Locale.ROOT, "%.4f", v))
                    .collect(java.util.stream.Collectors.joining(", "));
            throw new HwnasException("budget " + b + " ms: no architecture of the NSGA-II front (" + front.size()
                    + " points) is within it, the fastest takes " + String.format(java.util.Locale.ROOT, "%.4f", fastest)
                    + " ms; raise the budget, give --population and --generations more so the front reaches further, or"
                    + " use --method evolution, which searches under the budget itself");
        }
        return best;
    }

    /** Minimizes the objectives over genomes of the given cardinalities; returns the first front. */
    public static Run minimize(int[] cardinalities, Objectives objectives, Nsga2Config cfg) {
        int[] card = Genes.check(cardinalities);
        SplittableRandom rnd = new SplittableRandom(cfg.seed());
        int n = cfg.populationSize();
        double space = 1;
        for (int c : card) {
            space *= c;
        }
        // initial population: distinct random genomes (as many as the space allows)
        List<int[]> pop = new ArrayList<>();
        Set<ArchKey> seen = new HashSet<>();
        for (int t = 0; pop.size() < n && pop.size() < space && t < 50 * n; t++) {
            int[] g = Genes.random(card, rnd);
            if (seen.add(new ArchKey(g))) {
                pop.add(g);
            }
        }
        double[][] obj = objectives.evaluate(pop.toArray(int[][]::new));
        checkObjectives(obj, pop);
        for (int gen = 0; gen < cfg.generations(); gen++) {
            double[][] o = obj;
            int[] rank = new int[pop.size()];
            double[] crowd = new double[pop.size()];
            List<int[]> fronts = nonDominatedSort(o);
            for (int f = 0; f < fronts.size(); f++) {
                double[] d = crowdingDistance(o, fronts.get(f));
                for (int i = 0; i < fronts.get(f).length; i++) {
                    rank[fronts.get(f)[i]] = f;
                    crowd[fronts.get(f)[i]] = d[i];
                }
            }
            Set<ArchKey> present = new HashSet<>();
            for (int[] g : pop) {
                present.add(new ArchKey(g));
            }
            List<int[]> kids = new ArrayList<>(n);
            while (kids.size() < n) {
                int[] child = null;
                for (int t = 0; t < DUPLICATE_TRIES; t++) {
                    int[] a = pop.get(tournament(rank, crowd, rnd));
                    int[] b = pop.get(tournament(rank, crowd, rnd));
                    int[] c = rnd.nextDouble() < cfg.crossoverProb() ? Genes.crossover(a, b, rnd) : a.clone();
                    child = Genes.mutate(c, card, cfg.mutateProb(), rnd);
                    if (!present.contains(new ArchKey(child))) {
                        break;
                    }
                }
                present.add(new ArchKey(child));
                kids.add(child);
            }
            double[][] ko = objectives.evaluate(kids.toArray(int[][]::new));
            checkObjectives(ko, kids);
            // merge, dropping repeated genomes, then environmental selection
            List<int[]> all = new ArrayList<>(pop.size() + kids.size());
            List<double[]> allObj = new ArrayList<>(pop.size() + kids.size());
            Set<ArchKey> merged = new HashSet<>();
            for (int i = 0; i < pop.size(); i++) {
                if (merged.add(new ArchKey(pop.get(i)))) {
                    all.add(pop.get(i));
                    allObj.add(o[i]);
                }
            }
            for (int i = 0; i < kids.size(); i++) {
                if (merged.add(new ArchKey(kids.get(i)))) {
                    all.add(kids.get(i));
                    allObj.add(ko[i]);
                }
            }
            int[] keep = select(allObj.toArray(double[][]::new), n);
            List<int[]> next = new ArrayList<>(keep.length);
            double[][] nextObj = new double[keep.length][];
            for (int i = 0; i < keep.length; i++) {
                next.add(all.get(keep[i]));
                nextObj[i] = allObj.get(keep[i]);
            }
            pop = next;
            obj = nextObj;
        }
        int[] first = nonDominatedSort(obj).get(0);
        List<int[]> g = new ArrayList<>();
        List<double[]> fo = new ArrayList<>();
        for (int i : first) {
            g.add(pop.get(i).clone());
            fo.add(obj[i].clone());
        }
        return new Run(List.copyOf(g), List.copyOf(fo));
    }

    /** Indices of the {@code n} survivors: whole fronts in rank order, the last one by crowding distance. */
    static int[] select(double[][] objs, int n) {
        List<Integer> keep = new ArrayList<>(n);
        for (int[] front : nonDominatedSort(objs)) {
            if (keep.size() + front.length <= n) {
                for (int i : front) {
                    keep.add(i);
                }
            } else {
                double[] d = crowdingDistance(objs, front);
                Integer[] order = new Integer[front.length];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, (x, y) -> Double.compare(d[y], d[x])); // stable: ties keep front order
                for (int i = 0; keep.size() < n; i++) {
                    keep.add(front[order[i]]);
                }
            }
            if (keep.size() >= n) {
                break;
            }
        }
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int tournament(int[] rank, double[] crowd, SplittableRandom rnd) {
        int a = rnd.nextInt(rank.length);
        int b = rnd.nextInt(rank.length);
        if (rank[a] != rank[b]) {
            return rank[a] < rank[b] ? a : b;
        }
        if (crowd[a] != crowd[b]) {
            return crowd[a] > crowd[b] ? a : b;
        }
        return rnd.nextBoolean() ? a : b;
    }

    /**
     * Fast non-dominated sort: the fronts (lists of point indices, each ascending), first the points
     * nothing dominates, then those dominated only by the first front, and so on.
     */
    public static List<int[]> nonDominatedSort(double[][] objs) {
        int n = objs.length;
        int[] dominatedBy = new int[n];
        List<List<Integer>> dominates = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            dominates.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (Pareto.dominates(objs[i], objs[j])) {
                    dominates.get(i).add(j);
                    dominatedBy[j]++;
                } else if (Pareto.dominates(objs[j], objs[i])) {
                    dominates.get(j).add(i);
                    dominatedBy[i]++;
                }
            }
        }
        List<int[]> fronts = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (dominatedBy[i] == 0) {
                current.add(i);
            }
        }
        while (!current.isEmpty()) {
            fronts.add(current.stream().mapToInt(Integer::intValue).sorted().toArray());
            List<Integer> next = new ArrayList<>();
            for (int i : current) {
                for (int j : dominates.get(i)) {
                    if (--dominatedBy[j] == 0) {
                        next.add(j);
                    }
                }
            }
            current = next;
        }
        return fronts;
    }

    /**
     * Crowding distance of each member of {@code front} (aligned with it): per objective, the members
     * sorted by it, the two extremes get infinity, the others add the normalized gap between their
     * neighbours ({@code (next − prev) / (max − min)}); an objective constant on the front adds nothing.
     */
    public static double[] crowdingDistance(double[][] objs, int[] front) {
        int k = front.length;
        double[] d = new double[k];
        if (k == 0) {
            return d;
        }
        int m = objs[front[0]].length;
        for (int o = 0; o < m; o++) {
            final int obj = o;
            Integer[] order = new Integer[k];
            for (int i = 0; i < k; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Double.compare(objs[front[x]][obj], objs[front[y]][obj]));
            double lo = objs[front[order[0]]][o];
            double hi = objs[front[order[k - 1]]][o];
            d[order[0]] = Double.POSITIVE_INFINITY;
            d[order[k - 1]] = Double.POSITIVE_INFINITY;
            if (hi == lo) {
                continue;
            }
            for (int i = 1; i < k - 1; i++) {
                d[order[i]] += (objs[front[order[i + 1]]][o] - objs[front[order[i - 1]]][o]) / (hi - lo);
            }
        }
        return d;
    }

    private static void checkObjectives(double[][] o, List<int[]> genomes) {
        for (int i = 0; i < o.length; i++) {
            for (double v : o[i]) {
                if (Double.isNaN(v)) {
                    throw new HwnasException("an objective is NaN for architecture " + Arrays.toString(genomes.get(i)));
                }
            }
        }
    }
}
