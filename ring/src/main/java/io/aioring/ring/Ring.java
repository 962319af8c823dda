package io.aioring.ring;

import static io.aioring.ring.RingDescriptor.*;

import io.aioring.linux.Futex;

import org.agrona.concurrent.AtomicBuffer;

/**
 * A ring laid over a buffer (usually a file mapping, see {@link RingFile}): the header checked once, then
 * accessors for the shared words. Sizes are read from shared memory once, validated, and kept in final fields,
 * so that a later scribble over the header cannot make a reader step outside the data area.
 *
 * <p>Thread-safe: it holds no mutable state of its own.
 */
public final class Ring {
    private final AtomicBuffer buffer;
    private final int dataLength;
    private final int mask;
    private final int maxPayloadLength;
    private final int maxRecordLength;
    private final long compatFeatures;
    private final long incompatFeatures;
    /** Bytes after the data area, the layer above's (0: none). */
    private final int trailerLength;

    private Ring(final AtomicBuffer buffer, final int dataLength, final int maxPayloadLength,
                 final long compatFeatures, final long incompatFeatures, final int trailerLength) {
        this.buffer = buffer;
        this.trailerLength = trailerLength;
        this.dataLength = dataLength;
        this.mask = dataLength - 1;
        this.maxPayloadLength = maxPayloadLength;
        this.maxRecordLength = RecordDescriptor.align(RecordDescriptor.HEADER_LENGTH + maxPayloadLength);
        this.compatFeatures = compatFeatures;
        this.incompatFeatures = incompatFeatures;
    }

    /**
     * Writes a fresh header into {@code buffer} (zeroing it first) and returns the ring. The magic is written
     * last, with release ordering, so that a reader who sees the magic sees a whole header.
     *
     * @param buffer the buffer
     * @param spec the ring's specification
     * @return the ring, its header published
     */
    public static Ring format(final AtomicBuffer buffer, final RingSpec spec) {
        final Ring ring = formatUnpublished(buffer, spec);
        ring.publishHeader();
        return ring;
    }

    /**
     * Writes a fresh header into {@code buffer} but for its magic, which stays 0 until {@link #publishHeader()}: an
     * owner that has more to write first (a context's application area) publishes when that is done too, so a
     * reader who sees the magic sees everything (docs/abi.md 1.1). Readers refuse the ring meanwhile.
     *
     * @param buffer the buffer
     * @param spec the ring's specification
     * @return the ring, its magic still 0
     */
    public static Ring formatUnpublished(final AtomicBuffer buffer, final RingSpec spec) {
        final long total = totalLength(spec.dataLength(), spec.trailerLength());
        if (buffer.capacity() < total) {
            throw new IllegalArgumentException("buffer of " + buffer.capacity() + " bytes cannot hold a ring of "
                + total + " bytes (" + HEADER_LENGTH + " header + " + spec.dataLength() + " data + "
                + spec.trailerLength() + " trailer)");
        }
        buffer.setMemory(0, HEADER_LENGTH, (byte) 0);
        buffer.putInt(ABI_VERSION_OFFSET, ABI_VERSION);
        buffer.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        buffer.putLong(COMPAT_FEATURES_OFFSET, spec.compatFeatures());
        buffer.putLong(INCOMPAT_FEATURES_OFFSET, spec.incompatFeatures());
        buffer.putInt(DATA_LENGTH_OFFSET, spec.dataLength());
        buffer.putInt(MAX_PAYLOAD_LENGTH_OFFSET, RingDescriptor.maxPayloadLength(spec.dataLength()));
        buffer.putInt(PRODUCER_PID_OFFSET, (int) ProcessHandle.current().pid());
        buffer.putInt(TRAILER_LENGTH_OFFSET, spec.trailerLength());
        buffer.setMemory((int) totalLength(spec.dataLength()), spec.trailerLength(), (byte) 0);
        buffer.putInt(HEAD_OFFSET, spec.initialPosition());
        buffer.putInt(TAIL_OFFSET, spec.initialPosition());
        return new Ring(buffer, spec.dataLength(), RingDescriptor.maxPayloadLength(spec.dataLength()),
            spec.compatFeatures(), spec.incompatFeatures(), spec.trailerLength());
    }

