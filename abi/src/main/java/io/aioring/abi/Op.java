package io.aioring.abi;

import static io.aioring.abi.IocbDescriptor.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.aioring.abi.linux.Errno;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One slot of the engine: an accepted iocb from submit until its event is in the ring. A fixed pool of them is
 * made at setup, so no I/O allocates. The state moves FREE -> QUEUED -> RUNNING -> DONE -> FREE, or
 * QUEUED -> CANCELLED -> DONE when cancelled before a worker starts it.
 */
final class Op implements Operation {
    static final int FREE = 0;
    static final int QUEUED = 1;
    static final int RUNNING = 2;
    static final int CANCELLED = 3;
    static final int DONE = 4;

    /** The most attribute requests one iocb may carry. */
    static final int MAX_ATTRIBUTES = 16;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Op.class, "state", int.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    // The iocb, copied at submit.
    int opcode;
    int iocbFlags;
    int fd;
    int priority;
    long offset;
    long address;
    int lengthOrCount;
    int opFlags;
    int mode;
    long userData;
    final UnsafeBuffer requests = new UnsafeBuffer(new byte[MAX_LENGTH - HEADER_LENGTH]);
    int attributeCount;
    final AioAttribute[] attributes = new AioAttribute[MAX_ATTRIBUTES];
    final int[] requestIds = new int[MAX_ATTRIBUTES];
    final int[] requestFlags = new int[MAX_ATTRIBUTES];
    final int[] requestIndex = new int[MAX_ATTRIBUTES];
    final int[] requestLength = new int[MAX_ATTRIBUTES];
    /** 0, or the -errno this iocb fails with before any I/O (found at submit). */
    long preResult;
    /** With preResult: the attribute request that caused it, or -1. */
    int failedAttribute;

    // Progress.
    long submitNanos;
    long startNanos;
    long completeNanos;
    long result;
    boolean early;
    int eventFlags;
    int current;
    Errno errno;
    OpRunner runner;

    /** Scratch for attributes between their hooks; return records built after the operation. */
    final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(AioAttribute.SCRATCH_BYTES * MAX_ATTRIBUTES, 64));
    final UnsafeBuffer returns;
    int returnsLength;

    Op(final int maxReturnBytes) {
        this.returns = new UnsafeBuffer(new byte[Math.max(8, maxReturnBytes)]);
    }

    int state() {
        return state;
    }

    void state(final int newState) {
        state = newState;
    }

    boolean casState(final int expected, final int newState) {
        return STATE.compareAndSet(this, expected, newState);
    }

    /** Copies the fixed fields of the iocb at {@code index} (already checked for shape). */
    void loadHeader(final DirectBuffer batch, final int index) {
        opcode = batch.getShort(index + OPCODE_OFFSET) & 0xFFFF;
        iocbFlags = batch.getShort(index + FLAGS_OFFSET) & 0xFFFF;
        fd = batch.getInt(index + FD_OFFSET);
        priority = batch.getShort(index + PRIORITY_OFFSET) & 0xFFFF;
        offset = batch.getLong(index + OFFSET_OFFSET);
        address = batch.getLong(index + ADDRESS_OFFSET);
        lengthOrCount = batch.getInt(index + LENGTH_OR_COUNT_OFFSET);
        opFlags = batch.getInt(index + OP_FLAGS_OFFSET);
        mode = batch.getInt(index + MODE_OFFSET);
        userData = batch.getLong(index + USER_DATA_OFFSET);
        preResult = 0;
        failedAttribute = -1;
        startNanos = 0;
        completeNanos = 0;
        result = 0;
        early = false;
        eventFlags = 0;
        returnsLength = 0;
        attributeCount = 0;
    }

    /** @return the event's length: header plus the return records built so far */
    int eventLength() {
        return EventDescriptor.HEADER_LENGTH + returnsLength;
    }

    // Operation, as the attribute being called sees it.

    @Override
    public int opcode() {
        return opcode;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public long offset() {
        return offset;
    }

    @Override
    public long address() {
        return address;
    }

    @Override
    public int lengthOrCount() {
        return lengthOrCount;
    }

    @Override
    public int opFlags() {
        return opFlags;
    }

    @Override
    public long userData() {
        return userData;
    }

    @Override
    public long submitNanos() {
        return submitNanos;
    }

    @Override
    public long startNanos() {
        return startNanos;
    }

    @Override
    public long completeNanos() {
        return completeNanos;
    }

    @Override
    public long result() {
        return result;
    }

    @Override
    public void completeEarly(final long earlyResult) {
        result = earlyResult;
        early = true;
    }

    @Override
    public boolean completedEarly() {
        return early;
    }

    @Override
    public DirectBuffer request() {
        return requests;
    }

    @Override
    public int requestIndex() {
        return requestIndex[current];
    }

    @Override
    public int requestLength() {
        return requestLength[current];
    }

    @Override
    public MutableDirectBuffer scratch() {
        return scratch;
    }

    @Override
    public int scratchIndex() {
        return current * AioAttribute.SCRATCH_BYTES;
    }

    @Override
    public Errno errno() {
        return errno;
    }

    @Override
    public long readNoWait() {
        return runner.readNoWait(this);
    }

    @Override
    public long transferLength() {
        return runner.transferLength(this);
    }
}
