package io.aioring.abi.engine;

import io.aioring.linux.Errno;


/**
 * The engine's fixed pool of {@link InFlight} slots (max in flight plus the overflow bound, made at setup) and
 * what is done across all of them: taking and giving back slots, cancelling by user data, counting what runs.
 */
final class Submissions {
    private final InFlight[] slots;
    private final SlotStack free;
    private final java.util.concurrent.atomic.AtomicLong moreEvents = new java.util.concurrent.atomic.AtomicLong();

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
        if (op.index() >= 0) {
            free.push(op.index());
        }
    }

    /**
     * A slot to carry one more event of the multishot iocb {@code parent}: from the pool, or, when every slot is
     * taken, a new one that is dropped once its event is in the ring (an event that has happened is never lost).
     */
    InFlight moreEvent(final InFlight parent, final long result) {
        moreEvents.incrementAndGet();
        InFlight carrier = acquire();
        if (carrier == null) {
            carrier = new InFlight(-1, 8);
        }
        carrier.loadMoreEvent(parent, result);
        return carrier;
    }

    /**
     * Cancels every iocb with {@code userData} that has not started, and every running one that {@code stopper}
     * can stop: each completes with -ECANCELED (a running one with its own result, if that
     * came first).
     *
     * @return how many were cancelled; or -EALREADY if none was but one with that user data is running and cannot
     *         be stopped, or -ENOENT if none is in flight
     */
    int cancel(final long userData, final Scheduler.RunningCanceller stopper) {
        return cancel(CANCEL_BY_USER_DATA, userData, stopper);
    }

    /** cancel: iocbs with the user data given. */
    static final int CANCEL_BY_USER_DATA = 0;
    /** cancel: iocbs whose fd field is the fd given (not those naming an fd slot). */
    static final int CANCEL_BY_FD = 1;
    /** cancel: every iocb in flight. */
    static final int CANCEL_ALL = 2;

    /**
     * As {@link #cancel(long, Scheduler.RunningCanceller)}, for the iocbs {@code by} and {@code key} select.
     *
     * @param by  CANCEL_BY_USER_DATA, CANCEL_BY_FD or CANCEL_ALL
     * @param key the user data, or the fd; ignored for CANCEL_ALL
     */
    int cancel(final int by, final long key, final Scheduler.RunningCanceller stopper) {
        int cancelled = 0;
        boolean running = false;
        for (final InFlight op : slots) {
            // Incarnation and state first: a free slot's user data may be rewritten by a submit meanwhile.
            final int incarnation = op.incarnation();
            if (op.isQueued() && matches(op, by, key)) {
                if (op.cancel()) {
                    cancelled++;
                    continue;
                }
            }
            if (op.isRunning() && matches(op, by, key)) {
                if (stopper.cancelRunning(op, incarnation)) {
                    cancelled++;
                } else {
                    running = true;
                }
            }
        }
        return cancelled > 0 ? cancelled : running ? -Errno.EALREADY : -Errno.ENOENT;
    }

    private static boolean matches(final InFlight op, final int by, final long key) {
        return switch (by) {
            case CANCEL_BY_USER_DATA -> op.userData() == key;
            case CANCEL_BY_FD -> op.fd() == key && (op.iocbFlags() & io.aioring.abi.layout.IocbDescriptor.FLAG_FIXED_FD) == 0;
            default -> true;
        };
    }

    /** @return events made for multishot iocbs that go on (flag MORE) */
    long moreEvents() {
        return moreEvents.get();
    }

    /**
     * Finds the in-flight iocb with {@code userData} (not multishot) and claims its event for {@code awaiter}.
     *
     * @return the iocb claimed, or null if none is in flight
     */
    InFlight claimForAwait(final long userData, final Awaiter awaiter) {
        for (final InFlight op : slots) {
            final int incarnation = op.incarnation();
            if (op.isInFlight() && op.userData() == userData && !op.multishot() && op.incarnation() == incarnation
                && op.await().claim(incarnation, awaiter)) {
                return op;
            }
        }
        return null;
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
