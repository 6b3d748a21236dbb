package io.hwnas.tools.cli;

import io.hwnas.core.FileGate;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.search.run.Checkpoints;
import io.hwnas.search.run.RunFiles;
import io.hwnas.search.run.RunLock;
import io.hwnas.search.subnet.Finetune;
import io.hwnas.search.subnet.Origin;
import io.hwnas.supernet.net.SubnetIO;
import io.hwnas.supernet.space.Architecture;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checks of an {@code -o} target made before any work starts: an existing file or folder is
 * replaced only when it is the same kind of thing (a subnet of the same architecture), or with
 * {@code --force}; a temporary file is written in the target's folder (output files: its nearest
 * existing folder, nothing created; output folders: created, and removed again with the parents the
 * check created when the work fails) and removed, so an unwritable output is refused at once, not
 * after minutes of measuring or training.
 */
final class Outputs {
    private Outputs() {}

    /**
     * An output LUT file given with {@code option}: as {@link #resultFile}, and the refusal of an
     * existing file says whether it holds a LUT (space, device) or something else.
     */
    static void lutFile(String option, Path out, boolean force, Path... inputs) {
        outputFile(option, out, force, "give the LUT file to write, e.g. " + out.resolve("lut.json"), () -> {
            try {
                var lut = io.hwnas.latency.Lut.read(out);
                return " and holds a LUT (space " + lut.space() + ", device " + lut.device().name() + ")";
            } catch (HwnasException e) {
                return " and holds a file that is not a LUT";
            }
        }, inputs);
    }

    /**
     * An output file of results (JSON, a plot, a fitted model) named by {@code option}: a folder is
     * refused, so is any of {@code inputs} (the files the command reads), even with --force; an
     * existing non-empty file is replaced only with {@code force}. Nothing is created.
     */
    static void resultFile(String option, Path out, boolean force, Path... inputs) {
        outputFile(option, out, force, "give the file to write", () -> "", inputs);
    }

    private static void outputFile(String option, Path out, boolean force, String folderAdvice,
            java.util.function.Supplier<String> holds, Path... inputs) {
        if (Files.isDirectory(out)) {
            throw new HwnasException(option + " " + out + ": is a folder; " + folderAdvice);
        }
        notAnInput(option, out, inputs);
        notOwned(option, out);
        if (Files.exists(out) && size(out) > 0 && !force) {
            throw new HwnasException(option + " " + out + ": already exists" + holds.get() + "; give --force to"
                    + " replace it, or another " + option);
        }
        probeNearest(option, out);
    }

    /** Refuses outputs that are the same file as another output of the call (given as "option", path pairs). */
    static void distinct(Object... optionPathPairs) {
        for (int i = 0; i < optionPathPairs.length; i += 2) {
            for (int j = i + 2; j < optionPathPairs.length; j += 2) {
                Path a = (Path) optionPathPairs[i + 1];
                Path b = (Path) optionPathPairs[j + 1];
                if (a != null && b != null && same(a, b)) {
                    throw new HwnasException(optionPathPairs[j] + " " + b + ": is also " + optionPathPairs[i]
                            + "; give each output its own file");
                }
            }
        }
    }

