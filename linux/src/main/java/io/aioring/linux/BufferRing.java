package io.aioring.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * A ring of provided buffers registered with an io_uring (IORING_REGISTER_PBUF_RING, Linux 5.19): a request with
 * IOSQE_BUFFER_SELECT takes the next buffer of the group when its bytes arrive, and the application gives buffers
 * back by adding them to the ring. The ring is {@code entries} 16-byte descriptors (struct io_uring_buf: addr u64,
 * len u32, bid u16, resv u16) whose first one's last two bytes are the tail (u16) the application advances; the
 * kernel keeps the head. One thread adds at a time.
 */
public final class BufferRing implements AutoCloseable {
    private static final int ENTRY_SIZE = 16;
    private static final int ENTRY_ADDRESS = 0;
    private static final int ENTRY_LENGTH = 8;
    private static final int ENTRY_ID = 12;
    /** struct io_uring_buf_ring: the tail shares the first entry's resv field. */
    private static final int TAIL_OFFSET = 14;
    private static final VarHandle TAIL = JAVA_SHORT.varHandle();

    private final IoUring ring;
    private final MemorySegment entries;
    private final int mask;
    private final int group;
    private short tail;
    /** Made only once the kernel took it: true until {@link #close()}. */
    private boolean registered = true;

    private BufferRing(final IoUring ring, final MemorySegment entries, final int count, final int group) {
        this.ring = ring;
        this.entries = entries;
        this.mask = count - 1;
        this.group = group;
    }

    /**
     * Registers an empty ring of {@code count} buffer descriptors as buffer group {@code group} of {@code ring}.
     *
     * @param ring  the io_uring
     * @param arena where the ring's page-aligned memory lives (at least as long as the registration)
     * @param count how many buffers the ring can hold: a power of two, at most 32768
     * @param group the buffer group's id
     * @return the ring, registered, holding no buffer yet
     * @throws IoUringException if the kernel refuses it (before 5.19: EINVAL)
     */
    public static BufferRing register(final IoUring ring, final Arena arena, final int count, final int group) {
        if (count <= 0 || count > 32768 || (count & (count - 1)) != 0) {
            throw new IllegalArgumentException("count must be a power of two in [1, 32768]: " + count);
        }
        final MemorySegment memory = arena.allocate((long) count * ENTRY_SIZE, 4096);
        memory.fill((byte) 0);
        final int r = ring.registerBufferRing(memory.address(), count, group);
        if (r < 0) {
            throw new IoUringException("io_uring_register(PBUF_RING, entries " + count + ", group " + group + ")", -r);
        }
        return new BufferRing(ring, memory, count, group);
    }

    /** {@return the buffer group's id, for {@link IoUring#prepRecvSelect}} */
    public int group() {
        return group;
    }

    /**
     * Writes a buffer into the ring's next free descriptor; the kernel sees it once {@link #publish()} is called.
     *
     * @param address the buffer's address
     * @param length  its length in bytes
     * @param id      the id its CQE will carry (at most 65535)
     */
    public void add(final long address, final int length, final int id) {
        final long entry = (long) (tail & mask) * ENTRY_SIZE;
        entries.set(JAVA_LONG, entry + ENTRY_ADDRESS, address);
        entries.set(JAVA_INT, entry + ENTRY_LENGTH, length);
        entries.set(JAVA_SHORT, entry + ENTRY_ID, (short) id);
        tail++;
    }

    /** Hands the buffers added since the last call to the kernel: a store-release of the tail. */
    public void publish() {
        TAIL.setRelease(entries, (long) TAIL_OFFSET, tail);
    }

    /** Unregisters the group (its memory stays with its arena). */
    @Override
    public void close() {
        if (registered) {
            registered = false;
            ring.unregisterBufferRing(group);
        }
    }
}
