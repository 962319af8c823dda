package io.aioring.ring;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import net.jqwik.api.*;
import net.jqwik.api.constraints.Size;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The ring against a model (a queue of byte arrays): random interleavings of write, claim+commit, claim+abort,
 * publish, single reap and batch reap, with random sizes up to the maximum and counters that start anywhere,
 * including just below 2^32 so that they wrap inside the try.
 */
class RingModelProperties {
    sealed interface Op permits Write, ClaimCommit, ClaimAbort, Publish, ReapOne, ReapBatch {
    }

    record Write(int rawSize) implements Op {
    }

    record ClaimCommit(int rawSize) implements Op {
    }

    record ClaimAbort(int rawSize) implements Op {
    }

    record Publish() implements Op {
    }

    record ReapOne(int reaper) implements Op {
    }

    record ReapBatch(int reaper, int byteLimit) implements Op {
    }

    @Provide
    Arbitrary<Op> ops() {
        final Arbitrary<Integer> size = Arbitraries.oneOf(
            Arbitraries.integers().between(0, 24),
            Arbitraries.integers().between(0, 1 << 12),
            Arbitraries.just(Integer.MAX_VALUE));
        return Arbitraries.frequencyOf(
            Tuple.of(5, size.map(Write::new)),
            Tuple.of(3, size.map(ClaimCommit::new)),
            Tuple.of(1, size.map(ClaimAbort::new)),
            Tuple.of(3, Arbitraries.just(new Publish())),
            Tuple.of(3, Arbitraries.integers().between(0, 1).map(ReapOne::new)),
            Tuple.of(3, Combinators.combine(Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(1, 1 << 15)).as(ReapBatch::new)));
    }

    @Provide
    Arbitrary<Integer> initialPositions() {
        return Arbitraries.oneOf(
            Arbitraries.integers().between(1, 512).map(k -> -8 * k),
            Arbitraries.integers().map(v -> v & -8),
            Arbitraries.of(0, Integer.MIN_VALUE, Integer.MAX_VALUE & -8));
    }

    @Property(tries = 10_000)
    void sharedReapersSeeTheModelsRecords(@ForAll("initialPositions") final int initial,
                                          @ForAll @net.jqwik.api.constraints.IntRange(min = 10, max = 13) final int log2Data,
                                          @ForAll @Size(max = 160) final List<@From("ops") Op> ops) {
        run(initial, 1 << log2Data, ops, RingReaper.Mode.SHARED);
    }

    @Property(tries = 10_000)
    void exclusiveReaperSeesTheModelsRecords(@ForAll("initialPositions") final int initial,
                                             @ForAll @net.jqwik.api.constraints.IntRange(min = 10, max = 13) final int log2Data,
                                             @ForAll @Size(max = 160) final List<@From("ops") Op> ops) {
        run(initial, 1 << log2Data, ops, RingReaper.Mode.EXCLUSIVE);
    }

