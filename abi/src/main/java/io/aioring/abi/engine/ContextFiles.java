package io.aioring.abi.engine;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.layout.SetupException;
import io.aioring.abi.layout.SetupValues;
import io.aioring.abi.layout.TotalsDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingSpec;

/**
 * What a context owns outside the heap: the ring file, its overflow file, the eventfd and its socket, the files
 * opened for it, and the arena of its native memory. Made together at setup, where a failure undoes all of it
 * ({@link #abandon}); closed, or removed, together at destroy ({@link #close}).
 */
final class ContextFiles {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    final RingFile ringFile;
    /** The overflow file: a ring holding every event on the overflow list, for reapers once the engine is gone. */
    final RingFile overflowFile;
    final Arena arena;
    final int eventfd;
    final EventfdServer eventfdServer;
    /** Descriptors of the context's own, which no iocb may name. */
    final OwnDescriptors own;
    /** The threads' name prefix: aioring-PID-N. */
    final String name;
    /** The overflow list's bound in force: overflow_bound, or less if the overflow file could not hold that many. */
    int overflowBound;
    private final PreviousRing previous;
    /** Descriptors opened for iocbs ({@link #own}): the context's, closed by destroy. */
    private final Set<Integer> openedFiles = ConcurrentHashMap.newKeySet();
    /** The old ring's events are in the new overflow file (a failure from here keeps that file). */
    private boolean inherited;

    private ContextFiles(final RingFile ringFile, final RingFile overflowFile, final Arena arena, final int eventfd,
                         final EventfdServer eventfdServer, final OwnDescriptors own, final String name,
                         final PreviousRing previous) {
        this.ringFile = ringFile;
        this.overflowFile = overflowFile;
        this.arena = arena;
        this.eventfd = eventfd;
        this.eventfdServer = eventfdServer;
        this.own = own;
        this.name = name;
        this.previous = previous;
    }

