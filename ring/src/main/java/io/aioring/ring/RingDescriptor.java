package io.aioring.ring;

import java.nio.ByteOrder;

/**
 * The byte layout of a ring: a fixed 4096-byte header followed by the data area. Every offset is defined here
 * once; {@code docs/abi.md} describes the same bytes for readers in other languages.
 *
 * <pre>
 *  byte    0                   1                   2                   3
 *  offset  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *         +---------------------------------------------------------------+
 *     0   |                 magic "AIORING\0" (8 bytes)                   |
 *         |                                                               |
 *         +---------------------------------------------------------------+
 *     8   |                     abi_version (u32)                         |
 *         +---------------------------------------------------------------+
 *    12   |                     header_length (u32)                       |
 *         +---------------------------------------------------------------+
 *    16   |                     compat_features (u64)                     |
 *         |                                                               |
 *         +---------------------------------------------------------------+
 *    24   |                     incompat_features (u64)                   |
 *         |                                                               |
 *         +---------------------------------------------------------------+
 *    32   |                     data_length (u32)                         |
 *         +---------------------------------------------------------------+
 *    36   |                     max_payload_length (u32)                  |
 *         +---------------------------------------------------------------+
 *    40   |                     producer_pid (u32)                        |
 *         +---------------------------------------------------------------+
 *    44   |                     trailer_length (u32)                      |
 *         +---------------------------------------------------------------+
 *    48   |                     reserved, zero (80 bytes)                ...
 *         +---------------------------------------------------------------+
 *   128   |                     flags (u32, atomic)                       |
 *         +---------------------------------------------------------------+
 *   132   |                     doorbell (u32, atomic)                    |
 *         +---------------------------------------------------------------+
 *   136   |                     heartbeat_ns (u64, atomic)                |
 *         |                                                               |
 *         +---------------------------------------------------------------+
 *   144   |                     reserved, zero (112 bytes)               ...
 *         +---------------------------------------------------------------+
 *   256   |                     head (u32, atomic; own 128-byte line)     |
 *         +---------------------------------------------------------------+
 *   384   |                     tail (u32, atomic; own 128-byte line)     |
 *         +---------------------------------------------------------------+
 *   512   |     application area (3584 bytes, opaque to the ring)        ...
 *         +---------------------------------------------------------------+
 *  4096   |                 data (data_length bytes)                     ...
 *         +---------------------------------------------------------------+
 *  4096 + |     trailer (trailer_length bytes, opaque to the ring)       ...
 *  data_length -------------------------------------------------------------+
 * </pre>
 *
 * <p>All integers are little-endian. {@code head} and {@code tail} are free-running unsigned 32-bit byte counters:
 * they wrap through the whole u32 range and are masked with {@code data_length - 1} only to find a position.
 * {@code tail - head} (unsigned) is the number of unread bytes. head and tail sit 128 bytes apart so that the
 * producer and the reapers never share a cache line, nor a pair of lines fetched together.
 */
public final class RingDescriptor {
    /** "AIORING\0" read as a little-endian u64. */
    public static final long MAGIC = 0x00474E49524F4941L;
    /** The only ABI version this build reads and writes. */
    public static final int ABI_VERSION = 1;

    /** Byte offset of the ring header's {@code magic} field (docs/abi.md 1.2). */
    public static final int MAGIC_OFFSET = 0;
    /** Byte offset of the ring header's {@code abi_version} field (docs/abi.md 1.2). */
    public static final int ABI_VERSION_OFFSET = 8;
    /** Byte offset of the ring header's {@code header_length} field (docs/abi.md 1.2). */
    public static final int HEADER_LENGTH_OFFSET = 12;
    /** Byte offset of the ring header's {@code compat_features} field (docs/abi.md 1.2). */
    public static final int COMPAT_FEATURES_OFFSET = 16;
    /** Byte offset of the ring header's {@code incompat_features} field (docs/abi.md 1.2). */
    public static final int INCOMPAT_FEATURES_OFFSET = 24;
    /** Byte offset of the ring header's {@code data_length} field (docs/abi.md 1.2). */
    public static final int DATA_LENGTH_OFFSET = 32;
    /** Byte offset of the ring header's {@code max_payload_length} field (docs/abi.md 1.2). */
    public static final int MAX_PAYLOAD_LENGTH_OFFSET = 36;
    /** Byte offset of the ring header's {@code producer_pid} field (docs/abi.md 1.2). */
    public static final int PRODUCER_PID_OFFSET = 40;
    /** Byte offset of the ring header's {@code trailer_length} field (docs/abi.md 1.2). */
    public static final int TRAILER_LENGTH_OFFSET = 44;
    /** Byte offset of the ring header's {@code flags} field (docs/abi.md 1.2). */
    public static final int FLAGS_OFFSET = 128;
    /** Byte offset of the ring header's {@code doorbell} field (docs/abi.md 1.2). */
    public static final int DOORBELL_OFFSET = 132;
    /** Byte offset of the ring header's {@code heartbeat_ns} field (docs/abi.md 1.2). */
    public static final int HEARTBEAT_OFFSET = 136;
    /** Byte offset of the ring header's {@code head} field (docs/abi.md 1.2). */
    public static final int HEAD_OFFSET = 256;
    /** Byte offset of the ring header's {@code tail} field (docs/abi.md 1.2). */
    public static final int TAIL_OFFSET = 384;
    /** Byte offset of the ring header's {@code application_area} field (docs/abi.md 1.2). */
    public static final int APPLICATION_AREA_OFFSET = 512;
    /** Header length in ABI version 1; the data area starts here, page aligned. */
    public static final int HEADER_LENGTH = 4096;
    /** The bytes of the header the layer above owns (docs/abi.md 1.2). */
    public static final int APPLICATION_AREA_LENGTH = HEADER_LENGTH - APPLICATION_AREA_OFFSET;
    /**
     * The largest trailer: bytes after the data area that belong to the layer above, as the application area does
     * (a context's totals). A multiple of {@link #TRAILER_ALIGNMENT}; 0 for none.
     */
    public static final int MAX_TRAILER_LENGTH = 1 << 20;
    /** A trailer's length is a multiple of this: a page. */
    public static final int TRAILER_ALIGNMENT = 4096;

