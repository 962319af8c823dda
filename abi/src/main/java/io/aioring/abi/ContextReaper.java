package io.aioring.abi;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.FdPassing;
import io.aioring.linux.Futex;
import io.aioring.linux.Linux;
import io.aioring.ring.ReapLoop;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingFormatException;

import org.agrona.concurrent.IdleStrategy;

/**
 * Reaps a context's events from a process that did not create it: maps the ring file (checking magic, version
 * and features), reaps one event or a batch, waits (an idle strategy, the context's eventfd received over its
 * Unix socket, or the tail futex), rings the doorbell when overflowed events wait, and tells when the engine is
 * gone — and still drains what it left. One thread at a time; reaping allocates nothing. Every event of a context
 * another process set up, until its engine closes the ring and the ring is drained (or an hour passes):
 *
 * <pre>{@code
 * try (ContextReaper reaper = ContextReaper.open(ringFile)) {   // the context's AioContext.ringPath()
 *     reaper.reap(event -> System.out.println(event.userData() + ": " + event.result()),
 *         Integer.MAX_VALUE, 1 << 16, new BackoffIdleStrategy(), TimeUnit.HOURS.toNanos(1));
 * }
 * }</pre>
 */
public final class ContextReaper implements AutoCloseable {
    private final RingFile file;
    private final Ring ring;
    private final ContextArea area;
    private final EventPoller poller;
    /** Shared, so that a reaper opened on one thread can be handed to the thread that uses it. */
    private final Arena arena = Arena.ofShared();
    private final Errno errno = new Errno(arena);
    private final Futex futex = new Futex(arena);
    /** The eventfd and, when held, the liveness connection: an engine's death ends the sleep. */
    private final MemorySegment pollfd = arena.allocate(2 * Linux.POLLFD_SIZE, 8);
    private final MemorySegment livenessPollfd = arena.allocate(Linux.POLLFD_SIZE, 8);
    /** A connection to the context's eventfd socket, which the engine keeps open until destroy; or -1. */
    private int liveness = -1;
    /** The longest wait for other reapers' claims of the ring to end before the overflow file is read. */
    private static final long CLAIM_WAIT_NANOS = 1_000_000_000L;
    /** How often a reaper that found nothing asks its liveness connection whether the engine is done. */
    private static final long CONNECTION_CHECK_NANOS = 10_000_000L;
    private final MemorySegment eventfdValue = arena.allocate(8, 8);
    private final long heartbeatPeriodNanos;
    private int eventfd = -1;
    /** poll(2) said the eventfd was readable and its counter has not been read back to 0 since. */
    private boolean eventfdSignalled;
    private long lastLivenessCheck = System.nanoTime();
    private final ReapSource reapSource = new ReapSource();
    /** The overflow file's poller, once the engine is found gone and the file opened; else null. */
    private EventPoller overflowPoller;
    private RingFile overflowFile;

    private ContextReaper(final RingFile file) {
        this.file = file;
        this.ring = file.ring();
        this.area = new ContextArea(ring.buffer());
        this.poller = new EventPoller(ring);
        this.heartbeatPeriodNanos = area.heartbeatPeriodNanos();
        // Link the wait calls now: an FFM downcall's first call spends a few hundred ms linking, which would
        // otherwise land on the first wake-up. Neither call waits: the futex value is not the one given, and poll
        // is asked about no descriptor.
        ring.awaitTail(futex, ring.tail() + 1, 0);
        Linux.poll(errno, pollfd.address(), 0, 0);
    }

