package io.hwnas.latency.predict;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.LatencyModel;
import io.hwnas.supernet.space.SearchSpace;
import java.util.List;

/**
 * What the predictors on the one-hot (layer, op) encoding share ({@link MlpModel}, {@link XgbModel}):
 * the file's encoding checked against the space, the space, device record and source, the layer
 * count checked on every query, and the latency range sampled once ({@link SampledRange}).
 */
abstract class OneHotModel implements LatencyModel {
    final SearchSpace space;
    final int opCount;
    private final DeviceRecord device;
    private final String source;
    private volatile LatencyRange range;

    OneHotModel(int layers, List<String> ops, DeviceRecord device, SearchSpace space, String source) {
        Predictors.checkEncoding(layers, ops, space);
        this.space = space;
        this.device = device;
        this.source = source;
        this.opCount = space.ops().size();
    }

    @Override
    public final SearchSpace space() {
        return space;
    }

    @Override
    public final DeviceRecord device() {
        return device;
    }

    @Override
    public final String source() {
        return source;
    }

    @Override
    public final double predictMs(int[] ops) {
        if (ops.length != space.layerCount()) {
            throw new HwnasException("architecture has " + ops.length + " layers; space " + space.id() + " has "
                    + space.layerCount());
        }
        return predict(ops);
    }

    /** The prediction in ms of op indices {@code ops}, one per layer of the space (checked). */
    abstract double predict(int[] ops);

    @Override
    public final LatencyRange rangeMs() {
        LatencyRange r = range;
        if (r == null) {
            r = SampledRange.of(space, this::predictMs);
            range = r;
        }
        return r;
    }
}
