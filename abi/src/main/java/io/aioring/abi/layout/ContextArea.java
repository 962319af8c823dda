package io.aioring.abi.layout;

import static io.aioring.abi.layout.ContextDescriptor.*;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The context's words in the ring header's application area ({@link ContextDescriptor}), read and written only
 * here, as Aeron's CnC descriptor owns its file: the engine writes them, and reapers, {@code inspect} and
 * {@code bench} read them through this class, never by adding offsets themselves.
 *
 * <p>The area is shared memory that any process mapping the ring can write: every reader here checks what it
 * reads and says when a value is out of range, and the engine never reads back a word it wrote to decide
 * anything.
 */
public final class ContextArea {
    /** What {@link #heartbeatPeriodNanos()} answers when the word holds nothing sensible. */
    public static final long DEFAULT_HEARTBEAT_PERIOD_NANOS = 100_000_000L;
    /** The longest heartbeat period a reader accepts: a longer one is a scribble. */
    public static final int MAX_HEARTBEAT_PERIOD_MS = 60_000;

    private final AtomicBuffer header;

    /**
     * The context area of a ring's header.
     *
     * @param header the ring file's whole mapping (header first), as {@code Ring.buffer()} gives it
     */
    public ContextArea(final AtomicBuffer header) {
        if (header.capacity() < CONTEXT_AREA_END) {
            throw new IllegalArgumentException("a buffer of " + header.capacity() + " bytes has no context area");
        }
        this.header = header;
    }

    /**
     * Writes the fields fixed at setup; the socket path (when there is one) last, with release ordering.
     *
     * @param setupFlags       the negotiated setup flags
     * @param workers          worker threads
     * @param maxInFlight      the most iocbs in flight
     * @param overflowBound    the overflow list's bound
     * @param heartbeatPeriodMillis how often the engine writes its heartbeat
     * @param socketPath       the UTF-8 path of the eventfd socket, or null for none
     */
    public void writeSetup(final int setupFlags, final int workers, final int maxInFlight, final int overflowBound,
                           final int heartbeatPeriodMillis, final String socketPath) {
        header.putInt(SETUP_FLAGS_OFFSET, setupFlags);
        header.putInt(WORKERS_OFFSET, workers);
        header.putInt(MAX_IN_FLIGHT_OFFSET, maxInFlight);
        header.putInt(OVERFLOW_BOUND_OFFSET, overflowBound);
        header.putInt(HEARTBEAT_PERIOD_OFFSET, heartbeatPeriodMillis);
        if (socketPath != null) {
            writePath(SOCKET_PATH_LENGTH_OFFSET, SOCKET_PATH_OFFSET, "socket path", socketPath);
        }
    }

    /**
     * Writes the overflow file's path (release), before the ring is published.
     *
     * @param path the path
     */
    public void writeOverflowPath(final String path) {
        writePath(OVERFLOW_PATH_LENGTH_OFFSET, OVERFLOW_PATH_OFFSET, "overflow path", path);
    }

