package io.aioring.attributes;

import io.aioring.abi.EventView;
import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.spi.AbstractAttribute;
import io.aioring.abi.spi.Operation;
import io.aioring.linux.Linux;

import org.agrona.MutableDirectBuffer;

/**
 * {@code path} (id 3): how the iocb ran — completed inline, inside the submit call on the submitting thread;
 * handed to io_uring and completed later; or made by a worker thread — and the CPU it completed on. Applies to
 * every opcode; takes no request payload. What io_uring users ask for and cannot get from io_uring itself.
 *
 * <pre>
 *   0  u32 path   0 inline, 1 async (io_uring, completed later), 2 worker (a thread of the threads backend)
 *   4  u32 cpu    the CPU the completion was seen on (sched_getcpu); 0xFFFFFFFF if unknown
 * </pre>
 */
public final class PathAttribute extends AbstractAttribute {
    /** The attribute id an iocb asks for (docs/abi.md 3.4). */
    public static final int ID = 3;
    /** The record's version. */
    public static final int VERSION = 1;
    /** Offset of the u32 path in the record's payload. */
    public static final int PATH_OFFSET = 0;
    /** Offset of the u32 cpu in the payload. */
    public static final int CPU_OFFSET = 4;
    /** The payload's length in bytes. */
    public static final int RETURN_LENGTH = 8;

    /** Path: completed inside the submit call, on the submitting thread. */
    public static final int INLINE = Operation.PATH_INLINE;
    /** Path: handed to the kernel (or the backend's readiness or timer thread) and completed later. */
    public static final int ASYNC = Operation.PATH_ASYNC;
    /** Path: made by a worker thread (the threads backend, or the pool that makes the calls io_uring lacks). */
    public static final int WORKER = Operation.PATH_WORKER;

    /** The attribute, as the SPI's service loader makes it. */
    public PathAttribute() {
        super(ID, "path", VERSION, 0, 0, RETURN_LENGTH);
    }

    @Override
    public boolean supports(final int opcode) {
        return true;
    }

    @Override
    public int after(final Operation operation, final MutableDirectBuffer out, final int index) {
        out.putInt(index + PATH_OFFSET, operation.executionPath());
        out.putInt(index + CPU_OFFSET, Linux.currentCpu());
        return AttributeRecordDescriptor.STATUS_HANDLED;
    }

    /**
     * Names a path, for people.
     *
     * @param path a path field's value
     * @return "inline", "async", "worker", or "path N" for a value this version does not know
     */
    public static String pathName(final int path) {
        return switch (path) {
            case INLINE -> "inline";
            case ASYNC -> "async";
            case WORKER -> "worker";
            default -> "path " + path;
        };
    }

    // Typed readers of the return record, for anyone holding an event (allocation-free).

    /**
     * Reads {@code path} from the event's path record, with no allocation.
     *
     * @param event an event from a ring
     * @return {@link #INLINE}, {@link #ASYNC} or {@link #WORKER} from {@code event}'s path record, or -1 if it has no
     *         handled one
     */
    public static int path(final EventView event) {
        final int payload = event.handledPayloadIndex(ID, VERSION, RETURN_LENGTH);
        return payload < 0 ? -1 : event.buffer().getInt(payload + PATH_OFFSET);
    }

    /**
     * Reads {@code cpu} from the event's path record, with no allocation.
     *
     * @param event an event from a ring
     * @return the CPU from {@code event}'s path record (-1 if unknown), or -2 if it has no handled one
     */
    public static int cpu(final EventView event) {
        final int payload = event.handledPayloadIndex(ID, VERSION, RETURN_LENGTH);
        return payload < 0 ? -2 : event.buffer().getInt(payload + CPU_OFFSET);
    }
}
