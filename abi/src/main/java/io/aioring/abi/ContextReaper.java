package io.aioring.abi;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.aioring.abi.linux.Errno;
import io.aioring.abi.linux.FdPassing;
import io.aioring.abi.linux.Linux;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingFormatException;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Reaps a context's events from a process that did not create it: maps the ring file (checking magic, version
 * and features), reaps one event or a batch, waits (an idle strategy, the context's eventfd received over its
 * Unix socket, or the tail futex), rings the doorbell when overflowed events wait, and tells when the engine is
 * gone — and still drains what it left. One thread at a time; reaping allocates nothing.
 */
public final class ContextReaper implements AutoCloseable {
    /** What the engine behind the ring is doing, as far as the ring header tells. */
    public enum EngineState {
        /** Its process lives and its heartbeat is fresh. */
        RUNNING,
        /** It closed the ring (destroy): nothing will follow what is there. */
        CLOSED,
        /** Its process is gone, or its heartbeat stopped, without closing the ring. */
        GONE
    }

    private final RingFile file;
    private final Ring ring;
    private final AtomicBuffer header;
    private final EventReaper reaper;
    /** Shared, so that a reaper opened on one thread can be handed to the thread that uses it. */
    private final Arena arena = Arena.ofShared();
    private final Errno errno = new Errno(arena);
    private final MemorySegment pollfd = arena.allocate(Linux.POLLFD_SIZE, 8);
    private final MemorySegment eventfdValue = arena.allocate(8, 8);
    private final MemorySegment timespec = arena.allocate(16, 8);
    private final long heartbeatPeriodNanos;
    private int eventfd = -1;
    /** poll(2) said the eventfd was readable and its counter has not been read back to 0 since. */
    private boolean eventfdSignalled;
    private long lastLivenessCheck = System.nanoTime();

    private ContextReaper(final RingFile file) {
        this.file = file;
        this.ring = file.ring();
        this.header = ring.buffer();
        this.reaper = new EventReaper(ring);
        final int period = header.getInt(ContextDescriptor.HEARTBEAT_PERIOD_OFFSET);
        this.heartbeatPeriodNanos = (period > 0 && period <= 60_000 ? period : 100) * 1_000_000L;
        // Link the wait calls now: an FFM downcall's first call spends a few hundred ms linking, which would
        // otherwise land on the first wake-up. Neither call waits: the futex value is not the one given, and poll
        // is asked about no descriptor.
        timespec.set(ValueLayout.JAVA_LONG, 0, 0L);
        timespec.set(ValueLayout.JAVA_LONG, 8, 0L);
        Linux.futexWait(errno, header.addressOffset() + RingDescriptor.TAIL_OFFSET, ring.tail() + 1, timespec.address());
        Linux.poll(errno, pollfd.address(), 0, 0);
    }

    /**
     * Maps a context's ring file.
     *
     * @throws RingFormatException if it is not a ring, or not a context's ring this build can read
     * @throws java.io.UncheckedIOException if it cannot be opened
     */
    public static ContextReaper open(final Path ringFile) {
        final RingFile file = RingFile.open(ringFile, ContextDescriptor.KNOWN_INCOMPAT_FEATURES);
        if ((file.ring().compatFeatures() & ContextDescriptor.COMPAT_CONTEXT_AREA) == 0
            || (file.ring().incompatFeatures() & ContextDescriptor.INCOMPAT_EVENTS_V1) == 0) {
            file.close();
            throw new RingFormatException("not a context's ring: " + ringFile + " has no context area or events");
        }
        return new ContextReaper(file);
    }

    public Ring ring() {
        return ring;
    }

    /**
     * Reaps one batch of at most {@code maxBytes} bytes of events (at least one event if any is there). When it finds
     * the ring empty while events wait on the overflow list, it rings the doorbell.
     *
     * @return events handed to {@code handler}
     */
    public int poll(final EventHandler handler, final int maxBytes) {
        final int reaped = reaper.poll(handler, maxBytes);
        if (reaped == 0 && (ring.flags() & RingDescriptor.FLAG_OVERFLOW_PENDING) != 0) {
            Doorbell.ring(ring, errno);
        }
        return reaped;
    }

    /** Reaps at most one event. */
    public int pollOne(final EventHandler handler) {
        return poll(handler, 1);
    }

    /**
     * Reaps until {@code minEvents} events were handed over, the timeout passes, or the engine is closed or gone and
     * the ring is drained; idles with {@code idle} between empty polls.
     *
     * @return events handed to {@code handler}
     */
    public int reap(final EventHandler handler, final int minEvents, final int maxBytes, final IdleStrategy idle,
                    final long timeoutNanos) {
        final long deadline = System.nanoTime() + timeoutNanos;
        int total = 0;
        idle.reset();
        while (total < minEvents) {
            final int reaped = poll(handler, maxBytes);
            total += reaped;
            if (reaped == 0) {
                final long now = System.nanoTime();
                if (now - deadline >= 0 || (isDrained() && engineEnded(now))) {
                    break;
                }
            }
            idle.idle(reaped); // resets the back-off after work, so a busy ring is not polled at park intervals
        }
        return total;
    }

