package io.aioring.abi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.aioring.abi.linux.Errno;
import io.aioring.abi.linux.Linux;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingProducer;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The engine behind a context: a fixed pool of {@link Op} slots, a queue that worker threads take iocbs from, and
 * the posting of completions into the ring.
 *
 * <p>Posting is flat-combined: a worker that finishes an op puts it on the completion queue and, if no one else is
 * posting, takes the post lock and writes everything queued (its own op and others') into the ring, publishing
 * tail and signalling the eventfd once for the batch. When the ring has no room, events go to the overflow list,
 * which keeps completion order: while it is not empty, every newer event goes behind it. The list is moved into the
 * ring whenever anyone posts, on getevents, and by the context thread when a reaper rings the doorbell.
 */
final class Engine {
    private static final int SPINS = 1000;
    private static final int YIELDS = 100;
    static final long HEARTBEAT_PERIOD_NANOS = 100_000_000L;
    /** How long the context thread waits for a doorbell before moving overflowed events in anyway. */
    static final long DOORBELL_FALLBACK_NANOS = 10_000_000L;

    private final Ring ring;
    private final AtomicBuffer header;
    private final RingProducer producer;
    private final Op[] ops;
    private final ManyToManyConcurrentArrayQueue<Op> free;
    private final ManyToManyConcurrentArrayQueue<Op> queue;
    private final ManyToOneConcurrentArrayQueue<Op> completions;
    private final ArrayDeque<Op> overflow;
    private final int overflowBound;
    private final ReentrantLock postLock = new ReentrantLock();
    private final Worker[] workers;
    private final Thread contextThread;
    private final int eventfd;
    private final Errno contextErrno;
    private final MemorySegment eventfdOne;
    private final MemorySegment doorbellTimeout;
    private final long tailAddress;

    private volatile int overflowLength;
    private volatile boolean stopping;
    private volatile boolean stopped;
    private long eventsPosted;
    private long eventsOverflowed;

    Engine(final Ring ring, final int maxInFlight, final int overflowBound, final int workerCount, final int eventfd,
           final AttributeRegistry registry, final MemoryRegistry memory, final int[] protectedFds, final Arena arena,
           final String name, final long doorbellFallbackNanos) {
        this.ring = ring;
        this.header = ring.buffer();
        this.producer = new RingProducer(ring);
        this.overflowBound = overflowBound;
        this.eventfd = eventfd;
        final int slots = maxInFlight + overflowBound;
        final int maxReturnBytes = IocbDecoder.maxReturnBytes(registry);
        this.ops = new Op[slots];
        this.free = new ManyToManyConcurrentArrayQueue<>(slots);
        this.queue = new ManyToManyConcurrentArrayQueue<>(slots);
        this.completions = new ManyToOneConcurrentArrayQueue<>(slots);
        this.overflow = new ArrayDeque<>(slots + 1);
        for (int i = 0; i < slots; i++) {
            ops[i] = new Op(maxReturnBytes);
            free.offer(ops[i]);
        }
        this.contextErrno = new Errno(arena);
        this.eventfdOne = arena.allocate(8, 8);
        eventfdOne.set(ValueLayout.JAVA_LONG, 0, 1L);
        this.doorbellTimeout = arena.allocate(16, 8);
        doorbellTimeout.set(ValueLayout.JAVA_LONG, 0, doorbellFallbackNanos / 1_000_000_000L);
        doorbellTimeout.set(ValueLayout.JAVA_LONG, 8, doorbellFallbackNanos % 1_000_000_000L);
        this.tailAddress = header.addressOffset() + RingDescriptor.TAIL_OFFSET;
        this.workers = new Worker[workerCount];
        for (int i = 0; i < workerCount; i++) {
            workers[i] = new Worker(new OpRunner(memory, protectedFds, arena));
            workers[i].thread = new Thread(workers[i], name + "-worker-" + i);
            workers[i].thread.setDaemon(true);
        }
        this.contextThread = new Thread(this::contextLoop, name + "-context");
        contextThread.setDaemon(true);
        header.putInt(ContextDescriptor.HEARTBEAT_PERIOD_OFFSET, (int) (HEARTBEAT_PERIOD_NANOS / 1_000_000));
        ring.heartbeat(System.nanoTime());
    }

    void start() {
        for (final Worker worker : workers) {
            worker.thread.start();
        }
        contextThread.start();
    }

    /** @return a free slot, or null when every slot is taken */
    Op acquire() {
        return free.poll();
    }

    /** Gives back a slot that was acquired but not queued. */
    void giveBack(final Op op) {
        free.offer(op);
    }

    boolean overflowAtBound() {
        return overflowLength >= overflowBound;
    }

    /** Queues an accepted op for the workers; {@link #wake} them after a batch. */
    void enqueue(final Op op) {
        op.state(Op.QUEUED);
        queue.offer(op);
    }

    /** Unparks up to {@code count} parked workers. */
    void wake(final int count) {
        int woken = 0;
        for (final Worker worker : workers) {
            if (woken >= count) {
                return;
            }
            if (worker.parked) {
                worker.parked = false;
                LockSupport.unpark(worker.thread);
                woken++;
            }
        }
    }

    Op[] ops() {
        return ops;
    }

    int overflowLength() {
        return overflowLength;
    }

    /** Posts whatever is waiting (overflow first), taking the post lock even if someone holds it. */
    void flush() {
        postLock.lock();
        try {
            drain();
        } finally {
            postLock.unlock();
        }
        drainIfFree();
    }

    private void complete(final Op op) {
        completions.offer(op);
        drainIfFree();
    }

    /** Flat combining: post if no one else is; whoever is will also see what was queued before it unlocked. */
    private void drainIfFree() {
        while (!completions.isEmpty() && postLock.tryLock()) {
            try {
                drain();
            } finally {
                postLock.unlock();
            }
        }
    }

    /** Under the post lock: overflow first, then new completions, in order; one publish and signal for all. */
    private void drain() {
        while (!overflow.isEmpty() && writeEvent(overflow.peekFirst())) {
            release(overflow.pollFirst());
        }
        Op op;
        while ((op = completions.poll()) != null) {
            if (overflow.isEmpty() && writeEvent(op)) {
                release(op);
            } else {
                op.eventFlags |= EventDescriptor.FLAG_OVERFLOWED;
                overflow.addLast(op);
            }
        }
        final int length = overflow.size();
        if (length != overflowLength) {
            final boolean started = overflowLength == 0;
            overflowLength = length;
            header.putIntRelease(ContextDescriptor.OVERFLOW_LENGTH_OFFSET, length);
            if (length == 0) {
                ring.clearFlags(RingDescriptor.FLAG_OVERFLOW_PENDING);
            } else if (started) {
                ring.setFlags(RingDescriptor.FLAG_OVERFLOW_PENDING);
                LockSupport.unpark(contextThread);
            }
        }
        final int tailBefore = producer.publishedTail();
        if (producer.publish()) {
            header.putLongRelease(ContextDescriptor.EVENTS_POSTED_OFFSET, eventsPosted);
            header.putLongRelease(ContextDescriptor.EVENTS_OVERFLOWED_OFFSET, eventsOverflowed);
            // Reapers register before they sleep (tail waiters, eventfd) and recheck the ring after registering;
            // the fence keeps the loads below after the store of tail, so one side always sees the other (Dekker).
            VarHandle.fullFence();
            if (header.getIntVolatile(ContextDescriptor.TAIL_WAITERS_OFFSET) != 0) {
                Linux.futexWakeUnchecked(tailAddress, Integer.MAX_VALUE);
            }
            // Edge-triggered: signal only when the reapers had emptied the ring up to the old tail (head has reached
            // it, or already passed it taking the new events). A reaper reaps until a poll finds nothing before it
            // waits, so it cannot miss events published while it was still reaping.
            if (eventfd >= 0 && ring.head() - tailBefore >= 0 && (ring.flags() & RingDescriptor.FLAG_NOTIFY_DISABLED) == 0) {
                Linux.writeUnchecked(eventfd, eventfdOne.address(), 8);
            }
        }
    }

    private boolean writeEvent(final Op op) {
        final int index = producer.tryClaim(EventDescriptor.RECORD_TYPE, op.eventLength());
        if (index == io.aioring.ring.RingProducer.NO_ROOM) {
            return false;
        }
        EventEncoder.encode(header, index, op.userData, op.result, op.eventFlags, op.opcode, op.attributeCount,
            eventsPosted, op.returns, op.returnsLength);
        producer.commit();
        eventsPosted++;
        if ((op.eventFlags & EventDescriptor.FLAG_OVERFLOWED) != 0) {
            eventsOverflowed++;
        }
        return true;
    }

    private void release(final Op op) {
        op.state(Op.FREE);
        free.offer(op);
    }

    /** The context thread: heartbeat, and moving the overflow list into the ring when reapers make room. */
    private void contextLoop() {
        final long doorbellAddress = header.addressOffset() + RingDescriptor.DOORBELL_OFFSET;
        long lastBeat = 0;
        while (!stopped) {
            final long now = System.nanoTime();
            if (now - lastBeat >= HEARTBEAT_PERIOD_NANOS) {
                ring.heartbeat(now);
                lastBeat = now;
            }
            if (overflowLength > 0) {
                final int seen = ring.doorbell();
                flush();
                if (overflowLength > 0 && !stopped) {
                    // Woken by a reaper's doorbell (futex wake), or after a short wait as a fallback.
                    Linux.futexWait(contextErrno, doorbellAddress, seen, doorbellTimeout.address());
                }
            } else {
                LockSupport.parkNanos(this, HEARTBEAT_PERIOD_NANOS);
            }
        }
    }

    /**
     * Stops the engine: queued ops that no worker has started complete with -ECANCELED, running ones finish, the
     * workers and the context thread end, and everything that fits is posted.
     *
     * @return events left on the overflow list because the ring had no room for them
     */
    int stop() {
        for (final Op op : ops) {
            op.casState(Op.QUEUED, Op.CANCELLED);
        }
        stopping = true;
        for (final Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
        for (final Worker worker : workers) {
            joinQuietly(worker.thread);
        }
        flush();
        stopped = true;
        LockSupport.unpark(contextThread);
        joinQuietly(contextThread);
        producer.close();
        return overflowLength;
    }

    private static void joinQuietly(final Thread thread) {
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

    /** A worker thread: takes ops from the queue, runs them, posts them; spins, yields, then parks when idle. */
    private final class Worker implements Runnable {
        final OpRunner runner;
        Thread thread;
        volatile boolean parked;

        Worker(final OpRunner runner) {
            this.runner = runner;
        }

        @Override
        public void run() {
            int idle = 0;
            while (true) {
                final Op op = queue.poll();
                if (op != null) {
                    idle = 0;
                    if (!op.casState(Op.QUEUED, Op.RUNNING)) {
                        op.preResult = -Errno.ECANCELED;
                        op.failedAttribute = -1;
                    }
                    runner.run(op);
                    op.state(Op.DONE);
                    complete(op);
                    continue;
                }
                if (stopping) {
                    return;
                }
                idle++;
                if (idle < SPINS) {
                    Thread.onSpinWait();
                } else if (idle < SPINS + YIELDS) {
                    Thread.yield();
                } else {
                    parked = true;
                    if (queue.isEmpty() && !stopping) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    idle = 0;
                }
            }
        }
    }
}
