package io.aioring.ring;

import org.agrona.concurrent.IdleStrategy;

/**
 * The one "reap until" loop that every reaper uses ({@link RingReaper#reap}, a context's {@code getevents}, a
 * {@code ContextReaper}): poll, and stop once enough was handed over, once the source says nothing more will
 * come, or once the timeout passes; idle between empty polls and reset the back-off after work, so that a busy
 * ring is never polled at park intervals. Allocates nothing.
 */
public final class ReapLoop {
    /** What the loop polls. */
    public interface Source {
        /** {@return records (or events) handed over by one poll} */
        int poll();

        /**
         * Asked after an empty poll.
         *
         * @param nowNanos System.nanoTime() of that poll
         * @return true if nothing more will come (the producer closed the ring and it is drained, say)
         */
        boolean ended(long nowNanos);

        /** {@return true if the caller has had enough besides the count (a byte limit reached, say)} */
        default boolean satisfied() {
            return false;
        }
    }

    private ReapLoop() {
    }

    /**
     * Polls {@code source} at least once, until {@code minRecords} were handed over, it is satisfied or ended, or
     * {@code timeoutNanos} pass.
     *
     * @param source       what to poll
     * @param minRecords   return once this many were handed over
     * @param idle         how to wait between empty polls
     * @param timeoutNanos the longest time to keep polling
     * @return what was handed over
     */
    public static int run(final Source source, final int minRecords, final IdleStrategy idle, final long timeoutNanos) {
        // A poll that asks for nothing more (minRecords 0: "what is there now") returns after one poll: no clock read.
        final long deadline = minRecords > 0 ? System.nanoTime() + timeoutNanos : 0;
        int total = 0;
        idle.reset();
        while (true) {
            final int polled = source.poll();
            total += polled;
            if (total >= minRecords || source.satisfied()) {
                return total;
            }
            if (polled == 0) {
                final long now = System.nanoTime();
                if (now - deadline >= 0 || source.ended(now)) {
                    return total;
                }
            }
            idle.idle(polled);
        }
    }
}
