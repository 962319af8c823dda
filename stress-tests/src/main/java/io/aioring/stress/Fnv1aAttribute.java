package io.aioring.stress;

import io.aioring.abi.spi.AbstractAttribute;
import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.Opcode;
import io.aioring.abi.spi.Operation;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A third-party attribute, outside aioring's own jars, found through {@code META-INF/services}: {@code fnv1a-64}
 * (id 4242) hashes the bytes a pread or pwrite moved, so the event carries a checksum of the data. Its request
 * payload, optional, is a u64 seed (the FNV offset basis by default).
 *
 * <pre>
 *   0  u64 hash    FNV-1a 64 of the bytes moved (the first {@code result} bytes of the buffer)
 *   8  u64 bytes   how many bytes were hashed
 * </pre>
 */
public final class Fnv1aAttribute extends AbstractAttribute {
    public static final int ID = 4242;
    public static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    public static final long PRIME = 0x100000001b3L;

    /** A view re-pointed at the caller's buffer; one per worker thread, so hashing allocates nothing. */
    private static final ThreadLocal<UnsafeBuffer> VIEW = ThreadLocal.withInitial(() -> new UnsafeBuffer(0L, 0));

    public Fnv1aAttribute() {
        super(ID, "fnv1a-64", 1, 0, 8, 16);
    }

    @Override
    public boolean supports(final int opcode) {
        return Opcode.usesBuffer(opcode);
    }

    @Override
    public int after(final Operation operation, final MutableDirectBuffer out, final int index) {
        final long result = operation.result();
        if (result < 0) {
            return AttributeRecordDescriptor.STATUS_FAILED;
        }
        long hash = operation.requestLength() == 8 ? operation.request().getLong(operation.requestIndex()) : OFFSET_BASIS;
        final UnsafeBuffer view = VIEW.get();
        view.wrap(operation.address(), (int) result);
        for (int i = 0; i < result; i++) {
            hash = (hash ^ (view.getByte(i) & 0xFF)) * PRIME;
        }
        out.putLong(index, hash);
        out.putLong(index + 8, result);
        return AttributeRecordDescriptor.STATUS_HANDLED;
    }

    /** @return FNV-1a 64 of {@code bytes}, from {@code seed} */
    public static long hash(final long seed, final byte[] bytes, final int from, final int to) {
        long hash = seed;
        for (int i = from; i < to; i++) {
            hash = (hash ^ (bytes[i] & 0xFF)) * PRIME;
        }
        return hash;
    }
}
