package io.aioring.attributes;

import io.aioring.abi.spi.AbstractAttribute;
import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.EventView;
import io.aioring.abi.Opcode;
import io.aioring.abi.spi.Operation;
import io.aioring.abi.spi.PageCacheReading;

import org.agrona.MutableDirectBuffer;

/**
 * {@code page-cache} (id 2): whether the pages a read or write touches were in the page cache when it began — all
 * of them (hit), some (partial, with the bytes that were), or none (miss) — or that the page cache plays no part
 * (not applicable: an O_DIRECT descriptor). Applies to pread, preadv, pwrite and pwritev; other opcodes get
 * "unsupported".
 *
 * <p>The count is the kernel's own: {@code cachestat(2)} (Linux 6.5) over the I/O's range just before the call
 * ({@link Operation#measureResidentBytes()}), which, unlike a read, starts no readahead that could fill the range
 * while it is measured; or, where the engine watched it ({@link Operation#RESIDENT_BY_ATTEMPT}), the read's
 * {@code RWF_NOWAIT} attempt during which its thread started no block I/O, so that no readahead of its own filled the
 * range either. Where the kernel has no cachestat (or the offset is the file position), a read falls back to a
 * first attempt with {@code RWF_NOWAIT} ({@link Operation#tryNoWaitFirst()}), unwatched, which copies only cached
 * pages: every byte a hit, -EAGAIN a miss, fewer bytes a partial; the record says which source it used, since that
 * attempt can count a page its own readahead brought in as a hit. A write without cachestat is "unsupported".
 *
 * <pre>
 *   0  u32 outcome          0 hit, 1 partial, 2 miss, 3 not applicable (O_DIRECT)
 *   4  u32 source           0 the RWF_NOWAIT attempt, 1 cachestat(2) before the call, 2 the attempt, watched
 *   8  u64 resident_bytes   bytes that were in the page cache (0 when not applicable)
 *  16  u64 requested_bytes  bytes the I/O asked for
 * </pre>
 */
public final class PageCacheAttribute extends AbstractAttribute {
    /** The attribute id an iocb asks for (docs/abi.md 3.3). */
    public static final int ID = 2;
    /** The record's version. */
    public static final int VERSION = 1;
    /** Offset of the u32 outcome in the record's payload. */
    public static final int OUTCOME_OFFSET = 0;
    /** Offset of the u64 resident_bytes in the payload. */
    public static final int RESIDENT_OFFSET = 8;
    /** Offset of the u64 requested_bytes in the payload. */
    public static final int REQUESTED_OFFSET = 16;
    /** The payload's length in bytes. */
    public static final int RETURN_LENGTH = 24;

    /** Outcome: every page was in the page cache. */
    public static final int HIT = PageCacheReading.HIT;
    /** Outcome: some were; resident_bytes says how many bytes. */
    public static final int PARTIAL = PageCacheReading.PARTIAL;
    /** Outcome: none were. */
    public static final int MISS = PageCacheReading.MISS;
    /** Outcome: the page cache plays no part (an O_DIRECT descriptor). */
    public static final int NOT_APPLICABLE = PageCacheReading.NOT_APPLICABLE;
    /** Offset of the u32 source in the payload: how the count was taken. */
    public static final int SOURCE_OFFSET = 4;
    /** The source field: the RWF_NOWAIT attempt. */
    public static final int SOURCE_NOWAIT = 0;
    /** The source field: cachestat(2) before the call. */
    public static final int SOURCE_CACHESTAT = 1;
    /** The source field: the RWF_NOWAIT attempt, during which the submitting thread started no block I/O. */
    public static final int SOURCE_WATCHED_NOWAIT = 2;

    /** Scratch: the bytes asked for. */
    private static final int REQUESTED = 0;

    /** The attribute, as the SPI's service loader makes it. */
    public PageCacheAttribute() {
        super(ID, "page-cache", VERSION, 0, 0, RETURN_LENGTH);
    }

    @Override
    public boolean supports(final int opcode) {
        return Opcode.isRead(opcode) || Opcode.isWrite(opcode);
    }

    @Override
    public void before(final Operation operation) {
        final long requested = operation.transferLength();
        operation.scratch().putLong(operation.scratchIndex() + REQUESTED, requested);
        if (requested >= 0 && operation.measureResidentBytes() == Operation.RESIDENT_UNKNOWN
            && Opcode.isRead(operation.opcode())) {
            operation.tryNoWaitFirst();
        }
    }

