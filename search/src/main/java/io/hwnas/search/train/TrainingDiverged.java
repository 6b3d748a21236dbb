package io.hwnas.search.train;

import io.hwnas.core.HwnasException;

/** The loss (or the weights) became NaN or infinite: the run stops, its last good checkpoint stays. */
public final class TrainingDiverged extends HwnasException {
    private static final long serialVersionUID = 1L;

    public TrainingDiverged(String message) {
        super(message);
    }
}
