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
import io.hwnas.core.Progress;
import io.hwnas.core.HwnasException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

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
        if (cfg.threads() > 0) {
            JniUtils.setNumThreads(cfg.threads());
        }
        try {
            List<Block> todo = new ArrayList<>();
            todo.add(blocks.stem(s));
            for (LayerSpec l : s.layers()) {
                for (String op : s.ops()) {
                    todo.add(blocks.op(l, OpSpec.parse(op)));
                }
            }
            todo.add(blocks.head(s));
            List<Shape> shapes = InterleavedRounds.lutInputs(s, cfg.batch()).stream().map(Shape::new).toList();
            Timing[] t;
            io.hwnas.core.MachineLoad load = io.hwnas.core.MachineLoad.start();
            try (NDManager base = NDManager.newBaseManager(dev)) {
                t = timeAll(todo, shapes, base, cfg.warmup(), cfg.repeats(), cfg.clock(), progress, "measure " + s.id());
            }
            return InterleavedRounds.lut(s, t, record(cfg, dev).withLoad(load.stop()), progress);
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    /**
     * Times several blocks in interleaved rounds, the way a network runs them: each block is
     * initialized for its input shape (in a sub-manager of {@code base}) and fed one fixed random
     * input; then {@code warmup} untimed rounds and {@code repeats} timed rounds each run every
     * block once, in order. Interleaving spreads bursts of load from other processes over all
     * blocks instead of spoiling one block's whole window, and the median drops the bursts.
     * Inference mode: no autograd, {@code training=false}. Each run's outputs live in a
     * short-lived manager so memory stays flat. Calls {@code progress.start/update}, not finish.
     */
    public static Timing[] timeAll(List<Block> blocks, List<Shape> inputs, NDManager base,
            int warmup, int repeats, MeasureConfig.Clock clock, Progress progress, String task) {
        Engine.getInstance();
        LongSupplier clk = InterleavedRounds.clock(clock, !base.getDevice().isGpu(),
                "the cpu clock needs a CPU device and a JVM that reports thread CPU time");
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        int n = blocks.size();
        try (NDManager m = base.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            NDArray[] x = new NDArray[n];
            for (int b = 0; b < n; b++) {
                blocks.get(b).initialize(m, DataType.FLOAT32, inputs.get(b));
                x[b] = m.randomNormal(inputs.get(b));
            }
            boolean sync = m.getDevice().isGpu();
            return InterleavedRounds.time(n, warmup, repeats, clk, progress, task, "blocks", (b, c) -> {
                try (NDManager step = m.newSubManager()) {
                    x[b].tempAttach(step);
                    long t0 = c.getAsLong();
                    NDList y = blocks.get(b).forward(ps, new NDList(x[b]), false);
                    if (sync) {
                        y.head().flatten().get(0).getFloat(); // wait for the device
                    }
                    return c.getAsLong() - t0;
                }
            });
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** Times one block alone: {@link #timeAll} with a single block. */
    public static Timing time(Block block, NDManager base, Shape input, int warmup, int repeats) {
        return timeAll(List.of(block), List.of(input), base, warmup, repeats, MeasureConfig.Clock.WALL, Progress.NONE,
                "time")[0];
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
                + " (" + dev + ", eager, inference" + (cfg.clock() == MeasureConfig.Clock.CPU ? ", thread CPU time" : "")
                + ")";
        String notes = "per-op timings of standalone blocks at each layer's input shape, " + cfg.warmup()
                + " warm-up + " + cfg.repeats() + " timed rounds (each round runs every block once); median used; java "
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