    @Override
    public int after(final Operation operation, final MutableDirectBuffer out, final int index) {
        final long requested = operation.scratch().getLong(operation.scratchIndex() + REQUESTED);
        final long counted = operation.residentBytes();
        final long nowait = operation.noWaitResult();
        final long result = operation.result();
        final int outcome = PageCacheReading.outcome(requested, counted, nowait, result);
        if (outcome == PageCacheReading.UNKNOWN) {
            return Opcode.isRead(operation.opcode()) ? AttributeRecordDescriptor.STATUS_FAILED
                : AttributeRecordDescriptor.STATUS_UNSUPPORTED; // a write, and no cachestat to count with
        }
        final long resident = outcome == NOT_APPLICABLE ? 0 : PageCacheReading.residentBytes(requested, counted, nowait, result);
        out.putInt(index + OUTCOME_OFFSET, outcome);
        out.putInt(index + SOURCE_OFFSET, counted == Operation.RESIDENT_UNKNOWN ? SOURCE_NOWAIT
            : operation.residentSource() == Operation.RESIDENT_BY_ATTEMPT ? SOURCE_WATCHED_NOWAIT : SOURCE_CACHESTAT);
        out.putLong(index + RESIDENT_OFFSET, resident);
        out.putLong(index + REQUESTED_OFFSET, requested);
        return AttributeRecordDescriptor.STATUS_HANDLED;
    }

    /**
     * Names an outcome, for people.
     *
     * @param outcome an outcome field's value
     * @return its name: "hit", "partial", "miss", "not applicable", or "outcome N" for a value this version does
     *         not know
     */
    public static String outcomeName(final int outcome) {
        return switch (outcome) {
            case HIT -> "hit";
            case PARTIAL -> "partial";
            case MISS -> "miss";
            case NOT_APPLICABLE -> "not applicable";
            default -> "outcome " + outcome;
        };
    }

    // Typed readers of the return record, for anyone holding an event (allocation-free).

    /**
     * Reads {@code outcome} from the event's page-cache record, with no allocation.
     *
     * @param event an event from a ring
     * @return {@link #HIT}, {@link #PARTIAL}, {@link #MISS} or {@link #NOT_APPLICABLE} from {@code event}'s page-cache
     *         record, or -1 if it has no handled one
     */
    public static int outcome(final EventView event) {
        final int payload = event.handledPayloadIndex(ID, VERSION, RETURN_LENGTH);
        return payload < 0 ? -1 : event.buffer().getInt(payload + OUTCOME_OFFSET);
    }

    /**
     * Reads {@code source} from the event's page-cache record, with no allocation.
     *
     * @param event an event from a ring
     * @return the source of {@code event}'s page-cache record ({@link #SOURCE_NOWAIT}, {@link #SOURCE_CACHESTAT} or
     *         {@link #SOURCE_WATCHED_NOWAIT}), or -1 if it has no handled one
     */
    public static int source(final EventView event) {
        final int payload = event.handledPayloadIndex(ID, VERSION, RETURN_LENGTH);
        return payload < 0 ? -1 : event.buffer().getInt(payload + SOURCE_OFFSET);
    }

    /**
     * Reads {@code residentBytes} from the event's page-cache record, with no allocation.
     *
     * @param event an event from a ring
     * @return resident_bytes of {@code event}'s page-cache record, or -1 if it has no handled one
     */
    public static long residentBytes(final EventView event) {
        final int payload = event.handledPayloadIndex(ID, VERSION, RETURN_LENGTH);
        return payload < 0 ? -1 : event.buffer().getLong(payload + RESIDENT_OFFSET);
    }

    /**
     * Reads {@code requestedBytes} from the event's page-cache record, with no allocation.
     *
     * @param event an event from a ring
     * @return requested_bytes of {@code event}'s page-cache record, or -1 if it has no handled one
     */
    public static long requestedBytes(final EventView event) {
        final int payload = event.handledPayloadIndex(ID, VERSION, RETURN_LENGTH);
        return payload < 0 ? -1 : event.buffer().getLong(payload + REQUESTED_OFFSET);
    }
}