    /**
     * Checks the header in {@code buffer} and returns the ring.
     *
     * @param knownIncompatFeatures the incompat feature bits the caller understands; any other set bit is refused
     * @param buffer the memory holding a ring
     * @return the ring
     * @throws RingFormatException naming what was found and what is supported
     */
    public static Ring attach(final AtomicBuffer buffer, final long knownIncompatFeatures) {
        if (buffer.capacity() < HEADER_LENGTH) {
            throw new RingFormatException("not an aioring ring: " + buffer.capacity()
                + " bytes, shorter than the " + HEADER_LENGTH + "-byte header");
        }
        final long magic = buffer.getLongAcquire(MAGIC_OFFSET);
        if (magic == 0) {
            throw new RingFormatException("not an aioring ring (yet): its magic is 0, as in a ring whose owner has not "
                + "finished setting it up; try again in a moment");
        }
        if (magic != MAGIC) {
            throw new RingFormatException("not an aioring ring: magic is " + describeMagic(magic)
                + ", expected " + describeMagic(MAGIC));
        }
        final int version = buffer.getInt(ABI_VERSION_OFFSET);
        if (version != ABI_VERSION) {
            throw new RingFormatException("ring ABI version " + Integer.toUnsignedString(version)
                + (Integer.compareUnsigned(version, ABI_VERSION) > 0 ? " is newer than" : " is not supported by")
                + " this build, which supports version " + ABI_VERSION);
        }
        final int headerLength = buffer.getInt(HEADER_LENGTH_OFFSET);
        if (headerLength != HEADER_LENGTH) {
            throw new RingFormatException("ring header_length is " + Integer.toUnsignedString(headerLength)
                + "; ABI version " + ABI_VERSION + " requires " + HEADER_LENGTH);
        }
        final long incompat = buffer.getLong(INCOMPAT_FEATURES_OFFSET);
        final long unknown = incompat & ~knownIncompatFeatures;
        if (unknown != 0) {
            throw new RingFormatException("ring uses incompat features 0x" + Long.toHexString(unknown)
                + " that this build does not know (known: 0x" + Long.toHexString(knownIncompatFeatures) + ")");
        }
        final int dataLength = buffer.getInt(DATA_LENGTH_OFFSET);
        final String badLength = checkDataLength(Integer.toUnsignedLong(dataLength));
        if (badLength != null) {
            throw new RingFormatException("ring header is invalid: " + badLength);
        }
        if (buffer.capacity() < totalLength(dataLength)) {
            throw new RingFormatException("ring is truncated: " + buffer.capacity() + " bytes, but its header says "
                + HEADER_LENGTH + " + " + dataLength + " = " + totalLength(dataLength));
        }
        final int trailerLength = buffer.getInt(TRAILER_LENGTH_OFFSET);
        final String badTrailer = checkTrailerLength(Integer.toUnsignedLong(trailerLength));
        if (badTrailer != null) {
            throw new RingFormatException("ring header is invalid: " + badTrailer);
        }
        if (buffer.capacity() < totalLength(dataLength, trailerLength)) {
            throw new RingFormatException("ring is truncated: " + buffer.capacity() + " bytes, but its header says "
                + HEADER_LENGTH + " + " + dataLength + " + trailer " + trailerLength + " = "
                + totalLength(dataLength, trailerLength));
        }
        final int maxPayload = buffer.getInt(MAX_PAYLOAD_LENGTH_OFFSET);
        if (maxPayload != RingDescriptor.maxPayloadLength(dataLength)) {
            throw new RingFormatException("ring header is invalid: max_payload_length "
                + Integer.toUnsignedString(maxPayload) + " is not data_length / " + MAX_PAYLOAD_DIVISOR + " = "
                + RingDescriptor.maxPayloadLength(dataLength) + ", as ABI version " + ABI_VERSION + " requires");
        }
        checkCounters(buffer, dataLength);
        return new Ring(buffer, dataLength, maxPayload, buffer.getLong(COMPAT_FEATURES_OFFSET), incompat, trailerLength);
    }

