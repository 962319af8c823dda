package io.aioring.abi.engine;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.aioring.abi.layout.SetupException;
import io.aioring.abi.SetupParams;
import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.IocbDescriptor;
import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.linux.Errno;
import io.aioring.linux.Futex;
import io.aioring.linux.IoUringException;
import io.aioring.linux.Linux;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingSpec;

import org.agrona.DirectBuffer;

/**
 * The engine behind a context, and the only way into this package: it makes the ring file, the eventfd and its
 * socket at setup, accepts iocbs ({@link Submissions}), has a {@link Backend} run them, posts their events
 * ({@link CompletionPoster}), and runs the context thread (heartbeat, and the overflow list's doorbell). The
 * public API ({@code io.aioring.abi.AioContext}) is a thin guard over it.
 */
public final class Engine {
    /** How often the engine writes its heartbeat into the ring header. */
    public static final long HEARTBEAT_PERIOD_NANOS = 100_000_000L;
    /** How long the context thread waits for a doorbell before moving overflowed events in anyway. */
    public static final long DOORBELL_FALLBACK_NANOS = 10_000_000L;

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final RingFile ringFile;
    private final Ring ring;
    private final ContextArea area;
    private final Arena arena;
    /** The overflow file: a ring holding every event on the overflow list, for reapers once the engine is gone. */
    private final RingFile spillFile;
    /** Descriptors {@link #openFile} opened: the context's, closed by destroy. */
    private final java.util.Set<Integer> openedFiles = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AttributeRegistry registry;
    private final MemoryRegistry memory = new MemoryRegistry();
    private final IocbDecoder decoder;
    private final Submissions submissions;
    private final CompletionPoster poster;
    private final Backend backend;
    private final Scheduler scheduler;
    private final FdSlots fdSlots;
    /** Stops a running iocb that can be stopped: a timeout (the scheduler), or one that waits for readiness (the backend). */
    private final Scheduler.RunningCanceller runningCanceller;
    /** 0, or the errno io_uring_setup gave when auto fell back to threads. */
    private final int backendRefusal;
    private final int eventfd;
    private final EventfdServer eventfdServer;
    private final int overflowBound;
    private final Thread contextThread;
    private final long doorbellFallbackNanos;
    private final AtomicLong submitted = new AtomicLong();
    /** Submit calls so far: each iocb carries its call's number (what is true of an fd for the whole call). */
    private final AtomicLong submitCalls = new AtomicLong();
    /** Each thread that calls execute: its own iocb slot (outside the pool) and calls. */
    private final ThreadLocal<InFlight> executeSlots;
    private final ThreadLocal<SyncCalls> executeCalls;
    /** Each thread that sleeps on the ring's tail: its own futex timespec. */
    private final ThreadLocal<Futex> futexes;
    private volatile boolean stopped;
    /** Descriptors of the context's own, which no iocb may name. */
    private final OwnDescriptors ownDescriptors;

