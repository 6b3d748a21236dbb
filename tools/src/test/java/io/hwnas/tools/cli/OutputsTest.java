package io.hwnas.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The -o checks themselves: what they create, and what a failed command's clean-up removes again. */
class OutputsTest {
    @TempDir
    Path dir;

    @Test
    void outputFilesAndExperimentFoldersAreCheckedWithoutCreatingAnything() {
        Outputs.resultFile("-o", dir.resolve("a/b/result.json"), false);
        Outputs.lutFile("-o", dir.resolve("c/lut.json"), false);
        Outputs.experimentDir(dir.resolve("d/e"), false, "runs");
        assertFalse(Files.exists(dir.resolve("a")) || Files.exists(dir.resolve("c")) || Files.exists(dir.resolve("d")));
    }

    @Test
    void aFailedRunOrSubnetRemovesTheFoldersItsCheckCreated() throws Exception {
        Runnable undo = Outputs.runDir(dir.resolve("x/y/run"), false);
        assertTrue(Files.isDirectory(dir.resolve("x/y/run")));
        undo.run();
        assertFalse(Files.exists(dir.resolve("x")));
        Files.createDirectories(dir.resolve("keep"));
        undo = Outputs.subnetDir(dir.resolve("keep/p/sub"), null, null, false);
        assertTrue(Files.isDirectory(dir.resolve("keep/p/sub")));
        undo.run();
        assertFalse(Files.exists(dir.resolve("keep/p")));
        assertTrue(Files.isDirectory(dir.resolve("keep")), "a folder that was there stays");
    }

    @Test
    void forceNeverWritesIntoAFolderHoldingAnInputEvenThroughALink() throws Exception {
        Path out = Files.createDirectories(dir.resolve("picks"));
        Path lut = Files.writeString(out.resolve("lut.json"), "{}");
        Path link = Files.createSymbolicLink(dir.resolve("picks-link"), out);
        HwnasException e = assertThrows(HwnasException.class, () -> Outputs.specializeDir(link, true, dir.resolve("run"),
                lut));
        assertTrue(e.getMessage().contains("which this call reads"), e.getMessage());
        assertTrue(Files.isRegularFile(lut));
    }

    @Test
    void anOutputInOrAroundAFolderReadIsRefusedAlsoThroughALinkAndBeforeItExists() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run/checkpoints"));
        Files.writeString(dir.resolve("run/checkpoint.json"), "{}");
        Path link = Files.createSymbolicLink(dir.resolve("run-link"), dir.resolve("run"));
        for (Path out : new Path[] {dir.resolve("run"), run, link.resolve("checkpoints"), link.resolve("new/sub"),
            dir}) {
            HwnasException e = assertThrows(HwnasException.class, () -> Outputs.apart("-o", out, "training run",
                    dir.resolve("run")));
            assertTrue(e.getMessage().startsWith("-o " + out + ": ") && e.getMessage().contains("which this call reads"),
                    e.getMessage());
        }
        Outputs.apart("-o", dir.resolve("run-2"), "training run", dir.resolve("run")); // a sibling is fine
        // a subnet or picks never go into or below any run, even with --force; nothing is created
        for (Path out : new Path[] {dir.resolve("run"), link.resolve("new/sub")}) {
            HwnasException e = assertThrows(HwnasException.class, () -> Outputs.subnetDir(out, null, null, true));
            assertTrue(e.getMessage().contains("training run") && e.getMessage().contains("even with --force"),
                    e.getMessage());
            e = assertThrows(HwnasException.class, () -> Outputs.specializeDir(out, true));
            assertTrue(e.getMessage().contains("training run"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("run/new")));
        HwnasException e = assertThrows(HwnasException.class, () -> Outputs.specializeDir(dir, true));
        assertTrue(e.getMessage().contains("holds the training run " + dir.resolve("run")), e.getMessage());
        assertTrue(Files.isRegularFile(dir.resolve("run/checkpoint.json")));
    }

