package io.aioring.abi;

import io.aioring.abi.linux.Errno;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What an attribute sees of one I/O while it runs: the iocb's fields, the timestamps, the result, and its own
 * request payload and scratch space. Valid only during the hook call; nothing here allocates.
 */
public interface Operation {
    int opcode();

    int fd();

    long offset();

    /** @return the buffer, iovec array or path address */
    long address();

    /** @return the buffer length, iovec count or path length */
    int lengthOrCount();

    int opFlags();

    long userData();

    /** @return CLOCK_MONOTONIC nanoseconds when the iocb was accepted by submit */
    long submitNanos();

    /** @return CLOCK_MONOTONIC nanoseconds when a worker started it (0 before) */
    long startNanos();

    /** @return CLOCK_MONOTONIC nanoseconds when the call returned (0 before) */
    long completeNanos();

    /** @return the result: bytes or -errno (meaningful in {@link AioAttribute#after}) */
    long result();

    /**
     * Completes the operation from a {@code before} hook: the engine will not make the call itself, and
     * {@code result} becomes the event's result (e.g. the page-cache attribute's RWF_NOWAIT read was a full hit).
     */
    void completeEarly(long result);

    /** @return true if a before hook completed the operation */
    boolean completedEarly();

    /** @return the buffer holding this attribute's request payload, at {@link #requestIndex()} */
    DirectBuffer request();

    int requestIndex();

    int requestLength();

    /** @return per-I/O scratch space for this attribute, {@link AioAttribute#SCRATCH_BYTES} bytes at {@link #scratchIndex()} */
    MutableDirectBuffer scratch();

    int scratchIndex();

    /** @return the calling worker's errno capture area, for attributes that make Linux calls */
    Errno errno();
}
