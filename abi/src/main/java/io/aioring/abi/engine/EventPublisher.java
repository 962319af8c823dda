package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import io.aioring.abi.layout.ContextArea;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.linux.Linux;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingProducer;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes events into the ring, publishes its tail and wakes the reapers (tail waiters, the eventfd) — the ring's
 * one producer, used under the poster's lock. The counters it publishes in the context area are its own copies.
 */
final class EventPublisher implements OverflowList.RingWriter {
    private final Ring ring;
    private final AtomicBuffer buffer;
    private final ContextArea area;
    private final RingProducer producer;
    private final OverflowList overflow;
    private final int eventfd;
    private final MemorySegment eventfdOne;
    private volatile long eventsPosted;
    private long eventsOverflowed;

    EventPublisher(final Ring ring, final ContextArea area, final OverflowList overflow, final int eventfd, final Arena arena) {
        this.ring = ring;
        this.buffer = ring.buffer();
        this.area = area;
        this.producer = new RingProducer(ring);
        this.overflow = overflow;
        this.eventfd = eventfd;
        this.eventfdOne = arena.allocate(8, 8);
        eventfdOne.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    /** @return events written into the ring so far */
    long eventsPosted() {
        return eventsPosted;
    }

    @Override
    public boolean write(final UnsafeBuffer event) {
        final int length = event.capacity();
        final int index = producer.tryClaim(EventDescriptor.RECORD_TYPE, length);
        if (index == RingProducer.NO_ROOM) {
            return false;
        }
        buffer.putBytes(index, event, 0, length);
        producer.commit();
        eventsPosted++;
        return true;
    }

    @Override
    public boolean write(final InFlight op) {
        final int index = producer.tryClaim(EventDescriptor.RECORD_TYPE, op.eventLength());
        if (index == RingProducer.NO_ROOM) {
            return false;
        }
        op.encode(buffer, index, overflow.sequenceFor(op));
        producer.commit();
        eventsPosted++;
        overflow.inRing(op);
        if (op.overflowed()) {
            eventsOverflowed++;
        }
        return true;
    }

    /** Loads and checks head (a hostile one throws {@link io.aioring.ring.RingCorruptedException}). */
    void checkHead() {
        producer.freeBytes();
    }

    /**
     * Publishes the ring's tail, then consumes the overflow-file records of the events that entered it: in that order,
     * so that an engine dying in between leaves an event in both (its sequence lets reapers drop the second) rather
     * than in neither.
     *
     * @return true if tail moved
     */
    boolean publish() {
        final boolean published = producer.publish();
        overflow.published();
        return published;
    }

    /** Publishes what was written and, if tail moved, the counters, and wakes whoever sleeps on the ring. */
    @Override
    public void publishAndSignal() {
        final int tailBefore = producer.publishedTail();
        if (publish()) {
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
                signal();
            }
        }
    }

    /** Marks the ring closed and wakes every sleeper to see it (docs/abi.md 2.9): a waiter with no timeout must not hang. */
    void close() {
        producer.close();
        VarHandle.fullFence();
        ring.wakeTailWaiters();
        if (eventfd >= 0) {
            signal();
        }
    }

    private void signal() {
        Linux.writeUnchecked(eventfd, eventfdOne.address(), 8);
    }
}
