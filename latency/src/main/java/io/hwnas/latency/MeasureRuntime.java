package io.hwnas.latency;

import io.hwnas.core.Progress;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.util.List;

/**
 * The runtimes hwnas times networks on: DJL/PyTorch (eager, inference) and ONNX Runtime (CPU).
 * Both use the same protocol (warm-up, interleaved rounds, median) for LUT entries and for whole
 * networks.
 */
public enum MeasureRuntime {
    DJL, ONNXRUNTIME;

    /** The runtime a model's numbers were measured on (from its device record): ONNX Runtime or DJL. */
    public static MeasureRuntime of(DeviceRecord d) {
        return OrtLutMeasurer.isOrt(d) ? ONNXRUNTIME : DJL;
    }

    /** {@code djl} or {@code onnxruntime}, as on the command line. */
    public String id() {
        return this == DJL ? "djl" : "onnxruntime";
    }

    /** A LUT of {@code s} measured on this runtime. */
    public Lut measureLut(SearchSpace s, MeasureConfig cfg, Progress progress) {
        return this == DJL ? LutMeasurer.measure(s, SupernetBlocks.INSTANCE, cfg, progress)
                : OrtLutMeasurer.measure(s, cfg, progress);
    }

    /** Whole networks of {@code as} timed on this runtime, in order. */
    public Timing[] timeNetworks(SearchSpace s, List<Architecture> as, MeasureConfig cfg, Progress progress,
            String task) {
        return this == DJL ? LutValidation.timeNetworks(s, as, SupernetBlocks.INSTANCE, cfg, progress, task)
                : OrtLutMeasurer.timeNetworks(s, as, cfg, progress, task);
    }
}
