package io.aioring.abi.engine;

import static io.aioring.abi.engine.OpDef.IoUringRoute.BATCH;
import static io.aioring.abi.engine.OpDef.ThreadsRoute.WORKER;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.IoUring;
import io.aioring.linux.Linux;

/**
 * pread, pwrite, preadv, pwritev: in the submitter's batch on io_uring with RWF_NOWAIT added (what the page cache
 * serves completes inside the submit call); on workers otherwise. With iocb flag ASYNC, io_uring's own workers issue
 * them (IOSQE_ASYNC): the submitting thread hands the request over and returns, where issuing an O_DIRECT read
 * itself would cost it the device's submission, one at a time, for each lone read a Java caller makes. The vectored
 * calls reach the kernel through the engine's checked copy of the iovecs, never the caller's array.
 */
final class ReadWriteOps {
    static final OpDef PREAD = OpDef.define(OpcodeDescriptor.PREAD, BATCH, WORKER, ReadWriteOps::pread,
        (ring, op, userData, noWait, arena) -> ring.prepRw(IoUring.OP_READ, op.fd(), op.address(), op.lengthOrCount(),
            op.offset(), noWait, userData) && toWorkers(ring, op)).withCheck(ReadWriteOps::checkOffset);
    static final OpDef PWRITE = OpDef.define(OpcodeDescriptor.PWRITE, BATCH, WORKER, ReadWriteOps::pwrite,
        (ring, op, userData, noWait, arena) -> ring.prepRw(IoUring.OP_WRITE, op.fd(), op.address(), op.lengthOrCount(),
            op.offset(), noWait, userData) && toWorkers(ring, op)).withCheck(ReadWriteOps::checkOffset);
    static final OpDef PREADV = OpDef.define(OpcodeDescriptor.PREADV, BATCH, WORKER, (calls, op) -> calls.preadv(op),
        (ring, op, userData, noWait, arena) -> ring.prepReadv(op.fd(), op.memory().iovecs(), op.lengthOrCount(), op.offset(),
            op.opFlags() | noWait, userData) && toWorkers(ring, op));
    static final OpDef PWRITEV = OpDef.define(OpcodeDescriptor.PWRITEV, BATCH, WORKER, (calls, op) -> calls.pwritev(op),
        (ring, op, userData, noWait, arena) -> ring.prepWritev(op.fd(), op.memory().iovecs(), op.lengthOrCount(), op.offset(),
            op.opFlags() | noWait, userData) && toWorkers(ring, op));

    private ReadWriteOps() {
    }

    /** An ASYNC iocb's SQE goes to io_uring's workers (IOSQE_ASYNC). @return true */
    private static boolean toWorkers(final IoUring ring, final InFlight op) {
        return !op.async() || ring.setLastSqeFlags(IoUring.SQE_ASYNC);
    }

    /** pread/pwrite semantics: io_uring would read or write at the file position for a negative offset. */
    private static long checkOffset(final SyncCalls calls, final InFlight op) {
        return op.offset() < 0 ? -Errno.EINVAL : OpDef.checkFields(calls, op);
    }

    private static long pread(final SyncCalls calls, final InFlight op) {
        final long length = Integer.toUnsignedLong(op.lengthOrCount());
        return calls.registered(op.address(), length)
            ? Linux.pread(calls.errno(), op.fd(), op.address(), length, op.offset()) : -Errno.EFAULT;
    }

    private static long pwrite(final SyncCalls calls, final InFlight op) {
        final long length = Integer.toUnsignedLong(op.lengthOrCount());
        return calls.registered(op.address(), length)
            ? Linux.pwrite(calls.errno(), op.fd(), op.address(), length, op.offset()) : -Errno.EFAULT;
    }
}
