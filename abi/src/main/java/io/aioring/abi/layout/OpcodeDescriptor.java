package io.aioring.abi.layout;

/**
 * The iocb's {@code opcode} field (docs/abi.md 2.4): each opcode's value, its name, and what its other fields hold,
 * one row per opcode — as the uapi header lists {@code IORING_OP_*} and the kernel's {@code io_issue_defs[]} says
 * what each needs. Every fact about an opcode's fields is a flag of its row; nothing else decides them (the
 * public {@link io.aioring.abi.Opcode} and the engine read these rows). A test checks the rows against the
 * document's table.
 */
public final class OpcodeDescriptor {
    /** Opcode {@code nop} (docs/abi.md 2.4). */
    public static final int NOP = 0;
    /** Opcode {@code pread} (docs/abi.md 2.4). */
    public static final int PREAD = 1;
    /** Opcode {@code pwrite} (docs/abi.md 2.4). */
    public static final int PWRITE = 2;
    /** Opcode {@code preadv} (docs/abi.md 2.4). */
    public static final int PREADV = 3;
    /** Opcode {@code pwritev} (docs/abi.md 2.4). */
    public static final int PWRITEV = 4;
    /** Opcode {@code fsync} (docs/abi.md 2.4). */
    public static final int FSYNC = 5;
    /** Opcode {@code fdatasync} (docs/abi.md 2.4). */
    public static final int FDATASYNC = 6;
    /** Opcode {@code openat} (docs/abi.md 2.4). */
    public static final int OPENAT = 7;
    /** Opcode {@code close} (docs/abi.md 2.4). */
    public static final int CLOSE = 8;
    /** Opcode {@code recv} (docs/abi.md 2.4). */
    public static final int RECV = 9;
    /** Opcode {@code send} (docs/abi.md 2.4). */
    public static final int SEND = 10;
    /** Opcode {@code accept} (docs/abi.md 2.4). */
    public static final int ACCEPT = 11;
    /** Opcode {@code connect} (docs/abi.md 2.4). */
    public static final int CONNECT = 12;
    /** Opcode {@code shutdown} (docs/abi.md 2.4). */
    public static final int SHUTDOWN = 13;
    /** Opcode {@code poll} (docs/abi.md 2.4). */
    public static final int POLL = 14;
    /** Opcode {@code timeout} (docs/abi.md 2.4). */
    public static final int TIMEOUT = 15;
    /** Opcode {@code sendfile} (docs/abi.md 2.4). */
    public static final int SENDFILE = 16;
    /** Opcode {@code recvmsg} (docs/abi.md 2.4). */
    public static final int RECVMSG = 17;
    /** Opcode {@code sendmsg} (docs/abi.md 2.4). */
    public static final int SENDMSG = 18;
    /** Opcode {@code splice} (docs/abi.md 2.4). */
    public static final int SPLICE = 19;
    /** Opcode {@code copy_file_range} (docs/abi.md 2.4). */
    public static final int COPY_FILE_RANGE = 20;
    /** Opcode {@code statx} (docs/abi.md 2.4). */
    public static final int STATX = 21;
    /** Opcode {@code fallocate} (docs/abi.md 2.4). */
    public static final int FALLOCATE = 22;
    /** Opcode {@code ftruncate} (docs/abi.md 2.4). */
    public static final int FTRUNCATE = 23;
    /** Opcode {@code send_zc} (docs/abi.md 2.4). */
    public static final int SEND_ZC = 24;
    /** Opcodes defined: 0 to COUNT - 1. */
    public static final int COUNT = 25;

    // What a row's fields hold (flags).
    /** address/length_or_count: one buffer in registered memory. */
    public static final int USES_BUFFER = 1;
    /** address: an array of length_or_count struct iovec, each in registered memory. */
    public static final int USES_IOVECS = 1 << 1;
    /** address: a struct msghdr (and its iovecs, name and control) in registered memory. */
    public static final int USES_MSGHDR = 1 << 2;
    /** address/length_or_count: a path's bytes. */
    public static final int USES_PATH = 1 << 3;
    /** The result counts bytes moved. */
    public static final int MOVES_BYTES = 1 << 4;
    /** A read of a file at an offset (the page cache may serve it). */
    public static final int READS_FILE = 1 << 5;
    /** A write of a file at an offset. */
    public static final int WRITES_FILE = 1 << 6;
    /** The iocb flag MULTISHOT is allowed. */
    public static final int MULTISHOT = 1 << 7;
    /** The iocb flag TO_SLOT is allowed (the result is a new fd). */
    public static final int TO_SLOT = 1 << 8;
    /** mode holds a second descriptor (the one written). */
    public static final int SECOND_FD = 1 << 9;
    /** The fd field is not used. */
    public static final int NO_FD = 1 << 10;
    /** It may wait for a socket's (or any pollable fd's) readiness for as long as it takes. */
    public static final int WAITS_FOR_READINESS = 1 << 11;

    // What a waiting opcode waits for (a row's interest).
    /** It waits for nothing. */
    public static final int INTEREST_NONE = 0;
    /** Readable (POLLIN). */
    public static final int INTEREST_IN = 1;
    /** Writable (POLLOUT). */
    public static final int INTEREST_OUT = 2;
    /** The POLL* bits in op_flags. */
    public static final int INTEREST_OP_FLAGS = 3;

