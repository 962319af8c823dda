package io.aioring.abi;

/**
 * The operations an iocb can ask for. Each runs the Linux call of the same name on a worker thread; its result is
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

    /** One more than the largest opcode this build knows. */
    public static final int COUNT = 9;

    private static final String[] NAMES = {"nop", "pread", "pwrite", "preadv", "pwritev", "fsync", "fdatasync",
        "openat", "close"};

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

    /** @return true for the opcodes whose address/length name one buffer (pread, pwrite) */
    public static boolean usesBuffer(final int opcode) {
        return opcode == PREAD || opcode == PWRITE;
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
