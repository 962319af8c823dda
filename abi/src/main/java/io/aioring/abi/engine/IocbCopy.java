package io.aioring.abi.engine;

import static io.aioring.abi.layout.IocbDescriptor.*;

import io.aioring.abi.spi.Operation;

import org.agrona.DirectBuffer;

/**
 * An iocb's fixed fields as copied at submit (docs/abi.md 2.2): the engine never reads the caller's bytes again.
 * What an attribute sees of them is the {@link Operation} view; the rest of an iocb's life is {@link InFlight}.
 */
abstract sealed class IocbCopy implements Operation permits IocbResult {
    int opcode;
    int iocbFlags;
    int fd;
    long offset;
    long address;
    int lengthOrCount;
    int opFlags;
    int mode;
    long userData;
    /** 0, or the iocb's timeout_ms: cancelled (and completed -ETIME) that long after submit. */
    long timeoutMillis;

    /** Copies the fixed fields of the iocb at {@code index} (already checked for shape). */
    final void copy(final DirectBuffer batch, final int index) {
        opcode = batch.getShort(index + OPCODE_OFFSET) & 0xFFFF;
        iocbFlags = batch.getShort(index + FLAGS_OFFSET) & 0xFFFF;
        fd = batch.getInt(index + FD_OFFSET);
        offset = batch.getLong(index + OFFSET_OFFSET);
        address = batch.getLong(index + ADDRESS_OFFSET);
        lengthOrCount = batch.getInt(index + LENGTH_OR_COUNT_OFFSET);
        opFlags = batch.getInt(index + OP_FLAGS_OFFSET);
        mode = batch.getInt(index + MODE_OFFSET);
        userData = batch.getLong(index + USER_DATA_OFFSET);
        timeoutMillis = Integer.toUnsignedLong(batch.getInt(index + TIMEOUT_MS_OFFSET));
    }

    @Override
    public final int opcode() {
        return opcode;
    }

    @Override
    public final int fd() {
        return fd;
    }

    @Override
    public final long offset() {
        return offset;
    }

    @Override
    public final long address() {
        return address;
    }

    @Override
    public final int lengthOrCount() {
        return lengthOrCount;
    }

    @Override
    public final int opFlags() {
        return opFlags;
    }

    @Override
    public final long userData() {
        return userData;
    }

    final int iocbFlags() {
        return iocbFlags;
    }

    final int mode() {
        return mode;
    }

    final long timeoutMillis() {
        return timeoutMillis;
    }

    final boolean multishot() {
        return (iocbFlags & FLAG_MULTISHOT) != 0;
    }

    /** @return true if the iocb asked for no attempt on the submitting thread (iocb flag ASYNC) */
    final boolean async() {
        return (iocbFlags & FLAG_ASYNC) != 0;
    }
}
