package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.linux.ChildJvm;
import io.aioring.ring.RingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No reaper sleeps through the end of its engine (docs/abi.md 2.9): destroy wakes reapers asleep on the tail futex
 * and on the eventfd; an engine's death wakes an eventfd sleeper through its liveness connection, and a futex
 * sleeper within one heartbeat period.
 */
class WakeUpTest {
    private static final long LONG_SLEEP = 60_000_000_000L;

    private static CompletableFuture<Boolean> sleep(final ContextReaper reaper, final ContextReaper.WaitMode mode) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return reaper.await(mode, LONG_SLEEP);
            } catch (final java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * Waits until a thread of this process sits in futex(2) on {@code word}: /proc/self/task/TID/syscall names the
     * call a blocked thread is in and its first argument.
     */
    private static void awaitFutexWait(final long word) throws Exception {
        final String wanted = io.aioring.linux.Arch.current().sysFutex + " 0x" + Long.toHexString(word) + " ";
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
                for (final java.nio.file.Path task : tasks.toList()) {
                    try {
                        if (java.nio.file.Files.readString(task.resolve("syscall")).startsWith(wanted)) {
                            return;
                        }
                    } catch (final java.io.IOException e) {
                        // the thread ended meanwhile
                    }
                }
            }
            assertTrue(System.nanoTime() < deadline, "no thread ever slept on the tail word");
            Thread.sleep(1);
        }
    }

    @Test
    @Timeout(60)
    void destroyWakesEverySleeper() throws Exception {
        final ContextFixture f = new ContextFixture(TestBackend.params());
        // The futex sleep is bounded by the heartbeat period (100 ms) so that an engine's death is seen; a destroy
        // on a loaded machine can take longer than that to reach its wake, and the sleep would end by its bound,
        // not by the wake. The reapers read the period when they open: 30 s here leaves only the wake to end it.
        f.context.ring().buffer().putIntVolatile(ContextDescriptor.HEARTBEAT_PERIOD_OFFSET, 30_000);
        try (ContextReaper onFutex = ContextReaper.open(f.context.ringPath());
             ContextReaper onEventfd = ContextReaper.open(f.context.ringPath())) {
            for (int i = 0; i < 10 && onEventfd.await(ContextReaper.WaitMode.EVENTFD, 0); i++) {
                // nothing was posted, but take any signal, so that only destroy can end the sleep
            }
            final CompletableFuture<Boolean> futexSleep = sleep(onFutex, ContextReaper.WaitMode.FUTEX);
            final CompletableFuture<Boolean> eventfdSleep = sleep(onEventfd, ContextReaper.WaitMode.EVENTFD);
            final var header = f.context.ring().buffer();
            while (header.getIntVolatile(ContextDescriptor.TAIL_WAITERS_OFFSET) == 0) {
                Thread.sleep(1); // the futex sleeper has counted itself in
            }
            // and is in FUTEX_WAIT on the tail word (the heartbeat bound is 100 ms: it is not that which must end it;
            // a sleep of 50 ms here was not enough on a loaded machine, and a wake before the wait is no wake)
            awaitFutexWait(onFutex.ring().buffer().addressOffset() + io.aioring.ring.RingDescriptor.TAIL_OFFSET);
            f.context.destroy();
            assertTrue(futexSleep.get(5, TimeUnit.SECONDS), "the futex sleeper was woken, not timed out");
            assertTrue(eventfdSleep.get(5, TimeUnit.SECONDS), "the eventfd sleeper was woken");
            assertTrue(onFutex.ring().isProducerClosed());
        } finally {
            f.close();
        }
    }

    @Test
    @Timeout(120)
    void anEngineThatDiesWakesItsEventfdSleeperAndItsFutexSleeperLooksWithinAHeartbeat() throws Exception {
        final Path ring = RingFile.defaultPath();
        try (ChildJvm engine = EngineMain.startSubmitted(ring, 10)) {
            try (ContextReaper onEventfd = ContextReaper.open(ring);
                 ContextReaper onFutex = ContextReaper.open(ring)) {
                onEventfd.reap(e -> { }, Integer.MAX_VALUE, 1 << 20, new org.agrona.concurrent.BusySpinIdleStrategy(), 0);
                for (int i = 0; i < 10 && onEventfd.await(ContextReaper.WaitMode.EVENTFD, 0); i++) {
                    // the signals of the events just reaped: taken, so the next sleep has nothing pending
                }
                final CompletableFuture<Boolean> eventfdSleep = sleep(onEventfd, ContextReaper.WaitMode.EVENTFD);
                Thread.sleep(200);
                assertFalse(eventfdSleep.isDone(), "asleep while the engine lives");
                final long start = System.nanoTime();
                final CompletableFuture<Boolean> futexSleep = sleep(onFutex, ContextReaper.WaitMode.FUTEX);
                engine.kill();
                assertTrue(eventfdSleep.get(5, TimeUnit.SECONDS), "woken by the liveness connection's hang-up");
                assertEquals(EngineState.GONE, onEventfd.engineState());
                futexSleep.get(5, TimeUnit.SECONDS); // nothing wakes it: it looks again within a heartbeat period
                assertTrue(System.nanoTime() - start < 5_000_000_000L);
                assertEquals(EngineState.GONE, onFutex.engineState());
            }
        } finally {
            Files.deleteIfExists(ring);
            Files.deleteIfExists(Path.of(ring + ".sock"));
            Files.deleteIfExists(Path.of(ring + ".overflow"));
        }
    }
}