    /** flags bit: the producer holds records that did not fit (an overflow list); reapers should ring the doorbell. */
    public static final int FLAG_OVERFLOW_PENDING = 1;
    /** flags bit: set by reapers to ask the producer not to signal its notification channel. */
    public static final int FLAG_NOTIFY_DISABLED = 1 << 1;
    /** flags bit: the producer has closed the ring; no record will follow those already published. */
    public static final int FLAG_PRODUCER_CLOSED = 1 << 2;
    /**
     * flags bit: the producer loaded an impossible head (beyond tail, too far behind it, misaligned, or moved
     * backwards): someone wrote the header who should not have. It writes no more records into the ring.
     */
    public static final int FLAG_CORRUPTED = 1 << 3;
    /** Every flags bit ABI version 1 defines; others are reserved and written as zero. */
    public static final int KNOWN_FLAGS = FLAG_OVERFLOW_PENDING | FLAG_NOTIFY_DISABLED | FLAG_PRODUCER_CLOSED | FLAG_CORRUPTED;

    /** Compat feature bits the ring layer itself defines (none yet). */
    public static final long RING_COMPAT_FEATURES = 0L;
    /** Incompat feature bits the ring layer itself defines (none yet). */
    public static final long RING_INCOMPAT_FEATURES = 0L;

    /** The smallest data area (data areas are powers of two). */
    public static final int MIN_DATA_LENGTH = 1024;
    /** The largest data area: 1 GiB. */
    public static final int MAX_DATA_LENGTH = 1 << 30;
    /** A record's payload may be at most data_length / MAX_PAYLOAD_DIVISOR bytes. */
    public static final int MAX_PAYLOAD_DIVISOR = 8;

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("aioring rings are little-endian; this host is " + ByteOrder.nativeOrder());
        }
    }

    private RingDescriptor() {
    }

    /**
     * {@return the total mapped length of a ring whose data area is {@code dataLength} bytes, with no trailer}
     *
     * @param dataLength the data area's length in bytes (a power of two)
     */
    public static long totalLength(final int dataLength) {
        return (long) HEADER_LENGTH + dataLength;
    }

    /**
     * {@return the total mapped length of a ring: header, data area and trailer}
     *
     * @param dataLength the data area's length in bytes (a power of two)
     * @param trailerLength the trailer's length in bytes
     */
    public static long totalLength(final int dataLength, final int trailerLength) {
        return (long) HEADER_LENGTH + dataLength + trailerLength;
    }

    /**
     * {@return null when {@code trailerLength} is a valid trailer length, else why not}
     *
     * @param trailerLength the trailer's length in bytes
     */
    public static String checkTrailerLength(final long trailerLength) {
        if (trailerLength < 0 || trailerLength > MAX_TRAILER_LENGTH || trailerLength % TRAILER_ALIGNMENT != 0) {
            return "trailer_length " + trailerLength + " is not a multiple of " + TRAILER_ALIGNMENT + " in [0, "
                + MAX_TRAILER_LENGTH + "]";
        }
        return null;
    }

    /**
     * {@return the max_payload_length a producer writes for a data area of {@code dataLength} bytes}
     *
     * @param dataLength the data area's length in bytes (a power of two)
     */
    public static int maxPayloadLength(final int dataLength) {
        return dataLength / MAX_PAYLOAD_DIVISOR;
    }

    /**
     * {@return null when {@code dataLength} is a valid data area length, else why not}
     *
     * @param dataLength the data area's length in bytes (a power of two)
     */
    public static String checkDataLength(final long dataLength) {
        if (dataLength < MIN_DATA_LENGTH || dataLength > MAX_DATA_LENGTH) {
            return "data_length " + dataLength + " is outside [" + MIN_DATA_LENGTH + ", " + MAX_DATA_LENGTH + "]";
        }
        if (Long.bitCount(dataLength) != 1) {
            return "data_length " + dataLength + " is not a power of two";
        }
        return null;
    }
}
