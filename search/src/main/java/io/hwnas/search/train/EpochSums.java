package io.hwnas.search.train;

/**
 * Running sums of the epoch in progress (saved in mid-epoch checkpoints so a resumed epoch reports
 * exactly what an uninterrupted one would).
 */
public record EpochSums(double weightLossSum, long weightCorrect, long weightCount, double thetaLossSum,
        double thetaCeSum, long thetaCorrect, long thetaCount, double latencyMsSum, long thetaSteps,
        double lastLr, double wallSeconds) {

    public static final EpochSums ZERO = new EpochSums(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public EpochSums weightStep(double ceMean, long correct, long count, double lr) {
        return new EpochSums(weightLossSum + ceMean * count, weightCorrect + correct, weightCount + count,
                thetaLossSum, thetaCeSum, thetaCorrect, thetaCount, latencyMsSum, thetaSteps, lr, wallSeconds);
    }

    public EpochSums thetaStep(double lossMean, double ceMean, long correct, long count, double latMs) {
        return new EpochSums(weightLossSum, weightCorrect, weightCount, thetaLossSum + lossMean * count,
                thetaCeSum + ceMean * count, thetaCorrect + correct, thetaCount + count, latencyMsSum + latMs,
                thetaSteps + 1, lastLr, wallSeconds);
    }

    public EpochSums plusWall(double seconds) {
        return new EpochSums(weightLossSum, weightCorrect, weightCount, thetaLossSum, thetaCeSum, thetaCorrect,
                thetaCount, latencyMsSum, thetaSteps, lastLr, wallSeconds + seconds);
    }

    double weightLoss() {
        return weightCount == 0 ? Double.NaN : weightLossSum / weightCount;
    }

    double weightAccuracy() {
        return weightCount == 0 ? Double.NaN : weightCorrect / (double) weightCount;
    }
}
