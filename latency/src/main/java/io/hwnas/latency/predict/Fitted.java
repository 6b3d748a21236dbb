package io.hwnas.latency.predict;

import io.hwnas.core.Json;
import io.hwnas.latency.LatencyModel;
import java.nio.file.Path;

/**
 * A freshly fitted predictor: the model, ready to predict, and its file form.
 *
 * @param kind lut-fit, mlp, xgboost or flops
 * @param model the predictor (bound to the training set's space)
 * @param file the record {@link #write} stores (read back by {@code LatencyModels.read})
 * @param samples number of (architecture, latency) pairs it was fitted to
 * @param fitSeconds wall time of the fit
 */
public record Fitted(String kind, LatencyModel model, Object file, int samples, double fitSeconds) {

    /** Writes the model file atomically. */
    public void write(Path path) {
        Json.writeFile(path, file);
    }
}
