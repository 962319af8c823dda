package io.aioring.nio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.aioring.abi.AioContext;
import io.aioring.abi.EventView;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.SetupParams;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.attributes.PageCacheAttribute;
import io.aioring.attributes.PathAttribute;
import io.aioring.attributes.TimingAttribute;
import io.aioring.ring.RingDescriptor;
import io.aioring.linux.Errno;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One context that channels share, and the thread that reaps it: each read or write of a channel is an iocb, and
 * each event is handed back to its channel, which completes the operation. A direct buffer's bytes move in place
 * (its window is registered with the context once, {@link DirectRegistrations}); a heap buffer's go through a slot
 * of memory registered once, and are copied (the kernel cannot be pointed at the Java heap). Operations are a fixed
 * pool, each with its slot; when every one is taken, an operation waits in a queue until one is free.
 *
 * <p>The shared engine is set up from the system properties {@link NioSettings} reads.
 */
final class ChannelEngine {
    /** The bytes one iocb moves at most: a read returns at most this many; a write is made of such pieces. */
    static final int SLOT_BYTES = 64 * 1024;
    private static final int SLOTS = 128;
    /** What an O_DIRECT channel's buffer must be aligned to for its iocb to point at it (else it goes by a slot). */
    private static final int DIRECT_ALIGNMENT = 4096;

    /** One operation in flight, and the slot its bytes go through. */
    static final class Op {
        final int index;
        final MemorySegment slot;
        /** Bumped as the slot is reused: an event names the operation by index and this. */
        int generation;
        AioFileChannel channel;
        ByteBuffer buffer;
        boolean read;
        long position;
        /** A write: bytes written so far (it is made of slot-sized pieces). */
        int done;
        /** This piece's length. */
        int length;
        /** The caller's direct buffer's window the iocb points into, or DirectRegistrations.NONE (the slot). */
        int window = DirectRegistrations.NONE;
        AioFileChannel.Completion completion;

        Op(final int index, final MemorySegment slot) {
            this.index = index;
            this.slot = slot;
        }
    }

    private static volatile ChannelEngine shared;

    private final AioContext context;
    private final Arena arena = Arena.ofShared();
    private final Op[] ops = new Op[SLOTS];
    private final DirectRegistrations directs;
    private final ManyToManyConcurrentArrayQueue<Op> free = new ManyToManyConcurrentArrayQueue<>(SLOTS);
    /** Operations that found no free slot, started as slots come back. */
    private final ConcurrentLinkedQueue<Op> waiting = new ConcurrentLinkedQueue<>();
    private final int[] attributeIds;
    /** What a reported operation's iocb asks for: the configured attributes, plus timing, page-cache and path. */
    private final int[] reportIds;
    private final ThreadLocal<IocbWriter> writers = ThreadLocal.withInitial(() -> new IocbWriter(new UnsafeBuffer(new byte[512])));
    private final Thread reaper;
    /** This thread is inside a getevents of this engine (no second one may start inside it). */
    private final ThreadLocal<boolean[]> reaping = ThreadLocal.withInitial(() -> new boolean[1]);
    private final EventHandler onEvent = new EventHandler();
    /** Iocbs submitted whose events nobody has handled yet: while none is, the reaper thread sleeps apart. */
    private final AtomicLong unreaped = new AtomicLong();
    /**
     * The reaper thread is parked (not a tail waiter): a read the page cache served, reaped by its caller inside
     * read(), then costs no futex wake and no wake-up of the reaper. Dekker with {@link #unreaped}.
     */
    private volatile boolean reaperIdle;

    ChannelEngine(final SetupParams params, final AttributeRegistry registry, final String[] attributes) {
        this.context = AioContext.setup(params, registry);
        // Its reapers are this engine's own threads, which poll or sleep on the tail: an eventfd signal per publish
        // would be a system call nobody reads (a reaper elsewhere, e.g. aioring trace, wakes by its heartbeat bound).
        context.ring().setFlags(RingDescriptor.FLAG_NOTIFY_DISABLED);
        directs = new DirectRegistrations(context);
        final MemorySegment slab = arena.allocate((long) SLOT_BYTES * SLOTS, 4096);
        context.registerMemory(slab);
        for (int i = 0; i < SLOTS; i++) {
            ops[i] = new Op(i, slab.asSlice((long) i * SLOT_BYTES, SLOT_BYTES));
            free.offer(ops[i]);
        }
        try {
            attributeIds = NioSettings.attributeIds(context, registry, attributes);
        } catch (final IllegalArgumentException e) {
            arena.close();
            throw e;
        }
        reportIds = reportIds(registry, attributeIds);
        reaper = new Thread(this::reap, "aioring-nio-reaper");
        reaper.setDaemon(true);
        reaper.start();
    }

