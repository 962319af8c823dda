package io.aioring.abi.engine;

import io.aioring.linux.Errno;


/**
 * The engine's fixed pool of {@link InFlight} slots (max in flight plus the overflow bound, made at setup) and
 * what is done across all of them: taking and giving back slots, cancelling by user data, counting what runs.
 */
final class Submissions {
    private final InFlight[] slots;
    private final SlotStack free;

    Submissions(final int count, final int maxReturnBytes) {
        this.slots = new InFlight[count];
        this.free = new SlotStack(count);
        for (int i = count - 1; i >= 0; i--) {
            slots[i] = new InFlight(i, maxReturnBytes);
            free.push(i);
        }
    }

    int capacity() {
        return slots.length;
    }

    /** @return the slot at {@code index}, or null if there is none (a user_data the engine did not make) */
    InFlight slot(final long index) {
        return index >= 0 && index < slots.length ? slots[(int) index] : null;
    }

    /** @return a free slot, or null when every slot is taken */
    InFlight acquire() {
        final int index = free.pop();
        return index < 0 ? null : slots[index];
    }

    /** Gives back a slot that was acquired but not accepted. */
    void giveBack(final InFlight op) {
        free.push(op.index());
    }

    /** Gives back a slot whose event is in the ring. */
    void release(final InFlight op) {
        op.free();
        free.push(op.index());
    }

    /**
     * Cancels every queued iocb with {@code userData}: each completes with -ECANCELED.
     *
     * @return how many were cancelled; or -EALREADY if none was but one with that user data is running, or
     *         -ENOENT if none is in flight
     */
    int cancel(final long userData) {
        int cancelled = 0;
        boolean running = false;
        for (final InFlight op : slots) {
            // State first: a free slot's user data may be rewritten by a submit meanwhile.
            if (op.isQueued() && op.userData() == userData) {
                if (op.cancel()) {
                    cancelled++;
                } else {
                    running |= op.isRunning();
                }
            } else if (op.isRunning() && op.userData() == userData) {
                running = true;
            }
        }
        return cancelled > 0 ? cancelled : running ? -Errno.EALREADY : -Errno.ENOENT;
    }

    /** Cancels everything not started yet (the engine is stopping). */
    void cancelAllQueued() {
        for (final InFlight op : slots) {
            op.cancelIfQueued();
        }
    }

    /** @return iocbs running now */
    int running() {
        int running = 0;
        for (final InFlight op : slots) {
            if (op.isRunning()) {
                running++;
            }
        }
        return running;
    }
}
