package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingObserver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A process that can write the ring file moves head where no reaper could have put it. The engine notices when it
 * next loads head, gives the ring up (flag CORRUPTED), keeps every thread alive, refuses new iocbs with a clear
 * error, hands every event that had not entered the ring to getevents in its own process, and destroys cleanly.
 */
class HostileHeadTest {
    /** How far past the published tail the hostile head is put (8: one record; 1 << 30: far off); -8: misaligned. */
    @ParameterizedTest
    @ValueSource(ints = {8, 2048, 1 << 30, -3})
    void anImpossibleHeadStopsTheRingButNotTheEngine(final int pastTail) throws Exception {
        try (ThreadDeaths deaths = new ThreadDeaths()) {
            final ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(4096).overflowBound(4096));
            final Path ringFile = f.context.ringPath();
            final int total = 300;
            for (int i = 0; i < total; i++) {
                f.writer.nop(i);
            }
            f.submitAll();
            final var header = f.context.ring().buffer();
            final long deadline = System.nanoTime() + 5_000_000_000L;
            // Completed, and posted: each event in the ring or on the overflow list (a post may still be under way
            // when the last iocb counts as completed).
            while ((f.context.completed() < total
                || header.getLongVolatile(ContextDescriptor.EVENTS_POSTED_OFFSET) + f.context.overflowLength() < total)
                && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            final long inRing = header.getLong(ContextDescriptor.EVENTS_POSTED_OFFSET);
            assertTrue(inRing > 0 && inRing < total, "the ring filled and the rest overflowed: " + inRing + " in the ring");
            // Which iocbs' events are in the ring (completion order need not be submission order).
            final Set<Long> ringed = new HashSet<>();
            new RingObserver(f.context.ring()).poll((type, buffer, index, length) ->
                ringed.add(buffer.getLong(index + EventDescriptor.USER_DATA_OFFSET)), Integer.MAX_VALUE);
            assertEquals(inRing, ringed.size());
            // A few iocbs still to complete after the scribble.
            for (int i = 0; i < 5; i++) {
                f.writer.timeout(30_000_000L, 1000 + i);
            }
            f.submitAll();
            final int tail = header.getIntVolatile(RingDescriptor.TAIL_OFFSET);
            header.putIntVolatile(RingDescriptor.HEAD_OFFSET, pastTail == -3 ? header.getIntVolatile(RingDescriptor.HEAD_OFFSET) + 3
                : tail + pastTail);
            while ((f.context.ring().flags() & RingDescriptor.FLAG_CORRUPTED) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1); // the context thread tries to move the overflow list in, and loads head
            }
            assertNotEquals(0, f.context.ring().flags() & RingDescriptor.FLAG_CORRUPTED, "CORRUPTED set");
            assertNotNull(f.context.corruption());
            assertTrue(f.context.corruption().contains("head"), f.context.corruption());
            final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> f.context.submit(f.writer.nop(7)));
            f.writer.reset();
            assertTrue(refused.getMessage().contains("corrupted"), refused.getMessage());
            // Everything that had not entered the ring is handed over here, the timeouts included.
            final long expected = total - inRing + 5;
            final List<ContextFixture.Event> rest = f.reap((int) expected);
            final Set<Long> seen = new HashSet<>();
            for (final ContextFixture.Event event : rest) {
                assertTrue(seen.add(event.userData()), "twice: " + event.userData());
            }
            for (int i = 0; i < 5; i++) {
                assertTrue(seen.contains(1000L + i), "timeout " + i);
            }
            for (long i = 0; i < total; i++) {
                assertTrue(seen.contains(i) != ringed.contains(i), "nop " + i + ": in the ring, or handed over, once");
            }
            assertEquals(0, f.context.destroy(), "nothing left undelivered");
            assertFalse(Files.exists(ringFile), "the ring file is removed");
            f.close();
            deaths.assertNone();
        }
    }

    /** A hostile head while the ring has room (posting never needs to load head) is found within a heartbeat. */
    @org.junit.jupiter.api.Test
    void aHostileHeadIsFoundEvenWhileTheRingHasRoom() throws Exception {
        try (ContextFixture f = new ContextFixture(TestBackend.params())) {
            f.writer.nop(1);
            assertEquals(0, f.one().result());
            final var header = f.context.ring().buffer();
            header.putIntVolatile(RingDescriptor.HEAD_OFFSET, header.getIntVolatile(RingDescriptor.TAIL_OFFSET) + (1 << 20));
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (f.context.corruption() == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertNotNull(f.context.corruption(), "found within a heartbeat (100 ms)");
            assertNotEquals(0, f.context.ring().flags() & RingDescriptor.FLAG_CORRUPTED);
        }
    }

    /**
     * Head moved backwards by whole records, to where it was before events were reaped: the events are in the
     * ring, well formed, and look unread. Neither another reaper (ContextReaper, through reaped_sequence) nor the
     * reaper that took them (its own floor) delivers one twice; each says head moved backwards, and events posted
     * afterwards are delivered once as ever.
     */
    @org.junit.jupiter.api.Test
    void aHeadMovedBackwardsDeliversNothingTwice() throws Exception {
        try (ContextFixture f = new ContextFixture(TestBackend.params());
             ContextReaper other = ContextReaper.open(f.context.ringPath())) {
            final var header = f.context.ring().buffer();
            final Set<Long> delivered = new HashSet<>();
            final EventHandler record = event -> assertTrue(delivered.add(event.userData()), "twice: " + event.userData());
            for (int round = 0; round < 2; round++) {
                if (f.context.corruption() != null) {
                    return; // the engine loaded head between a reap and the scribble and gave the ring up: also right
                }
                final int before = header.getIntVolatile(RingDescriptor.HEAD_OFFSET);
                for (int i = 0; i < 20; i++) {
                    f.writer.nop(round * 100 + i);
                }
                f.submitAll();
                for (final ContextFixture.Event event : f.reap(20)) {
                    assertTrue(delivered.add(event.userData()), "twice: " + event.userData());
                }
                header.putIntVolatile(RingDescriptor.HEAD_OFFSET, before); // the 20 events look unread again
                final boolean byOther = round == 0;
                final io.aioring.ring.RingCorruptedException caught = assertThrows(
                    io.aioring.ring.RingCorruptedException.class, () -> {
                        for (int poll = 0; poll < 1000; poll++) {
                            if (byOther) {
                                other.poll(record, Integer.MAX_VALUE);
                            } else {
                                f.context.getevents(0, Integer.MAX_VALUE, 0, record);
                            }
                        }
                    });
                assertTrue(caught.getMessage().contains("moved backwards"), caught.getMessage());
                assertEquals(header.getIntVolatile(RingDescriptor.TAIL_OFFSET), header.getIntVolatile(RingDescriptor.HEAD_OFFSET),
                    "the old events were taken off the ring, not delivered");
                assertEquals(20 * (round + 1), delivered.size());
            }
            if (f.context.corruption() != null) {
                return;
            }
            // New events after both: delivered once, to whichever reaper takes them.
            for (int i = 0; i < 20; i++) {
                f.writer.nop(1000 + i);
            }
            f.submitAll();
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (delivered.size() < 60 && System.nanoTime() < deadline) {
                other.poll(record, Integer.MAX_VALUE);
                f.context.getevents(0, Integer.MAX_VALUE, 1_000_000L, record);
            }
            assertEquals(60, delivered.size());
        }
    }
}
