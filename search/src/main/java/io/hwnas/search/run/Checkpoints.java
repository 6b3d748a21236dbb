package io.hwnas.search.run;

import io.hwnas.search.train.TrainState;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Atomic checkpoints of a training run. Each checkpoint is a folder
 * {@code checkpoints/ckpt-eEEEE-pP-sSSSSSS/} holding {@code supernet.params} (DJL
 * {@code Block.saveParameters}: weights and BN statistics), {@code theta.ndlist} (the search's
 * architecture logits θ), {@code optimizer.ndlist} (momentum buffers, Adam moments) and
 * {@code state.json} ({@link TrainState}). The folder is written under a
 * temporary name and renamed; then {@code checkpoint.json} (atomic) is pointed at it; then older
 * folders are deleted. A kill at any moment leaves the previous checkpoint intact and readable.
 */
public final class Checkpoints {
    public static final String POINTER = "checkpoint.json";
    public static final String DIR = "checkpoints";
    public static final String PARAMS = "supernet.params";
    public static final String OPTIMIZER = "optimizer.ndlist";
    public static final String STATE = "state.json";
    public static final String THETA = "theta.ndlist";

    private Checkpoints() {}

    /** {@code checkpoint.json}: which folder holds the latest complete checkpoint. */
    public record Pointer(int schema, String latest, int epochsDone, int phase, int stepInPhase) {
        public Pointer {
            Json.checkSchema(schema);
            HwnasException.require(latest != null && !latest.isBlank(), "latest", latest, "is required");
        }
    }

    public static boolean exists(Path runDir) {
        return Files.isRegularFile(runDir.resolve(POINTER));
    }