    /**
     * Creates the ring file (or takes over {@code previous}'s), the overflow file beside it, the eventfd and its
     * socket, and writes the context area; the ring's header is published later, last of all.
     *
     * @throws SetupException naming the parameter refused, or the resource that could not be made
     */
    static ContextFiles create(final SetupValues params, final PreviousRing previous, final long heartbeatMillis,
                               final int largestEvent) {
        // The overflow file holds every event the list can hold. Where max_in_flight + overflow_bound of the largest
        // events would need more than the largest ring, the list is bounded by the file instead (docs/abi.md 2.8).
        final long span = eventSpan(largestEvent);
        final long room = RingDescriptor.MAX_DATA_LENGTH / span - params.maxInFlight() - 1;
        final int bound = (int) Math.min(params.overflowBound(), room);
        if (bound < 1) {
            throw new SetupException("max_in_flight", params.maxInFlight() + " iocbs of up to " + largestEvent
                + " bytes of events need an overflow file over the largest ring (" + RingDescriptor.MAX_DATA_LENGTH
                + "): lower max_in_flight or ask for smaller attributes");
        }
        final long overflowBytes = overflowFileBytes(params.ringDataBytes(), params.maxInFlight(), bound, largestEvent);
        final int flags = params.flags();
        final boolean wantEventfd = (flags & SetupDescriptor.FLAG_EVENTFD) != 0;
        final boolean wantSocket = (flags & SetupDescriptor.FLAG_EVENTFD_SOCKET) != 0;
        final long compat = ContextDescriptor.COMPAT_ALWAYS | (wantSocket ? ContextDescriptor.COMPAT_EVENTFD_SOCKET : 0);
        final RingSpec spec = new RingSpec(params.ringDataBytes(), params.ringInitialPosition(), compat,
            ContextDescriptor.INCOMPAT_EVENTS_V1, TotalsDescriptor.TRAILER_LENGTH);
        RingFile created = previous != null ? previous.ring() : null;
        // A default name that exists already (planted, or left by a crash) is passed over for a fresh one; a path
        // the caller named is taken as it is or refused.
        for (int attempt = 0; created == null; attempt++) {
            final Path candidate = params.ringPath() != null ? params.ringPath() : RingFile.defaultPath();
            try {
                created = RingFile.createUnpublished(candidate, spec);
            } catch (final java.io.UncheckedIOException e) {
                if (params.ringPath() != null || attempt >= 8
                    || !(e.getCause() instanceof java.nio.file.FileAlreadyExistsException)) {
                    throw new SetupException("ring_path", e.getMessage(), e);
                }
            } catch (final RuntimeException e) {
                throw new SetupException("ring_path", e.getMessage(), e);
            }
        }
        final RingFile ringFile = created;
        final Path ringPath = ringFile.path();
        // The engine holds the ring file's lock for its life (a re-attach took it already).
        if (previous == null && !ringFile.tryLockExclusive()) {
            ringFile.delete();
            throw new SetupException("ring_path", "another process holds the lock of " + ringPath + ", made just now");
        }
        final RingFile overflowFile;
        try {
            // A re-attached ring's old overflow file keeps its name until setup is done: the new one takes another.
            // Room for all of it checked, nothing reserved: most contexts never overflow, and a reserved file cost
            // every context its whole size in memory on tmpfs (64 MiB by default).
            overflowFile = RingFile.createUnpublished(Path.of(ringPath + (previous == null ? ".overflow"
                : ".overflow." + ProcessHandle.current().pid())), new RingSpec(
                (int) overflowBytes, 0, 0L, ContextDescriptor.INCOMPAT_EVENTS_V1), RingFile.Allocation.AS_WRITTEN);
        } catch (final RuntimeException e) {
            if (previous != null) {
                ringFile.close();
            } else {
                ringFile.delete();
            }
            throw new SetupException("ring_path", "the overflow file beside the ring: " + e.getMessage(), e);
        }
        final Arena arena = Arena.ofShared();
        final Errno errno = new Errno(arena);
        final String name = "aioring-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        final OwnDescriptors own = new OwnDescriptors();
        int eventfd = -1;
        EventfdServer server = null;
        try {
            if (wantEventfd) {
                eventfd = Linux.eventfd(errno, 0, Linux.EFD_CLOEXEC | Linux.EFD_NONBLOCK);
                if (eventfd < 0) {
                    throw new SetupException("flags", "FLAG_EVENTFD: eventfd() failed: " + Errno.name(-eventfd));
                }
            }
            if (wantSocket) {
                if (previous != null) {
                    // The gone engine's socket file (no one listens on it any more: the re-attach checks said so).
                    java.nio.file.Files.deleteIfExists(socketPathFor(ringPath));
                }
                server = new EventfdServer(socketPathFor(ringPath), eventfd, name, own);
            }
        } catch (final IOException | RuntimeException | Error e) {
            final ContextFiles partial = new ContextFiles(ringFile, overflowFile, arena, eventfd, server, own, name, previous);
            throw partial.abandon(e, false);
        }
        final ContextFiles files = new ContextFiles(ringFile, overflowFile, arena, eventfd, server, own, name, previous);
        files.overflowBound = bound;
        own.add(eventfd);
        own.add(ringFile.descriptor());
        own.add(overflowFile.descriptor());
        boolean takenOver = false;
        try {
            final ContextArea area = new ContextArea(ringFile.ring().buffer());
            area.writeSetup(flags, params.workers(), params.maxInFlight(), bound, (int) heartbeatMillis,
                server == null ? null : server.path().toString());
            try {
                area.writeOverflowPath(overflowFile.path().toString());
            } catch (final IllegalArgumentException e) {
                throw new SetupException("ring_path", e.getMessage(), e);
            }
            overflowFile.ring().publishHeader();
            if (previous != null) {
                ringFile.ring().takeOver((int) ProcessHandle.current().pid());
                takenOver = true;
            }
            return files;
        } catch (final RuntimeException | Error e) {
            throw files.abandon(e, takenOver);
        }
    }

    /** The old ring's events are now in this context's overflow list and file: a live engine's, no longer left. */
    void inherited() {
        inherited = true;
        ringFile.ring().changeIncompatFeatures(0, ContextDescriptor.INCOMPAT_OVERFLOW_LEFT);
    }

