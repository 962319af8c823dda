package io.aioring.abi.layout;

import io.aioring.ring.RingDescriptor;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The context's totals, in the ring's trailer (after the data area, with compat feature
 * {@link ContextDescriptor#COMPAT_TOTALS}): every completion the engine made, counted by opcode as it is posted — into
 * the ring, onto the overflow list, or to a caller's await or execute — with log2 histograms of its latency and the
 * page-cache outcome of those that asked for one, published every heartbeat period and at destroy. Observers read them without taking an event, so a tool sees every
 * I/O, not the sample it happened to catch before the reapers. Offsets are from the start of the trailer; every
 * counter is a little-endian u64 the engine alone writes, from private copies it never reads back.
 *
 * <pre>
 *   offset  size  field
 *      0      8   sequence        even between updates; odd while the engine updates (a seqlock, release stores)
 *      8      4   opcode_count    blocks that follow, one per opcode from 0
 *     12      4   bucket_count    buckets per histogram ({@value #BUCKETS})
 *     16      4   block_length    bytes per block ({@value #BLOCK_LENGTH})
 *     20     44   reserved, zero
 *     64          blocks[opcode_count]
 *
 *   a block:
 *      0      8   events          completions of this opcode
 *      8      8   errors          of those, results below 0
 *     16      8   bytes           sum of positive results of opcodes that move bytes
 *     24      8   page_cache_hits          page-cache outcomes of those that asked for one (docs/abi.md 3.3)
 *     32      8   page_cache_partials
 *     40      8   page_cache_misses
 *     48      8   page_cache_not_applicable
 *     56      8   reserved, zero
 *     64    384   latency[48]     submit to completion, nanoseconds: bucket 0 holds 0, bucket b in [1, 46]
 *                                  holds [2^(b-1), 2^b), bucket 47 holds 2^46 and more
 *    448    384   service[48]     start to completion (the timing attribute's service_ns), buckets as latency
 * </pre>
 */
public final class TotalsDescriptor {
    /** Byte offset of the trailer's totals's {@code sequence} field (docs/abi.md 2.14). */
    public static final int SEQUENCE_OFFSET = 0;
    /** Byte offset of the trailer's totals's {@code opcode_count} field (docs/abi.md 2.14). */
    public static final int OPCODE_COUNT_OFFSET = 8;
    /** Byte offset of the trailer's totals's {@code bucket_count} field (docs/abi.md 2.14). */
    public static final int BUCKET_COUNT_OFFSET = 12;
    /** Byte offset of the trailer's totals's {@code block_length} field (docs/abi.md 2.14). */
    public static final int BLOCK_LENGTH_OFFSET = 16;
    /** Byte offset of the trailer's totals's {@code blocks} field (docs/abi.md 2.14). */
    public static final int BLOCKS_OFFSET = 64;

    /** Byte offset of the trailer's totals's {@code events} field (docs/abi.md 2.14). */
    public static final int EVENTS_OFFSET = 0;
    /** Byte offset of the trailer's totals's {@code errors} field (docs/abi.md 2.14). */
    public static final int ERRORS_OFFSET = 8;
    /** Byte offset of the trailer's totals's {@code bytes} field (docs/abi.md 2.14). */
    public static final int BYTES_OFFSET = 16;
    /** Byte offset of the trailer's totals's {@code page_cache_hits} field (docs/abi.md 2.14). */
    public static final int PAGE_CACHE_HITS_OFFSET = 24;
    /** Byte offset of the trailer's totals's {@code page_cache_partials} field (docs/abi.md 2.14). */
    public static final int PAGE_CACHE_PARTIALS_OFFSET = 32;
    /** Byte offset of the trailer's totals's {@code page_cache_misses} field (docs/abi.md 2.14). */
    public static final int PAGE_CACHE_MISSES_OFFSET = 40;
    /** Byte offset of the trailer's totals's {@code page_cache_not_applicable} field (docs/abi.md 2.14). */
    public static final int PAGE_CACHE_NOT_APPLICABLE_OFFSET = 48;
    /** Byte offset of the trailer's totals's {@code latency} field (docs/abi.md 2.14). */
    public static final int LATENCY_OFFSET = 64;
    /** Buckets per histogram: log2 of nanoseconds, the last one open-ended. */
    public static final int BUCKETS = 48;
    /** Byte offset of the trailer's totals's {@code service} field (docs/abi.md 2.14). */
    public static final int SERVICE_OFFSET = LATENCY_OFFSET + BUCKETS * 8;
    /** One opcode's block of totals, in bytes (docs/abi.md 2.14). */
    public static final int BLOCK_LENGTH = SERVICE_OFFSET + BUCKETS * 8;

    /** The trailer a context of this build asks for: room for one block per opcode, in whole pages. */
    public static final int TRAILER_LENGTH = trailerFor(OpcodeDescriptor.COUNT);

    private TotalsDescriptor() {
    }

    /**
     * {@return the trailer length that holds {@code opcodes} blocks, rounded up to the ring's trailer alignment}
     *
     * @param opcodes the opcodes
     */
    public static int trailerFor(final int opcodes) {
        final int bytes = BLOCKS_OFFSET + opcodes * BLOCK_LENGTH;
        final int page = RingDescriptor.TRAILER_ALIGNMENT;
        return (bytes + page - 1) / page * page;
    }

    /**
     * {@return the histogram bucket of {@code nanos}: 0 for 0 (or less), else 1 + floor(log2), at most 47}
     *
     * @param nanos a latency in nanoseconds
     */
    public static int bucketOf(final long nanos) {
        return nanos <= 0 ? 0 : Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(nanos));
    }

    /**
     * {@return the smallest nanoseconds bucket {@code b} holds}
     *
     * @param b the bucket
     */
    public static long bucketLowNanos(final int b) {
        return b == 0 ? 0 : 1L << (b - 1);
    }

    /**
     * {@return the offset of {@code opcode}'s block from the start of the trailer}
     *
     * @param opcode the opcode
     */
    public static int blockOffset(final int opcode) {
        return BLOCKS_OFFSET + opcode * BLOCK_LENGTH;
    }

    /**
     * Writes an empty totals area for {@code opcodes} blocks at {@code offset} of {@code buffer} (zeroed, as the
     * ring's trailer is when made).
     *
     * @param buffer the buffer
     * @param offset the byte offset in the file
     * @param opcodes the opcodes
     */
    public static void format(final AtomicBuffer buffer, final int offset, final int opcodes) {
        buffer.setMemory(offset, trailerFor(opcodes), (byte) 0);
        buffer.putInt(offset + OPCODE_COUNT_OFFSET, opcodes);
        buffer.putInt(offset + BUCKET_COUNT_OFFSET, BUCKETS);
        buffer.putInt(offset + BLOCK_LENGTH_OFFSET, BLOCK_LENGTH);
    }
}