    /**
     * Maps a context's ring file.
     *
     * @param ringFile the ring file's path
     * @return the reaper
     * @throws RingFormatException if it is not a ring, or not a context's ring this build can read
     * @throws java.io.UncheckedIOException if it cannot be opened
     */
    public static ContextReaper open(final Path ringFile) {
        io.aioring.linux.JvmFlags.require();
        final RingFile file = RingFile.open(ringFile, ContextDescriptor.KNOWN_INCOMPAT_FEATURES);
        if ((file.ring().compatFeatures() & ContextDescriptor.COMPAT_CONTEXT_AREA) == 0
            || (file.ring().incompatFeatures() & ContextDescriptor.INCOMPAT_EVENTS_V1) == 0) {
            file.close();
            throw new RingFormatException("not a context's ring: " + ringFile + " has no context area or events");
        }
        final ContextReaper reaper = new ContextReaper(file);
        try {
            reaper.eventfd(); // and with it the liveness connection
        } catch (final IOException e) {
            // No socket (the context serves none, or is gone): liveness rests on the ring's words.
        }
        return reaper;
    }

    /** {@return the ring, through this reaper's own mapping} */
    public Ring ring() {
        return ring;
    }

    /** {@return the context's words in the ring header, through this reaper's mapping} */
    public ContextArea contextArea() {
        return area;
    }

    /**
     * Reaps one batch of at most {@code maxBytes} bytes of events (at least one event if any is there). When it finds
     * the ring empty while events wait on the overflow list, it rings the doorbell.
     *
     * @param handler  receives each event
     * @param maxBytes the most bytes of records to take
     * @return events handed to {@code handler}
     */
    public int poll(final EventHandler handler, final int maxBytes) {
        int reaped = poller.poll(handler, maxBytes);
        if (reaped == 0 && overflowPoller != null) {
            reaped = overflowPoller.poll(handler, maxBytes); // the engine is gone: what its overflow list held
        }
        if (reaped == 0) {
            final int flags;
            try {
                flags = ring.flags();
            } catch (final InternalError e) {
                throw io.aioring.ring.RingCorruptedException.mappingFault(e);
            }
            if ((flags & RingDescriptor.FLAG_CORRUPTED) != 0) {
                throw new io.aioring.ring.RingCorruptedException("flags", Integer.toUnsignedLong(flags), "CORRUPTED: the "
                    + "engine loaded an impossible head and gave this ring up; no more events will come through it "
                    + "(docs/abi.md 2.13)");
            }
            if ((flags & RingDescriptor.FLAG_OVERFLOW_PENDING) != 0) {
                ring.ringDoorbell();
            }
        }
        return reaped;
    }

    /**
     * Reaps at most one event.
     *
     * @param handler receives the event
     * @return events handed to {@code handler} (0 or 1)
     */
    public int pollOne(final EventHandler handler) {
        return poll(handler, 1);
    }

    /**
     * Reaps until {@code minEvents} events were handed over, the timeout passes, or the engine is closed or gone and
     * the ring is drained; idles with {@code idle} between empty polls.
     *
     * @param handler      receives each event
     * @param minEvents    return once this many were handed over
     * @param maxBytes     the most bytes of records one poll takes
     * @param idle         how to wait between empty polls
     * @param timeoutNanos the longest time to keep reaping
     * @return events handed to {@code handler}
     */
    public int reap(final EventHandler handler, final int minEvents, final int maxBytes, final IdleStrategy idle,
                    final long timeoutNanos) {
        reapSource.handler = handler;
        reapSource.maxBytes = maxBytes;
        try {
            return ReapLoop.run(reapSource, minEvents, idle, timeoutNanos);
        } finally {
            reapSource.handler = null;
        }
    }

    /** {@link #reap}'s poll and end, kept as a field so that a reap allocates nothing. */
    private final class ReapSource implements ReapLoop.Source {
        EventHandler handler;
        int maxBytes;

        @Override
        public int poll() {
            return ContextReaper.this.poll(handler, maxBytes);
        }

