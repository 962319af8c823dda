package io.aioring.abi.engine;

import static io.aioring.abi.layout.IocbDescriptor.HEADER_LENGTH;
import static io.aioring.abi.layout.IocbDescriptor.MAX_LENGTH;

import io.aioring.abi.spi.AioAttribute;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The attribute requests one iocb carries and their run: the request table the decoder fills, which attribute's
 * hook runs now, which before hooks failed, the attributes' scratch, and the return records built after the
 * operation ({@link AttributeHooks}). One per iocb slot; its buffers are made on first use (most slots of a large
 * pool never carry attributes) and reused.
 */
final class AttributeRun {
    /** The most attribute requests one iocb may carry. */
    static final int MAX_ATTRIBUTES = 16;

    private UnsafeBuffer requests;
    private int count;
    private final AioAttribute[] attributes = new AioAttribute[MAX_ATTRIBUTES];
    private final int[] ids = new int[MAX_ATTRIBUTES];
    private final int[] flags = new int[MAX_ATTRIBUTES];
    private final int[] payloadIndex = new int[MAX_ATTRIBUTES];
    private final int[] payloadLength = new int[MAX_ATTRIBUTES];
    /** The attribute whose hook runs now. */
    private int current;
    /** Bit i: attribute i's before hook failed. */
    private int failedBefore;
    /** Bit i: attribute i has a before hook to run. */
    private int beforeHooks;
    /** Scratch for attributes between their hooks. */
    private UnsafeBuffer scratch;
    /** The return records. */
    private UnsafeBuffer returns;
    private final int maxReturnBytes;
    private int returnsLength;

    AttributeRun(final int maxReturnBytes) {
        this.maxReturnBytes = Math.max(8, maxReturnBytes);
    }

    /** A new iocb: no requests, nothing run. */
    void reset() {
        count = 0;
        failedBefore = 0;
        beforeHooks = 0;
        returnsLength = 0;
    }

    /** Copies the iocb's attribute requests ({@code length} bytes from {@code index}). */
    void load(final DirectBuffer batch, final int index, final int length) {
        requests().putBytes(0, batch, index, length);
    }

    UnsafeBuffer requests() {
        if (requests == null) {
            requests = new UnsafeBuffer(new byte[MAX_LENGTH - HEADER_LENGTH]);
        }
        return requests;
    }

    /** Request {@code i}: its id, flags, payload position and length, and the attribute that runs it (null: unsupported). */
    void request(final int i, final int id, final int requestFlags, final int index, final int length,
                 final AioAttribute attribute, final boolean hasBeforeHook) {
        if (hasBeforeHook) {
            beforeHooks |= 1 << i;
        }
        ids[i] = id;
        flags[i] = requestFlags;
        payloadIndex[i] = index;
        payloadLength[i] = length;
        attributes[i] = attribute;
    }

    void count(final int requestCount) {
        count = requestCount;
    }

    int count() {
        return count;
    }

    AioAttribute attribute(final int i) {
        return attributes[i];
    }

    int requestId(final int i) {
        return ids[i];
    }

    int requestFlags(final int i) {
        return flags[i];
    }

    int requestIndex(final int i) {
        return payloadIndex[i];
    }

    int requestLength(final int i) {
        return payloadLength[i];
    }

    void current(final int i) {
        current = i;
    }

    int current() {
        return current;
    }

    /** @return bit i set when attribute i has a before hook to run */
    int beforeHooks() {
        return beforeHooks;
    }

    void markBeforeFailed(final int i) {
        failedBefore |= 1 << i;
    }

    boolean beforeFailed(final int i) {
        return (failedBefore & (1 << i)) != 0;
    }

    UnsafeBuffer scratch() {
        if (scratch == null) {
            scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(AioAttribute.SCRATCH_BYTES * MAX_ATTRIBUTES, 64));
        }
        return scratch;
    }

    UnsafeBuffer returns() {
        if (returns == null) {
            returns = new UnsafeBuffer(new byte[maxReturnBytes]);
        }
        return returns;
    }

    void returnsLength(final int length) {
        returnsLength = length;
    }

    /** @return the return records' buffer if it was ever made, else null (then {@link #returnsLength()} is 0) */
    UnsafeBuffer returnsIfAny() {
        return returns;
    }

    int returnsLength() {
        return returnsLength;
    }
}
