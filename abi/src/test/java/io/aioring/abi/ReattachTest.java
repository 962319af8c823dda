package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.aioring.abi.layout.SetupException;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.linux.ChildJvm;
import io.aioring.ring.RingFile;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * FLAG_REATTACH (docs/abi.md 2.8): an engine SIGKILLed with events in its ring and on its overflow list; a new
 * engine takes the ring file over. Refused while the old one runs; afterwards every old event comes through once,
 * then the new ones, and the sequence runs on with no gap and no repeat.
 */
class ReattachTest {
    @Test
    @Timeout(120)
    void aNewEngineTakesOverTheRingOfOneThatDied() throws Exception {
        final Path ring = RingFile.defaultPath();
        final int old = 300;
        final SetupParams params = reattachParams(ring);
        try (ChildJvm engine = EngineMain.startSubmitted(ring, old)) {
            final SetupException running = assertThrows(SetupException.class,
                () -> AioContext.setup(params, new AttributeRegistry(List.of())));
            assertTrue(running.getMessage().contains("still runs"), running.getMessage());
            engine.kill();
            assertTrue(engine.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        }
        takesOverEveryEvent(params, ring, old);
    }

    /**
     * A re-attach that fails (here: something in the way of its socket) takes nothing: the old overflow file keeps
     * its events, and the next try has every one of them (the events used to be taken first, and lost).
     */
    @Test
    @Timeout(120)
    void aReattachThatFailsLeavesTheEventsForTheNextTry() throws Exception {
        final Path ring = RingFile.defaultPath();
        final int old = 300;
        final SetupParams params = reattachParams(ring);
        try (ChildJvm engine = EngineMain.startSubmitted(ring, old)) {
            engine.kill();
            assertTrue(engine.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        }
        final Path inTheWay = Path.of(ring + ".sock");
        Files.deleteIfExists(inTheWay);
        Files.createDirectories(inTheWay.resolve("not-a-socket"));
        try {
            final SetupException failed = assertThrows(SetupException.class,
                () -> AioContext.setup(params, new AttributeRegistry(List.of())));
            assertTrue(failed.getMessage().contains(inTheWay.toString()), failed.getMessage());
        } finally {
            Files.delete(inTheWay.resolve("not-a-socket"));
            Files.delete(inTheWay);
        }
        takesOverEveryEvent(params, ring, old);
    }

    /**
     * Two engines re-attach to the same dead ring at the same moment: both used to succeed (4 rounds in 10), losing
     * thousands of events. The ring file's lock lets exactly one through; the other is refused, and the winner has
     * every old event once.
     */
    @Test
    @Timeout(300)
    void ofTwoReattachingAtOnceExactlyOneTakesTheRing() throws Exception {
        for (int round = 0; round < 5; round++) {
            final Path ring = RingFile.defaultPath();
            final int old = 300;
            final SetupParams params = reattachParams(ring);
            try (ChildJvm engine = EngineMain.startSubmitted(ring, old)) {
                engine.kill();
                assertTrue(engine.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
            }
            final java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            final java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                final List<java.util.concurrent.Future<AioContext>> attempts = new java.util.ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    attempts.add(two.submit(() -> {
                        start.await();
                        return AioContext.setup(params, new AttributeRegistry(List.of()));
                    }));
                }
                AioContext winner = null;
                int refused = 0;
                for (final java.util.concurrent.Future<AioContext> attempt : attempts) {
                    try {
                        final AioContext context = attempt.get(60, java.util.concurrent.TimeUnit.SECONDS);
                        assertNull(winner, "round " + round + ": both re-attached");
                        winner = context;
                    } catch (final java.util.concurrent.ExecutionException e) {
                        assertInstanceOf(SetupException.class, e.getCause(), "round " + round);
                        refused++;
                    }
                }
                assertNotNull(winner, "round " + round + ": one re-attached");
                assertEquals(1, refused, "round " + round);
                final java.util.BitSet seen = new java.util.BitSet();
                final long deadline = System.nanoTime() + 30_000_000_000L;
                while (seen.cardinality() < old && System.nanoTime() < deadline) {
                    winner.getevents(1, 1 << 20, 100_000_000L, e -> {
                        assertFalse(seen.get((int) e.userData()), "twice: " + e.userData());
                        seen.set((int) e.userData());
                    });
                }
                assertEquals(old, seen.cardinality(), "round " + round + ": every old event once");
                winner.destroy();
            } finally {
                two.shutdownNow();
                Files.deleteIfExists(ring);
                Files.deleteIfExists(Path.of(ring + ".sock"));
                Files.deleteIfExists(Path.of(ring + ".overflow"));
                try (var files = Files.list(ring.getParent())) {
                    for (final Path left : files.filter(p -> p.getFileName().toString().startsWith(ring.getFileName()
                        + ".overflow")).toList()) {
                        Files.deleteIfExists(left);
                    }
                }
            }
        }
    }

    /** A 4 KiB ring at {@code ring}, so that most of the old engine's events wait on its overflow list. */
    private static SetupParams reattachParams(final Path ring) {
        return TestBackend.params().ringPath(ring).ringDataBytes(4096).workers(1).overflowBound(1000)
            .flags(SetupDescriptor.FLAG_EVENTFD | SetupDescriptor.FLAG_EVENTFD_SOCKET | SetupDescriptor.FLAG_REATTACH);
    }

    /** Re-attaches and checks every old event comes through once, in order, then 50 new ones; removes the files. */
    private static void takesOverEveryEvent(final SetupParams params, final Path ring, final int old) throws Exception {
        try (AioContext context = AioContext.setup(params, new AttributeRegistry(List.of()))) {
            final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[64 * 50]));
            for (int i = 0; i < 50; i++) {
                writer.nop(1000 + i);
            }
            assertEquals(50, context.submit(writer));
            final List<long[]> got = new ArrayList<>(); // {user data, sequence}
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (got.size() < old + 50 && System.nanoTime() < deadline) {
                context.getevents(1, 1 << 16, 100_000_000L, e -> got.add(new long[] {e.userData(), e.sequence()}));
            }
            assertEquals(old + 50, got.size(), "every old event and every new one");
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i, got.get(i)[1], "sequence " + i + ": no gap, no repeat");
                assertEquals(i < old ? i : 1000 + i - old, got.get(i)[0], "the old ones first, in order, then the new");
            }
            assertEquals(0, context.getevents(0, 1 << 16, 50_000_000L, e -> fail("an extra event: " + e)));
        } finally {
            Files.deleteIfExists(ring);
            Files.deleteIfExists(Path.of(ring + ".sock"));
            Files.deleteIfExists(Path.of(ring + ".overflow"));
        }
        assertFalse(Files.exists(Path.of(ring + ".overflow")), "the old overflow file is gone");
    }
}
