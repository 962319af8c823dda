package io.aioring.abi.engine;

import io.aioring.abi.layout.IocbDescriptor;
import io.aioring.abi.layout.OpcodeDescriptor;

/**
 * What joins iocbs to each other and to the context's fd slots, as they start and complete: an iocb that names a
 * fixed fd slot (FIXED_FD) or fills one (TO_SLOT), an iocb linked after another (LINK, HARDLINK), a deadline
 * (timeout_ms), and the context's own descriptors, which no iocb may name.
 */
final class Chains {
    private final FdSlots fdSlots;
    private final OwnDescriptors own;
    private final Scheduler scheduler;
    private final Backend backend;

    Chains(final FdSlots fdSlots, final OwnDescriptors own, final Scheduler scheduler, final Backend backend) {
        this.fdSlots = fdSlots;
        this.own = own;
        this.scheduler = scheduler;
        this.backend = backend;
    }

    /** Resolves the iocb's fd slot (FIXED_FD) and reserves its target slot (TO_SLOT), then hands it to the backend. */
    void start(final InFlight op) {
        final int flags = op.iocbFlags();
        refuseOwnDescriptors(op);
        if ((flags & IocbDescriptor.FLAG_FIXED_FD) != 0 && !op.failed()) {
            if (OpDef.of(op.opcode()).closesSlot()) {
                final int fd = fdSlots.detach(op.fd());
                if (fd < 0) {
                    op.fail(fd, -1);
                } else {
                    op.closeDetached(fd);
                }
            } else {
                final int fd = fdSlots.acquire(op.fd());
                if (fd < 0) {
                    op.fail(fd, -1);
                } else {
                    op.useSlot(op.fd(), fd);
                }
            }
        }
        if ((flags & IocbDescriptor.FLAG_TO_SLOT) != 0 && !op.failed()) {
            final int slot = fdSlots.reserve(op.offset());
            if (slot < 0) {
                op.fail(slot, -1);
            } else {
                op.links().slotTarget(slot);
            }
        }
        backend.execute(op);
    }

    /** An iocb that names one of the context's own descriptors fails -EBADF, whatever its opcode. */
    void refuseOwnDescriptors(final InFlight op) {
        if (!op.failed()) {
            final long refusal = own.refusal(op);
            if (refusal < 0) {
                op.fail(refusal, -1);
            }
        }
    }

    /** On the scheduler's thread: a linked iocb whose predecessor has completed. */
    void startLinked(final InFlight op) {
        start(op);
        backend.submitted(1);
    }

    /**
     * Stops a running iocb that can be stopped: a timeout (the scheduler), or one that waits for readiness (the
     * backend).
     */
    boolean cancelRunning(final InFlight op, final int incarnation) {
        return OpDef.of(op.opcode()).ioUring() == OpDef.IoUringRoute.TIMER
            ? scheduler.cancelTimeout(op, incarnation)
            : OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.WAITS_FOR_READINESS) && backend.cancelRunning(op, incarnation);
    }

    /**
     * As an iocb with deadline, link or slot completes, before its event is posted: runs its row's done step, drops
     * its deadline, gives back its slot, fills its target slot (its result becomes the slot), and hands back its
     * successor for the poster to start once this event is queued — if it failed and was linked with LINK, marked
     * to complete -ECANCELED.
     *
     * @return the linked iocb to start next, or null
     */
    InFlight completionWork(final InFlight op) {
        final OpDef.Done done = OpDef.of(op.opcode()).done();
        if (done != null) {
            done.done(op);
        }
        if (op.links().deadlineIndex() >= 0) {
            scheduler.completed(op);
        }
        if (op.links().slotInUse() >= 0) {
            fdSlots.release(op.links().slotInUse());
            op.useSlot(-1, op.fd());
        }
        if (op.links().slotTarget() >= 0) {
            fdSlots.settle(op.links().slotTarget(), op.result());
            if (op.result() >= 0) {
                op.replaceResult(op.links().slotTarget());
            }
            op.links().slotTarget(-1);
        }
        final InFlight next = op.links().next();
        if (next != null) {
            op.links().next(null);
            if (op.result() < 0 && (op.iocbFlags() & IocbDescriptor.FLAG_HARDLINK) == 0) {
                next.cancel();
            }
        }
        return next;
    }
}
