package io.aioring.attributes;

import io.aioring.abi.spi.AbstractAttribute;
import io.aioring.abi.EventView;
import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.spi.Operation;

import org.agrona.MutableDirectBuffer;

/**
 * {@code timing} (id 1): when the iocb was submitted, when a worker started it and when its call returned
 * (CLOCK_MONOTONIC nanoseconds, the clock of System.nanoTime on Linux), and the queue and service latencies
 * derived from them. Applies to every opcode; takes no request payload.
 *
 * <pre>
 *   0  u64 submit_ns     iocb accepted by submit
 *   8  u64 start_ns      a worker began it (after the queue)
 *  16  u64 complete_ns   its call returned
 *  24  u64 queue_ns      start_ns - submit_ns
 *  32  u64 service_ns    complete_ns - start_ns
 * </pre>
 */
public final class TimingAttribute extends AbstractAttribute {
    /** The attribute id an iocb asks for (docs/abi.md 3.2). */
    public static final int ID = 1;
    /** The record's version. */
    public static final int VERSION = 1;
    /** Offset of the u64 submit_ns in the record's payload. */
    public static final int SUBMIT_OFFSET = 0;
    /** Offset of the u64 start_ns in the payload. */
    public static final int START_OFFSET = 8;
    /** Offset of the u64 complete_ns in the payload. */
    public static final int COMPLETE_OFFSET = 16;
    /** Offset of the u64 queue_ns in the payload. */
    public static final int QUEUE_OFFSET = 24;
    /** Offset of the u64 service_ns in the payload. */
    public static final int SERVICE_OFFSET = 32;
    /** The payload's length in bytes. */
    public static final int RETURN_LENGTH = 40;

    /** The attribute, as the SPI's service loader makes it. */
    public TimingAttribute() {
        super(ID, "timing", VERSION, 0, 0, RETURN_LENGTH);
    }

    @Override
    public boolean supports(final int opcode) {
        return true;
    }

    @Override
    public int after(final Operation operation, final MutableDirectBuffer out, final int index) {
        final long submit = operation.submitNanos();
        final long start = operation.startNanos();
        final long complete = operation.completeNanos();
        out.putLong(index + SUBMIT_OFFSET, submit);
        out.putLong(index + START_OFFSET, start);
        out.putLong(index + COMPLETE_OFFSET, complete);
        out.putLong(index + QUEUE_OFFSET, start - submit);
        out.putLong(index + SERVICE_OFFSET, complete - start);
        return AttributeRecordDescriptor.STATUS_HANDLED;
    }

    // Typed readers of the return record, for anyone holding an event (allocation-free).

    /**
     * Whether the event carries a handled timing record.
     *
     * @param event an event from a ring
     * @return true if {@code event} holds a handled timing record
     */
    public static boolean isPresent(final EventView event) {
        return event.handledPayloadIndex(ID, VERSION, RETURN_LENGTH) >= 0;
    }

    /**
     * Reads {@code submitNanos} from the event's timing record, with no allocation.
     *
     * @param event an event from a ring
     * @return submit_ns of {@code event}'s timing record, or -1 if it has no handled one
     */
    public static long submitNanos(final EventView event) {
        return field(event, SUBMIT_OFFSET);
    }

    /**
     * Reads {@code startNanos} from the event's timing record, with no allocation.
     *
     * @param event an event from a ring
     * @return start_ns of {@code event}'s timing record, or -1 if it has no handled one
     */
    public static long startNanos(final EventView event) {
        return field(event, START_OFFSET);
    }

    /**
     * Reads {@code completeNanos} from the event's timing record, with no allocation.
     *
     * @param event an event from a ring
     * @return complete_ns of {@code event}'s timing record, or -1 if it has no handled one
     */
    public static long completeNanos(final EventView event) {
        return field(event, COMPLETE_OFFSET);
    }

    /**
     * Reads {@code queueNanos} from the event's timing record, with no allocation.
     *
     * @param event an event from a ring
     * @return queue_ns (start - submit) of {@code event}'s timing record, or -1 if it has no handled one
     */
    public static long queueNanos(final EventView event) {
        return field(event, QUEUE_OFFSET);
    }

    /**
     * Reads {@code serviceNanos} from the event's timing record, with no allocation.
     *
     * @param event an event from a ring
     * @return service_ns (complete - start) of {@code event}'s timing record, or -1 if it has no handled one
     */
    public static long serviceNanos(final EventView event) {
        return field(event, SERVICE_OFFSET);
    }

    private static long field(final EventView event, final int offset) {
        final int payload = event.handledPayloadIndex(ID, VERSION, RETURN_LENGTH);
        return payload < 0 ? -1 : event.buffer().getLong(payload + offset);
    }
}
