package io.aioring.abi;

import static io.aioring.abi.layout.SetupDescriptor.*;

import java.nio.file.Path;

import io.aioring.abi.layout.SetupException;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.layout.SetupValues;
import io.aioring.ring.RingDescriptor;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The parameters of {@code io_setup2}, held in their binary form ({@link SetupDescriptor}) so that what a caller
 * in any language would pass is exactly what is checked. Setters write the fields; {@link #ringPath} (where the
 * ring file goes) is the one parameter that is not part of the binary block.
 */
public final class SetupParams {
    /** The ring's data area unless set: 1 MiB. */
    public static final int DEFAULT_RING_DATA_BYTES = 1 << 20;
    /** Events the overflow list holds at most unless set. */
    public static final int DEFAULT_OVERFLOW_BOUND = 65_536;
    /** Iocbs in flight at most unless set. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    /** Worker threads of the threads backend unless set. */
    public static final int DEFAULT_WORKERS = 4;

    private final UnsafeBuffer block;
    private Path ringPath;

    /**
     * Version 1 defaults: eventfd and its socket, 1 MiB ring, 4 workers.
     *
     * @throws IllegalStateException in one line naming the JVM flag missing, on a JVM started without them
     */
    public SetupParams() {
        io.aioring.linux.JvmFlags.require(); // the first aioring object made: before Agrona's Unsafe is touched
        block = new UnsafeBuffer(new byte[LENGTH]);
        block.putInt(ABI_VERSION_OFFSET, RingDescriptor.ABI_VERSION);
        block.putInt(FLAGS_OFFSET, FLAG_EVENTFD | FLAG_EVENTFD_SOCKET);
        block.putInt(RING_DATA_BYTES_OFFSET, DEFAULT_RING_DATA_BYTES);
        block.putInt(OVERFLOW_BOUND_OFFSET, DEFAULT_OVERFLOW_BOUND);
        block.putInt(MAX_IN_FLIGHT_OFFSET, DEFAULT_MAX_IN_FLIGHT);
        block.putInt(WORKERS_OFFSET, DEFAULT_WORKERS);
    }

    /**
     * Parameters copied from a binary block laid out as {@link SetupDescriptor} says.
     *
     * @param source where the bytes come from
     * @param index the byte index in the buffer
     * @return the parameters, checked when a context is set up with them
     */
    public static SetupParams fromBytes(final DirectBuffer source, final int index) {
        final SetupParams params = new SetupParams();
        params.block.putBytes(0, source, index, LENGTH);
        return params;
    }

    /** {@return the binary block (writable: a caller may set fields, reserved ones included, directly)} */
    public MutableDirectBuffer block() {
        return block;
    }

    /**
     * {@return this}
     *
     * @param version the ABI version asked for; 1 is the only one (setup refuses others, naming the field)
     */
    public SetupParams abiVersion(final int version) {
        block.putInt(ABI_VERSION_OFFSET, version);
        return this;
    }

    /**
     * {@return this}
     *
     * @param flags setup flags (docs/abi.md 2.1); setup refuses an unknown bit
     */
    public SetupParams flags(final int flags) {
        block.putInt(FLAGS_OFFSET, flags);
        return this;
    }

    /**
     * {@return this}
     *
     * @param bytes the ring's data area: a power of two, at least 1 KiB (setup refuses others, naming the field)
     */
    public SetupParams ringDataBytes(final int bytes) {
        block.putInt(RING_DATA_BYTES_OFFSET, bytes);
        return this;
    }

    /**
     * {@return this}
     *
     * @param events how many completed events may wait off the ring (the overflow list) before submit says -EBUSY
     */
    public SetupParams overflowBound(final int events) {
        block.putInt(OVERFLOW_BOUND_OFFSET, events);
        return this;
    }

    /**
     * {@return this}
     *
     * @param iocbs how many iocbs may be in flight at once before submit says -EAGAIN (at most 65,536)
     */
    public SetupParams maxInFlight(final int iocbs) {
        block.putInt(MAX_IN_FLIGHT_OFFSET, iocbs);
        return this;
    }

    /**
     * {@return this}
     *
     * @param backend {@code SetupDescriptor.BACKEND_AUTO} (io_uring where it works, else threads),
     *                {@code BACKEND_IO_URING} or {@code BACKEND_THREADS}
     */
    public SetupParams backend(final int backend) {
        block.putInt(BACKEND_OFFSET, backend);
        return this;
    }

    /**
     * {@return this}
     *
     * @param backend who makes the calls: {@link Backend#AUTO}, {@link Backend#IO_URING} or {@link Backend#THREADS}
     */
    public SetupParams backend(final Backend backend) {
        return backend(backend.code());
    }

    /**
     * Sets the context's fd slots.
     *
     * @param slots the context's fd slots (iocb flags FIXED_FD and TO_SLOT); 0: 256
     * @return these parameters, for the next call
     */
    public SetupParams fdSlots(final int slots) {
        block.putInt(FD_SLOTS_OFFSET, slots);
        return this;
    }

