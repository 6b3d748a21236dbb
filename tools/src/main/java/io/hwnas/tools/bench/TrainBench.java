package io.hwnas.tools.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.search.train.Nets;
import io.hwnas.search.train.Sgd;
import io.hwnas.search.train.Adam;
import io.hwnas.search.train.Theta;
import io.hwnas.search.train.ThetaStep;
import io.hwnas.search.train.WeightStep;
import io.hwnas.supernet.net.FixedNet;
import io.hwnas.supernet.net.Gumbel;
import io.hwnas.supernet.net.Losses;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.ops.Layout;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code hwnas bench train}: one training step (forward, backward, SGD update) on random data, per
 * mode, median over the timed steps, with the mode's peak memory.
 *
 * <p>Modes: {@code shared-soft}, {@code shared-single}, {@code shared-sandwich} (the shared-weight
 * supernet's weight steps, as training runs them: {@link WeightStep}), {@code perop-soft},
 * {@code perop-single} (FBNet's per-op supernet), {@code shared-masked-soft} (the shared supernet
 * with one shared project BN: channel masks and one project conv), {@code shared-superkernel-soft}
 * (one depthwise BN too: the kernel sizes mixed inside one depthwise weight), {@code shared-theta}
 * (a θ step of the shared supernet as training's θ passes run it: the soft mixture on detached weights;
 * {@code shared-masked-theta} and {@code shared-superkernel-theta} the same for those kinds), {@code fixed-largest} and {@code fixed-smallest}
 * (plain {@link FixedNet}s of the largest (all {@code k5_e6}) and the smallest subnet), and
 * {@code fixed-sampled} (the plain subnets of the paths a single-path step samples: the cost a
 * single-path step should approach). Steps draw their Gumbel noise from (1, step), so every
 * single-path mode runs the same paths.
 *
 * <p>Peak memory: each mode runs in a fresh JVM (same class path, a fixed Java heap touched in full at
 * start-up, so Java garbage does not count) that resets the kernel's
 * resident-set high-water mark ({@code /proc/self/clear_refs}) once the engine is loaded, and
 * reports {@code VmHWM} minus the resident set at that point: the memory the mode's network,
 * activations, gradients and optimizer state took at their peak.
 */
public final class TrainBench {
    public static final List<String> MODES = List.of("shared-soft", "shared-single", "shared-sandwich", "fixed-largest",
            "fixed-smallest", "fixed-sampled", "perop-soft", "perop-single", "shared-masked-soft",
            "shared-superkernel-soft", "shared-theta", "shared-masked-theta", "shared-superkernel-theta");

    private TrainBench() {}

    /**
     * One mode: {@code msPerStep} and {@code peakBytes} are medians over the rounds (each round a JVM
     * of its own), {@code msRounds} each round's median step time (their spread is the machine's noise).
     */
    public record Row(String mode, double msPerStep, double imagesPerS, Long peakBytes, String arch,
            List<Double> msRounds, String layout) {
        Row(String mode, double msPerStep, double imagesPerS, Long peakBytes, String arch) {
            this(mode, msPerStep, imagesPerS, peakBytes, arch, List.of(msPerStep), LAYOUTS.get(0));
        }
    }

    /**
     * Memory layouts of the training-mode depthwise convolutions ({@link Layout}): NCHW, then channels-last.
     * {@code --layout both} times every mode in each, side by side in the same rounds.
     */
    public static final List<String> LAYOUTS = Layout.NAMES;

    public record Result(int schema, String space, int batch, int threads, int steps, int sandwichRandom,
            int rounds, String cpu, List<Row> rows) {}

    /**
     * Runs each mode in a JVM of its own (for its peak memory, and as a training run runs: one network
     * per process), {@code rounds} times, the modes in turn (round 1 runs every mode, then round 2...),
     * so a slow spell of a shared machine is outvoted; each mode's figures are the medians over the
     * rounds. (Running all modes' steps in turn inside one process was tried: the memory-heavy modes
     * then ran up to 2x slower than alone, so it measured the neighbours, not the step.)
     */
    public static Result run(SearchSpace space, String spaceArg, int batch, int steps, int warmup, int threads,
            int sandwichRandom, int rounds, List<String> modes, List<String> layouts, Progress progress) {
        if (rounds < 1) {
            throw new HwnasException("--rounds " + rounds + ": must be >= 1");
        }
        for (String l : layouts) {
            HwnasException.require(LAYOUTS.contains(l), "layout", l, "must be one of " + String.join(", ", LAYOUTS));
        }
        modes = List.copyOf(new java.util.LinkedHashSet<>(modes)); // a mode given twice is timed once
        layouts = List.copyOf(new java.util.LinkedHashSet<>(layouts));
        Map<String, List<Row>> runs = new java.util.LinkedHashMap<>();
        progress.start("bench train " + space.id(), (long) modes.size() * layouts.size() * rounds);
        int i = 0;
        for (int round = 1; round <= rounds; round++) {
            for (String mode : modes) {
                for (String layout : layouts) { // one mode's layouts back to back: side by side in time
                    runs.computeIfAbsent(layout + " " + mode, k -> new ArrayList<>()).add(child(spaceArg, mode, layout,
                            batch, steps, warmup, threads, sandwichRandom));
                    progress.update(++i, mode + (layouts.size() > 1 ? " " + layout : "")
                            + (rounds > 1 ? " (round " + round + "/" + rounds + ")" : ""));
                }
            }
        }
        progress.finish("");
        List<Row> rows = new ArrayList<>();
        for (String layout : layouts) { // rows grouped by layout, the modes in the order asked for
            for (String mode : modes) {
                rows.add(combine(runs.get(layout + " " + mode), batch));
            }
        }
        return new Result(Json.SCHEMA, space.id(), batch, threads, steps, sandwichRandom, rounds, cpuModel(), rows);
    }

    /** One mode's rounds as one row: median step time and peak memory. */
    static Row combine(List<Row> rounds, int batch) {
        List<Double> ms = rounds.stream().map(Row::msPerStep).toList();
        double med = median(ms.stream().mapToDouble(Double::doubleValue).toArray());
        Long peak = rounds.stream().anyMatch(r -> r.peakBytes() == null) ? null
                : Math.round(median(rounds.stream().mapToDouble(r -> r.peakBytes()).toArray()));
        return new Row(rounds.get(0).mode(), med, batch * 1000.0 / med, peak, rounds.get(0).arch(), ms,
                rounds.get(0).layout());
    }

    private static Row child(String space, String mode, String layout, int batch, int steps, int warmup, int threads,
            int sandwichRandom) {
        String java = ProcessHandle.current().info().command().orElse("java");
        // a fixed heap, touched in full at start-up (before the baseline), so the Java garbage a mode makes
        // cannot count as its memory (a growing heap would)
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms768m", "-Xmx768m", "-XX:+AlwaysPreTouch",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=" + threads, "-Dai.djl.pytorch.num_interop_threads=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-D" + Layout.PROPERTY + "=" + layout.equals(Layout.CHANNELS_LAST),
                // each child as quiet about DJL's CUDA probe as the launcher made this JVM (HWNAS_GPU=1: warn)
                "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=" + System.getProperty(
                        "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "warn"),
                "-cp", System.getProperty("java.class.path"),
                TrainBench.class.getName(), space, mode, Integer.toString(batch), Integer.toString(steps),
                Integer.toString(warmup), Integer.toString(sandwichRandom)));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String last = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    last = line;
                }
            }
            int rc = p.waitFor();
            if (rc != 0 || last == null) {
                throw new IllegalStateException("bench mode " + mode + " failed (exit " + rc + ")");
            }
            return Json.parse("bench " + mode, last, Row.class);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the bench process: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Child entry point: SPACE MODE BATCH STEPS WARMUP SANDWICH_RANDOM; prints one JSON row. */
    public static void main(String[] args) {
        SearchSpace space = SpaceRegistry.resolve(args[0]);
        Row r = measure(space, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        try {
            System.out.println(Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature
                    .INDENT_OUTPUT).writeValueAsString(r));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One mode, in this process. */
    public static Row measure(SearchSpace space, String mode, int batch, int steps, int warmup, int sandwichRandom) {
        if (!MODES.contains(mode)) {
            throw new HwnasException("mode '" + mode + "': one of " + String.join(", ", MODES));
        }
        Shape xs = Supernet.inputShape(space, batch);
        long[] labels = new long[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % space.head().classes();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            NDArray warm = m.randomNormal(xs); // load the engine before the memory baseline
            warm.close();
            long base = resetPeak();
            NDManager data = m.newSubManager(); // holds the batch only: whatever else lands here leaked from a step
            NDArray x = data.randomNormal(xs);
            NDArray y = data.create(labels);
            String arch = null;
            Step step;
            if (mode.equals("fixed-largest") || mode.equals("fixed-smallest")) {
                int[] path = mode.equals("fixed-largest") ? Supernet.largestPath(space) : Supernet.smallestPath(space);
                Architecture a = Architecture.ofIndices(space, path);
                arch = a.canonical();
                step = fixedStep(FixedNet.build(space, a), m, xs, x, y);
            } else {
                step = supernetStep(space, mode, m, x, y, sandwichRandom);
            }
            double ms = time(warmup, steps, step, () -> data.getManagedArrays().size());
            Long peak = peakSince(base);
            return new Row(mode, ms, batch * 1000.0 / ms, peak, arch, List.of(ms), Layout.name(false));
        }
    }

    /** One training step of a supernet mode on the batch (x, y), its network and optimizer in {@code m}. */
    private static Step supernetStep(SearchSpace space, String mode, NDManager m, NDArray x, NDArray y,
            int sandwichRandom) {
        Shape xs = x.getShape();
        int layers = space.layerCount();
        int ops = space.ops().size();
        Step step;
        if (mode.endsWith("-theta")) {
            // a θ step as training's θ passes run it: the soft mixture on detached weights, Adam on θ (the
            // latency term left out: a few small array operations); the supernet kind is the mode's prefix
            Supernet net = new Supernet(space, Supernet.layers(mode.substring(0, mode.lastIndexOf('-'))));
            net.initialize(m, DataType.FLOAT32, xs);
            ThetaStep t = new ThetaStep(net, new Theta(space, m), null, new Adam(m, 0.9, 0.999, 1e-8, 5e-4));
            step = s -> {
                try (NDManager sm = m.newSubManager()) {
                    attachBatch(x, y, sm);
                    t.run(sm, x, y, Gumbel.noise(1, s, layers * ops), 5.0, 1e-3);
                }
            };
        } else if (mode.equals("fixed-sampled")) {
            // the sampled path's plain subnet: a per-op supernet restricted to the path runs exactly its ops
            Supernet net = new Supernet(space, Supernet.layers("per-op"));
            net.initialize(m, DataType.FLOAT32, xs);
            Sgd sgd = new Sgd(m, 0.9, 1e-4);
            Map<String, String> keys = Nets.keys(net);
            step = s -> {
                int[] path = Gumbel.hardSample(new float[layers * ops], Gumbel.noise(1, s, layers * ops), layers,
                        ops);
                List<Parameter> ps = net.weights(path);
                try (NDManager sm = m.newSubManager()) {
                    attachBatch(x, y, sm);
                    Nets.zeroGrads(ps);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(Losses.crossEntropy(net.forwardPath(new ParameterStore(sm, false), x, path,
                                true), y));
                    }
                    sgd.update(ps, keys, 1e-3);
                }
            };
        } else {
            // the mode's name is the supernet kind, then the sampling: shared-masked-soft, perop-single, ...
            String kind = mode.substring(0, mode.lastIndexOf('-')).replace("perop", "per-op");
            String sampling = mode.endsWith("soft") ? "soft" : mode.endsWith("single") ? "single-path" : "sandwich";
            Supernet net = new Supernet(space, Supernet.layers(kind));
            net.initialize(m, DataType.FLOAT32, xs);
            Theta theta = new Theta(space, m);
            WeightStep w = new WeightStep(net, theta, new Sgd(m, 0.9, 1e-4), sampling, sandwichRandom, 1.0);
            step = s -> {
                try (NDManager sm = m.newSubManager()) {
                    attachBatch(x, y, sm);
                    w.run(sm, x, y, Gumbel.noise(1, s, w.noiseSize()), 5.0, 1e-3);
                }
            };
        }
        return step;
    }

    private static Step fixedStep(Block fixed, NDManager m, Shape xs, NDArray x, NDArray y) {
        fixed.initialize(m, DataType.FLOAT32, xs);
        Map<String, String> keys = Nets.keys(fixed);
        List<Parameter> params = new ArrayList<>();
        for (var p : fixed.getParameters()) {
            if (p.getValue().requiresGradient()) {
                params.add(p.getValue());
            }
        }
        Sgd sgd = new Sgd(m, 0.9, 1e-4);
        return s -> {
            try (NDManager sm = m.newSubManager()) {
                attachBatch(x, y, sm);
                Nets.zeroGrads(params);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = fixed.forward(new ParameterStore(sm, false), new NDList(x), true)
                            .singletonOrThrow();
                    gc.backward(Losses.crossEntropy(logits, y));
                }
                sgd.update(params, keys, 1e-3);
            }
        };
    }

    /**
     * Moves the batch into the step's manager for the step (back to its own when the step ends). Ops
     * attach their results to their first operand's manager: a batch left in the long-lived manager
     * collects every activation of every step there (a leak of the whole forward pass per step, which
     * inflated this bench's peak memory by the number of steps and slowed it with page faults); a
     * training loop creates each batch in its step's manager.
     */
    static void attachBatch(NDArray x, NDArray y, NDManager sm) {
        x.tempAttach(sm);
        y.tempAttach(sm);
    }

    interface Step {
        void run(int step);
    }

    /**
     * Median ms of the timed steps. Refuses a step that leaves arrays behind in the batch's manager
     * (counted by {@code live} after the first step and after the last): its figures would include
     * the leak.
     */
    static double time(int warmup, int steps, Step step, java.util.function.IntSupplier live) {
        double[] t = new double[steps];
        int after1 = -1;
        for (int i = 0; i < warmup + steps; i++) {
            long t0 = System.nanoTime();
            step.run(i);
            long t1 = System.nanoTime();
            if (i >= warmup) {
                t[i - warmup] = (t1 - t0) / 1e6;
            }
            if (i == 0) {
                after1 = live.getAsInt();
            }
        }
        int end = live.getAsInt();
        if (end != after1) {
            throw new IllegalStateException("a step leaves arrays behind: " + after1 + " live after the first step, "
                    + end + " after " + (warmup + steps));
        }
        return median(t);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Resets the resident-set high-water mark; returns the resident set now (bytes), or -1. */
    static long resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return status("VmRSS");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** VmHWM minus {@code base}, or null where the kernel does not tell. */
    static Long peakSince(long base) {
        if (base < 0) {
            return null;
        }
        long hwm = status("VmHWM");
        return hwm < 0 ? null : Math.max(0, hwm - base);
    }

    private static long status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** One layout's rows keyed by mode (for tests and reports). */
    public static Map<String, Row> byMode(Result r, String layout) {
        Map<String, Row> m = new LinkedHashMap<>();
        for (Row row : r.rows()) {
            if (row.layout().equals(layout)) {
                m.put(row.mode(), row);
            }
        }
        return m;
    }
}
