package io.aioring.attributes;

import io.aioring.abi.spi.AbstractAttribute;
import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.EventView;
import io.aioring.abi.Opcode;
import io.aioring.abi.spi.Operation;
import io.aioring.abi.spi.PageCacheReading;

import org.agrona.MutableDirectBuffer;

/**
 * {@code page-cache} (id 2): whether a read was served from the page cache — all of it (hit), some of it
 * (partial, with the bytes that were), or none (miss). Applies to pread and preadv; other opcodes get
 * "unsupported".
 *
 * <p>The signal is the kernel's own: the engine makes the read's first attempt with {@code RWF_NOWAIT}
 * ({@link Operation#tryNoWaitFirst()}), which copies only cached pages and never waits for the device. If it
 * returns every byte, that attempt <em>was</em> the read (a hit costs nothing extra). If it returns -EAGAIN,
 * nothing was cached (a miss costs one more read). If it returns fewer bytes, those were cached, and the whole range
 * is then read normally. mincore(2) would need the file
 * mapped and a call on every read, hit or not; RWF_NOWAIT answers with the read itself.
 *
 * <pre>
 *   0  u32 outcome          0 hit, 1 partial, 2 miss
 *   4  u32 reserved         zero
 *   8  u64 resident_bytes   bytes that were in the page cache
 *  16  u64 requested_bytes  bytes the read asked for
 * </pre>
 */
public final class PageCacheAttribute extends AbstractAttribute {
    public static final int ID = 2;
    public static final int VERSION = 1;
    public static final int OUTCOME_OFFSET = 0;
    public static final int RESIDENT_OFFSET = 8;
    public static final int REQUESTED_OFFSET = 16;
    public static final int RETURN_LENGTH = 24;

    public static final int HIT = PageCacheReading.HIT;
    public static final int PARTIAL = PageCacheReading.PARTIAL;
    public static final int MISS = PageCacheReading.MISS;

    /** Scratch: the bytes asked for. */
    private static final int REQUESTED = 0;

    public PageCacheAttribute() {
        super(ID, "page-cache", VERSION, 0, 0, RETURN_LENGTH);
    }

    @Override
    public boolean supports(final int opcode) {
        return Opcode.isRead(opcode);
    }

    @Override
    public void before(final Operation operation) {
        final long requested = operation.transferLength();
        operation.scratch().putLong(operation.scratchIndex() + REQUESTED, requested);
        if (requested >= 0) {
            operation.tryNoWaitFirst();
        }
    }

    @Override
    public int after(final Operation operation, final MutableDirectBuffer out, final int index) {
        final long requested = operation.scratch().getLong(operation.scratchIndex() + REQUESTED);
        final long nowait = operation.noWaitResult();
        final long result = operation.result();
        final int outcome = PageCacheReading.outcome(requested, nowait, result);
        if (outcome == PageCacheReading.UNKNOWN) {
            return AttributeRecordDescriptor.STATUS_FAILED;
        }
        final long resident = PageCacheReading.residentBytes(requested, nowait, result);
        out.putInt(index + OUTCOME_OFFSET, outcome);
        out.putInt(index + OUTCOME_OFFSET + 4, 0);
        out.putLong(index + RESIDENT_OFFSET, resident);
        out.putLong(index + REQUESTED_OFFSET, requested);
        return AttributeRecordDescriptor.STATUS_HANDLED;
    }

    public static String outcomeName(final int outcome) {
        return switch (outcome) {
            case HIT -> "hit";
            case PARTIAL -> "partial";
            case MISS -> "miss";
            default -> "outcome " + outcome;
        };
    }

    // Typed readers of the return record, for anyone holding an event (allocation-free).

    /** @return {@link #HIT}, {@link #PARTIAL} or {@link #MISS} from {@code event}'s page-cache record, or -1 if it has no handled one */
    public static int outcome(final EventView event) {
        final int payload = event.handledPayloadIndex(ID, VERSION, RETURN_LENGTH);
        return payload < 0 ? -1 : event.buffer().getInt(payload + OUTCOME_OFFSET);
    }

    /** @return resident_bytes of {@code event}'s page-cache record, or -1 if it has no handled one */
    public static long residentBytes(final EventView event) {
        final int payload = event.handledPayloadIndex(ID, VERSION, RETURN_LENGTH);
        return payload < 0 ? -1 : event.buffer().getLong(payload + RESIDENT_OFFSET);
    }

    /** @return requested_bytes of {@code event}'s page-cache record, or -1 if it has no handled one */
    public static long requestedBytes(final EventView event) {
        final int payload = event.handledPayloadIndex(ID, VERSION, RETURN_LENGTH);
        return payload < 0 ? -1 : event.buffer().getLong(payload + REQUESTED_OFFSET);
    }
}
