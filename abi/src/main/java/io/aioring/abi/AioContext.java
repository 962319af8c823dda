package io.aioring.abi;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import io.aioring.abi.linux.Errno;
import io.aioring.abi.linux.Linux;
import io.aioring.ring.Ring;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingSpec;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * An asynchronous I/O context: {@code io_setup2} ({@link #setup}), {@link #submit}, {@link #getevents},
 * {@link #cancel} and {@link #destroy}. Worker threads make the calls; each completion becomes a variable-length
 * event in a ring file that this process and others reap from (see docs/abi.md).
 *
 * <p>Thread-safe: any thread may submit, reap or cancel. An iocb may only point at memory registered with
 * {@link #registerMemory}; anything else completes with -EFAULT.
 */
public final class AioContext implements AutoCloseable {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final RingFile ringFile;
    private final Ring ring;
    private final Arena arena;
    private final Engine engine;
    private final IocbDecoder decoder;
    private final AttributeRegistry registry;
    private final MemoryRegistry memory;
    private final int eventfd;
    private final EventfdServer eventfdServer;
    private final AtomicInteger callers = new AtomicInteger();
    private final ThreadLocal<EventReaper> reapers;
    private volatile boolean destroyed;

    private AioContext(final RingFile ringFile, final Arena arena, final SetupParams params, final AttributeRegistry registry,
                       final MemoryRegistry memory, final int eventfd, final EventfdServer eventfdServer,
                       final long doorbellFallbackNanos) {
        this.ringFile = ringFile;
        this.ring = ringFile.ring();
        this.arena = arena;
        this.registry = registry;
        this.memory = memory;
        this.eventfd = eventfd;
        this.eventfdServer = eventfdServer;
        this.decoder = new IocbDecoder(registry, ring.maxPayloadLength());
        final int[] protectedFds = eventfdServer == null ? new int[] {eventfd} : new int[] {eventfd, eventfdServer.listener()};
        this.engine = new Engine(ring, params.maxInFlight(), params.overflowBound(), params.workers(), eventfd, registry,
            memory, protectedFds, arena, "aioring-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet(),
            doorbellFallbackNanos);
        this.reapers = ThreadLocal.withInitial(() -> new EventReaper(ring));
    }

    /** {@code io_setup2} with the attributes found on the class path. */
    public static AioContext setup(final SetupParams params) {
        return setup(params, AttributeRegistry.discover());
    }

    /**
     * {@code io_setup2}: checks the parameters, creates the ring file (its header carries the negotiated version and
     * features), the eventfd and its socket, and starts the workers.
     *
     * @throws SetupException naming the parameter refused, or the resource that could not be made
     */
    public static AioContext setup(final SetupParams params, final AttributeRegistry registry) {
        return setup(params, registry, Engine.DOORBELL_FALLBACK_NANOS);
    }

    /** Setup with the context thread's doorbell fallback wait given (tests make it long to prove the doorbell works). */
    static AioContext setup(final SetupParams params, final AttributeRegistry registry, final long doorbellFallbackNanos) {
        params.validate();
        final int flags = params.flags();
        final boolean wantEventfd = (flags & SetupDescriptor.FLAG_EVENTFD) != 0;
        final boolean wantSocket = (flags & SetupDescriptor.FLAG_EVENTFD_SOCKET) != 0;
        final Path ringPath = params.ringPath() != null ? params.ringPath() : RingFile.defaultPath();
        final long compat = ContextDescriptor.COMPAT_CONTEXT_AREA | (wantSocket ? ContextDescriptor.COMPAT_EVENTFD_SOCKET : 0);
        final RingFile ringFile;
        try {
            ringFile = RingFile.create(ringPath, new RingSpec(params.ringDataBytes(), 0, compat,
                ContextDescriptor.INCOMPAT_EVENTS_V1));
        } catch (final RuntimeException e) {
            throw new SetupException("ring_path", e.getMessage(), e);
        }
        final Arena arena = Arena.ofShared();
        final Errno errno = new Errno(arena);
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
                server = new EventfdServer(socketPathFor(ringPath), eventfd, "aioring-" + ProcessHandle.current().pid());
            }
            writeContextArea(ringFile.ring(), params, server == null ? null : server.path());
            final AioContext context = new AioContext(ringFile, arena, params, registry, new MemoryRegistry(), eventfd, server,
                doorbellFallbackNanos);
            context.engine.start();
            return context;
        } catch (final IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            if (eventfd >= 0) {
                Linux.close(errno, eventfd);
            }
            ringFile.delete();
            arena.close();
            if (e instanceof SetupException setup) {
                throw setup;
            }
            throw new SetupException("flags", "FLAG_EVENTFD_SOCKET: " + e.getMessage(), e);
        }
    }

    /** @return what this build supports, with the attributes found on the class path */
    public static Probe probe() {
        return Probe.of(AttributeRegistry.discover());
    }

    private static Path socketPathFor(final Path ringPath) {
        final Path beside = Path.of(ringPath + ".sock");
        if (beside.toString().getBytes(StandardCharsets.UTF_8).length <= Linux.SUN_PATH_MAX) {
            return beside;
        }
        return Path.of(System.getProperty("java.io.tmpdir"),
            "aioring-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + ".sock");
    }

    private static void writeContextArea(final Ring ring, final SetupParams params, final Path socket) {
        final var header = ring.buffer();
        header.putInt(ContextDescriptor.SETUP_FLAGS_OFFSET, params.flags());
        header.putInt(ContextDescriptor.WORKERS_OFFSET, params.workers());
        header.putInt(ContextDescriptor.MAX_IN_FLIGHT_OFFSET, params.maxInFlight());
        header.putInt(ContextDescriptor.OVERFLOW_BOUND_OFFSET, params.overflowBound());
        if (socket != null) {
            final byte[] bytes = socket.toString().getBytes(StandardCharsets.UTF_8);
            header.putBytes(ContextDescriptor.SOCKET_PATH_OFFSET, bytes);
            header.putIntRelease(ContextDescriptor.SOCKET_PATH_LENGTH_OFFSET, bytes.length);
        }
    }

    /**
     * @return the ring this context posts events into, through this context's own mapping: valid until
     *         {@link #destroy()} unmaps it. A reaper that must outlive the context maps the file itself
     *         ({@code RingFile.open(ringPath(), ...)}), as another process would.
     */
    public Ring ring() {
        return ring;
    }

    public Path ringPath() {
        return ringFile.path();
    }

    /** @return the per-context eventfd (signalled when events land), or -1 if setup did not ask for one */
    public int eventfd() {
        return eventfd;
    }

    /** @return the Unix socket that hands out the eventfd, or null */
    public Path eventfdSocket() {
        return eventfdServer == null ? null : eventfdServer.path();
    }

    public AttributeRegistry attributes() {
        return registry;
    }

    /** Lets iocbs point at {@code segment} (native memory only). */
    public void registerMemory(final MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("only native memory can be registered; this segment is on the heap");
        }
        memory.register(segment.address(), segment.byteSize());
    }

    /** Lets iocbs point at {@code length} bytes at {@code address}, which the caller owns. */
    public void registerMemory(final long address, final long length) {
        memory.register(address, length);
    }

    /** @return true if a range registered at {@code address} was removed */
    public boolean unregisterMemory(final long address) {
        return memory.unregister(address);
    }

    /**
     * Submits a batch of iocbs laid out as docs/abi.md section 2.2 says. Each accepted iocb is copied (the batch
     * may be reused at once) and will complete with exactly one event.
     *
     * @return the number of iocbs accepted from the front of the batch; or, if none was, {@code -EBUSY} (the
     *         overflow list is at its bound: reap, then retry) or {@code -EAGAIN} (max_in_flight iocbs are in flight)
     * @throws IocbFormatException at a malformed iocb; those before it were accepted ({@link IocbFormatException#accepted()})
     * @throws IllegalStateException after {@link #destroy()}
     */
    public int submit(final DirectBuffer batch, final int offset, final int length) {
        enter();
        int accepted = 0;
        try {
            int position = offset;
            final int end = offset + length;
            while (position < end) {
                if (engine.overflowAtBound()) {
                    ring.buffer().getAndAddInt(ContextDescriptor.BUSY_REJECTIONS_OFFSET, 1);
                    return accepted > 0 ? accepted : -Errno.EBUSY;
                }
                final Op op = engine.acquire();
                if (op == null) {
                    return accepted > 0 ? accepted : -Errno.EAGAIN;
                }
                final int iocbLength;
                try {
                    iocbLength = decoder.decode(batch, position, end - position, accepted, accepted, op);
                } catch (final RuntimeException e) {
                    engine.giveBack(op);
                    throw e;
                }
                op.submitNanos = System.nanoTime();
                engine.enqueue(op);
                accepted++;
                position += iocbLength;
            }
            return accepted;
        } finally {
            if (accepted > 0) {
                ring.buffer().getAndAddLong(ContextDescriptor.IOCBS_SUBMITTED_OFFSET, accepted);
                engine.wake(accepted);
            }
            exit();
        }
    }

    /** Submits what {@code writer} holds. */
    public int submit(final IocbWriter writer) {
        return submit(writer.buffer(), writer.offset(), writer.length());
    }

    /**
     * Reaps events in this process: first moves any overflowed events into the ring, then hands events to
     * {@code handler} until {@code minEvents} have been, {@code maxBytes} of events have been, or the timeout passes.
     * Other reapers (threads, processes) may take events meanwhile.
     *
     * @param maxBytes the most bytes of event records to hand over (at least one event is, if any is there)
     * @return events handed to {@code handler}
     */
    public int getevents(final int minEvents, final int maxBytes, final long timeoutNanos, final EventHandler handler) {
        return getevents(minEvents, maxBytes, timeoutNanos, handler, DEFAULT_IDLE.get());
    }

    private static final ThreadLocal<IdleStrategy> DEFAULT_IDLE =
        ThreadLocal.withInitial(() -> new BackoffIdleStrategy(2_000, 200, 1_000, 200_000));

    /** {@link #getevents(int, int, long, EventHandler)}, idling with {@code idle} between empty polls. */
    public int getevents(final int minEvents, final int maxBytes, final long timeoutNanos, final EventHandler handler,
                         final IdleStrategy idle) {
        enter();
        try {
            final EventReaper reaper = reapers.get();
            final long deadline = System.nanoTime() + timeoutNanos;
            int events = 0;
            long bytes = 0;
            idle.reset();
            while (!destroyed) {
                if (engine.overflowLength() > 0) {
                    engine.flush();
                }
                reaper.resetBytes();
                final int reaped = reaper.poll(handler, (int) Math.min(Integer.MAX_VALUE, Math.max(1, maxBytes - bytes)));
                events += reaped;
                bytes += reaper.lastPollBytes();
                if (events >= minEvents || bytes >= maxBytes) {
                    return events;
                }
                if (reaped == 0 && System.nanoTime() - deadline >= 0) {
                    return events;
                }
                idle.idle(reaped); // resets the back-off after work
            }
            return events;
        } finally {
            exit();
        }
    }

    /**
     * Cancels every iocb with {@code userData} that no worker has started: each completes with -ECANCELED.
     *
     * @return how many were cancelled; or -EALREADY if none was but one with that user data is running, or
     *         -ENOENT if none is in flight
     */
    public int cancel(final long userData) {
        int cancelled = 0;
        boolean running = false;
        for (final Op op : engine.ops()) {
            final int state = op.state();
            if (state == Op.QUEUED && op.userData == userData) {
                if (op.casState(Op.QUEUED, Op.CANCELLED)) {
                    cancelled++;
                } else {
                    running |= op.state() == Op.RUNNING;
                }
            } else if (state == Op.RUNNING && op.userData == userData) {
                running = true;
            }
        }
        return cancelled > 0 ? cancelled : running ? -Errno.EALREADY : -Errno.ENOENT;
    }

    /** @return iocbs a worker is running now (for tests that need an iocb to have started) */
    int running() {
        int running = 0;
        for (final Op op : engine.ops()) {
            if (op.state() == Op.RUNNING) {
                running++;
            }
        }
        return running;
    }

    /** @return iocbs accepted by submit so far */
    public long submitted() {
        return ring.buffer().getLongVolatile(ContextDescriptor.IOCBS_SUBMITTED_OFFSET);
    }

    /**
     * @return iocbs whose events have been posted (into the ring, or onto the overflow list): with
     *         {@link #submitted()}, how many are in flight. Read without a lock, so it may lag by a batch.
     */
    public long completed() {
        return ring.buffer().getLongVolatile(ContextDescriptor.EVENTS_POSTED_OFFSET) + engine.overflowLength();
    }

    /** @return events waiting on the overflow list now */
    public int overflowLength() {
        return engine.overflowLength();
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    /**
     * Destroys the context: refuses new work, cancels what has not started, waits for what has, posts every event
     * that fits, marks the ring closed, then closes the eventfd and its socket, stops every thread, unmaps the ring
     * and removes its file. Reapers in other processes keep their mapping and drain what is left.
     *
     * @return events still on the overflow list, which no one had made room for and are now discarded (0 when the
     *         caller reaped everything first)
     */
    public int destroy() {
        synchronized (this) {
            if (destroyed) {
                return 0;
            }
            destroyed = true;
        }
        while (callers.get() != 0) {
            Thread.onSpinWait();
        }
        final int discarded = engine.stop();
        if (eventfdServer != null) {
            eventfdServer.close();
        }
        if (eventfd >= 0) {
            Linux.close(new Errno(), eventfd);
        }
        ringFile.delete();
        arena.close();
        return discarded;
    }

    @Override
    public void close() {
        destroy();
    }

    private void enter() {
        callers.incrementAndGet();
        if (destroyed) {
            callers.decrementAndGet();
            throw new IllegalStateException("the context has been destroyed");
        }
    }

    private void exit() {
        callers.decrementAndGet();
    }
}
