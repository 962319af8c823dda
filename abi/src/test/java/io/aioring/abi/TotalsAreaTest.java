package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicBoolean;

import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.layout.TotalsArea;
import io.aioring.abi.layout.TotalsDescriptor;
import io.aioring.abi.layout.TotalsSnapshot;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingSpec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The totals' seqlock (docs/abi.md 2.14): a reader copying while the writer publishes as fast as it can. */
class TotalsAreaTest {
    @Test
    void aSnapshotTakenDuringPublishesIsWholeOrRetried() throws Exception {
        final int trailer = TotalsDescriptor.TRAILER_LENGTH;
        final Ring ring = Ring.format(new UnsafeBuffer(new byte[(int) RingDescriptor.totalLength(4096, trailer)]),
            new RingSpec(4096, 0, ContextDescriptor.COMPAT_TOTALS, ContextDescriptor.INCOMPAT_EVENTS_V1, trailer));
        final TotalsArea writer = TotalsArea.format(ring, OpcodeDescriptor.COUNT);
        final TotalsSnapshot reader = TotalsSnapshot.of(ring);
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread publisher = new Thread(() -> {
            long n = 0;
            while (!stop.get()) {
                writer.record(OpcodeDescriptor.NOP, 0, false, -1, ++n % 100_000, 1);
                writer.publish();
                if (n % 200 == 0) {
                    // Bursts of publishes back to back (a copy then overlaps one), and pauses in which a copy is whole.
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                }
            }
        });
        publisher.start();
        long consistent = 0;
        long last = 0;
        try {
            // Until enough whole copies were seen (a loaded machine gives the reader fewer turns), or 20 s.
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while ((consistent < 200 || System.nanoTime() < deadline - 19_500_000_000L) && System.nanoTime() < deadline) {
                if (!reader.take()) {
                    continue;
                }
                consistent++;
                final long events = reader.get(OpcodeDescriptor.NOP, TotalsDescriptor.EVENTS_OFFSET);
                long latency = 0;
                long service = 0;
                for (int b = 0; b < TotalsDescriptor.BUCKETS; b++) {
                    latency += reader.bucket(OpcodeDescriptor.NOP, TotalsDescriptor.LATENCY_OFFSET, b);
                    service += reader.bucket(OpcodeDescriptor.NOP, TotalsDescriptor.SERVICE_OFFSET, b);
                }
                assertEquals(events, latency, "one moment's counts: every event in the latency histogram");
                assertEquals(events, service, "and in the service histogram");
                assertTrue(events >= last, "never back");
                last = events;
            }
        } finally {
            stop.set(true);
            publisher.join();
        }
        assertTrue(consistent > 0, "consistent snapshots: " + consistent);
        assertTrue(last > 0);
    }
}