    /** How {@link #await} sleeps. */
    public enum WaitMode {
        /** poll(2) on the context's eventfd, received over its Unix socket (once, then kept). */
        EVENTFD,
        /** FUTEX_WAIT on the ring's tail word, registered in tail_waiters (docs/abi.md 2.9). */
        FUTEX
    }

    /**
     * Sleeps until events may be there, or the timeout passes, without taking any. Reap until a poll finds nothing
     * before calling this: signals are edge-triggered.
     *
     * @return true if woken (a hint: poll to see), false on timeout
     * @throws IOException if the eventfd cannot be obtained
     */
    public boolean await(final WaitMode mode, final long timeoutNanos) throws IOException {
        if (mode == WaitMode.EVENTFD) {
            final int fd = eventfd();
            if (eventfdSignalled) {
                // Reset the counter (it is only a hint) here, before the ring is checked, and not on the way out
                // of poll: that read would stand between the wake-up and the events.
                Linux.read(errno, fd, eventfdValue.address(), 8);
                eventfdSignalled = false;
            }
            if (ring.tail() != ring.head()) {
                return true;
            }
            pollfd.set(ValueLayout.JAVA_INT, 0, fd);
            pollfd.set(ValueLayout.JAVA_SHORT, 4, Linux.POLLIN);
            pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
            final int ready = Linux.poll(errno, pollfd.address(), 1, (int) Math.min(Integer.MAX_VALUE, timeoutNanos / 1_000_000));
            eventfdSignalled = ready > 0;
            return eventfdSignalled;
        }
        final int tail = ring.tail();
        if (tail != ring.head()) {
            return true;
        }
        header.getAndAddInt(ContextDescriptor.TAIL_WAITERS_OFFSET, 1);
        try {
            if (ring.tail() != tail) {
                return true;
            }
            timespec.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            timespec.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            final int r = Linux.futexWait(errno, header.addressOffset() + RingDescriptor.TAIL_OFFSET, tail, timespec.address());
            return r != -Errno.ETIMEDOUT;
        } finally {
            header.getAndAddInt(ContextDescriptor.TAIL_WAITERS_OFFSET, -1);
        }
    }

    /** @return the context's eventfd, received over its Unix socket the first time */
    public int eventfd() throws IOException {
        if (eventfd < 0) {
            final int length = header.getIntVolatile(ContextDescriptor.SOCKET_PATH_LENGTH_OFFSET);
            if ((ring.compatFeatures() & ContextDescriptor.COMPAT_EVENTFD_SOCKET) == 0 || length <= 0
                || length > ContextDescriptor.SOCKET_PATH_MAX) {
                throw new IOException("the context serves no eventfd (socket_path_length " + length + ")");
            }
            final byte[] path = new byte[length];
            header.getBytes(ContextDescriptor.SOCKET_PATH_OFFSET, path);
            eventfd = FdPassing.receive(Path.of(new String(path, StandardCharsets.UTF_8)));
        }
        return eventfd;
    }

    /** @return true if neither the ring nor this reaper holds an event */
    public boolean isDrained() {
        return reaper.isEmpty();
    }

    /**
     * @return true if the engine closed the ring, or (looked up at most once per heartbeat period, as it means a
     *         process lookup) is gone
     */
    private boolean engineEnded(final long now) {
        if (ring.isProducerClosed()) {
            return true;
        }
        if (now - lastLivenessCheck < heartbeatPeriodNanos) {
            return false;
        }
        lastLivenessCheck = now;
        return engineState() == EngineState.GONE;
    }

    /** @return whether the engine is running, has closed the ring, or is gone (pid dead or heartbeat stale) */
    public EngineState engineState() {
        if (ring.isProducerClosed()) {
            return EngineState.CLOSED;
        }
        final int pid = ring.producerPid();
        final boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        final long beat = ring.heartbeat();
        final boolean fresh = beat == 0 || System.nanoTime() - beat < 20 * heartbeatPeriodNanos;
        return alive && fresh ? EngineState.RUNNING : EngineState.GONE;
    }

    /** @return records of types other than events that were skipped */
    public long foreignRecords() {
        return reaper.foreignRecords();
    }

    @Override
    public void close() {
        if (eventfd >= 0) {
            Linux.close(errno, eventfd);
            eventfd = -1;
        }
        file.close();
        arena.close();
    }
}
