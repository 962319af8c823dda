package io.aioring.abi;

import io.aioring.abi.layout.ContextArea;
import io.aioring.ring.Ring;

/**
 * What the engine behind a ring is doing: the liveness rules that reapers, {@code inspect} and {@code bench} share.
 * With a liveness connection ({@link #ofConnection}, what a {@link ContextReaper} has when the context serves its
 * eventfd socket) nothing written into the ring file can change the answer; without one ({@link #of}) it rests on
 * the ring header's words (producer pid, heartbeat, the closed flag), which any process that can write the file
 * can spoof (docs/abi.md 2.13).
 */
public enum EngineState {
    /** Its process lives and its heartbeat is fresh. */
    RUNNING,
    /** It closed the ring (destroy): nothing will follow what is there. */
    CLOSED,
    /** Its process is gone, or its heartbeat stopped, without closing the ring. */
    GONE;

    /** A heartbeat older than this many periods means the engine is gone. */
    public static final int STALE_PERIODS = 20;

    /**
     * Judges the engine of {@code ring}: CLOSED if the ring says so; else RUNNING if its producer's process lives
     * and its heartbeat (when it has one) is younger than {@link #STALE_PERIODS} heartbeat periods; else GONE.
     * Looks the process up: call it at most about once per heartbeat period.
     *
     * @param ring     the context's ring
     * @param area     its context area (for the heartbeat period, checked)
     * @param nowNanos System.nanoTime() now
     * @return the engine's state
     */
    public static EngineState of(final Ring ring, final ContextArea area, final long nowNanos) {
        return ofWords(ring, area, nowNanos);
    }

    /**
     * Judges the engine of {@code ring} by a liveness connection: a connection to its eventfd socket that the
     * engine keeps open until destroy (and the kernel closes if its process dies), so no write to the ring file
     * can fake it. RUNNING while it is open, whatever the ring's words say; once the engine's end is closed,
     * CLOSED if the ring says so, else GONE.
     *
     * @param peerClosed whether the engine's end of the connection is closed
     * @param ring the ring
     * @return the engine's state
     */
    public static EngineState ofConnection(final Ring ring, final boolean peerClosed) {
        if (!peerClosed) {
            return RUNNING;
        }
        return ring.isProducerClosed() ? CLOSED : GONE;
    }

    private static EngineState ofWords(final Ring ring, final ContextArea area, final long nowNanos) {
        if (ring.isProducerClosed()) {
            return CLOSED;
        }
        final int pid = ring.producerPid();
        final boolean alive = pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        final long beat = ring.heartbeat();
        final boolean fresh = beat == 0 || nowNanos - beat < STALE_PERIODS * area.heartbeatPeriodNanos();
        return alive && fresh ? RUNNING : GONE;
    }
}
