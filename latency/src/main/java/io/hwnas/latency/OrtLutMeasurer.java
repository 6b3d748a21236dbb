package io.hwnas.latency;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Progress;
import io.hwnas.supernet.export.OnnxWriter;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * LUTs and whole-network timings with ONNX Runtime (CPU) as the runtime: every candidate op of
 * every layer, the stem and the head become ONNX graphs of their own ({@link OnnxWriter}, seeded
 * random weights), each run in its own session with intra-op threads = the configured threads and
 * one inter-op thread, and timed with the protocol of {@link LutMeasurer#timeAll}: one fixed random
 * input per graph, untimed warm-up rounds, then timed rounds that each run every graph once, in
 * order; the median is kept. Graph optimizations are ONNX Runtime's default (all, e.g. Conv+BN and
 * Conv+ReLU fusion), as a deployment would run them. With several threads, intra-op spinning is
 * off: each session has its own thread pool, and spinning pools of the graphs just run would
 * compete with the pool of the graph being timed.
 */
public final class OrtLutMeasurer {
    /** Seed of the random weights of the timed graphs (values do not change the timings). */
    static final long WEIGHT_SEED = 0x5EEDL;

    private OrtLutMeasurer() {}

    /** {@code ONNX Runtime <version> (cpu)}. */
    public static String runtimeName() {
        return "ONNX Runtime " + OrtEnv.get().getVersion() + " (cpu)";
    }

    /** Whether a device record's runtime is ONNX Runtime. */
    public static boolean isOrt(DeviceRecord d) {
        return d.runtime().startsWith("ONNX Runtime");
    }

    /**
     * Intra-op threads: the configured ones, else the launcher's setting (the PyTorch thread
     * property it passes, HWNAS_THREADS), else all cores.
     */
    public static int threads(MeasureConfig cfg) {
        if (cfg.threads() > 0) {
            return cfg.threads();
        }
        Integer launcher = Integer.getInteger("ai.djl.pytorch.num_threads");
        return launcher != null && launcher > 0 ? launcher : Runtime.getRuntime().availableProcessors();
    }

    public static Lut measure(SearchSpace s, MeasureConfig cfg, Progress progress) {
        int threads = threads(cfg);
        List<ModelProto> models = new ArrayList<>();
        long seed = WEIGHT_SEED;
        models.add(OnnxWriter.stem(s, OnnxWriter.random(seed++)));
        for (LayerSpec l : s.layers()) {
            for (String op : s.ops()) {
                models.add(OnnxWriter.op(l, OpSpec.parse(op), OnnxWriter.random(seed++)));
            }
        }
        models.add(OnnxWriter.head(s, OnnxWriter.random(seed)));
        io.hwnas.core.MachineLoad load = io.hwnas.core.MachineLoad.start();
        Timing[] t = timeAll(models, InterleavedRounds.lutInputs(s, cfg.batch()), threads, cfg.warmup(), cfg.repeats(),
                cfg.clock(), progress, "measure " + s.id() + " (onnxruntime)");
        return InterleavedRounds.lut(s, t, record(cfg, threads).withLoad(load.stop()), progress);
    }

    /** Times N random whole networks of the space in ONNX Runtime and compares them with the LUT. */
    public static LutValidation.Result validate(LatencyModel lut, MeasureConfig cfg, int archs, long seed,
            Progress progress) {
        SearchSpace s = lut.space();
        List<Architecture> as = LutValidation.randomArchs(s, archs, seed);
        io.hwnas.core.MachineLoad load = io.hwnas.core.MachineLoad.start();
        Timing[] t = timeNetworks(s, as, cfg, progress, "validate " + s.id() + " (onnxruntime)");
        io.hwnas.core.MachineLoad.Reading r = load.stop();
        return LutValidation.compare(s, lut, as, seed, t, progress).withLoad(r);
    }

    /**
     * Times the whole networks of {@code as} as ONNX graphs ({@link OnnxWriter#network}, seeded
     * random weights) in ONNX Runtime with {@link #timeAll}'s protocol and {@code cfg}'s threads,
     * batch and clock. Calls {@code progress.start/update}, not finish.
     */
    public static Timing[] timeNetworks(SearchSpace s, List<Architecture> as, MeasureConfig cfg, Progress progress,
            String task) {
        List<ModelProto> models = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        long w = WEIGHT_SEED;
        for (Architecture a : as) {
            models.add(OnnxWriter.network(s, a, OnnxWriter.random(w++)));
            shapes.add(new long[] {cfg.batch(), s.input().channels(), s.input().height(), s.input().width()});
        }
        return timeAll(models, shapes, threads(cfg), cfg.warmup(), cfg.repeats(), cfg.clock(), progress, task);
    }

