package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.LatencyModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Once-for-all's evolution finder over op-index arrays: a population of feasible architectures;
 * every generation the best {@code parent_ratio} are kept and refilled with mutants and uniform
 * crossovers of random parents. The constraint is hard: a child that violates it is redrawn
 * (OFA redraws without bound; here at most {@value #MAX_TRIES} times, then a parent is copied),
 * so no infeasible architecture ever enters the population. Same seed, same result.
 *
 * <p>One change from OFA: a child already in the population (a mutation that changed nothing, a
 * crossover of two equal parents) is redrawn too, up to {@value #DUPLICATE_TRIES} times. OFA's
 * 20-odd layers make duplicates rare; in small spaces, and late in any run, they filled the
 * population with copies and stopped the search at a local optimum: on 6-layer, 5-op test problems
 * (9 problem/budget pairs, 10 seeds each) OFA's rule found the exhaustive best under the budget in
 * 3 to 10 of 10 seeds (6 in the median case) even with 500 generations; redrawing duplicates, in 8
 * to 10 of 10 (10 in the median case) with 30 generations.
 *
 * <p>The engine ({@link #maximize}) is generic: any fitness to maximize over genomes of given
 * cardinalities, under any constraint; {@link #underBudget} is the single-target use, and
 * {@link MultiTarget} and {@link CoSearch} build on it. Nothing here takes a logarithm of a latency:
 * near-zero and negative LUT entries (HW-NAS-Bench's FPGA table) are fine.
 */
public final class Evolution {
    /** Redraws of a mutant or crossover child before the (feasible) parent is copied instead. */
    static final int MAX_TRIES = 200;
    /** Feasible duplicates of the population drawn for one child before one is accepted anyway. */
    static final int DUPLICATE_TRIES = 30;
    /** Random draws for an initial individual before coordinate-descent repair. */
    static final int INIT_TRIES = 20;

    private Evolution() {}

    /** Scores to maximize, one per genome; called with one generation at a time. */
    @FunctionalInterface
    public interface Fitness {
        double[] scores(int[][] genomes);
    }

    /** A hard constraint: {@code violation} is 0 (or negative) when feasible, positive otherwise. */
    public interface Constraint {
        double violation(int[] genome);

        /** For messages, e.g. "latency <= 3.0 ms under raspi4". */
        String description();

        static Constraint of(String description, ToDoubleFunction<int[]> violation) {
            return new Constraint() {
                @Override
                public double violation(int[] genome) {
                    return violation.applyAsDouble(genome);
                }

                @Override
                public String description() {
                    return description;
                }
            };
        }

        static Constraint none() {
            return of("no constraint", g -> 0);
        }
    }

    /**
     * One generation: the best fitness and the mean fitness of the parents kept from the population
     * at its start (generation 0: the initial population; the last entry: the final population).
     */
    public record Generation(int generation, double bestFitness, double parentsMeanFitness) {}

    /** The engine's result: the best genome ever in the population and the history. */
    public record Run(int[] best, double bestFitness, List<Generation> history) {
        @Override
        public int[] best() {
            return best.clone();
        }
    }

    /**
     * The single-target result: the best architecture, its accuracy and latency, the per-generation
     * history (fitness = accuracy) and how many distinct architectures the estimator was asked about.
     */
    public record Result(Candidate best, List<Generation> history, long accuracyEvaluations) {}

    /**
     * The most accurate architecture with latency {@code <= budgetMs} under {@code latency}.
     * A budget below the fastest architecture is refused.
     */
    public static Result underBudget(AccuracyEstimator accuracy, LatencyModel latency, double budgetMs,
            EvolutionConfig cfg) {
        checkBudget(latency, budgetMs, "budget_ms");
        Memo acc = Memo.of(accuracy);
        long before = acc.computed();
        int[] card = cardinalities(latency);
        Constraint c = Constraint.of("latency <= " + budgetMs + " ms under " + latency.source(),
                g -> latency.predictMs(g) - budgetMs);
        Run r = maximize(card, acc::accuracies, c, cfg);
        int[] best = r.best();
        Candidate cand = new Candidate(best, acc.accuracy(best), new double[] {latency.predictMs(best)});
        return new Result(cand, r.history(), acc.computed() - before);
    }

    /** The genome cardinalities of a latency model's space: one gene per layer, one choice per op. */
    static int[] cardinalities(LatencyModel m) {
        return Genes.uniform(m.space().layerCount(), m.space().ops().size());
    }

    /** Refuses a budget below the fastest architecture of the model (or a non-finite one). */
    static void checkBudget(LatencyModel m, double budgetMs, String field) {
        HwnasException.require(Double.isFinite(budgetMs), field, budgetMs, "must be a finite latency in ms");
        double fastest = m.rangeMs().fastestMs();
        if (budgetMs < fastest) {
            // an option ("--target NAME budget") reads as the option; a config field as field 'x' = value
            String what = field.startsWith("--") ? field + " " + budgetMs + " ms" : "field '" + field + "' = " + budgetMs;
            throw new HwnasException(String.format(java.util.Locale.ROOT, "%s: unreachable latency budget: the fastest"
                    + " architecture of space %s takes %.4f ms under %s (slowest %.4f ms)", what, m.space().id(), fastest,
                    m.source(), m.rangeMs().slowestMs()));
        }
    }

    /** Maximizes {@code fitness} over genomes of the given cardinalities under the hard constraint. */
    public static Run maximize(int[] cardinalities, Fitness fitness, Constraint constraint, EvolutionConfig cfg) {
        int[] card = Genes.check(cardinalities);
        SplittableRandom rnd = new SplittableRandom(cfg.seed());
        int popSize = cfg.populationSize();
        int nParents = cfg.parents();
        int nMutants = cfg.mutants();

        int[][] init = new int[popSize][];
        Set<ArchKey> present = new HashSet<>();
        for (int i = 0; i < popSize; i++) {
            init[i] = initial(card, constraint, present, rnd);
            present.add(new ArchKey(init[i]));
        }
        List<Individual> population = new ArrayList<>(nParents + popSize);
        addScored(population, init, fitness);
        List<Generation> history = new ArrayList<>(cfg.generations());
        Comparator<Individual> byFitness = Comparator.comparingDouble(Individual::fitness).reversed();
        for (int gen = 0; gen < cfg.generations(); gen++) {
            population.sort(byFitness);
            List<Individual> parents = new ArrayList<>(population.subList(0, Math.min(nParents, population.size())));
            history.add(new Generation(gen, parents.get(0).fitness(), mean(parents)));
            int[][] children = new int[popSize][];
            present.clear();
            for (Individual x : parents) {
                present.add(new ArchKey(x.genome()));
            }
            for (int j = 0; j < popSize; j++) {
                children[j] = j < nMutants ? mutant(parents, card, cfg.mutateProb(), constraint, present, rnd)
                        : crossover(parents, constraint, present, rnd);
                present.add(new ArchKey(children[j]));
            }
            population = parents;
            addScored(population, children, fitness);
        }
        population.sort(byFitness);
        List<Individual> last = population.subList(0, Math.min(nParents, population.size()));
        history.add(new Generation(cfg.generations(), last.get(0).fitness(), mean(last)));
        Individual best = population.get(0);
        return new Run(best.genome(), best.fitness(), List.copyOf(history));
    }

    private record Individual(int[] genome, double fitness) {}

    private static void addScored(List<Individual> population, int[][] genomes, Fitness fitness) {
        double[] s = fitness.scores(genomes);
        if (s.length != genomes.length) {
            throw new IllegalStateException("fitness returned " + s.length + " scores for " + genomes.length);
        }
        for (int i = 0; i < genomes.length; i++) {
            if (Double.isNaN(s[i])) {
                throw new HwnasException("the search objective is NaN for architecture " + Arrays.toString(genomes[i]));
            }
            population.add(new Individual(genomes[i], s[i]));
        }
    }

    private static double mean(List<Individual> xs) {
        double s = 0;
        for (Individual x : xs) {
            s += x.fitness();
        }
        return s / xs.size();
    }

    private static int[] initial(int[] card, Constraint c, Set<ArchKey> present, SplittableRandom rnd) {
        int[] g = null;
        for (int t = 0; t < INIT_TRIES; t++) {
            g = Genes.random(card, rnd);
            if (!present.contains(ArchKey.probe(g)) && c.violation(g) <= 0) {
                return g;
            }
        }
        int[] repaired = Genes.repair(g, card, c::violation, rnd);
        if (repaired == null) {
            throw new HwnasException("no architecture found that meets " + c.description() + " (random sampling,"
                    + " then coordinate descent from " + Arrays.toString(g) + " got stuck): the constraint looks"
                    + " unreachable");
        }
        return repaired;
    }

    /** A feasible mutant of a random parent, new to the population if one is found in time. */
    private static int[] mutant(List<Individual> parents, int[] card, double p, Constraint c, Set<ArchKey> present,
            SplittableRandom rnd) {
        int[] parent = parents.get(rnd.nextInt(parents.size())).genome();
        int duplicates = 0;
        for (int t = 0; t < MAX_TRIES; t++) {
            int[] g = Genes.mutate(parent, card, p, rnd);
            if (c.violation(g) <= 0 && (!present.contains(ArchKey.probe(g)) || ++duplicates >= DUPLICATE_TRIES)) {
                return g;
            }
        }
        return parent.clone();
    }

    /** A feasible uniform crossover of two random parents, new to the population if one is found in time. */
    private static int[] crossover(List<Individual> parents, Constraint c, Set<ArchKey> present,
            SplittableRandom rnd) {
        int duplicates = 0;
        int[] first = null;
        for (int t = 0; t < MAX_TRIES; t++) {
            int[] a = parents.get(rnd.nextInt(parents.size())).genome();
            int[] b = parents.get(rnd.nextInt(parents.size())).genome();
            first = first == null ? a : first;
            int[] g = Genes.crossover(a, b, rnd);
            if (c.violation(g) <= 0 && (!present.contains(ArchKey.probe(g)) || ++duplicates >= DUPLICATE_TRIES)) {
                return g;
            }
        }
        return first.clone();
    }
}
