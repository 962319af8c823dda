package io.aioring.abi.engine;

/**
 * An iocb's places in the engine's other structures: the iocb linked after it, the fd slots it uses or fills, and
 * its entry in the scheduler's deadline heap. Each is undone as it completes ({@link Chains#completionWork}).
 */
final class Links {
    /** The iocb linked after this one (LINK or HARDLINK): started, or cancelled, when this one completes. */
    private InFlight next;
    /** The fd slot this iocb uses (FIXED_FD), counted in the slot until it completes; -1: none. */
    private int slotInUse = -1;
    /** The fd slot reserved for the fd this openat or accept makes (TO_SLOT); -1: none. */
    private int slotTarget = -1;
    /** Its place in the scheduler's deadline heap, or -1 (changed only under the scheduler's lock). */
    private int deadlineIndex = -1;

    /** A new iocb in the slot: in no structure (its deadline entry, if any, was removed as the last one completed). */
    void reset() {
        next = null;
        slotInUse = -1;
        slotTarget = -1;
    }

    InFlight next() {
        return next;
    }

    void next(final InFlight linked) {
        next = linked;
    }

    int slotInUse() {
        return slotInUse;
    }

    void slotInUse(final int slot) {
        slotInUse = slot;
    }

    int slotTarget() {
        return slotTarget;
    }

    void slotTarget(final int slot) {
        slotTarget = slot;
    }

    int deadlineIndex() {
        return deadlineIndex;
    }

    void deadlineIndex(final int at) {
        deadlineIndex = at;
    }
}
