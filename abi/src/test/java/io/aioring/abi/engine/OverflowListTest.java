package io.aioring.abi.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingSpec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overflow list by itself, over a real overflow file: completion order kept, sequences fixed as events join,
 * each event mirrored in the file, and the file's records consumed only once the ring's tail holds them.
 */
class OverflowListTest {
    /** Takes events into a list standing for the ring, while it has room for {@code room} more. */
    private static final class Ring implements OverflowList.RingWriter {
        final List<Long> sequences = new ArrayList<>();
        final OverflowList list;
        int room;
        /** Events of {@link #sequences} published (tail moved past them). */
        int published;

        Ring(final OverflowList list) {
            this.list = list;
        }

        @Override
        public boolean write(final InFlight op) {
            if (room == 0) {
                return false;
            }
            room--;
            sequences.add(list.sequenceFor(op));
            list.inRing(op);
            return true;
        }

        @Override
        public boolean write(final UnsafeBuffer event) {
            if (room == 0) {
                return false;
            }
            room--;
            sequences.add(event.getLong(EventDescriptor.SEQUENCE_OFFSET));
            return true;
        }

        @Override
        public void publishAndSignal() {
            published = sequences.size();
            list.published();
        }
    }

    @Test
    void eventsLeaveInTheOrderTheyCameWithTheSequencesTheyTookAndTheFileFollows(@TempDir final Path dir) {
        try (Files files = new Files(dir)) {
            final RingFile ringFile = files.ring();
            final RingFile overflowFile = files.overflow();
            final Submissions slots = new Submissions(8, 64);
            final OverflowList list = new OverflowList(overflowFile, new ContextArea(ringFile.ring().buffer()), slots);
            final Ring ring = new Ring(list);
            final InFlight[] ops = new InFlight[5];
            for (int i = 0; i < ops.length; i++) {
                ops[i] = slots.acquire();
                list.add(ops[i], ring);
                assertEquals(i, ops[i].placement().sequence(), "the sequence is fixed as it joins");
                assertTrue(ops[i].placement().inFile(), "and it is in the overflow file");
                assertTrue(ops[i].overflowed());
            }
            assertEquals(5, list.size());
            assertEquals(5, records(overflowFile), "five records in the file");
            ring.room = 2;
            assertFalse(list.drainInto(ring), "the ring took two of five");
            assertEquals(List.of(0L, 1L), ring.sequences);
            assertEquals(3, list.size());
            assertEquals(5, records(overflowFile), "not consumed before the ring's tail is published");
            list.published();
            assertEquals(3, records(overflowFile), "consumed once it is");
            ring.room = 10;
            assertTrue(list.drainInto(ring));
            list.published();
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), ring.sequences, "completion order, no gap");
            assertEquals(0, records(overflowFile));
            final InFlight later = slots.acquire();
            later.placement().reset(); // a new iocb in the slot: the decoder's load does this
            assertEquals(5, list.sequenceFor(later), "an event that never waited takes the next sequence");
        }
    }

    @Test
    void inheritedEventsGoFirstAndAGivenUpFileIsNeverTouched(@TempDir final Path dir) {
        try (Files files = new Files(dir)) {
            final RingFile ringFile = files.ring();
            final RingFile overflowFile = files.overflow();
            final Submissions slots = new Submissions(8, 64);
            final ContextArea area = new ContextArea(ringFile.ring().buffer());
            final OverflowList list = new OverflowList(overflowFile, area, slots);
            final byte[] old = new byte[EventDescriptor.HEADER_LENGTH];
            new UnsafeBuffer(old).putLong(EventDescriptor.SEQUENCE_OFFSET, 41);
            list.inherit(List.of(old), 42);
            final InFlight mine = slots.acquire();
            list.add(mine, null);
            assertEquals(42, mine.placement().sequence(), "sequences continue after the inherited ones");
            list.giveUpFile();
            final InFlight after = slots.acquire();
            list.add(after, null);
            assertFalse(after.placement().inFile(), "a given-up file is not written");
            assertEquals(1, area.overflowVolatile(), "and the event is counted as held in memory only");
            final Ring ring = new Ring(list);
            ring.room = 10;
            assertTrue(list.drainInto(ring));
            assertEquals(List.of(41L, 42L, 43L), ring.sequences, "the inherited event first");
        }
    }

    /**
     * The list empties into the ring, events go in behind it, and the next finds no room: the ring is published and
     * the old records consumed before the new one is written, so that the file never holds events with a gap
     * between (a dead engine's file with one is corrupt to every reaper, docs/abi.md 2.8).
     */
    @Test
    void aListThatStartsAgainNeverLeavesAGapInTheFile(@TempDir final Path dir) {
        try (Files files = new Files(dir)) {
            final RingFile overflowFile = files.overflow();
            final Submissions slots = new Submissions(8, 64);
            final OverflowList list = new OverflowList(overflowFile, new ContextArea(files.ring().ring().buffer()), slots);
            final Ring ring = new Ring(list);
            for (int i = 0; i < 3; i++) {
                list.add(slots.acquire(), ring);
            }
            ring.room = 5;
            assertTrue(list.drainInto(ring), "the list emptied into the ring, not yet published");
            for (int i = 0; i < 2; i++) {
                final InFlight direct = slots.acquire();
                direct.placement().reset(); // a new iocb in the slot: the decoder's load does this
                assertTrue(ring.write(direct), "an event straight into the ring");
            }
            assertEquals(List.of(0L, 1L, 2L), fileSequences(overflowFile), "the drained events' records wait for tail");
            ring.room = 0;
            final InFlight restarts = slots.acquire();
            list.add(restarts, ring);
            assertEquals(5, restarts.placement().sequence());
            assertEquals(5, ring.published, "the ring's five events were published before the list started again");
            assertEquals(List.of(5L), fileSequences(overflowFile), "and the file holds the new list alone: no gap");
        }
    }

    /** A ring file and its overflow file, real files in {@code dir}. */
    private record Files(RingFile ring, RingFile overflow) implements AutoCloseable {
        Files(final Path dir) {
            this(RingFile.createUnpublished(dir.resolve("ring"), new RingSpec(64 * 1024, 0,
                ContextDescriptor.COMPAT_ALWAYS, ContextDescriptor.INCOMPAT_EVENTS_V1)),
                RingFile.createUnpublished(dir.resolve("ring.overflow"), new RingSpec(64 * 1024, 0, 0L,
                    ContextDescriptor.INCOMPAT_EVENTS_V1)));
            overflow.ring().publishHeader();
        }

        @Override
        public void close() {
            ring.close();
            overflow.close();
        }
    }

    private static List<Long> fileSequences(final RingFile file) {
        final List<Long> sequences = new ArrayList<>();
        new io.aioring.ring.RingObserver(file.ring()).poll(
            (type, buffer, index, length) -> sequences.add(buffer.getLong(index + EventDescriptor.SEQUENCE_OFFSET)),
            Integer.MAX_VALUE);
        return sequences;
    }

    private static int records(final RingFile file) {
        return fileSequences(file).size();
    }
}