    /** The file a space option names, when it names a file (not a registered id); else null. */
    static Path spaceFile(String space) {
        if (space == null || io.hwnas.supernet.space.SpaceRegistry.IDS.contains(space)) {
            return null; // SpaceRegistry.resolve takes a registered id before a file of that name
        }
        try {
            Path p = Path.of(space);
            return Files.isRegularFile(p) ? p : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private static void notAnInput(String option, Path out, Path... inputs) {
        for (Path in : inputs) {
            if (in != null && same(in, out)) {
                throw new HwnasException(option + " " + out + ": is a file this command reads; give another " + option);
            }
        }
    }

    /**
     * An output folder of an experiment: refused when it is a file and, unless {@code force}, when it
     * is not empty and holds none of {@code continued} (the names only this experiment writes, which
     * a rerun continues from, e.g. {@code runs}); a folder of finished results alone (nothing to
     * continue) is refused as well. Nothing is created.
     */
    static void experimentDir(Path out, boolean force, String... continued) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new HwnasException("-o " + out + ": is a file, not a folder; give a folder for the results");
        }
        notInARun(out, "an experiment");
        if (Files.exists(out.resolve(QuickstartRun.MARKER))) {
            throw new HwnasException("-o " + out + ": is a quickstart's folder; an experiment is never written into one,"
                    + " even with --force; give another -o");
        }
        if (!force && Files.isDirectory(out) && !isEmpty(out)
                && java.util.Arrays.stream(continued).noneMatch(n -> Files.exists(out.resolve(n)))) {
            throw new HwnasException("-o " + out + ": " + (Files.exists(out.resolve("results.json"))
                    ? "already holds results (results.json) and nothing this experiment continues from"
                    : "is not empty and holds nothing of this experiment") + " (it holds " + firstNames(out)
                    + "); give --force to write into it (files of the experiment's names are replaced), or an empty"
                    + " or new folder");
        }
        probeNearest("-o", out.resolve("results.json"), out);
    }

    /** Whether {@code p} is {@code dir} or lies inside it, symbolic links resolved where the paths exist. */
    static boolean inside(Path p, Path dir) {
        return real(p).startsWith(real(dir));
    }

