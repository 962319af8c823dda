package io.aioring.abi.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import io.aioring.linux.Errno;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler by itself: its heap of times, cancels, and destroy, posting into a real ring. */
class SchedulerTest {
    @Test
    void timeoutsCompleteInTheOrderOfTheirTimesNotOfTheirStarts(@TempDir final Path dir) {
        try (EngineParts parts = new EngineParts(dir)) {
            final Scheduler scheduler = new Scheduler(parts.slots.capacity(), parts.poster, "test");
            scheduler.start(op -> { }, (op, incarnation) -> false);
            final SyncCalls calls = parts.calls();
            final long[] millis = {450, 150, 300, 0, 600}; // 150 ms apart: a stalled starter does not reorder them
            for (int i = 0; i < millis.length; i++) {
                final long nanos = millis[i] * 1_000_000L;
                final long userData = i;
                scheduler.startTimeout(parts.iocb(w -> w.timeout(nanos, userData)), calls);
            }
            final List<EngineParts.Event> events = parts.reap(5);
            assertEquals(List.of(3L, 1L, 2L, 0L, 4L), events.stream().map(EngineParts.Event::userData).toList(),
                "earliest time first");
            for (final EngineParts.Event e : events) {
                assertEquals(-Errno.ETIME, e.result());
            }
            scheduler.stop();
        }
    }

    @Test
    void aCancelledTimeoutCompletesAtOnceAndStopCancelsTheRest(@TempDir final Path dir) {
        try (EngineParts parts = new EngineParts(dir)) {
            final Scheduler scheduler = new Scheduler(parts.slots.capacity(), parts.poster, "test");
            scheduler.start(op -> { }, (op, incarnation) -> false);
            final SyncCalls calls = parts.calls();
            final InFlight hour = parts.iocb(w -> w.timeout(3_600_000_000_000L, 1));
            scheduler.startTimeout(hour, calls);
            final InFlight day = parts.iocb(w -> w.timeout(86_400_000_000_000L, 2));
            scheduler.startTimeout(day, calls);
            final InFlight negative = parts.iocb(w -> w.timeout(-1, 3));
            scheduler.startTimeout(negative, calls);
            assertEquals(List.of(new EngineParts.Event(3, -Errno.EINVAL)), parts.reap(1), "a negative time: -EINVAL");
            assertTrue(scheduler.cancelTimeout(hour, hour.incarnation()));
            assertFalse(scheduler.cancelTimeout(hour, hour.incarnation()), "cancelled once only");
            assertEquals(List.of(new EngineParts.Event(1, -Errno.ECANCELED)), parts.reap(1));
            scheduler.stop();
            assertEquals(List.of(new EngineParts.Event(2, -Errno.ECANCELED)), parts.reap(1), "destroy cancels what waits");
        }
    }
}
