package io.hwnas.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Shutting the gate waits for the change under way, then no other thread passes while the shutting thread still
 * does (a Ctrl-C hook cleans up through it).
 */
class FileGateTest {
    @Test
    void shuttingWaitsForTheChangeUnderWayThenStopsEveryOtherThread() throws Exception {
        FileGate.Gate gate = new FileGate.Gate();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try {
                gate.pass(() -> {
                    gate.pass(() -> null); // reentrant
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    return finished.incrementAndGet();
                });
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        writer.start();
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        AtomicInteger seenWhenShut = new AtomicInteger(-1);
        Thread hook = new Thread(() -> {
            assertTrue(gate.shut(60_000));
            assertTrue(gate.shut(60_000), "shutting again from the same thread");
            seenWhenShut.set(finished.get());
            try {
                gate.pass(() -> finished.addAndGet(10)); // the hook's own clean-up still passes
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
        hook.start();
        hook.join(200);
        assertTrue(hook.isAlive(), "shut returned while a change was under way");
        release.countDown();
        hook.join(10_000);
        assertFalse(hook.isAlive());
        assertEquals(1, seenWhenShut.get(), "shut returned before the change under way had finished");
        assertEquals(11, finished.get());
        Thread late = new Thread(() -> {
            try {
                gate.pass(() -> finished.addAndGet(100));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
        late.setDaemon(true);
        late.start();
        late.join(300);
        assertTrue(late.isAlive(), "a change passed a shut gate");
        assertEquals(11, finished.get());
        java.util.concurrent.atomic.AtomicBoolean second = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread otherHook = new Thread(() -> second.set(gate.shut(60_000)));
        otherHook.start();
        otherHook.join(10_000);
        assertFalse(otherHook.isAlive(), "a second hook waited for the gate another holds");
        assertFalse(second.get(), "a second hook was told it holds the gate");
    }

    @Test
    void aChangeThatDoesNotEndLeavesTheGateOpen() throws Exception {
        FileGate.Gate gate = new FileGate.Gate();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                gate.pass(() -> {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    return null;
                });
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
        writer.start();
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        assertFalse(gate.shut(100), "shut while a change was under way");
        assertEquals("passed", gate.pass(() -> "passed"), "the gate stayed shut after a shut that gave up");
        release.countDown();
        writer.join(10_000);
        assertTrue(gate.shut(1_000), "the gate could not be shut once the change had ended");
    }
}
