package io.aioring.abi.spi;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What an attribute sees of one I/O while it runs: the iocb's fields, the timestamps, the result, and its own
 * request payload and scratch space. Valid only during the hook call; nothing here allocates.
 */
public interface Operation {
    /** {@return the iocb's opcode} */
    int opcode();

    /** {@return the iocb's fd (with FIXED_FD, the slot's fd)} */
    int fd();

    /** {@return the iocb's offset} */
    long offset();

    /** {@return the buffer, iovec array or path address} */
    long address();

    /** {@return the buffer length, iovec count or path length} */
    int lengthOrCount();

    /** {@return the iocb's op_flags} */
    int opFlags();

    /** {@return the iocb's user data} */
    long userData();

    /** {@return CLOCK_MONOTONIC nanoseconds when the iocb was accepted by submit} */
    long submitNanos();

    /** {@return CLOCK_MONOTONIC nanoseconds when a worker started it (0 before)} */
    long startNanos();

    /** {@return CLOCK_MONOTONIC nanoseconds when the call returned (0 before)} */
    long completeNanos();

    /** {@return the result: bytes or -errno (meaningful in {@link AioAttribute#after})} */
    long result();

    /**
     * Completes the operation from a {@code before} hook: the engine will not make the call itself, and
     * {@code result} becomes the event's result (e.g. the page-cache attribute's RWF_NOWAIT read was a full hit).
     *
     * @param result bytes or a value, or -errno
     */
    void completeEarly(long result);

    /** {@return true if a before hook completed the operation} */
    boolean completedEarly();

    /** {@return the buffer holding this attribute's request payload, at {@link #requestIndex()}} */
    DirectBuffer request();

    /** {@return where this attribute's request payload begins in {@link #request()}} */
    int requestIndex();

    /** {@return the request payload's length in bytes} */
    int requestLength();

    /** {@return per-I/O scratch space for this attribute, {@link AioAttribute#SCRATCH_BYTES} bytes at {@link #scratchIndex()}} */
    MutableDirectBuffer scratch();

    /** {@return where this attribute's scratch space begins in {@link #scratch()}} */
    int scratchIndex();

    /** {@link #executionPath()}: completed on the submitting thread, inside its submit call. */
    int PATH_INLINE = 0;
    /** {@link #executionPath()}: handed to io_uring and completed later (reaped by the engine's completer). */
    int PATH_ASYNC = 1;
    /** {@link #executionPath()}: a worker thread made the call. */
    int PATH_WORKER = 2;

    /**
     * In an {@code after} hook: how the operation ran.
     *
     * @return {@link #PATH_INLINE}, {@link #PATH_ASYNC} or {@link #PATH_WORKER}
     */
    int executionPath();

    /** What {@link #noWaitResult()} says when no RWF_NOWAIT attempt was made. */
    long NO_ATTEMPT = Long.MIN_VALUE;

    /**
     * From a {@code before} hook of a read (pread, preadv): asks the engine to make its first attempt with
     * {@code RWF_NOWAIT}, which copies only what is in the page cache and never waits for the device. If that does
     * not return every byte asked for, the engine reads the whole range again normally. The thread backend makes
     * the attempt as a preadv2 on the worker; the io_uring backend as the io_uring read itself, in the submit batch.
     */
    void tryNoWaitFirst();

    /**
     * In an {@code after} hook: the result of the RWF_NOWAIT attempt {@link #tryNoWaitFirst()} asked for.
     *
     * @return bytes (all of them: served from the page cache; fewer: a page was not cached, or the file ended),
     *         -EAGAIN (the first page was not cached), another -errno, or {@link #NO_ATTEMPT}
     */
    long noWaitResult();

    /**
     * {@return the bytes the operation asks to move: a pread/pwrite's length, the sum of a preadv/pwritev's iovec
     * lengths (-EFAULT or -EINVAL if its iovecs are not acceptable), 0 for other opcodes}
     */
    long transferLength();

    /** {@link #residentBytes()}: not measured (no cachestat(2) in this kernel, a file position offset, a socket). */
    long RESIDENT_UNKNOWN = -1;
    /** {@link #residentBytes()}: the descriptor is O_DIRECT, so the page cache plays no part in this I/O. */
    long RESIDENT_NOT_APPLICABLE = -2;

    /**
     * From a before hook: counts, now, the bytes of this read's or write's file range that are in the page cache, by
     * the kernel's own count ({@code cachestat(2)}, Linux 6.5), and remembers it for {@link #residentBytes()}. Unlike
     * an RWF_NOWAIT attempt it starts no readahead, so a page that arrives during the I/O is not counted as there
     * before it. Costs a system call (and one for the descriptor's flags per submit call). The engine may instead
     * count a read by its RWF_NOWAIT attempt, watched for block I/O ({@link #RESIDENT_BY_ATTEMPT}): it then makes
     * that attempt, this returns {@link #RESIDENT_UNKNOWN}, and {@link #residentBytes()} has the count after the call.
     *
     * @return the bytes resident, {@link #RESIDENT_NOT_APPLICABLE} or {@link #RESIDENT_UNKNOWN}
     */
    long measureResidentBytes();

    /**
     * {@return what {@link #measureResidentBytes()} found, or {@link #RESIDENT_UNKNOWN} if it was not called; in an
     * {@code after} hook, also the count the engine took from the read's RWF_NOWAIT attempt instead ({@link
     * #residentSource()})}
     */
    long residentBytes();

    /** {@link #residentSource()}: cachestat(2) counted the range's pages just before the call. */
    int RESIDENT_BY_CACHESTAT = 1;
    /**
     * {@link #residentSource()}: the read's RWF_NOWAIT attempt, during which the submitting thread started no block
     * I/O (its {@code getrusage(RUSAGE_THREAD)} block input did not move), so no readahead of its own brought a page
     * in: the bytes the attempt copied were resident before it. On the io_uring backend, for a read of a file on a
     * block device in a batch, once cachestat has found a run of such reads wholly resident; cachestat again from
     * the first batch whose attempts saw block I/O or a page not cached.
     */
    int RESIDENT_BY_ATTEMPT = 2;

    /** {@return how {@link #residentBytes()} was counted (when it is 0 or more): RESIDENT_BY_CACHESTAT or RESIDENT_BY_ATTEMPT} */
    int residentSource();
}
