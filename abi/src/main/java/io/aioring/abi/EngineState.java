package io.aioring.abi;

import io.aioring.abi.layout.ContextArea;
import io.aioring.ring.Ring;

/**
 * What the engine behind a ring is doing, as far as the ring header tells: the one liveness rule that reapers,
 * {@code inspect} and {@code bench} share.
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