    /** @return the engine channels share by default, set up from the system properties on first use */
    static ChannelEngine shared() {
        ChannelEngine engine = shared;
        if (engine == null) {
            synchronized (ChannelEngine.class) {
                engine = shared;
                if (engine == null) {
                    engine = new ChannelEngine(NioSettings.params(SetupParams.DEFAULT_MAX_IN_FLIGHT),
                        AttributeRegistry.discover(), NioSettings.attributeNames());
                    shared = engine;
                }
            }
        }
        return engine;
    }

    /** @return the attribute ids a reported operation asks for, or null if the registry lacks one of the three */
    private static int[] reportIds(final AttributeRegistry registry, final int[] configured) {
        final int[] wanted = {TimingAttribute.ID, PageCacheAttribute.ID, PathAttribute.ID};
        int[] ids = configured.clone();
        for (final int id : wanted) {
            if (registry.byId(id) == null) {
                return null;
            }
            if (java.util.Arrays.stream(ids).noneMatch(have -> have == id)) {
                ids = java.util.Arrays.copyOf(ids, ids.length + 1);
                ids[ids.length - 1] = id;
            }
        }
        return ids;
    }

    /** @throws UnsupportedOperationException if this engine's context cannot report (an attribute is missing) */
    void checkReports() {
        if (reportIds == null) {
            throw new UnsupportedOperationException("this context was set up without the timing, page-cache and path "
                + "attributes (is the aioring-attributes jar on the class path?)");
        }
    }

    /** @return the context (for tests and tools: its ring is where the channels' events land) */
    AioContext context() {
        return context;
    }

    /**
     * Starts a read into, or a write from, {@code buffer} at {@code position}; {@code completion} is told the
     * outcome once, from the reaper thread.
     */
    void start(final AioFileChannel channel, final ByteBuffer buffer, final long position, final boolean read,
               final AioFileChannel.Completion completion) {
        Op op = free.poll();
        if (op == null) {
            op = new Op(-1, null); // a ticket: it takes a slot's place once one is free
        }
        op.channel = channel;
        op.buffer = buffer;
        op.position = position;
        op.read = read;
        op.done = 0;
        op.completion = completion;
        if (op.index < 0) {
            waiting.offer(op);
            final Op slot = free.poll(); // one may have come back between the poll and the offer
            if (slot != null) {
                release(slot);
            }
            return;
        }
        op.window = window(op);
        issue(op);
    }

    /**
     * @return the window of the op's buffer the iocb may point into (no copy), or NONE: a heap buffer, a direct one
     *         not aligned as an O_DIRECT channel needs, or every window in use
     */
    private int window(final Op op) {
        final ByteBuffer buffer = op.buffer;
        if (!buffer.isDirect() || op.channel.direct() && (DirectRegistrations.address(buffer) & (DIRECT_ALIGNMENT - 1)) != 0) {
            return DirectRegistrations.NONE;
        }
        return directs.pin(buffer);
    }

    /** Writes and submits the op's next iocb. */
    private void issue(final Op op) {
        final ByteBuffer buffer = op.buffer;
        final int at = buffer.position() + (op.read ? 0 : op.done);
        final long address;
        final int length;
        if (op.window != DirectRegistrations.NONE) {
            address = DirectRegistrations.address(buffer) + (at - buffer.position());
            length = buffer.limit() - at;
        } else {
            address = op.slot.address();
            length = Math.min(SLOT_BYTES, buffer.limit() - at);
            if (!op.read) {
                MemorySegment.copy(MemorySegment.ofBuffer(buffer), ValueLayout.JAVA_BYTE, at - buffer.position(), op.slot,
                    ValueLayout.JAVA_BYTE, 0, length);
            }
        }
        op.length = length;
        final long userData = (long) op.generation << 32 | op.index;
        final IocbWriter writer = writers.get().reset();
        final long offset = op.position + op.done;
        if (op.read) {
            writer.pread(op.channel.fd(), address, length, offset, userData);
        } else {
            writer.pwrite(op.channel.fd(), address, length, offset, userData);
        }
        if (op.channel.direct()) {
            writer.async(); // an O_DIRECT read tried on this thread would wait here for the device, one at a time
        }
        for (final int id : op.completion.report != null ? reportIds : attributeIds) {
            writer.attribute(id, 0);
        }
        while (true) {
            final int accepted;
            unreaped.incrementAndGet();
            try {
                accepted = context.submit(writer);
            } catch (final RuntimeException e) {
                unreaped.decrementAndGet();
                finish(op, e);
                return;
            }
            if (accepted == 1) {
                // A read the page cache served completed inside submit: reap it here, so that its future is done
                // before read() returns, with no wake-up of the reaper thread and none of the caller.
                reapHere();
                if (unreaped.get() > 0 && reaperIdle) {
                    LockSupport.unpark(reaper); // something completes later (a miss, a worker's call): its turn
                }
                return;
            }
            unreaped.decrementAndGet();
            // Every engine slot taken, or the overflow list at its bound: the reaper is making room.
            LockSupport.parkNanos(10_000);
        }
    }

