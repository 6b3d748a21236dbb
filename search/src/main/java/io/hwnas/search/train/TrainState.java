package io.hwnas.search.train;

import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.Json;
import java.util.List;

/**
 * The counters of a checkpoint ({@code state.json} beside the parameters): where the run stands,
 * the optimizer step counts, the metrics of finished epochs and the sums of the epoch in progress.
 * Carries the whole space so a checkpoint of another space/architecture is refused.
 *
 * @param epochsDone finished epochs
 * @param phase in the epoch in progress: 0 weight pass, 1 θ pass
 * @param stepInPhase steps already done in that pass
 * @param adamSteps Adam's step count t (for bias correction)
 */
public record TrainState(int schema, String spaceId, SearchSpace space, int layers, List<String> ops,
        int epochsDone, int phase, int stepInPhase, long adamSteps, EpochSums sums, List<EpochMetrics> metrics) {

    public TrainState {
        Json.checkSchema(schema);
        metrics = List.copyOf(metrics);
    }
}
