package io.aioring.abi.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Whether a thread awaits an iocb's event ({@code io_await}): the word holds the slot's incarnation (high 32 bits)
 * and a state (low byte), so that an await never lands on a later iocb of the same slot. The event of an awaited
 * iocb goes to the awaiting thread, not into the ring.
 */
final class AwaitWord {
    /** No one awaits this iocb. */
    static final int NONE = 0;
    /** A thread awaits its event; it will not go into the ring. */
    static final int WAITING = 2;
    /** Its event is being handed to the awaiting thread. */
    static final int DELIVERING = 3;

    private static final VarHandle WORD;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(AwaitWord.class, "word", long.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through WORD
    private volatile long word;
    /** Where the awaited event goes. */
    private Awaiter awaiter;

    /** A new iocb in the slot, its {@code incarnation}: no one awaits it. */
    void reset(final int incarnation) {
        word = (long) incarnation << 32;
        awaiter = null;
    }

    /**
     * A thread wants the event of the iocb it found ({@code seenIncarnation}) for itself.
     *
     * @return true if it is now awaited: its event will go to {@code who}, not into the ring
     */
    boolean claim(final int seenIncarnation, final Awaiter who) {
        awaiter = who;
        return WORD.compareAndSet(this, (long) seenIncarnation << 32 | NONE, (long) seenIncarnation << 32 | WAITING);
    }

    /** The awaiting thread gives up (timed out, or found the iocb done): @return true if its event will go to the ring */
    boolean unclaim(final int seenIncarnation) {
        return WORD.compareAndSet(this, (long) seenIncarnation << 32 | WAITING, (long) seenIncarnation << 32 | NONE);
    }

    /** On completion: @return the awaiter its event must go to, or null (the ring) */
    Awaiter take() {
        final long now = word;
        if ((now & 0xFF) == WAITING && WORD.compareAndSet(this, now, (now & ~0xFFL) | DELIVERING)) {
            return awaiter;
        }
        return null;
    }

    /** @return {@link #NONE}, {@link #WAITING} or {@link #DELIVERING} */
    int state() {
        return (int) (word & 0xFF);
    }
}
