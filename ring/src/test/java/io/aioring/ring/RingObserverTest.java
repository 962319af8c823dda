package io.aioring.ring;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An observer sees records without taking them, and counts what it missed when the reapers lap it. */
class RingObserverTest {
    private static Ring heapRing(final int dataLength, final int initial) {
        return Ring.format(new UnsafeBuffer(new byte[(int) RingDescriptor.totalLength(dataLength)]),
            RingSpec.of(dataLength).withInitialPosition(initial));
    }

    private static void write(final RingProducer producer, final long from, final long to) {
        for (long s = from; s < to; s++) {
            final int index = producer.tryClaim(TestRecords.TYPE, TestRecords.payloadLength(s));
            assertNotEquals(RingProducer.NO_ROOM, index, "room for record " + s);
            TestRecords.write(producer.ring().buffer(), index, s);
            producer.commit();
        }
        producer.publish();
    }

    @Test
    void seesEveryRecordWithoutTakingIt() {
        final Ring ring = heapRing(4096, -1024);
        final RingProducer producer = new RingProducer(ring);
        final RingObserver observer = new RingObserver(ring);
        final RingReaper reaper = new RingReaper(ring, RingReaper.Mode.SHARED);
        final List<Long> observed = new ArrayList<>();
        final List<Long> reaped = new ArrayList<>();
        long next = 0;
        for (int round = 0; round < 200; round++) {
            write(producer, next, next + 20);
            next += 20;
            final int head = ring.head();
            while (observer.poll((t, b, i, l) -> observed.add(TestRecords.check(b, i, l)), 300) > 0) {
                assertEquals(head, ring.head(), "the observer never moves head");
            }
            while (reaper.poll((t, b, i, l) -> reaped.add(TestRecords.check(b, i, l)), 1 << 16) > 0) {
                // drain
            }
        }
        assertEquals(reaped, observed);
        assertEquals(4000, observed.size());
        assertEquals(0, observer.missedBytes());
        assertEquals(4000, observer.observedRecords());
    }

    @Test
    void countsTheBytesItMissedWhenLapped() {
        final Ring ring = heapRing(4096, 0);
        final RingProducer producer = new RingProducer(ring);
        final RingObserver observer = new RingObserver(ring);
        final RingReaper reaper = new RingReaper(ring, RingReaper.Mode.EXCLUSIVE);
        long reapedBytes = 0;
        for (long s = 0; s < 500; s += 10) {
            write(producer, s, s + 10);
            final int before = ring.head();
            reaper.poll((t, b, i, l) -> { }, 1 << 16);
            reapedBytes += ring.head() - before;
        }
        write(producer, 500, 510);
        final List<Long> observed = new ArrayList<>();
        while (observer.poll((t, b, i, l) -> observed.add(TestRecords.check(b, i, l)), 1 << 16) > 0) {
            // drain
        }
        assertEquals(List.of(500L, 501L, 502L, 503L, 504L, 505L, 506L, 507L, 508L, 509L), observed);
        assertEquals(reapedBytes, observer.missedBytes(), "missed exactly what the reaper took unseen");
    }

    /** Producer, reaper and observer on three threads: the observer sees an increasing run of intact records. */
    @Test
    @Timeout(120)
    void concurrentObserverSeesIntactRecordsInOrder() throws Exception {
        final Ring ring = heapRing(8192, -4096);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long records = 2_000_000;
        final RingReaper reaper = new RingReaper(ring, RingReaper.Mode.SHARED);
        final Thread reaping = new Thread(() -> {
            try {
                reaper.reap((t, b, i, l) -> { }, 4096, Integer.MAX_VALUE, new BackoffIdleStrategy(), Long.MAX_VALUE);
            } catch (final Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        final long[] state = {-1, 0, 0}; // last sequence seen, records seen, torn or out of order
        final RingObserver observer = new RingObserver(ring, 1024);
        final Thread observing = new Thread(() -> {
            try {
                final RecordHandler check = (t, b, i, l) -> {
                    final long sequence = TestRecords.check(b, i, l);
                    if (sequence <= state[0]) {
                        state[2]++;
                    }
                    state[0] = sequence;
                    state[1]++;
                };
                while (!(ring.isProducerClosed() && observer.cursor() == ring.tail())) {
                    if (observer.poll(check, 1024) == 0) {
                        Thread.onSpinWait();
                    }
                }
            } catch (final Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        reaping.start();
        observing.start();
        final RingProducer producer = new RingProducer(ring);
        TestRecords.produce(producer, records, 16, () -> assertNull(failure.get()));
        producer.close();
        reaping.join();
        observing.join();
        if (failure.get() != null) {
            fail(failure.get());
        }
        assertEquals(0, state[2], "torn or out-of-order records seen by the observer");
        assertTrue(state[1] > 0, "the observer saw records");
        assertEquals(records - 1, state[0] < records - 1 && observer.missedBytes() > 0 ? records - 1 : state[0],
            "the observer reached the last record, or says it missed the end");
    }
}