    public static Path save(Path runDir, Block net, NDList theta, NDList optimizer, TrainState state) {
        String name = String.format("ckpt-e%04d-p%d-s%06d", state.epochsDone(), state.phase(), state.stepInPhase());
        Path dir = runDir.resolve(DIR);
        Path target = dir.resolve(name);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempDirectory(dir, ".tmp-" + name + "-");
            try {
                try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp.resolve(PARAMS)));
                        DataOutputStream dos = new DataOutputStream(os)) {
                    net.saveParameters(dos);
                }
                Files.write(tmp.resolve(THETA), theta.encode());
                Files.write(tmp.resolve(OPTIMIZER), optimizer.encode());
                Json.writeFile(tmp.resolve(STATE), state);
                deleteTree(target);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target);
                }
            } finally {
                deleteTree(tmp);
            }
            Json.writeFile(runDir.resolve(POINTER), new Pointer(Json.SCHEMA, DIR + "/" + name, state.epochsDone(),
                    state.phase(), state.stepInPhase()));
            // keep the latest and the one before it
            List<Path> old = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().startsWith("ckpt-") && !p.equals(target))
                        .sorted(Comparator.comparing(Path::toString)).forEach(old::add);
            }
            for (int i = 0; i < old.size() - 1; i++) {
                deleteTree(old.get(i));
            }
            for (Path stale : listTmp(dir)) {
                deleteTree(stale);
            }
            return target;
        } catch (IOException e) {
            throw new HwnasException(target + ": cannot write checkpoint: " + e.getMessage(), e);
        }
    }

    /**
     * For a message about an unusable checkpoint {@code bad}: the run's other kept checkpoints, and how to continue
     * from the newest of them (the run keeps the one before the latest).
     */
    static String others(Path runDir, Path bad) {
        if (runDir == null) {
            return "";
        }
        try (java.util.stream.Stream<Path> s = Files.list(runDir.resolve(DIR))) {
            List<String> kept = s.filter(Files::isDirectory).filter(d -> !d.normalize().equals(bad.normalize()))
                    .map(d -> d.getFileName().toString()).filter(n -> n.startsWith("ckpt-")).sorted().toList();
            if (kept.isEmpty()) {
                return "; the run keeps no other checkpoint";
            }
            String newest = kept.get(kept.size() - 1);
            return "; the run also keeps " + DIR + "/" + newest + ": to continue from there, set \"latest\" in "
                    + runDir.resolve(POINTER) + " to \"" + DIR + "/" + newest + "\" (its later steps are trained again)";
        } catch (IOException e) {
            return "";
        }
    }

    /** The latest checkpoint folder of a run, or a clear error. */
    public static Path latest(Path runDir) {
        Path ptr = runDir.resolve(POINTER);
        if (!Files.isRegularFile(ptr)) {
            throw new HwnasException(runDir + ": no checkpoint (" + POINTER + " missing): not a training run directory,"
                    + " or the run was stopped before its first checkpoint");
        }
        Pointer p = Json.read(ptr, Pointer.class);
        Path dir = runDir.resolve(p.latest()).normalize();
        if (!Files.isDirectory(dir)) {
            throw new HwnasException(ptr + ": points at " + dir + ", which does not exist" + others(runDir, dir));
        }
        return dir;
    }

    /**
     * Reads the state of a checkpoint and refuses one whose space (or layer/op layout) differs from
     * {@code expected}.
     */
    public static TrainState readState(Path ckpt, SearchSpace expected) {
        return readState(ckpt, expected, null);
    }

    /**
     * As {@link #readState(Path, SearchSpace)}; {@code source} (a space id or JSON file, or null) is
     * where {@code expected} was read from, named when a space of the same id changed since training.
     */
    public static TrainState readState(Path ckpt, SearchSpace expected, String source) {
        Path f = ckpt.resolve(STATE);
        TrainState st = Json.read(f, TrainState.class);
        if (st.spaceId().equals(expected.id()) && st.space() != null
                && !st.space().sha256().equals(expected.sha256())) {
            List<String> diff = st.space().differences(expected, 3);
            boolean registered = source != null && io.hwnas.supernet.space.SpaceRegistry.IDS.contains(source);
            String what = source == null || registered ? "space " + expected.id() : "the space file " + source;
            throw new HwnasException(f + ": " + what + " changed since the run was trained (space \"" + expected.id()
                    + "\", fingerprint " + st.space().sha256().substring(0, 12) + "... then, "
                    + expected.sha256().substring(0, 12) + "... now): " + String.join(", ", diff)
                    + (registered ? "; use the hwnas version that trained the run, or train a new run"
                            : "; restore it (set " + diff.get(0).replaceFirst(" (.*) -> .*", " back to $1")
                                    + "), or train a new run on the changed space"));
        }
        if (!st.spaceId().equals(expected.id()) || st.layers() != expected.layerCount()
                || !st.ops().equals(expected.ops())) {
            throw new HwnasException(f + ": checkpoint is for space \"" + st.spaceId() + "\" (" + st.layers()
                    + " layers, ops " + String.join(" ", st.ops()) + "), not for \"" + expected.id() + "\" ("
                    + expected.layerCount() + " layers, ops " + String.join(" ", expected.ops())
                    + "): refusing to load it");
        }
        return st;
    }

    /** Loads parameters (weights, BN statistics) into an initialized network of the checkpoint's space. */
    public static void loadParams(Path ckpt, Block net, NDManager manager) {
        Path f = ckpt.resolve(PARAMS);
        try (InputStream is = new BufferedInputStream(Files.newInputStream(f));
                DataInputStream dis = new DataInputStream(is)) {
            net.loadParameters(manager, dis);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            String why = e.getMessage() != null ? e.getMessage() : e instanceof java.io.EOFException
                    ? "the file ends early (truncated)" : e.getClass().getSimpleName();
            throw new HwnasException(f + ": cannot load parameters: " + why + others(ckpt.getParent().getParent(), ckpt),
                    e);
        }
        // loading replaces the arrays: trainable ones need their gradients again
        for (var p : net.getParameters()) {
            Parameter param = p.getValue();
            if (param.requiresGradient() && !param.getArray().hasGradient()) {
                param.getArray().setRequiresGradient(true);
            }
        }
    }

    public static NDList loadOptimizer(Path ckpt, NDManager manager) {
        return loadList(ckpt.resolve(OPTIMIZER), manager, "optimizer state");
    }

    /** θ of a checkpoint (an NDList holding the array named "theta"). */
    public static NDList loadTheta(Path ckpt, NDManager manager) {
        return loadList(ckpt.resolve(THETA), manager, "θ");
    }

    private static NDList loadList(Path f, NDManager manager, String what) {
        try {
            byte[] bytes = Files.readAllBytes(f);
            return NDList.decode(manager, bytes);
        } catch (IOException | RuntimeException e) {
            throw new HwnasException(f + ": cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    static List<Path> listTmp(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    /** Whether every element of every array is finite. */
    public static boolean finite(List<NDArray> arrays) {
        for (NDArray a : arrays) {
            try (NDArray s = a.sum()) {
                if (!Float.isFinite(s.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).getFloat())) {
                    return false;
                }
            }
        }
        return true;
    }
}
