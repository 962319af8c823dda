package io.aioring.ring;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scribbles over a live ring's header and records: reapers either reap correctly or raise
 * {@link RingCorruptedException} naming the field; never another exception, never an endless loop.
 */
class RingHostileMemoryTest {
    private static final int DATA = 4096;

    /** A ring holding published test records, its first record at data offset 0 and a filler before the last. */
    private static final class LiveRing {
        final UnsafeBuffer memory = new UnsafeBuffer(new byte[(int) RingDescriptor.totalLength(DATA)]);
        final Ring ring;
        final RingProducer producer;
        final int firstRecord;

        LiveRing(final int initial, final int records) {
            ring = Ring.format(memory, RingSpec.of(DATA).withInitialPosition(initial));
            producer = new RingProducer(ring);
            firstRecord = ring.dataIndex(initial);
            for (int i = 0; i < records; i++) {
                final int index = producer.tryClaim(TestRecords.TYPE, TestRecords.payloadLength(i));
                assertNotEquals(RingProducer.NO_ROOM, index);
                TestRecords.write(memory, index, i);
                producer.commit();
            }
            producer.publish();
        }
    }

    private static RingCorruptedException reapExpectingCorruption(final LiveRing live, final RingReaper.Mode mode) {
        return assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            final RingReaper reaper = new RingReaper(live.ring, mode);
            final SequenceTally tally = new SequenceTally();
            return assertThrows(RingCorruptedException.class, () -> {
                for (int i = 0; i < 10_000; i++) {
                    reaper.poll(tally, 1024);
                }
            });
        });
    }

    @ParameterizedTest
    @EnumSource(RingReaper.Mode.class)
    void headBeyondTail(final RingReaper.Mode mode) {
        final LiveRing live = new LiveRing(0, 10);
        live.memory.putInt(RingDescriptor.HEAD_OFFSET, live.ring.tail() + 64);
        final RingCorruptedException e = reapExpectingCorruption(live, mode);
        assertEquals("head", e.field());
        assertTrue(e.getMessage().contains("beyond tail"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(RingReaper.Mode.class)
    void misalignedHead(final RingReaper.Mode mode) {
        final LiveRing live = new LiveRing(0, 10);
        live.memory.putInt(RingDescriptor.HEAD_OFFSET, 4);
        assertEquals("head", reapExpectingCorruption(live, mode).field());
    }

    @ParameterizedTest
    @EnumSource(RingReaper.Mode.class)
    void moreUnreadThanTheDataArea(final RingReaper.Mode mode) {
        final LiveRing live = new LiveRing(0, 10);
        live.memory.putInt(RingDescriptor.TAIL_OFFSET, DATA + 8);
        final RingCorruptedException e = reapExpectingCorruption(live, mode);
        assertEquals("tail", e.field());
        assertEquals(DATA + 8, e.value());
    }

    @ParameterizedTest
    @EnumSource(RingReaper.Mode.class)
    void misalignedTail(final RingReaper.Mode mode) {
        final LiveRing live = new LiveRing(0, 10);
        live.memory.putInt(RingDescriptor.TAIL_OFFSET, live.ring.tail() + 3);
        assertEquals("tail", reapExpectingCorruption(live, mode).field());
    }

    @ParameterizedTest
    @EnumSource(RingReaper.Mode.class)
    void tailInsideARecord(final RingReaper.Mode mode) {
        final LiveRing live = new LiveRing(0, 1);
        live.memory.putInt(RingDescriptor.TAIL_OFFSET, 8);
        final RingCorruptedException e = reapExpectingCorruption(live, mode);
        assertEquals("record length", e.field());
        assertTrue(e.getMessage().contains("past tail"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(RingReaper.Mode.class)
    void recordLengthsOutOfRange(final RingReaper.Mode mode) {
        for (final int length : new int[] {0, 7, -1, Integer.MIN_VALUE, DATA, 8 + DATA / 8 + 1}) {
            final LiveRing live = new LiveRing(0, 3);
            live.memory.putInt(live.firstRecord, length);
            final RingCorruptedException e = reapExpectingCorruption(live, mode);
            assertEquals("record length", e.field());
            assertEquals(Integer.toUnsignedLong(length), e.value());
        }
    }

    @ParameterizedTest
    @EnumSource(RingReaper.Mode.class)
    void aFillerThatDoesNotRunToTheEnd(final RingReaper.Mode mode) {
        final LiveRing live = new LiveRing(0, 3);
        live.memory.putInt(live.firstRecord + RecordDescriptor.TYPE_OFFSET, RecordDescriptor.FILLER_TYPE);
        assertEquals("filler length", reapExpectingCorruption(live, mode).field());
    }

    @ParameterizedTest
    @EnumSource(RingReaper.Mode.class)
    void recordsBeforeACorruptOneAreDeliveredFirst(final RingReaper.Mode mode) {
        final LiveRing live = new LiveRing(0, 5);
        int index = live.firstRecord;
        for (int i = 0; i < 3; i++) {
            index += RecordDescriptor.align(live.memory.getInt(index));
        }
        live.memory.putInt(index, 3);
        final RingReaper reaper = new RingReaper(live.ring, mode);
        final SequenceTally tally = new SequenceTally();
        assertEquals(3, reaper.poll(tally, 1 << 20));
        assertThrows(RingCorruptedException.class, () -> reaper.poll(tally, 1 << 20));
        assertEquals(3, tally.seen.cardinality());
        assertEquals(0, tally.torn);
    }

    @Test
    void producerRefusesAnImpossibleHead() {
        final LiveRing live = new LiveRing(0, 40);
        live.memory.putInt(RingDescriptor.HEAD_OFFSET, live.ring.tail() + 8);
        final RingCorruptedException e = assertThrows(RingCorruptedException.class, () -> {
            for (int i = 0; i < 1000; i++) {
                if (live.producer.tryClaim(TestRecords.TYPE, 64) != RingProducer.NO_ROOM) {
                    live.producer.commit();
                }
            }
        });
        assertEquals("head", e.field());
    }

    @Test
    void producerRefusesAHeadThatMovedBackwards() {
        final LiveRing live = new LiveRing(0, 40);
        new RingReaper(live.ring, RingReaper.Mode.EXCLUSIVE).poll((t, b, i, l) -> { }, 1 << 20);
        live.producer.freeBytes();
        live.memory.putInt(RingDescriptor.HEAD_OFFSET, live.ring.tail() - 64);
        final RingCorruptedException e = assertThrows(RingCorruptedException.class, live.producer::freeBytes);
        assertTrue(e.getMessage().contains("backwards"), e.getMessage());
    }

    @Test
    void fieldsReadAtAttachAreNotReadAgainByALiveReaper() {
        final LiveRing live = new LiveRing(0, 10);
        final RingReaper reaper = new RingReaper(live.ring, RingReaper.Mode.SHARED);
        for (final int offset : new int[] {RingDescriptor.MAGIC_OFFSET, RingDescriptor.ABI_VERSION_OFFSET,
            RingDescriptor.DATA_LENGTH_OFFSET, RingDescriptor.MAX_PAYLOAD_LENGTH_OFFSET,
            RingDescriptor.HEADER_LENGTH_OFFSET, RingDescriptor.INCOMPAT_FEATURES_OFFSET}) {
            live.memory.putInt(offset, 0x7FFF_FFF3);
        }
        live.memory.putInt(RingDescriptor.FLAGS_OFFSET, -1);
        live.memory.putInt(RingDescriptor.DOORBELL_OFFSET, -1);
        final SequenceTally tally = new SequenceTally();
        assertEquals(10, reaper.poll(tally, 1 << 20));
        assertEquals(0, tally.torn);
        assertThrows(RingFormatException.class, () -> Ring.attach(live.memory, 0));
    }

    /**
     * Random scribbles over head, tail and record bytes, many times over: every outcome is a correct reap, a
     * delivered record whose bytes fail their checksum (the ring does not checksum payloads), or a corruption
     * error; a bounded number of polls always reaches an empty ring or that error.
     */
    @Test
    void randomScribblesNeverCrashNorHang() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            final SplittableRandom random = new SplittableRandom(0x5EED);
            int corrupt = 0;
            int clean = 0;
            for (int round = 0; round < 20_000; round++) {
                final LiveRing live = new LiveRing(-8 * random.nextInt(1, 600), random.nextInt(1, 60));
                final int scribbles = random.nextInt(1, 4);
                for (int s = 0; s < scribbles; s++) {
                    switch (random.nextInt(4)) {
                        case 0 -> live.memory.putInt(RingDescriptor.HEAD_OFFSET,
                            live.ring.head() + 8 * random.nextInt(-64, 64) + (random.nextInt(8) == 0 ? 1 : 0));
                        case 1 -> live.memory.putInt(RingDescriptor.TAIL_OFFSET,
                            random.nextBoolean() ? random.nextInt() : live.ring.tail() + 8 * random.nextInt(-64, 64));
                        default -> live.memory.putByte(RingDescriptor.HEADER_LENGTH + random.nextInt(DATA),
                            (byte) random.nextInt());
                    }
                }
                final RingReaper.Mode mode = random.nextBoolean() ? RingReaper.Mode.SHARED : RingReaper.Mode.EXCLUSIVE;
                final RingReaper reaper = new RingReaper(live.ring, mode, 512);
                final SequenceTally tally = new SequenceTally();
                try {
                    int polls = 0;
                    while (reaper.poll(tally, random.nextInt(1, 2048)) > 0) {
                        assertTrue(++polls <= DATA / 8, "more polls than records can exist");
                    }
                    assertEquals(live.ring.head(), live.ring.tail(), "an empty poll leaves an empty ring");
                    clean++;
                } catch (final RingCorruptedException e) {
                    assertNotNull(e.field());
                    corrupt++;
                }
            }
            assertTrue(corrupt > 1000 && clean > 1000, "both outcomes seen: corrupt " + corrupt + ", clean " + clean);
        });
    }

    /**
     * A writer that changes record lengths while a shared reaper works: the reaper checks the lengths it walked in
     * shared memory, copies, and must check the copy again before it delivers from it, or a length changed in
     * between (0, or past the batch) makes it loop forever or hand over a record that is not one.
     */
    @Test
    void lengthsChangedBetweenTheWalkAndTheCopy() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            final int payload = 24;
            final int span = RecordDescriptor.align(RecordDescriptor.HEADER_LENGTH + payload);
            final UnsafeBuffer memory = new UnsafeBuffer(new byte[(int) RingDescriptor.totalLength(DATA)]);
            final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            final Thread scribbler = new Thread(() -> {
                final SplittableRandom random = new SplittableRandom(7);
                final int[] bad = {0, 4, RecordDescriptor.HEADER_LENGTH + payload + 2048, -8};
                while (!stop.get()) {
                    final int at = RingDescriptor.HEADER_LENGTH + span * random.nextInt(DATA / span) + RecordDescriptor.LENGTH_OFFSET;
                    memory.putIntVolatile(at, bad[random.nextInt(bad.length)]);
                    memory.putIntVolatile(at, RecordDescriptor.HEADER_LENGTH + payload);
                }
            });
            scribbler.start();
            long delivered = 0;
            long corrupt = 0;
            try {
                final long deadline = System.nanoTime() + 3_000_000_000L;
                final UnsafeBuffer message = new UnsafeBuffer(new byte[payload]);
                while (System.nanoTime() < deadline) {
                    memory.setMemory(0, memory.capacity(), (byte) 0);
                    final Ring ring = Ring.format(memory, RingSpec.of(DATA));
                    final RingProducer producer = new RingProducer(ring);
                    final RingReaper reaper = new RingReaper(ring, RingReaper.Mode.SHARED, 1024);
                    final long[] count = {0};
                    final RecordHandler handler = (type, buffer, index, length) -> {
                        assertEquals(payload, length, "a record whose length is not the one written");
                        count[0]++;
                    };
                    try {
                        for (int round = 0; round < 2_000; round++) {
                            while (producer.tryWrite(TestRecords.TYPE, message, 0, payload)) {
                                // fill the ring
                            }
                            producer.publish();
                            while (reaper.poll(handler, 1024) > 0) {
                                // drain it
                            }
                        }
                    } catch (final RingCorruptedException e) {
                        assertNotNull(e.field());
                        corrupt++;
                    } catch (final RingFormatException | IllegalArgumentException e) {
                        // the ring could not be formatted or written in a moment of scribbling: start again
                    }
                    delivered += count[0];
                }
            } finally {
                stop.set(true);
                scribbler.join();
            }
            assertTrue(delivered > 0 && corrupt > 0, "delivered " + delivered + ", corrupt " + corrupt);
        });
    }

    /**
     * The observer (what inspect and trace use) against a writer flipping record lengths, 0 among them: it delivers
     * records of the length written or says the ring is corrupt, and never loops on a length that does not advance.
     */
    @Test
    void anObserverNeverLoopsOnLengthsChangedUnderIt() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            final int payload = 32;
            final int span = RecordDescriptor.align(RecordDescriptor.HEADER_LENGTH + payload);
            final UnsafeBuffer memory = new UnsafeBuffer(new byte[(int) RingDescriptor.totalLength(DATA)]);
            final Ring ring = Ring.format(memory, RingSpec.of(DATA));
            final RingProducer producer = new RingProducer(ring);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[payload]);
            while (producer.tryWrite(TestRecords.TYPE, message, 0, payload)) {
                // fill the ring; nobody reaps
            }
            producer.publish();
            final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            final Thread scribbler = new Thread(() -> {
                final SplittableRandom random = new SplittableRandom(11);
                while (!stop.get()) {
                    final int at = RingDescriptor.HEADER_LENGTH + span * random.nextInt(DATA / span) + RecordDescriptor.LENGTH_OFFSET;
                    memory.putIntVolatile(at, 0);
                    memory.putIntVolatile(at, RecordDescriptor.HEADER_LENGTH + payload);
                }
            });
            scribbler.start();
            long delivered = 0;
            long corrupt = 0;
            // 20,000 rounds, and on until the scribbler has caught the observer at least once: on a loaded machine
            // the scribbler may get no CPU for a while (a count, not a speed; the test's timeout bounds it).
            try {
                for (int round = 0; round < 20_000 || corrupt == 0; round++) {
                    final RingObserver observer = new RingObserver(ring, 1024);
                    try {
                        while (observer.poll((type, buffer, index, length) -> assertEquals(payload, length), 1024) > 0) {
                            delivered++;
                        }
                    } catch (final RingCorruptedException e) {
                        assertNotNull(e.field());
                        corrupt++;
                    }
                }
            } finally {
                stop.set(true);
                scribbler.join();
            }
            assertTrue(delivered > 0 && corrupt > 0, "delivered " + delivered + ", corrupt " + corrupt);
        });
    }

    /** A guard over {@link TestRecords}' sequences, with the shared mark in a plain field both reapers see. */
    private static final class TestGuard implements ClaimGuard {
        final java.util.concurrent.atomic.AtomicLong shared;
        long floor;

        TestGuard(final java.util.concurrent.atomic.AtomicLong shared) {
            this.shared = shared;
        }

        @Override
        public void beforeClaim() {
            floor = Math.max(floor, shared.get());
        }

        @Override
        public boolean admit(final int type, final org.agrona.DirectBuffer buffer, final int index, final int length) {
            final long sequence = buffer.getLong(index);
            if (sequence < floor) {
                return false;
            }
            floor = sequence + 1;
            return true;
        }

        @Override
        public void claimed(final int type, final org.agrona.DirectBuffer buffer, final int index, final int length) {
            shared.accumulateAndGet(buffer.getLong(index) + 1, Math::max);
        }
    }

    /**
     * Head put back by whole records, to records reaped before: the guard refuses them (by the reaper that took
     * them, through its own floor, and by another, through the shared mark), the poll says head moved backwards,
     * nothing is delivered twice, and later records come through.
     */
    @ParameterizedTest
    @EnumSource(RingReaper.Mode.class)
    void aHeadMovedBackwardsIsRefusedByTheGuard(final RingReaper.Mode mode) {
        final LiveRing live = new LiveRing(0, 10);
        final java.util.concurrent.atomic.AtomicLong shared = new java.util.concurrent.atomic.AtomicLong();
        final RingReaper first = new RingReaper(live.ring, mode, 1 << 16, new TestGuard(shared));
        final RingReaper second = new RingReaper(live.ring, mode, 1 << 16, new TestGuard(shared));
        final SequenceTally tally = new SequenceTally();
        final int start = live.ring.head();
        assertEquals(10, first.poll(tally));
        for (final RingReaper again : new RingReaper[] {first, second}) {
            live.memory.putIntVolatile(RingDescriptor.HEAD_OFFSET, start); // back to record 0
            final RingCorruptedException e = assertThrows(RingCorruptedException.class, () -> again.poll(tally));
            assertTrue(e.getMessage().contains("moved backwards: 10 records"), e.getMessage());
            assertEquals(live.ring.tail(), live.ring.head(), "taken off the ring");
        }
        for (int i = 10; i < 15; i++) {
            final int index = live.producer.tryClaim(TestRecords.TYPE, TestRecords.payloadLength(i));
            TestRecords.write(live.memory, index, i);
            live.producer.commit();
        }
        live.producer.publish();
        assertEquals(5, second.poll(tally));
        assertEquals(15, tally.count);
        assertEquals(0, tally.duplicates);
        assertEquals(0, tally.torn);
    }
}