    /** Writes a path's bytes, then (release) its length word. */
    private void writePath(final int lengthOffset, final int offset, final String what, final String path) {
        final byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > SOCKET_PATH_MAX) {
            throw new IllegalArgumentException(what + " " + path + " is " + bytes.length + " bytes, over the "
                + SOCKET_PATH_MAX + " the context area holds");
        }
        header.putBytes(offset, bytes);
        header.putIntRelease(lengthOffset, bytes.length);
    }

    /**
     * {@return the overflow file's path, or null if the area names none}
     *
     * @throws IllegalStateException if overflow_path_length is out of range
     */
    public String overflowPath() {
        return path(OVERFLOW_PATH_LENGTH_OFFSET, OVERFLOW_PATH_OFFSET, "overflow_path_length");
    }

    /** A path the area holds as a length word and up to {@value ContextDescriptor#SOCKET_PATH_MAX} UTF-8 bytes. */
    private String path(final int lengthOffset, final int offset, final String lengthName) {
        final int length = header.getIntVolatile(lengthOffset);
        if (length == 0) {
            return null;
        }
        if (length < 0 || length > SOCKET_PATH_MAX) {
            throw new IllegalStateException(lengthName + " " + length + " is outside [0, " + SOCKET_PATH_MAX + "]");
        }
        final byte[] bytes = new byte[length];
        header.getBytes(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Counts one event that found the overflow file full and is held in the engine's memory only. */
    public void countOverflowVolatile() {
        header.getAndAddInt(OVERFLOW_VOLATILE_OFFSET, 1);
    }

    /** {@return the overflow_volatile word, unsigned} */
    public long overflowVolatile() {
        return Integer.toUnsignedLong(header.getIntVolatile(OVERFLOW_VOLATILE_OFFSET));
    }

    /**
     * Writes which backend makes the calls (docs/abi.md 2.10).
     *
     * @param backend       the backend in use ({@code SetupDescriptor.BACKEND_IO_URING} or {@code BACKEND_THREADS})
     * @param fallbackErrno 0, or the errno io_uring_setup gave when auto fell back to threads
     */
    public void writeBackend(final int backend, final int fallbackErrno) {
        header.putInt(BACKEND_ERRNO_OFFSET, fallbackErrno);
        header.putIntRelease(BACKEND_OFFSET, backend);
    }

    /** {@return the backend word (1 io_uring, 2 threads; anything else: unknown)} */
    public int backend() {
        return header.getIntVolatile(BACKEND_OFFSET);
    }

    /** {@return the backend_errno word: 0, or why auto did not pick io_uring} */
    public int backendErrno() {
        return header.getInt(BACKEND_ERRNO_OFFSET);
    }

    // The engine's counters: written with release ordering, for observers; the engine keeps its own copies.

    /**
     * Publishes the count of events posted.
     *
     * @param events events written into the ring, ever
     */
    public void eventsPosted(final long events) {
        header.putLongRelease(EVENTS_POSTED_OFFSET, events);
    }

    /**
     * Publishes the count of events that overflowed.
     *
     * @param events of those, events that waited on the overflow list
     */
    public void eventsOverflowed(final long events) {
        header.putLongRelease(EVENTS_OVERFLOWED_OFFSET, events);
    }

    /**
     * Publishes the overflow list's length.
     *
     * @param events events on the overflow list now
     */
    public void overflowLength(final int events) {
        header.putIntRelease(OVERFLOW_LENGTH_OFFSET, events);
    }

    /** Counts one submit refused because the overflow list was at its bound. */
    public void countBusyRejection() {
        header.getAndAddInt(BUSY_REJECTIONS_OFFSET, 1);
    }

    /**
     * Publishes the count of iocbs submitted.
     *
     * @param iocbs iocbs accepted by submit, ever
     */
    public void iocbsSubmitted(final long iocbs) {
        header.putLongRelease(IOCBS_SUBMITTED_OFFSET, iocbs);
    }

    // Tail waiters: reapers count themselves in before they sleep on tail; the engine wakes them if any are.

    /** A reaper is about to sleep on tail. */
    public void addTailWaiter() {
        header.getAndAddInt(TAIL_WAITERS_OFFSET, 1);
    }

    /** A reaper woke from tail. */
    public void removeTailWaiter() {
        header.getAndAddInt(TAIL_WAITERS_OFFSET, -1);
    }

    /** {@return true if the word says a reaper may sleep on tail (any value but 0: waking costs one call)} */
    public boolean hasTailWaiters() {
        return header.getIntVolatile(TAIL_WAITERS_OFFSET) != 0;
    }

    // Reaped sequence: reapers raise it past every event they claim (a compare-and-set, never lowered).

    /** @return the reaped_sequence word: one past the highest event sequence claimed, as found (unsigned) */
    /** A reaper begins a claim of the ring (atomic add). */
    public void addClaim() {
        header.getAndAddInt(CLAIMS_IN_PROGRESS_OFFSET, 1);
    }

    /** A reaper's claim is over: its compare-and-set failed, or it has raised reaped_sequence (atomic subtract). */
    public void removeClaim() {
        header.getAndAddInt(CLAIMS_IN_PROGRESS_OFFSET, -1);
    }

    /** {@return reaper claims of the ring under way (u32 as written: any value is possible from a scribbler)} */
    public int claimsInProgress() {
        return header.getIntVolatile(CLAIMS_IN_PROGRESS_OFFSET);
    }

    /**
     * Waits until no reaper is between its claim of the ring and its raise of reaped_sequence, for at most
     * {@code maxNanos} (a reaper that died in the middle leaves the count above 0 for good).
     *
     * @param maxNanos how long to wait at most, in nanoseconds
     * @return true if the count reached 0; false if the time ran out
     */
    public boolean awaitNoClaims(final long maxNanos) {
        final long deadline = System.nanoTime() + maxNanos;
        while (claimsInProgress() != 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000L);
        }
        return true;
    }

    /** {@return reaped_sequence: every event numbered below it has been reaped (docs/abi.md 2.6)} */
    public long reapedSequence() {
        return header.getLongVolatile(REAPED_SEQUENCE_OFFSET);
    }

    /**
     * Raises reaped_sequence to {@code next} unless it is already there or beyond (unsigned).
     *
     * @param next one past the sequence of the last event reaped
     */
    public void raiseReapedSequence(final long next) {
        long current;
        do {
            current = header.getLongVolatile(REAPED_SEQUENCE_OFFSET);
            if (Long.compareUnsigned(current, next) >= 0) {
                return;
            }
        } while (!header.compareAndSetLong(REAPED_SEQUENCE_OFFSET, current, next));
    }

    // Readers, for observers in any process. Each value is as found: shared memory, so check before use.

    /** {@return the setup flags word} */
    public int setupFlags() {
        return header.getInt(SETUP_FLAGS_OFFSET);
    }

    /** {@return the workers word} */
    public int workers() {
        return header.getInt(WORKERS_OFFSET);
    }

    /** {@return the max_in_flight word} */
    public int maxInFlight() {
        return header.getInt(MAX_IN_FLIGHT_OFFSET);
    }

    /** {@return the overflow_bound word} */
    public int overflowBound() {
        return header.getInt(OVERFLOW_BOUND_OFFSET);
    }

    /** {@return the events_posted word} */
    public long eventsPosted() {
        return header.getLongVolatile(EVENTS_POSTED_OFFSET);
    }

    /** {@return the events_overflowed word} */
    public long eventsOverflowed() {
        return header.getLongVolatile(EVENTS_OVERFLOWED_OFFSET);
    }

    /** {@return the overflow_length word} */
    public int overflowLength() {
        return header.getIntVolatile(OVERFLOW_LENGTH_OFFSET);
    }

    /** {@return the busy_rejections word, unsigned} */
    public long busyRejections() {
        return Integer.toUnsignedLong(header.getIntVolatile(BUSY_REJECTIONS_OFFSET));
    }

    /** {@return the iocbs_submitted word} */
    public long iocbsSubmitted() {
        return header.getLongVolatile(IOCBS_SUBMITTED_OFFSET);
    }

    /** {@return the socket_path_length word, as found} */
    public int socketPathLength() {
        return header.getIntVolatile(SOCKET_PATH_LENGTH_OFFSET);
    }

    /**
     * {@return the eventfd socket's path, or null if the area names none}
     *
     * @throws IllegalStateException if socket_path_length is out of range
     */
    public String socketPath() {
        return path(SOCKET_PATH_LENGTH_OFFSET, SOCKET_PATH_OFFSET, "socket_path_length");
    }

    /** {@return the heartbeat_period_ms word, as found} */
    public int heartbeatPeriodMillis() {
        return header.getInt(HEARTBEAT_PERIOD_OFFSET);
    }

    /**
     * {@return the heartbeat period in nanoseconds: the word if it lies in [1, {@value #MAX_HEARTBEAT_PERIOD_MS}]
     * ms, else {@link #DEFAULT_HEARTBEAT_PERIOD_NANOS}}
     */
    public long heartbeatPeriodNanos() {
        final int period = heartbeatPeriodMillis();
        return period > 0 && period <= MAX_HEARTBEAT_PERIOD_MS ? period * 1_000_000L : DEFAULT_HEARTBEAT_PERIOD_NANOS;
    }
}
