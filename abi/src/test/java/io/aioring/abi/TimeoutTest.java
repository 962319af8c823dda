package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.util.List;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.junit.jupiter.api.Test;

/** The timeout opcode and per-iocb deadlines (timeout_ms), on this run's backend, with real sockets. */
class TimeoutTest {
    @Test
    void aRecvWithADeadlineOnAnIdleSocketCompletesTimedOut() {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                final long start = System.nanoTime();
                f.writer.recv(pair.a(), f.address(0), 100, 0, 1).timeoutMillis(50);
                f.submitAll();
                final ContextFixture.Event event = f.reap(1).get(0);
                final long tookMillis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(-Errno.ETIME, event.result(), Errno.describeResult(event.result()));
                assertTrue(tookMillis >= 45 && tookMillis < 5000, "took " + tookMillis + " ms (at its deadline, not never)");
                assertEquals(-Errno.ENOENT, f.context.cancel(1));
            }
        }
    }

    @Test
    void iocbsThatCompleteBeforeTheirDeadlineAreUntouchedByIt() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                for (int i = 0; i < 500; i++) {
                    f.writer.nop(i).timeoutMillis(200 + i % 3);
                }
                f.submitAll();
                for (final ContextFixture.Event event : f.reap(500)) {
                    assertEquals(0, event.result());
                }
                // Their slots now carry recvs with no deadline: the old deadlines must not cancel them.
                for (int i = 0; i < 100; i++) {
                    f.writer.recv(pair.a(), f.address(i * 8), 8, 0, 1000 + i);
                }
                f.submitAll();
                Thread.sleep(300); // past the nops' deadlines
                assertEquals(0, f.context.getevents(0, 1 << 20, 0, e -> fail("recv " + e.userData() + ": " + e.result())));
                assertEquals(1, f.context.cancel(1000));
                for (int i = 1; i < 100; i++) {
                    assertEquals(1, f.context.cancel(1000 + i));
                }
                for (final ContextFixture.Event event : f.reap(100)) {
                    assertEquals(-Errno.ECANCELED, event.result());
                }
            }
        }
    }

    @Test
    void theTimeoutOpcodeCompletesWhenItsTimeComesOrWhenCancelled() {
        try (ContextFixture f = new ContextFixture(TestBackend.params())) {
            final long start = System.nanoTime();
            f.writer.timeout(30_000_000L, 1);
            f.writer.timeout(10_000_000_000L, 2);
            f.writer.timeout(-1, 3);
            f.submitAll();
            // The invalid one at once, the 30 ms one at its time: one reap may hand both over (a slow machine
            // reaps after 30 ms have passed), so they are told apart by their user data, not their order.
            final java.util.Map<Long, Long> results = new java.util.HashMap<>();
            f.reap(2).forEach(e -> results.put(e.userData(), e.result()));
            assertEquals(java.util.Map.of(3L, (long) -Errno.EINVAL, 1L, (long) -Errno.ETIME), results);
            assertTrue(System.nanoTime() - start >= 29_000_000L);
            assertEquals(1, f.context.cancel(2));
            final ContextFixture.Event cancelled = f.reap(1).get(0);
            assertEquals(2, cancelled.userData());
            assertEquals(-Errno.ECANCELED, cancelled.result());
            assertTrue(System.nanoTime() - start < 5_000_000_000L);
        }
    }

    @Test
    void destroyEndsWaitingTimeoutsAtOnce() {
        final ContextFixture f = new ContextFixture(TestBackend.params());
        f.writer.timeout(60_000_000_000L, 1);
        f.writer.nop(2).timeoutMillis(60_000);
        f.submitAll();
        final List<ContextFixture.Event> nop = f.reap(1);
        assertEquals(2, nop.get(0).userData());
        final long start = System.nanoTime();
        f.close();
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "destroy waited for a timeout");
    }
}
