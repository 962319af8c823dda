package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.layout.EventEncoder;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingProducer;
import io.aioring.ring.RingReaper;
import io.aioring.ring.RingSpec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The duplicate window of docs/abi.md 2.8 with no hostile writer: an engine died between publishing events into
 * its ring and consuming their copies in the overflow file; reaper B has claimed those events from the ring and
 * not yet raised reaped_sequence; reaper A, finding the ring empty and the engine gone, turns to the file. With
 * claims counted (compat CLAIMS_IN_PROGRESS) A waits for B's claim to end and takes only the file's new events;
 * without, it takes B's events' copies too.
 */
class ClaimWindowTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void aReaperWaitsForAnotherReapersClaimBeforeItReadsTheOverflowFile() throws Exception {
        assertEquals(List.of(10L, 11L, 12L, 13L, 14L), drainAfterBsClaim(true), "each event once");
    }

    @Test
    @Timeout(60)
    void withoutTheCountTheWindowHandsOutCopies() throws Exception {
        // The same files without the feature (a reaper of an engine from before it): the copies come out again.
        assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L), drainAfterBsClaim(false));
    }

    /** @return the sequences reaper A delivers, from the ring (none left) and the overflow file */
    private List<Long> drainAfterBsClaim(final boolean countClaims) throws Exception {
        final Path ringPath = dir.resolve("dead-" + countClaims + ".ring");
        final Path overflowPath = Path.of(ringPath + ".overflow");
        final long compat = ContextDescriptor.COMPAT_ALWAYS & ~(countClaims ? 0 : ContextDescriptor.COMPAT_CLAIMS_IN_PROGRESS);
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        try (RingFile ring = RingFile.create(ringPath, new RingSpec(4096, 0, compat, ContextDescriptor.INCOMPAT_EVENTS_V1));
             RingFile overflow = RingFile.create(overflowPath, new RingSpec(16384, 0, 0, ContextDescriptor.INCOMPAT_EVENTS_V1))) {
            final ContextArea area = new ContextArea(ring.ring().buffer());
            area.writeSetup(0, 1, 16, 100, 100, null);
            area.writeOverflowPath(overflowPath.toString());
            // The engine's last moments: events 0..9 published into the ring; 5..9 had waited on the overflow list,
            // so their copies are still in the file, with 10..14 behind them; then it died.
            final RingProducer toRing = new RingProducer(ring.ring());
            final RingProducer toFile = new RingProducer(overflow.ring());
            for (long sequence = 0; sequence < 15; sequence++) {
                final UnsafeBuffer event = event(sequence);
                if (sequence < 10) {
                    assertTrue(toRing.offer(EventDescriptor.RECORD_TYPE, event, 0, event.capacity()));
                }
                if (sequence >= 5) {
                    assertTrue(toFile.offer(EventDescriptor.RECORD_TYPE, event, 0, event.capacity()));
                }
            }
            ring.ring().buffer().putInt(RingDescriptor.PRODUCER_PID_OFFSET, (int) gone.pid());
            ring.ring().buffer().putLongVolatile(RingDescriptor.HEARTBEAT_OFFSET, 1);

            // Reaper B: its claim under way (counted first, as 2.6 says), its compare-and-set done, the raise to come.
            if (countClaims) {
                area.addClaim();
            }
            final List<Long> takenByB = new ArrayList<>();
            new RingReaper(ring.ring(), RingReaper.Mode.SHARED).poll((type, buffer, index, length) ->
                takenByB.add(buffer.getLong(index + EventDescriptor.SEQUENCE_OFFSET)), 1 << 16);
            assertEquals(10, takenByB.size());

            // Reaper A, in the window.
            final CompletableFuture<List<Long>> byA = CompletableFuture.supplyAsync(() -> {
                final List<Long> got = new ArrayList<>();
                try (ContextReaper a = ContextReaper.open(ringPath)) {
                    a.reap(e -> got.add(e.sequence()), Integer.MAX_VALUE, 1 << 16,
                        new org.agrona.concurrent.BackoffIdleStrategy(), 20_000_000_000L);
                }
                return got;
            });
            Thread.sleep(300);
            // B ends its claim: reaped_sequence past its last event, then the count taken back.
            area.raiseReapedSequence(10);
            if (countClaims) {
                area.removeClaim();
            }
            return byA.get(30, TimeUnit.SECONDS);
        } finally {
            java.nio.file.Files.deleteIfExists(ringPath);
            java.nio.file.Files.deleteIfExists(overflowPath);
        }
    }

    private static UnsafeBuffer event(final long sequence) {
        final UnsafeBuffer event = new UnsafeBuffer(new byte[EventDescriptor.HEADER_LENGTH]);
        EventEncoder.encode(event, 0, sequence, 0, EventDescriptor.FLAG_OVERFLOWED, 0, 0, sequence, null, 0);
        return event;
    }
}
