package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.util.concurrent.locks.ReentrantLock;

import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingCorruptedException;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * Posts completed iocbs into the ring as events, in completion order, with the overflow list behind it.
 *
 * <p>Posting is flat-combined: whoever completes an iocb queues it and, if no one else is posting, takes the post
 * lock and writes everything queued (its own and others') into the ring, publishing tail and signalling once for
 * the batch. When the ring has no room, events go to the overflow list, which keeps completion order: while it is
 * not empty, every newer event goes behind it. The list moves into the ring whenever anyone posts, on getevents,
 * and when a reaper rings the doorbell ({@link Engine}'s context thread).
 *
 * <p>The counters it publishes in the context area are copies of its own: it never reads them back.
 */
final class CompletionPoster {
    private final Ring ring;
    private final ContextArea area;
    /** Writes, publishes and signals. */
    private final EventPublisher publisher;
    private final Submissions slots;
    private final ManyToOneConcurrentArrayQueue<InFlight> completions;
    /** Where events wait when the ring has no room, mirrored in the overflow file. */
    private final OverflowList overflow;
    private final ReentrantLock postLock = new ReentrantLock();
    private Runnable overflowStarted = () -> { };
    private java.util.function.UnaryOperator<InFlight> completionWork;
    private java.util.function.Consumer<InFlight> startSuccessor;
    /** Whether the ring may still be written. */
    private final RingHealth health;
    /** Every completion counted as it is taken, for observers that take no event. */
    private final CompletionTotals totals;

    private volatile int overflowLength;
    private final java.util.concurrent.atomic.AtomicLong eventsHandedToAwaiters = new java.util.concurrent.atomic.AtomicLong();
    /** Bytes moved by completed iocbs, for the JFR statistics. */
    private final java.util.concurrent.atomic.LongAdder bytesMoved = new java.util.concurrent.atomic.LongAdder();
    /** The ring file's path, named by the JFR events. */
    private final String ringName;

    /**
     * @param overflowFile the overflow file's ring: every event on the overflow list is also written there, for reapers to
     *              drain should the engine die (docs/abi.md 2.8); null for none
     */
    CompletionPoster(final Ring ring, final io.aioring.ring.RingFile overflowFile, final ContextArea area, final Submissions slots, final int eventfd,
                     final Arena arena, final String ringName) {
        this.ring = ring;
        this.ringName = ringName;
        this.area = area;
        this.slots = slots;
        this.health = new RingHealth(ring);
        this.totals = new CompletionTotals(ring, health, postLock);
        this.completions = new ManyToOneConcurrentArrayQueue<>(slots.capacity());
        this.overflow = new OverflowList(overflowFile, area, slots);
        this.publisher = new EventPublisher(ring, area, overflow, eventfd, arena);
    }

    /**
     * Re-attach: events the previous engine left on its overflow list, oldest first, go ahead of every event of this
     * one, and into this engine's overflow file too; sequences continue from {@code nextSequence}.
     */
    void inherit(final java.util.List<byte[]> events, final long nextSequence) {
        postLock.lock();
        try {
            overflow.inherit(events, nextSequence);
            post();
        } finally {
            postLock.unlock();
        }
    }

    /** @param action run (under the post lock) when the overflow list stops being empty */
    void onOverflowStarted(final Runnable action) {
        this.overflowStarted = action;
    }

    /**
     * @param work           what the engine does as an iocb with {@link InFlight#hasCompletionWork()} completes,
     *                       before it is posted; it returns the linked iocb to start next, or null
     * @param startSuccessor starts that iocb, once its predecessor's event is queued for the ring: a chain's events
     *                       are posted in chain order (the queue's order is the ring's)
     */
    void completionWork(final java.util.function.UnaryOperator<InFlight> work,
                        final java.util.function.Consumer<InFlight> startSuccessor) {
        this.completionWork = work;
        this.startSuccessor = startSuccessor;
    }

    /** @return events on the overflow list now */
    int overflowLength() {
        return overflowLength;
    }

    /** Counts what {@code op} moved, and ends its JFR event. */
    private void finished(final InFlight op) {
        final long result = op.result();
        if (result > 0 && OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.MOVES_BYTES)) {
            bytesMoved.add(result);
        }
        op.endFlightRecord(ringName);
    }

    /** @return bytes moved by the iocbs completed so far */
    long bytesMoved() {
        return bytesMoved.sum();
    }

    /** @return events written into the ring so far */
    long eventsPosted() {
        return publisher.eventsPosted();
    }

    /** The finish sequence in one place: result, after hooks and records ({@link AttributeHooks#finish}), then the post. */
    void finish(final InFlight op, final long result) {
        AttributeHooks.finish(op, result);
        complete(op);
    }

    /** As {@link #finish}, staged for the caller's {@link #postStaged()} (a backend reaping many at once). */
    void finishStaged(final InFlight op, final long result) {
        AttributeHooks.finish(op, result);
        stage(op);
    }

    /** Posts a finished iocb (its return records built); its slot goes back to the pool once its event is in the ring. */
    void complete(final InFlight op) {
        final InFlight next = queue(op);
        postIfFree();
        if (next != null) {
            startSuccessor.accept(next);
        }
    }

    /**
     * Queues a finished iocb without posting it yet: a caller that finishes many at once posts them with one
     * {@link #postStaged()}, so one publish and at most one signal covers the batch.
     */
    void stage(final InFlight op) {
        final InFlight next = queue(op);
        if (next != null) {
            startSuccessor.accept(next); // after its predecessor's event is queued: chain order is ring order
        }
    }

    /** Its completion work done, its event queued for the ring (or handed to its awaiter): @return its successor */
    private InFlight queue(final InFlight op) {
        final InFlight next = op.hasCompletionWork() ? completionWork.apply(op) : null;
        finished(op);
        op.done();
        if (op.await().state() != AwaitWord.WAITING || !handToAwaiter(op)) {
            completions.offer(op);
        }
        return next;
    }

    /**
     * An awaited iocb: its event goes to the awaiting thread, not into the ring, and takes no sequence number.
     *
     * @return false if the awaiter gave up first (the event goes into the ring)
     */
    private boolean handToAwaiter(final InFlight op) {
        final Awaiter awaiter = op.await().take();
        if (awaiter == null) {
            return false;
        }
        final int length = op.encode(awaiter.event, 0, EventDescriptor.SEQUENCE_NOT_IN_RING);
        totals.countAlone(op);
        eventsHandedToAwaiters.incrementAndGet();
        awaiter.length = length; // before the slot is given back: the awaiter tells "handed over" from "slot reused"
        slots.release(op);
        java.util.concurrent.locks.LockSupport.unpark(awaiter.thread);
        return true;
    }

    /** The totals every completion is counted in (their own methods take the post lock where they need it). */
    CompletionTotals totals() {
        return totals;
    }

    /** Under the post lock: the next completion queued for the ring, counted in the totals; null if none. */
    private InFlight nextCompletion() {
        final InFlight op = completions.poll();
        if (op != null) {
            totals.count(op);
        }
        return op;
    }

    /** @return events handed to awaiting threads instead of the ring */
    long eventsHandedToAwaiters() {
        return eventsHandedToAwaiters.get();
    }

    /** Posts what {@link #stage} queued (and anything else waiting), unless someone else is posting it now. */
    void postStaged() {
        postIfFree();
    }

    /** Posts whatever is waiting (overflow first), taking the post lock even if someone holds it. */
    void flush() {
        postLock.lock();
        try {
            post();
        } finally {
            postLock.unlock();
        }
        postIfFree();
    }

    /** Stops posting for good: the ring is marked closed, and every reaper asleep on tail or the eventfd woken. */
    void close() {
        if (health.mappingLost()) {
            return; // the pages are gone: no flag, no tail, no futex word to wake on
        }
        try {
            publisher.close();
        } catch (final InternalError e) {
            health.loseMapping(e); // truncated since the last heartbeat looked: destroy goes on without the pages
        }
    }

    /** Flat combining: post if no one else is; whoever is will also see what was queued before it unlocked. */
    private void postIfFree() {
        while (!completions.isEmpty() && postLock.tryLock()) {
            try {
                post();
            } finally {
                postLock.unlock();
            }
        }
    }

    /** Under the post lock: overflow first, then new completions, in order; one publish and signal for all. */
    private void post() {
        if (health.corruption() == null) {
            try {
                postOrThrow();
                return;
            } catch (final RingCorruptedException e) {
                // A head no reaper could have written: stop writing into the ring for good (it could overwrite
                // unread events), keep every completion on the overflow list, and say so in the flags. The threads
                // that post carry on; the engine refuses new work and hands over what completed (takeOverflowed).
                // What this post wrote before it loaded the bad head went where the last good head left room.
                publisher.publish();
                health.giveUp(e.getMessage());
            } catch (final InternalError e) {
                health.loseMapping(e);
            }
        }
        InFlight op;
        while ((op = nextCompletion()) != null) {
            try {
                overflow.add(op, null);
            } catch (final InternalError e) {
                overflow.giveUpFile(); // its pages faulted: the event is on the list, the file is given up
            }
        }
        overflowLength = overflow.size();
    }

    /**
     * Loads and checks head now, if no one is posting (the context thread does so every heartbeat, so that a
     * hostile head is found even while the ring has room and posting never needs to load it).
     */
    void checkHead() {
        if (health.corruption() == null && postLock.tryLock()) {
            try {
                publisher.checkHead();
            } catch (final RingCorruptedException e) {
                health.giveUp(e.getMessage());
            } catch (final InternalError e) {
                health.loseMapping(e);
            } finally {
                postLock.unlock();
            }
            // Whoever queued a completion while the lock was held here left it to the holder: post it.
            postIfFree();
        }
    }

    /**
     * The ring file is smaller than the ring (the engine looked, {@code fileSize} bytes): give the ring up before
     * anything touches the lost pages.
     */
    void fileTruncated(final long fileSize) {
        postLock.lock();
        try {
            health.fileTruncated(fileSize);
        } finally {
            postLock.unlock();
        }
        postIfFree();
    }

    /** @return true once the ring's pages may be gone: nothing may touch the mapping */
    boolean mappingLost() {
        return health.mappingLost();
    }

    /** @return why the ring was given up (an impossible head), or null while it is healthy */
    String corruption() {
        return health.corruption();
    }

    /**
     * With the ring given up: takes the oldest completed event off the overflow list and encodes it at index 0 of
     * {@code target} (sequence {@link EventDescriptor#SEQUENCE_NOT_IN_RING}).
     *
     * @return its length, or 0 if there is none
     */
    int takeOverflowed(final org.agrona.MutableDirectBuffer target) {
        postLock.lock();
        try {
            post(); // completions queued since: onto the list, behind the older ones
            final int length = overflow.takeOldest(target);
            overflowLength = overflow.size();
            return length;
        } finally {
            postLock.unlock();
            postIfFree(); // what was queued while the lock was held here
        }
    }

    private void postOrThrow() {
        final boolean listEmpty = overflow.drainInto(publisher);
        InFlight op;
        while ((op = nextCompletion()) != null) {
            boolean written;
            try {
                written = listEmpty && overflow.size() == 0 && publisher.write(op);
            } catch (final RingCorruptedException | InternalError e) {
                overflow.add(op, null); // kept: first on the list, as it completed first
                throw e;
            }
            if (written) {
                slots.release(op);
            } else {
                overflow.add(op, publisher);
            }
        }
        final int length = overflow.size();
        if (length != overflowLength) {
            final boolean started = overflowLength == 0;
            overflowLength = length;
            area.overflowLength(length);
            if (length == 0) {
                ring.clearFlags(RingDescriptor.FLAG_OVERFLOW_PENDING);
            } else if (started) {
                ring.setFlags(RingDescriptor.FLAG_OVERFLOW_PENDING);
                overflowStarted.run();
            }
        }
        publisher.publishAndSignal();
    }

    /**
     * The overflow file's pages faulted (its file was truncated under the mapping, SIGBUS) or it is about to be: the
     * file is given up for good — never touched again, events that overflow from now on stay in memory only and are
     * counted as {@code overflow_volatile} — and the ring, which is intact, goes on.
     */
    void giveUpOverflowFile() {
        overflow.giveUpFile();
    }

    /** From the context thread's heartbeat: the overflow file is smaller than its ring; give it up under the lock. */
    void overflowFileTruncated() {
        postLock.lock();
        try {
            giveUpOverflowFile();
        } finally {
            postLock.unlock();
        }
    }

    /** @return true once the overflow file has been given up */
    boolean overflowFileGivenUp() {
        return overflow.fileGivenUp();
    }
}
