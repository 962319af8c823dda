package io.aioring.abi;

/**
 * The operations an iocb can ask for. Each runs the Linux call of the same name through the backend; its result is
 * what that call returns, or {@code -errno}. See docs/abi.md section 2.4 for each one's fields and errors.
 */
public final class Opcode {
    /** Does nothing; result 0. For measuring the engine itself. */
    public static final int NOP = 0;
    /** pread(fd, address, length, offset) */
    public static final int PREAD = 1;
    /** pwrite(fd, address, length, offset) */
    public static final int PWRITE = 2;
    /** preadv2(fd, iovecs at address, count, offset, op_flags as RWF_*) */
    public static final int PREADV = 3;
    /** pwritev2(fd, iovecs at address, count, offset, op_flags as RWF_*) */
    public static final int PWRITEV = 4;
    /** fsync(fd) */
    public static final int FSYNC = 5;
    /** fdatasync(fd) */
    public static final int FDATASYNC = 6;
    /** openat(fd as dirfd, path at address of length bytes, op_flags as O_*, mode); result: the new fd */
    public static final int OPENAT = 7;
    /** close(fd) */
    public static final int CLOSE = 8;
    /** recv(fd, address, length, op_flags as MSG_*): waits for data without holding a thread */
    public static final int RECV = 9;
    /** send(fd, address, length, op_flags as MSG_* | MSG_NOSIGNAL): waits for room without holding a thread */
    public static final int SEND = 10;
    /** accept4(fd, op_flags as SOCK_*); result: the new socket. With iocb flag MULTISHOT, one event per connection */
    public static final int ACCEPT = 11;
    /** connect(fd, sockaddr at address of length bytes) */
    public static final int CONNECT = 12;
    /** shutdown(fd, op_flags as SHUT_*) */
    public static final int SHUTDOWN = 13;
    /** Waits until fd is ready for op_flags (POLL* bits); result: the ready bits. With MULTISHOT, one event per wake-up */
    public static final int POLL = 14;

    /** A timer: completes -ETIME offset nanoseconds after submit (-ECANCELED if cancelled first) */
    public static final int TIMEOUT = 15;

    /** sendfile(mode as out_fd, fd as in_fd, offset (-1: in_fd's position), length): file to socket (or any fd) */
    public static final int SENDFILE = 16;

    /** recvmsg(fd, struct msghdr at address, op_flags as MSG_*): waits for data without holding a thread */
    public static final int RECVMSG = 17;
    /** sendmsg(fd, struct msghdr at address, op_flags as MSG_* | MSG_NOSIGNAL): waits for room without holding a thread */
    public static final int SENDMSG = 18;
    /** splice(fd, offset (-1: none), mode as fd_out, address as off_out (-1: none), length, op_flags as SPLICE_F_*) */
    public static final int SPLICE = 19;
    /** copy_file_range(fd, offset (-1: none), mode as fd_out, address as off_out (-1: none), length, 0) */
    public static final int COPY_FILE_RANGE = 20;
    /** statx(fd as dirfd, path at address of length bytes, op_flags as AT_*, mode as STATX_* mask, into 256 bytes at offset) */
    public static final int STATX = 21;
    /** fallocate(fd, op_flags as FALLOC_FL_*, offset, address as the length) */
    public static final int FALLOCATE = 22;
    /** ftruncate(fd, offset as the new length) */
    public static final int FTRUNCATE = 23;

    /** One more than the largest opcode this build knows. */
    public static final int COUNT = 24;

    private static final String[] NAMES = {"nop", "pread", "pwrite", "preadv", "pwritev", "fsync", "fdatasync",
        "openat", "close", "recv", "send", "accept", "connect", "shutdown", "poll", "timeout", "sendfile", "recvmsg", "sendmsg", "splice", "copy_file_range", "statx", "fallocate", "ftruncate"};

    private Opcode() {
    }

    public static boolean isKnown(final int opcode) {
        return opcode >= 0 && opcode < COUNT;
    }

    /** @return the opcode's name, e.g. "pread", or "opcode N" if unknown */
    public static String name(final int opcode) {
        return isKnown(opcode) ? NAMES[opcode] : "opcode " + opcode;
    }

    /** @return the opcode named {@code name}, or -1 */
    public static int byName(final String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** @return true for the opcodes whose address/length name one buffer (pread, pwrite, recv, send, connect's sockaddr) */
    public static boolean usesBuffer(final int opcode) {
        return opcode == PREAD || opcode == PWRITE || opcode == RECV || opcode == SEND || opcode == CONNECT;
    }

    /**
     * @return true for the opcodes that wait for a socket (or any pollable fd) to become ready: they hold no thread
     *         while they wait, and a cancel stops them while they do
     */
    public static boolean waitsForReadiness(final int opcode) {
        return opcode >= RECV && opcode <= POLL && opcode != SHUTDOWN || opcode == RECVMSG || opcode == SENDMSG;
    }

    /**
     * @return true for the opcodes whose non-negative result counts bytes moved: reads, writes, receives, sends,
     *         sendfile, splice and copy_file_range
     */
    public static boolean movesBytes(final int opcode) {
        return opcode >= PREAD && opcode <= PWRITEV || opcode == RECV || opcode == SEND || opcode == SENDFILE
            || opcode == RECVMSG || opcode == SENDMSG || opcode == SPLICE || opcode == COPY_FILE_RANGE;
    }

    /** @return true for the opcodes whose address names a struct msghdr (recvmsg, sendmsg) */
    public static boolean usesMsghdr(final int opcode) {
        return opcode == RECVMSG || opcode == SENDMSG;
    }

    /** @return true for the opcodes that take iocb flag MULTISHOT (accept, poll) */
    public static boolean allowsMultishot(final int opcode) {
        return opcode == ACCEPT || opcode == POLL;
    }

    /** @return true for the opcodes whose address/length name an iovec array (preadv, pwritev) */
    public static boolean usesIovecs(final int opcode) {
        return opcode == PREADV || opcode == PWRITEV;
    }

    /** @return true for the opcodes that read file data into memory */
    public static boolean isRead(final int opcode) {
        return opcode == PREAD || opcode == PREADV;
    }
}
