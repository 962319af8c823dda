package io.aioring.abi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.aioring.abi.layout.IocbFormatException;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.layout.SetupException;
import io.aioring.abi.engine.Engine;
import io.aioring.abi.net.Sockets;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.linux.Arch;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;
import io.aioring.ring.Ring;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * An asynchronous I/O context: {@code io_setup2} ({@link #setup}), {@link #submit}, {@link #getevents},
 * {@link #cancel} and {@link #destroy}. The engine behind it makes the calls off the caller's thread; each
 * completion becomes a variable-length event in a ring file that this process and others reap from (see
 * docs/abi.md).
 *
 * <p>Thread-safe: any thread may submit, reap or cancel. An iocb may only point at memory registered with
 * {@link #registerMemory}; anything else completes with -EFAULT. One read, its event reaped here (the README's
 * example, which the build runs, adds attributes to it):
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofShared(); AioContext ctx = AioContext.setup(new SetupParams())) {
 *     int fd = ctx.openFile(path, StandardOpenOption.READ);    // the context's: destroy closes it
 *     MemorySegment buf = arena.allocate(4096, 4096);
 *     ctx.registerMemory(buf);
 *     ctx.submit(IocbWriter.forIocbs(1, 0).pread(fd, buf, 0, 1));  // user data 1
 *     ctx.getevents(1, 1 << 16, Duration.ofSeconds(1), event -> System.out.println(event.result() + " bytes"));
 * }
 * }</pre>
 *
 * <p>A context still open when the JVM exits normally (the end of main, {@code System.exit}, SIGTERM, Ctrl-C) is
 * destroyed by a shutdown hook, so that its ring, socket and overflow files do not outlive the program: as by
 * {@link #destroy()}, except that the hook waits at most {@value #EXIT_DESTROY_MILLIS} ms for all of them. The order:
 * the JVM runs its shutdown hooks, this one among the program's own, in no fixed order, while the program's threads
 * still run; this hook waits for every call already inside the context to return, then destroys it; a call made
 * after that throws {@link IllegalStateException}, and a read of {@link #ring()}'s words reads zeros (the mapping's
 * pages are replaced, never unmapped under a reader), so no thread faults. A program that wants its own hooks to use
 * its contexts, or to destroy them itself, turns this hook off with {@code -Daioring.destroyAtExit=false} (or for one
 * context, {@link #destroyAtExit(boolean)}); such contexts' files then stay after exit unless the program destroys
 * them, for a {@link ContextReaper} to drain and remove.
 */
public final class AioContext implements AutoCloseable {
    private static final ThreadLocal<IdleStrategy> DEFAULT_IDLE =
        ThreadLocal.withInitial(() -> new BackoffIdleStrategy(2_000, 200, 1_000, 200_000));

    private final Engine engine;
    private final Ring ring;
    private final AtomicInteger callers = new AtomicInteger();
    private final ThreadLocal<EventPoller> pollers;
    /** Each thread's buffer and view for an event handed to it (await, execute) rather than reaped from the ring. */
    private final ThreadLocal<PrivateEvent> privateEvents;

    private static final class PrivateEvent {
        final org.agrona.concurrent.UnsafeBuffer buffer;
        final EventView view = new EventView();

        PrivateEvent(final int maxEventLength) {
            this.buffer = new org.agrona.concurrent.UnsafeBuffer(new byte[maxEventLength]);
        }
    }
    private volatile boolean destroyed;
    /** Whether the exit hook destroys this context ({@link #destroyAtExit(boolean)}). */
    private volatile boolean destroyAtExit = true;

    /** How long the shutdown hook waits for the open contexts' destroys (a call stuck in the kernel can hold one). */
    static final long EXIT_DESTROY_MILLIS = 5_000;
    /** Contexts set up and not destroyed yet, for the shutdown hook. */
    private static final java.util.Set<AioContext> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final java.util.concurrent.atomic.AtomicBoolean EXIT_HOOK = new java.util.concurrent.atomic.AtomicBoolean();

    private AioContext(final Engine engine) {
        this.engine = engine;
        this.ring = engine.ring();
        this.pollers = ThreadLocal.withInitial(() -> new EventPoller(ring));
        final int maxEventLength = ring.maxPayloadLength();
        this.privateEvents = ThreadLocal.withInitial(() -> new PrivateEvent(maxEventLength));
    }

    /**
     * {@code io_setup2} with the attributes found on the class path.
     *
     * @param params the setup parameters
     * @return the new context
     * @throws SetupException naming the parameter refused, or the resource that could not be made
     */
    public static AioContext setup(final SetupParams params) {
        return setup(params, AttributeRegistry.discover());
    }

    /**
     * {@code io_setup2}: checks the parameters, creates the ring file (its header carries the negotiated version and
     * features), the eventfd and its socket, and starts the engine.
     *
     * @param params   the setup parameters
     * @param registry the attributes iocbs may ask for
     * @return the new context
     * @throws SetupException naming the parameter refused, or the resource that could not be made
     * @throws UnsupportedOperationException on anything but Linux on x86-64 or aarch64
     */
    public static AioContext setup(final SetupParams params, final AttributeRegistry registry) {
        return setup(params, registry, Engine.DOORBELL_FALLBACK_NANOS);
    }

    /** Setup with the context thread's doorbell fallback wait given (tests make it long to prove the doorbell works). */
    static AioContext setup(final SetupParams params, final AttributeRegistry registry, final long doorbellFallbackNanos) {
        Arch.current(); // one clear line on an architecture aioring does not run on, before any Linux call
        io.aioring.linux.JvmFlags.require(); // one clear line on a JVM started without them, before any Unsafe
        params.validate();
        final Reattached previous = (params.flags() & SetupDescriptor.FLAG_REATTACH) != 0 ? Reattached.take(params) : null;
        final AioContext context = new AioContext(Engine.setup(params.values(), previous, registry, doorbellFallbackNanos));
        OPEN.add(context);
        if (destroyAtExit() && EXIT_HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(AioContext::destroyOpenContexts, "aioring-exit"));
        }
        return context;
    }

    /** The system property that turns the exit hook off when "false". */
    public static final String DESTROY_AT_EXIT_PROPERTY = "aioring.destroyAtExit";

    private static boolean destroyAtExit() {
        return !"false".equalsIgnoreCase(System.getProperty(DESTROY_AT_EXIT_PROPERTY, "true").trim());
    }

    /** The shutdown hook: destroys every context left open, on a daemon thread it waits for a bounded time. */
    private static void destroyOpenContexts() {
        final Thread destroyer = new Thread(() -> {
            for (final AioContext context : OPEN) {
                if (!context.destroyAtExit) {
                    continue; // its program destroys it in its own hook
                }
                try {
                    context.destroy();
                } catch (final RuntimeException | Error e) {
                    System.err.println("aioring: destroying " + context.ringPath() + " at exit: " + e);
                }
            }
        }, "aioring-exit-destroy");
        destroyer.setDaemon(true);
        destroyer.start();
        try {
            destroyer.join(EXIT_DESTROY_MILLIS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether the exit hook destroys this context (by default it does): a program that destroys its contexts in a
     * shutdown hook of its own, and uses them there, says false for each (or turns the hook off for all with
     * {@code -Daioring.destroyAtExit=false}).
     *
     * @param destroy false: the exit hook leaves this context to its program
     */
    public void destroyAtExit(final boolean destroy) {
        this.destroyAtExit = destroy;
    }

    /** {@return what this build supports, with the attributes found on the class path} */
    public static Probe probe() {
        return Probe.of(AttributeRegistry.discover());
    }

    /**
     * {@return the ring this context posts events into, through this context's own mapping: after {@link
     * #destroy()} its words read as zeros (the pages are replaced, the addresses stay mapped while the Ring is
     * reachable), never a fault. A reaper that must outlive the context maps the file itself ({@link
     * ContextReaper#open}), as another process would.}
     */
    public Ring ring() {
        return ring;
    }

    /** {@return the ring file's path, for reapers in other processes} */
    public Path ringPath() {
        return engine.ringPath();
    }

    /** {@return the per-context eventfd (signalled when events land), or -1 if setup did not ask for one} */
    public int eventfd() {
        return engine.eventfd();
    }

    /** {@return the Unix socket that hands out the eventfd, or null} */
    public Path eventfdSocket() {
        return engine.eventfdSocket();
    }

    /** {@return the attributes iocbs may ask for} */
    public AttributeRegistry attributes() {
        return engine.attributes();
    }

    /** {@return the backend that makes the calls: "io_uring" or "threads"} */
    public String backend() {
        return engine.backendName();
    }

    /** {@return 0, or why {@code auto} did not pick io_uring: the errno io_uring_setup gave (EPERM, ENOSYS...)} */
    public int backendRefusal() {
        return engine.backendRefusal();
    }

    /**
     * Opens a file for this context's iocbs, from a path: the descriptor belongs to the context and destroy closes
     * it (once no iocb runs). Any descriptor works in an iocb; this one needs no closing of its own.
     *
     * @param path      the file
     * @param openFlags {@code Linux.O_RDONLY}, {@code O_WRONLY} or {@code O_RDWR}, with any other open(2) flags
     *                  ({@code O_DIRECT}, {@code O_CREAT}...); O_CLOEXEC is always added
     * @return the descriptor, for {@link IocbWriter#pread} and the like
     * @throws java.io.IOException naming the path and the errno (e.g. "cannot open /x: ENOENT")
     */
    public int openFile(final Path path, final int openFlags) throws java.io.IOException {
        final int fd = own(() -> openat(path, openFlags | Linux.O_CLOEXEC, 0644));
        if (fd < 0) {
            throw new java.io.IOException("cannot open " + path + ": " + Errno.name(-fd));
        }
        return fd;
    }

    /**
     * Opens a file for this context's iocbs with Java's options, as {@link java.nio.channels.FileChannel#open} takes
     * them ({@link OpenFlags#of} says how each maps): the descriptor belongs to the context and destroy closes it.
     * A file it creates gets mode 0666 less the umask, as the JDK's do.
     *
     * <pre>{@code
     * int fd = context.openFile(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
     * }</pre>
     *
     * @param path    the file
     * @param options READ when none is given
     * @return the descriptor, for {@link IocbWriter#pread} and the like
     * @throws UnsupportedOperationException for APPEND (iocbs write where they say), DELETE_ON_CLOSE (the context
     *                                       closes its descriptors at destroy, and deletes nothing) or an unknown
     *                                       option
     * @throws java.io.IOException as the JDK's: {@link java.nio.file.NoSuchFileException},
     *         {@link java.nio.file.FileAlreadyExistsException}, {@link java.nio.file.AccessDeniedException}, or
     *         another {@link java.nio.file.FileSystemException} naming the errno
     */
    public int openFile(final Path path, final OpenOption... options) throws java.io.IOException {
        final Set<OpenOption> set = Set.of(options);
        if (set.contains(StandardOpenOption.DELETE_ON_CLOSE)) {
            throw new UnsupportedOperationException("DELETE_ON_CLOSE not supported: the context deletes no file");
        }
        final int flags = OpenFlags.of(set);
        final int fd = own(() -> openat(path, flags, 0666));
        if (fd < 0) {
            throw OpenFlags.failure(path, fd);
        }
        return fd;
    }

    /**
     * A listening TCP socket for this context's accept iocbs ({@link Sockets#listener}: {@code SO_REUSEADDR},
     * bound, listening); the descriptor belongs to the context and destroy closes it.
     *
     * <pre>{@code
     * int listener = context.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
     * writer.accept(listener, 0, true, ACCEPTED);
     * }</pre>
     *
     * @param address the local address; port 0 lets the kernel choose ({@link Sockets#localAddress} says which)
     * @param backlog connections the kernel may queue before they are accepted
     * @return the descriptor
     * @throws java.net.BindException if the address is in use or not this machine's
     * @throws java.io.IOException naming the call that failed and the errno
     */
    public int listen(final InetSocketAddress address, final int backlog) throws java.io.IOException {
        return ownSocket(Sockets.listener(address, backlog));
    }

    /**
     * A TCP socket for this context's connect, send and recv iocbs ({@link Sockets#open}); the descriptor belongs to
     * the context and destroy closes it. Connect it with an iocb: {@link IocbWriter#connect(int, MemorySegment, long)}.
     *
     * @return the descriptor
     * @throws java.io.IOException naming {@code socket} and the errno
     */
    public int openSocket() throws java.io.IOException {
        return ownSocket(Sockets.open());
    }

    private int ownSocket(final int fd) {
        try {
            return own(() -> fd);
        } catch (final RuntimeException e) {
            Sockets.close(fd); // the context is destroyed: it will not close it
            throw e;
        }
    }

    /** Runs {@code open} inside the context (destroy waits for it) and makes its descriptor the context's. */
    private int own(final java.util.function.IntSupplier open) {
        enter();
        try {
            return engine.own(open);
        } finally {
            exit();
        }
    }

    private static int openat(final Path path, final int flags, final int mode) {
        try (Arena scratch = Arena.ofConfined()) {
            return Linux.openat(new Errno(scratch), Linux.AT_FDCWD, Linux.cString(scratch, path.toString()).address(),
                flags, mode);
        }
    }

    /**
     * Lets iocbs point at {@code segment} (native memory only).
     *
     * @param segment the memory
     * @throws IllegalArgumentException if the segment is on the heap
     */
    public void registerMemory(final MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("only native memory can be registered; this segment is on the heap");
        }
        engine.memory().register(segment.address(), segment.byteSize());
    }

    /**
     * Lets iocbs point at {@code length} bytes at {@code address}, which the caller owns.
     *
     * @param address the first byte
     * @param length  how many bytes
     */
    public void registerMemory(final long address, final long length) {
        engine.memory().register(address, length);
    }

    /**
     * {@return true if iocbs may point at all of it: it lies inside one range registered with this context}
     *
     * @param segment native memory
     */
    public boolean isRegistered(final MemorySegment segment) {
        return segment.isNative() && engine.memory().contains(segment.address(), segment.byteSize());
    }

    /**
     * {@return true if a range registered at {@code address} was removed}
     *
     * @param address the first byte of a registered range
     */
    public boolean unregisterMemory(final long address) {
        return engine.memory().unregister(address);
    }

    /**
     * Submits a batch of iocbs laid out as docs/abi.md section 2.2 says. Each accepted iocb is copied (the batch
     * may be reused at once) and will complete with exactly one event.
     *
     * @param batch  the iocbs
     * @param offset the first iocb's first byte in {@code batch}
     * @param length the batch's length in bytes
     * @return the number of iocbs accepted from the front of the batch; or, if none was, {@code -EBUSY} (the
     *         overflow list is at its bound: reap, then retry) or {@code -EAGAIN} (max_in_flight iocbs are in flight)
     * @throws IocbFormatException at a malformed iocb; those before it were accepted ({@link IocbFormatException#accepted()})
     * @throws IllegalArgumentException if offset and length do not lie within the buffer
     * @throws IllegalStateException after {@link #destroy()}, or once the ring is corrupted ({@link #corruption()})
     */
    public int submit(final DirectBuffer batch, final int offset, final int length) {
        if (offset < 0 || length < 0 || (long) offset + length > batch.capacity()) {
            throw new IllegalArgumentException("offset " + offset + " and length " + length + " do not lie within the "
                + batch.capacity() + "-byte batch buffer");
        }
        enter();
        try {
            return engine.submit(batch, offset, length);
        } finally {
            exit();
        }
    }

    /**
     * Submits what {@code writer} holds.
     *
     * @param writer the batch
     * @return as {@link #submit(DirectBuffer, int, int)}
     */
    public int submit(final IocbWriter writer) {
        return submit(writer.buffer(), writer.offset(), writer.length());
    }

    /**
     * Reaps events in this process: first moves any overflowed events into the ring, then hands events to
     * {@code handler} until {@code minEvents} have been, {@code maxBytes} of events have been, or the timeout passes.
     * Other reapers (threads, processes) may take events meanwhile.
     *
     * @param minEvents    return once this many events were handed over
     * @param maxBytes     the most bytes of event records to hand over (at least one event is, if any is there)
     * @param timeoutNanos the longest wait
     * @param handler      receives each event
     * @return events handed to {@code handler}
     */
    public int getevents(final int minEvents, final int maxBytes, final long timeoutNanos, final EventHandler handler) {
        return getevents(minEvents, maxBytes, timeoutNanos, handler, DEFAULT_IDLE.get());
    }

    /**
     * {@link #getevents(int, int, long, EventHandler)}, with the longest wait as a {@link Duration}:
     *
     * <pre>{@code
     * context.getevents(1, 1 << 16, Duration.ofSeconds(1), event -> System.out.println(event.result()));
     * }</pre>
     *
     * @param minEvents return once this many events were handed over
     * @param maxBytes  the most bytes of event records to hand over
     * @param timeout   the longest wait
     * @param handler   receives each event
     * @return events handed to {@code handler}
     */
    public int getevents(final int minEvents, final int maxBytes, final Duration timeout, final EventHandler handler) {
        return getevents(minEvents, maxBytes, nanos(timeout), handler);
    }

    /**
     * {@link #getevents(int, int, long, EventHandler)}, idling with {@code idle} between empty polls.
     *
     * @param minEvents    return once this many events were handed over
     * @param maxBytes     the most bytes of event records to hand over
     * @param timeoutNanos the longest wait
     * @param handler      receives each event
     * @param idle         how to wait between empty polls
     * @return events handed to {@code handler}
     */
    public int getevents(final int minEvents, final int maxBytes, final long timeoutNanos, final EventHandler handler,
                         final IdleStrategy idle) {
        enter();
        try {
            return pollers.get().reapInto(handler, minEvents, maxBytes, idle, timeoutNanos, this);
        } finally {
            exit();
        }
    }

    /**
     * For the poller, when the ring is empty: sleeps in the backend until one of its requests completes (at most
     * {@code remainingNanos}, and at most 1 ms so that destroy is still seen), if it has requests in the kernel.
     *
     * @return true if it slept
     */
    boolean awaitCompletions(final long remainingNanos) {
        return remainingNanos > 0 && !destroyed && engine.awaitCompletions(Math.min(remainingNanos, 1_000_000L));
    }

    /**
     * For the poller, when the ring has stayed empty and the backend had nothing to wait on: sleeps until an event
     * is posted (at most {@code remainingNanos}, and at most 1 ms so that destroy is still seen).
     */
    void awaitPosted(final long remainingNanos) {
        if (remainingNanos > 0 && !destroyed) {
            engine.awaitPosted(Math.min(remainingNanos, 1_000_000L));
        }
    }

    /** For the poller: true once the engine has given its ring up (an impossible head); see {@link #corruption()}. */
    boolean ringCorrupted() {
        return engine.corruption() != null;
    }

    /** For the poller, with the ring given up: the oldest completed event, at index 0 of {@code target}; 0 if none. */
    int takeOverflowed(final org.agrona.MutableDirectBuffer target) {
        return engine.takeOverflowed(target);
    }

    /**
     * {@return null while the context is healthy; else why the engine gave its ring up: it loaded a head no reaper
     * could have written (docs/abi.md 1.9), so it writes no more events there, takes no more iocbs (submit throws),
     * and hands every completed event to {@link #getevents} callers of this process directly}
     */
    public String corruption() {
        return engine.corruption();
    }

    /** For the poller: moves overflowed events in before each poll, and says when the context is destroyed. */
    boolean beforePoll() {
        engine.pollCompletions();
        if (engine.overflowLength() > 0) {
            engine.flushOverflow();
        }
        return !destroyed;
    }

    /**
     * Cancels every iocb with {@code userData} that has not started, and every one that is running but waits for
     * readiness or time (recv, send, recvmsg, sendmsg, accept, connect, poll, timeout): each completes with
     * -ECANCELED (a running one with its own result, if that came first).
     *
     * @param userData the user data of the iocbs to cancel
     * @return how many were cancelled; or -EALREADY if none was but one with that user data is running a call
     *         that cannot be stopped, or -ENOENT if none is in flight
     */
    public int cancel(final long userData) {
        return engine.cancel(userData);
    }

    /**
     * As {@link #cancel(long)}, for every iocb whose {@code fd} field is {@code fd} (iocbs that name an fd slot are
     * not matched).
     *
     * @param fd the file descriptor
     * @return how many were cancelled; -EALREADY or -ENOENT as for {@link #cancel(long)}
     */
    public int cancelFd(final int fd) {
        return engine.cancelFd(fd);
    }

    /**
     * As {@link #cancel(long)}, for every iocb in flight.
     *
     * @return how many were cancelled; -EALREADY or -ENOENT as for {@link #cancel(long)}
     */
    public int cancelAll() {
        return engine.cancelAll();
    }

    /**
     * {@link #await(long, long, EventHandler)}, with the wait as a {@link Duration}.
     *
     * @param userData the iocb's user data
     * @param timeout  the longest wait
     * @param handler  receives the event
     * @return as {@link #await(long, long, EventHandler)}
     */
    public int await(final long userData, final Duration timeout, final EventHandler handler) {
        return await(userData, nanos(timeout), handler);
    }

    /** @return a timeout in nanoseconds; one too long for a long waits 292 years, and a negative one not at all */
    private static long nanos(final Duration timeout) {
        return timeout.isNegative() ? 0 : timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
    }

    /**
     * {@code io_wait}: waits for the event of the in-flight iocb with {@code userData} and hands it to
     * {@code handler} on this thread. That event does not enter the ring (no reaper sees it; its sequence is
     * {@code EventDescriptor.SEQUENCE_NOT_IN_RING}) and no other event is taken. Not for multishot iocbs.
     *
     * @param userData     the iocb's user data (if several iocbs in flight share it, one of them)
     * @param timeoutNanos the longest wait; after it the event enters the ring as usual
     * @param handler      receives the event
     * @return 1 if the event was handed over; 0 on timeout; -ENOENT if no such iocb is in flight (its event may
     *         already be in the ring)
     */
    public int await(final long userData, final long timeoutNanos, final EventHandler handler) {
        enter();
        try {
            final PrivateEvent event = privateEvents.get();
            final int length = engine.await(userData, timeoutNanos, event.buffer);
            if (length <= 0) {
                return length;
            }
            handler.onEvent(event.view.wrap(event.buffer, 0, length));
            return 1;
        } finally {
            exit();
        }
    }

    /**
     * Runs one iocb on this thread, blocking until its call returns, and hands its event — result and attribute
     * records, as submit would produce them — to {@code handler}: "issue this syscall with attributes". The event
     * does not enter the ring. The iocb must carry no iocb flags and no timeout_ms (it completes -EINVAL).
     *
     * @param iocb    exactly one iocb
     * @param handler receives its event
     * @param offset the byte offset in the file
     * @param length the length in bytes
     * @throws IocbFormatException if the bytes are not exactly one well-shaped iocb
     */
    public void execute(final DirectBuffer iocb, final int offset, final int length, final EventHandler handler) {
        enter();
        try {
            final PrivateEvent event = privateEvents.get();
            final int eventLength = engine.execute(iocb, offset, length, event.buffer);
            handler.onEvent(event.view.wrap(event.buffer, 0, eventLength));
        } finally {
            exit();
        }
    }

    /**
     * Runs the one iocb {@code writer} holds, as {@link #execute(DirectBuffer, int, int, EventHandler)}.
     *
     * @param writer the iocbs to submit
     * @param handler receives each one
     */
    public void execute(final IocbWriter writer, final EventHandler handler) {
        execute(writer.buffer(), writer.offset(), writer.length(), handler);
    }

    /** @return iocbs the engine is running now (for tests that need an iocb to have started) */
    int running() {
        return engine.running();
    }

    /** {@return iocbs accepted by submit so far} */
    public long submitted() {
        return engine.submitted();
    }

    /**
     * {@return iocbs whose events have been posted (into the ring, or onto the overflow list): with {@link
     * #submitted()}, how many are in flight. Read without a lock, so it may lag by a batch.}
     */
    public long completed() {
        return engine.completed();
    }

    /** {@return events waiting on the overflow list now} */
    public int overflowLength() {
        return engine.overflowLength();
    }

    /** {@return true once {@link #destroy()} has begun} */
    public boolean isDestroyed() {
        return destroyed;
    }

    /**
     * Destroys the context: refuses new work, cancels what has not started, waits for what has, posts every event
     * that fits, marks the ring closed, then closes the eventfd and its socket, stops every thread, gives up the ring's mapping (its pages; readers of {@link #ring()} read zeros)
     * and removes its file. Reapers in other processes keep their mapping and drain what is left.
     *
     * <p>Events still on the overflow list are not discarded: they are in the overflow file (docs/abi.md 2.8), and
     * destroy leaves it and the ring file in place, closed, for a {@link ContextReaper} to drain; the reaper that
     * drains them removes both files.
     *
     * @return events still on the overflow list, left in the overflow file (0 when the caller reaped everything
     *         first, and the files are gone)
     */
    public int destroy() {
        synchronized (this) {
            if (destroyed) {
                return 0;
            }
            destroyed = true;
        }
        OPEN.remove(this);
        while (callers.get() != 0) {
            Thread.onSpinWait();
        }
        return engine.destroy();
    }

    /** Same as {@link #destroy()}. */
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
