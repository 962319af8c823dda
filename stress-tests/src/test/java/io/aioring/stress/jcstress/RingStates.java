package io.aioring.stress.jcstress;

import io.aioring.ring.RecordHandler;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingProducer;
import io.aioring.ring.RingReaper;
import io.aioring.ring.RingSpec;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the memory-model tests share: a small ring on the heap (header, context area and a 1 KiB data area), its
 * producer, shared reapers, and records whose 16-byte payload holds one value twice, so a torn copy is seen.
 */
final class RingStates {
    static final int TYPE = 7;
    static final long VALUE = 0x1122_3344_5566_7788L;
    /** A record's value as delivered: NONE if there was none, TORN if its two halves disagree. */
    static final int NONE = -1;
    static final int TORN = 0;
    static final int WHOLE = 1;

    private RingStates() {
    }

    static Ring ring() {
        return Ring.format(new UnsafeBuffer(new byte[(int) RingDescriptor.totalLength(1024)]), RingSpec.of(1024));
    }

    static RingReaper sharedReaper(final Ring ring) {
        return new RingReaper(ring, RingReaper.Mode.SHARED, new UnsafeBuffer(new byte[ring.maxRecordLength()]));
    }

    /** Offers one record carrying {@link #VALUE} (claim, write, commit, publish: the producer's real path). */
    static void offer(final RingProducer producer) {
        final int index = producer.tryClaim(TYPE, 16);
        final UnsafeBuffer buffer = (UnsafeBuffer) producer.ring().buffer();
        buffer.putLong(index, VALUE);
        buffer.putLong(index + 8, VALUE);
        producer.commit();
        producer.publish();
    }

    /** Remembers what the last record handed to it held. */
    static final class Seen implements RecordHandler {
        int value = NONE;

        @Override
        public void onRecord(final int type, final DirectBuffer buffer, final int index, final int length) {
            value = type == TYPE && length == 16 && buffer.getLong(index) == VALUE && buffer.getLong(index + 8) == VALUE
                ? WHOLE : TORN;
        }
    }
}