    /**
     * One opcode.
     *
     * @param code     its value in the opcode field
     * @param name     its name in docs/abi.md
     * @param flags    what its fields hold ({@link #USES_BUFFER}, ...)
     * @param interest what it waits for, if it waits ({@link #INTEREST_IN}, ...)
     */
    public record Row(int code, String name, int flags, int interest) {
        /**
         * {@return true if every bit of {@code flag} is set}
         *
         * @param flag the flag
         */
        public boolean has(final int flag) {
            return (flags & flag) == flag;
        }
    }

    private static final Row[] ROWS = {
        new Row(NOP, "nop", NO_FD, INTEREST_NONE),
        new Row(PREAD, "pread", USES_BUFFER | MOVES_BYTES | READS_FILE, INTEREST_NONE),
        new Row(PWRITE, "pwrite", USES_BUFFER | MOVES_BYTES | WRITES_FILE, INTEREST_NONE),
        new Row(PREADV, "preadv", USES_IOVECS | MOVES_BYTES | READS_FILE, INTEREST_NONE),
        new Row(PWRITEV, "pwritev", USES_IOVECS | MOVES_BYTES | WRITES_FILE, INTEREST_NONE),
        new Row(FSYNC, "fsync", 0, INTEREST_NONE),
        new Row(FDATASYNC, "fdatasync", 0, INTEREST_NONE),
        new Row(OPENAT, "openat", USES_PATH | TO_SLOT, INTEREST_NONE),
        new Row(CLOSE, "close", 0, INTEREST_NONE),
        new Row(RECV, "recv", USES_BUFFER | MOVES_BYTES | WAITS_FOR_READINESS, INTEREST_IN),
        new Row(SEND, "send", USES_BUFFER | MOVES_BYTES | WAITS_FOR_READINESS, INTEREST_OUT),
        new Row(ACCEPT, "accept", MULTISHOT | TO_SLOT | WAITS_FOR_READINESS, INTEREST_IN),
        new Row(CONNECT, "connect", USES_BUFFER | WAITS_FOR_READINESS, INTEREST_OUT),
        new Row(SHUTDOWN, "shutdown", 0, INTEREST_NONE),
        new Row(POLL, "poll", MULTISHOT | WAITS_FOR_READINESS, INTEREST_OP_FLAGS),
        new Row(TIMEOUT, "timeout", NO_FD, INTEREST_NONE),
        new Row(SENDFILE, "sendfile", MOVES_BYTES | SECOND_FD, INTEREST_NONE),
        new Row(RECVMSG, "recvmsg", USES_MSGHDR | MOVES_BYTES | WAITS_FOR_READINESS, INTEREST_IN),
        new Row(SENDMSG, "sendmsg", USES_MSGHDR | MOVES_BYTES | WAITS_FOR_READINESS, INTEREST_OUT),
        new Row(SPLICE, "splice", MOVES_BYTES | SECOND_FD, INTEREST_NONE),
        new Row(COPY_FILE_RANGE, "copy_file_range", MOVES_BYTES | SECOND_FD, INTEREST_NONE),
        new Row(STATX, "statx", USES_PATH, INTEREST_NONE),
        new Row(FALLOCATE, "fallocate", 0, INTEREST_NONE),
        new Row(FTRUNCATE, "ftruncate", 0, INTEREST_NONE),
        new Row(SEND_ZC, "send_zc", USES_BUFFER | MOVES_BYTES | WAITS_FOR_READINESS, INTEREST_OUT),
    };

    /** Flags of each opcode, for the hot paths (one array load, no record). */
    private static final int[] FLAGS = new int[COUNT];

    static {
        if (ROWS.length != COUNT) {
            throw new ExceptionInInitializerError("opcode table has " + ROWS.length + " rows, not " + COUNT);
        }
        for (int i = 0; i < COUNT; i++) {
            final Row row = ROWS[i];
            if (row.code() != i) {
                throw new ExceptionInInitializerError("opcode table row " + i + " is " + row.name() + " (" + row.code() + ")");
            }
            if (row.has(WAITS_FOR_READINESS) != (row.interest() != INTEREST_NONE)) {
                throw new ExceptionInInitializerError(row.name() + ": an interest exactly when it waits for readiness");
            }
            FLAGS[i] = row.flags();
        }
    }

    private OpcodeDescriptor() {
    }

    /**
     * {@return true for 0 to {@link #COUNT} - 1}
     *
     * @param opcode the opcode
     */
    public static boolean isKnown(final int opcode) {
        return opcode >= 0 && opcode < COUNT;
    }

    /**
     * {@return opcode's row}
     *
     * @param opcode the opcode
     * @throws IllegalArgumentException for an unknown opcode
     */
    public static Row row(final int opcode) {
        if (!isKnown(opcode)) {
            throw new IllegalArgumentException("unknown opcode " + opcode);
        }
        return ROWS[opcode];
    }

    /**
     * {@return true if {@code opcode} is known and its row has every bit of {@code flag}}
     *
     * @param opcode the opcode
     * @param flag the flag
     */
    public static boolean has(final int opcode, final int flag) {
        return opcode >= 0 && opcode < COUNT && (FLAGS[opcode] & flag) == flag;
    }

    /**
     * {@return the opcode named {@code name}, or -1}
     *
     * @param name the name
     */
    public static int byName(final String name) {
        for (final Row row : ROWS) {
            if (row.name().equals(name)) {
                return row.code();
            }
        }
        return -1;
    }
}