    /** {@code p} with symbolic links resolved; a path that does not exist yet: its nearest existing parent's. */
    private static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        for (Path q = abs; q != null; q = q.getParent()) {
            try {
                return q.toRealPath().resolve(q.relativize(abs));
            } catch (IOException | SecurityException e) {
                // try the parent
            }
        }
        return abs;
    }

    /**
     * Refuses an output {@code out} (given with {@code option}) that is {@code read}, a folder this
     * command reads ({@code what}: "training run", "subnet folder"), lies inside it or holds it, even
     * with --force: nothing the command reads is written into, over or emptied.
     */
    static void apart(String option, Path out, String what, Path read) {
        if (inside(out, read)) {
            throw new HwnasException(option + " " + out + ": " + (real(out).equals(real(read)) ? "is the " + what
                    : "is inside the " + what + " " + read) + ", which this call reads; give an " + option + " outside it"
                    + " (--force does not change this)");
        }
        if (inside(read, out)) {
            throw new HwnasException(option + " " + out + ": holds the " + what + " " + read + ", which this call"
                    + " reads; give an " + option + " outside it (--force does not change this)");
        }
    }

    /**
     * The training run folder {@code out} is or lies in (one holding {@value Checkpoints#POINTER}, or
     * {@code config.json} and {@code provenance.json}: a run stopped before its first checkpoint), or null.
     */
    static Path enclosingRun(Path out) {
        for (Path p = real(out); p != null; p = p.getParent()) {
            if (isRun(p)) {
                return p;
            }
        }
        return null;
    }

    private static boolean isRun(Path dir) {
        return Checkpoints.exists(dir) || Files.isRegularFile(dir.resolve(RunFiles.CONFIG))
                && Files.isRegularFile(dir.resolve(RunFiles.PROVENANCE));
    }

    /**
     * Refuses an output file {@code out} (results, a LUT, an exported model) in or below a training run folder
     * (a run's folder is its own: a file there could replace or pose as one of the run's) or that is one of a
     * subnet's own files, even with --force; other files beside a subnet's are allowed.
     */
    static void notOwned(String option, Path out) {
        Path parent = out.toAbsolutePath().normalize().getParent();
        if (parent == null) {
            return;
        }
        Path run = enclosingRun(parent);
        if (run != null) {
            throw new HwnasException(option + " " + out + ": is inside the training run " + run + "; nothing is written"
                    + " into a run folder but by the run, even with --force; give another " + option);
        }
        String name = out.getFileName().toString();
        if (Files.isRegularFile(parent.resolve(SubnetIO.ARCH_FILE)) && SUBNET_FILES.contains(name)) {
            throw new HwnasException(option + " " + out + ": is a file of the subnet in " + parent + "; it is never"
                    + " replaced, even with --force; give another " + option);
        }
    }

    /** Refuses an output folder {@code out} of picks or a subnet that is or lies in a training run, even with --force. */
    private static void notInARun(Path out, String what) {
        Path run = enclosingRun(out);
        if (run != null) {
            throw new HwnasException("-o " + out + ": " + (run.equals(real(out)) ? "holds a training run"
                    : "is inside the training run " + run) + "; " + what + " is never written into a run folder, even"
                    + " with --force; give another -o");
        }
    }

    /** {@code a} and {@code b} are the same file (or, when either does not exist, the same normalized path). */
    static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // fall through to the path comparison
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** Probes the nearest existing folder of {@code out} (without creating any), refusing at once if it is not writable. */
    static void probeNearest(String option, Path out) {
        probeNearest(option, out, out);
    }

    /** {@link #probeNearest(String, Path)} for a file {@code out} the user named as {@code shown} (its folder). */
    static void probeNearest(String option, Path out, Path shown) {
        Path probe = out.toAbsolutePath().getParent();
        while (probe != null && !Files.isDirectory(probe)) {
            if (Files.exists(probe)) {
                throw new HwnasException(option + " " + shown + ": cannot write there (" + probe + " is a file, not a"
                        + " folder); nothing was done");
            }
            probe = probe.getParent();
        }
        if (probe != null) {
            probeWritable(option, probe, shown);
        }
    }

    /**
     * An output subnet folder. {@code intended} is the architecture about to be written, or null when
     * it is not known before the work; {@code fromRun} the run it comes from (extract: the run read;
     * finetune: the run its input subnet was extracted from), or null when unknown. A subnet
     * already there is replaced without {@code force} only when it is the same architecture and, with
     * {@code fromRun}, comes from that run (so a subnet can be extracted or fine-tuned again from its run).
     * A folder that is or lies in a training run is refused even with {@code force}.
     * Returns a clean-up to run if the work fails: it removes the folder again when this check created
     * it and it is still empty.
     */
    static Runnable subnetDir(Path out, Architecture intended, Path fromRun, boolean force) {
        return subnetDir(out, intended, fromRun, null, force);
    }

    /**
     * {@link #subnetDir(Path, Architecture, Path, boolean)} for {@code hwnas finetune} with its
     * {@code settings}: a subnet already there is replaced without {@code force} only when it is a
     * fine-tune of the same settings (its origin.json's {@code finetune}), so a rerun of the same call
     * goes ahead and any other replacement needs --force.
     */
    static Runnable subnetDir(Path out, Architecture intended, Path fromRun, Finetune.Settings settings,
            boolean force) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new HwnasException("-o " + out + ": is a file, not a folder; give a folder for the subnet");
        }
        notInARun(out, "a subnet");
        if (Files.isRegularFile(out.resolve("pick.json"))) { // its pick.json and the summary would describe another subnet
            throw new HwnasException("-o " + out + ": is a specialization's pick (pick.json); a subnet is never written"
                    + " over one, even with --force; give another -o");
        }
        boolean existed = Files.isDirectory(out);
        if (existed && !isEmpty(out) && !force) {
            Architecture there = subnetArch(out);
            if (there == null) {
                throw new HwnasException("-o " + out + ": is not empty and holds no subnet (no readable "
                        + SubnetIO.ARCH_FILE + "); give --force to write into it, or an empty or new folder");
            }
            if (intended == null) {
                throw new HwnasException("-o " + out + ": already holds a subnet (" + there.space() + ": "
                        + String.join(" ", there.ops()) + ") and the architecture to write is known only after"
                        + " loading the run; give --force to replace it, or another -o");
            }
            if (!intended.equals(there)) {
                throw new HwnasException("-o " + out + ": already holds a subnet of another architecture ("
                        + there.space() + ": " + String.join(" ", there.ops()) + "; this one is " + intended.space()
                        + ": " + String.join(" ", intended.ops()) + "); give --force to replace it, or another -o");
            }
            String otherRun = fromRun == null ? null : otherOriginRun(out, fromRun);
            if (otherRun != null) {
                throw new HwnasException("-o " + out + ": already holds a subnet of this architecture extracted from"
                        + " another run (" + otherRun + "); give --force to replace it, or another -o");
            }
            if (settings == null && finetuned(out)) { // extract over a fine-tune: its training would be lost
                throw new HwnasException("-o " + out + ": already holds a fine-tuned subnet of this architecture"
                        + " (origin.json); give --force to replace it with the extracted one, or another -o");
            }
            if (settings != null) {
                String differ = finetuneDifferences(out, settings);
                if (differ != null) {
                    throw new HwnasException("-o " + out + ": already holds " + differ + "; give --force to replace it,"
                            + " or another -o");
                }
            }
        }
        Path created = firstMissing(out);
        probeWritable("-o", out.toAbsolutePath(), out);
        return () -> removeCreated(out, created);
    }

    /**
     * An output run folder of {@code hwnas train}: refused when another process is using it, when it
     * holds a run (resume that instead), and, unless {@code force}, when it holds anything else.
     * Returns a clean-up to run if the work fails: it removes the folder again when this check
     * created it and nothing but a lock file is in it.
     */
    static Runnable runDir(Path out, boolean force) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new HwnasException("-o " + out + ": is a file, not a folder; give a folder for the run");
        }
        Path parent = out.toAbsolutePath().normalize().getParent();
        Path outer = parent == null ? null : enclosingRun(parent);
        if (outer != null) {
            throw new HwnasException("-o " + out + ": is inside the training run " + outer + "; a run is never written"
                    + " into another run's folder, even with --force; give another -o");
        }
        if (Files.isRegularFile(out.resolve(SubnetIO.ARCH_FILE))) {
            throw new HwnasException("-o " + out + ": is a subnet folder; a run is never written into one, even with"
                    + " --force (it would be both); give another -o");
        }
        for (Path p = parent; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(SubnetIO.ARCH_FILE)) && Files.isRegularFile(p.resolve(SubnetIO.PARAMS_FILE))) {
                throw new HwnasException("-o " + out + ": is inside the subnet folder " + p + "; a run is never written"
                        + " into a subnet's folder, even with --force; give another -o");
            }
        }
        boolean existed = Files.isDirectory(out);
        if (existed) {
            RunLock.requireFree(out);
            if (Checkpoints.exists(out)) {
                boolean finished = Files.isRegularFile(out.resolve(RunFiles.RESULT));
                throw new HwnasException("-o " + out + ": already holds a training run" + (finished ? " (finished)"
                        : "; continue it with hwnas train --resume " + out) + "; --force never replaces a run: choose"
                        + " another -o, or delete the folder to train there again");
            }
            if (!RunLock.emptyButLock(out) && !force) {
                if (Files.isRegularFile(out.resolve(RunFiles.CONFIG)) && Files.isRegularFile(out.resolve(
                        RunFiles.PROVENANCE))) {
                    throw new HwnasException("-o " + out + ": holds a training run stopped before its first checkpoint"
                            + " (nothing to resume); give --force to start again in it, or another -o");
                }
                throw new HwnasException("-o " + out + ": is not empty and holds no training run (it holds " + firstNames(out)
                        + "); give --force to write the run into it (files of the run's names are replaced), or an"
                        + " empty or new folder");
            }
        }
        Path created = firstMissing(out);
        probeWritable("-o", out.toAbsolutePath(), out);
        return () -> {
            if (created != null && Files.isDirectory(out) && RunLock.emptyButLock(out)) {
                try {
                    Files.deleteIfExists(out.resolve(RunLock.FILE));
                } catch (IOException ignored) {
                    // leaving the folder is harmless
                }
                removeCreated(out, created);
            }
        };
    }

    /**
     * What an interruption of a command writing into {@code out} runs: removes the folders that do not exist now (before
     * the output check creates them) while they are empty. Made before the check, so no moment between the check's
     * mkdir and the command's own clean-up leaves them behind.
     */
    static Runnable removeIfCreatedAndEmpty(Path out) {
        Path created = firstMissing(out);
        return () -> removeCreated(out, created);
    }

    /** The outermost of {@code dir} and its parents that does not exist yet (what creating it creates), or null. */
    private static Path firstMissing(Path dir) {
        Path top = null;
        for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p); p = p.getParent()) {
            top = p;
        }
        return top;
    }

    /** Removes {@code dir} and its parents up to {@code top} (from {@link #firstMissing}) while they are empty. */
    private static void removeCreated(Path dir, Path top) {
        if (top == null) {
            return;
        }
        try {
            FileGate.pass(() -> {
                for (Path p = dir.toAbsolutePath().normalize(); p != null && p.startsWith(top); p = p.getParent()) {
                    if (!Files.isDirectory(p) || !isEmpty(p)) {
                        break;
                    }
                    Files.delete(p);
                }
                return null;
            });
        } catch (IOException e) {
            // leaving an empty folder is harmless
        }
    }

    /**
     * An output folder of {@code hwnas specialize}: refused when it is a file or, unless {@code force},
     * a folder that is not empty. With {@code force} the returned clean-up removes its old contents (run it
     * once every other input has been checked, before writing), so that no pick of an earlier call stays
     * beside the new summary; a folder that holds any of {@code read} (the run and the latency models
     * being read) or the working directory is refused even then.
     */
    static Staged specializeDir(Path out, boolean force, Path... read) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new HwnasException("-o " + out + ": is a file, not a folder; give a folder for the picks");
        }
        notInARun(out, "a specialization");
        if (Files.isRegularFile(out.resolve(SubnetIO.ARCH_FILE))) {
            throw new HwnasException("-o " + out + ": is a subnet folder; picks are never written into one, even with"
                    + " --force; give another -o");
        }
        if (Files.isDirectory(out) && !isEmpty(out)) {
            String what = (Files.isRegularFile(out.resolve("summary.json")) ? "holds an earlier specialization ("
                    : "is not empty (it holds ") + firstNames(out) + ")";
            if (!force) {
                List<String> foreign = notWrittenBySpecialize(out);
                throw new HwnasException("-o " + out + ": " + (foreign.isEmpty() ? what + "; give --force to replace"
                        + " its contents, or another -o" : "holds " + fewNames(foreign) + ", which no specialization"
                        + " writes; give another -o (--force replaces an earlier specialization only)"));
            }
            for (Path p : read) {
                if (p != null && inside(p, out)) {
                    throw new HwnasException("-o " + out + ": holds " + p + ", which this call reads; --force will not"
                            + " empty it; give another -o");
                }
            }
            if (inside(Path.of(""), out)) { // before the walk below, which a home folder would make long
                throw new HwnasException("-o " + out + ": holds the working directory; --force will not empty it; give"
                        + " another -o");
            }
            Path run = runWithin(out);
            if (run != null) {
                throw new HwnasException("-o " + out + ": holds the training run " + run + "; --force will not empty it;"
                        + " give another -o");
            }
            List<String> foreign = notWrittenBySpecialize(out);
            if (!foreign.isEmpty()) {
                throw new HwnasException("-o " + out + ": holds " + fewNames(foreign) + ", which no specialization"
                        + " writes; --force replaces an earlier specialization only; move " + (foreign.size() == 1
                        ? "it" : "them") + " away or give another -o");
            }
            probeWritable("-o", out.toAbsolutePath(), out);
            return new Staged(out, null, true);
        }
        // nothing is created before the call goes ahead: probe the nearest folder that exists
        probeNearest("-o", out.resolve("summary.json"), out);
        return new Staged(out, firstMissing(out), false);
    }

    /**
     * The entries of {@code dir} no specialization writes, sorted: anything but summary.json/.csv/.md, .png
     * plots, and folders holding a pick.json (a pick; written before its subnet) or nothing but temporaries.
     */
    static List<String> notWrittenBySpecialize(Path dir) {
        List<String> foreign = new java.util.ArrayList<>();
        for (Path p : list(dir)) {
            String n = p.getFileName().toString();
            if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isRegularFile(p.resolve("pick.json")) && !list(p).stream().allMatch(q -> Files.isRegularFile(q,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS) && incidental(q.getFileName().toString()))) {
                    foreign.add(n);
                } else {
                    for (Path q : list(p)) { // a pick: the extracted subnet's files and pick.json
                        String m = q.getFileName().toString();
                        if (!(Files.isRegularFile(q, java.nio.file.LinkOption.NOFOLLOW_LINKS) && (SUBNET_FILES.contains(m)
                                || incidental(m)))) {
                            foreign.add(n + "/" + m);
                        }
                    }
                }
            } else if (!(Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && (n.endsWith(".png")
                    || n.equals("summary.json") || n.equals("summary.csv") || n.equals("summary.md") || incidental(n)))) {
                foreign.add(n);
            }
        }
        return foreign.stream().sorted().toList();
    }

    /** A subnet folder's own files: the extracted subnet's, and pick.json of a specialization's pick. */
    private static final List<String> SUBNET_FILES = List.of(SubnetIO.ARCH_FILE, SubnetIO.SPACE_FILE, SubnetIO.PARAMS_FILE,
            Origin.FILE, "pick.json");

    /** A temporary file an interrupted write left, or a file browser's own. */
    private static boolean incidental(String n) {
        return io.hwnas.core.AtomicFiles.isTemporary(n) || n.equals(".DS_Store") || n.equals("Thumbs.db");
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new HwnasException("-o " + dir + ": cannot list it (" + e.getMessage() + "); nothing was done", e);
        }
    }

    /**
     * A specialization's output folder between its checks and the end of the call: {@link #begin} runs once
     * every input has been checked, just before the first write (with --force it removes the old contents);
     * {@link #undo} after a failure removes what the call wrote (the folder too, when the call created it), so
     * that a failed call leaves neither a half-written specialization nor a folder. Before {@link #begin},
     * {@link #undo} does nothing: the old contents stay.
     */
    static final class Staged {
        private final Path out;
        private final Path created;
        private final boolean clear;
        private volatile boolean begun; // read by an interruption's clean-up on the shutdown thread

        Staged(Path out, Path created, boolean clear) {
            this.out = out;
            this.created = created;
            this.clear = clear;
        }

        void begin() {
            if (clear) {
                System.err.println("hwnas: --force: replacing the earlier specialization in " + out + " ("
                        + firstNames(out) + ")");
                deleteContents(out);
            }
            begun = true;
        }

        void undo() {
            if (!begun || !Files.isDirectory(out)) {
                return;
            }
            try {
                deleteContents(out);
            } catch (HwnasException e) {
                return; // the error being reported matters more
            }
            removeCreated(out, created);
        }
    }

    static void deleteContents(Path dir) {
        Path top;
        try {
            top = dir.toRealPath(); // a link given as the folder: its target's contents (walk does not follow the start)
        } catch (IOException e) {
            throw new HwnasException("-o " + dir + ": cannot resolve (" + e.getMessage() + ")", e);
        }
        try {
            FileGate.pass(() -> {
                try (Stream<Path> s = Files.walk(top)) {
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        if (!p.equals(top)) {
                            Files.delete(p);
                        }
                    }
                }
                return null;
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new HwnasException("-o " + dir + ": cannot remove its old contents (" + e.getMessage() + ")", e);
        }
    }

    /** The run a subnet in {@code out} was extracted from when its origin names one other than {@code run}, else null. */
    private static String otherOriginRun(Path out, Path run) {
        Path f = out.resolve(Origin.FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        String there;
        try {
            there = Json.readTree(f).path("run_dir").asText(null);
        } catch (HwnasException e) {
            return null; // not an origin this version wrote: the architecture check stands
        }
        return there != null && !Path.of(there).toAbsolutePath().normalize().equals(run.toAbsolutePath().normalize())
                ? there : null;
    }

    /** A training run folder anywhere in {@code dir} (symbolic links not followed), or null. */
    private static Path runWithin(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && isRun(p)).findFirst()
                    .orElse(null);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new HwnasException("-o " + dir + ": cannot look through it (" + e.getMessage() + "); nothing was done",
                    e);
        }
    }

    /** The origin.json of subnet folder {@code out}, or null when it has none readable. */
    private static Origin origin(Path out) {
        try {
            return Files.isRegularFile(out.resolve(Origin.FILE)) ? Origin.read(out.resolve(Origin.FILE)) : null;
        } catch (HwnasException e) {
            return null;
        }
    }

    /** Whether subnet folder {@code out} holds a fine-tuned subnet. */
    private static boolean finetuned(Path out) {
        Origin o = origin(out);
        return o != null && "finetuned".equals(o.kind());
    }

    /**
     * Null when the subnet in {@code out} is a fine-tune of {@code wanted}'s settings; else what it
     * holds instead, for a message: a subnet not fine-tuned, one whose settings were not recorded, or
     * the settings that differ (theirs, then these).
     */
    private static String finetuneDifferences(Path out, Finetune.Settings wanted) {
        Origin there = origin(out);
        if (there == null || !"finetuned".equals(there.kind())) {
            return "a subnet of this architecture that is not a fine-tune (" + (there == null ? "no readable "
                    + Origin.FILE : "kind " + there.kind()) + ")";
        }
        Finetune.Settings had = there.finetune();
        if (had == null) {
            return "a fine-tune of this architecture whose settings " + Origin.FILE + " does not record";
        }
        Map<String, Object[]> pairs = new LinkedHashMap<>();
        pairs.put("SUBNET_DIR", new Object[] {had.input(), wanted.input()});
        pairs.put("--epochs", new Object[] {had.epochs(), wanted.epochs()});
        pairs.put("--lr", new Object[] {had.lr(), wanted.lr()});
        pairs.put("--batch", new Object[] {had.batchSize(), wanted.batchSize()});
        pairs.put("--weight-decay", new Object[] {had.weightDecay(), wanted.weightDecay()});
        pairs.put("momentum", new Object[] {had.momentum(), wanted.momentum()});
        pairs.put("--train-subset", new Object[] {had.trainSubset(), wanted.trainSubset()});
        pairs.put("--from-scratch", new Object[] {had.fromScratch(), wanted.fromScratch()});
        pairs.put("--augment", new Object[] {had.augment(), wanted.augment()});
        pairs.put("--seed", new Object[] {had.seed(), wanted.seed()});
        pairs.put("--dataset", new Object[] {had.dataset(), wanted.dataset()});
        pairs.put("--data", new Object[] {had.dataDir(), wanted.dataDir()});
        List<String> differ = new java.util.ArrayList<>();
        pairs.forEach((k, v) -> {
            if (!java.util.Objects.equals(v[0], v[1])) {
                differ.add(k + ": " + v[0] + " there, " + v[1] + " now");
            }
        });
        return differ.isEmpty() ? null : "a fine-tune of this architecture with other settings (" + String.join("; ",
                differ) + ")";
    }

    /** The first three of {@code names} and how many more, for a message. */
    static String fewNames(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(3, names.size())))
                + (names.size() > 3 ? " and " + (names.size() - 3) + " more" : "");
    }

    /** Up to three names in {@code dir}, for a message. */
    static String firstNames(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(RunLock.FILE)).sorted()
                    .toList();
            return fewNames(names);
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /** The architecture of a subnet folder, or null when {@code dir} holds none. */
    static Architecture subnetArch(Path dir) {
        Path f = dir.resolve(SubnetIO.ARCH_FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return Json.read(f, Architecture.class);
        } catch (HwnasException e) {
            return null;
        }
    }

    /** Creates {@code dir} and writes and removes a temporary file in it; refuses at once (naming {@code option}) if that fails. */
    static void probeWritable(String option, Path dir, Path shown) {
        try {
            FileGate.pass(() -> {
                Files.createDirectories(dir);
                Files.delete(Files.createTempFile(dir, ".hwnas-write-probe", ".tmp"));
                return null;
            });
        } catch (FileSystemException e) {
            throw new HwnasException(option + " " + shown + ": cannot write there (" + Errors.fileSystem(e)
                    + "); nothing was done", e);
        } catch (IOException | SecurityException e) {
            throw new HwnasException(option + " " + shown + ": cannot write there (" + e.getMessage() + "); nothing was"
                    + " done", e);
        }
    }

    static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 1;
        }
    }
}
