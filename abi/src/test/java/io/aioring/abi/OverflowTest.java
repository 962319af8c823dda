package io.aioring.abi;

import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.spi.AttributeRegistry;
import static org.junit.jupiter.api.Assertions.*;

import java.util.BitSet;
import java.util.List;

import io.aioring.linux.Errno;
import io.aioring.linux.ChildJvm;
import io.aioring.ring.RingDescriptor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The overflow list: nothing lost, completion order kept, the flag set and cleared, busy at the bound. */
class OverflowTest {
    /** From counter 0, and from just below 2^32 (ring_initial_position), so that head and tail wrap in the run. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, -2048})
    @Timeout(120)
    void tenThousandCompletionsIntoAFourKibRingWithNoReaper(final int initialPosition) throws Exception {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(4096).workers(1).maxInFlight(256)
            .overflowBound(10_000).ringInitialPosition(initialPosition))) {
            assertEquals(initialPosition, f.context.ring().head());
            for (int i = 0; i < 10_000; ) {
                f.writer.nop(i);
                if (++i % 100 == 0) {
                    f.submitAll();
                }
            }
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (f.context.overflowLength() < 10_000 - 200) {
                assertTrue(System.nanoTime() < deadline, "overflow list at " + f.context.overflowLength());
                Thread.sleep(1);
            }
            assertTrue((f.context.ring().flags() & RingDescriptor.FLAG_OVERFLOW_PENDING) != 0, "overflow flag set");
            assertEquals(0, new io.aioring.abi.layout.ContextArea(f.context.ring().buffer()).overflowVolatile(),
                "the overflow file holds every event on the list (docs/abi.md 2.8): none in memory only");
            final List<ContextFixture.Event> events = f.reap(10_000);
            for (int i = 0; i < events.size(); i++) {
                final ContextFixture.Event e = events.get(i);
                assertEquals(i, e.userData(), "one worker: completion order is submission order");
                assertEquals(i, e.sequence());
                assertEquals(0, e.result());
            }
            final long overflowed = events.stream().filter(e -> (e.flags() & EventDescriptor.FLAG_OVERFLOWED) != 0).count();
            assertTrue(overflowed >= 9_800, overflowed + " events went through the overflow list");
            assertEquals(overflowed, f.context.ring().buffer().getLong(ContextDescriptor.EVENTS_OVERFLOWED_OFFSET));
            assertEquals(0, f.context.overflowLength());
            assertEquals(0, f.context.ring().flags() & RingDescriptor.FLAG_OVERFLOW_PENDING, "overflow flag cleared");
            if (initialPosition < 0) {
                assertTrue(Integer.compareUnsigned(f.context.ring().head(), initialPosition) < 0, "head wrapped past 2^32");
            }
        }
    }

    @Test
    @Timeout(120)
    void atTheBoundSubmitSaysBusyAndNothingIsLost() throws Exception {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(4096).workers(2).maxInFlight(64)
            .overflowBound(100))) {
            int accepted = 0;
            int busy = 0;
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (busy < 3) {
                assertTrue(System.nanoTime() < deadline, "never busy");
                f.writer.nop(accepted);
                final int r = f.context.submit(f.writer);
                f.writer.reset();
                if (r == 1) {
                    accepted++;
                } else if (r == -Errno.EBUSY) {
                    busy++;
                } else {
                    assertEquals(-Errno.EAGAIN, r);
                    Thread.onSpinWait();
                }
            }
            assertTrue(f.context.overflowLength() >= 100);
            assertTrue(f.context.ring().buffer().getInt(ContextDescriptor.BUSY_REJECTIONS_OFFSET) >= 3);
            final BitSet seen = new BitSet();
            for (final ContextFixture.Event e : f.reap(accepted)) {
                assertFalse(seen.get((int) e.userData()), "twice: " + e.userData());
                seen.set((int) e.userData());
            }
            assertEquals(accepted, seen.cardinality());
            assertEquals(0, f.context.getevents(1, 1 << 20, 100_000_000L, e -> fail("an extra event")));
        }
    }

    /**
     * destroy with events on the overflow list discards nothing (docs/abi.md 2.8): it leaves the ring file and the
     * overflow file, closed; a reaper opened afterwards drains the ring, then the file, each event once in sequence
     * order, and removes both files.
     */
    @Test
    @Timeout(60)
    void destroyWithAFullRingLeavesTheEventsForAReaper() throws Exception {
        final java.nio.file.Path ringFile = destroyWithEventsLeft();
        final java.nio.file.Path overflowFile = java.nio.file.Path.of(ringFile + ".overflow");
        assertEquals(300, drain(ringFile), "every event: the ring's, then the overflow file's");
        assertFalse(java.nio.file.Files.exists(ringFile) || java.nio.file.Files.exists(overflowFile),
            "the reaper that drained them removed both files");
    }