    /**
     * Times ONNX graphs in interleaved rounds, each in its own session, with one fixed random input
     * each: {@code warmup} untimed rounds, then {@code repeats} timed rounds that run every graph
     * once, in order. The timed span is the session's run call (outputs are released after it).
     * Calls {@code progress.start/update}, not finish.
     */
    public static Timing[] timeAll(List<ModelProto> models, List<long[]> inputs, int threads, int warmup,
            int repeats, MeasureConfig.Clock clock, Progress progress, String task) {
        HwnasException.require(threads >= 1, "threads", threads, "must be positive");
        LongSupplier clk = InterleavedRounds.clock(clock, threads == 1,
                "the cpu clock needs one intra-op thread and a JVM that reports thread CPU time");
        OrtEnvironment env = OrtEnv.get();
        int n = models.size();
        List<OrtSession> sessions = new ArrayList<>();
        List<OnnxTensor> tensors = new ArrayList<>();
        try (OrtSession.SessionOptions so = options(threads)) {
            List<Map<String, OnnxTensor>> feeds = new ArrayList<>();
            SplittableRandom r = new SplittableRandom(1);
            for (int b = 0; b < n; b++) {
                sessions.add(env.createSession(OnnxWriter.bytes(models.get(b)), so));
                OnnxTensor x = OnnxTensor.createTensor(env, randomInput(inputs.get(b), r), inputs.get(b));
                tensors.add(x);
                feeds.add(Map.of(OnnxWriter.INPUT, x));
            }
            return InterleavedRounds.time(n, warmup, repeats, clk, progress, task, "graphs", (b, c) -> {
                OrtSession sess = sessions.get(b);
                Map<String, OnnxTensor> feed = feeds.get(b);
                long t0 = c.getAsLong();
                OrtSession.Result out = sess.run(feed);
                long t1 = c.getAsLong();
                out.close();
                return t1 - t0;
            });
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor x : tensors) {
                x.close();
            }
            for (OrtSession sess : sessions) {
                try {
                    sess.close();
                } catch (OrtException e) {
                    // closing: nothing left to do
                }
            }
        }
    }

    /** Session options of every timed graph: intra-op = threads, inter-op 1, sequential, spinning off when pooled. */
    static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(threads);
        so.setInterOpNumThreads(1);
        so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        if (threads > 1) {
            so.addConfigEntry("session.intra_op.allow_spinning", "0");
        }
        return so;
    }

    /** A direct buffer of standard-normal values (seeded; the values do not change the timings). */
    static FloatBuffer randomInput(long[] shape, SplittableRandom r) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        FloatBuffer fb = ByteBuffer.allocateDirect(Math.toIntExact(count) * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (long i = 0; i < count; i++) {
            double u = 1 - r.nextDouble();
            fb.put((float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble())));
        }
        fb.flip();
        return fb;
    }

    /** The device record of an ONNX Runtime measurement made now, on this machine. */
    public static DeviceRecord record(MeasureConfig cfg, int threads) {
        String host = LutMeasurer.hostName();
        String name = cfg.deviceName() != null ? cfg.deviceName()
                : (host == null ? "local" : host) + "-ort-cpu-" + threads + "t";
        String notes = "per-op timings of standalone ONNX graphs (opset " + OnnxWriter.OPSET + ", random weights)"
                + " at each layer's input shape, one session each (graph optimizations all, " + threads
                + " intra-op / 1 inter-op thread" + (threads > 1 ? ", intra-op spinning off" : "") + "), "
                + cfg.warmup() + " warm-up + " + cfg.repeats() + " timed rounds (each round runs every graph once);"
                + " median used" + (cfg.clock() == MeasureConfig.Clock.CPU ? "; thread CPU time" : "") + "; java "
                + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " cores visible";
        return new DeviceRecord(name, DeviceRecord.Source.MEASURED, runtimeName(), threads, cfg.batch(), "fp32",
                LutMeasurer.cpuModel(), host, OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(), notes);
    }
}