    private static void run(final int initial, final int dataLength, final List<Op> ops, final RingReaper.Mode mode) {
        final UnsafeBuffer memory = new UnsafeBuffer(new byte[(int) RingDescriptor.totalLength(dataLength)]);
        final Ring ring = Ring.format(memory, RingSpec.of(dataLength).withInitialPosition(initial));
        final RingProducer producer = new RingProducer(ring);
        // Two reapers; in exclusive mode the second is the same one, as there may be only one.
        final RingReaper first = new RingReaper(ring, mode, 0);
        final RingReaper[] reapers = {first, mode == RingReaper.Mode.SHARED ? new RingReaper(ring, mode, 0) : first};
        final ArrayDeque<byte[]> published = new ArrayDeque<>();
        final List<byte[]> pending = new ArrayList<>();
        final List<byte[]> reaped = new ArrayList<>();
        final RecordHandler collect = (type, buffer, index, length) -> {
            assertNotEquals(RecordDescriptor.FILLER_TYPE, type, "a filler was handed out");
            final byte[] bytes = new byte[length];
            buffer.getBytes(index, bytes);
            assertEquals(length % 251, type - 1, "type travels with the record");
            reaped.add(bytes);
        };
        int sequence = 0;
        for (final Op op : ops) {
            switch (op) {
                case Write w -> {
                    final byte[] payload = payload(sequence++, Math.min(w.rawSize(), ring.maxPayloadLength()));
                    if (producer.tryWrite(typeOf(payload), new UnsafeBuffer(payload), 0, payload.length)) {
                        pending.add(payload);
                    } else {
                        assertNoRoomIsTrue(producer, payload.length);
                    }
                }
                case ClaimCommit c -> {
                    final byte[] payload = payload(sequence++, Math.min(c.rawSize(), ring.maxPayloadLength()));
                    final int index = producer.tryClaim(typeOf(payload), payload.length);
                    if (index == RingProducer.NO_ROOM) {
                        assertNoRoomIsTrue(producer, payload.length);
                    } else {
                        memory.putBytes(index, payload);
                        producer.commit();
                        pending.add(payload);
                    }
                }
                case ClaimAbort a -> {
                    final int length = Math.min(a.rawSize(), ring.maxPayloadLength());
                    final int index = producer.tryClaim(1 + length % 251, length);
                    if (index != RingProducer.NO_ROOM) {
                        memory.setMemory(index, length, (byte) 0x5A);
                        producer.abort();
                    }
                }
                case Publish p -> {
                    producer.publish();
                    published.addAll(pending);
                    pending.clear();
                }
                case ReapOne r -> {
                    final int before = reaped.size();
                    final int n = reapers[r.reaper()].pollOne(collect);
                    assertEquals(published.isEmpty() ? 0 : 1, n);
                    checkReaped(published, reaped, before);
                }
                case ReapBatch b -> {
                    final int before = reaped.size();
                    final int n = reapers[b.reaper()].poll(collect, b.byteLimit());
                    assertEquals(expectedBatch(published, b.byteLimit(), reapers[b.reaper()]), n);
                    checkReaped(published, reaped, before);
                }
            }
            final int free = producer.freeBytes();
            assertTrue(free >= 0 && free <= dataLength, "free bytes " + free);
            assertTrue(Integer.compareUnsigned(ring.tail() - ring.head(), dataLength) <= 0);
        }
        producer.publish();
        published.addAll(pending);
        final int before = reaped.size();
        while (reapers[0].poll(collect, Integer.MAX_VALUE) > 0) {
            // drain
        }
        checkReaped(published, reaped, before);
        assertTrue(published.isEmpty(), published.size() + " records were never reaped");
        assertEquals(ring.head(), ring.tail());
        assertEquals(dataLength, producer.freeBytes());
    }

    private static int expectedBatch(final ArrayDeque<byte[]> published, final int byteLimit, final RingReaper reaper) {
        final long limit = Math.min(byteLimit, reaper.batchCapacity());
        int n = 0;
        long bytes = 0;
        for (final byte[] record : published) {
            final int span = RecordDescriptor.align(RecordDescriptor.HEADER_LENGTH + record.length);
            if (n > 0 && bytes + span > limit) {
                break;
            }
            bytes += span;
            n++;
        }
        return n;
    }

    private static void checkReaped(final ArrayDeque<byte[]> published, final List<byte[]> reaped, final int from) {
        for (int i = from; i < reaped.size(); i++) {
            final byte[] expected = published.pollFirst();
            assertNotNull(expected, "reaped a record that was never published");
            assertArrayEquals(expected, reaped.get(i), "record bytes differ");
        }
    }

    private static void assertNoRoomIsTrue(final RingProducer producer, final int payloadLength) {
        final int span = RecordDescriptor.align(RecordDescriptor.HEADER_LENGTH + payloadLength);
        final int free = producer.freeBytes();
        // Refusal is right only if the record, plus a filler shorter than it, does not fit.
        assertTrue(free < 2 * span, "refused a record of " + span + " bytes with " + free + " free");
    }

    private static int typeOf(final byte[] payload) {
        return 1 + payload.length % 251;
    }

    private static byte[] payload(final int sequence, final int length) {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) sequence);
        for (int i = 0; i < length; i += 7) {
            bytes[i] = (byte) (sequence * 31 + i);
        }
        return bytes;
    }
}
