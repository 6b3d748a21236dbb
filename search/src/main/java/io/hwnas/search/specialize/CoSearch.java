package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.LatencyModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Co-search of the architecture and a hardware setting: one device under several settings (threads,
 * batch, precision, runtime...), each a {@link LatencyModel} of the same space with a label, and an
 * accuracy estimator per setting (the same one unless a setting changes accuracy, e.g. int8). The
 * result is the (architecture, setting) pair of highest accuracy whose latency under that setting is
 * within the budget. Two ways:
 * <ul>
 *   <li>{@link #perSetting}: one evolution per setting, then the best of the winners. The problem
 *       decomposes exactly (max over pairs = max over settings of the max over architectures), each
 *       run sees only its own constraint, and the per-setting table is a result in itself; it costs
 *       one run per setting (about 50,000 estimator calls each with OFA's settings). The default.</li>
 *   <li>{@link #joint}: one evolution over a joint genome, the layers' ops plus one gene for the
 *       setting, mutated and crossed like a layer. One run whatever the number of settings, but
 *       crossover between parents of different settings often breaks the constraint of the child's
 *       setting, and the population tends to settle on one setting early.</li>
 * </ul>
 */
public final class CoSearch {
    private CoSearch() {}

    /** One setting of the device: its label, latency model and accuracy estimator. */
    public record Setting(String label, LatencyModel model, AccuracyEstimator accuracy) {
        public Setting {
            HwnasException.require(label != null && !label.isBlank(), "label", label, "must be non-empty");
            HwnasException.require(model != null, "model", null, "must be given (setting " + label + ")");
            HwnasException.require(accuracy != null, "accuracy", null, "must be given (setting " + label + ")");
        }
    }

    /** The best under one setting, or null with the reason when the budget is out of its reach. */
    public record PerSetting(String setting, Candidate best, String unreachable) {}

    /** The chosen setting and architecture; {@code perSetting} lists every setting's winner (perSetting mode). */
    public record Result(String setting, int settingIndex, Candidate best, List<PerSetting> perSetting,
            long accuracyEvaluations) {}

    /** One evolution per setting under {@code budgetMs}; the most accurate winner (ties: the faster). */
    public static Result perSetting(List<Setting> settings, double budgetMs, EvolutionConfig cfg) {
        check(settings, budgetMs);
        List<PerSetting> rows = new ArrayList<>();
        int bestIdx = -1;
        Candidate best = null;
        long evals = 0;
        for (int s = 0; s < settings.size(); s++) {
            Setting x = settings.get(s);
            if (budgetMs < x.model().rangeMs().fastestMs()) {
                rows.add(new PerSetting(x.label(), null, "budget " + budgetMs + " ms is below the fastest architecture ("
                        + x.model().rangeMs().fastestMs() + " ms)"));
                continue;
            }
            Evolution.Result r = Evolution.underBudget(x.accuracy(), x.model(), budgetMs, cfg);
            evals += r.accuracyEvaluations();
            rows.add(new PerSetting(x.label(), r.best(), null));
            if (best == null || r.best().accuracy() > best.accuracy()
                    || (r.best().accuracy() == best.accuracy() && r.best().latencyMs() < best.latencyMs())) {
                best = r.best();
                bestIdx = s;
            }
        }
        return new Result(settings.get(bestIdx).label(), bestIdx, best, List.copyOf(rows), evals);
    }

    /** One evolution over (ops..., setting) genomes under {@code budgetMs}. */
    public static Result joint(List<Setting> settings, double budgetMs, EvolutionConfig cfg) {
        check(settings, budgetMs);
        int layers = settings.get(0).model().space().layerCount();
        int[] card = Arrays.copyOf(Evolution.cardinalities(settings.get(0).model()), layers + 1);
        card[layers] = settings.size();
        List<Memo> acc = settings.stream().map(s -> Memo.of(s.accuracy())).toList();
        // settings may share one memo (and it may have computed before): count each once, this search's only
        java.util.Set<Memo> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        distinct.addAll(acc);
        long before = distinct.stream().mapToLong(Memo::computed).sum();
        Evolution.Constraint c = Evolution.Constraint.of("latency <= " + budgetMs + " ms under the gene's setting",
                g -> settings.get(g[layers]).model().predictMs(Arrays.copyOf(g, layers)) - budgetMs);
        Evolution.Fitness f = genomes -> {
            double[] out = new double[genomes.length];
            for (int i = 0; i < genomes.length; i++) {
                out[i] = acc.get(genomes[i][layers]).accuracy(Arrays.copyOf(genomes[i], layers));
            }
            return out;
        };
        Evolution.Run r = Evolution.maximize(card, f, c, cfg);
        int[] g = r.best();
        int s = g[layers];
        int[] ops = Arrays.copyOf(g, layers);
        Candidate best = new Candidate(ops, acc.get(s).accuracy(ops),
                new double[] {settings.get(s).model().predictMs(ops)});
        long evals = distinct.stream().mapToLong(Memo::computed).sum() - before;
        return new Result(settings.get(s).label(), s, best, List.of(), evals);
    }

    private static void check(List<Setting> settings, double budgetMs) {
        HwnasException.require(settings != null && !settings.isEmpty(), "settings", "[]", "need at least one setting");
        HwnasException.require(Double.isFinite(budgetMs), "budget_ms", budgetMs, "must be a finite latency in ms");
        List<Target> asTargets = settings.stream().map(s -> new Target(s.label(), s.model(), budgetMs)).toList();
        MultiTarget.check(asTargets);
        double fastest = Double.POSITIVE_INFINITY;
        String where = null;
        for (Setting s : settings) {
            if (s.model().rangeMs().fastestMs() < fastest) {
                fastest = s.model().rangeMs().fastestMs();
                where = s.label() + " (" + s.model().source() + ")";
            }
        }
        if (budgetMs < fastest) {
            throw new HwnasException("field 'budget_ms' = " + budgetMs + ": unreachable latency budget under every"
                    + " setting: the fastest architecture takes " + fastest + " ms under " + where);
        }
    }
}
