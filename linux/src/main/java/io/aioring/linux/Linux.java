package io.aioring.linux;

import static java.lang.foreign.ValueLayout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The Linux calls aioring makes, through the FFM API (no JNI). Pointers are passed as {@code long} addresses, so a
 * call allocates nothing. Each wrapper returns what the kernel does: the result, or {@code -errno} on failure,
 * with errno taken from the caller's {@link Errno} capture area.
 */
public final class Linux {
    /** open(2): read only. */
    public static final int O_RDONLY = 0;
    /** open(2): write only. */
    public static final int O_WRONLY = 1;
    /** open(2): read and write. */
    public static final int O_RDWR = 2;
    /** The access-mode bits of open(2) flags: O_RDONLY, O_WRONLY or O_RDWR. */
    public static final int O_ACCMODE = 3;
    /** open(2): create the file if it does not exist. */
    public static final int O_CREAT = 0100;
    /** open(2): with O_CREAT, fail (EEXIST) if it exists. */
    public static final int O_EXCL = 0200;
    /** open(2): truncate a regular file opened for writing to length 0. */
    public static final int O_TRUNC = 01000;
    /** open(2): every write goes to the end of the file. */
    public static final int O_APPEND = 02000;
    /** O_DIRECT: its bit differs between architectures ({@link Arch}). */
    public static final int O_DIRECT = Arch.current().oDirect;
    /** O_DIRECTORY: its bit differs between architectures ({@link Arch}). */
    public static final int O_DIRECTORY = Arch.current().oDirectory;
    /** O_NOFOLLOW: its bit differs between architectures ({@link Arch}). */
    public static final int O_NOFOLLOW = Arch.current().oNofollow;
    /** open(2): close the descriptor on execve. */
    public static final int O_CLOEXEC = 02000000;
    /** O_DSYNC and O_SYNC: the same bits on x86-64 and aarch64. */
    public static final int O_DSYNC = 010000;
    /** open(2): each write returns once data and metadata are on the device. */
    public static final int O_SYNC = 04010000;
    /** openat(2)'s dirfd for the current directory. */
    public static final int AT_FDCWD = -100;

    /** eventfd(2): close on execve. */
    public static final int EFD_CLOEXEC = 02000000;
    /** eventfd(2): reads and writes never block (EAGAIN). */
    public static final int EFD_NONBLOCK = 04000;

    /** preadv2(2): fail with EAGAIN rather than block (data not in the page cache, a lock held). */
    public static final int RWF_NOWAIT = 0x8;

    /** futex(2): sleep while the word holds the expected value. */
    public static final int FUTEX_WAIT = 0;
    /** futex(2): wake sleepers on the word. */
    public static final int FUTEX_WAKE = 1;
    private static final long SYS_FUTEX = Arch.current().sysFutex;

    /** poll(2): there is data to read. */
    public static final short POLLIN = 0x1;
    /** struct pollfd: int fd, short events, short revents. */
    public static final int POLLFD_SIZE = 8;

    /** Unix domain sockets. */
    public static final int AF_UNIX = 1;
    /** A stream socket (TCP, or Unix stream). */
    public static final int SOCK_STREAM = 1;
    /** socket(2), accept4(2): close on execve. */
    public static final int SOCK_CLOEXEC = 02000000;
    /** The socket level of setsockopt(2) and of control messages. */
    public static final int SOL_SOCKET = 1;
    /** A control message that passes file descriptors. */
    public static final int SCM_RIGHTS = 1;
    /** shutdown(2): neither. */
    public static final int SHUT_RDWR = 2;
    /** getsockopt: the peer's struct ucred {pid, uid, gid} (3 ints). */
    public static final int SO_PEERCRED = 17;
    /** struct sockaddr_un: sa_family_t (u16) then a 108-byte path. */
    public static final int SOCKADDR_UN_SIZE = 110;
    /** The longest path a sockaddr_un holds, its terminating NUL excluded. */
    public static final int SUN_PATH_MAX = 107;

    /** struct iovec: void *iov_base, size_t iov_len. */
    public static final int IOVEC_SIZE = 16;

    /** poll(2): writing will not block. */
    public static final short POLLOUT = 0x4;
    /** poll(2): an error condition. */
    public static final short POLLERR = 0x8;
    /** poll(2): the peer hung up. */
    public static final short POLLHUP = 0x10;
    /** poll(2): the stream socket peer shut down writing. */
    public static final short POLLRDHUP = 0x2000;

    /** IPv4 sockets. */
    public static final int AF_INET = 2;
    /** IPv6 sockets. */
    public static final int AF_INET6 = 10;
    /** struct sockaddr_in: family (u16), port (u16, network order), address (4 bytes), 8 bytes of zero; 16 bytes. */
    public static final int SOCKADDR_IN_SIZE = 16;
    /**
     * struct sockaddr_in6: family (u16), port (u16, network order), flowinfo (u32), address (16 bytes), scope id
     * (u32); 28 bytes.
     */
    public static final int SOCKADDR_IN6_SIZE = 28;
    /** SOL_SOCKET options (asm-generic numbering, the same on x86-64 and aarch64): each an int. */
    public static final int SO_REUSEADDR = 2;
    /** setsockopt(2): the send buffer size. */
    public static final int SO_SNDBUF = 7;
    /** setsockopt(2): the receive buffer size. */
    public static final int SO_RCVBUF = 8;
    /** setsockopt(2): send keep-alive probes. */
    public static final int SO_KEEPALIVE = 9;
    /** struct linger: int l_onoff, int l_linger (seconds). */
    public static final int SO_LINGER = 13;
    /** setsockopt(2): sockets may bind the same port and share its load. */
    public static final int SO_REUSEPORT = 15;
    /** The TCP level of setsockopt(2). */
    public static final int IPPROTO_TCP = 6;
    /** The IPv6 level of setsockopt(2). */
    public static final int IPPROTO_IPV6 = 41;
    /** setsockopt(2): send small segments at once (no Nagle delay). */
    public static final int TCP_NODELAY = 1;
    /** setsockopt(2): an IPv6 socket takes no IPv4 traffic. */
    public static final int IPV6_V6ONLY = 26;
    /** socket(2), accept4(2): the new socket is non-blocking. */
    public static final int SOCK_NONBLOCK = 04000;
    /** shutdown(2): no more receptions. */
    public static final int SHUT_RD = 0;
    /** shutdown(2): no more transmissions. */
    public static final int SHUT_WR = 1;
    /** getsockopt: the pending socket error (an int), cleared by reading it. */
    public static final int SO_ERROR = 4;
    /** recv/send flag: do not block (the call fails -EAGAIN instead). */
    public static final int MSG_DONTWAIT = 0x40;
    /** send flag: no SIGPIPE on a closed connection (-EPIPE instead). */
    public static final int MSG_NOSIGNAL = 0x4000;

