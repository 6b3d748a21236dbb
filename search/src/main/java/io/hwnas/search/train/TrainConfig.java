package io.hwnas.search.train;

import static io.hwnas.core.HwnasException.require;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import ai.djl.engine.Engine;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * Configuration of one supernet training run (FBNet DNAS). Every field but {@code space} and
 * {@code dataset} has a default (see {@link #defaults()}); a config file only names what it changes.
 * Unknown fields are refused.
 *
 * @param space registered space id or path to a space JSON file
 * @param dataset fashion-mnist, cifar10 or folder
 * @param dataDir the dataset's location; null: {@code Datasets.locate} (HWNAS_DATA, system paths, shared data)
 * @param lut the latency lookup table (required unless alpha is 0)
 * @param alpha weight of the latency term; 0 means plain cross-entropy (no latency term)
 * @param beta exponent of the latency term
 * @param latencyLoss "multiplicative": FBNet's CE · alpha · (log LAT)^beta (alpha only scales the
 *     θ gradient, which Adam normalises away: beta and LAT's unit set the trade-off); "additive":
 *     CE + alpha · (log LAT)^beta (alpha sets the trade-off)
 * @param latencyUnit unit of LAT inside the log: "ms", "us", "auto" (the smallest of ms, 0.1 ms,
 *     0.01 ms, us in which the fastest architecture has log LAT &gt;= 1) or "fastest/N" (the fastest
 *     architecture's latency / N: the same trade-off on a machine uniformly faster or slower); a LUT
 *     under which the fastest architecture has log LAT &lt;= 0 is refused
 * @param latencyExpectation "sample": LAT from the same Gumbel sample as the forward pass;
 *     "softmax": LAT from softmax(theta)
 * @param supernet "shared" (the default: one weight set per layer shared by every candidate,
 *     Once-for-All style, so extracted subnets work as they are; "shared-masked" has one shared
 *     project BN; "shared-superkernel" also one depthwise BN, its soft step runs one conv of each kind)
 *     or "per-op" (FBNet: every candidate op has its own weights)
 * @param sandwichRandom random subnets per "sandwich" weight step besides the largest and the smallest
 * @param kdWeight weight of in-place distillation from the largest subnet in "sandwich" steps
 *     (loss of a smaller subnet = CE + kdWeight · CE(softmax(largest's logits), its logits))
 * @param weightSampling weight steps ("sampling" is read as an old name of it): "soft" (FBNet: the
 *     Gumbel-softmax mixture of every op), "sandwich" (OFA/BigNAS: the largest, the smallest and
 *     sandwichRandom random subnets per step, with in-place distillation from the largest) or
 *     "single-path" (one sampled op per layer: about 9x cheaper per step, but on the small spaces the
 *     supernet then learns far more slowly, see the README)
 * @param epochs total epochs, warm-up included
 * @param warmupEpochs first epochs with weight steps only (θ frozen, paths sampled uniformly)
 * @param batchSize images per step
 * @param weightLr initial SGD learning rate (cosine-annealed over all weight steps to weightLrMin)
 * @param weightLrMin final SGD learning rate
 * @param momentum SGD momentum
 * @param weightDecay SGD weight decay, applied only to parameters that ran in the step
 * @param thetaLr Adam learning rate of θ
 * @param thetaWeightDecay L2 on θ (added to its gradient)
 * @param tauStart Gumbel-softmax temperature at epoch 0
 * @param tauDecay τ is multiplied by exp(-tauDecay) per epoch
 * @param seed the one seed every random draw derives from
 * @param threads PyTorch intra-op threads (0: leave as configured)
 * @param device "auto" (DJL's default: the first GPU when the engine has one, else the CPU), "cpu",
 *     "gpu" or "gpu:N"
 * @param trainSubset images of the training set used (0: all); a seeded random subset
 * @param testSubset images of the test set used for evaluation (0: all)
 * @param weightFraction part of the (subset of the) training set for weight steps; the rest for θ steps
 * @param augment random crop/flip for the weight pass
 * @param checkpointEverySteps also checkpoint every N steps inside an epoch (0: only at epoch ends)
 * @param finalSamples architectures sampled from the final θ (arch-sample-K.json)
 * @param evalTest evaluate the argmax architecture (inside the supernet) on the test set after each epoch
 * @param progressiveEpochs the first N warm-up epochs sample only the dense ops ({@code kK_eE}: no
 *     {@code skip}, no grouped op), for single-path steps and the sandwich's smallest and random
 *     subnets: progressive shrinking in two stages (OFA trains elastic kernel and width before depth);
 *     the later epochs sample every op
 * @param depthSampling how the uniformly sampled paths (single-path warm-up steps, and the later ones
 *     with weightPaths "uniform"; the sandwich's random subnets) treat {@code skip}: "op" (one op among the others: a layer is skipped with
 *     probability 1/ops) or "uniform" (a skip rate r ~ U(0, 1) per path: the number of skipped layers
 *     is uniform, so the shallow subnets a latency loss picks are trained as often as the deep ones)
 * @param weightPaths where single-path weight steps after the warm-up take their paths: "theta" (FBNet:
 *     sampled from θ, so the weights follow the search) or "uniform" (as in the warm-up, uniform per op
 *     or of uniform depth as depthSampling says: Once-for-All, the weights serve every subnet and θ
 *     only searches) or "mixed" (every second step each: θ's picks train most, and every subnet keeps
 *     training); the sandwich's random subnets are uniform either way
 * @param boundsEvery single-path only: every N-th weight step trains the largest subnet and the step
 *     after it the smallest (the smallest dense one in the dense-only epochs), the sandwich rule's
 *     bounds at no extra cost per step; 0: every step samples its path
 * @param thetaFreezeEntropy θ stops training once it has settled: after an epoch (past the warm-up) at
 *     whose end every layer's θ entropy (nats; ln(ops) is uniform) is below this, the later epochs run
 *     no θ steps, so their time goes to the weights alone (the weight steps keep sampling their paths
 *     from the frozen θ); 0: θ trains in every epoch (FBNet)
 * @param labelSmoothing ε of label smoothing in the weight steps' loss: (1 - ε) · CE + ε · the mean over the classes
 *     of -log softmax (the cross-entropy against targets with ε spread over the classes; OFA trains with 0.1);
 *     the reported weight loss stays the plain cross-entropy, and θ's steps are not smoothed; 0: plain CE
 */
@JsonDeserialize(using = TrainConfig.Reader.class)
public record TrainConfig(int schema, String space, String dataset, String dataDir, String lut, double alpha,
        double beta, String latencyLoss, String latencyUnit, String latencyExpectation, String weightSampling, int epochs,
        int warmupEpochs, int batchSize, double weightLr, double weightLrMin, double momentum, double weightDecay, double thetaLr,
        double thetaWeightDecay, double tauStart, double tauDecay, long seed, int threads, String device,
        int trainSubset, int testSubset, double weightFraction, boolean augment, int checkpointEverySteps, int finalSamples,
        boolean evalTest, String supernet, int sandwichRandom, double kdWeight, int progressiveEpochs, String depthSampling,
        String weightPaths, int boundsEvery, double thetaFreezeEntropy, double labelSmoothing) {

    public static final Set<String> DATASETS = Set.of("fashion-mnist", "cifar10", "folder");

    /**
     * Reads a config wherever one is stored (a config file, the copy in provenance.json, an
     * experiment file) through {@link #parse}: a field added after the file was written takes its
     * default, so older runs stay readable; unknown fields are refused as in a config file.
     */
    static final class Reader extends JsonDeserializer<TrainConfig> {
        @Override
        public TrainConfig deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode n = p.readValueAsTree();
            return parse("config", n);
        }
    }

    /** The record's own deserializer (the mix-in switches {@link Reader} off): used by {@link #parse} on a complete tree. */
    @JsonDeserialize(using = JsonDeserializer.None.class)
    private interface Plain {}

    private static final ObjectMapper PLAIN = Json.mapper().copy().addMixIn(TrainConfig.class, Plain.class);

    public TrainConfig {
        Json.checkSchema(schema);
        require(space != null && !space.isBlank(), "space", space, "is required: a registered space id or a space JSON file");
        require(dataset != null && !dataset.isBlank(), "dataset", dataset, "is required: one of fashion-mnist, cifar10, folder");
        require(DATASETS.contains(dataset), "dataset", dataset, "must be one of fashion-mnist, cifar10, folder");
        require(alpha >= 0 && Double.isFinite(alpha), "alpha", alpha, "must be >= 0 (0: no latency term)");
        require(beta >= 0 && Double.isFinite(beta), "beta", beta, "must be >= 0");
        require(alpha == 0 || (lut != null && !lut.isBlank()), "lut", lut, "is required when alpha > 0");
        require(oneOf(latencyLoss, "multiplicative", "additive"), "latency_loss", latencyLoss,
                "must be multiplicative (FBNet: CE·α·(log LAT)^β) or additive (CE + α·(log LAT)^β)");
        require(io.hwnas.latency.LatencyUnit.valid(latencyUnit), "latency_unit", latencyUnit, "must be "
                + io.hwnas.latency.LatencyUnit.SETTINGS);
        require(oneOf(latencyExpectation, "sample", "softmax"), "latency_expectation", latencyExpectation,
                "must be sample or softmax");
        require(oneOf(weightSampling, "single-path", "soft", "sandwich"), "weight_sampling", weightSampling,
                "must be soft, sandwich or single-path");
        require(oneOf(supernet, "per-op", "shared", "shared-masked", "shared-superkernel"), "supernet",
                supernet, "must be shared, shared-masked, shared-superkernel or per-op");
        require(sandwichRandom >= 0 && sandwichRandom <= 16, "sandwich_random", sandwichRandom, "must be 0..16");
        require(kdWeight >= 0 && Double.isFinite(kdWeight), "kd_weight", kdWeight, "must be >= 0");
        require(epochs >= 1, "epochs", epochs, "must be at least 1");
        require(warmupEpochs >= 0 && warmupEpochs <= epochs, "warmup_epochs", warmupEpochs,
                "must be 0..epochs (" + epochs + ")");
        require(batchSize >= 1, "batch_size", batchSize, "must be positive");
        require(weightLr > 0 && Double.isFinite(weightLr), "weight_lr", weightLr, "must be > 0 (with 0 no weight would"
                + " train: every subnet would keep its random initialisation)");
        require(weightLrMin >= 0 && weightLrMin <= weightLr, "weight_lr_min", weightLrMin, "must be 0..weight_lr");
        require(momentum >= 0 && momentum < 1, "momentum", momentum, "must be in [0, 1)");
        require(weightDecay >= 0, "weight_decay", weightDecay, "must be >= 0");
        require(thetaLr >= 0, "theta_lr", thetaLr, "must be >= 0");
        require(thetaWeightDecay >= 0, "theta_weight_decay", thetaWeightDecay, "must be >= 0");
        require(tauStart > 0, "tau_start", tauStart, "must be positive");
        require(tauDecay >= 0, "tau_decay", tauDecay, "must be >= 0");
        require(threads >= 0, "threads", threads, "must be >= 0 (0: default)");
        require(device != null && device.matches("auto|cpu|gpu|gpu:[0-9]{1,4}"), "device", device,
                "must be auto, cpu, gpu or gpu:N (N a GPU index, at most 4 digits)");
        require(trainSubset >= 0, "train_subset", trainSubset, "must be >= 0 (0: all)");
        require(testSubset >= 0, "test_subset", testSubset, "must be >= 0 (0: all)");
        require(weightFraction > 0 && weightFraction < 1, "weight_fraction", weightFraction, "must be in (0, 1)");
        require(checkpointEverySteps >= 0, "checkpoint_every_steps", checkpointEverySteps, "must be >= 0");
        require(finalSamples >= 0, "final_samples", finalSamples, "must be >= 0");
        require(progressiveEpochs >= 0 && progressiveEpochs <= warmupEpochs, "progressive_epochs", progressiveEpochs,
                "must be 0..warmup_epochs (" + warmupEpochs + "): the dense-only stage is part of the weights-only"
                + " warm-up");
        require(progressiveEpochs == 0 || !weightSampling.equals("soft"), "progressive_epochs", progressiveEpochs,
                "needs weight_sampling single-path or sandwich (a soft step runs every op)");
        require(oneOf(depthSampling, "op", "uniform"), "depth_sampling", depthSampling,
                "must be op (skip is one op among the others) or uniform (the number of skipped layers uniform)");
        require(depthSampling.equals("op") || !weightSampling.equals("soft"), "depth_sampling", depthSampling,
                "uniform needs weight_sampling single-path or sandwich (a soft step runs every op)");
        require(oneOf(weightPaths, "theta", "uniform", "mixed"), "weight_paths", weightPaths,
                "must be theta (paths after the warm-up sampled from θ), uniform (as in the warm-up) or mixed (every"
                + " second step each)");
        require(weightPaths.equals("theta") || !weightSampling.equals("soft"), "weight_paths", weightPaths,
                weightPaths + " needs weight_sampling single-path or sandwich (a soft step runs every op)");
        require(boundsEvery == 0 || boundsEvery >= 2, "bounds_every", boundsEvery,
                "must be 0 (every step samples its path) or at least 2 (every N-th step the largest subnet, the next the"
                + " smallest)");
        require(boundsEvery == 0 || weightSampling.equals("single-path"), "bounds_every", boundsEvery,
                "needs weight_sampling single-path (a sandwich step trains the bounds every step, a soft step runs every op)");
        require(labelSmoothing >= 0 && labelSmoothing < 1, "label_smoothing", labelSmoothing, "must be in [0, 1) (0:"
                + " plain cross-entropy; e.g. 0.1: the weight steps' targets give 0.1 to the classes evenly)");
        require(thetaFreezeEntropy >= 0 && Double.isFinite(thetaFreezeEntropy), "theta_freeze_entropy",
                thetaFreezeEntropy, "must be >= 0 (0: θ trains in every epoch; e.g. 0.1: its steps stop once every"
                + " layer's θ entropy is below 0.1 nats)");
    }

    /** Whether {@code value} is one of {@code allowed} (null is not: {@code Set.of(...).contains(null)} would throw). */
    private static boolean oneOf(String value, String... allowed) {
        return value != null && java.util.Arrays.asList(allowed).contains(value);
    }

    /** FBNet's settings (Wu et al. 2019), shortened for CPU runs. {@code space}/{@code dataset} stay unset. */
    public static ObjectNode defaults() {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("schema", Json.SCHEMA);
        n.putNull("space");
        n.putNull("dataset");
        n.putNull("data_dir");
        n.putNull("lut");
        n.put("alpha", 0.2);
        n.put("beta", 0.6);
        n.put("latency_loss", "multiplicative");
        n.put("latency_unit", "auto");
        n.put("latency_expectation", "sample");
        n.put("weight_sampling", "soft");
        n.put("epochs", 10);
        n.put("warmup_epochs", 2);
        n.put("batch_size", 64);
        n.put("weight_lr", 0.1);
        n.put("weight_lr_min", 0.0);
        n.put("momentum", 0.9);
        n.put("weight_decay", 1e-4);
        n.put("theta_lr", 0.01);
        n.put("theta_weight_decay", 5e-4);
        n.put("tau_start", 5.0);
        n.put("tau_decay", 0.045);
        n.put("seed", 1);
        n.put("threads", 0);
        n.put("device", "auto");
        n.put("train_subset", 0);
        n.put("test_subset", 0);
        n.put("weight_fraction", 0.8);
        n.put("augment", false);
        n.put("checkpoint_every_steps", 0);
        n.put("final_samples", 5);
        n.put("eval_test", false);
        n.put("supernet", "shared");
        n.put("sandwich_random", 2);
        n.put("kd_weight", 1.0);
        n.put("progressive_epochs", 0);
        n.put("depth_sampling", "op");
        n.put("weight_paths", "theta");
        n.put("bounds_every", 0);
        n.put("theta_freeze_entropy", 0.0);
        n.put("label_smoothing", 0.0);
        return n;
    }

    /**
     * Refuses a field {@code given} (an object holding training-config fields, or some of them) has
     * that a training config does not (nor is in {@code also}), naming it {@code prefix + field}:
     * a sweep names its {@code base.} and {@code settings[i].} fields so.
     */
    public static void checkFields(String source, String prefix, JsonNode given, java.util.Set<String> also) {
        ObjectNode d = defaults();
        for (Iterator<String> it = given.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!d.has(f) && !f.equals("sampling") && !also.contains(f)) {
                throw new HwnasException(source + ": field '" + prefix + f + "' is not known (known there: "
                        + String.join(", ", (Iterable<String>) d::fieldNames) + ")");
            }
        }
    }

    /** Parses a config: the given fields over the defaults; unknown fields and bad values refused. */
    public static TrainConfig parse(String source, JsonNode given) {
        if (given == null || !given.isObject()) {
            throw new HwnasException(source + ": a training config must be a JSON object");
        }
        ObjectNode d = defaults();
        if (given.has("sampling")) { // the field's old name
            if (given.has("weight_sampling")) {
                throw new HwnasException(source + ": give 'weight_sampling' only ('sampling' is its old name)");
            }
            ObjectNode copy = ((ObjectNode) given).deepCopy();
            copy.set("weight_sampling", copy.remove("sampling"));
            given = copy;
        }
        checkFields(source, "", given, java.util.Set.of());
        JsonNode warmup = d.get("warmup_epochs");
        d.setAll((ObjectNode) given);
        if (!given.has("warmup_epochs") && d.get("epochs").isInt() && d.get("epochs").intValue() >= 1
                && d.get("epochs").intValue() < warmup.intValue()) { // the user never wrote the value refused
            throw new HwnasException(source + ": field 'warmup_epochs' = " + warmup.intValue() + " (the default; give"
                    + " warmup_epochs <= epochs): must be 0..epochs (" + d.get("epochs").intValue() + ")");
        }
        try {
            return PLAIN.treeToValue(d, TrainConfig.class);
        } catch (IOException | RuntimeException e) {
            throw Json.describe(source, e, d);
        }
    }

    public static TrainConfig parse(String source, String json) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw Json.describe(source, e);
        }
        return parse(source, n);
    }

    /**
     * Reads a config file; relative paths in it (space file, data_dir, lut) are resolved against the
     * file's folder, so the stored copy in a run directory holds absolute paths.
     */
    public static TrainConfig read(Path file) {
        String text = Json.readText(file); // bounded, regular files only, UTF-8 checked
        TrainConfig c = parse(file.toString(), text);
        Path base = file.toAbsolutePath().getParent();
        return c.resolved(base);
    }

    /** A copy with relative paths made absolute against {@code base}. */
    public TrainConfig resolved(Path base) {
        String sp = space;
        if (sp.endsWith(".json") && !Path.of(sp).isAbsolute()) {
            sp = base.resolve(sp).normalize().toString();
        }
        return new TrainConfig(schema, sp, dataset, abs(base, dataDir), abs(base, lut), alpha, beta, latencyLoss,
                latencyUnit, latencyExpectation, weightSampling, epochs, warmupEpochs, batchSize, weightLr, weightLrMin, momentum,
                weightDecay, thetaLr, thetaWeightDecay, tauStart, tauDecay, seed, threads, device, trainSubset,
                testSubset, weightFraction, augment, checkpointEverySteps, finalSamples, evalTest, supernet, sandwichRandom,
                kdWeight, progressiveEpochs, depthSampling, weightPaths, boundsEvery, thetaFreezeEntropy, labelSmoothing);
    }

    private static String abs(Path base, String p) {
        if (p == null || p.isBlank() || Path.of(p).isAbsolute()) {
            return p;
        }
        return base.resolve(p).normalize().toString();
    }

    /** Builder-style copy helpers used by commands and tests. */
    public TrainConfig with(String field, Object value) {
        ObjectNode n = Json.mapper().valueToTree(this);
        n.set(field, Json.mapper().valueToTree(value));
        return parse("config", n);
    }

    public boolean latencyTerm() {
        return alpha > 0;
    }

    /** The search space the config names (a registered id or a space file). */
    public SearchSpace resolveSpace() {
        try {
            return SpaceRegistry.resolve(space);
        } catch (HwnasException e) {
            throw named("space", space, e);
        }
    }

    /** {@code e} about the file or id a field names, as a message about that field (unless it names it already). */
    private static HwnasException named(String field, String value, HwnasException e) {
        return e.getMessage().startsWith("field '") ? e
                : new HwnasException("field '" + field + "' = \"" + value + "\": " + e.getMessage(), e);
    }

    /**
     * The DJL device {@code device} names; a GPU that is not there is refused, naming the field
     * (checked before a run writes anything).
     */
    public ai.djl.Device resolveDevice() {
        if (device.equals("auto")) {
            return Engine.getInstance().defaultDevice();
        }
        if (device.equals("cpu")) {
            return ai.djl.Device.cpu();
        }
        int id = device.equals("gpu") ? 0 : Integer.parseInt(device.substring(4));
        int gpus = Engine.getInstance().getGpuCount();
        require(id < gpus, "device", device, gpus == 0 ? "no GPU is visible to DJL/PyTorch (the CPU"
                + " build of PyTorch is on the class path: run with HWNAS_GPU=1, see the README)" : "only " + gpus
                + " GPU(s) are visible");
        return ai.djl.Device.gpu(id);
    }

    /** The latency model of {@code lut} bound to {@code space} (the file read once), or null without one. */
    public LatencyModel latencyModel(SearchSpace space) {
        if (lut == null || lut.isBlank()) {
            return null;
        }
        try {
            return LatencyModels.read(Path.of(lut), space);
        } catch (HwnasException e) {
            throw named("lut", lut, e);
        }
    }
}
