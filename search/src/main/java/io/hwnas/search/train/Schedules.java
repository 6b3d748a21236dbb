package io.hwnas.search.train;

/** Learning-rate and temperature schedules shared by training and fine-tuning. */
public final class Schedules {
    private Schedules() {}

    /** Cosine annealing from {@code max} at step 0 to {@code min} at step {@code total}. */
    public static double cosine(long step, long total, double max, double min) {
        double c = 0.5 * (1 + Math.cos(Math.PI * step / Math.max(1, total)));
        return min + (max - min) * c;
    }

    /** FBNet's temperature: τ0 · exp(-decay · epoch). */
    public static double tau(double start, double decay, int epoch) {
        return start * Math.exp(-decay * epoch);
    }
}
