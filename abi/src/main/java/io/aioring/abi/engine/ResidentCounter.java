package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

/**
 * One thread's counts of the page-cache-resident bytes of its I/Os ({@link Operation#measureResidentBytes()},
 * docs/abi.md 3.3): cachestat(2) just before each call, or, for its reads while it counts by attempts, each read's
 * RWF_NOWAIT attempt watched for block I/O (the io_uring backend brackets a batch's enter with {@link #blockInput()}).
 * Owned by the thread's {@link SyncCalls}; allocates nothing per I/O.
 */
final class ResidentCounter {
    private final Errno errno;

    /**
     * The last fd whose status flags (O_DIRECT) this thread asked for, and the submit call it asked for: an iocb of
     * the same call on the same fd uses them (a batch of reads on one file costs one fcntl, not one each).
     */
    private long flagsCall;
    private int flagsFd = -1;
    private int cachedFlags;
    /** The last fd {@link #blockBacked} asked statx about, in which submit call, and its answer. */
    private long blockCall;
    private int blockFd = -1;
    private boolean cachedBlockBacked;
    /** cachestat's range and result. */
    private final MemorySegment cachestatScratch;
    private final MemorySegment statxScratch;
    private final MemorySegment rusageScratch;
    /** False once cachestat(2) answered ENOSYS (a kernel before 6.5): not asked again. */
    private static volatile boolean cachestatAvailable = true;

    /**
     * Reads wholly resident by cachestat in a row, after which this thread's reads are counted
     * by their RWF_NOWAIT attempts: a cache that served that many is likely to serve the next batch too.
     */
    static final int RESIDENT_RUN_FOR_ATTEMPTS = 256;
    /** This thread's backend watches a batch's RWF_NOWAIT attempts for block I/O ({@link #watchAttempts}). */
    private boolean attemptsWatched;
    /** This thread's reads are marked to be counted by their attempts now, not by cachestat. */
    private boolean countByAttempts;
    private int residentRun;

    ResidentCounter(final Errno errno, final Arena arena) {
        this.errno = errno;
        this.cachestatScratch = arena.allocate(Linux.CACHESTAT_SCRATCH_SIZE, 8);
        this.statxScratch = arena.allocate(Linux.STATX_SIZE, 8);
        this.rusageScratch = arena.allocate(Linux.RUSAGE_SIZE, 8);
    }

    /**
     * The io_uring backend's submitting threads: their batches' RWF_NOWAIT attempts run inside their own
     * io_uring_enter, which the backend brackets with {@link #blockInput()}. Without per-task I/O accounting in the
     * kernel the bracket cannot see readahead, so nothing changes.
     */
    void watchAttempts() {
        attemptsWatched = Linux.TASK_IO_ACCOUNTING;
    }

    /** @return this thread's block input now ({@link Linux#threadBlockInput}), or -errno */
    long blockInput() {
        return Linux.threadBlockInput(errno, rusageScratch);
    }

    /** A batch's attempts saw block I/O, or a page not cached: cachestat counts this thread's reads again. */
    void attemptsUnsure() {
        countByAttempts = false;
        residentRun = 0;
    }

    /**
     * {@link io.aioring.abi.spi.Operation#measureResidentBytes()}: the bytes of {@code op}'s file range in the page
     * cache now, by cachestat(2); O_DIRECT descriptors are not applicable. Or, for a read while this thread counts by
     * attempts, nothing now: the read is marked to be counted by its RWF_NOWAIT attempt (RESIDENT_UNKNOWN).
     */
    long residentBytes(final InFlight op, final long length) {
        if (length < 0 || op.offset() < 0 || !cachestatAvailable) {
            return Operation.RESIDENT_UNKNOWN;
        }
        final int flags = statusFlags(op);
        if (flags < 0) {
            return Operation.RESIDENT_UNKNOWN;
        }
        if ((flags & Linux.O_DIRECT) != 0) {
            return Operation.RESIDENT_NOT_APPLICABLE;
        }
        if (length == 0) {
            return 0;
        }
        final boolean watchedRead = attemptsWatched && !op.async()
            && OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.READS_FILE) && (op.opFlags() & Linux.RWF_NOWAIT) == 0;
        if (watchedRead && countByAttempts) {
            op.resident.byAttempt();
            op.tryNoWaitFirst();
            return Operation.RESIDENT_UNKNOWN;
        }
        final long resident = cachestat(op, length);
        if (watchedRead) {
            if (resident < length) {
                residentRun = 0;
            } else if (++residentRun >= RESIDENT_RUN_FOR_ATTEMPTS) {
                countByAttempts = true;
            }
        }
        return resident;
    }

    /**
     * A read marked to be counted by its attempt whose attempt cannot be watched (it goes alone: cachestat costs less
     * than a bracket; or its file is not on a block device): cachestat counts it now, still before the read.
     */
    void countNow(final InFlight op, final long length) {
        op.resident.counted(length < 0 ? Operation.RESIDENT_UNKNOWN : length == 0 ? 0 : cachestat(op, length));
    }

    /**
     * @return true if {@code op}'s file is on a block device (statx's device major is not 0), so that its readahead
     *         is block I/O the watch sees (not so for NFS, FUSE or tmpfs); asked once per fd per submit call, and only
     *         for reads in a batch that counts by attempts
     */
    boolean blockBacked(final InFlight op) {
        if (op.submitCall() == 0 || op.submitCall() != blockCall || op.fd() != blockFd) {
            blockCall = op.submitCall();
            blockFd = op.fd();
            cachedBlockBacked = Linux.fstatx(errno, op.fd(), 0, statxScratch) == 0
                && statxScratch.get(ValueLayout.JAVA_INT, Linux.STATX_DEV_MAJOR_OFFSET) != 0;
        }
        return cachedBlockBacked;
    }

    /** @return the fd's status flags, asked once per fd per submit call; or -errno */
    private int statusFlags(final InFlight op) {
        if (op.submitCall() != 0 && op.submitCall() == flagsCall && op.fd() == flagsFd) {
            return cachedFlags; // the same fd in the same submit call: its flags cannot have changed meanwhile
        }
        final int flags = Linux.statusFlags(errno, op.fd());
        if (flags < 0) {
            return flags;
        }
        flagsCall = op.submitCall();
        flagsFd = op.fd();
        cachedFlags = flags;
        return flags;
    }

    /** @return the bytes of the range cachestat counts resident, or RESIDENT_UNKNOWN */
    private long cachestat(final InFlight op, final long length) {
        final long pages = Linux.cachestat(errno, op.fd(), op.offset(), length, cachestatScratch);
        if (pages < 0) {
            if (pages == -Errno.ENOSYS) {
                cachestatAvailable = false;
            }
            return Operation.RESIDENT_UNKNOWN;
        }
        final long spanned = (op.offset() + length - 1) / Linux.PAGE_SIZE - op.offset() / Linux.PAGE_SIZE + 1;
        return pages >= spanned ? length : Math.min(length, pages * Linux.PAGE_SIZE);
    }
}
