package io.hwnas.search.train;

import java.util.List;

/**
 * One line of {@code metrics.jsonl}: what one epoch did. θ-pass fields are null in warm-up epochs.
 *
 * @param epoch 1-based epoch number
 * @param warmup whether θ was frozen this epoch
 * @param tau Gumbel-softmax temperature of the epoch
 * @param weightLr SGD learning rate at the epoch's last weight step
 * @param weightLoss mean cross-entropy of the weight pass
 * @param weightAccuracy training accuracy of the weight pass (sampled paths or soft mixture)
 * @param thetaLoss mean total loss (CE · α · (log LAT)^β, or CE when α = 0) of the θ pass
 * @param thetaCe mean cross-entropy of the θ pass
 * @param thetaAccuracy accuracy of the θ pass (soft Gumbel mixture)
 * @param sampleLatencyMs mean LAT used in the loss during the θ pass, in ms
 * @param expectedLatencyMs Σ softmax(θ)·LUT + fixed, after the epoch, in ms
 * @param argmaxLatencyMs LUT latency of the argmax architecture after the epoch
 * @param argmax the argmax architecture after the epoch
 * @param thetaEntropy entropy (nats) of softmax(θ) per layer after the epoch
 * @param testAccuracy test accuracy of the argmax as extracted (BN recalibrated, as hwnas extract and eval give it; if eval_test)
 * @param wallSeconds wall time of the epoch
 */
public record EpochMetrics(int epoch, boolean warmup, double tau, double weightLr, double weightLoss,
        double weightAccuracy, Double thetaLoss, Double thetaCe, Double thetaAccuracy, Double sampleLatencyMs,
        Double expectedLatencyMs, Double argmaxLatencyMs, String argmax, List<Double> thetaEntropy,
        Double testAccuracy, double wallSeconds) {

    /** The same metrics without wall time (what must be identical between a resumed and a straight run). */
    public EpochMetrics withoutTime() {
        return new EpochMetrics(epoch, warmup, tau, weightLr, weightLoss, weightAccuracy, thetaLoss, thetaCe,
                thetaAccuracy, sampleLatencyMs, expectedLatencyMs, argmaxLatencyMs, argmax, thetaEntropy,
                testAccuracy, 0);
    }
}