    /**
     * A reaper removes a destroyed or gone engine's files only holding the ring file's lock, which a re-attaching
     * engine holds while it takes the file over (docs/abi.md 2.8): here the test holds it, and the reaper drains
     * every event but removes nothing; once the lock is free, the next reaper that finds nothing left removes both.
     */
    @Test
    @Timeout(60)
    void aReaperRemovesNothingWhileSomeoneHoldsTheRingFilesLock() throws Exception {
        final java.nio.file.Path ringFile = destroyWithEventsLeft();
        final java.nio.file.Path overflowFile = java.nio.file.Path.of(ringFile + ".overflow");
        try (io.aioring.ring.RingFile taker = io.aioring.ring.RingFile.open(ringFile,
                io.aioring.abi.layout.ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
            assertTrue(taker.tryLockExclusive(), "destroy dropped the engine's lock");
            assertEquals(300, drain(ringFile));
            assertTrue(java.nio.file.Files.exists(ringFile) && java.nio.file.Files.exists(overflowFile),
                "the lock is held: both stay");
        }
        assertEquals(0, drain(ringFile), "each event came out once");
        assertFalse(java.nio.file.Files.exists(ringFile) || java.nio.file.Files.exists(overflowFile));
    }

    /**
     * An engine that re-attaches to a ring destroy left events in takes them (they are its own again) and clears
     * OVERFLOW_LEFT: a reader that knows only EVENTS_V1 reads the ring again.
     */
    @Test
    @Timeout(60)
    void aReattachTakesTheLeftEventsAndClearsTheBit() throws Exception {
        final java.nio.file.Path ringFile = destroyWithEventsLeft();
        try (AioContext context = AioContext.setup(TestBackend.params().ringPath(ringFile).ringDataBytes(4096).workers(1)
                .overflowBound(1000).flags(io.aioring.abi.layout.SetupDescriptor.FLAG_EVENTFD
                    | io.aioring.abi.layout.SetupDescriptor.FLAG_EVENTFD_SOCKET | io.aioring.abi.layout.SetupDescriptor.FLAG_REATTACH),
                new io.aioring.abi.spi.AttributeRegistry(List.of()))) {
            try (io.aioring.ring.RingFile plain = io.aioring.ring.RingFile.open(ringFile,
                    io.aioring.abi.layout.ContextDescriptor.INCOMPAT_EVENTS_V1)) {
                assertEquals(io.aioring.abi.layout.ContextDescriptor.INCOMPAT_EVENTS_V1, plain.ring().incompatFeatures());
            }
            final java.util.Set<Long> seen = new java.util.HashSet<>();
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (seen.size() < 300 && System.nanoTime() < deadline) {
                context.getevents(1, 1 << 20, 100_000_000L, e -> assertTrue(seen.add(e.userData()), "twice: " + e.userData()));
            }
            assertEquals(300, seen.size(), "every event destroy left, once");
        }
    }

    /** @return the ring file of a context destroyed with 300 events, most of them on its overflow list */
    private static java.nio.file.Path destroyWithEventsLeft() throws Exception {
        final AioContext context = AioContext.setup(TestBackend.params().ringDataBytes(4096).workers(1).overflowBound(1000),
            new io.aioring.abi.spi.AttributeRegistry(List.of()));
        final java.nio.file.Path ringFile = context.ringPath();
        final java.nio.file.Path overflowFile = java.nio.file.Path.of(ringFile + ".overflow");
        final IocbWriter writer = new IocbWriter(new org.agrona.concurrent.UnsafeBuffer(new byte[64 * 300]));
        for (int i = 0; i < 300; i++) {
            writer.nop(i);
        }
        assertEquals(300, context.submit(writer));
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (context.completed() < 300) {
            assertTrue(System.nanoTime() < deadline);
            Thread.sleep(1);
        }
        final int left = context.destroy();
        assertTrue(left > 100, "the 4 KiB ring held about 100; the rest waited: " + left);
        assertTrue(java.nio.file.Files.exists(ringFile) && java.nio.file.Files.exists(overflowFile), "both left in place");
        // A reader that would not drain the overflow file (it knows only EVENTS_V1) refuses the ring, rather than
        // take the ring's events, see PRODUCER_CLOSED and stop short of the file's (docs/abi.md 2.8).
        final io.aioring.ring.RingFormatException old = assertThrows(io.aioring.ring.RingFormatException.class,
            () -> io.aioring.ring.RingFile.open(ringFile, io.aioring.abi.layout.ContextDescriptor.INCOMPAT_EVENTS_V1));
        assertTrue(old.getMessage().contains("incompat features 0x2"), old.getMessage());
        return ringFile;
    }

    /** @return the events a reaper opened now takes, checked to come in sequence from where the last drain ended */
    private static int drain(final java.nio.file.Path ringFile) throws Exception {
        try (ContextReaper reaper = ContextReaper.open(ringFile)) {
            assertEquals(EngineState.CLOSED, reaper.engineState());
            final long[] next = {-1};
            return reaper.reap(e -> {
                if (next[0] < 0) {
                    next[0] = e.sequence();
                }
                assertEquals(next[0], e.userData(), "one worker: completion order");
                assertEquals(next[0]++, e.sequence(), "in sequence, none missing");
            }, Integer.MAX_VALUE, 1 << 16, new org.agrona.concurrent.BackoffIdleStrategy(), 10_000_000_000L);
        }
    }

    /** A reaper in another JVM drains the ring and rings the doorbell; only that moves the overflow list in. */
    @Test
    @Timeout(180)
    void aReaperInAnotherJvmRingsTheDoorbell() throws Exception {
        final int events = 3_000;
        // The context thread's fallback wait is an hour: only a doorbell can move the overflow list in.
        try (AioContext context = AioContext.setup(TestBackend.params().ringDataBytes(4096).workers(1).maxInFlight(256)
            .overflowBound(events), new AttributeRegistry(List.of()), 3_600_000_000_000L)) {
            final ContextFixture.Batch batch = new ContextFixture.Batch();
            for (int i = 0; i < events; ) {
                batch.writer.nop(i);
                if (++i % 100 == 0) {
                    assertEquals(100, context.submit(batch.writer));
                    batch.writer.reset();
                }
            }
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (context.overflowLength() + eventsInRing(context) < events) {
                assertTrue(System.nanoTime() < deadline);
                Thread.sleep(1);
            }
            final int doorbellBefore = context.ring().doorbell();
            try (ChildJvm child = ChildJvm.start(DoorbellReaperMain.class, context.ringPath().toString(),
                Integer.toString(events))) {
                assertEquals(0, child.waitFor(120), child.log());
                assertTrue(child.log().contains("reaped " + events + " events in order"), child.log());
            }
            assertTrue(context.ring().doorbell() - doorbellBefore > 0, "the child rang the doorbell");
            assertEquals(0, context.overflowLength());
        }
    }

    private static int eventsInRing(final AioContext context) {
        return (int) context.ring().buffer().getLong(ContextDescriptor.EVENTS_POSTED_OFFSET);
    }
}
