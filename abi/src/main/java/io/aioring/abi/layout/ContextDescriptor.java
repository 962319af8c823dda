package io.aioring.abi.layout;

import io.aioring.ring.RingDescriptor;

/**
 * What the context keeps in the ring header's application area (offsets from the start of the file), and the
 * feature bits it sets. Written by the engine; other processes read it to find the eventfd socket and to show the
 * context's state.
 *
 * <pre>
 *   offset  size  field
 *     512     4   setup_flags (the negotiated SetupDescriptor flags)
 *     516     4   workers
 *     520     4   max_in_flight
 *     524     4   overflow_bound
 *     528     8   events_posted      (events written into the ring, ever)
 *     536     8   events_overflowed  (of those, events that waited on the overflow list)
 *     544     4   overflow_length    (events on the overflow list now)
 *     548     4   busy_rejections    (submits refused because the overflow list was at its bound)
 *     552     8   iocbs_submitted
 *     560     4   socket_path_length (0: no socket)
 *     564   108   socket_path        (UTF-8, not NUL terminated)
 *     672     4   heartbeat_period_ms
 *     676     4   tail_waiters       (reapers asleep in FUTEX_WAIT on tail; the engine wakes them after a publish)
 *     680     4   backend            (the backend in use: 1 io_uring, 2 threads)
 *     684     4   backend_errno      (0, or why auto did not pick io_uring: the errno io_uring_setup gave)
 *     768     8   reaped_sequence    (one past the highest event sequence any reaper has claimed; reapers raise it
 *                                     with a compare-and-set, in its own 128-byte line with the next word)
 *     776     4   claims_in_progress (reaper claims of the ring under way: atomic add before, subtract after)
 *     896     4   overflow_path_length (0: no overflow file)
 *     900   108   overflow_path      (UTF-8, not NUL terminated: the overflow file, a ring of the events on the list)
 *    1008     4   overflow_volatile  (events that found the overflow file full and were held in memory only)
 * </pre>
 */
public final class ContextDescriptor {
    /** Byte offset of the ring header's context area's {@code setup_flags} field (docs/abi.md 2.10). */
    public static final int SETUP_FLAGS_OFFSET = RingDescriptor.APPLICATION_AREA_OFFSET;
    /** Byte offset of the ring header's context area's {@code workers} field (docs/abi.md 2.10). */
    public static final int WORKERS_OFFSET = SETUP_FLAGS_OFFSET + 4;
    /** Byte offset of the ring header's context area's {@code max_in_flight} field (docs/abi.md 2.10). */
    public static final int MAX_IN_FLIGHT_OFFSET = SETUP_FLAGS_OFFSET + 8;
    /** Byte offset of the ring header's context area's {@code overflow_bound} field (docs/abi.md 2.10). */
    public static final int OVERFLOW_BOUND_OFFSET = SETUP_FLAGS_OFFSET + 12;
    /** Byte offset of the ring header's context area's {@code events_posted} field (docs/abi.md 2.10). */
    public static final int EVENTS_POSTED_OFFSET = SETUP_FLAGS_OFFSET + 16;
    /** Byte offset of the ring header's context area's {@code events_overflowed} field (docs/abi.md 2.10). */
    public static final int EVENTS_OVERFLOWED_OFFSET = SETUP_FLAGS_OFFSET + 24;
    /** Byte offset of the ring header's context area's {@code overflow_length} field (docs/abi.md 2.10). */
    public static final int OVERFLOW_LENGTH_OFFSET = SETUP_FLAGS_OFFSET + 32;
    /** Byte offset of the ring header's context area's {@code busy_rejections} field (docs/abi.md 2.10). */
    public static final int BUSY_REJECTIONS_OFFSET = SETUP_FLAGS_OFFSET + 36;
    /** Byte offset of the ring header's context area's {@code iocbs_submitted} field (docs/abi.md 2.10). */
    public static final int IOCBS_SUBMITTED_OFFSET = SETUP_FLAGS_OFFSET + 40;
    /** Byte offset of the ring header's context area's {@code socket_path_length} field (docs/abi.md 2.10). */
    public static final int SOCKET_PATH_LENGTH_OFFSET = SETUP_FLAGS_OFFSET + 48;
    /** Byte offset of the ring header's context area's {@code socket_path} field (docs/abi.md 2.10). */
    public static final int SOCKET_PATH_OFFSET = SETUP_FLAGS_OFFSET + 52;
    /** The room for the eventfd socket's path, as a sockaddr_un's sun_path has. */
    public static final int SOCKET_PATH_MAX = 108;
    /** Byte offset of the ring header's context area's {@code heartbeat_period_ms} field (docs/abi.md 2.10). */
    public static final int HEARTBEAT_PERIOD_OFFSET = SOCKET_PATH_OFFSET + SOCKET_PATH_MAX;
    /** Byte offset of the ring header's context area's {@code tail_waiters} field (docs/abi.md 2.10). */
    public static final int TAIL_WAITERS_OFFSET = HEARTBEAT_PERIOD_OFFSET + 4;
    /** Byte offset of the ring header's context area's {@code backend} field (docs/abi.md 2.10). */
    public static final int BACKEND_OFFSET = TAIL_WAITERS_OFFSET + 4;
    /** Byte offset of the ring header's context area's {@code backend_errno} field (docs/abi.md 2.10). */
    public static final int BACKEND_ERRNO_OFFSET = BACKEND_OFFSET + 4;
    /** Away from the words the engine writes per publish and reads per publish (tail_waiters): reapers write it. */
    public static final int REAPED_SEQUENCE_OFFSET = RingDescriptor.APPLICATION_AREA_OFFSET + 256;
    /** Reaper claims of the ring under way: each reaper adds 1 before its claim and takes it back after (u32). */
    public static final int CLAIMS_IN_PROGRESS_OFFSET = REAPED_SEQUENCE_OFFSET + 8;
    /** Byte offset of the ring header's context area's {@code overflow_path_length} field (docs/abi.md 2.10). */
    public static final int OVERFLOW_PATH_LENGTH_OFFSET = REAPED_SEQUENCE_OFFSET + 128;
    /** Byte offset of the ring header's context area's {@code overflow_path} field (docs/abi.md 2.10). */
    public static final int OVERFLOW_PATH_OFFSET = OVERFLOW_PATH_LENGTH_OFFSET + 4;
    /** Byte offset of the ring header's context area's {@code overflow_volatile} field (docs/abi.md 2.10). */
    public static final int OVERFLOW_VOLATILE_OFFSET = OVERFLOW_PATH_OFFSET + SOCKET_PATH_MAX;
    /** The end of the context area: the application area beyond it is reserved, zero. */
    public static final int CONTEXT_AREA_END = OVERFLOW_VOLATILE_OFFSET + 4;

