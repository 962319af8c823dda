package io.aioring.abi;

import static io.aioring.abi.AttributeRecordDescriptor.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.aioring.abi.linux.Errno;
import io.aioring.abi.linux.Linux;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Runs one accepted iocb on a worker thread: the attributes' before hooks, the Linux call, the after hooks, and the
 * return records. One per worker: it owns that worker's errno capture and path buffer, so it allocates nothing.
 */
final class OpRunner {
    /** The most iovecs one preadv/pwritev may name (Linux's IOV_MAX). */
    static final int IOV_MAX = 1024;
    static final int PATH_MAX = 4096;

    private final MemoryRegistry memory;
    private final int[] protectedFds;
    private final Errno errno;
    private final MemorySegment path;
    private final UnsafeBuffer pathBytes;
    /** Re-pointed at the caller's memory (already checked to be registered) to read it without allocating. */
    private final UnsafeBuffer callerMemory = new UnsafeBuffer(0L, 0);
    /** One struct iovec of native memory, for turning a pread into a preadv2. */
    private final UnsafeBuffer oneIovec;

    OpRunner(final MemoryRegistry memory, final int[] protectedFds, final Arena arena) {
        this.memory = memory;
        this.protectedFds = protectedFds;
        this.errno = new Errno(arena);
        this.path = arena.allocate(PATH_MAX, 8);
        this.pathBytes = new UnsafeBuffer(path.address(), PATH_MAX);
        this.oneIovec = new UnsafeBuffer(arena.allocate(Linux.IOVEC_SIZE, 8).address(), Linux.IOVEC_SIZE);
    }

    void run(final Op op) {
        op.errno = errno;
        op.runner = this;
        op.startNanos = System.nanoTime();
        if (op.preResult != 0) {
            op.result = op.preResult;
            op.completeNanos = op.startNanos;
            writeReturnsWithoutRunning(op);
            return;
        }
        final int count = op.attributeCount;
        int failedBefore = 0;
        for (int i = 0; i < count; i++) {
            final AioAttribute attribute = op.attributes[i];
            if (attribute != null) {
                op.current = i;
                try {
                    attribute.before(op);
                } catch (final RuntimeException | LinkageError e) {
                    failedBefore |= 1 << i;
                }
            }
        }
        if (!op.early) {
            op.result = call(op);
        }
        op.completeNanos = System.nanoTime();
        int position = 0;
        for (int i = 0; i < count; i++) {
            final AioAttribute attribute = op.attributes[i];
            int status = STATUS_UNSUPPORTED;
            int payload = 0;
            if (attribute != null) {
                status = STATUS_FAILED;
                if ((failedBefore & (1 << i)) == 0) {
                    op.current = i;
                    try {
                        status = attribute.after(op, op.returns, position + HEADER_LENGTH);
                    } catch (final RuntimeException | LinkageError e) {
                        status = STATUS_FAILED;
                    }
                }
                if (status == STATUS_HANDLED) {
                    payload = attribute.returnLength();
                } else if (status != STATUS_UNSUPPORTED) {
                    status = STATUS_FAILED;
                }
            }
            position = putRecord(op, position, op.requestIds[i], status, attribute == null ? 0 : attribute.version(), payload);
        }
        op.returnsLength = position;
    }

    /** The iocb failed before any I/O: its attributes did not run; the one that caused it, if any, says FAILED. */
    private static void writeReturnsWithoutRunning(final Op op) {
        int position = 0;
        for (int i = 0; i < op.attributeCount; i++) {
            final AioAttribute attribute = op.attributes[i];
            position = putRecord(op, position, op.requestIds[i], i == op.failedAttribute ? STATUS_FAILED : STATUS_UNSUPPORTED,
                attribute == null ? 0 : attribute.version(), 0);
        }
        op.returnsLength = position;
    }

    private static int putRecord(final Op op, final int position, final int id, final int status, final int version,
                                 final int payload) {
        op.returns.putShort(position + ID_OFFSET, (short) id);
        op.returns.putByte(position + STATUS_OFFSET, (byte) status);
        op.returns.putByte(position + VERSION_OFFSET, (byte) version);
        op.returns.putInt(position + PAYLOAD_LENGTH_OFFSET, payload);
        final int span = IocbWriter.align(HEADER_LENGTH + payload);
        final int padding = span - HEADER_LENGTH - payload;
        if (padding > 0) {
            op.returns.setMemory(position + HEADER_LENGTH + payload, padding, (byte) 0);
        }
        return position + span;
    }