    /** A run never goes below another run, nor into a subnet folder, even with --force; nothing is created. */
    @Test
    void aRunIsNeverWrittenInsideAnotherRunOrIntoASubnet() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("checkpoint.json"), "{}");
        for (Path out : new Path[] {run.resolve("inner"), run.resolve("checkpoints/x/y")}) {
            HwnasException e = assertThrows(HwnasException.class, () -> Outputs.runDir(out, true));
            assertTrue(e.getMessage().contains("is inside the training run " + run) && e.getMessage().contains(
                    "even with --force"), e.getMessage());
        }
        assertFalse(Files.exists(run.resolve("inner")) || Files.exists(run.resolve("checkpoints")));
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Files.writeString(sub.resolve("arch.json"), "{}");
        HwnasException e = assertThrows(HwnasException.class, () -> Outputs.runDir(sub, true));
        assertTrue(e.getMessage().contains("is a subnet folder"), e.getMessage());
        Outputs.runDir(dir.resolve("run-2"), false).run(); // a sibling is fine (and its clean-up removes it again)
        assertFalse(Files.exists(dir.resolve("run-2")));
    }

    /** A LUT or results file never goes into a run folder nor replaces a subnet's own files, even with --force. */
    @Test
    void resultAndLutFilesNeverReplaceARunsOrASubnetsFiles() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run2"));
        Files.writeString(run.resolve("config.json"), "{}");
        Files.writeString(run.resolve("provenance.json"), "{}");
        Files.writeString(run.resolve("theta.json"), "{}");
        for (Path f : new Path[] {run.resolve("config.json"), run.resolve("theta.json"), run.resolve("result.json"),
            run.resolve("validation.json"), run.resolve("checkpoints/x.json")}) {
            HwnasException e = assertThrows(HwnasException.class, () -> Outputs.lutFile("-o", f, true));
            assertTrue(e.getMessage().equals("-o " + f + ": is inside the training run " + run.toRealPath()
                    + "; nothing is written into a run folder but by the run, even with --force; give another -o"),
                    e.getMessage());
            e = assertThrows(HwnasException.class, () -> Outputs.resultFile("--plot", f, false));
            assertTrue(e.getMessage().startsWith("--plot " + f + ": is inside the training run"), e.getMessage());
        }
        Path sub = Files.createDirectories(dir.resolve("sub2"));
        Files.writeString(sub.resolve("arch.json"), "{}");
        for (String n : new String[] {"arch.json", "origin.json", "model.params", "pick.json"}) {
            HwnasException e = assertThrows(HwnasException.class, () -> Outputs.lutFile("-o", sub.resolve(n), true));
            assertTrue(e.getMessage().contains(": is a file of the subnet in "), e.getMessage());
        }
        Outputs.lutFile("-o", sub.resolve("lut.json"), false); // a file of another name beside a subnet's is fine
    }

    @Test
    void outputsMustDifferFromEachOther() {
        Path a = dir.resolve("a.json");
        HwnasException e = assertThrows(HwnasException.class, () -> Outputs.distinct("-o", a, "--plot", null,
                "--calibrated-lut", dir.resolve("sub/../a.json")));
        assertTrue(e.getMessage().contains("--calibrated-lut") && e.getMessage().contains("is also -o"),
                e.getMessage());
        Outputs.distinct("-o", a, "--plot", dir.resolve("a.png"), "--calibrated-lut", null);
    }

    /** A failed specialization leaves nothing it wrote; before its first write, nothing is touched. */
    @Test
    void aFailedSpecializationRemovesWhatItWrote() throws Exception {
        Path fresh = dir.resolve("a/b/picks");
        Outputs.Staged st = Outputs.specializeDir(fresh, false);
        st.undo(); // before begin: nothing to remove, nothing created
        assertFalse(Files.exists(dir.resolve("a")));
        st.begin();
        Files.createDirectories(fresh.resolve("t1"));
        Files.writeString(fresh.resolve("t1/pick.json"), "{}");
        st.undo();
        assertFalse(Files.exists(dir.resolve("a")), "the folders the call made are gone");

        Path old = Files.createDirectories(dir.resolve("old"));
        Files.writeString(old.resolve("summary.json"), "{}");
        st = Outputs.specializeDir(old, true);
        st.undo(); // refused later, before begin: the old specialization stays
        assertTrue(Files.isRegularFile(old.resolve("summary.json")));
        st.begin();
        assertFalse(Files.exists(old.resolve("summary.json")), "--force empties it at begin");
        Files.writeString(old.resolve("summary.csv"), "x");
        st.undo();
        assertTrue(Files.isDirectory(old) && Outputs.isEmpty(old), "a folder that was there stays, emptied");
    }

    /** --force replaces an earlier specialization only: other files in the folder are named and kept. */
    @Test
    void forceReplacesOnlyWhatASpecializationWrites() throws Exception {
        Path old = Files.createDirectories(dir.resolve("spec"));
        Files.writeString(old.resolve("summary.json"), "{}");
        Files.writeString(old.resolve("summary.md"), "x");
        Files.writeString(old.resolve("cross-target.png"), "x");
        Files.createDirectories(old.resolve("t1"));
        Files.writeString(old.resolve("t1/pick.json"), "{}");
        Files.createDirectories(old.resolve("empty"));
        // a pick cut short by a kill while its pick.json (written before the subnet) was being written
        Files.createDirectories(old.resolve("t2"));
        Files.writeString(old.resolve("t2/.pick.json.123.tmp"), "{");
        Outputs.Staged st = Outputs.specializeDir(old, true); // all a specialization's: accepted
        st.undo();
        Files.writeString(old.resolve("notes.txt"), "mine");
        Files.createDirectories(old.resolve("data"));
        Files.writeString(old.resolve("data/x.csv"), "1");
        Files.createDirectories(old.resolve("sub"));
        Files.writeString(old.resolve("sub/arch.json"), "{}"); // a subnet, but no pick
        HwnasException e = assertThrows(HwnasException.class, () -> Outputs.specializeDir(old, true));
        assertTrue(e.getMessage().contains("holds data, notes.txt, sub, which no specialization writes"),
                e.getMessage());
        // without --force the message does not advise a --force that would be refused
        e = assertThrows(HwnasException.class, () -> Outputs.specializeDir(old, false));
        assertTrue(e.getMessage().endsWith("which no specialization writes; give another -o (--force replaces an earlier"
                + " specialization only)"), e.getMessage());
        assertTrue(Files.isRegularFile(old.resolve("notes.txt")) && Files.isRegularFile(old.resolve("t1/pick.json")));
        // a file of the user's inside a pick folder is named too; temporaries and file browsers' files are not
        Path spec = Files.createDirectories(dir.resolve("spec3/t1"));
        Files.writeString(spec.resolve("pick.json"), "{}");
        Files.writeString(spec.resolve("model.params"), "x");
        Files.writeString(spec.resolve(".DS_Store"), "x");
        Files.writeString(spec.getParent().resolve(".summary.json.123.tmp"), "x");
        Outputs.specializeDir(spec.getParent(), true);
        Files.writeString(spec.resolve("mine.onnx"), "x");
        e = assertThrows(HwnasException.class, () -> Outputs.specializeDir(spec.getParent(), true));
        assertTrue(e.getMessage().contains("holds t1/mine.onnx, which no specialization writes"), e.getMessage());
    }

    @Test
    void picksAndSubnetsKeepApart() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Files.writeString(sub.resolve("arch.json"), "{}");
        HwnasException e = assertThrows(HwnasException.class, () -> Outputs.specializeDir(sub, true));
        assertTrue(e.getMessage().contains("is a subnet folder") && e.getMessage().contains("even with --force"),
                e.getMessage());
        Path pick = Files.createDirectories(dir.resolve("spec/t1"));
        Files.writeString(pick.resolve("pick.json"), "{}");
        e = assertThrows(HwnasException.class, () -> Outputs.subnetDir(pick, null, null, true));
        assertTrue(e.getMessage().contains("pick.json") && e.getMessage().contains("even with --force"),
                e.getMessage());
        assertTrue(Files.isRegularFile(sub.resolve("arch.json")) && Files.isRegularFile(pick.resolve("pick.json")));
    }

    @Test
    void forceEmptiesTheFolderALinkPointsTo() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real-picks/t1"));
        Files.writeString(real.resolve("pick.json"), "{}");
        Files.writeString(dir.resolve("real-picks/summary.json"), "{}");
        Path link = Files.createSymbolicLink(dir.resolve("picks-link"), dir.resolve("real-picks"));
        Outputs.specializeDir(link, true).begin();
        assertTrue(Files.isSymbolicLink(link) && Outputs.isEmpty(dir.resolve("real-picks")),
                "old picks left beside the new summary");
    }

    /** An experiment never goes into or below a training run, nor into a quickstart's folder, even with --force. */
    @Test
    void experimentsKeepOutOfRunsAndQuickstarts() throws Exception {
        Path run = Files.createDirectories(dir.resolve("trained"));
        Files.writeString(run.resolve("checkpoint.json"), "{}");
        for (Path out : new Path[] {run, run.resolve("x")}) {
            HwnasException e = assertThrows(HwnasException.class, () -> Outputs.experimentDir(out, true, "run"));
            assertTrue(e.getMessage().contains("training run") && e.getMessage().contains("even with --force"),
                    e.getMessage());
        }
        Path qs = Files.createDirectories(dir.resolve("qs/run"));
        Files.writeString(dir.resolve("qs").resolve(QuickstartRun.MARKER), "");
        HwnasException e = assertThrows(HwnasException.class, () -> Outputs.experimentDir(dir.resolve("qs"), true,
                "run"));
        assertTrue(e.getMessage().contains("quickstart") && e.getMessage().contains("even with --force"),
                e.getMessage());
        assertFalse(Files.exists(run.resolve("x")));
    }
}
