package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Linux;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingCorruptedException;
import io.aioring.ring.RingProducer;

import org.agrona.concurrent.AtomicBuffer;
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
    private final AtomicBuffer buffer;
    private final ContextArea area;
    private final RingProducer producer;
    private final Submissions slots;
    private final ManyToOneConcurrentArrayQueue<InFlight> completions;
    private final ArrayDeque<InFlight> overflow;
    private final ReentrantLock postLock = new ReentrantLock();
    private final int eventfd;
    private final MemorySegment eventfdOne;
    private Runnable overflowStarted = () -> { };
    private java.util.function.UnaryOperator<InFlight> completionWork;
    private java.util.function.Consumer<InFlight> startSuccessor;
    /** Why the ring was given up, or null. */
    private volatile String corruption;
    /** The ring's memory faulted (its file truncated): nothing here touches the mapping again. */
    private volatile boolean mappingLost;

    private volatile int overflowLength;
    private volatile long eventsPosted;
    /** The next event's sequence: fixed when an event enters the ring, or the overflow list, whichever comes first. */
    private long nextSequence;
    private final Ring spill;
    private final RingProducer spillProducer;
    /** Events of the overflow file entered the ring in this post: its head moves to spillConsumedTo after tail's publish. */
    private boolean spillConsumed;
    private int spillConsumedTo;
    /** The overflow file held an impossible head: events overflow into memory only from then on. */
    private boolean spillBroken;
    /**
     * Events a previous engine of a re-attached ring left on its overflow list (docs/abi.md 2.8): already encoded,
     * sequence and all, they enter the ring before anything of this engine's.
     */
    private final ArrayDeque<Inherited> inherited = new ArrayDeque<>();

    /** An inherited event's bytes, and where its record in this engine's overflow file ends (-1: not there). */
    private record Inherited(org.agrona.concurrent.UnsafeBuffer event, int spillEnd) {
    }
    private final java.util.concurrent.atomic.AtomicLong eventsHandedToAwaiters = new java.util.concurrent.atomic.AtomicLong();
    private long eventsOverflowed;
    /** Bytes moved by completed iocbs, for the JFR statistics. */
    private final java.util.concurrent.atomic.LongAdder bytesMoved = new java.util.concurrent.atomic.LongAdder();
    /** The ring file's path, named by the JFR events. */
    private final String ringName;

    /**
     * @param spill the overflow file's ring: every event on the overflow list is also written there, for reapers to
     *              drain should the engine die (docs/abi.md 2.8); null for none
     */
    CompletionPoster(final Ring ring, final Ring spill, final ContextArea area, final Submissions slots, final int eventfd,
                     final Arena arena, final String ringName) {
        this.ring = ring;
        this.ringName = ringName;
        this.buffer = ring.buffer();
        this.area = area;
        this.producer = new RingProducer(ring);
        this.spill = spill;
        this.spillProducer = spill == null ? null : new RingProducer(spill);
        this.slots = slots;
        this.completions = new ManyToOneConcurrentArrayQueue<>(slots.capacity());
        this.overflow = new ArrayDeque<>(slots.capacity() + 1);
        this.eventfd = eventfd;
        this.eventfdOne = arena.allocate(8, 8);
        eventfdOne.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    /**
     * Re-attach: events the previous engine left on its overflow list, oldest first, go ahead of every event of this
     * one, and into this engine's overflow file too; sequences continue from {@code nextSequence}.
     */
    void inherit(final java.util.List<byte[]> events, final long nextSequence) {
        postLock.lock();
        try {
            this.nextSequence = nextSequence;
            for (final byte[] bytes : events) {
                final org.agrona.concurrent.UnsafeBuffer event = new org.agrona.concurrent.UnsafeBuffer(bytes);
                int end = -1;
                if (spillProducer != null) {
                    try {
                        final int index = spillBroken ? RingProducer.NO_ROOM
                            : spillProducer.tryClaim(EventDescriptor.RECORD_TYPE, bytes.length);
                        if (index != RingProducer.NO_ROOM) {
                            spill.buffer().putBytes(index, event, 0, bytes.length);
                            spillProducer.commit();
                            spillProducer.publish();
                            end = spillProducer.committedTail();
                        }
                    } catch (final RingCorruptedException | InternalError e) {
                        giveUpOverflowFile();
                    }
                    if (end < 0) {
                        area.countOverflowVolatile();
                    }
                }
                inherited.addLast(new Inherited(event, end));
            }
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
        return eventsPosted;
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
        final InFlight next = op.hasCompletionWork() ? completionWork.apply(op) : null;
        finished(op);
        op.done();
        if (op.await().state() != AwaitWord.WAITING || !handToAwaiter(op)) {
            completions.offer(op);
            postIfFree();
        }
        if (next != null) {
            startSuccessor.accept(next);
        }
    }

    /**
     * Queues a finished iocb without posting it yet: a caller that finishes many at once posts them with one
     * {@link #postStaged()}, so one publish and at most one signal covers the batch.
     */
    void stage(final InFlight op) {
        final InFlight next = op.hasCompletionWork() ? completionWork.apply(op) : null;
        finished(op);
        op.done();
        if (op.await().state() != AwaitWord.WAITING || !handToAwaiter(op)) {
            completions.offer(op);
        }
        if (next != null) {
            startSuccessor.accept(next);
        }
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
        eventsHandedToAwaiters.incrementAndGet();
        awaiter.length = length; // before the slot is given back: the awaiter tells "handed over" from "slot reused"
        slots.release(op);
        java.util.concurrent.locks.LockSupport.unpark(awaiter.thread);
        return true;
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
        if (mappingLost) {
            return; // the pages are gone: no flag, no tail, no futex word to wake on
        }
        try {
            producer.close();
            // Every sleeper wakes to see PRODUCER_CLOSED (docs/abi.md 2.9): a waiter with no timeout must not hang.
            VarHandle.fullFence();
            ring.wakeTailWaiters();
        } catch (final InternalError e) {
            loseMapping(e); // truncated since the last heartbeat looked: destroy goes on without the pages
            return;
        }
        if (eventfd >= 0) {
            Linux.writeUnchecked(eventfd, eventfdOne.address(), 8);
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
        if (corruption == null) {
            try {
                postOrThrow();
                return;
            } catch (final RingCorruptedException e) {
                // A head no reaper could have written: stop writing into the ring for good (it could overwrite
                // unread events), keep every completion on the overflow list, and say so in the flags. The threads
                // that post carry on; the engine refuses new work and hands over what completed (takeOverflowed).
                // What this post wrote before it loaded the bad head went where the last good head left room.
                publishAndConsumeSpill();
                giveUp(e.getMessage());
            } catch (final InternalError e) {
                loseMapping(e);
            }
        }
        InFlight op;
        while ((op = completions.poll()) != null) {
            toOverflow(op);
        }
        overflowLength = overflow.size() + inherited.size();
    }

    /**
     * Loads and checks head now, if no one is posting (the context thread does so every heartbeat, so that a
     * hostile head is found even while the ring has room and posting never needs to load it).
     */
    void checkHead() {
        if (corruption == null && postLock.tryLock()) {
            try {
                producer.freeBytes();
            } catch (final RingCorruptedException e) {
                giveUp(e.getMessage());
            } catch (final InternalError e) {
                loseMapping(e);
            } finally {
                postLock.unlock();
            }
            // Whoever queued a completion while the lock was held here left it to the holder: post it.
            postIfFree();
        }
    }

    /** Under the post lock: the ring is given up for {@code reason}; says so in its flags if the header is there. */
    private void giveUp(final String reason) {
        corruption = reason;
        if (!mappingLost) {
            try {
                ring.setFlags(RingDescriptor.FLAG_CORRUPTED);
            } catch (final InternalError e) {
                mappingLost = true;
            }
        }
    }

    /**
     * Under the post lock: touching the mapping faulted (SIGBUS, which the JVM raises as an InternalError in the
     * thread that touched it): the ring file was truncated under it. Events being written then are lost with the
     * pages; every later one goes to the overflow list and is handed over (takeOverflowed).
     */
    private void loseMapping(final InternalError e) {
        // The header's page may have survived (only data pages lost): giveUp tries the flag, and faults no worse.
        giveUp("the ring's memory faulted (" + e.getMessage() + "): its file was truncated under the mapping");
        mappingLost = true;
    }

    /**
     * The ring file is smaller than the ring (the engine looked, {@code fileSize} bytes): give the ring up before
     * anything touches the lost pages.
     */
    void fileTruncated(final long fileSize) {
        postLock.lock();
        try {
            if (!mappingLost) {
                // The flag goes in only if the header's page is still there.
                mappingLost = fileSize < RingDescriptor.HEADER_LENGTH;
                giveUp("the ring file was truncated to " + fileSize + " bytes under the mapping");
                mappingLost = true;
            }
        } finally {
            postLock.unlock();
        }
        postIfFree();
    }

    /** @return true once the ring's pages may be gone: nothing may touch the mapping */
    boolean mappingLost() {
        return mappingLost;
    }

    /** @return why the ring was given up (an impossible head), or null while it is healthy */
    String corruption() {
        return corruption;
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
            final Inherited old = inherited.pollFirst();
            if (old != null) {
                overflowLength = overflow.size() + inherited.size();
                final int length = old.event().capacity();
                target.putBytes(0, old.event(), 0, length);
                target.putLong(EventDescriptor.SEQUENCE_OFFSET, EventDescriptor.SEQUENCE_NOT_IN_RING);
                if (old.spillEnd() >= 0) {
                    consumeSpill(old.spillEnd());
                }
                return length;
            }
            final InFlight op = overflow.pollFirst();
            if (op == null) {
                return 0;
            }
            overflowLength = overflow.size() + inherited.size();
            final int length = op.encode(target, 0, EventDescriptor.SEQUENCE_NOT_IN_RING);
            if (op.placement().inFile()) {
                consumeSpill(op.placement().fileEnd());
            }
            slots.release(op);
            return length;
        } finally {
            postLock.unlock();
            postIfFree(); // what was queued while the lock was held here
        }
    }

    private void postOrThrow() {
        while (!inherited.isEmpty() && writeInherited(inherited.peekFirst())) {
            final Inherited event = inherited.pollFirst();
            if (event.spillEnd() >= 0) {
                spillConsumedTo = event.spillEnd();
                spillConsumed = true;
            }
        }
        while (inherited.isEmpty() && !overflow.isEmpty() && writeEvent(overflow.peekFirst())) {
            slots.release(overflow.pollFirst());
        }
        InFlight op;
        while ((op = completions.poll()) != null) {
            boolean written;
            try {
                written = inherited.isEmpty() && overflow.isEmpty() && writeEvent(op);
            } catch (final RingCorruptedException | InternalError e) {
                toOverflow(op); // kept: first on the list, as it completed first
                throw e;
            }
            if (written) {
                slots.release(op);
            } else {
                toOverflow(op);
            }
        }
        final int length = overflow.size() + inherited.size();
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
        final int tailBefore = producer.publishedTail();
        if (publishAndConsumeSpill()) {
            area.eventsPosted(eventsPosted);
            area.eventsOverflowed(eventsOverflowed);
            // Reapers register before they sleep (tail waiters, eventfd) and recheck the ring after registering;
            // the fence keeps the loads below after the store of tail, so one side always sees the other (Dekker).
            VarHandle.fullFence();
            if (area.hasTailWaiters()) {
                ring.wakeTailWaiters();
            }
            // Edge-triggered: signal only when the reapers had emptied the ring up to the old tail (head has reached
            // it, or already passed it taking the new events). A reaper reaps until a poll finds nothing before it
            // waits, so it cannot miss events published while it was still reaping.
            // The flag first: head is the reapers' line, and a ring that asked for no signal need not load it.
            if (eventfd >= 0 && (ring.flags() & RingDescriptor.FLAG_NOTIFY_DISABLED) == 0 && ring.head() - tailBefore >= 0) {
                Linux.writeUnchecked(eventfd, eventfdOne.address(), 8);
            }
        }
    }

    /**
     * Onto the overflow list, its sequence fixed now (events enter the ring in list order, so the ring's sequence
     * stays 0, 1, 2...), and into the overflow file when it has room: a reaper drains the file if the engine dies.
     */
    private void toOverflow(final InFlight op) {
        op.markOverflowed();
        op.placement().sequence(nextSequence++);
        if (spillProducer != null) {
            boolean written = false;
            if (!spillBroken) {
                try {
                    final int index = spillProducer.tryClaim(EventDescriptor.RECORD_TYPE, op.eventLength());
                    if (index != RingProducer.NO_ROOM) {
                        op.encode(spill.buffer(), index, op.placement().sequence());
                        spillProducer.commit();
                        spillProducer.publish(); // now, not at the end of the post: a death mid-post loses none
                        op.placement().writtenToFile(spillProducer.committedTail());
                        written = true;
                    }
                } catch (final RingCorruptedException e) {
                    spillBroken = true; // someone wrote the overflow file's head: the file is given up, the ring is not
                } catch (final InternalError e) {
                    giveUpOverflowFile(); // its file was truncated under the mapping: the ring is untouched
                }
            }
            if (!written) {
                area.countOverflowVolatile();
            }
        }
        overflow.addLast(op);
    }

    /**
     * Publishes the ring's tail, then consumes the overflow-file records of the events that entered it: in that order,
     * so that an engine dying in between leaves an event in both (its sequence lets reapers drop the second) rather
     * than in neither.
     *
     * @return true if tail moved
     */
    private boolean publishAndConsumeSpill() {
        final boolean published = producer.publish();
        if (spillConsumed) {
            consumeSpill(spillConsumedTo);
            spillConsumed = false;
        }
        return published;
    }

    /** The engine is the overflow file's one reaper while it lives: head moves by a release store. */
    private void consumeSpill(final int end) {
        if (spillBroken) {
            return;
        }
        try {
            // From the engine's own record of where each event's record ends: a word read back is never trusted.
            spill.buffer().putIntRelease(RingDescriptor.HEAD_OFFSET, end);
        } catch (final InternalError e) {
            giveUpOverflowFile();
        }
    }

    /**
     * The overflow file's pages faulted (its file was truncated under the mapping, SIGBUS) or it is about to be: the
     * file is given up for good — never touched again, events that overflow from now on stay in memory only and are
     * counted as {@code overflow_volatile} — and the ring, which is intact, goes on.
     */
    void giveUpOverflowFile() {
        spillBroken = true;
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
        return spillBroken;
    }

    private boolean writeInherited(final Inherited event) {
        final int length = event.event().capacity();
        final int index = producer.tryClaim(EventDescriptor.RECORD_TYPE, length);
        if (index == RingProducer.NO_ROOM) {
            return false;
        }
        buffer.putBytes(index, event.event(), 0, length);
        producer.commit();
        eventsPosted++;
        return true;
    }

    private boolean writeEvent(final InFlight op) {
        final int index = producer.tryClaim(EventDescriptor.RECORD_TYPE, op.eventLength());
        if (index == RingProducer.NO_ROOM) {
            return false;
        }
        final long sequence = op.placement().sequence() != Placement.NO_SEQUENCE ? op.placement().sequence() : nextSequence++;
        op.encode(buffer, index, sequence);
        producer.commit();
        eventsPosted++;
        if (op.placement().inFile()) {
            spillConsumedTo = op.placement().fileEnd(); // list order is file order: the last one's end covers the rest
            spillConsumed = true;
        }
        if (op.overflowed()) {
            eventsOverflowed++;
        }
        return true;
    }
}
