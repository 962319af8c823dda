package io.aioring.abi;

import io.aioring.abi.layout.OpcodeDescriptor;

/**
 * The operations an iocb can ask for. Each runs the Linux call of the same name through the backend; its result is
 * what that call returns, or {@code -errno}. See docs/abi.md section 2.4 for each one's fields and errors. The values
 * and what each opcode's fields hold are {@link OpcodeDescriptor}'s rows; this class names them for callers.
 */
public final class Opcode {
    /** Does nothing; result 0. For measuring the engine itself. */
    public static final int NOP = OpcodeDescriptor.NOP;
    /** pread(fd, address, length, offset) */
    public static final int PREAD = OpcodeDescriptor.PREAD;
    /** pwrite(fd, address, length, offset) */
    public static final int PWRITE = OpcodeDescriptor.PWRITE;
    /** preadv2(fd, iovecs at address, count, offset, op_flags as RWF_*) */
    public static final int PREADV = OpcodeDescriptor.PREADV;
    /** pwritev2(fd, iovecs at address, count, offset, op_flags as RWF_*) */
    public static final int PWRITEV = OpcodeDescriptor.PWRITEV;
    /** fsync(fd) */
    public static final int FSYNC = OpcodeDescriptor.FSYNC;
    /** fdatasync(fd) */
    public static final int FDATASYNC = OpcodeDescriptor.FDATASYNC;
    /** openat(fd as dirfd, path at address of length bytes, op_flags as O_*, mode); result: the new fd */
    public static final int OPENAT = OpcodeDescriptor.OPENAT;
    /** close(fd) */
    public static final int CLOSE = OpcodeDescriptor.CLOSE;
    /** recv(fd, address, length, op_flags as MSG_*): waits for data without holding a thread */
    public static final int RECV = OpcodeDescriptor.RECV;
    /** send(fd, address, length, op_flags as MSG_* | MSG_NOSIGNAL): waits for room without holding a thread */
    public static final int SEND = OpcodeDescriptor.SEND;
    /** accept4(fd, op_flags as SOCK_*); result: the new socket. With iocb flag MULTISHOT, one event per connection */
    public static final int ACCEPT = OpcodeDescriptor.ACCEPT;
    /** connect(fd, sockaddr at address of length bytes) */
    public static final int CONNECT = OpcodeDescriptor.CONNECT;
    /** shutdown(fd, op_flags as SHUT_*) */
    public static final int SHUTDOWN = OpcodeDescriptor.SHUTDOWN;
    /** Waits until fd is ready for op_flags (POLL* bits); result: the ready bits. With MULTISHOT, one event per wake-up */
    public static final int POLL = OpcodeDescriptor.POLL;

    /** A timer: completes -ETIME offset nanoseconds after submit (-ECANCELED if cancelled first) */
    public static final int TIMEOUT = OpcodeDescriptor.TIMEOUT;

    /** sendfile(mode as out_fd, fd as in_fd, offset (-1: in_fd's position), length): file to socket (or any fd) */
    public static final int SENDFILE = OpcodeDescriptor.SENDFILE;

    /** recvmsg(fd, struct msghdr at address, op_flags as MSG_*): waits for data without holding a thread */
    public static final int RECVMSG = OpcodeDescriptor.RECVMSG;
    /** sendmsg(fd, struct msghdr at address, op_flags as MSG_* | MSG_NOSIGNAL): waits for room without holding a thread */
    public static final int SENDMSG = OpcodeDescriptor.SENDMSG;
    /** splice(fd, offset (-1: none), mode as fd_out, address as off_out (-1: none), length, op_flags as SPLICE_F_*) */
    public static final int SPLICE = OpcodeDescriptor.SPLICE;
    /** copy_file_range(fd, offset (-1: none), mode as fd_out, address as off_out (-1: none), length, 0) */
    public static final int COPY_FILE_RANGE = OpcodeDescriptor.COPY_FILE_RANGE;
    /** statx(fd as dirfd, path at address of length bytes, op_flags as AT_*, mode as STATX_* mask, into 256 bytes at offset) */
    public static final int STATX = OpcodeDescriptor.STATX;
    /** fallocate(fd, op_flags as FALLOC_FL_*, offset, address as the length) */
    public static final int FALLOCATE = OpcodeDescriptor.FALLOCATE;
    /** ftruncate(fd, offset as the new length) */
    public static final int FTRUNCATE = OpcodeDescriptor.FTRUNCATE;

