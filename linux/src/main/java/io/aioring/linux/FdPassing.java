package io.aioring.linux;

import static java.lang.foreign.ValueLayout.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Handing a file descriptor to another process over a Unix domain socket (SCM_RIGHTS), through FFM: the
 * server side listens on a path and sends one descriptor to each connection; the client connects and receives
 * its own copy. Not on any hot path.
 */
public final class FdPassing {
    /* struct msghdr (LP64: x86-64 and aarch64 alike): name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48; 56 bytes. */
    private static final int MSGHDR_SIZE = 56;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    /* struct cmsghdr: size_t len, int level, int type, then data; CMSG_LEN(4) = 20, CMSG_SPACE(4) = 24. */
    private static final int CMSG_LEN_ONE_FD = 20;
    private static final int CMSG_SPACE_ONE_FD = 24;
    /** recvmsg flag: the received descriptor is close-on-exec. */
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;

    private FdPassing() {
    }

    /**
     * Creates, binds and listens on a Unix stream socket at {@code path}, whose file is made with mode 0600 whatever
     * the umask (the socket's mode is set before bind, which Linux applies to the file it creates): only this user
     * can connect.
     *
     * @param path the path
     * @return the listening descriptor
     * @throws IOException if the socket cannot be made, bound or listened on
     */
    public static int listen(final Path path) throws IOException {
        final Errno errno = new Errno();
        final int fd = Linux.socket(errno, Linux.AF_UNIX, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket(AF_UNIX): " + Errno.name(-fd));
        }
        try (Arena arena = Arena.ofConfined()) {
            final int chmod = Linux.fchmod(errno, fd, 0600);
            if (chmod < 0) {
                throw new IOException("fchmod(socket, 0600): " + Errno.name(-chmod));
            }
            final MemorySegment address = sockaddr(arena, path);
            int r = Linux.bind(errno, fd, address.address(), Linux.SOCKADDR_UN_SIZE);
            if (r < 0) {
                throw new IOException("bind(" + path + "): " + Errno.name(-r));
            }
            r = Linux.listen(errno, fd, 16);
            if (r < 0) {
                throw new IOException("listen(" + path + "): " + Errno.name(-r));
            }
            return fd;
        } catch (final IOException | RuntimeException e) {
            Linux.close(errno, fd);
            throw e;
        }
    }