    /** @return the call's result, or -errno */
    private long call(final Op op) {
        final long length = Integer.toUnsignedLong(op.lengthOrCount);
        return switch (op.opcode) {
            case Opcode.NOP -> 0;
            case Opcode.PREAD -> memory.contains(op.address, length)
                ? Linux.pread(errno, op.fd, op.address, length, op.offset) : -Errno.EFAULT;
            case Opcode.PWRITE -> memory.contains(op.address, length)
                ? Linux.pwrite(errno, op.fd, op.address, length, op.offset) : -Errno.EFAULT;
            case Opcode.PREADV, Opcode.PWRITEV -> vectored(op);
            case Opcode.FSYNC -> Linux.fsync(errno, op.fd);
            case Opcode.FDATASYNC -> Linux.fdatasync(errno, op.fd);
            case Opcode.OPENAT -> open(op, length);
            case Opcode.CLOSE -> isProtected(op.fd) ? -Errno.EPERM : Linux.close(errno, op.fd);
            default -> -Errno.EINVAL;
        };
    }

    /** @return 0 if the iovec array and every buffer it names are registered memory, else -errno */
    private long checkIovecs(final Op op) {
        final int count = op.lengthOrCount;
        if (count < 0 || count > IOV_MAX) {
            return -Errno.EINVAL;
        }
        if (!memory.contains(op.address, (long) count * Linux.IOVEC_SIZE)) {
            return -Errno.EFAULT;
        }
        // The iovecs are the caller's registered memory: check what each one points at before the kernel uses it.
        callerMemory.wrap(op.address, count * Linux.IOVEC_SIZE);
        for (int i = 0; i < count; i++) {
            final long base = callerMemory.getLong(i * Linux.IOVEC_SIZE);
            final long length = callerMemory.getLong(i * Linux.IOVEC_SIZE + 8);
            if (!memory.contains(base, length)) {
                return -Errno.EFAULT;
            }
        }
        return 0;
    }

    private long vectored(final Op op) {
        final long checked = checkIovecs(op);
        if (checked < 0) {
            return checked;
        }
        final int count = op.lengthOrCount;
        return op.opcode == Opcode.PREADV
            ? Linux.preadv2(errno, op.fd, op.address, count, op.offset, op.opFlags)
            : Linux.pwritev2(errno, op.fd, op.address, count, op.offset, op.opFlags);
    }

    /** {@link Operation#transferLength()} */
    long transferLength(final Op op) {
        if (Opcode.usesBuffer(op.opcode)) {
            return Integer.toUnsignedLong(op.lengthOrCount);
        }
        if (Opcode.usesIovecs(op.opcode)) {
            final long checked = checkIovecs(op);
            if (checked < 0) {
                return checked;
            }
            long total = 0;
            for (int i = 0; i < op.lengthOrCount; i++) {
                total += callerMemory.getLong(i * Linux.IOVEC_SIZE + 8);
            }
            return total;
        }
        return 0;
    }

    /** {@link Operation#readNoWait()}: one preadv2 with RWF_NOWAIT over the op's own (checked) buffers. */
    long readNoWait(final Op op) {
        if (op.opcode == Opcode.PREAD) {
            final long length = Integer.toUnsignedLong(op.lengthOrCount);
            if (!memory.contains(op.address, length)) {
                return -Errno.EFAULT;
            }
            oneIovec.putLong(0, op.address);
            oneIovec.putLong(8, length);
            return Linux.preadv2(errno, op.fd, oneIovec.addressOffset(), 1, op.offset, Linux.RWF_NOWAIT);
        }
        if (op.opcode == Opcode.PREADV) {
            final long checked = checkIovecs(op);
            return checked < 0 ? checked
                : Linux.preadv2(errno, op.fd, op.address, op.lengthOrCount, op.offset, op.opFlags | Linux.RWF_NOWAIT);
        }
        return -Errno.EOPNOTSUPP;
    }

    private long open(final Op op, final long length) {
        if (length >= PATH_MAX) {
            return -Errno.ENAMETOOLONG;
        }
        if (length == 0) {
            return -Errno.ENOENT;
        }
        if (!memory.contains(op.address, length)) {
            return -Errno.EFAULT;
        }
        final int bytes = (int) length;
        callerMemory.wrap(op.address, bytes);
        pathBytes.putBytes(0, callerMemory, 0, bytes);
        for (int i = 0; i < bytes; i++) {
            if (pathBytes.getByte(i) == 0) {
                return -Errno.EINVAL;
            }
        }
        pathBytes.putByte(bytes, (byte) 0);
        return Linux.openat(errno, op.fd, path.address(), op.opFlags, op.mode);
    }

    private boolean isProtected(final int fd) {
        for (final int p : protectedFds) {
            if (p == fd && fd >= 0) {
                return true;
            }
        }
        return false;
    }
}
