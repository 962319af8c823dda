package io.aioring.nio;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/** Bytes between a caller's buffers (one, or a sequence) and a slot; absolute bulk copies, so nothing is allocated. */
final class Buffers {
    private Buffers() {
    }

    /** @return the bytes {@code single}, or every buffer of {@code many}, has room for (or holds) */
    static long remaining(final ByteBuffer single, final ByteBuffer[] many) {
        if (single != null) {
            return single.remaining();
        }
        long total = 0;
        for (final ByteBuffer buffer : many) {
            total += buffer.remaining();
        }
        return total;
    }

    /** Copies the first {@code length} bytes of {@code slot} into the buffers, in order, and moves their positions. */
    static void scatter(final ByteBuffer slot, final int length, final ByteBuffer single, final ByteBuffer[] many) {
        if (single != null) {
            single.put(single.position(), slot, 0, length);
            single.position(single.position() + length);
            return;
        }
        int at = 0;
        for (int i = 0; i < many.length && at < length; i++) {
            final ByteBuffer buffer = many[i];
            final int n = Math.min(buffer.remaining(), length - at);
            buffer.put(buffer.position(), slot, at, n);
            buffer.position(buffer.position() + n);
            at += n;
        }
    }

    /** Copies the buffers' first {@code length} remaining bytes into {@code slot}, leaving their positions. */
    static void gather(final ByteBuffer slot, final int length, final ByteBuffer single, final ByteBuffer[] many) {
        if (single != null) {
            slot.put(0, single, single.position(), length);
            return;
        }
        int at = 0;
        for (int i = 0; i < many.length && at < length; i++) {
            final ByteBuffer buffer = many[i];
            final int n = Math.min(buffer.remaining(), length - at);
            slot.put(at, buffer, buffer.position(), n);
            at += n;
        }
    }

    /** Moves the buffers' positions past {@code length} bytes written. */
    static void advance(final long length, final ByteBuffer single, final ByteBuffer[] many) {
        if (single != null) {
            single.position(single.position() + (int) length);
            return;
        }
        long left = length;
        for (int i = 0; i < many.length && left > 0; i++) {
            final ByteBuffer buffer = many[i];
            final int n = (int) Math.min(buffer.remaining(), left);
            buffer.position(buffer.position() + n);
            left -= n;
        }
    }

    /**
     * @return a timeout as the iocb's {@code timeout_ms}: rounded up to whole milliseconds; 0 (none) for zero or
     *         less, as the JDK's, and for more than 2^32-1 ms (49 days), which the field cannot hold
     */
    static long timeoutMillis(final long timeout, final TimeUnit unit) {
        if (timeout <= 0) {
            return 0;
        }
        long millis = unit.toMillis(timeout);
        if (unit.toNanos(timeout) > TimeUnit.MILLISECONDS.toNanos(millis)) {
            millis++;
        }
        return millis > 0xFFFF_FFFFL ? 0 : millis;
    }
}
