package io.aioring.abi.engine;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import io.aioring.abi.layout.SetupException;
import io.aioring.abi.layout.SetupValues;
import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.IocbDescriptor;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.linux.Errno;
import io.aioring.linux.IoUringException;
import io.aioring.ring.Ring;

import org.agrona.DirectBuffer;

/**
 * The engine behind a context, and the only way into this package: it makes the ring file, the eventfd and its
 * socket at setup, accepts iocbs ({@link Submissions}), has a {@link Backend} run them, posts their events
 * ({@link CompletionPoster}), and runs the context thread (heartbeat, and the overflow list's doorbell). The
 * public API (AioContext, a package up) is a thin guard over it.
 */
public final class Engine {
    /** How long the context thread waits for a doorbell before moving overflowed events in anyway. */
    public static final long DOORBELL_FALLBACK_NANOS = 10_000_000L;

    private final ContextFiles files;
    private final Ring ring;
    private final ContextArea area;
    private final AttributeRegistry registry;
    private final MemoryRegistry memory = new MemoryRegistry();
    private final IocbDecoder decoder;
    private final Submissions submissions;
    private final CompletionPoster poster;
    private final Scheduler scheduler;
    private final FdSlots fdSlots;
    private final Backend backend;
    private final Chains chains;
    private final ContextThread contextThread;
    /** Stops a running iocb that can be stopped (for cancel). */
    private final Scheduler.RunningCanceller runningCanceller;
    /** 0, or the errno io_uring_setup gave when auto fell back to threads. */
    private final int backendRefusal;
    private final int overflowBound;
    private final AtomicLong submitted = new AtomicLong();
    /** Submit calls so far: each iocb carries its call's number (what is true of an fd for the whole call). */
    private final AtomicLong submitCalls = new AtomicLong();
    /** await, execute and the reaper's sleep, on the calling thread. */
    private final CallerThread callerThread;

    /** Made in one order: each part is given the parts it uses. */
    private Engine(final ContextFiles files, final SetupValues params, final AttributeRegistry registry,
                   final long doorbellFallbackNanos) {
        this.files = files;
        this.ring = files.ringFile.ring();
        this.area = new ContextArea(ring.buffer());
        this.registry = registry;
        this.overflowBound = files.overflowBound;
        this.decoder = new IocbDecoder(registry, ring.maxPayloadLength());
        this.submissions = new Submissions(params.maxInFlight() + files.overflowBound, IocbDecoder.maxReturnBytes(registry));
        this.poster = new CompletionPoster(ring, files.overflowFile, area, submissions, files.eventfd, files.arena,
            files.ringFile.path().toString());
        this.scheduler = new Scheduler(submissions.capacity(), poster, files.name);
        this.fdSlots = new FdSlots(params.fdSlots() == 0 ? SetupDescriptor.DEFAULT_FD_SLOTS : params.fdSlots());
        Backend chosen = null;
        int refusal = 0;
        if (params.backend() != SetupDescriptor.BACKEND_THREADS) {
            try {
                chosen = new IoUringBackend(submissions.capacity(), params.workers(), poster, submissions, scheduler, memory,
                    files.own, files.arena, files.name);
            } catch (final IoUringException e) {
                if (params.backend() == SetupDescriptor.BACKEND_IO_URING) {
                    throw new SetupException("backend", "io_uring: " + e.getMessage(), e);
                }
                refusal = e.errno();
            }
        }
        this.backend = chosen != null ? chosen
            : new WorkerPoolBackend(submissions.capacity(), params.workers(), poster, submissions, scheduler, memory,
                files.own, files.arena, files.name);
        this.backendRefusal = refusal;
        this.chains = new Chains(fdSlots, files.own, scheduler, backend);
        this.runningCanceller = chains::cancelRunning;
        poster.completionWork(chains::completionWork, scheduler::startLinked);
        area.writeBackend(chosen != null ? SetupDescriptor.BACKEND_IO_URING : SetupDescriptor.BACKEND_THREADS, refusal);
        this.callerThread = new CallerThread(files, area, submissions, decoder, chains, memory, IocbDecoder.maxReturnBytes(registry), poster);
        this.contextThread = new ContextThread(files, poster, doorbellFallbackNanos);
        poster.onOverflowStarted(contextThread::wake);
        ring.heartbeat(System.nanoTime());
    }

