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
 */
record OpDef(OpcodeDescriptor.Row row, IoUringRoute ioUring, ThreadsRoute threads, Call call, Prep prep) {
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
        /** The scheduler's timer. */
        TIMER
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

    private static final OpDef[] TABLE = new OpDef[OpcodeDescriptor.COUNT];

    static {
        for (final OpDef def : new OpDef[] {
            NopOps.NOP, ReadWriteOps.PREAD, ReadWriteOps.PWRITE, ReadWriteOps.PREADV, ReadWriteOps.PWRITEV,
            SyncOps.FSYNC, SyncOps.FDATASYNC, OpenCloseOps.OPENAT, OpenCloseOps.CLOSE,
            NetworkOps.RECV, NetworkOps.SEND, NetworkOps.ACCEPT, NetworkOps.CONNECT, NetworkOps.SHUTDOWN,
            PollOps.POLL, TimeoutOps.TIMEOUT, TransferOps.SENDFILE, NetworkOps.RECVMSG, NetworkOps.SENDMSG,
            TransferOps.SPLICE, TransferOps.COPY_FILE_RANGE, FsOps.STATX, FsOps.FALLOCATE, FsOps.FTRUNCATE}) {
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
            if (def.threads() == ThreadsRoute.READINESS && !def.row().has(OpcodeDescriptor.WAITS_FOR_READINESS)) {
                throw new ExceptionInInitializerError(def.row().name() + ": waits for readiness but its layout row says not");
            }
        }
    }

    /**
     * The row of an opcode this build does not know: the decoder has failed such an iocb already (-EINVAL), so it
     * finishes as it starts and never reaches a call or an SQE.
     */
    private static final OpDef UNKNOWN = new OpDef(new OpcodeDescriptor.Row(-1, "unknown", 0, OpcodeDescriptor.INTEREST_NONE),
        IoUringRoute.BATCH, ThreadsRoute.WORKER, (calls, op) -> -io.aioring.linux.Errno.EINVAL, null);

    /** @return {@code opcode}'s row; for an unknown opcode, a row that only fails */
    static OpDef of(final int opcode) {
        return opcode >= 0 && opcode < TABLE.length ? TABLE[opcode] : UNKNOWN;
    }

    /** @return a row for the family files */
    static OpDef define(final int opcode, final IoUringRoute ioUring, final ThreadsRoute threads, final Call call,
                    final Prep prep) {
        return new OpDef(OpcodeDescriptor.row(opcode), ioUring, threads, call, prep);
    }
}