    /**
     * send with zero copy where io_uring has it (IORING_OP_SEND_ZC, Linux 6.0): the kernel sends from the buffer
     * itself; the event comes once the kernel is done with the buffer, so it may be reused then. Elsewhere a send.
     */
    public static final int SEND_ZC = OpcodeDescriptor.SEND_ZC;

    /** One more than the largest opcode this build knows. */
    public static final int COUNT = OpcodeDescriptor.COUNT;

    private Opcode() {
    }

    /**
     * {@return true for a defined opcode}
     *
     * @param opcode the opcode
     */
    public static boolean isKnown(final int opcode) {
        return OpcodeDescriptor.isKnown(opcode);
    }

    /**
     * {@return the opcode's name (as docs/abi.md and the command line write it), or "opcode N" for an unknown one}
     *
     * @param opcode the opcode
     */
    public static String name(final int opcode) {
        return isKnown(opcode) ? OpcodeDescriptor.row(opcode).name() : "opcode " + opcode;
    }

    /**
     * {@return the opcode named {@code name}, or -1}
     *
     * @param name the name
     */
    public static int byName(final String name) {
        return OpcodeDescriptor.byName(name);
    }

    /**
     * {@return true if the iocb's address and length_or_count are one buffer in registered memory}
     *
     * @param opcode the opcode
     */
    public static boolean usesBuffer(final int opcode) {
        return OpcodeDescriptor.has(opcode, OpcodeDescriptor.USES_BUFFER);
    }

    /**
     * {@return true if it may wait for a socket's readiness for as long as it takes}
     *
     * @param opcode the opcode
     */
    public static boolean waitsForReadiness(final int opcode) {
        return OpcodeDescriptor.has(opcode, OpcodeDescriptor.WAITS_FOR_READINESS);
    }

    /**
     * {@return true if its result counts bytes moved}
     *
     * @param opcode the opcode
     */
    public static boolean movesBytes(final int opcode) {
        return OpcodeDescriptor.has(opcode, OpcodeDescriptor.MOVES_BYTES);
    }

    /**
     * {@return true if its address is a struct msghdr}
     *
     * @param opcode the opcode
     */
    public static boolean usesMsghdr(final int opcode) {
        return OpcodeDescriptor.has(opcode, OpcodeDescriptor.USES_MSGHDR);
    }

    /**
     * {@return true if the iocb flag MULTISHOT is allowed}
     *
     * @param opcode the opcode
     */
    public static boolean allowsMultishot(final int opcode) {
        return OpcodeDescriptor.has(opcode, OpcodeDescriptor.MULTISHOT);
    }

    /**
     * {@return true if its address is an array of struct iovec}
     *
     * @param opcode the opcode
     */
    public static boolean usesIovecs(final int opcode) {
        return OpcodeDescriptor.has(opcode, OpcodeDescriptor.USES_IOVECS);
    }

    /**
     * {@return true for a read of a file at an offset (pread, preadv)}
     *
     * @param opcode the opcode
     */
    public static boolean isRead(final int opcode) {
        return OpcodeDescriptor.has(opcode, OpcodeDescriptor.READS_FILE);
    }

    /**
     * {@return true for a write of a file at an offset (pwrite, pwritev)}
     *
     * @param opcode the opcode
     */
    public static boolean isWrite(final int opcode) {
        return OpcodeDescriptor.has(opcode, OpcodeDescriptor.WRITES_FILE);
    }
}