    /**
     * {@return the user id of the process at the other end (SO_PEERCRED, as the kernel recorded it at connect), or
     * -errno}
     *
     * @param connection a connected Unix socket
     */
    public static long peerUid(final int connection) {
        final Errno errno = new Errno();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment ucred = arena.allocate(12, 4);
            final MemorySegment length = arena.allocate(4, 4);
            length.set(JAVA_INT, 0, 12);
            final int r = Linux.getsockopt(errno, connection, Linux.SOL_SOCKET, Linux.SO_PEERCRED, ucred.address(), length.address());
            return r < 0 ? r : Integer.toUnsignedLong(ucred.get(JAVA_INT, 4));
        }
    }

    /**
     * Accepts one connection (blocking).
     *
     * @param listener the listening socket
     * @return its descriptor, or -errno (e.g. when the listener was shut down)
     * @param errno where the call's errno is captured
     */
    public static int accept(final Errno errno, final int listener) {
        return Linux.accept4(errno, listener, Linux.SOCK_CLOEXEC);
    }

    /** The message's byte when the server keeps the connection open until it is done: a liveness channel. */
    public static final byte KEPT = 'K';
    /** The message's byte when the server closes the connection after the message: it says nothing of liveness. */
    public static final byte NOT_KEPT = 'F';

    /**
     * Sends {@code fd} over the connected socket {@code connection}, with one byte of ordinary data.
     *
     * @param connection the connection
     * @param fd the file descriptor
     * @throws IOException if sendmsg fails
     */
    public static void send(final int connection, final int fd) throws IOException {
        send(connection, fd, NOT_KEPT);
    }

    /**
     * Sends {@code fd} over the connected socket {@code connection}, with {@code byteValue} as the one byte of
     * ordinary data ({@link #KEPT} or {@link #NOT_KEPT}).
     *
     * @param connection the connection
     * @param fd the file descriptor
     * @param byteValue {@link #KEPT} or {@link #NOT_KEPT}
     * @throws IOException if sendmsg fails
     */
    public static void send(final int connection, final int fd, final byte byteValue) throws IOException {
        final Errno errno = new Errno();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment data = arena.allocate(1);
            data.set(JAVA_BYTE, 0, byteValue);
            final MemorySegment iov = arena.allocate(Linux.IOVEC_SIZE, 8);
            iov.set(JAVA_LONG, 0, data.address());
            iov.set(JAVA_LONG, 8, 1L);
            final MemorySegment control = arena.allocate(CMSG_SPACE_ONE_FD, 8);
            control.set(JAVA_LONG, 0, CMSG_LEN_ONE_FD);
            control.set(JAVA_INT, 8, Linux.SOL_SOCKET);
            control.set(JAVA_INT, 12, Linux.SCM_RIGHTS);
            control.set(JAVA_INT, 16, fd);
            final MemorySegment message = arena.allocate(MSGHDR_SIZE, 8);
            message.set(JAVA_LONG, MSG_IOV, iov.address());
            message.set(JAVA_LONG, MSG_IOVLEN, 1L);
            message.set(JAVA_LONG, MSG_CONTROL, control.address());
            message.set(JAVA_LONG, MSG_CONTROLLEN, CMSG_SPACE_ONE_FD);
            final long sent = Linux.sendmsg(errno, connection, message.address(), 0);
            if (sent < 0) {
                throw new IOException("sendmsg(SCM_RIGHTS): " + Errno.name((int) -sent));
            }
        }
    }

    /**
     * Connects to the socket at {@code path} and receives the descriptor its server sends.
     *
     * @param path the path
     * @return the received descriptor, now this process's own
     * @throws IOException if the connection or the receive fails
     */
    public static int receive(final Path path) throws IOException {
        final Received received = receiveKeeping(path);
        Linux.close(new Errno(), received.connection());
        return received.descriptor();
    }

    /**
     * A descriptor received, and the connection it came over, still open.
     *
     * @param kept the server said it keeps the connection open until it is done ({@link #KEPT}): a liveness channel
     * @param descriptor the descriptor received, now this process's own
     * @param connection the connection
     */
    public record Received(int descriptor, int connection, boolean kept) {
    }

    /**
     * As {@link #receive}, keeping the connection open: a server that keeps its end open until it is done (or its
     * process dies, when the kernel closes it) makes the connection a liveness channel no file write can fake.
     *
     * @param path the path
     * @return the descriptor, and the connection (the caller closes both)
     * @throws IOException if the connection or the receive fails
     */
    public static Received receiveKeeping(final Path path) throws IOException {
        final Errno errno = new Errno();
        final int fd = Linux.socket(errno, Linux.AF_UNIX, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket(AF_UNIX): " + Errno.name(-fd));
        }
        try (Arena arena = Arena.ofConfined()) {
            final int r = Linux.connect(errno, fd, sockaddr(arena, path).address(), Linux.SOCKADDR_UN_SIZE);
            if (r < 0) {
                throw new IOException("connect(" + path + "): " + Errno.name(-r));
            }
            final MemorySegment data = arena.allocate(1);
            final MemorySegment iov = arena.allocate(Linux.IOVEC_SIZE, 8);
            iov.set(JAVA_LONG, 0, data.address());
            iov.set(JAVA_LONG, 8, 1L);
            final MemorySegment control = arena.allocate(CMSG_SPACE_ONE_FD, 8);
            final MemorySegment message = arena.allocate(MSGHDR_SIZE, 8);
            message.set(JAVA_LONG, MSG_IOV, iov.address());
            message.set(JAVA_LONG, MSG_IOVLEN, 1L);
            message.set(JAVA_LONG, MSG_CONTROL, control.address());
            message.set(JAVA_LONG, MSG_CONTROLLEN, CMSG_SPACE_ONE_FD);
            final long got = Linux.recvmsg(errno, fd, message.address(), MSG_CMSG_CLOEXEC);
            if (got < 0) {
                throw new IOException("recvmsg(" + path + "): " + Errno.name((int) -got));
            }
            final long controlLength = message.get(JAVA_LONG, MSG_CONTROLLEN);
            if (got != 1 || controlLength < CMSG_LEN_ONE_FD || control.get(JAVA_INT, 8) != Linux.SOL_SOCKET
                || control.get(JAVA_INT, 12) != Linux.SCM_RIGHTS) {
                throw new IOException("no descriptor received from " + path + " (" + got + " bytes, "
                    + controlLength + " bytes of control data)");
            }
            return new Received(control.get(JAVA_INT, 16), fd, data.get(JAVA_BYTE, 0) == KEPT);
        } catch (final IOException | RuntimeException e) {
            Linux.close(errno, fd);
            throw e;
        }
    }

    /**
     * {@return true if the other end has closed it (or its process died): poll says hung up or readable (end of
     * stream, or bytes no server of ours sends after the descriptor)}
     *
     * @param connection a connected socket
     * @param errno where the call's errno is captured
     * @param pollfd 8 bytes for poll's struct pollfd
     */
    public static boolean peerClosed(final Errno errno, final int connection, final MemorySegment pollfd) {
        pollfd.set(JAVA_INT, 0, connection);
        pollfd.set(JAVA_SHORT, 4, (short) (Linux.POLLIN | Linux.POLLRDHUP));
        pollfd.set(JAVA_SHORT, 6, (short) 0);
        final int r = Linux.poll(errno, pollfd.address(), 1, 0);
        return r != 0 && (r < 0 || pollfd.get(JAVA_SHORT, 6) != 0);
    }

    private static MemorySegment sockaddr(final Arena arena, final Path path) throws IOException {
        final byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Linux.SUN_PATH_MAX) {
            throw new IOException("socket path " + path + " is " + bytes.length + " bytes, over the "
                + Linux.SUN_PATH_MAX + " a Unix socket allows");
        }
        final MemorySegment address = arena.allocate(Linux.SOCKADDR_UN_SIZE, 8);
        address.set(JAVA_SHORT, 0, (short) Linux.AF_UNIX);
        MemorySegment.copy(bytes, 0, address, JAVA_BYTE, 2, bytes.length);
        return address;
    }
}
