package io.aioring.abi.engine;

import java.lang.foreign.Arena;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.IoUring;

/**
 * One row of the engine's opcode table, as the kernel's {@code io_issue_defs[]}: how an opcode runs on each backend
 * and the code that runs it. The rows live in the family files ({@link ReadWriteOps}, {@link NetworkOps}, ...);
 * {@link #of} finds an opcode's. What an opcode's fields hold is its layout row ({@link OpcodeDescriptor}).
 *
 * @param row     the opcode's layout row
 * @param ioUring where it goes on the io_uring backend
 * @param threads where it goes on the threads backend
 * @param call    the blocking call (a worker, the calls pool, or execute's caller runs it)
 * @param prep    writes its SQE, for the io_uring routes {@link IoUringRoute#BATCH} and {@link IoUringRoute#COMPLETER};
 *                null for the others
 * @param attempt the attempt that never blocks, for an opcode that waits for readiness on the threads backend
 * @param check   validates (and copies, where the kernel reads it later) what the iocb points at, before any SQE or
 *                attempt: the same answers a blocking call gives
 * @param done    after it completes, before its event is posted (recvmsg's write-back); null for nothing
 * @param completion how many events it posts
 * @param opFlagsAllowed the op_flags bits it accepts (others: -EINVAL at decode)
 * @param closesSlot with FIXED_FD, it takes the fd out of its slot (close) instead of using it
 */
