package io.hwnas.tools;

import io.hwnas.search.run.RunLock;
import java.nio.file.Path;

/** A second process for tests: holds RUN_DIR's lock, prints "locked", and keeps it until its stdin closes. */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        try (RunLock l = RunLock.acquire(Path.of(args[0]))) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the test to close stdin
            }
        }
    }
}
