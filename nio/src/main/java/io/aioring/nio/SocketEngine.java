package io.aioring.nio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

import io.aioring.abi.AioContext;
import io.aioring.abi.EventView;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.SetupParams;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.ring.RingDescriptor;
import io.aioring.linux.Errno;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The context a channel group's sockets share: each recv, send, accept or connect is one iocb whose bytes go
 * through a slot of memory registered with the context (a caller's buffer is copied: registering each one per call
 * would cost more than the copy). Slots come in slabs of {@value #SLAB_SLOTS}, registered as the group needs more,
 * so a server with many idle connections (each with a read waiting) grows to fit; none is given back before the
 * group ends.
 */
final class SocketEngine {
    /** The most bytes one recv or send moves: a read returns at most this many, a write writes at most this many. */
    static final int SLOT_BYTES = 32 * 1024;
    static final int SLAB_SLOTS = 32;
    /** The iocbs one group may have in flight at once: each connection's read and write, each listener's accept. */
    static final int MAX_IN_FLIGHT = 16_384;
    /** The user data of a wake-up: no operation's. */
    static final long WAKE = -1L;

    /** Told once when its operation's event is reaped, on the thread that reaped it. */
    interface Ending {
        void ended(Op op, long result);
    }

    /** One operation in flight and the slot its bytes go through. */
    static final class Op {
        final int index;
        final MemorySegment slot;
        /** The slot as a buffer, for bulk copies to and from the caller's buffers that allocate nothing. */
        final java.nio.ByteBuffer view;
        /** Bumped as the op is reused: an event names the op by index and this. */
        int generation;
        Ending ending;
        long result;
        Op nextFree;

        Op(final int index, final MemorySegment slot) {
            this.index = index;
            this.slot = slot;
            this.view = slot.asByteBuffer();
        }

        long userData() {
            return (long) generation << 32 | index;
        }
    }

    private final AioContext context;
    private final Arena arena = Arena.ofShared();
    private final int[] attributeIds;
    private final ThreadLocal<IocbWriter> writers = ThreadLocal.withInitial(() -> new IocbWriter(new UnsafeBuffer(new byte[256])));
    private volatile Op[] ops = new Op[0];
    /** Free ops, a stack under this engine's lock (taken once per operation, never by a reaper's loop). */
    private Op free;
    private int inFlight;

    SocketEngine(final SetupParams params, final AttributeRegistry registry, final String[] attributes) {
        this.context = AioContext.setup(params, registry);
        // Its reapers are this engine's own threads, which poll or sleep on the tail: an eventfd signal per publish
        // would be a system call nobody reads (a reaper elsewhere, e.g. aioring trace, wakes by its heartbeat bound).
        context.ring().setFlags(RingDescriptor.FLAG_NOTIFY_DISABLED);
        this.attributeIds = NioSettings.attributeIds(context, registry, attributes);
    }

    AioContext context() {
        return context;
    }

    /** @return a free op (a new slab of them if none is free) for {@code ending} */
    synchronized Op take(final Ending ending) {
        if (free == null) {
            grow();
        }
        final Op op = free;
        free = op.nextFree;
        op.nextFree = null;
        op.ending = ending;
        inFlight++;
        return op;
    }

    /** Gives the op back (after its event, or when its iocb was never accepted). */
    synchronized void release(final Op op) {
        op.ending = null;
        op.generation++;
        op.nextFree = free;
        free = op;
        inFlight--;
    }

    /** @return ops taken and not yet released */
    synchronized int inFlight() {
        return inFlight;
    }

    private void grow() {
        final Op[] current = ops;
        final MemorySegment slab = arena.allocate((long) SLOT_BYTES * SLAB_SLOTS, 4096);
        context.registerMemory(slab);
        final Op[] next = Arrays.copyOf(current, current.length + SLAB_SLOTS);
        for (int i = SLAB_SLOTS - 1; i >= 0; i--) {
            final Op op = new Op(current.length + i, slab.asSlice((long) i * SLOT_BYTES, SLOT_BYTES));
            next[op.index] = op;
            op.nextFree = free;
            free = op;
        }
        ops = next;
    }

    /** @return the op an event's user data names, or null if none (a wake-up, or an op already reused) */
    Op lookup(final EventView event) {
        final long userData = event.userData();
        final int index = (int) userData;
        final Op[] table = ops;
        if (index < 0 || index >= table.length) {
            return null;
        }
        final Op op = table[index];
        return op.generation == (int) (userData >>> 32) && op.ending != null ? op : null;
    }

    /**
     * A recv of up to {@code length} bytes into the op's slot; -ETIME after {@code timeoutMillis} (0: none).
     *
     * @param mayDefer on one of the group's threads, the iocb may wait for the end of its turn, to go to the kernel
     *                 with the others of that turn in one submit (never for a Future, which its caller may wait on)
     * @return false if the group has ended (nothing was submitted)
     */
    boolean recv(final Op op, final SocketLife life, final int length, final long timeoutMillis, final boolean mayDefer) {
        final GroupLoop loop = mayDefer ? GroupLoop.of(this) : null;
        final IocbWriter writer = writerFor(loop).recv(life.fd, op.slot.address(), length, 0, op.userData());
        return issue(withAttributes(writer).timeoutMillis(timeoutMillis), op, life, loop);
    }

    /** A send of the first {@code length} bytes of the op's slot; as {@link #recv}. */
    boolean send(final Op op, final SocketLife life, final int length, final long timeoutMillis, final boolean mayDefer) {
        final GroupLoop loop = mayDefer ? GroupLoop.of(this) : null;
        final IocbWriter writer = writerFor(loop).send(life.fd, op.slot.address(), length, 0, op.userData());
        return issue(withAttributes(writer).timeoutMillis(timeoutMillis), op, life, loop);
    }

    /** An accept on a listening socket (the event's result is the new socket: blocking, close-on-exec); as {@link #recv}. */
    boolean accept(final Op op, final SocketLife life, final boolean mayDefer) {
        final GroupLoop loop = mayDefer ? GroupLoop.of(this) : null;
        final IocbWriter writer = writerFor(loop).accept(life.fd, io.aioring.linux.Linux.SOCK_CLOEXEC, false, op.userData());
        return issue(withAttributes(writer), op, life, loop);
    }

    /** A connect to the sockaddr of {@code length} bytes at the start of the op's slot; as {@link #recv}. */
    boolean connect(final Op op, final SocketLife life, final int length, final boolean mayDefer) {
        final GroupLoop loop = mayDefer ? GroupLoop.of(this) : null;
        final IocbWriter writer = writerFor(loop).connect(life.fd, op.slot.address(), length, op.userData());
        return issue(withAttributes(writer), op, life, loop);
    }

    private IocbWriter writerFor(final GroupLoop loop) {
        return loop != null ? loop.batch() : writer();
    }

    private boolean issue(final IocbWriter writer, final Op op, final SocketLife life, final GroupLoop loop) {
        if (loop != null) {
            loop.deferred(op, life);
            return true;
        }
        if (!submit(writer)) {
            return false;
        }
        life.submitted(op.userData());
        return true;
    }

    /** Wakes one thread waiting for events (a no-op iocb; its event names no operation). */
    void wake() {
        submit(writer().nop(WAKE));
    }

    /** Cancels the iocbs on {@code fd} still in flight: each completes -ECANCELED. */
    void cancelFd(final int fd) {
        try {
            context.cancelFd(fd);
        } catch (final IllegalStateException destroyed) {
            // the group has ended: nothing is in flight
        }
    }

    /** Cancels one op's iocb: it completes -ECANCELED, unless it has completed already. */
    void cancel(final long userData) {
        try {
            context.cancel(userData);
        } catch (final IllegalStateException destroyed) {
            // the group has ended: nothing is in flight
        }
    }

    private IocbWriter writer() {
        return writers.get().reset();
    }

    private IocbWriter withAttributes(final IocbWriter writer) {
        for (final int id : attributeIds) {
            writer.attribute(id, 0);
        }
        return writer;
    }

    /**
     * Submits, waiting while the context is full (every in-flight place taken, or the overflow list at its bound:
     * the group's threads are reaping).
     *
     * @return false if the context is destroyed (the group has ended)
     */
    private boolean submit(final IocbWriter writer) {
        return submitted(writer.buffer(), writer.offset(), writer.length()) == 1;
    }

    /**
     * Submits iocbs from the front of a batch, waiting while the context is full (every in-flight place taken, or
     * the overflow list at its bound: the group's threads are reaping, this one too if it is one of them).
     *
     * @return how many were accepted (at least one); 0 if the context is destroyed (the group has ended)
     */
    int submitted(final org.agrona.DirectBuffer batch, final int offset, final int length) {
        while (true) {
            final int accepted;
            try {
                accepted = context.submit(batch, offset, length);
            } catch (final IllegalStateException e) {
                return 0;
            }
            if (accepted > 0) {
                return accepted;
            }
            if (accepted != -Errno.EAGAIN && accepted != -Errno.EBUSY) {
                throw new IllegalStateException("submit: " + Errno.describeResult(accepted));
            }
            GroupLoop.reapIfLoopThread(this);
            LockSupport.parkNanos(10_000);
        }
    }

    /** Destroys the context and frees the slots (every op has ended). */
    void destroy() {
        context.destroy();
        arena.close();
    }
}