    /**
     * Setup failed: undoes what was made. A ring taken over stays, with its events, for reapers and another try.
     *
     * @param takenOver this process took the previous ring over (its words say so)
     * @return what to throw: the failure itself if it names its parameter, else a {@link SetupException}
     */
    RuntimeException abandon(final Throwable failure, final boolean takenOver) {
        if (eventfdServer != null) {
            eventfdServer.close();
        }
        if (eventfd >= 0) {
            Linux.close(new Errno(), eventfd);
        }
        if (previous != null) {
            // Its overflow_path names the file that holds the old list's events (the old one, or this setup's if it
            // took them), and a ring this process took over is marked closed, as a destroyed one (else its words
            // would say a live engine runs it until the heartbeat ages).
            if (!inherited && previous.oldOverflow() != null) {
                new ContextArea(ringFile.ring().buffer()).writeOverflowPath(previous.oldOverflow().toString());
            }
            if (takenOver) {
                ringFile.ring().setFlags(RingDescriptor.FLAG_PRODUCER_CLOSED);
            }
            if (inherited || previous.oldOverflow() != null) {
                // Events wait in an overflow file again, with no engine: as destroy leaves them (docs/abi.md 2.8).
                ringFile.ring().changeIncompatFeatures(ContextDescriptor.INCOMPAT_OVERFLOW_LEFT, 0);
            }
            if (inherited) {
                previous.removeOldOverflowFile();
            }
            ringFile.close();
        } else {
            ringFile.delete();
        }
        if (inherited) {
            overflowFile.close(); // holds what the old file held; the ring's overflow_path names it now
        } else {
            overflowFile.delete();
        }
        arena.close();
        if (failure instanceof Error error) {
            throw error; // a class that cannot load, no memory for a thread: the files made so far went with it
        }
        if (failure instanceof SetupException setup) {
            return setup;
        }
        return new SetupException("flags", "FLAG_EVENTFD_SOCKET: " + failure.getMessage(), failure);
    }

    /**
     * Runs {@code open} and makes the descriptor it gives the context's: closed at destroy, once nothing runs.
     *
     * @param open opens a descriptor: it or -errno
     * @return what {@code open} gave
     */
    int own(final IntSupplier open) {
        final int fd = open.getAsInt();
        if (fd >= 0) {
            openedFiles.add(fd);
        }
        return fd;
    }

    /** Closes the files opened for iocbs (destroy, once nothing runs). */
    void closeOpenedFiles() {
        for (final Integer fd : openedFiles) {
            Linux.close(new Errno(), fd);
        }
    }

    /**
     * Destroy's last step: keeps the ring and overflow files for reapers ({@code keep}: events wait in the overflow
     * file; the ring file's lock is dropped) or removes them, then closes the eventfd and its socket (the reapers'
     * connections end), then frees the native memory.
     */
    void close(final boolean keep) {
        // The files first, the connections last: a reaper that sees its connection end finds the files already
        // removed (nothing was left) or kept and unlocked (events wait in the overflow file), never between. Kept,
        // the ring says so with an incompat bit: a reader that would not drain the file refuses it rather than miss
        // those events.
        if (keep) {
            ringFile.ring().changeIncompatFeatures(ContextDescriptor.INCOMPAT_OVERFLOW_LEFT, 0);
            ringFile.close();
            overflowFile.close();
        } else {
            overflowFile.delete();
            ringFile.delete();
        }
        if (eventfdServer != null) {
            eventfdServer.close();
        }
        if (eventfd >= 0) {
            Linux.close(new Errno(), eventfd);
        }
        arena.close();
    }

    /**
     * The overflow file's data area (docs/abi.md 2.8): room for every event the overflow list can hold — one per
     * iocb slot, max_in_flight + overflow_bound, each as large as the context's attributes can make an event — as
     * a power of two, and at least four times the ring's.
     *
     * @param largestEvent the largest event (header and return records) an iocb of this context can have
     */
    static long overflowFileBytes(final int ringDataBytes, final int maxInFlight, final int overflowBound,
                                  final int largestEvent) {
        // A record never straddles the end of the data area: one span more covers the filler before a wrap.
        final long needed = ((long) maxInFlight + overflowBound + 1) * eventSpan(largestEvent);
        final long atLeast = Math.max(needed, 4L * ringDataBytes);
        return Math.min(RingDescriptor.MAX_DATA_LENGTH, Long.highestOneBit(atLeast - 1) << 1);
    }

    /** @return the bytes a record of the largest event takes in a ring */
    private static long eventSpan(final int largestEvent) {
        return io.aioring.ring.RecordDescriptor.align(io.aioring.ring.RecordDescriptor.HEADER_LENGTH + largestEvent);
    }

    private static Path socketPathFor(final Path ringPath) {
        final Path beside = Path.of(ringPath + ".sock");
        if (beside.toString().getBytes(StandardCharsets.UTF_8).length <= Linux.SUN_PATH_MAX) {
            return beside;
        }
        return Path.of(System.getProperty("java.io.tmpdir"),
            "aioring-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + ".sock");
    }
}