    /** epoll_ctl(2): add a descriptor. */
    public static final int EPOLL_CTL_ADD = 1;
    /** epoll_ctl(2): remove a descriptor. */
    public static final int EPOLL_CTL_DEL = 2;
    /** epoll_ctl(2): change its events. */
    public static final int EPOLL_CTL_MOD = 3;
    /** epoll: readable. */
    public static final int EPOLLIN = 0x1;
    /** epoll: writable. */
    public static final int EPOLLOUT = 0x4;
    /** epoll: an error condition. */
    public static final int EPOLLERR = 0x8;
    /** epoll: hang-up. */
    public static final int EPOLLHUP = 0x10;
    /** epoll: the peer shut down writing. */
    public static final int EPOLLRDHUP = 0x2000;
    /** epoll: edge-triggered. */
    public static final int EPOLLET = 1 << 31;
    /** struct epoll_event: u32 events, u64 data; packed (12 bytes) on x86-64 only, 16 bytes elsewhere. */
    public static final int EPOLL_EVENT_SIZE = Arch.current().epollEventSize;
    /** Where struct epoll_event's data field starts. */
    public static final int EPOLL_EVENT_DATA = EPOLL_EVENT_SIZE - 8;

    /** struct statx: 256 bytes. */
    public static final int STATX_SIZE = 256;
    /**
     * struct msghdr (LP64, the same on x86-64 and aarch64): msg_name (ptr) 0, msg_namelen (u32) 8, msg_iov (ptr)
     * 16, msg_iovlen (size_t) 24, msg_control (ptr) 32, msg_controllen (size_t) 40, msg_flags (int) 48; 56 bytes.
     */
    public static final int MSGHDR_SIZE = 56;
    /** struct msghdr: msg_name's byte offset. */
    public static final int MSGHDR_NAME = 0;
    /** struct msghdr: msg_namelen's byte offset. */
    public static final int MSGHDR_NAMELEN = 8;
    /** struct msghdr: msg_iov's byte offset. */
    public static final int MSGHDR_IOV = 16;
    /** struct msghdr: msg_iovlen's byte offset. */
    public static final int MSGHDR_IOVLEN = 24;
    /** struct msghdr: msg_control's byte offset. */
    public static final int MSGHDR_CONTROL = 32;
    /** struct msghdr: msg_controllen's byte offset. */
    public static final int MSGHDR_CONTROLLEN = 40;
    /** struct msghdr: msg_flags's byte offset. */
    public static final int MSGHDR_FLAGS = 48;

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    // Each downcall handle is made the first time its call is made (a holder class per call): making all of them
    // when this class loads cost most of a first setup (45 specialised handles, about 0.5-1 s). Each distinct handle
    // still costs a generated class at its first call (5-20 ms in a fresh JVM): the calls made at setup and other
    // rare moments share one, syscall(2) with six long arguments, which io_uring_enter uses too.

