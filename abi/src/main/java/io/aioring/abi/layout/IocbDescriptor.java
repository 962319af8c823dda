package io.aioring.abi.layout;

/**
 * The layout of an iocb: a 56-byte fixed header followed by {@code attribute_count} attribute requests. A
 * submission is a batch of iocbs back to back, each {@code length} bytes (a multiple of 8).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     length (u32): the whole iocb               |  0
 *  +-------------------------------+-------------------------------+
 *  |         opcode (u16)          |          flags (u16)          |  4
 *  +-------------------------------+-------------------------------+
 *  |                     fd (i32)                                   |  8
 *  +-------------------------------+-------------------------------+
 *  |        priority (u16)         |    attribute_count (u16)      | 12
 *  +-------------------------------+-------------------------------+
 *  |                     offset (u64)                               | 16
 *  +---------------------------------------------------------------+
 *  |                     address (u64)                              | 24
 *  +---------------------------------------------------------------+
 *  |                     length_or_count (u32)                      | 32
 *  +---------------------------------------------------------------+
 *  |                     op_flags (u32)                             | 36
 *  +---------------------------------------------------------------+
 *  |                     user_data (u64)                            | 40
 *  +---------------------------------------------------------------+
 *  |                     mode (u32)                                 | 48
 *  +---------------------------------------------------------------+
 *  |                     timeout_ms (u32, 0: none)                  | 52
 *  +---------------------------------------------------------------+
 *  |                     attribute requests ...                     | 56
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class IocbDescriptor {
    /** Byte offset of the iocb's {@code length} field (docs/abi.md 2.2). */
    public static final int LENGTH_OFFSET = 0;
    /** Byte offset of the iocb's {@code opcode} field (docs/abi.md 2.2). */
    public static final int OPCODE_OFFSET = 4;
    /** Byte offset of the iocb's {@code flags} field (docs/abi.md 2.2). */
    public static final int FLAGS_OFFSET = 6;
    /** Byte offset of the iocb's {@code fd} field (docs/abi.md 2.2). */
    public static final int FD_OFFSET = 8;
    /** Byte offset of the iocb's {@code priority} field (docs/abi.md 2.2). */
    public static final int PRIORITY_OFFSET = 12;
    /** Byte offset of the iocb's {@code attribute_count} field (docs/abi.md 2.2). */
    public static final int ATTRIBUTE_COUNT_OFFSET = 14;
    /** Byte offset of the iocb's {@code offset} field (docs/abi.md 2.2). */
    public static final int OFFSET_OFFSET = 16;
    /** Byte offset of the iocb's {@code address} field (docs/abi.md 2.2). */
    public static final int ADDRESS_OFFSET = 24;
    /** Byte offset of the iocb's {@code length_or_count} field (docs/abi.md 2.2). */
    public static final int LENGTH_OR_COUNT_OFFSET = 32;
    /** Byte offset of the iocb's {@code op_flags} field (docs/abi.md 2.2). */
    public static final int OP_FLAGS_OFFSET = 36;
    /** Byte offset of the iocb's {@code user_data} field (docs/abi.md 2.2). */
    public static final int USER_DATA_OFFSET = 40;
    /** Byte offset of the iocb's {@code mode} field (docs/abi.md 2.2). */
    public static final int MODE_OFFSET = 48;
    /** Byte offset of the iocb's {@code timeout_ms} field (docs/abi.md 2.2). */
    public static final int TIMEOUT_MS_OFFSET = 52;
    /** The length of the iocb's fixed header in bytes (docs/abi.md 2.2). */
    public static final int HEADER_LENGTH = 56;

    /** The largest iocb, header and attribute requests together. */
    public static final int MAX_LENGTH = 1024;
    /** The iocb's length is a multiple of this (docs/abi.md 2.2). */
    public static final int ALIGNMENT = 8;
    /**
     * iocb flag: the next iocb of the batch starts only once this one has completed, and only if its result is not
     * negative; otherwise the next completes -ECANCELED without running (and so on down the chain).
     */
    public static final int FLAG_LINK = 0x1;
    /** iocb flag: the next iocb of the batch starts once this one has completed, whatever its result. */
    public static final int FLAG_HARDLINK = 0x2;
    /** iocb flag: {@code fd} names one of the context's fd slots, not a file descriptor. */
    public static final int FLAG_FIXED_FD = 0x4;
    /**
     * iocb flag: accept and poll only: keep going after the first result, posting one event per connection or
     * wake-up, each with event flag {@link EventDescriptor#FLAG_MORE}, until cancelled or failed; the last event has
     * no MORE.
     */
    public static final int FLAG_MULTISHOT = 0x8;
    /**
     * iocb flag: openat and accept only: put the new fd into the fd slot named by {@code offset} (-1: the lowest
     * empty one) instead of returning it; the result is the slot.
     */
    public static final int FLAG_TO_SLOT = 0x10;
    /**
     * iocb flag: no attempt on the submitting thread: a file read or write goes straight to the backend's
     * asynchronous path (to io_uring as it is, without RWF_NOWAIT or a preadv2 of ours; on threads, a worker). For I/O the page
     * cache cannot serve (O_DIRECT), where the attempt is a wasted call or, being synchronous, a wait for the device
     * on the submitting thread. Other opcodes accept it and are unchanged.
     */
    public static final int FLAG_ASYNC = 0x20;
    /** iocb flags this build knows. Any other set bit fails the iocb with -EINVAL. */
    public static final int KNOWN_FLAGS = FLAG_LINK | FLAG_HARDLINK | FLAG_FIXED_FD | FLAG_MULTISHOT | FLAG_TO_SLOT
        | FLAG_ASYNC;

    private IocbDescriptor() {
    }
}
