package io.hwnas.search.train;

import io.hwnas.supernet.space.Architecture;
import java.nio.file.Path;
import java.util.List;

/**
 * What a (possibly stopped) training run produced.
 *
 * @param completed whether all epochs ran (false when a stopper ended it early)
 * @param argmaxLatencyMs LUT latency of the argmax architecture (NaN without a LUT)
 */
public record TrainResult(Path runDir, boolean completed, int epochsDone, Architecture argmax, double argmaxLatencyMs,
        float[][] probabilities, List<EpochMetrics> metrics) {}