record OpDef(OpcodeDescriptor.Row row, IoUringRoute ioUring, ThreadsRoute threads, Call call, Prep prep,
             Attempt attempt, Check check, Done done, Completion completion, int opFlagsAllowed, boolean closesSlot) {
    /** Where an opcode goes on the io_uring backend. */
    enum IoUringRoute {
        /** In the submitting thread's batch (reads and writes with RWF_NOWAIT first; socket calls wait in the kernel). */
        BATCH,
        /** Prepared by the completer thread: it may block, and the kernel's work must belong to a thread that lives. */
        COMPLETER,
        /** io_uring has no opcode for it (or not on every kernel): the backend's pool of calling threads. */
        CALLS_POOL,
        /** The scheduler's timer. */
        TIMER
    }

    /** Where an opcode goes on the threads backend. */
    enum ThreadsRoute {
        /** A worker thread makes the call (a read first tries RWF_NOWAIT on the submitting thread). */
        WORKER,
        /** Tried at once without blocking, then waits for readiness on the epoll thread. */
        READINESS,
        /** A worker starts it (connect: -EINPROGRESS at once on a non-blocking socket), then it waits for readiness. */
        WORKER_THEN_READINESS,
        /** The scheduler's timer. */
        TIMER
    }

    /** How many events an iocb of the opcode posts. */
    enum Completion {
        /** One. */
        SINGLE,
        /** With MULTISHOT, one per result while each ready attempt may give more (accept: queued connections). */
        MULTISHOT_DRAIN,
        /** With MULTISHOT, one per wake-up (poll). */
        MULTISHOT_WAKEUP,
        /** One, though the kernel posts two CQEs: the result (F_MORE) and a notification (F_NOTIF) folded into it. */
        NOTIFICATION
    }

    /** The blocking call: its result or -errno. */
    @FunctionalInterface
    interface Call {
        long call(SyncCalls calls, InFlight op);
    }

    /** Writes the SQE: false if the submission queue is full. */
    @FunctionalInterface
    interface Prep {
        boolean prep(IoUring ring, InFlight op, long userData, int addNoWait, Arena arena);
    }

    /**
     * The attempt that never blocks.
     *
     * @param started the call was made already (a connect's outcome is all that is left to read)
     * @return the result, or {@link SyncCalls#NOT_READY}
     */
    @FunctionalInterface
    interface Attempt {
        long attempt(SyncCalls calls, InFlight op, boolean started);
    }

    /** Validates before the kernel sees the iocb: 0, or the -errno it completes with. */
    @FunctionalInterface
    interface Check {
        long check(SyncCalls calls, InFlight op);
    }

    /** After completion, before the event is posted. */
    @FunctionalInterface
    interface Done {
        void done(InFlight op);
    }

    private static final OpDef[] TABLE = new OpDef[OpcodeDescriptor.COUNT];

    static {
        for (final OpDef def : new OpDef[] {
            NopOps.NOP, ReadWriteOps.PREAD, ReadWriteOps.PWRITE, ReadWriteOps.PREADV, ReadWriteOps.PWRITEV,
            SyncOps.FSYNC, SyncOps.FDATASYNC, OpenCloseOps.OPENAT, OpenCloseOps.CLOSE,
            NetworkOps.RECV, NetworkOps.SEND, NetworkOps.ACCEPT, NetworkOps.CONNECT, NetworkOps.SHUTDOWN,
            PollOps.POLL, TimeoutOps.TIMEOUT, TransferOps.SENDFILE, NetworkOps.RECVMSG, NetworkOps.SENDMSG,
            TransferOps.SPLICE, TransferOps.COPY_FILE_RANGE, FsOps.STATX, FsOps.FALLOCATE, FsOps.FTRUNCATE,
            NetworkOps.SEND_ZC}) {
            final int code = def.row().code();
            if (TABLE[code] != null) {
                throw new ExceptionInInitializerError("two rows for opcode " + def.row().name());
            }
            TABLE[code] = def;
        }
        // The self-check io_uring_optable_init makes: every opcode has a row, every io_uring route that writes an
        // SQE has a prep, and a readiness route only for what the layout says waits.
        for (int code = 0; code < OpcodeDescriptor.COUNT; code++) {
            final OpDef def = TABLE[code];
            if (def == null) {
                throw new ExceptionInInitializerError("no row for opcode " + code);
            }
            final boolean sqe = def.ioUring() == IoUringRoute.BATCH || def.ioUring() == IoUringRoute.COMPLETER;
            if (sqe != (def.prep() != null)) {
                throw new ExceptionInInitializerError(def.row().name() + ": a prep exactly when io_uring takes an SQE for it");
            }
            final boolean readiness = def.threads() == ThreadsRoute.READINESS || def.threads() == ThreadsRoute.WORKER_THEN_READINESS;
            if (readiness != def.row().has(OpcodeDescriptor.WAITS_FOR_READINESS)) {
                throw new ExceptionInInitializerError(def.row().name() + ": waits for readiness exactly when its layout row says so");
            }
            if (readiness && def.attempt() == null) {
                throw new ExceptionInInitializerError(def.row().name() + ": waits for readiness without an attempt");
            }
            if ((def.completion() == Completion.MULTISHOT_DRAIN || def.completion() == Completion.MULTISHOT_WAKEUP)
                != def.row().has(OpcodeDescriptor.MULTISHOT)) {
                throw new ExceptionInInitializerError(def.row().name() + ": a multishot completion exactly when MULTISHOT is allowed");
            }
        }
    }

    /**
     * The row of an opcode this build does not know: the decoder has failed such an iocb already (-EINVAL), so it
     * finishes as it starts and never reaches a call or an SQE.
     */
    private static final OpDef UNKNOWN = new OpDef(new OpcodeDescriptor.Row(-1, "unknown", 0, OpcodeDescriptor.INTEREST_NONE),
        IoUringRoute.BATCH, ThreadsRoute.WORKER, (calls, op) -> -io.aioring.linux.Errno.EINVAL, null, null,
        (calls, op) -> 0, null, Completion.SINGLE, ~0, false);

    /** @return {@code opcode}'s row; for an unknown opcode, a row that only fails */
    static OpDef of(final int opcode) {
        return opcode >= 0 && opcode < TABLE.length ? TABLE[opcode] : UNKNOWN;
    }

    /**
     * @return a row for the family files: no attempt, the check its layout row implies ({@link #checkFields}), no
     *         done step, one event, any op_flags, FIXED_FD uses the slot; the {@code with*} methods change one column
     */
    static OpDef define(final int opcode, final IoUringRoute ioUring, final ThreadsRoute threads, final Call call,
                    final Prep prep) {
        final OpcodeDescriptor.Row row = OpcodeDescriptor.row(opcode);
        return new OpDef(row, ioUring, threads, call, prep, null, OpDef::checkFields, null, Completion.SINGLE, ~0, false);
    }

    OpDef withAttempt(final Attempt newAttempt) {
        return new OpDef(row, ioUring, threads, call, prep, newAttempt, check, done, completion, opFlagsAllowed, closesSlot);
    }

    OpDef withCheck(final Check newCheck) {
        return new OpDef(row, ioUring, threads, call, prep, attempt, newCheck, done, completion, opFlagsAllowed, closesSlot);
    }

    OpDef withDone(final Done newDone) {
        return new OpDef(row, ioUring, threads, call, prep, attempt, check, newDone, completion, opFlagsAllowed, closesSlot);
    }

    OpDef withCompletion(final Completion newCompletion) {
        return new OpDef(row, ioUring, threads, call, prep, attempt, check, done, newCompletion, opFlagsAllowed, closesSlot);
    }

    OpDef withOpFlagsAllowed(final int allowed) {
        return new OpDef(row, ioUring, threads, call, prep, attempt, check, done, completion, allowed, closesSlot);
    }

    OpDef withClosesSlot() {
        return new OpDef(row, ioUring, threads, call, prep, attempt, check, done, completion, opFlagsAllowed, true);
    }

    /**
     * The check every row gets unless it says otherwise, from what its layout row says the fields hold: one buffer,
     * an iovec array or a msghdr in registered memory (the last two copied, so that the kernel reads what was checked).
     */
    static long checkFields(final SyncCalls calls, final InFlight op) {
        final int flags = OpcodeDescriptor.row(op.opcode()).flags();
        if ((flags & OpcodeDescriptor.USES_BUFFER) != 0) {
            return calls.registered(op.address(), Integer.toUnsignedLong(op.lengthOrCount())) ? 0 : -io.aioring.linux.Errno.EFAULT;
        }
        if ((flags & OpcodeDescriptor.USES_MSGHDR) != 0) {
            return calls.checks().msghdr(op);
        }
        return (flags & OpcodeDescriptor.USES_IOVECS) != 0 ? calls.checks().iovecs(op) : 0;
    }
}