    /**
     * head and tail as found at open: multiples of 8, and no more than data_length unread. A live ring's head moves
     * between the two loads, so a bad pair is judged again on fresh loads before it is refused.
     */
    private static void checkCounters(final AtomicBuffer buffer, final int dataLength) {
        for (int attempt = 0; ; attempt++) {
            final int head = buffer.getIntAcquire(HEAD_OFFSET);
            final int tail = buffer.getIntAcquire(TAIL_OFFSET);
            final int unread = tail - head;
            final String bad = ((head | tail) & (RecordDescriptor.ALIGNMENT - 1)) != 0 ? "not both multiples of 8"
                : unread < 0 ? "head is beyond tail"
                : unread > dataLength ? "more than data_length " + dataLength + " bytes unread" : null;
            if (bad == null) {
                return;
            }
            if (attempt >= 3 && buffer.getIntVolatile(HEAD_OFFSET) == head) {
                throw new RingFormatException("ring header is invalid: head " + Integer.toUnsignedString(head)
                    + " and tail " + Integer.toUnsignedString(tail) + ": " + bad);
            }
        }
    }

    /**
     * A new producer takes over this ring from one that is gone: its pid goes into the header, and the closed and
     * overflow-pending flags are cleared (the records in the ring, and head and tail, stay as they are).
     *
     * @param producerPid the producer's process id
     */
    public void takeOver(final int producerPid) {
        buffer.putInt(PRODUCER_PID_OFFSET, producerPid);
        clearFlags(RingDescriptor.FLAG_PRODUCER_CLOSED | RingDescriptor.FLAG_OVERFLOW_PENDING);
    }

    /**
     * Sets or clears incompat feature bits after creation (compare-and-set of the header word): readers that open
     * the ring from then on must know the bits set. Readers attached before keep what they checked at open, as does
     * this object's {@link #incompatFeatures()}.
     *
     * @param set the bits to set
     * @param clear the bits to clear
     */
    public void changeIncompatFeatures(final long set, final long clear) {
        while (true) {
            final long now = buffer.getLongVolatile(INCOMPAT_FEATURES_OFFSET);
            if (buffer.compareAndSetLong(INCOMPAT_FEATURES_OFFSET, now, (now | set) & ~clear)) {
                return;
            }
        }
    }

    /** Writes the magic, with release ordering: the header, and all its owner wrote before, is now readable. */
    public void publishHeader() {
        buffer.putLongRelease(MAGIC_OFFSET, MAGIC);
    }

    /**
     * {@return the magic as printable text when it is ASCII, else hex}
     *
     * @param magic the magic number
     */
    public static String describeMagic(final long magic) {
        final StringBuilder text = new StringBuilder(10).append('"');
        for (int i = 0; i < 8; i++) {
            final int c = (int) (magic >>> (8 * i)) & 0xFF;
            if (c == 0 && i == 7) {
                text.append("\\0");
            } else if (c < 0x20 || c > 0x7E) {
                return "0x" + String.format("%016x", magic);
            } else {
                text.append((char) c);
            }
        }
        return text.append('"').toString();
    }

    /** {@return the memory the ring occupies: header, data area and trailer} */
    public AtomicBuffer buffer() {
        return buffer;
    }

    /** {@return bytes in the data area (a power of two)} */
    public int dataLength() {
        return dataLength;
    }

    /** {@return dataLength - 1: ANDed with a counter it gives a position in the data area} */
    public int mask() {
        return mask;
    }

    /** {@return the longest payload one record can carry in this ring} */
    public int maxPayloadLength() {
        return maxPayloadLength;
    }

    /** {@return the largest span one record can occupy: align8(8 + max payload)} */
    public int maxRecordLength() {
        return maxRecordLength;
    }

    /** {@return the bytes after the data area that belong to the layer above (checked at attach; 0: none)} */
    public int trailerLength() {
        return trailerLength;
    }

    /** {@return the offset of the trailer in {@link #buffer()}: just past the data area} */
    public int trailerOffset() {
        return HEADER_LENGTH + dataLength;
    }

    /** {@return the ring's whole length: header, data area and trailer} */
    public long fileLength() {
        return RingDescriptor.totalLength(dataLength, trailerLength);
    }

    /** {@return the compat feature bits, as the header held them when this object was made} */
    public long compatFeatures() {
        return compatFeatures;
    }

    /** {@return the incompat feature bits, as the header held them when this object was made} */
    public long incompatFeatures() {
        return incompatFeatures;
    }

    /** {@return head, with acquire ordering} */
    public int head() {
        return buffer.getIntAcquire(HEAD_OFFSET);
    }

    /** {@return tail, with acquire ordering} */
    public int tail() {
        return buffer.getIntAcquire(TAIL_OFFSET);
    }

