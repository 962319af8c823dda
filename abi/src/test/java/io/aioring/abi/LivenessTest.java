package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.ring.RingDescriptor;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.Test;

/**
 * A reaper with a liveness connection (the context serves its eventfd socket) cannot be told a live engine is gone
 * by words written into the ring file; without one, it can (the words are all it has), as docs/abi.md 2.13 says.
 */
class LivenessTest {
    private static void spoofEveryWord(final AioContext context) {
        final var header = context.ring().buffer();
        header.putInt(RingDescriptor.PRODUCER_PID_OFFSET, 0x7FFF_FFF0); // no such process
        header.putLongVolatile(RingDescriptor.HEARTBEAT_OFFSET, 1);     // a heartbeat from long ago
        header.putInt(ContextDescriptor.HEARTBEAT_PERIOD_OFFSET, 1);    // stale after 20 ms
        context.ring().setFlags(RingDescriptor.FLAG_PRODUCER_CLOSED);   // "destroyed"
    }

    @Test
    void spoofedWordsDoNotMakeALiveEngineGone() throws Exception {
        final ContextFixture f = new ContextFixture(TestBackend.params());
        try (ContextReaper reaper = ContextReaper.open(f.context.ringPath())) {
            assertTrue(reaper.hasLivenessConnection());
            spoofEveryWord(f.context);
            Thread.sleep(30);
            assertEquals(EngineState.RUNNING, reaper.engineState());
            // A reap with nothing to reap waits its whole timeout: it does not end on the spoofed words.
            final long start = System.nanoTime();
            assertEquals(0, reaper.reap(e -> fail(), 1, 1 << 20, new BusySpinIdleStrategy(), 200_000_000L));
            assertTrue(System.nanoTime() - start >= 190_000_000L, "ended early");
            // And an event still comes through.
            f.writer.nop(9);
            f.submitAll();
            final long[] got = {-1};
            assertEquals(1, reaper.reap(e -> got[0] = e.userData(), 1, 1 << 20, new BusySpinIdleStrategy(), 5_000_000_000L));
            assertEquals(9, got[0]);
            f.context.destroy();
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (reaper.engineState() == EngineState.RUNNING && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(EngineState.CLOSED, reaper.engineState(), "destroy closes the connection");
        } finally {
            f.close();
        }
    }

    @Test
    void withoutASocketTheWordsAreAllAReaperHas() throws Exception {
        try (ContextFixture f = new ContextFixture(TestBackend.params().flags(SetupDescriptor.FLAG_EVENTFD));
             ContextReaper reaper = ContextReaper.open(f.context.ringPath())) {
            assertFalse(reaper.hasLivenessConnection());
            assertEquals(EngineState.RUNNING, reaper.engineState());
            spoofEveryWord(f.context);
            assertEquals(EngineState.CLOSED, reaper.engineState(), "documented: spoofable without a socket");
        }
    }
}