    /** {@return the fd_slots field (0: the default, 256)} */
    public int fdSlots() {
        return block.getInt(FD_SLOTS_OFFSET);
    }

    /**
     * {@return this}
     *
     * @param position where the ring's head and tail start (u32, a multiple of 8; default 0): a value just below
     *                 2^32 makes the counters wrap within the first bytes, as the tests do
     */
    public SetupParams ringInitialPosition(final int position) {
        block.putInt(RING_INITIAL_POSITION_OFFSET, position);
        return this;
    }

    /** {@return the ring_initial_position field} */
    public int ringInitialPosition() {
        return block.getInt(RING_INITIAL_POSITION_OFFSET);
    }

    /**
     * {@return this}
     *
     * @param workers the threads backend's worker threads (io_uring's pool for calls it has no opcode for is smaller)
     */
    public SetupParams workers(final int workers) {
        block.putInt(WORKERS_OFFSET, workers);
        return this;
    }

    /**
     * Where to create the ring file (it must not exist); null: a new file under /dev/shm.
     *
     * @param path the path
     * @return these parameters, for the next call
     */
    public SetupParams ringPath(final Path path) {
        this.ringPath = path;
        return this;
    }

    /** {@return the abi_version field} */
    public int abiVersion() {
        return block.getInt(ABI_VERSION_OFFSET);
    }

    /** {@return the flags field} */
    public int flags() {
        return block.getInt(FLAGS_OFFSET);
    }

    /** {@return the ring_data_bytes field} */
    public int ringDataBytes() {
        return block.getInt(RING_DATA_BYTES_OFFSET);
    }

    /** {@return the overflow_bound field} */
    public int overflowBound() {
        return block.getInt(OVERFLOW_BOUND_OFFSET);
    }

    /** {@return the max_in_flight field} */
    public int maxInFlight() {
        return block.getInt(MAX_IN_FLIGHT_OFFSET);
    }

    /** {@return the workers field} */
    public int workers() {
        return block.getInt(WORKERS_OFFSET);
    }

    /** {@return the backend field: 0 auto, 1 io_uring, 2 threads} */
    public int backend() {
        return block.getInt(BACKEND_OFFSET);
    }

    /** {@return where the ring file will be created; null for a new file under /dev/shm} */
    public Path ringPath() {
        return ringPath;
    }

    /** {@return the fields as they are now, with the ring's path (what the engine is set up from, once checked)} */
    public SetupValues values() {
        return SetupValues.read(block, 0, ringPath);
    }

    /**
     * Checks every field.
     *
     * @throws SetupException naming the first field that is refused
     */
    public void validate() {
        final int version = abiVersion();
        if (version != RingDescriptor.ABI_VERSION) {
            throw new SetupException("abi_version", "version " + Integer.toUnsignedString(version)
                + " is not supported; this build supports version " + RingDescriptor.ABI_VERSION);
        }
        final int flags = flags();
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new SetupException("flags", String.format("unknown flag bits 0x%x (known: 0x%x)",
                flags & ~KNOWN_FLAGS, KNOWN_FLAGS));
        }
        if ((flags & FLAG_EVENTFD_SOCKET) != 0 && (flags & FLAG_EVENTFD) == 0) {
            throw new SetupException("flags", "FLAG_EVENTFD_SOCKET needs FLAG_EVENTFD");
        }
        if ((flags & FLAG_REATTACH) != 0 && ringPath == null) {
            throw new SetupException("flags", "FLAG_REATTACH needs the ring's path (ringPath)");
        }
        final String badRing = RingDescriptor.checkDataLength(Integer.toUnsignedLong(ringDataBytes()));
        if (badRing != null) {
            throw new SetupException("ring_data_bytes", badRing.replace("data_length ", ""));
        }
        checkRange("overflow_bound", overflowBound(), 0, MAX_OVERFLOW_BOUND);
        checkRange("max_in_flight", maxInFlight(), 1, SetupDescriptor.MAX_IN_FLIGHT);
        checkRange("workers", workers(), 1, MAX_WORKERS);
        checkRange("backend", backend(), BACKEND_AUTO, BACKEND_THREADS);
        checkRange("fd_slots", fdSlots(), 0, MAX_FD_SLOTS);
        if ((ringInitialPosition() & 7) != 0) {
            throw new SetupException("ring_initial_position", Integer.toUnsignedString(ringInitialPosition())
                + " is not a multiple of 8");
        }
        for (int offset = RESERVED_OFFSET; offset < LENGTH; offset++) {
            final int value = block.getByte(offset) & 0xFF;
            if (value != 0) {
                throw new SetupException("reserved", String.format("byte %d holds 0x%x; reserved bytes %d to %d must be zero",
                    offset, value, RESERVED_OFFSET, LENGTH - 1));
            }
        }
    }

    private static void checkRange(final String field, final int value, final int min, final int max) {
        if (value < min || value > max) {
            throw new SetupException(field, Integer.toUnsignedString(value) + " is outside [" + min + ", " + max + "]");
        }
    }
}
