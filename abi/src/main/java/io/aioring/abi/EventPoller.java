package io.aioring.abi;

import io.aioring.abi.layout.EventDescriptor;
import io.aioring.ring.ReapLoop;
import io.aioring.ring.RecordDescriptor;
import io.aioring.ring.RecordHandler;
import io.aioring.ring.Ring;
import io.aioring.ring.RingReaper;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Turns a context ring's records into events for {@link AioContext#getevents} and {@link ContextReaper}: records of
 * type {@link EventDescriptor#RECORD_TYPE} become {@link EventView}s for the handler; records of other types (not
 * written by a context) are counted and skipped. Uses a shared {@link RingReaper}, so any number of them may work
 * on one ring. One thread; allocates nothing after construction.
 */
final class EventPoller implements RecordHandler, ReapLoop.Source {
    private final RingReaper reaper;
    private final EventView view = new EventView();
    private EventHandler handler;
    private long foreignRecords;
    /** Bytes of records (headers and padding included) delivered since {@link #reapInto} began. */
    private long bytes;
    // What the current reapInto asked for.
    private int maxBytes;
    private AioContext context;
    /** The current reapInto asked for events (not a mere poll), until {@link #deadline}. */
    private boolean mayWait;
    /** Where events handed straight from the engine land, once it has given its ring up; made then. */
    private org.agrona.concurrent.UnsafeBuffer overflowed;
    /** Empty polls in a row; past {@link #SPINS_BEFORE_SLEEP} the poller sleeps on the ring's tail. */
    private int emptyPolls;
    private static final int SPINS_BEFORE_SLEEP = 200;
    private long deadline;

    EventPoller(final Ring ring) {
        this.reaper = new RingReaper(ring, RingReaper.Mode.SHARED, RingReaper.DEFAULT_BATCH_BYTES, new SequenceGuard(ring));
    }

    /**
     * A poller of a context's overflow file (a ring of its own), once the engine is gone: its events are numbered in
     * the context's sequence, so copies of events that entered the context's ring are dropped (docs/abi.md 2.8).
     */
    EventPoller(final Ring overflowFile, final Ring context) {
        this.reaper = new RingReaper(overflowFile, RingReaper.Mode.SHARED, RingReaper.DEFAULT_BATCH_BYTES,
            new SequenceGuard(context, true));
    }

    Ring ring() {
        return reaper.ring();
    }

    /**
     * Reaps a batch of at most {@code maxBytes} bytes of events (at least one event if any is there).
     *
     * @return events handed to {@code handler}
     */
    int poll(final EventHandler eventHandler, final int maxBytes) {
        this.handler = eventHandler;
        try {
            return pollBatch(maxBytes);
        } finally {
            this.handler = null;
        }
    }

    private int pollBatch(final int limit) {
        final long foreignBefore = foreignRecords;
        return reaper.poll(this, limit) - (int) (foreignRecords - foreignBefore);
    }

    /** getevents: reaps until {@code minEvents} or {@code maxBytes} of events, the timeout, or destroy. */
    int reapInto(final EventHandler eventHandler, final int minEvents, final int maxBytes, final IdleStrategy idle,
                 final long timeoutNanos, final AioContext owner) {
        this.bytes = 0;
        this.maxBytes = maxBytes;
        this.context = owner;
        this.handler = eventHandler;
        this.mayWait = minEvents > 0;
        this.deadline = mayWait ? System.nanoTime() + timeoutNanos : 0; // only a caller that may wait needs one
        try {
            return ReapLoop.run(this, minEvents, idle, timeoutNanos);
        } finally {
            this.handler = null;
            this.context = null;
        }
    }

    @Override
    public int poll() {
        if (!context.beforePoll()) {
            return 0;
        }
        if (context.ringCorrupted()) {
            // The engine gave the ring up (someone wrote an impossible head): its events come straight from it.
            if (overflowed == null) {
                overflowed = new org.agrona.concurrent.UnsafeBuffer(new byte[reaper.ring().maxPayloadLength()]);
            }
            int handed = 0;
            int length;
            while ((handed == 0 || bytes < maxBytes) && (length = context.takeOverflowed(overflowed)) > 0) {
                bytes += length;
                handed++;
                handler.onEvent(view.wrap(overflowed, 0, length));
            }
            return handed;
        }
        final int limit = (int) Math.min(Integer.MAX_VALUE, Math.max(1, maxBytes - bytes));
        final int reaped = pollBatch(limit);
        if (reaped > 0) {
            emptyPolls = 0;
            return reaped;
        }
        if (mayWait && isEmpty()) {
            if (context.awaitCompletions(deadline - System.nanoTime())) {
                return pollBatch(limit); // the engine's requests were in the kernel: we slept there until one completed
            }
            // Completions come from other threads (workers, epoll, the scheduler): after a short spin, sleep on the
            // tail rather than park for a back-off interval that would add its length to every wake-up.
            if (++emptyPolls >= SPINS_BEFORE_SLEEP) {
                context.awaitPosted(deadline - System.nanoTime());
                return pollBatch(limit);
            }
        }
        return 0;
    }

    @Override
    public boolean satisfied() {
        return bytes >= maxBytes || context.isDestroyed();
    }

    @Override
    public boolean ended(final long nowNanos) {
        return context.isDestroyed();
    }

    /** @return records of types other than events that were skipped */
    long foreignRecords() {
        return foreignRecords;
    }

    /** @return true if neither the ring nor this poller holds an undelivered event */
    boolean isEmpty() {
        return reaper.isEmpty();
    }

    @Override
    public void onRecord(final int type, final DirectBuffer buffer, final int index, final int length) {
        bytes += RecordDescriptor.align(RecordDescriptor.HEADER_LENGTH + length);
        if (type != EventDescriptor.RECORD_TYPE) {
            foreignRecords++;
            return;
        }
        handler.onEvent(view.wrap(buffer, index, length));
    }
}