    private Engine(final RingFile ringFile, final RingFile spillFile, final Arena arena, final SetupParams params,
                   final AttributeRegistry registry, final int eventfd, final EventfdServer eventfdServer,
                   final OwnDescriptors protectedFds, final long doorbellFallbackNanos, final String name) {
        this.ringFile = ringFile;
        this.spillFile = spillFile;
        this.ring = ringFile.ring();
        this.area = new ContextArea(ring.buffer());
        this.arena = arena;
        this.registry = registry;
        this.eventfd = eventfd;
        this.eventfdServer = eventfdServer;
        this.overflowBound = params.overflowBound();
        this.doorbellFallbackNanos = doorbellFallbackNanos;
        this.decoder = new IocbDecoder(registry, ring.maxPayloadLength());
        this.submissions = new Submissions(params.maxInFlight() + params.overflowBound(), IocbDecoder.maxReturnBytes(registry));
        this.poster = new CompletionPoster(ring, spillFile.ring(), area, submissions, eventfd, arena, ringFile.path().toString());
        this.ownDescriptors = protectedFds;
        protectedFds.add(eventfd);
        protectedFds.add(ringFile.descriptor());
        protectedFds.add(spillFile.descriptor());
        final Backend[] late = new Backend[1]; // the scheduler is made before the backend it cancels through
        this.scheduler = new Scheduler(submissions.capacity(), poster,
            (op, incarnation) -> late[0].cancelRunning(op, incarnation), name);
        this.fdSlots = new FdSlots(params.fdSlots() == 0 ? SetupDescriptor.DEFAULT_FD_SLOTS : params.fdSlots());
        poster.completionWork(this::completionWork, next -> scheduler.startLinked(next));
        Backend chosen = null;
        int refusal = 0;
        if (params.backend() != SetupDescriptor.BACKEND_THREADS) {
            try {
                chosen = new IoUringBackend(submissions.capacity(), params.workers(), poster, submissions, scheduler, memory, protectedFds, arena, name);
            } catch (final IoUringException e) {
                if (params.backend() == SetupDescriptor.BACKEND_IO_URING) {
                    throw new SetupException("backend", "io_uring: " + e.getMessage(), e);
                }
                refusal = e.errno();
            }
        }
        this.backend = chosen != null ? chosen
            : new WorkerPoolBackend(submissions.capacity(), params.workers(), poster, submissions, scheduler, memory,
                protectedFds, arena, name);
        this.backendRefusal = refusal;
        late[0] = backend;
        this.runningCanceller = (op, incarnation) -> OpDef.of(op.opcode()).ioUring() == OpDef.IoUringRoute.TIMER
            ? scheduler.cancelTimeout(op, incarnation)
            : OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.WAITS_FOR_READINESS) && backend.cancelRunning(op, incarnation);
        area.writeBackend(chosen != null ? SetupDescriptor.BACKEND_IO_URING : SetupDescriptor.BACKEND_THREADS, refusal);
        final int returnBytes = IocbDecoder.maxReturnBytes(registry);
        this.executeSlots = ThreadLocal.withInitial(() -> new InFlight(-1, returnBytes));
        this.executeCalls = ThreadLocal.withInitial(() -> new SyncCalls(memory, protectedFds, arena));
        this.futexes = ThreadLocal.withInitial(() -> new Futex(arena));
        this.contextThread = new Thread(this::contextLoop, name + "-context");
        contextThread.setDaemon(true);
        poster.onOverflowStarted(() -> LockSupport.unpark(contextThread));
        ring.heartbeat(System.nanoTime());
    }

    /**
     * {@code io_setup2}: checks the parameters, creates the ring file (its header carries the negotiated version and
     * features), the eventfd and its socket, writes the context area, and starts the backend.
     *
     * @param params                the setup parameters
     * @param registry              the attributes iocbs may ask for
     * @param doorbellFallbackNanos how long the context thread waits for a doorbell before it moves overflowed
     *                              events in anyway
     * @return the running engine
     * @throws SetupException naming the parameter refused, or the resource that could not be made
     */
    public static Engine setup(final SetupParams params, final AttributeRegistry registry, final long doorbellFallbackNanos) {
        params.validate();
        final int flags = params.flags();
        final boolean wantEventfd = (flags & SetupDescriptor.FLAG_EVENTFD) != 0;
        final boolean wantSocket = (flags & SetupDescriptor.FLAG_EVENTFD_SOCKET) != 0;
        final long compat = ContextDescriptor.COMPAT_ALWAYS
            | (wantSocket ? ContextDescriptor.COMPAT_EVENTFD_SOCKET : 0);
        final RingSpec spec = new RingSpec(params.ringDataBytes(), params.ringInitialPosition(), compat,
            ContextDescriptor.INCOMPAT_EVENTS_V1);
        final boolean reattach = (flags & SetupDescriptor.FLAG_REATTACH) != 0;
        final Reattached previous = reattach ? Reattached.take(params) : null;
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
        // The engine holds the ring file's lock for its life (a re-attach took it already): see Reattached.
        if (previous == null && !ringFile.tryLockExclusive()) {
            ringFile.delete();
            throw new SetupException("ring_path", "another process holds the lock of " + ringPath + ", made just now");
        }
        final RingFile spillFile;
        try {
            // A re-attached ring's old overflow file keeps its name until setup is done: the new one takes another.
            spillFile = RingFile.createUnpublished(Path.of(ringPath + (previous == null ? ".overflow"
                : ".overflow." + ProcessHandle.current().pid())), new RingSpec(
                overflowFileBytes(params.ringDataBytes()), 0, 0L, ContextDescriptor.INCOMPAT_EVENTS_V1));
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
        int eventfd = -1;
        EventfdServer server = null;
        final OwnDescriptors own = new OwnDescriptors();
        boolean inheritedEvents = false;
        boolean takenOver = false;
        try {
            if (wantEventfd) {
                eventfd = Linux.eventfd(errno, 0, Linux.EFD_CLOEXEC | Linux.EFD_NONBLOCK);
                if (eventfd < 0) {
                    throw new SetupException("flags", "FLAG_EVENTFD: eventfd() failed: " + Errno.name(-eventfd));
                }
            }
            if (wantSocket) {
                if (reattach) {
                    // The gone engine's socket file (no one listens on it any more: Reattached checked).
                    java.nio.file.Files.deleteIfExists(socketPathFor(ringPath));
                }
                server = new EventfdServer(socketPathFor(ringPath), eventfd, name, own);
            }
            final ContextArea area = new ContextArea(ringFile.ring().buffer());
            area.writeSetup(flags, params.workers(), params.maxInFlight(),
                params.overflowBound(), (int) (HEARTBEAT_PERIOD_NANOS / 1_000_000), server == null ? null : server.path().toString());
            try {
                area.writeOverflowPath(spillFile.path().toString());
            } catch (final IllegalArgumentException e) {
                throw new SetupException("ring_path", e.getMessage(), e);
            }
            spillFile.ring().publishHeader();
            if (previous != null) {
                ringFile.ring().takeOver((int) ProcessHandle.current().pid());
                takenOver = true;
            }
            final Engine engine = new Engine(ringFile, spillFile, arena, params, registry, eventfd, server, own,
                doorbellFallbackNanos, name);
            if (previous != null) {
                // Only now, with everything that can fail behind: taken out of the old file, they are in no file
                // but this engine's new one, and a failure before this line leaves them where they were.
                final Reattached.Taken taken = previous.takeOldOverflow();
                engine.poster.inherit(taken.events(), taken.nextSequence());
                inheritedEvents = true;
            }
            engine.scheduler.start(engine::startLinked);
            engine.backend.start();
            engine.contextThread.start();
            if (FlightRecorderSupport.AVAILABLE) {
                FlightRecorderEvents.live(engine);
            }
            // Last: a reader who sees the magic sees the context area, the backend and a first heartbeat (abi.md 1.1).
            engine.ring.publishHeader();
            if (previous != null) {
                previous.removeOldOverflowFile();
            }
            return engine;
        } catch (final IOException | RuntimeException | Error e) {
            // An Error too (a class that cannot load, no memory for a thread): the files made so far go with it.
            if (server != null) {
                server.close();
            }
            if (eventfd >= 0) {
                Linux.close(errno, eventfd);
            }
            if (previous != null) {
                // The ring taken over stays, with its events, for reapers and another try: its overflow_path names
                // the file that holds the old list's events (the old one, or this setup's if it took them), and a
                // ring this process took over is marked closed, as a destroyed one (else its words would say a
                // live engine runs it until the heartbeat ages).
                if (!inheritedEvents && previous.oldOverflow() != null) {
                    new ContextArea(ringFile.ring().buffer()).writeOverflowPath(previous.oldOverflow().toString());
                }
                if (takenOver) {
                    ringFile.ring().setFlags(io.aioring.ring.RingDescriptor.FLAG_PRODUCER_CLOSED);
                }
                if (inheritedEvents) {
                    previous.removeOldOverflowFile();
                }
                ringFile.close();
            } else {
                ringFile.delete();
            }
            if (inheritedEvents) {
                spillFile.close(); // holds what the old file held; the ring's overflow_path names it now
            } else {
                spillFile.delete();
            }
            arena.close();
            if (e instanceof SetupException setup) {
                throw setup;
            }
            if (e instanceof Error error) {
                throw error;
            }
            throw new SetupException("flags", "FLAG_EVENTFD_SOCKET: " + e.getMessage(), e);
        }
    }

    /** The overflow file's data area: four times the ring's, at most the largest ring (docs/abi.md 2.8). */
    static int overflowFileBytes(final int ringDataBytes) {
        return (int) Math.min(io.aioring.ring.RingDescriptor.MAX_DATA_LENGTH, 4L * ringDataBytes);
    }

    private static Path socketPathFor(final Path ringPath) {
        final Path beside = Path.of(ringPath + ".sock");
        if (beside.toString().getBytes(StandardCharsets.UTF_8).length <= Linux.SUN_PATH_MAX) {
            return beside;
        }
        return Path.of(System.getProperty("java.io.tmpdir"),
            "aioring-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + ".sock");
    }

    /** @return the ring, through this engine's mapping */
    public Ring ring() {
        return ring;
    }

    /** @return the ring file's path */
    public Path ringPath() {
        return ringFile.path();
    }

    /** @return the eventfd, or -1 */
    public int eventfd() {
        return eventfd;
    }

    /** @return the eventfd socket's path, or null */
    public Path eventfdSocket() {
        return eventfdServer == null ? null : eventfdServer.path();
    }

    /** @return the attributes iocbs may ask for */
    public AttributeRegistry attributes() {
        return registry;
    }

    /** @return the backend's name: "io_uring" or "threads" */
    public String backendName() {
        return backend.name();
    }

    /** @return 0, or the errno io_uring_setup gave when {@code auto} fell back to threads */
    public int backendRefusal() {
        return backendRefusal;
    }

    /**
     * Opens a file for this context's iocbs; the descriptor is the context's, closed by destroy once nothing runs.
     *
     * @param path      the file
     * @param openFlags O_RDONLY, O_WRONLY or O_RDWR, with any other open(2) flags (O_CLOEXEC is always added)
     * @param mode      the mode of a file O_CREAT makes
     * @return the descriptor
     * @throws java.io.IOException naming the path and the errno
     */
    public int openFile(final Path path, final int openFlags, final int mode) throws java.io.IOException {
        try (Arena scratch = Arena.ofConfined()) {
            final Errno errno = new Errno(scratch);
            final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(scratch, path.toString()).address(),
                openFlags | Linux.O_CLOEXEC, mode);
            if (fd < 0) {
                throw new java.io.IOException("cannot open " + path + ": " + Errno.name(-fd));
            }
            openedFiles.add(fd);
            return fd;
        }
    }

    /**
     * Lets iocbs point at {@code length} bytes at {@code address}.
     *
     * @param address the first byte
     * @param length  how many bytes
     */
    public void registerMemory(final long address, final long length) {
        memory.register(address, length);
    }

    /**
     * @param address the first byte of a registered range
     * @return true if a range registered at {@code address} was removed
     */
    public boolean unregisterMemory(final long address) {
        return memory.unregister(address);
    }

    /**
     * Accepts iocbs from the front of a batch (docs/abi.md 2.2) and starts them.
     *
     * @param batch  the iocbs
     * @param offset the first iocb's first byte
     * @param length the batch's bytes
     * @return iocbs accepted; or, if none was, -EBUSY (overflow list at its bound) or -EAGAIN (every slot taken)
     * @throws io.aioring.abi.layout.IocbFormatException at a malformed iocb; those before it were accepted
     */
    public int submit(final DirectBuffer batch, final int offset, final int length) {
        int accepted = 0;
        final long call = submitCalls.incrementAndGet();
        // A chain (iocbs joined by LINK/HARDLINK) starts with its head once it is whole: at its first iocb without
        // a link flag, at the end of the batch, or where the batch stops being accepted.
        InFlight chainHead = null;
        InFlight chainTail = null;
        try {
            int position = offset;
            final int end = offset + length;
            if (poster.corruption() != null) {
                throw new IllegalStateException(corruptedMessage());
            }
            while (position < end) {
                if (poster.overflowLength() >= overflowBound) {
                    area.countBusyRejection();
                    return accepted > 0 ? accepted : -Errno.EBUSY;
                }
                final InFlight op = submissions.acquire();
                if (op == null) {
                    return accepted > 0 ? accepted : -Errno.EAGAIN;
                }
                final int iocbLength;
                try {
                    iocbLength = decoder.decode(batch, position, end - position, accepted, accepted, op);
                } catch (final RuntimeException e) {
                    submissions.giveBack(op);
                    throw e;
                }
                op.queue(System.nanoTime());
                op.submitCall(call);
                op.beginFlightRecord();
                if (op.timeoutMillis() != 0) {
                    scheduler.startDeadline(op); // before it runs: it may complete at once, and leave the heap then
                }
                final boolean links = (op.iocbFlags() & (IocbDescriptor.FLAG_LINK | IocbDescriptor.FLAG_HARDLINK)) != 0;
                if (chainTail != null) {
                    chainTail.links().next(op);
                    chainTail = op;
                    if (!links) {
                        start(chainHead);
                        chainHead = null;
                        chainTail = null;
                    }
                } else if (links) {
                    chainHead = op;
                    chainTail = op;
                } else {
                    start(op);
                }
                accepted++;
                position += iocbLength;
            }
            return accepted;
        } finally {
            if (chainHead != null) {
                start(chainHead);
            }
            if (accepted > 0) {
                area.iocbsSubmitted(submitted.addAndGet(accepted));
                backend.submitted(accepted);
            }
        }
    }

    /** Resolves the iocb's fd slot (FIXED_FD) and reserves its target slot (TO_SLOT), then hands it to the backend. */
    private void start(final InFlight op) {
        final int flags = op.iocbFlags();
        refuseOwnDescriptors(op);
        if ((flags & IocbDescriptor.FLAG_FIXED_FD) != 0 && !op.failed()) {
            if (OpDef.of(op.opcode()).closesSlot()) {
                final int fd = fdSlots.detach(op.fd());
                if (fd < 0) {
                    op.fail(fd, -1);
                } else {
                    op.closeDetached(fd);
                }
            } else {
                final int fd = fdSlots.acquire(op.fd());
                if (fd < 0) {
                    op.fail(fd, -1);
                } else {
                    op.useSlot(op.fd(), fd);
                }
            }
        }
        if ((flags & IocbDescriptor.FLAG_TO_SLOT) != 0 && !op.failed()) {
            final int slot = fdSlots.reserve(op.offset());
            if (slot < 0) {
                op.fail(slot, -1);
            } else {
                op.links().slotTarget(slot);
            }
        }
        backend.execute(op);
    }

    /** An iocb that names one of the context's own descriptors fails -EBADF, whatever its opcode. */
    private void refuseOwnDescriptors(final InFlight op) {
        if (!op.failed()) {
            final long refusal = ownDescriptors.refusal(op);
            if (refusal < 0) {
                op.fail(refusal, -1);
            }
        }
    }

    /** On the scheduler's thread: a linked iocb whose predecessor has completed. */
    private void startLinked(final InFlight op) {
        start(op);
        backend.submitted(1);
    }

    /**
     * As an iocb with deadline, link or slot completes, before its event is posted: drops its deadline, gives back
     * its slot, fills its target slot (its result becomes the slot), and hands back its successor for the poster to
     * start once this event is queued — if it failed and was linked with LINK, marked to complete -ECANCELED.
     *
     * @return the linked iocb to start next, or null
     */
    private InFlight completionWork(final InFlight op) {
        final OpDef.Done done = OpDef.of(op.opcode()).done();
        if (done != null) {
            done.done(op);
        }
        if (op.links().deadlineIndex() >= 0) {
            scheduler.completed(op);
        }
        if (op.links().slotInUse() >= 0) {
            fdSlots.release(op.links().slotInUse());
            op.useSlot(-1, op.fd());
        }
        if (op.links().slotTarget() >= 0) {
            fdSlots.settle(op.links().slotTarget(), op.result());
            if (op.result() >= 0) {
                op.replaceResult(op.links().slotTarget());
            }
            op.links().slotTarget(-1);
        }
        final InFlight next = op.links().next();
        if (next != null) {
            op.links().next(null);
            if (op.result() < 0 && (op.iocbFlags() & IocbDescriptor.FLAG_HARDLINK) == 0) {
                next.cancel();
            }
        }
        return next;
    }

    /**
     * @param userData the user data of the iocbs to cancel
     * @return how many were cancelled (queued ones, and running ones that wait for readiness); or -EALREADY if one
     *         is running and cannot be stopped, or -ENOENT if none is in flight
     */
    public int cancel(final long userData) {
        return submissions.cancel(userData, runningCanceller);
    }

    /** As {@link #cancel}, for every iocb whose fd field is {@code fd} (not those that name an fd slot). */
    public int cancelFd(final int fd) {
        return submissions.cancel(Submissions.CANCEL_BY_FD, fd, runningCanceller);
    }

    /** As {@link #cancel}, for every iocb in flight. */
    public int cancelAll() {
        return submissions.cancel(Submissions.CANCEL_ALL, 0, runningCanceller);
    }

    /**
     * Waits for the event of the in-flight iocb with {@code userData} and takes it for the caller: it does not
     * enter the ring, so no reaper sees it, and no other event is taken. Not for multishot iocbs.
     *
     * @param target receives the event (at index 0); as long as the ring's largest record payload
     * @return the event's length; 0 if the timeout passed first (the event will then enter the ring as usual);
     *         -ENOENT if no iocb with that user data is in flight (or its event is already in the ring)
     */
    public int await(final long userData, final long timeoutNanos, final org.agrona.concurrent.UnsafeBuffer target) {
        final Awaiter awaiter = new Awaiter(target);
        final InFlight op = submissions.claimForAwait(userData, awaiter);
        if (op == null) {
            return -Errno.ENOENT;
        }
        final int incarnation = op.incarnation();
        if (op.isDone() && op.await().unclaim(incarnation)) {
            return -Errno.ENOENT; // it completed into the ring just before the claim
        }
        final long deadline = System.nanoTime() + timeoutNanos;
        while (awaiter.length < 0) {
            if (op.incarnation() != incarnation) {
                // The slot carries another iocb: ours completed into the ring before the claim, unless it was just
                // handed over (the length is set before the slot is given back).
                return awaiter.length >= 0 ? awaiter.length : -Errno.ENOENT;
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0 && op.await().unclaim(incarnation)) {
                return 0;
            }
            // Not given up: the event is being handed over now (or time remains).
            LockSupport.parkNanos(this, left > 0 ? left : 1_000);
        }
        return awaiter.length;
    }

    /**
     * Runs one iocb on the calling thread, blocking until its call returns ("issue this syscall with
     * attributes"): the same checks, call and attribute records as submit, and the event goes to the caller, not
     * into the ring. The iocb takes no slot; iocb flags and timeout_ms are refused (-EINVAL), as are fd slots.
     *
     * @param target receives the event (at index 0)
     * @return the event's length
     * @throws io.aioring.abi.layout.IocbFormatException for a malformed iocb, or one followed by more bytes
     */
    public int execute(final DirectBuffer iocb, final int offset, final int length, final org.agrona.concurrent.UnsafeBuffer target) {
        final InFlight op = executeSlots.get();
        final int iocbLength = decoder.decode(iocb, offset, length, 0, 0, op);
        if (iocbLength != length) {
            throw new io.aioring.abi.layout.IocbFormatException(1, "length", length - iocbLength,
                "execute takes one iocb; " + (length - iocbLength) + " bytes follow it", 1);
        }
        op.queue(System.nanoTime());
        if ((op.iocbFlags() != 0 || op.timeoutMillis() != 0) && !op.failed()) {
            op.fail(-Errno.EINVAL, -1);
        }
        refuseOwnDescriptors(op);
        executeCalls.get().run(op, io.aioring.abi.spi.Operation.PATH_INLINE);
        final OpDef.Done done = OpDef.of(op.opcode()).done();
        if (done != null) {
            done.done(op);
        }
        return op.encode(target, 0, io.aioring.abi.layout.EventDescriptor.SEQUENCE_NOT_IN_RING);
    }

    /** @return bytes moved by the iocbs completed so far (reads, writes, sends, receives) */
    long bytesMoved() {
        return poster.bytesMoved();
    }

    /** @return the context area's count of events that waited on the overflow list */
    long eventsOverflowed() {
        return area.eventsOverflowed();
    }

    /** @return the context area's count of submits refused as busy */
    long busyRejections() {
        return area.busyRejections();
    }

    /** @return iocbs running now */
    public int running() {
        return submissions.running();
    }

    /** @return iocbs accepted so far */
    public long submitted() {
        return submitted.get();
    }

    /** @return iocbs whose events are in the ring or on the overflow list (may lag by a batch) */
    public long completed() {
        return poster.eventsPosted() + poster.overflowLength() + poster.eventsHandedToAwaiters() - moreEvents();
    }

    /** @return MORE events of multishot iocbs so far (events beyond one per iocb) */
    private long moreEvents() {
        return submissions.moreEvents();
    }

    /** @return events on the overflow list now */
    public int overflowLength() {
        return poster.overflowLength();
    }

    /** Posts what the backend has completed and not posted yet, where that is cheap (before a reaper here polls). */
    public void pollCompletions() {
        backend.pollCompletions();
    }

    /**
     * Nothing was there to reap: sleep in the backend until one of its requests completes, if it has any.
     *
     * @param timeoutNanos the longest sleep
     * @return true if it waited
     */
    public boolean awaitCompletions(final long timeoutNanos) {
        return backend.awaitCompletions(timeoutNanos);
    }

    /**
     * Nothing was there to reap and the backend has nothing in the kernel to wait on: sleep on the ring's tail
     * (the futex every publish wakes when someone waits there) until an event is posted.
     *
     * @param timeoutNanos the longest sleep
     */
    public void awaitPosted(final long timeoutNanos) {
        final int tail = ring.tail();
        if (tail != ring.head()) {
            return;
        }
        area.addTailWaiter();
        try {
            // Registered before the second look: a publish after it sees the waiter and wakes it (docs/abi.md 2.9).
            if (ring.tail() == tail) {
                ring.awaitTail(futexes.get(), tail, timeoutNanos);
            }
        } finally {
            area.removeTailWaiter();
        }
    }

    /** @return why the engine gave up its ring (an impossible head someone wrote), or null while it is healthy */
    public String corruption() {
        return poster.corruption();
    }

    private String corruptedMessage() {
        return "the context's ring is corrupted (" + poster.corruption() + "): it takes no more iocbs; getevents in "
            + "this process still hands over every completed event; destroy the context";
    }

    /**
     * With the ring given up ({@link #corruption()} not null): the oldest completed event, encoded at index 0 of
     * {@code target}; events never enter the ring again.
     *
     * @return its length, or 0 if none has completed yet
     */
    public int takeOverflowed(final org.agrona.MutableDirectBuffer target) {
        return poster.takeOverflowed(target);
    }

    /** Moves overflowed events into the ring, as far as there is room. */
    public void flushOverflow() {
        poster.flush();
    }

    /** The context thread: heartbeat, and moving the overflow list into the ring when reapers make room. */
    private void contextLoop() {
        final Futex futex = new Futex(arena);
        long lastBeat = 0;
        while (!stopped) {
            final long now = System.nanoTime();
            if (now - lastBeat >= HEARTBEAT_PERIOD_NANOS) {
                beat(now);
                lastBeat = now;
            }
            if (poster.overflowLength() > 0 && poster.corruption() == null) {
                final int seen = ring.doorbell();
                poster.flush();
                if (poster.overflowLength() > 0 && !stopped) {
                    // Woken by a reaper's doorbell (futex wake), or after a short wait as a fallback.
                    ring.awaitDoorbell(futex, seen, doorbellFallbackNanos);
                }
            } else {
                LockSupport.parkNanos(this, HEARTBEAT_PERIOD_NANOS);
            }
        }
    }

    /**
     * The heartbeat: a look at the file's size first (a truncated file's lost pages must not be touched), then the
     * heartbeat word and a check of head.
     */
    private void beat(final long now) {
        if (!poster.overflowFileGivenUp() && overflowFileTruncated()) {
            poster.overflowFileTruncated(); // before anyone writes an event into the lost pages
        }
        if (poster.mappingLost()) {
            return;
        }
        final long size = fileSizeOrMinusOne();
        if (size >= 0 && size < RingDescriptor.totalLength(ring.dataLength())) {
            poster.fileTruncated(size);
            return;
        }
        try {
            ring.heartbeat(now);
        } catch (final InternalError e) {
            poster.fileTruncated(fileSizeOrMinusOne()); // it shrank after the look
            return;
        }
        poster.checkHead();
    }

    /** @return true if the overflow file is now smaller than its ring (or cannot be looked at) */
    private boolean overflowFileTruncated() {
        try {
            return spillFile.isTruncated();
        } catch (final RuntimeException e) {
            return true;
        }
    }

    private long fileSizeOrMinusOne() {
        try {
            return ringFile.size();
        } catch (final java.io.UncheckedIOException e) {
            return -1;
        }
    }

    /**
     * Destroys the engine: iocbs not started complete -ECANCELED, running ones finish, every event that fits is
     * posted, the ring is marked closed, the eventfd and its socket close, every thread ends, the ring is unmapped
     * and its file removed. The caller makes sure no submit runs meanwhile.
     *
     * @return events left on the overflow list because the ring had no room for them: in the overflow file, which
     *         stays with the ring file for a reaper to drain
     */
    public int destroy() {
        if (FlightRecorderSupport.AVAILABLE) {
            FlightRecorderEvents.gone(this);
        }
        submissions.cancelAllQueued();
        scheduler.stop();
        backend.stop();
        fdSlots.closeAll(new Errno());
        for (final Integer fd : openedFiles) {
            Linux.close(new Errno(), fd);
        }
        poster.flush();
        stopped = true;
        LockSupport.unpark(contextThread);
        joinQuietly(contextThread);
        poster.close();
        final int left = poster.overflowLength();
        if (eventfdServer != null) {
            eventfdServer.close();
        }
        if (eventfd >= 0) {
            Linux.close(new Errno(), eventfd);
        }
        if (left > 0 && poster.corruption() == null) {
            // Nothing discarded: the events wait in the overflow file, with the ring, for a reaper (abi.md 2.8).
            ringFile.close();
            spillFile.close();
        } else {
            ringFile.delete();
            spillFile.delete();
        }
        arena.close();
        return left;
    }

    static void joinQuietly(final Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (final InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