    /** incompat feature: records of type 1 are version 1 events (docs/abi.md section 2). */
    public static final long INCOMPAT_EVENTS_V1 = 1L;
    /**
     * incompat feature, set by destroy when it leaves events in the overflow file (docs/abi.md 2.8): a reader that
     * does not drain that file would miss them, so it must refuse the ring. Cleared by an engine that re-attaches and
     * takes them.
     */
    public static final long INCOMPAT_OVERFLOW_LEFT = 1L << 1;
    /** Every incompat feature this build reads. */
    public static final long KNOWN_INCOMPAT_FEATURES = INCOMPAT_EVENTS_V1 | INCOMPAT_OVERFLOW_LEFT;
    /** compat feature: the application area holds the context fields above. */
    public static final long COMPAT_CONTEXT_AREA = 1L;
    /** compat feature: socket_path names a Unix socket that hands out the context's eventfd. */
    public static final long COMPAT_EVENTFD_SOCKET = 1L << 1;
    /** compat feature: backend and backend_errno say which backend runs the calls, and why. */
    public static final long COMPAT_BACKEND = 1L << 2;
    /**
     * compat feature: reapers keep reaped_sequence, and a reaper that claims an event whose sequence is below it
     * was handed an event again (head moved backwards) and drops it.
     */
    public static final long COMPAT_REAPED_SEQUENCE = 1L << 3;
    /** compat feature: the engine wakes reapers asleep on the tail futex after each publish (tail_waiters). */
    public static final long COMPAT_TAIL_FUTEX = 1L << 4;
    /**
     * compat feature: events on the overflow list are also in the overflow file (overflow_path), a ring a reaper
     * drains once the engine is gone.
     */
    public static final long COMPAT_DURABLE_OVERFLOW = 1L << 5;
    /** compat feature: the engine takes iocb flag ASYNC (docs/abi.md 2.2); an engine without it fails it -EINVAL. */
    public static final long COMPAT_IOCB_ASYNC = 1L << 6;
    /**
     * compat feature: the ring's trailer holds the engine's totals ({@link TotalsDescriptor}): every completion
     * counted by opcode, with latency histograms and page-cache outcomes, for observers that take no event.
     */
    public static final long COMPAT_TOTALS = 1L << 7;
    /**
     * compat feature: reapers count their claims of the ring in claims_in_progress, and a reaper waits for it to be
     * 0 before it takes events from the overflow file, so it cannot take the copy of an event another reaper has
     * claimed from the ring but not yet published in reaped_sequence (docs/abi.md 2.6, 2.8).
     */
    public static final long COMPAT_CLAIMS_IN_PROGRESS = 1L << 8;
    /** compat feature: the engine sets the ring flag CORRUPTED when it gives the ring up (docs/abi.md 1.3). */
    public static final long COMPAT_CORRUPTED_FLAG = 1L << 9;
    /** The compat features every context sets ({@link #COMPAT_EVENTFD_SOCKET} only with a socket). */
    public static final long COMPAT_ALWAYS = COMPAT_CONTEXT_AREA | COMPAT_BACKEND | COMPAT_REAPED_SEQUENCE
        | COMPAT_TAIL_FUTEX | COMPAT_DURABLE_OVERFLOW | COMPAT_IOCB_ASYNC | COMPAT_TOTALS | COMPAT_CLAIMS_IN_PROGRESS
        | COMPAT_CORRUPTED_FLAG;

    private ContextDescriptor() {
    }
}