    /**
     * {@code io_setup2}, its parameters checked: creates the ring file (its header carries the negotiated version and
     * features), the eventfd and its socket, writes the context area, and starts the backend.
     *
     * @param params                the setup parameters, checked
     * @param previous              the ring to take over (FLAG_REATTACH), checked and locked; or null
     * @param registry              the attributes iocbs may ask for
     * @param doorbellFallbackNanos how long the context thread waits for a doorbell before it moves overflowed
     *                              events in anyway
     * @return the running engine
     * @throws SetupException naming the parameter refused, or the resource that could not be made
     */
    public static Engine setup(final SetupValues params, final PreviousRing previous, final AttributeRegistry registry,
                               final long doorbellFallbackNanos) {
        final ContextFiles files = ContextFiles.create(params, previous, ContextThread.HEARTBEAT_PERIOD_NANOS / 1_000_000,
            io.aioring.abi.layout.EventDescriptor.HEADER_LENGTH + IocbDecoder.maxReturnBytes(registry));
        try {
            final Engine engine = new Engine(files, params, registry, doorbellFallbackNanos);
            if (previous != null) {
                // Only now, with everything that can fail behind: taken out of the old file, they are in no file
                // but this engine's new one, and a failure before this line leaves them where they were.
                final PreviousRing.Taken taken = previous.takeOldOverflow();
                engine.poster.inherit(taken.events(), taken.nextSequence());
                files.inherited();
            }
            engine.scheduler.start(engine.chains::startLinked, engine.backend::cancelRunning);
            engine.backend.start();
            engine.contextThread.start();
            if (FlightRecorderSupport.AVAILABLE) {
                FlightRecorderGate.live(engine);
            }
            // Last: a reader who sees the magic sees the context area, the backend and a first heartbeat (abi.md 1.1).
            engine.ring.publishHeader();
            if (previous != null) {
                previous.removeOldOverflowFile();
            }
            return engine;
        } catch (final RuntimeException | Error e) {
            throw files.abandon(e, previous != null);
        }
    }

    /** @return the ring, through this engine's mapping */
    public Ring ring() {
        return ring;
    }

    /** @return the ring file's path */
    public Path ringPath() {
        return files.ringFile.path();
    }

    /** @return the eventfd, or -1 */
    public int eventfd() {
        return files.eventfd;
    }

    /** @return the eventfd socket's path, or null */
    public Path eventfdSocket() {
        return files.eventfdServer == null ? null : files.eventfdServer.path();
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

    /** Runs {@code open} (a descriptor or -errno) and makes what it opened the context's: destroy closes it. */
    public int own(final java.util.function.IntSupplier open) {
        return files.own(open);
    }

    /** @return the memory iocbs may point at: registered, unregistered and looked up there */
    public MemoryRegistry memory() {
        return memory;
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
                        chains.start(chainHead);
                        chainHead = null;
                        chainTail = null;
                    }
                } else if (links) {
                    chainHead = op;
                    chainTail = op;
                } else {
                    chains.start(op);
                }
                accepted++;
                position += iocbLength;
            }
            return accepted;
        } finally {
            if (chainHead != null) {
                chains.start(chainHead);
            }
            if (accepted > 0) {
                area.iocbsSubmitted(submitted.addAndGet(accepted));
                backend.submitted(accepted);
            }
        }
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
     * Waits for the event of the in-flight iocb with {@code userData} and takes it for the caller
     * ({@link CallerThread#await}).
     */
    public int await(final long userData, final long timeoutNanos, final org.agrona.concurrent.UnsafeBuffer target) {
        return callerThread.await(userData, timeoutNanos, target);
    }

    /** Runs one iocb on the calling thread ({@link CallerThread#execute}). */
    public int execute(final DirectBuffer iocb, final int offset, final int length, final org.agrona.concurrent.UnsafeBuffer target) {
        return callerThread.execute(iocb, offset, length, target);
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
        // MORE events of multishot iocbs are events beyond one per iocb.
        return poster.eventsPosted() + poster.overflowLength() + poster.eventsHandedToAwaiters() - submissions.moreEvents();
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

    /** Sleeps on the ring's tail until an event is posted ({@link CallerThread#awaitPosted}). */
    public void awaitPosted(final long timeoutNanos) {
        callerThread.awaitPosted(timeoutNanos);
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
            FlightRecorderGate.gone(this);
        }
        submissions.cancelAllQueued();
        scheduler.stop();
        backend.stop();
        fdSlots.closeAll(new Errno());
        files.closeOpenedFiles();
        poster.flush();
        contextThread.stop();
        poster.totals().publish(); // the last counts, before the ring says it is closed
        poster.close();
        final int left = poster.overflowLength();
        // Nothing discarded: events left wait in the overflow file, with the ring, for a reaper (abi.md 2.8).
        files.close(left > 0 && poster.corruption() == null);
        return left;
    }
}
