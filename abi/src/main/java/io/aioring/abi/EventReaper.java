package io.aioring.abi;

import io.aioring.ring.RecordDescriptor;
import io.aioring.ring.RecordHandler;
import io.aioring.ring.Ring;
import io.aioring.ring.RingReaper;

import org.agrona.DirectBuffer;

/**
 * Reaps events from a context's ring, in this process or another: records of type {@link EventDescriptor#RECORD_TYPE}
 * become {@link EventView}s for the handler; records of other types (not written by a context) are counted and
 * skipped. Uses a shared {@link RingReaper}, so any number of event reapers may work on one ring. One thread;
 * allocates nothing after construction.
 */
public final class EventReaper implements RecordHandler {
    private final RingReaper reaper;
    private final EventView view = new EventView();
    private EventHandler handler;
    private long bytes;
    private long foreignRecords;

    public EventReaper(final Ring ring) {
        this.reaper = new RingReaper(ring, RingReaper.Mode.SHARED);
    }

    public Ring ring() {
        return reaper.ring();
    }

    /**
     * Reaps a batch of at most {@code maxBytes} bytes of events (at least one event if any is there).
     *
     * @return events handed to {@code handler}
     */
    public int poll(final EventHandler eventHandler, final int maxBytes) {
        this.handler = eventHandler;
        final long foreignBefore = foreignRecords;
        try {
            return reaper.poll(this, maxBytes) - (int) (foreignRecords - foreignBefore);
        } finally {
            this.handler = null;
        }
    }

    /** @return bytes of ring records (header and padding included) delivered by the last {@link #poll} */
    long lastPollBytes() {
        return bytes;
    }

    /** @return records of types other than events that were skipped */
    public long foreignRecords() {
        return foreignRecords;
    }

    /** @return true if neither the ring nor this reaper holds an undelivered event */
    public boolean isEmpty() {
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

    /** Resets the byte count that {@link #lastPollBytes()} reports. */
    void resetBytes() {
        bytes = 0;
    }
}