        /** The ring (and, the engine gone, its overflow file) is drained and the engine closed it or is gone. */
        @Override
        public boolean ended(final long nowNanos) {
            if (!isDrained() || !engineEnded(nowNanos)) {
                return false;
            }
            if (openOverflowFile()) {
                return false; // just opened: look there before ending
            }
            removeLeftFiles();
            return true;
        }
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
     * <p>destroy wakes either sleep. An engine's death wakes an eventfd sleep that holds the liveness connection (it
     * is polled too); a futex sleep lasts at most one heartbeat period, since nothing can wake it then. So does an
     * eventfd sleep without a connection, or while a reaper has set NOTIFY_DISABLED (the engine then signals no one).
     *
     * @param mode         what to sleep on
     * @param timeoutNanos the longest sleep
     * @return true if woken (a hint: poll to see), false if the timeout, or the heartbeat period that bounds the
     *         sleep, passed first (poll, then sleep again)
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
            pollfd.set(ValueLayout.JAVA_INT, Linux.POLLFD_SIZE, liveness);
            pollfd.set(ValueLayout.JAVA_SHORT, Linux.POLLFD_SIZE + 4, Linux.POLLRDHUP);
            pollfd.set(ValueLayout.JAVA_SHORT, Linux.POLLFD_SIZE + 6, (short) 0);
            // Unbounded only while nothing can silence or outlive the signal: a connection says the engine's end,
            // and no reaper has asked the engine to stop signalling (NOTIFY_DISABLED). Else a heartbeat period,
            // then the caller looks again (abi.md 2.9).
            final boolean bounded = liveness < 0 || (ring.flags() & io.aioring.ring.RingDescriptor.FLAG_NOTIFY_DISABLED) != 0;
            final long sleepNanos = bounded ? Math.min(timeoutNanos, heartbeatPeriodNanos) : timeoutNanos;
            final int ready = Linux.poll(errno, pollfd.address(), liveness >= 0 ? 2 : 1,
                (int) Math.min(Integer.MAX_VALUE, sleepNanos / 1_000_000));
            eventfdSignalled = ready > 0 && pollfd.get(ValueLayout.JAVA_SHORT, 6) != 0;
            return ready > 0;
        }
        final int tail = ring.tail();
        if (tail != ring.head()) {
            return true;
        }
        area.addTailWaiter();
        try {
            if (ring.tail() != tail) {
                return true;
            }
            // destroy wakes this sleep, an engine's death cannot: wake within a heartbeat period to look (abi.md 2.9).
            return ring.awaitTail(futex, tail, Math.min(timeoutNanos, heartbeatPeriodNanos)) != -Errno.ETIMEDOUT;
        } finally {
            area.removeTailWaiter();
        }
    }

    /**
     * {@return the context's eventfd, received over its Unix socket the first time}
     *
     * @throws IOException if the context serves none, or it cannot be received
     */
    public int eventfd() throws IOException {
        if (eventfd < 0) {
            final String path;
            try {
                path = (ring.compatFeatures() & ContextDescriptor.COMPAT_EVENTFD_SOCKET) == 0 ? null : area.socketPath();
            } catch (final IllegalStateException e) {
                throw new IOException("the context area is corrupt: " + e.getMessage(), e);
            }
            if (path == null) {
                throw new IOException("the context serves no eventfd (socket_path_length " + area.socketPathLength() + ")");
            }
            final FdPassing.Received received = FdPassing.receiveKeeping(Path.of(path));
            eventfd = received.descriptor();
            if (received.kept()) {
                liveness = received.connection();
            } else {
                // Past the engine's limit of kept connections: this one closes after its message, which says
                // nothing of the engine's end. Liveness rests on the ring's words, as with no socket.
                Linux.close(errno, received.connection());
            }
        }
        return eventfd;
    }

    /**
     * A destroyed context whose leftovers this reaper drained: the ring file and the overflow file destroy left have
     * served their purpose, and this reaper removes them (another doing the same is harmless).
     */
    private void removeLeftFiles() {
        if (overflowFile == null || !ring.isProducerClosed() || engineState() != EngineState.CLOSED) {
            return;
        }
        try {
            // Under the ring file's lock, which a re-attaching engine takes too: never remove a file it is taking
            // over, and it, once it holds the lock, refuses a path that no longer names the file (docs/abi.md 2.8).
            if (!file.tryLockExclusive() || !file.pathNamesThisFile()) {
                return;
            }
            java.nio.file.Files.deleteIfExists(overflowFile.path());
            java.nio.file.Files.deleteIfExists(file.path());
        } catch (final IOException | java.io.UncheckedIOException e) {
            // Left for someone else: what mattered, the events, came through.
        }
    }

    /** {@return true if neither the ring, the overflow file (when opened) nor this reaper holds an event} */
    public boolean isDrained() {
        return poller.isEmpty() && (overflowPoller == null || overflowPoller.isEmpty());
    }

    /**
     * Once the engine is gone, or destroyed with events on its overflow list (destroy then leaves the file), opens
     * its overflow file (docs/abi.md 2.8): the events the list held, which {@link #poll} hands over after the ring's.
     *
     * @return true if the file was opened now
     */
    public boolean openOverflowFile() {
        if (overflowPoller != null || (ring.compatFeatures() & ContextDescriptor.COMPAT_DURABLE_OVERFLOW) == 0
            || engineState() == EngineState.RUNNING) {
            return false;
        }
        final String path;
        try {
            path = area.overflowPath();
        } catch (final IllegalStateException e) {
            throw new io.aioring.ring.RingCorruptedException("overflow_path_length", 0, e.getMessage());
        }
        if (path == null) {
            return false;
        }
        try {
            overflowFile = RingFile.open(Path.of(path), ContextDescriptor.KNOWN_INCOMPAT_FEATURES);
        } catch (final java.io.UncheckedIOException e) {
            return false; // removed already: by destroy, or by someone who drained it
        }
        if ((ring.compatFeatures() & ContextDescriptor.COMPAT_CLAIMS_IN_PROGRESS) != 0) {
            // Another reaper may have claimed ring events whose copies are in the file and not yet raised
            // reaped_sequence past them: wait for its claim to end (docs/abi.md 2.8), bounded, since a reaper that
            // died in the middle never ends it.
            area.awaitNoClaims(CLAIM_WAIT_NANOS);
        }
        overflowPoller = new EventPoller(overflowFile.ring(), ring);
        return true;
    }

    /**
     * @return true if the engine closed the ring, or (looked up at most once per heartbeat period, as it means a
     *         process lookup) is gone
     */
    private boolean engineEnded(final long now) {
        if (liveness >= 0) {
            if (now - lastLivenessCheck < CONNECTION_CHECK_NANOS) {
                return false;
            }
            lastLivenessCheck = now;
            return FdPassing.peerClosed(errno, liveness, livenessPollfd);
        }
        if (ring.isProducerClosed()) {
            return true;
        }
        if (now - lastLivenessCheck < heartbeatPeriodNanos) {
            return false;
        }
        lastLivenessCheck = now;
        return EngineState.of(ring, area, now) == EngineState.GONE;
    }

    /** {@return whether the engine is running, has closed the ring, or is gone ({@link EngineState#of})} */
    public EngineState engineState() {
        if (liveness >= 0) {
            return EngineState.ofConnection(ring, FdPassing.peerClosed(errno, liveness, livenessPollfd));
        }
        return EngineState.of(ring, area, System.nanoTime());
    }

    /** {@return true if this reaper holds a liveness connection to the engine (its state cannot be spoofed)} */
    public boolean hasLivenessConnection() {
        return liveness >= 0;
    }

    /** {@return records of types other than events that were skipped} */
    public long foreignRecords() {
        return poller.foreignRecords();
    }

    /** Closes the eventfd (if received), unmaps the ring. */
    @Override
    public void close() {
        if (eventfd >= 0) {
            Linux.close(errno, eventfd);
            eventfd = -1;
        }
        if (liveness >= 0) {
            Linux.close(errno, liveness);
            liveness = -1;
        }
        if (overflowFile != null) {
            overflowFile.close();
        }
        file.close();
        arena.close();
    }
}