    /** Reaps what is there now on this thread, unless this thread is reaping already (an event's work issues more). */
    private void reapHere() {
        final boolean[] reaping = this.reaping.get();
        if (reaping[0]) {
            return;
        }
        reaping[0] = true;
        try {
            context.getevents(0, Integer.MAX_VALUE, 0, onEvent);
        } finally {
            reaping[0] = false;
        }
    }

    /** Cancels every iocb of {@code fd} still in flight (they complete -ECANCELED). */
    void cancel(final int fd) {
        context.cancelFd(fd);
    }

    private void reap() {
        reaping.get()[0] = true;
        while (!context.isDestroyed()) {
            if (unreaped.get() == 0) {
                reaperIdle = true;
                if (unreaped.get() == 0) {
                    LockSupport.parkNanos(this, 100_000_000L);
                }
                reaperIdle = false;
                continue;
            }
            try {
                context.getevents(1, Integer.MAX_VALUE, 1_000_000L, onEvent);
            } catch (final RuntimeException e) {
                if (context.isDestroyed()) {
                    return; // the JVM's exit hook destroyed the context: nothing more will complete
                }
                throw e;
            }
        }
    }

    /** Each event: copy a read's bytes out, finish the op or issue its next piece. */
    private final class EventHandler implements io.aioring.abi.EventHandler {
        @Override
        public void onEvent(final EventView event) {
            unreaped.decrementAndGet();
            final long userData = event.userData();
            final int index = (int) userData;
            if (index < 0 || index >= SLOTS) {
                return;
            }
            final Op op = ops[index];
            if (op.generation != (int) (userData >>> 32) || op.channel == null) {
                return;
            }
            final long result = event.result();
            final AioFileChannel.Completion completion = op.completion;
            if (completion.report != null) {
                completion.queueNanos += Math.max(0, TimingAttribute.queueNanos(event));
                completion.serviceNanos += Math.max(0, TimingAttribute.serviceNanos(event));
                completion.pageCache = PageCacheAttribute.outcome(event);
                completion.path = PathAttribute.path(event);
                completion.cpu = Math.max(-1, PathAttribute.cpu(event));
            }
            if (result < 0) {
                finish(op, result);
                return;
            }
            final int moved = (int) result;
            if (op.read) {
                final ByteBuffer buffer = op.buffer;
                if (op.window == DirectRegistrations.NONE) {
                    MemorySegment.copy(op.slot, ValueLayout.JAVA_BYTE, 0, MemorySegment.ofBuffer(buffer),
                        ValueLayout.JAVA_BYTE, 0, moved);
                }
                buffer.position(buffer.position() + moved);
                finish(op, moved);
                return;
            }
            op.done += moved;
            if (moved > 0 && moved == op.length && op.buffer.position() + op.done < op.buffer.limit() && op.channel.isOpen()) {
                issue(op); // the next piece of a write larger than a slot
                return;
            }
            op.buffer.position(op.buffer.position() + op.done);
            finish(op, op.done);
        }
    }

    private void finish(final Op op, final long result) {
        final AioFileChannel channel = op.channel;
        final AioFileChannel.Completion completion = op.completion;
        final String call = op.read ? "read" : "write";
        release(op);
        channel.completed(completion, result, call);
    }

    private void finish(final Op op, final RuntimeException failure) {
        final AioFileChannel channel = op.channel;
        final AioFileChannel.Completion completion = op.completion;
        release(op);
        channel.failed(completion, failure);
    }

    /** The slot goes back, to an operation that waits for one if there is any. */
    private void release(final Op op) {
        if (op.window != DirectRegistrations.NONE) {
            directs.release(op.window);
            op.window = DirectRegistrations.NONE;
        }
        op.channel = null;
        op.buffer = null;
        op.completion = null;
        op.generation++;
        final Op ticket = waiting.poll();
        if (ticket == null) {
            free.offer(op);
            return;
        }
        op.channel = ticket.channel;
        op.buffer = ticket.buffer;
        op.position = ticket.position;
        op.read = ticket.read;
        op.done = 0;
        op.completion = ticket.completion;
        op.window = window(op);
        issue(op);
    }

    /** @return the message of {@code -errno} as the JDK words a failed call: "read: EBADF (Bad file descriptor)" */
    static String describe(final String call, final long result) {
        return call + ": " + Errno.describeResult(result);
    }
}
