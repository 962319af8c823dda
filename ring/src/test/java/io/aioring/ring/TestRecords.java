package io.aioring.ring;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Records that carry a sequence number and a checksum over all their bytes, so that a lost, duplicated or torn
 * record is seen by whoever reaps it.
 *
 * <pre>
 *   0: sequence (u64)   8: checksum (u64)   16: filler bytes derived from the sequence (0..MAX_EXTRA)
 * </pre>
 */
final class TestRecords {
    static final int TYPE = 7;
    static final int FIXED = 16;
    static final int MAX_EXTRA = 48;

    private TestRecords() {
    }

    static int payloadLength(final long sequence) {
        return FIXED + (int) (mix(sequence) >>> 58) % (MAX_EXTRA + 1);
    }

    /** Writes the record for {@code sequence} at {@code index}; @return its payload length */
    static int write(final MutableDirectBuffer buffer, final int index, final long sequence) {
        final int length = payloadLength(sequence);
        buffer.putLong(index, sequence);
        long sum = mix(sequence ^ length);
        for (int i = FIXED; i < length; i++) {
            final byte b = (byte) (sequence * 13 + i);
            buffer.putByte(index + i, b);
            sum = sum * 31 + b;
        }
        buffer.putLong(index + 8, sum);
        return length;
    }

    /** @return the record's sequence, or -1 if its bytes do not check */
    static long check(final DirectBuffer buffer, final int index, final int length) {
        if (length < FIXED) {
            return -1;
        }
        final long sequence = buffer.getLong(index);
        if (sequence < 0 || length != payloadLength(sequence)) {
            return -1;
        }
        long sum = mix(sequence ^ length);
        for (int i = FIXED; i < length; i++) {
            final byte b = buffer.getByte(index + i);
            if (b != (byte) (sequence * 13 + i)) {
                return -1;
            }
            sum = sum * 31 + b;
        }
        return buffer.getLong(index + 8) == sum ? sequence : -1;
    }

    /**
     * Writes records 0 to {@code count - 1} through {@code producer}, publishing every {@code publishEvery}
     * records and idling while the ring is full; {@code whileFull} runs on each full poll (to stop on a failure).
     */
    static void produce(final RingProducer producer, final long count, final int publishEvery, final Runnable whileFull) {
        final org.agrona.concurrent.BackoffIdleStrategy idle =
            new org.agrona.concurrent.BackoffIdleStrategy(10, 10, 1_000, 100_000);
        for (long sequence = 0; sequence < count; ) {
            final int index = producer.tryClaim(TYPE, payloadLength(sequence));
            if (index == RingProducer.NO_ROOM) {
                producer.publish();
                whileFull.run();
                idle.idle(0);
                continue;
            }
            idle.reset();
            write(producer.ring().buffer(), index, sequence);
            producer.commit();
            if (++sequence % publishEvery == 0) {
                producer.publish();
            }
        }
        producer.publish();
    }

    static long mix(final long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
