package io.hwnas.latency;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.util.Progress;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures a LUT on this machine: every candidate op of every searchable layer at that layer's
 * input shape, plus the stem and the head (the fixed part), each as a standalone DJL block in
 * inference mode (no autograd, BN in eval mode), with untimed warm-up runs and then many timed
 * repeats; entries keep the median, mean, standard deviation and count.
 */
public final class LutMeasurer {
    private LutMeasurer() {}

    /** Makes the blocks to time (the supernet's candidate ops, stem and head). */
    public interface Blocks {
        Block op(LayerSpec layer, OpSpec op);

        Block stem(SearchSpace s);

        Block head(SearchSpace s);
    }

    /** The device that timings run on: the first GPU when the engine has one, else the CPU. */
    public static Device device() {
        Engine e = Engine.getInstance();
        return e.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    public static Lut measure(SearchSpace s, Blocks blocks, MeasureConfig cfg, Progress progress) {
        Device dev = device(); // loads the engine (and its native library) before any JniUtils call
        int before = JniUtils.getNumThreads();
        boolean grad = JniUtils.isGradMode();
        if (cfg.threads() > 0) {
            JniUtils.setNumThreads(cfg.threads());
        }
        JniUtils.setGradMode(false);
        try {
            List<LayerSpec> layers = s.layers();
            long total = (long) layers.size() * s.ops().size() + 2;
            long done = 0;
            progress.start("measure " + s.id(), total);
            List<LutEntry> entries = new ArrayList<>();
            Map<String, Double> fixed = new LinkedHashMap<>();
            try (NDManager base = NDManager.newBaseManager(dev)) {
                Shape in = new Shape(cfg.batch(), s.input().channels(), s.input().height(), s.input().width());
                Timing stem = time(blocks.stem(s), base, in, cfg.warmup(), cfg.repeats());
                fixed.put("stem", stem.medianMs());
                progress.update(++done, String.format("stem %.3f ms", stem.medianMs()));
                for (LayerSpec l : layers) {
                    Shape x = new Shape(cfg.batch(), l.inChannels(), l.inHeight(), l.inWidth());
                    for (String op : s.ops()) {
                        Timing t = time(blocks.op(l, OpSpec.parse(op)), base, x, cfg.warmup(), cfg.repeats());
                        entries.add(t.entry(l.index(), l.name(), op));
                        progress.update(++done, String.format("%s %s %.3f ms", l.name(), op, t.medianMs()));
                    }
                }
                int[] hw = s.headInputSize();
                Shape h = new Shape(cfg.batch(), s.lastChannels(), hw[0], hw[1]);
                Timing head = time(blocks.head(s), base, h, cfg.warmup(), cfg.repeats());
                fixed.put("head", head.medianMs());
                progress.update(++done, String.format("head %.3f ms", head.medianMs()));
            }
            double fixedMs = 0;
            for (double v : fixed.values()) {
                fixedMs += v;
            }
            DeviceRecord rec = record(cfg, dev);
            progress.finish(String.format("%d entries, fixed %.3f ms", entries.size(), fixedMs));
            return new Lut(s.id(), rec, fixedMs, entries, fixed).checkSpace(s);
        } finally {
            JniUtils.setGradMode(grad);
            JniUtils.setNumThreads(before);
        }
    }

    /**
     * Times one block: initializes it for {@code input} in a sub-manager of {@code base}, runs
     * {@code warmup} untimed and {@code repeats} timed forward passes in inference mode on one
     * fixed random input, and closes everything it made. Each pass's outputs live in a
     * short-lived manager so memory stays flat.
     */
    public static Timing time(Block block, NDManager base, Shape input, int warmup, int repeats) {
        Engine.getInstance();
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = base.newSubManager()) {
            block.initialize(m, DataType.FLOAT32, input);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(input);
            boolean sync = m.getDevice().isGpu();
            double[] ms = new double[repeats];
            for (int i = 0; i < warmup + repeats; i++) {
                try (NDManager step = m.newSubManager()) {
                    x.tempAttach(step);
                    long t0 = System.nanoTime();
                    NDList y = block.forward(ps, new NDList(x), false);
                    if (sync) {
                        y.head().flatten().get(0).getFloat(); // wait for the device
                    }
                    long t1 = System.nanoTime();
                    if (i >= warmup) {
                        ms[i - warmup] = (t1 - t0) / 1e6;
                    }
                }
            }
            return Timing.of(ms);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** The device record of a measurement made now, on this machine, with this configuration. */
    public static DeviceRecord record(MeasureConfig cfg, Device dev) {
        String cpu = cpuModel();
        String host = hostName();
        int threads = JniUtils.getNumThreads();
        String kind = dev.isGpu() ? "gpu" : "cpu";
        String name = cfg.deviceName() != null ? cfg.deviceName()
                : (host == null ? "local" : host) + "-" + kind + "-" + threads + "t";
        String runtime = "DJL " + Engine.getDjlVersion() + " / PyTorch " + Engine.getEngine("PyTorch").getVersion()
                + " (" + dev + ", eager, inference)";
        String notes = "per-op timings of standalone blocks at each layer's input shape, " + cfg.warmup()
                + " warm-up + " + cfg.repeats() + " timed runs each; median used; java "
                + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors() + " cores visible";
        return new DeviceRecord(name, DeviceRecord.Source.MEASURED, runtime, threads, cfg.batch(), "fp32", cpu, host,
                OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(), notes);
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    int c = line.indexOf(':');
                    return c < 0 ? null : line.substring(c + 1).trim().replaceAll("\\s+", " ");
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: unknown
        }
        String arch = System.getProperty("os.arch");
        return arch == null ? null : arch;
    }

    static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
