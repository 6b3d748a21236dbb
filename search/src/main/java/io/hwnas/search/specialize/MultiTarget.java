package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.LatencyModel;
import java.util.List;

/**
 * One architecture for several hardware targets at once (several {@link LatencyModel}s of the same
 * space), by the evolution finder with a constraint and objective over all of them:
 * <ul>
 *   <li>{@link #bestUnderAllBudgets}: maximize accuracy subject to every target's budget;</li>
 *   <li>{@link #minimizeWorstRatio}: minimize {@code max_t latency_t / budget_t} subject to an
 *       accuracy floor (the architecture that is comfortably fast everywhere).</li>
 * </ul>
 * Latencies of the result are in the order of the targets.
 */
public final class MultiTarget {
    private MultiTarget() {}

    /** A multi-target result: the best architecture, its objective value and the history. */
    public record Result(Candidate best, double objective, List<String> targets, List<Evolution.Generation> history,
            long accuracyEvaluations) {}

    /** The most accurate architecture whose latency is within the budget on every target. */
    public static Result bestUnderAllBudgets(AccuracyEstimator accuracy, List<Target> targets, EvolutionConfig cfg) {
        int[] card = check(targets);
        for (int t = 0; t < targets.size(); t++) {
            Evolution.checkBudget(targets.get(t).model(), targets.get(t).budgetMs(),
                    "targets[" + t + "].budget_ms (" + targets.get(t).label() + ")");
        }
        Memo acc = Memo.of(accuracy);
        long before = acc.computed();
        Evolution.Constraint c = Evolution.Constraint.of("every target's budget (" + describe(targets) + ")",
                g -> excess(targets, g));
        Evolution.Run r = Evolution.maximize(card, acc::accuracies, c, cfg);
        Candidate best = candidate(acc, targets, r.best());
        return new Result(best, r.bestFitness(), labels(targets), r.history(), acc.computed() - before);
    }

    /**
     * The architecture with the smallest worst latency/budget ratio over the targets among those with
     * estimated accuracy {@code >= accuracyFloor}; {@link Result#objective()} is that ratio (below 1:
     * within every budget). Budgets must be positive here. An accuracy floor no architecture is found
     * to reach is refused.
     */
    public static Result minimizeWorstRatio(AccuracyEstimator accuracy, List<Target> targets, double accuracyFloor,
            EvolutionConfig cfg) {
        int[] card = check(targets);
        for (int t = 0; t < targets.size(); t++) {
            Target x = targets.get(t);
            HwnasException.require(x.budgetMs() > 0, "targets[" + t + "].budget_ms (" + x.label() + ")",
                    x.budgetMs(), "must be positive to form a latency/budget ratio");
        }
        HwnasException.require(Double.isFinite(accuracyFloor), "accuracy_floor", accuracyFloor, "must be finite");
        Memo acc = Memo.of(accuracy);
        long before = acc.computed();
        Evolution.Constraint c = Evolution.Constraint.of("accuracy >= " + accuracyFloor,
                g -> accuracyFloor - acc.accuracy(g));
        Evolution.Fitness f = genomes -> {
            double[] s = new double[genomes.length];
            for (int i = 0; i < genomes.length; i++) {
                s[i] = -worstRatio(targets, genomes[i]);
            }
            return s;
        };
        Evolution.Run r = Evolution.maximize(card, f, c, cfg);
        Candidate best = candidate(acc, targets, r.best());
        return new Result(best, -r.bestFitness(), labels(targets), r.history(), acc.computed() - before);
    }

    static double worstRatio(List<Target> targets, int[] g) {
        double w = Double.NEGATIVE_INFINITY;
        for (Target t : targets) {
            w = Math.max(w, t.model().predictMs(g) / t.budgetMs());
        }
        return w;
    }

    /** Σ over targets of the latency above budget, in ms (0 when every budget is met). */
    static double excess(List<Target> targets, int[] g) {
        double e = 0;
        for (Target t : targets) {
            e += Math.max(0, t.model().predictMs(g) - t.budgetMs());
        }
        return e;
    }

    static Candidate candidate(AccuracyEstimator acc, List<Target> targets, int[] g) {
        double[] lat = new double[targets.size()];
        for (int t = 0; t < lat.length; t++) {
            lat[t] = targets.get(t).model().predictMs(g);
        }
        return new Candidate(g, acc.accuracy(g), lat);
    }

    /** Non-empty, one space for all; returns the genome cardinalities. */
    static int[] check(List<Target> targets) {
        HwnasException.require(targets != null && !targets.isEmpty(), "targets", "[]", "need at least one target");
        LatencyModel first = targets.get(0).model();
        for (int t = 1; t < targets.size(); t++) {
            LatencyModel m = targets.get(t).model();
            if (!m.space().id().equals(first.space().id()) || m.space().layerCount() != first.space().layerCount()) {
                throw new HwnasException("target " + targets.get(t).label() + " (" + m.source() + ") is for space "
                        + m.space().id() + "; target " + targets.get(0).label() + " (" + first.source()
                        + ") is for space " + first.space().id() + ": one search needs one space");
            }
        }
        return Evolution.cardinalities(first);
    }

    static List<String> labels(List<Target> targets) {
        return targets.stream().map(Target::label).toList();
    }

    private static String describe(List<Target> targets) {
        StringBuilder sb = new StringBuilder();
        for (Target t : targets) {
            sb.append(sb.length() == 0 ? "" : ", ").append(t.label()).append(" <= ").append(t.budgetMs()).append(" ms");
        }
        return sb.toString();
    }
}
