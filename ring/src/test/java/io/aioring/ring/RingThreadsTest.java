package io.aioring.ring;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One producer and four shared reapers on one ring: every one of 10^7 records is delivered exactly once. */
class RingThreadsTest {
    private static final int RECORDS = 10_000_000;
    private static final int REAPERS = 4;

    @Test
    @Timeout(240)
    void tenMillionRecordsOneProducerFourReapersExactlyOnce() throws Exception {
        final int dataLength = 64 * 1024;
        final UnsafeBuffer memory = new UnsafeBuffer(org.agrona.BufferUtil.allocateDirectAligned(
            (int) RingDescriptor.totalLength(dataLength), 4096));
        // Start just below 2^32 so the counters wrap early; 10^7 records of ~56 bytes wrap them no more.
        final Ring ring = Ring.format(memory, RingSpec.of(dataLength).withInitialPosition(-4096));
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<SequenceTally> tallies = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < REAPERS; r++) {
            final SequenceTally tally = new SequenceTally();
            tallies.add(tally);
            final RingReaper reaper = new RingReaper(ring, RingReaper.Mode.SHARED, 2048);
            final Thread thread = new Thread(() -> {
                try {
                    reaper.reap(tally, 2048, Integer.MAX_VALUE, new BackoffIdleStrategy(10, 10, 1_000, 100_000), Long.MAX_VALUE);
                } catch (final Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "reaper-" + r);
            threads.add(thread);
            thread.start();
        }

        final RingProducer producer = new RingProducer(ring);
        TestRecords.produce(producer, RECORDS, 32, () -> assertNull(failure.get()));
        producer.close();
        for (final Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            fail("a reaper failed", failure.get());
        }
        final List<BitSet> seen = new ArrayList<>();
        long duplicates = 0;
        long torn = 0;
        for (final SequenceTally tally : tallies) {
            seen.add(tally.seen);
            duplicates += tally.duplicates;
            torn += tally.torn;
            assertTrue(tally.count > 0, "every reaper took part");
        }
        assertNull(SequenceTally.verdict(RECORDS, seen, duplicates, torn));
        assertEquals(ring.head(), ring.tail());
    }
}