    /** {@return the header's flags word now (docs/abi.md 1.3)} */
    public int flags() {
        return buffer.getIntAcquire(FLAGS_OFFSET);
    }

    /**
     * Sets {@code bits} in the flags word (atomically; both sides write it).
     *
     * @param bits the bits
     */
    public void setFlags(final int bits) {
        int old;
        do {
            old = buffer.getIntVolatile(FLAGS_OFFSET);
            if ((old & bits) == bits) {
                return;
            }
        } while (!buffer.compareAndSetInt(FLAGS_OFFSET, old, old | bits));
    }

    /**
     * Clears {@code bits} in the flags word (atomically).
     *
     * @param bits the bits
     */
    public void clearFlags(final int bits) {
        int old;
        do {
            old = buffer.getIntVolatile(FLAGS_OFFSET);
            if ((old & bits) == 0) {
                return;
            }
        } while (!buffer.compareAndSetInt(FLAGS_OFFSET, old, old & ~bits));
    }

    /** {@return whether the producer has closed the ring: nothing more will be written} */
    public boolean isProducerClosed() {
        return (flags() & FLAG_PRODUCER_CLOSED) != 0;
    }

    /** {@return the doorbell counter, which reapers increment to ask the producer for attention} */
    public int doorbell() {
        return buffer.getIntVolatile(DOORBELL_OFFSET);
    }

    /**
     * Rings the doorbell: increments it and wakes the producer if it sleeps on it (a shared futex, so this works
     * from any process that maps the ring). A reaper asks the producer to move its overflow records into the ring.
     *
     * @return the doorbell's new value
     */
    public int ringDoorbell() {
        final int value = buffer.getAndAddInt(DOORBELL_OFFSET, 1) + 1;
        Futex.wakeUnchecked(buffer.addressOffset() + DOORBELL_OFFSET, Integer.MAX_VALUE);
        return value;
    }

    /**
     * Sleeps while the doorbell still holds {@code seen}, at most {@code timeoutNanos} (the producer's side).
     *
     * @param futex the address of the futex word
     * @param seen the value the word was seen to hold
     * @param timeoutNanos how long to wait at most, in nanoseconds
     * @return 0 when rung, -EAGAIN if it was rung before the call, -ETIMEDOUT, or -EINTR
     */
    public int awaitDoorbell(final Futex futex, final int seen, final long timeoutNanos) {
        return futex.await(buffer.addressOffset() + DOORBELL_OFFSET, seen, timeoutNanos);
    }

    /**
     * Sleeps while tail still holds {@code seen}, at most {@code timeoutNanos}. The producer wakes tail waiters only
     * if they say so (a context counts them in its tail_waiters word, docs/abi.md 2.9).
     *
     * @param futex the address of the futex word
     * @param seen the value the word was seen to hold
     * @param timeoutNanos how long to wait at most, in nanoseconds
     * @return 0 when woken, -EAGAIN if tail had moved, -ETIMEDOUT, or -EINTR
     */
    public int awaitTail(final Futex futex, final int seen, final long timeoutNanos) {
        return futex.await(buffer.addressOffset() + TAIL_OFFSET, seen, timeoutNanos);
    }

    /** Wakes every thread sleeping in {@link #awaitTail}, in any process. */
    public void wakeTailWaiters() {
        Futex.wakeUnchecked(buffer.addressOffset() + TAIL_OFFSET, Integer.MAX_VALUE);
    }

    /** {@return the producer's process id, from the header} */
    public int producerPid() {
        return buffer.getInt(PRODUCER_PID_OFFSET);
    }

    /** {@return the producer's last heartbeat: its CLOCK_MONOTONIC time in nanoseconds} */
    public long heartbeat() {
        return buffer.getLongVolatile(HEARTBEAT_OFFSET);
    }

    /**
     * The producer says it lives.
     *
     * @param monotonicNanos its CLOCK_MONOTONIC time now, in nanoseconds
     */
    public void heartbeat(final long monotonicNanos) {
        buffer.putLongRelease(HEARTBEAT_OFFSET, monotonicNanos);
    }

    /**
     * {@return the buffer index of data-area position {@code position & mask}}
     *
     * @param position the ring position (a free-running counter)
     */
    public int dataIndex(final int position) {
        return HEADER_LENGTH + (position & mask);
    }
}
