package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.LatencyModel;

/** A hardware target of a search: a label, its latency model and its latency budget in ms. */
public record Target(String label, LatencyModel model, double budgetMs) {
    public Target {
        HwnasException.require(label != null && !label.isBlank(), "label", label, "must be non-empty");
        HwnasException.require(model != null, "model", null, "must be given (target " + label + ")");
        HwnasException.require(Double.isFinite(budgetMs), "budget_ms", budgetMs,
                "must be a finite latency in ms (target " + label + ")");
    }
}
