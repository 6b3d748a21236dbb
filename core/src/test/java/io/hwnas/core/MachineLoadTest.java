package io.hwnas.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MachineLoadTest {

    @Test
    void seesAnotherProcessBurningACoreButNotThisProcess() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/stat")), "Linux /proc needed");
        // this process keeps one core busy for 1 s: the reading must leave that out of "other" (whatever
        // else the machine runs meanwhile): all processes' busy cores over the same interval minus the
        // reading is about one core
        // (on a saturated machine the loop gets less than a core: compare with the CPU time it really got)
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] before = systemTicks();
        MachineLoad m = MachineLoad.start();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long end = t0 + 1_000_000_000L;
        long x = 0;
        while (System.nanoTime() < end) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        double gotCores = (threads.getCurrentThreadCpuTime() - cpu0) / (double) (System.nanoTime() - t0);
        MachineLoad.Reading own = m.stop();
        long[] after = systemTicks();
        double cpus = Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.matches("cpu[0-9]+ .*")).count();
        double allBusyCores = (after[1] - before[1]) / (double) (after[0] - before[0]) * cpus;
        assertTrue(own.known());
        double ownCores = allBusyCores - own.otherCores();
        assertTrue(Math.abs(ownCores - gotCores) < 0.4, "this process's own share: " + gotCores + " cores of CPU"
                + " time, all busy " + allBusyCores + ", " + own.describe() + " " + x);

        // another process spinning while we sample 1.5 s: about one core of other load
        Process p = new ProcessBuilder("bash", "-c", "while [ $SECONDS -lt 30 ]; do :; done").start();
        // killed below, and it ends by itself after 30 s should this JVM die first (a `timeout`
        // wrapper killed by destroyForcibly would leave its loop running)
        try {
            Thread.sleep(300);
            MachineLoad.Reading other = MachineLoad.sample(1500);
            assertTrue(other.otherCores() > 0.5, "a spinning process not seen: " + other.describe());
            assertTrue(other.busy());
            assertTrue(other.describe().contains("cores busy over"), other.describe());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** {total, busy} ticks of all CPUs, as MachineLoad reads them. */
    private static long[] systemTicks() throws java.io.IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= 8; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, total - Long.parseLong(f[4]) - Long.parseLong(f[5])};
    }

    @Test
    void unknownIsNeverBusy() {
        assertFalse(MachineLoad.UNKNOWN.busy());
        assertTrue(MachineLoad.UNKNOWN.describe().contains("unknown"));
    }
}