    /** syscall(number, a, b, c, d, f, g): every argument a long, as the kernel takes them in registers. */
    static final class SYSCALL {
        static final MethodHandle H = LINKER.downcallHandle(LIBC.findOrThrow("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            ERRNO, Linker.Option.firstVariadicArg(1));
    }

    /** @return the system call's result, or -errno */
    static long syscall(final Errno e, final long number, final long a, final long b, final long c, final long d,
                        final long f, final long g) {
        try {
            final long r = (long) SYSCALL.H.invokeExact(e.state, number, a, b, c, d, f, g);
            return r == -1 ? -e.errno() : r;
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class PREAD {
        static final MethodHandle H = errnoCall("pread", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    }
    private static final class PWRITE {
        static final MethodHandle H = errnoCall("pwrite", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    }
    private static final class PREADV2 {
        static final MethodHandle H = errnoCall("preadv2", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    }
    private static final class PWRITEV2 {
        static final MethodHandle H = errnoCall("pwritev2", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    }
    private static final class FSYNC {
        static final MethodHandle H = errnoCall("fsync", JAVA_INT, JAVA_INT);
    }
    private static final class FDATASYNC {
        static final MethodHandle H = errnoCall("fdatasync", JAVA_INT, JAVA_INT);
    }
    private static final class POSIX_FADVISE {
        static final MethodHandle H = LINKER.downcallHandle(LIBC.findOrThrow("posix_fadvise"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    }
    private static final class READ {
        static final MethodHandle H = errnoCall("read", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    }
    private static final class WRITE {
        static final MethodHandle H = errnoCall("write", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    }
    /** write(2) without errno capture: capturing slices the capture segment, which allocates unless C2 inlines it all. */
    private static final class SCHED_GETCPU {
        static final MethodHandle H = LINKER.downcallHandle(LIBC.findOrThrow("sched_getcpu"),
            FunctionDescriptor.of(JAVA_INT));
    }
    private static final class WRITE_UNCHECKED {
        static final MethodHandle H = LINKER.downcallHandle(LIBC.findOrThrow("write"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    }
    private static final class FUTEX_UNCHECKED {
        static final MethodHandle H = LINKER.downcallHandle(LIBC.findOrThrow("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT),
            Linker.Option.firstVariadicArg(1));
    }
    private static final class POLL {
        static final MethodHandle H = errnoCall("poll", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    }
    private static final class CONNECT {
        static final MethodHandle H = errnoCall("connect", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    }
    private static final class SENDMSG {
        static final MethodHandle H = errnoCall("sendmsg", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    }
    private static final class RECVMSG {
        static final MethodHandle H = errnoCall("recvmsg", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    }
    private static final class GETSOCKOPT {
        static final MethodHandle H = errnoCall("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    }
    private static final class GETEUID {
        static final MethodHandle H = LINKER.downcallHandle(LIBC.findOrThrow("geteuid"), FunctionDescriptor.of(JAVA_INT));
    }
    private static final class SETSOCKOPT {
        static final MethodHandle H = errnoCall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    }
    private static final class GETPEERNAME {
        static final MethodHandle H = errnoCall("getpeername", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    }
    private static final class GETSOCKNAME {
        static final MethodHandle H = errnoCall("getsockname", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    }
    private static final class RECV {
        static final MethodHandle H = errnoCall("recv", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    }
    private static final class SEND {
        static final MethodHandle H = errnoCall("send", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    }
    private static final class EPOLL_CREATE1 {
        static final MethodHandle H = errnoCall("epoll_create1", JAVA_INT, JAVA_INT);
    }
    private static final class EPOLL_CTL {
        static final MethodHandle H = errnoCall("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    }
    private static final class EPOLL_WAIT {
        static final MethodHandle H = errnoCall("epoll_wait", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT);
    }
    private static final class SENDFILE {
        static final MethodHandle H = errnoCall("sendfile", JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    }
    private static final class SPLICE {
        static final MethodHandle H = errnoCall("splice", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    }
    private static final class COPY_FILE_RANGE {
        static final MethodHandle H = errnoCall("copy_file_range", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    }
    private static final class GETRUSAGE {
        static final MethodHandle H = errnoCall("getrusage", JAVA_INT, JAVA_INT, JAVA_LONG);
    }
    /** getrusage's "who": the calling thread alone. */
    private static final int RUSAGE_THREAD = 1;
    /** struct rusage: two struct timeval (32 bytes), then 14 longs; ru_inblock is the 8th of them. */
    public static final int RUSAGE_SIZE = 144;
    private static final int RUSAGE_INBLOCK_OFFSET = 32 + 7 * 8;
    /** syscall(SYS_cachestat = 451 on x86-64 and aarch64 alike, fd, range, cstat, flags). */
    private static final class CACHESTAT {
        static final MethodHandle H = LINKER.downcallHandle(LIBC.findOrThrow("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT),
            ERRNO, Linker.Option.firstVariadicArg(1));
    }
    private static final long SYS_CACHESTAT = 451;
    private static final class FCNTL {
        static final MethodHandle H = LINKER.downcallHandle(LIBC.findOrThrow("fcntl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO, Linker.Option.firstVariadicArg(2));
    }
    private static final class FCNTL_SETFL {
        static final MethodHandle H = LINKER.downcallHandle(LIBC.findOrThrow("fcntl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO, Linker.Option.firstVariadicArg(2));
    }
    /** fcntl command: the file status flags (O_DIRECT, O_APPEND, ...). */
    public static final int F_GETFL = 3;
    /** fcntl command: set the file status flags that may change (O_NONBLOCK, O_APPEND, O_DIRECT, ...). */
    public static final int F_SETFL = 4;
    /** Calls on the descriptor fail -EAGAIN (or -EINPROGRESS for a connect) rather than wait. */
    public static final int O_NONBLOCK = 04000;
    /** fcntl(fd, cmd, struct flock *): the POSIX record locks the JDK's FileChannel takes too. */
    private static final class FCNTL_LOCK {
        static final MethodHandle H = LINKER.downcallHandle(LIBC.findOrThrow("fcntl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO, Linker.Option.firstVariadicArg(2));
    }
    /** fcntl commands on a struct flock (the 64-bit ones: F_GETLK64 and so on are the same numbers on LP64). */
    public static final int F_GETLK = 5;
    /** fcntl(2): take or release a record lock, failing at once (EAGAIN, EACCES) if another process holds one. */
    public static final int F_SETLK = 6;
    /** fcntl(2): as F_SETLK, waiting until the lock is free (a signal ends the wait: EINTR). */
    public static final int F_SETLKW = 7;
    /** struct flock: l_type (i16) 0, l_whence (i16) 2, l_start (i64) 8, l_len (i64) 16, l_pid (i32) 24. */
    public static final int FLOCK_SIZE = 32;
    /** struct flock: l_type's byte offset (short). */
    public static final int FLOCK_TYPE = 0;
    /** struct flock: l_whence's byte offset (short). */
    public static final int FLOCK_WHENCE = 2;
    /** struct flock: l_start's byte offset. */
    public static final int FLOCK_START = 8;
    /** struct flock: l_len's byte offset (0: to the end, however it grows). */
    public static final int FLOCK_LEN = 16;
    /** A shared (read) lock. */
    public static final short F_RDLCK = 0;
    /** An exclusive (write) lock. */
    public static final short F_WRLCK = 1;
    /** Release the lock. */
    public static final short F_UNLCK = 2;
    /** struct cachestat_range {u64 off, len} then struct cachestat {u64 nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted}. */
    public static final int CACHESTAT_SCRATCH_SIZE = 16 + 40;
    /** flock(2): an exclusive lock. */
    public static final int LOCK_EX = 2;
    /** flock(2): fail (EWOULDBLOCK) rather than wait. */
    public static final int LOCK_NB = 4;

    private Linux() {
    }

    static MethodHandle errnoCall(final String name, final java.lang.foreign.MemoryLayout result,
                                          final java.lang.foreign.MemoryLayout... args) {
        return LINKER.downcallHandle(LIBC.findOrThrow(name), FunctionDescriptor.of(result, args), ERRNO);
    }

    static long check(final long result, final Errno errno) {
        return result == -1 ? -errno.errno() : result;
    }

    static int check(final int result, final Errno errno) {
        return result == -1 ? -errno.errno() : result;
    }

    /** A downcall that throws can only mean a broken binding; rethrow unchecked errors as they are. */
    static RuntimeException unexpected(final Throwable t) {
        if (t instanceof Error error) {
            throw error;
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException("native call failed", t);
    }

    /**
     * pread(2): reads {@code length} bytes at {@code offset} into the memory at {@code address}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @param offset the byte offset in the file
     * @return bytes read, or -errno
     */
    public static long pread(final Errno e, final int fd, final long address, final long length, final long offset) {
        try {
            return check((long) PREAD.H.invokeExact(e.state, fd, address, length, offset), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * pwrite(2): writes {@code length} bytes from {@code address} at {@code offset}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @param offset the byte offset in the file
     * @return bytes written, or -errno
     */
    public static long pwrite(final Errno e, final int fd, final long address, final long length, final long offset) {
        try {
            return check((long) PWRITE.H.invokeExact(e.state, fd, address, length, offset), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * preadv2(2): reads into {@code count} iovecs at {@code iovecs}, with RWF_* {@code flags}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param iovecs the address of the iovec array
     * @param count how many iovecs
     * @param offset the byte offset in the file
     * @param flags RWF_* flags
     * @return bytes read, or -errno
     */
    public static long preadv2(final Errno e, final int fd, final long iovecs, final int count, final long offset,
                               final int flags) {
        try {
            return check((long) PREADV2.H.invokeExact(e.state, fd, iovecs, count, offset, flags), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * pwritev2(2): writes from {@code count} iovecs at {@code iovecs}, with RWF_* {@code flags}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param iovecs the address of the iovec array
     * @param count how many iovecs
     * @param offset the byte offset in the file
     * @param flags RWF_* flags
     * @return bytes written, or -errno
     */
    public static long pwritev2(final Errno e, final int fd, final long iovecs, final int count, final long offset,
                                final int flags) {
        try {
            return check((long) PWRITEV2.H.invokeExact(e.state, fd, iovecs, count, offset, flags), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * fsync(2): the file's data and metadata to the device.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @return 0, or -errno
     */
    public static int fsync(final Errno e, final int fd) {
        try {
            return check((int) FSYNC.H.invokeExact(e.state, fd), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * fdatasync(2): the file's data (and the metadata needed to read it) to the device.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @return 0, or -errno
     */
    public static int fdatasync(final Errno e, final int fd) {
        try {
            return check((int) FDATASYNC.H.invokeExact(e.state, fd), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * openat(2): opens {@code path}, relative to {@code dirfd}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param dirfd the directory descriptor, or AT_FDCWD
     * @param flags O_* flags
     * @param mode the permissions of a created file
     * @param path the address of a NUL-terminated path
     * @return the new descriptor, or -errno
     */
    public static int openat(final Errno e, final int dirfd, final long path, final int flags, final int mode) {
        return (int) syscall(e, SyscallNumbers.OPENAT, dirfd, path, flags, mode, 0, 0);
    }

    /** posix_fadvise advice: drop the range's clean pages from the page cache (dirty ones must be written first). */
    public static final int POSIX_FADV_DONTNEED = 4;

    /**
     * posix_fadvise(fd, offset, length, advice); length 0 means to the end of the file.
     *
     * @param fd the file descriptor
     * @param offset the byte offset in the file
     * @param length the length in bytes
     * @param advice POSIX_FADV_*
     * @return 0, or -errno (posix_fadvise returns the error itself rather than setting errno): EBADF, ESPIPE (a
     *         pipe), EINVAL (bad advice)
     */
    public static int posixFadvise(final int fd, final long offset, final long length, final int advice) {
        try {
            return -(int) POSIX_FADVISE.H.invokeExact(fd, offset, length, advice);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * close(2).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @return 0, or -errno
     */
    public static int close(final Errno e, final int fd) {
        return (int) syscall(e, SyscallNumbers.CLOSE, fd, 0, 0, 0, 0, 0);
    }

    /**
     * read(2) into the memory at {@code address}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @return bytes read (0 at the end), or -errno
     */
    public static long read(final Errno e, final int fd, final long address, final long length) {
        try {
            return check((long) READ.H.invokeExact(e.state, fd, address, length), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * write(2) from the memory at {@code address}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @return bytes written, or -errno
     */
    public static long write(final Errno e, final int fd, final long address, final long length) {
        try {
            return check((long) WRITE.H.invokeExact(e.state, fd, address, length), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * write(2) for callers that only need to know whether it worked (signalling an eventfd): no errno, no
     * allocation on any JIT path.
     *
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @return bytes written, or -1
     */
    public static long writeUnchecked(final int fd, final long address, final long length) {
        return writeUncheckedCall(fd, address, length);
    }

    /** {@return the CPU the calling thread runs on now (sched_getcpu, served by the vDSO), or -1} */
    public static int currentCpu() {
        try {
            return (int) SCHED_GETCPU.H.invokeExact();
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    private static long writeUncheckedCall(final int fd, final long address, final long length) {
        try {
            return (long) WRITE_UNCHECKED.H.invokeExact(fd, address, length);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * eventfd(2).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param initial the counter's first value
     * @param flags EFD_CLOEXEC, EFD_NONBLOCK
     * @return the new descriptor, or -errno
     */
    public static int eventfd(final Errno e, final int initial, final int flags) {
        return (int) syscall(e, SyscallNumbers.EVENTFD2, initial, flags, 0, 0, 0, 0);
    }

    /**
     * poll(2).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param count how many struct pollfd
     * @param timeoutMillis how long to wait at most, in milliseconds
     * @param fds the address of {@code count} struct pollfd
     * @return how many descriptors are ready, 0 at the timeout, or -errno
     */
    public static int poll(final Errno e, final long fds, final long count, final int timeoutMillis) {
        try {
            return check((int) POLL.H.invokeExact(e.state, fds, count, timeoutMillis), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * FUTEX_WAIT on a shared (not private) futex word, so it works across processes mapping the same file.
     *
     * @param timespec the address of a struct timespec (relative timeout), or 0 for none
     * @param e where the call's errno is captured (the calling thread's)
     * @param address the address of the futex word
     * @param expected sleep only while the word holds this
     * @return 0 when woken, -EAGAIN if the word was not {@code expected}, -ETIMEDOUT, -EINTR
     */
    public static int futexWait(final Errno e, final long address, final int expected, final long timespec) {
        return (int) syscall(e, SYS_FUTEX, address, FUTEX_WAIT, expected, timespec, 0, 0);
    }

    /**
     * {@return the number of waiters woken, or -errno}
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param address the address of the futex word
     * @param count wake at most this many
     */
    public static int futexWake(final Errno e, final long address, final int count) {
        return (int) syscall(e, SYS_FUTEX, address, FUTEX_WAKE, count, 0, 0, 0);
    }

    /**
     * FUTEX_WAKE without errno capture, for the engine's hot path.
     *
     * @param address the address of the futex word
     * @param count wake at most this many
     * @return waiters woken, or -1
     */
    public static long futexWakeUnchecked(final long address, final int count) {
        try {
            return (long) FUTEX_UNCHECKED.H.invokeExact(SYS_FUTEX, address, FUTEX_WAKE, count, 0L, 0L, 0);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * socket(2).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param domain AF_INET, AF_INET6 or AF_UNIX
     * @param type SOCK_STREAM or SOCK_DGRAM, with SOCK_NONBLOCK and SOCK_CLOEXEC as wanted
     * @param protocol the protocol (0: the type's default)
     * @return the new descriptor, or -errno
     */
    public static int socket(final Errno e, final int domain, final int type, final int protocol) {
        return (int) syscall(e, SyscallNumbers.SOCKET, domain, type, protocol, 0, 0, 0);
    }

    /**
     * bind(2) to the sockaddr of {@code length} bytes at {@code address}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param address the address of a sockaddr
     * @param length the sockaddr's length in bytes
     * @return 0, or -errno
     */
    public static int bind(final Errno e, final int fd, final long address, final int length) {
        return (int) syscall(e, SyscallNumbers.BIND, fd, address, length, 0, 0, 0);
    }

    /**
     * listen(2).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param backlog the listen queue's length
     * @return 0, or -errno
     */
    public static int listen(final Errno e, final int fd, final int backlog) {
        return (int) syscall(e, SyscallNumbers.LISTEN, fd, backlog, 0, 0, 0, 0);
    }

    /**
     * accept4(2), the peer's address not asked for.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param flags SOCK_NONBLOCK, SOCK_CLOEXEC
     * @return the new descriptor, or -errno
     */
    public static int accept4(final Errno e, final int fd, final int flags) {
        return (int) syscall(e, SyscallNumbers.ACCEPT4, fd, 0, 0, flags, 0, 0);
    }

    /**
     * connect(2) to the sockaddr of {@code length} bytes at {@code address}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param address the address of a sockaddr
     * @param length the sockaddr's length in bytes
     * @return 0, or -errno (EINPROGRESS on a non-blocking socket)
     */
    public static int connect(final Errno e, final int fd, final long address, final int length) {
        try {
            return check((int) CONNECT.H.invokeExact(e.state, fd, address, length), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * sendmsg(2) of the struct msghdr at {@code msghdr}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param msghdr the address of a struct msghdr
     * @param flags MSG_* flags
     * @return bytes sent, or -errno
     */
    public static long sendmsg(final Errno e, final int fd, final long msghdr, final int flags) {
        try {
            return check((long) SENDMSG.H.invokeExact(e.state, fd, msghdr, flags), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * recvmsg(2) into the struct msghdr at {@code msghdr}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param msghdr the address of a struct msghdr
     * @param flags MSG_* flags
     * @return bytes received (0: the peer shut down), or -errno
     */
    public static long recvmsg(final Errno e, final int fd, final long msghdr, final int flags) {
        try {
            return check((long) RECVMSG.H.invokeExact(e.state, fd, msghdr, flags), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@return 0, or -errno}
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param mode the permission bits
     */
    public static int fchmod(final Errno e, final int fd, final int mode) {
        return (int) syscall(e, SyscallNumbers.FCHMOD, fd, mode, 0, 0, 0, 0);
    }

    /**
     * getsockopt(2), with the option's value written at {@code value} and its length at {@code length} (in, out).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param level the option's level (SOL_SOCKET, IPPROTO_TCP, ...)
     * @param name the option (SO_*, TCP_*, IPV6_*)
     * @param value the address the value is written to
     * @param length the address of a socklen_t: the value's room in, its length out
     * @return 0, or -errno
     */
    public static int getsockopt(final Errno e, final int fd, final int level, final int name, final long value, final long length) {
        try {
            return check((int) GETSOCKOPT.H.invokeExact(e.state, fd, level, name, value, length), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * setsockopt(2), with the option's value of {@code length} bytes at {@code value}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param level the option's level (SOL_SOCKET, IPPROTO_TCP, ...)
     * @param name the option (SO_*, TCP_*, IPV6_*)
     * @param value the address of the option's value
     * @param length the value's length in bytes
     * @return 0, or -errno
     */
    public static int setsockopt(final Errno e, final int fd, final int level, final int name, final long value, final int length) {
        try {
            return check((int) SETSOCKOPT.H.invokeExact(e.state, fd, level, name, value, length), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * getpeername(2): the connected peer's address at {@code address}, its length in and out at {@code length}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param address the address of a sockaddr to fill
     * @param length the address of a socklen_t: the sockaddr's room in, its length out
     * @return 0, or -errno
     */
    public static int getpeername(final Errno e, final int fd, final long address, final long length) {
        try {
            return check((int) GETPEERNAME.H.invokeExact(e.state, fd, address, length), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@return this process's effective user id} */
    public static int geteuid() {
        try {
            return (int) GETEUID.H.invokeExact();
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * shutdown(2): {@link #SHUT_RD}, {@link #SHUT_WR} or {@link #SHUT_RDWR}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param how SHUT_RD, SHUT_WR or SHUT_RDWR
     * @return 0, or -errno
     */
    public static int shutdown(final Errno e, final int fd, final int how) {
        return (int) syscall(e, SyscallNumbers.SHUTDOWN, fd, how, 0, 0, 0, 0);
    }

    /**
     * getsockname(2): the socket's own address at {@code address}, its length in and out at {@code length}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param address the address of a sockaddr to fill
     * @param length the address of a socklen_t: the sockaddr's room in, its length out
     * @return 0, or -errno
     */
    public static int getsockname(final Errno e, final int fd, final long address, final long length) {
        try {
            return check((int) GETSOCKNAME.H.invokeExact(e.state, fd, address, length), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * recv(2) into the memory at {@code address}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @param flags MSG_* flags
     * @return bytes received (0: the peer shut down), or -errno
     */
    public static long recv(final Errno e, final int fd, final long address, final long length, final int flags) {
        try {
            return check((long) RECV.H.invokeExact(e.state, fd, address, length, flags), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * send(2) from the memory at {@code address}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @param flags MSG_* flags
     * @return bytes sent, or -errno
     */
    public static long send(final Errno e, final int fd, final long address, final long length, final int flags) {
        try {
            return check((long) SEND.H.invokeExact(e.state, fd, address, length, flags), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * epoll_create1(2).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param flags EPOLL_CLOEXEC or 0
     * @return the new descriptor, or -errno
     */
    public static int epollCreate1(final Errno e, final int flags) {
        try {
            return check((int) EPOLL_CREATE1.H.invokeExact(e.state, flags), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * epoll_ctl(2): adds, changes or removes {@code fd} in {@code epfd}'s set.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param epfd the epoll descriptor
     * @param fd the file descriptor
     * @param event the address of one struct epoll_event ({@link #EPOLL_EVENT_SIZE} bytes), or 0 for DEL
     * @param op EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL
     * @return 0, or -errno
     */
    public static int epollCtl(final Errno e, final int epfd, final int op, final int fd, final long event) {
        try {
            return check((int) EPOLL_CTL.H.invokeExact(e.state, epfd, op, fd, event), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * epoll_wait(2).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param epfd the epoll descriptor
     * @param max at most this many
     * @param timeoutMillis how long to wait at most, in milliseconds
     * @param events the address of {@code max} struct epoll_event
     * @return events written, 0 at the timeout, or -errno
     */
    public static int epollWait(final Errno e, final int epfd, final long events, final int max, final int timeoutMillis) {
        try {
            return check((int) EPOLL_WAIT.H.invokeExact(e.state, epfd, events, max, timeoutMillis), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * sendfile(2): copies between descriptors inside the kernel.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param outFd the descriptor written to
     * @param inFd the descriptor read from
     * @param count at most this many bytes
     * @param offset the address of an i64 file offset (read and advanced), or 0 for the file position
     * @return bytes copied, or -errno
     */
    public static long sendfile(final Errno e, final int outFd, final int inFd, final long offset, final long count) {
        try {
            return check((long) SENDFILE.H.invokeExact(e.state, outFd, inFd, offset, count), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * splice(2): moves bytes between a pipe and another descriptor inside the kernel.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fdIn the descriptor read from
     * @param fdOut the descriptor written to
     * @param offOut the address of an i64 offset in fdOut, or 0 for its file position
     * @param length the length in bytes
     * @param flags SPLICE_F_* flags
     * @param offIn the address of an i64 offset, or 0; likewise {@code offOut}
     * @return bytes moved, or -errno
     */
    public static long splice(final Errno e, final int fdIn, final long offIn, final int fdOut, final long offOut,
                              final long length, final int flags) {
        try {
            return check((long) SPLICE.H.invokeExact(e.state, fdIn, offIn, fdOut, offOut, length, flags), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * copy_file_range(2): copies a range of one file into another inside the kernel.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fdIn the descriptor read from
     * @param fdOut the descriptor written to
     * @param offOut the address of an i64 offset in fdOut, or 0 for its file position
     * @param length the length in bytes
     * @param flags 0 (none are defined)
     * @param offIn the address of an i64 offset, or 0; likewise {@code offOut}
     * @return bytes copied, or -errno
     */
    public static long copyFileRange(final Errno e, final int fdIn, final long offIn, final int fdOut, final long offOut,
                                     final long length, final int flags) {
        try {
            return check((long) COPY_FILE_RANGE.H.invokeExact(e.state, fdIn, offIn, fdOut, offOut, length, flags), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /** statx's flag for a descriptor's own file (an empty path). */
    public static final int AT_EMPTY_PATH = 0x1000;
    /** statx masks: the inode number, the size. */
    public static final int STATX_MASK_INO = 0x100;
    /** statx(2) mask: stx_size. */
    public static final int STATX_MASK_SIZE = 0x200;
    /** struct statx: stx_ino (u64) 32, stx_size (u64) 40, stx_dev_major (u32) 136, stx_dev_minor (u32) 140. */
    public static final int STATX_INO_OFFSET = 32;
    /** struct statx: stx_size's byte offset. */
    public static final int STATX_SIZE_OFFSET = 40;
    /** struct statx: stx_dev_major's byte offset. */
    public static final int STATX_DEV_MAJOR_OFFSET = 136;
    /** struct statx: stx_dev_minor's byte offset. */
    public static final int STATX_DEV_MINOR_OFFSET = 140;
    private static final MemorySegment EMPTY_PATH = java.lang.foreign.Arena.global().allocate(1);

    /**
     * fstat of a descriptor: statx(fd, "", AT_EMPTY_PATH, mask, buffer).
     *
     * @param buffer {@link #STATX_SIZE} bytes for the struct statx
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param mask the STATX_* fields wanted
     * @return 0 or -errno
     */
    public static int fstatx(final Errno e, final int fd, final int mask, final MemorySegment buffer) {
        return statx(e, fd, EMPTY_PATH.address(), AT_EMPTY_PATH, mask, buffer.address());
    }

    /**
     * statx(2): the file at {@code path}, relative to {@code dirfd}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param dirfd the directory descriptor, or AT_FDCWD
     * @param flags the call's flags
     * @param mask the STATX_* fields wanted
     * @param statxbuf the address of {@link #STATX_SIZE} bytes, a struct statx to fill
     * @param path a NUL-terminated path
     * @return 0, or -errno
     */
    public static int statx(final Errno e, final int dirfd, final long path, final int flags, final int mask, final long statxbuf) {
        return (int) syscall(e, SyscallNumbers.STATX, dirfd, path, flags, mask, statxbuf, 0);
    }

    /**
     * fallocate(2): {@code length} bytes at {@code offset}, FALLOC_FL_* {@code mode}.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param mode the mode
     * @param offset the byte offset in the file
     * @param length the length in bytes
     * @return 0, or -errno
     */
    public static int fallocate(final Errno e, final int fd, final int mode, final long offset, final long length) {
        return (int) syscall(e, SyscallNumbers.FALLOCATE, fd, mode, offset, length, 0, 0);
    }

    /**
     * {@code cachestat(2)} (Linux 6.5): how many pages of {@code fd}'s {@code [offset, offset + length)} are in the
     * page cache now, the kernel's own count.
     *
     * @param scratch {@link #CACHESTAT_SCRATCH_SIZE} bytes of native memory of the calling thread's own
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param offset the byte offset in the file
     * @param length the length in bytes
     * @return pages cached (nr_cache), or -errno (-ENOSYS before 6.5; -EOPNOTSUPP on a file with no page cache, such
     *         as a socket or a pipe; -EBADF)
     */
    public static long cachestat(final Errno e, final int fd, final long offset, final long length,
                                 final MemorySegment scratch) {
        scratch.set(JAVA_LONG, 0, offset);
        scratch.set(JAVA_LONG, 8, length);
        try {
            final long r = check((long) CACHESTAT.H.invokeExact(e.state, SYS_CACHESTAT, fd, scratch.address(),
                scratch.address() + 16, 0), e);
            return r < 0 ? r : scratch.get(JAVA_LONG, 16);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * The calling thread's block input: {@code ru_inblock} of {@code getrusage(RUSAGE_THREAD)}, the bytes of reads it
     * has submitted to block devices (readahead included), in 512-byte units, counted as each bio is submitted. Only
     * meaningful where the kernel keeps per-task I/O accounting ({@link #TASK_IO_ACCOUNTING}); else always 0.
     *
     * @param scratch {@link #RUSAGE_SIZE} bytes of native memory of the calling thread's own
     * @param e where the call's errno is captured (the calling thread's)
     * @return the count, or -errno
     */
    public static long threadBlockInput(final Errno e, final MemorySegment scratch) {
        try {
            final int r = check((int) GETRUSAGE.H.invokeExact(e.state, RUSAGE_THREAD, scratch.address()), e);
            return r < 0 ? r : scratch.get(JAVA_LONG, RUSAGE_INBLOCK_OFFSET);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * The kernel keeps per-task I/O accounting (CONFIG_TASK_IO_ACCOUNTING; {@code /proc/self/io} exists), so that
     * {@link #threadBlockInput} counts; without it the count stays 0 whatever the thread reads.
     */
    public static final boolean TASK_IO_ACCOUNTING = java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/io"));

    /** The page cache's page size (getpagesize()): 4 KiB on x86-64, 4, 16 or 64 KiB on aarch64. */
    public static final long PAGE_SIZE = pageSize();

    private static long pageSize() {
        try {
            return (int) LINKER.downcallHandle(LIBC.findOrThrow("getpagesize"), FunctionDescriptor.of(JAVA_INT)).invokeExact();
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@return flock(fd, operation): 0, or -errno (-EWOULDBLOCK = -EAGAIN with LOCK_NB when another holds it)}
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param operation the operation
     */
    public static int flock(final Errno e, final int fd, final int operation) {
        return (int) syscall(e, SyscallNumbers.FLOCK, fd, operation, 0, 0, 0, 0);
    }

    /**
     * fcntl(fd, cmd, flock): takes, tests or releases a POSIX record lock.
     *
     * @param cmd   {@link #F_SETLK}, {@link #F_SETLKW} or {@link #F_GETLK}
     * @param flock the address of {@link #FLOCK_SIZE} bytes holding a struct flock
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @return 0, or -errno (-EAGAIN/-EACCES: held by another process; -EINTR: F_SETLKW interrupted)
     */
    public static int fcntlLock(final Errno e, final int fd, final int cmd, final long flock) {
        try {
            return check((int) FCNTL_LOCK.H.invokeExact(e.state, fd, cmd, flock), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@return fcntl(fd, F_GETFL): the file status flags, or -errno}
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     */
    public static int statusFlags(final Errno e, final int fd) {
        try {
            return check((int) FCNTL.H.invokeExact(e.state, fd, F_GETFL), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * fcntl(fd, F_SETFL, flags): sets the status flags that may change.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param flags the call's flags
     * @return 0, or -errno
     */
    public static int setStatusFlags(final Errno e, final int fd, final int flags) {
        try {
            return check((int) FCNTL_SETFL.H.invokeExact(e.state, fd, F_SETFL, flags), e);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * Replaces the pages at {@code [address, address + length)} with fresh private anonymous memory, in place
     * ({@code mmap(MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS)}): a file mapping there is dropped (its pages go with
     * it) while the addresses stay valid, so a thread still reading them reads zeros instead of faulting.
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @return 0, or -errno
     */
    public static int replaceWithAnonymous(final Errno e, final long address, final long length) {
        final long r = syscall(e, SyscallNumbers.MMAP, address, length, 3 /* PROT_READ | PROT_WRITE */,
            0x32 /* MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS */, -1, 0L);
        return r < 0 ? (int) r : 0;
    }

    /**
     * getrandom(2) with no flags: {@code length} bytes from the kernel's generator (it blocks only until that is
     * seeded at boot; requests of at most 256 bytes are never short).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param buffer the buffer
     * @param length the length in bytes
     * @return the bytes written, or -errno
     */
    public static long getrandom(final Errno e, final MemorySegment buffer, final long length) {
        if (length > buffer.byteSize()) {
            throw new IllegalArgumentException(length + " bytes into " + buffer.byteSize());
        }
        return syscall(e, SyscallNumbers.GETRANDOM, buffer.address(), length, 0, 0, 0, 0);
    }

    /** {@return gettid(2): the calling thread's id in the kernel, what {@link #tgkill} names it by} */
    public static int gettid() {
        try (Arena scratch = Arena.ofConfined()) {
            return (int) syscall(new Errno(scratch), SyscallNumbers.GETTID, 0, 0, 0, 0, 0, 0);
        }
    }

    /**
     * {@return tgkill(2): 0, or -errno (-ESRCH: no such thread in that process)}
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param thread the thread's id (gettid)
     * @param signal the signal number
     * @param process the thread group (process) id
     */
    public static int tgkill(final Errno e, final long process, final int thread, final int signal) {
        return (int) syscall(e, SyscallNumbers.TGKILL, process, thread, signal, 0, 0, 0);
    }

    /** sa_flags bit: a call the handler interrupted is restarted, not ended with EINTR. */
    private static final long SA_RESTART = 0x10000000L;

    /**
     * Whether delivering {@code signal} to a thread blocked in a system call ends that call with -EINTR and nothing
     * else: a handler is installed (neither SIG_DFL, which for a real-time signal ends the process, nor SIG_IGN, which
     * is never delivered) without SA_RESTART. Read with rt_sigaction(2); the kernel's struct sigaction begins with the
     * handler (8 bytes) and sa_flags (8 bytes) on x86-64 and aarch64 alike.
     *
     * @param signal the signal number
     * @return true if a handler is installed, and it does not restart calls
     */
    public static boolean signalInterruptsCalls(final int signal) {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment old = scratch.allocate(64, 8);
            final long r = syscall(new Errno(scratch), SyscallNumbers.RT_SIGACTION, signal, 0, old.address(), 8, 0, 0);
            final long handler = old.get(JAVA_LONG, 0);
            return r == 0 && handler != 0 && handler != 1 && (old.get(JAVA_LONG, 8) & SA_RESTART) == 0;
        }
    }

    /**
     * ftruncate(2).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @param length the length in bytes
     * @return 0, or -errno
     */
    public static int ftruncate(final Errno e, final int fd, final long length) {
        return (int) syscall(e, SyscallNumbers.FTRUNCATE, fd, length, 0, 0, 0, 0);
    }

    /** struct statfs (LP64, x86-64 and aarch64 alike): f_bsize (long) at 8, f_bavail (u64) at 32; 120 bytes. */
    public static final int STATFS_SIZE = 120;
    private static final int STATFS_BSIZE_OFFSET = 8;
    private static final int STATFS_BAVAIL_OFFSET = 32;

    /**
     * fstatfs(2): the bytes an unprivileged writer may still allocate on the file system of {@code fd}.
     *
     * @param buffer {@link #STATFS_SIZE} bytes of scratch
     * @param e where the call's errno is captured (the calling thread's)
     * @param fd the file descriptor
     * @return the bytes available, or -errno
     */
    public static long availableBytes(final Errno e, final int fd, final MemorySegment buffer) {
        final long r = syscall(e, SyscallNumbers.FSTATFS, fd, buffer.address(), 0, 0, 0, 0);
        if (r < 0) {
            return r;
        }
        return buffer.get(JAVA_LONG, STATFS_BAVAIL_OFFSET) * buffer.get(JAVA_LONG, STATFS_BSIZE_OFFSET);
    }

    /**
     * mmap(2).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @param flags the call's flags
     * @param fd the file descriptor
     * @param offset the byte offset in the file
     * @param protection PROT_* bits
     * @return the mapping's address, or -errno
     */
    public static long mmap(final Errno e, final long address, final long length, final int protection, final int flags,
                            final int fd, final long offset) {
        return syscall(e, SyscallNumbers.MMAP, address, length, protection, flags, fd, offset);
    }

    /**
     * munmap(2).
     *
     * @param e where the call's errno is captured (the calling thread's)
     * @param address the address of the memory the call uses
     * @param length the length in bytes
     * @return 0, or -errno
     */
    public static int munmap(final Errno e, final long address, final long length) {
        return (int) syscall(e, SyscallNumbers.MUNMAP, address, length, 0, 0, 0, 0);
    }

    /**
     * {@return a NUL-terminated copy of {@code text} in {@code arena}}
     *
     * @param arena where the copy lives
     * @param text  the text, written as UTF-8
     */
    public static MemorySegment cString(final Arena arena, final String text) {
        return arena.allocateFrom(text, StandardCharsets.UTF_8);
    }
}
