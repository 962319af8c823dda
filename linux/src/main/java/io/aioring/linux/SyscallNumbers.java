package io.aioring.linux;

/**
 * The system call numbers of the calls made through {@link Linux}'s one {@code syscall(2)} handle: x86-64 has its
 * own table, aarch64 the asm-generic one ({@code asm/unistd_64.h}, {@code asm-generic/unistd.h}).
 */
final class SyscallNumbers {
    private static final boolean X86_64 = Arch.current() == Arch.X86_64;

    static final long OPENAT = X86_64 ? 257 : 56;
    static final long CLOSE = X86_64 ? 3 : 57;
    static final long EVENTFD2 = X86_64 ? 290 : 19;
    static final long SOCKET = X86_64 ? 41 : 198;
    static final long BIND = X86_64 ? 49 : 200;
    static final long LISTEN = X86_64 ? 50 : 201;
    static final long ACCEPT4 = X86_64 ? 288 : 242;
    static final long SHUTDOWN = X86_64 ? 48 : 210;
    static final long FCHMOD = X86_64 ? 91 : 52;
    static final long STATX = X86_64 ? 332 : 291;
    static final long FALLOCATE = X86_64 ? 285 : 47;
    static final long FLOCK = X86_64 ? 73 : 32;
    static final long MMAP = X86_64 ? 9 : 222;
    static final long MUNMAP = X86_64 ? 11 : 215;
    static final long FSTATFS = X86_64 ? 138 : 44;
    static final long FTRUNCATE = X86_64 ? 77 : 46;
    static final long GETRANDOM = X86_64 ? 318 : 278;
    static final long GETTID = X86_64 ? 186 : 178;
    static final long TGKILL = X86_64 ? 234 : 131;
    static final long RT_SIGACTION = X86_64 ? 13 : 134;

    private SyscallNumbers() {
    }
}
