package io.aioring.abi.engine;

import io.aioring.linux.Errno;


/**
 * The engine's fixed pool of {@link InFlight} slots (max in flight plus the overflow bound) and what is done across
 * all of them: taking and giving back slots, cancelling by user data, counting what runs. A slot is made the first
 * time it is taken, not at setup: the free stack hands out the lowest indexes first, so the slots made are always
 * those below {@link #made}, and a context that never has tens of thousands of iocbs waiting never makes them
 * (setup made 65,600 of them, most of a first setup's time).
 */
final class Submissions {
    private static final java.lang.invoke.VarHandle SLOTS = java.lang.invoke.MethodHandles.arrayElementVarHandle(InFlight[].class);

    private final InFlight[] slots;
    private final SlotStack free;
    private final int maxReturnBytes;
    /** Slots at indexes below this may have been made; none above. */
    private final java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong moreEvents = new java.util.concurrent.atomic.AtomicLong();

    Submissions(final int count, final int maxReturnBytes) {
        this.slots = new InFlight[count];
        this.free = new SlotStack(count);
        this.maxReturnBytes = maxReturnBytes;
        for (int i = count - 1; i >= 0; i--) {
            free.push(i);
        }
    }

    int capacity() {
        return slots.length;
    }

    /** @return the slot at {@code index}, or null if there is none (a user_data the engine did not make) */
    InFlight slot(final long index) {
        return index >= 0 && index < slots.length ? (InFlight) SLOTS.getAcquire(slots, (int) index) : null;
    }

    /** @return a free slot, or null when every slot is taken */
    InFlight acquire() {
        final int index = free.pop();
        if (index < 0) {
            return null;
        }
        // A slot given back was made before: its push and this pop order the two threads, so a plain read sees it.
        InFlight op = slots[index];
        if (op == null) {
            op = new InFlight(index, maxReturnBytes);
            SLOTS.setRelease(slots, index, op);
            made.accumulateAndGet(index + 1, Math::max);
        }
        return op;
    }

    /** @return the slot made at {@code index} (below {@link #made}), or null if it was not made yet */
    private InFlight made(final int index) {
        return (InFlight) SLOTS.getAcquire(slots, index);
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
        for (int i = 0, n = made.get(); i < n; i++) {
            final InFlight op = made(i);
            if (op == null) {
                continue;
            }
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
        for (int i = 0, n = made.get(); i < n; i++) {
            final InFlight op = made(i);
            if (op == null) {
                continue;
            }
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
        for (int i = 0, n = made.get(); i < n; i++) {
            final InFlight op = made(i);
            if (op != null) {
                op.cancelIfQueued();
            }
        }
    }

    /** @return iocbs running now */
    int running() {
        int running = 0;
        for (int i = 0, n = made.get(); i < n; i++) {
            final InFlight op = made(i);
            if (op != null && op.isRunning()) {
                running++;
            }
        }
        return running;
    }
}
