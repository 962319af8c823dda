package io.aioring.linux;

import java.util.Locale;

/**
 * The facts of the Linux ABI that differ between the architectures aioring runs on: system call numbers for the
 * calls glibc has no wrapper for, and the open(2) flags whose bits x86-64 and aarch64 assign differently, and struct epoll_event's size (packed on x86-64). Chosen
 * once, at start-up, from {@code os.arch}; any other architecture is refused with one line.
 *
 * <p>What does not differ is not here: the errno values, the other O_* and socket constants, and the layouts of
 * the other structs aioring passes (iovec, timespec, msghdr, sockaddr_un, statx) are the same on both (LP64, asm-generic).
 */
public enum Arch {
    /** x86-64 (os.arch {@code amd64} or {@code x86_64}): its own syscall table and O_* bits. */
    X86_64(202, 425, 426, 427, 040000, 0200000, 0400000, 12),
    /** aarch64: the asm-generic syscall table and O_* bits. */
    AARCH64(98, 425, 426, 427, 0200000, 040000, 0100000, 16);

    /** futex(2). */
    public final long sysFutex;
    /** io_uring_setup(2). */
    public final long sysIoUringSetup;
    /** io_uring_enter(2). */
    public final long sysIoUringEnter;
    /** io_uring_register(2). */
    public final long sysIoUringRegister;
    /** open(2) flag O_DIRECT. */
    public final int oDirect;
    /** open(2) flag O_DIRECTORY. */
    public final int oDirectory;
    /** open(2) flag O_NOFOLLOW. */
    public final int oNofollow;
    /** sizeof(struct epoll_event): packed (12 bytes) on x86-64, naturally aligned (16) on aarch64. */
    public final int epollEventSize;

    private static final Arch CURRENT = detect(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    private static final String REFUSAL = CURRENT != null ? null
        : "aioring runs on Linux on x86-64 or aarch64; this JVM reports " + System.getProperty("os.name") + " on "
            + System.getProperty("os.arch");

    Arch(final long sysFutex, final long sysIoUringSetup, final long sysIoUringEnter, final long sysIoUringRegister,
         final int oDirect, final int oDirectory, final int oNofollow, final int epollEventSize) {
        this.sysFutex = sysFutex;
        this.sysIoUringSetup = sysIoUringSetup;
        this.sysIoUringEnter = sysIoUringEnter;
        this.sysIoUringRegister = sysIoUringRegister;
        this.oDirect = oDirect;
        this.oDirectory = oDirectory;
        this.oNofollow = oNofollow;
        this.epollEventSize = epollEventSize;
    }

    /**
     * {@return the architecture this JVM runs on}
     *
     * @throws UnsupportedOperationException with one line naming the OS and architecture, on anything but Linux on
     *         x86-64 or aarch64
     */
    public static Arch current() {
        if (CURRENT == null) {
            throw new UnsupportedOperationException(REFUSAL);
        }
        return CURRENT;
    }

    /**
     * {@return the architecture those name, or null if aioring does not run there}
     *
     * @param osName the {@code os.name} system property
     * @param osArch the {@code os.arch} system property
     */
    public static Arch detect(final String osName, final String osArch) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return null;
        }
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x86-64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> null;
        };
    }
}
