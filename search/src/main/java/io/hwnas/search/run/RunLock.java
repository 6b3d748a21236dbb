package io.hwnas.search.run;

import io.hwnas.core.HwnasException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one writer of a run folder: an OS file lock ({@link FileChannel#tryLock}) on
 * {@code RUN_DIR/.lock}, held while a process trains, resumes or replaces the run, released when it
 * ends (the OS releases it when the process dies, however it dies). A second writer (another
 * {@code hwnas train}, {@code --resume} or {@code quickstart}, or another thread of this JVM) is
 * refused at once with a message naming the folder. The file stays behind, holding the pid of
 * its last holder; it does not count as content of the folder.
 *
 * <p>POSIX locks belong to the process and end when any descriptor of the file is closed in it:
 * nothing else in hwnas opens {@code .lock}.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".lock";

    /** Folders this JVM holds: checked before opening a lock file, since closing any descriptor of it drops the lock. */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path dir, Path key, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code dir} (which must exist) for this process, or refuses naming the folder. */
    public static RunLock acquire(Path dir) {
        return acquire(dir, true);
    }

    private static RunLock acquire(Path dir, boolean writePid) {
        Path f = dir.resolve(FILE);
        Path key = key(dir);
        if (!HELD.add(key)) {
            throw inUse(dir, Long.toString(ProcessHandle.current().pid()));
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            HELD.remove(key);
            throw new HwnasException(dir + ": cannot create the run's lock file " + f + ": " + e.getMessage(), e);
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // another thread of this JVM holds it
        } catch (IOException e) {
            close(ch);
            HELD.remove(key);
            throw new HwnasException(f + ": cannot lock: " + e.getMessage(), e);
        }
        if (l == null) {
            String holder = holder(ch);
            close(ch);
            HELD.remove(key);
            throw inUse(dir, holder);
        }
        try {
            if (!writePid) {
                return new RunLock(dir, key, ch, l);
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException e) {
            // the pid is a courtesy for the refused process's message
        }
        return new RunLock(dir, key, ch, l);
    }

    /**
     * Refuses at once when another process (or thread) holds {@code dir}'s lock; creates nothing (a
     * folder without a lock file is free).
     */
    public static void requireFree(Path dir) {
        if (HELD.contains(key(dir))) {
            throw inUse(dir, Long.toString(ProcessHandle.current().pid()));
        }
        if (Files.isRegularFile(dir.resolve(FILE))) {
            acquire(dir, false).close(); // changes nothing in the file
        }
    }

    private static Path key(Path dir) {
        return io.hwnas.core.RealPath.of(dir.toAbsolutePath().normalize());
    }

    private static HwnasException inUse(Path dir, String holder) {
        return new HwnasException(dir + ": another hwnas process" + (holder == null ? "" : " (pid " + holder + ")")
                + " is using this run folder (it holds " + dir.resolve(FILE) + "); wait for it to end or stop it"
                + " (Ctrl-C keeps a checkpoint), or use another folder");
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            int n = ch.read(b, 0);
            String s = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.US_ASCII).trim();
            return s.matches("[0-9]{1,10}") ? s : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether {@code dir} holds nothing but (possibly) a lock file. */
    public static boolean emptyButLock(Path dir) {
        try (var s = Files.list(dir)) {
            return s.allMatch(p -> p.getFileName().toString().equals(FILE));
        } catch (IOException e) {
            return false;
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // closing the channel releases it too
        }
        close(channel);
        HELD.remove(key);
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
