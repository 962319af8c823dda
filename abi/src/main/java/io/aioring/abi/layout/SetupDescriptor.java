package io.aioring.abi.layout;


/**
 * The layout of the parameters to {@code io_setup2} ({@code AioContext.setup}): 64 bytes, versioned, with reserved
 * space that must be zero so that later versions can give it meaning.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     abi_version (u32)                          |  0
 *  +---------------------------------------------------------------+
 *  |                     flags (u32)                                |  4
 *  +---------------------------------------------------------------+
 *  |                     ring_data_bytes (u32)                      |  8
 *  +---------------------------------------------------------------+
 *  |                     overflow_bound (u32)                       | 12
 *  +---------------------------------------------------------------+
 *  |                     max_in_flight (u32)                        | 16
 *  +---------------------------------------------------------------+
 *  |                     workers (u32)                              | 20
 *  +---------------------------------------------------------------+
 *  |                     backend (u32): 0 auto, 1 io_uring, 2 threads | 24
 *  +---------------------------------------------------------------+
 *  |                     fd_slots (u32): 0 means 256                | 28
 *  +---------------------------------------------------------------+
 *  |                     ring_initial_position (u32)                | 32
 *  +---------------------------------------------------------------+
 *  |                     reserved, zero (28 bytes)                 ... 36
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class SetupDescriptor {
    /** Byte offset of the setup block's {@code abi_version} field (docs/abi.md 2.1). */
    public static final int ABI_VERSION_OFFSET = 0;
    /** Byte offset of the setup block's {@code flags} field (docs/abi.md 2.1). */
    public static final int FLAGS_OFFSET = 4;
    /** Byte offset of the setup block's {@code ring_data_bytes} field (docs/abi.md 2.1). */
    public static final int RING_DATA_BYTES_OFFSET = 8;
    /** Byte offset of the setup block's {@code overflow_bound} field (docs/abi.md 2.1). */
    public static final int OVERFLOW_BOUND_OFFSET = 12;
    /** Byte offset of the setup block's {@code max_in_flight} field (docs/abi.md 2.1). */
    public static final int MAX_IN_FLIGHT_OFFSET = 16;
    /** Byte offset of the setup block's {@code workers} field (docs/abi.md 2.1). */
    public static final int WORKERS_OFFSET = 20;
    /** Byte offset of the setup block's {@code backend} field (docs/abi.md 2.1). */
    public static final int BACKEND_OFFSET = 24;
    /** Byte offset of the setup block's {@code fd_slots} field (docs/abi.md 2.1). */
    public static final int FD_SLOTS_OFFSET = 28;
    /** Where the ring's head and tail start: a multiple of 8 (tests start near 2^32 to wrap early). */
    public static final int RING_INITIAL_POSITION_OFFSET = 32;
    /** Byte offset of the setup block's {@code reserved} field (docs/abi.md 2.1). */
    public static final int RESERVED_OFFSET = 36;
    /** The setup block's length in bytes (docs/abi.md 2.1). */
    public static final int LENGTH = 64;

    /** flags: create the per-context eventfd. */
    public static final int FLAG_EVENTFD = 1;
    /** flags: also serve the eventfd to other processes over a Unix socket (needs FLAG_EVENTFD). */
    public static final int FLAG_EVENTFD_SOCKET = 1 << 1;
    /**
     * flags: take over the existing ring file at ring_path, whose engine is gone or destroyed: the events in it and
     * on its overflow list are kept, in order, and sequences continue (docs/abi.md 2.8).
     */
    public static final int FLAG_REATTACH = 1 << 2;
    /** Every flag bit of the setup block this version knows (docs/abi.md 2.1). */
    public static final int KNOWN_FLAGS = FLAG_EVENTFD | FLAG_EVENTFD_SOCKET | FLAG_REATTACH;

    /** backend: io_uring when it works here, else worker threads (the reason is in the context area). */
    public static final int BACKEND_AUTO = 0;
    /** backend: io_uring, or setup fails naming why. */
    public static final int BACKEND_IO_URING = 1;
    /** backend: worker threads make every call. */
    public static final int BACKEND_THREADS = 2;

    /** The largest overflow_bound setup takes. */
    public static final int MAX_OVERFLOW_BOUND = 1 << 20;
    /** The largest max_in_flight setup takes. */
    public static final int MAX_IN_FLIGHT = 1 << 16;
    /** The most workers setup takes. */
    public static final int MAX_WORKERS = 256;
    /** The most fd slots setup takes. */
    public static final int MAX_FD_SLOTS = 1 << 16;
    /** fd_slots: what 0 means. */
    public static final int DEFAULT_FD_SLOTS = 256;

    private SetupDescriptor() {
    }
}
