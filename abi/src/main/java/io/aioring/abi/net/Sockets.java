package io.aioring.abi.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

/**
 * TCP sockets for iocbs, without hand-built structs: the calls made outside the ring — socket, bind, listen, the
 * common options, the two addresses, shutdown and close — on plain descriptors that any iocb may name. Each fails
 * with the exception the JDK's own channels throw for the same errno ({@link #failure}), its message naming the
 * call and the errno. Sockets are IPv6 with {@code IPV6_V6ONLY} off where the machine has IPv6, as the JDK's are,
 * so one socket takes either family's addresses ({@link SocketAddresses}).
 *
 * <pre>{@code
 * int listener = Sockets.listener(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
 * int port = Sockets.localAddress(listener).getPort();
 * writer.accept(listener, 0, true, ACCEPTED);                   // a multishot accept iocb on it
 * ...
 * Sockets.setOption(accepted, StandardSocketOptions.TCP_NODELAY, true);
 * }</pre>
 * {@link io.aioring.abi.AioContext#listen} and {@link io.aioring.abi.AioContext#openSocket} give descriptors the
 * context closes at destroy.
 */
public final class Sockets {
    /** The options of a connected or connecting socket, as the JDK's {@code AsynchronousSocketChannel} has. */
    public static final Set<SocketOption<?>> STREAM_OPTIONS = Set.of(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
        StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
        StandardSocketOptions.TCP_NODELAY);
    /** The options of a listening socket, as the JDK's {@code AsynchronousServerSocketChannel} has. */
    public static final Set<SocketOption<?>> LISTENER_OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
        StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT);

    private Sockets() {
    }

    /**
     * Opens a TCP socket, close-on-exec. It is blocking, as iocbs want it: the ring waits on it (io_uring fails a
     * recv on a non-blocking socket with {@code -EAGAIN} rather than waiting).
     *
     * @return its descriptor; the caller closes it ({@link #close})
     * @throws IOException naming {@code socket} and the errno
     */
    public static int open() throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            final Errno errno = new Errno(scratch);
            final int fd = Linux.socket(errno, SocketAddresses.FAMILY, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw failure("socket", fd);
            }
            if (SocketAddresses.FAMILY == Linux.AF_INET6) {
                final int r = setInt(errno, scratch, fd, Linux.IPPROTO_IPV6, Linux.IPV6_V6ONLY, 0);
                if (r < 0) {
                    Linux.close(errno, fd);
                    throw failure("setsockopt IPV6_V6ONLY", r);
                }
            }
            return fd;
        }
    }

    /**
     * Binds a socket to a local address.
     *
     * @param fd      a socket from {@link #open}
     * @param address the address; port 0 lets the kernel choose ({@link #localAddress} says which)
     * @throws java.net.BindException if the address is in use or not this machine's
     * @throws IOException naming {@code bind} and the errno, for any other failure
     * @throws java.nio.channels.UnsupportedAddressTypeException for an IPv6 address on a machine without IPv6
     */
    public static void bind(final int fd, final InetSocketAddress address) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment sockaddr = scratch.allocate(SocketAddresses.SIZE, 8);
            final int length = SocketAddresses.write(address, sockaddr);
            final int r = Linux.bind(new Errno(scratch), fd, sockaddr.address(), length);
            if (r < 0) {
                throw failure("bind", r);
            }
        }
    }

    /**
     * Makes a bound socket listen.
     *
     * @param fd      a bound socket
     * @param backlog connections the kernel may queue before they are accepted
     * @throws IOException naming {@code listen} and the errno
     */
    public static void listen(final int fd, final int backlog) throws IOException {
        final int r = Linux.listen(new Errno(), fd, backlog);
        if (r < 0) {
            throw failure("listen", r);
        }
    }

    /**
     * Opens a listening TCP socket: {@link #open}, {@code SO_REUSEADDR} (a restarted server binds its port again at
     * once, as the JDK's server channels do), {@link #bind} and {@link #listen}. Accept on it with an iocb.
     *
     * @param address the local address; port 0 lets the kernel choose ({@link #localAddress} says which)
     * @param backlog connections the kernel may queue before they are accepted
     * @return its descriptor; the caller closes it ({@link #close})
     * @throws java.net.BindException if the address is in use or not this machine's
     * @throws IOException naming the call that failed and the errno
     */
    public static int listener(final InetSocketAddress address, final int backlog) throws IOException {
        final int fd = open();
        try {
            setOption(fd, StandardSocketOptions.SO_REUSEADDR, true);
            bind(fd, address);
            listen(fd, backlog);
            return fd;
        } catch (final IOException | RuntimeException e) {
            close(fd);
            throw e;
        }
    }

    /**
     * Shuts one or both directions of a connection down; a connection the peer has already ended is no error.
     *
     * @param fd  a connected socket
     * @param how {@code Linux.SHUT_RD}, {@code SHUT_WR} or {@code SHUT_RDWR}
     * @throws IOException naming {@code shutdown} and the errno
     */
    public static void shutdown(final int fd, final int how) throws IOException {
        final int r = Linux.shutdown(new Errno(), fd, how);
        if (r < 0 && r != -Errno.ENOTCONN) { // the peer went first: nothing left to shut
            throw failure("shutdown", r);
        }
    }

    /**
     * Makes the socket blocking or not. A connect is made on a non-blocking socket: it answers -EINPROGRESS at once
     * and the ring waits for its outcome, which a close can cancel (a blocking connect would hold a worker thread
     * until the kernel gives up). Reads and writes are made on a blocking one (io_uring fails a recv on a
     * non-blocking socket with -EAGAIN rather than waiting).
     *
     * @param fd       a socket
     * @param blocking true for blocking
     * @throws IOException naming {@code fcntl} and the errno
     */
    public static void blocking(final int fd, final boolean blocking) throws IOException {
        final Errno errno = new Errno();
        final int flags = Linux.statusFlags(errno, fd);
        if (flags < 0) {
            throw failure("fcntl F_GETFL", flags);
        }
        final int r = Linux.setStatusFlags(errno, fd, blocking ? flags & ~Linux.O_NONBLOCK : flags | Linux.O_NONBLOCK);
        if (r < 0) {
            throw failure("fcntl F_SETFL", r);
        }
    }

    /**
     * Closes a descriptor; an error (a descriptor already closed) is ignored.
     *
     * @param fd the descriptor
     */
    public static void close(final int fd) {
        Linux.close(new Errno(), fd);
    }

    /**
     * {@return the socket's own address}
     *
     * @param fd a bound socket
     * @throws IOException naming {@code getsockname} and the errno
     */
    public static InetSocketAddress localAddress(final int fd) throws IOException {
        return address(fd, false);
    }

    /**
     * {@return the connected peer's address}
     *
     * @param fd a connected socket
     * @throws IOException naming {@code getpeername} and the errno ({@code ENOTCONN} before a connect completed)
     */
    public static InetSocketAddress remoteAddress(final int fd) throws IOException {
        return address(fd, true);
    }

    private static InetSocketAddress address(final int fd, final boolean peer) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment sockaddr = scratch.allocate(SocketAddresses.SIZE, 8);
            final MemorySegment length = scratch.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, SocketAddresses.SIZE);
            final Errno errno = new Errno(scratch);
            final int r = peer ? Linux.getpeername(errno, fd, sockaddr.address(), length.address())
                : Linux.getsockname(errno, fd, sockaddr.address(), length.address());
            if (r < 0) {
                throw failure(peer ? "getpeername" : "getsockname", r);
            }
            return SocketAddresses.read(sockaddr);
        }
    }

    /**
     * Sets one of {@link #STREAM_OPTIONS} or {@link #LISTENER_OPTIONS}.
     *
     * @param <T>   the option's type
     * @param fd    the socket
     * @param name  the option
     * @param value its value
     * @throws IllegalArgumentException for a null value, one of the wrong type, or a negative buffer size
     * @throws UnsupportedOperationException for an option outside those two sets
     * @throws IOException naming {@code setsockopt} and the errno
     */
    public static <T> void setOption(final int fd, final SocketOption<T> name, final T value) throws IOException {
        if (value == null || !name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "' for " + name);
        }
        final int number;
        if (value instanceof Integer size) {
            if (size < 0) {
                throw new IllegalArgumentException("Invalid send/receive buffer size " + size);
            }
            number = size;
        } else {
            number = (Boolean) value ? 1 : 0;
        }
        try (Arena scratch = Arena.ofConfined()) {
            final int r = setInt(new Errno(scratch), scratch, fd, level(name), code(name), number);
            if (r < 0) {
                throw failure("setsockopt " + name, r);
            }
        }
    }

    /**
     * {@return the option, as the kernel holds it}
     *
     * @param <T>  the option's type
     * @param fd   the socket
     * @param name one of {@link #STREAM_OPTIONS} or {@link #LISTENER_OPTIONS}
     * @throws UnsupportedOperationException for an option outside those two sets
     * @throws IOException naming {@code getsockopt} and the errno
     */
    @SuppressWarnings("unchecked")
    public static <T> T getOption(final int fd, final SocketOption<T> name) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment value = scratch.allocate(ValueLayout.JAVA_INT);
            final MemorySegment length = scratch.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, 4);
            final int r = Linux.getsockopt(new Errno(scratch), fd, level(name), code(name), value.address(), length.address());
            if (r < 0) {
                throw failure("getsockopt " + name, r);
            }
            final int number = value.get(ValueLayout.JAVA_INT, 0);
            return (T) (name.type() == Integer.class ? (Object) number : (Object) (number != 0));
        }
    }

    private static int level(final SocketOption<?> name) {
        return name == StandardSocketOptions.TCP_NODELAY ? Linux.IPPROTO_TCP : Linux.SOL_SOCKET;
    }

    private static int code(final SocketOption<?> name) {
        if (name == StandardSocketOptions.SO_SNDBUF) {
            return Linux.SO_SNDBUF;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return Linux.SO_RCVBUF;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return Linux.SO_KEEPALIVE;
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            return Linux.SO_REUSEADDR;
        } else if (name == StandardSocketOptions.SO_REUSEPORT) {
            return Linux.SO_REUSEPORT;
        } else if (name == StandardSocketOptions.TCP_NODELAY) {
            return Linux.TCP_NODELAY;
        }
        throw new UnsupportedOperationException("'" + name + "' not supported");
    }

    private static int setInt(final Errno errno, final Arena scratch, final int fd, final int level, final int name, final int value) {
        final MemorySegment holder = scratch.allocate(ValueLayout.JAVA_INT);
        holder.set(ValueLayout.JAVA_INT, 0, value);
        return Linux.setsockopt(errno, fd, level, name, holder.address(), 4);
    }

    /**
     * {@return the exception the JDK's channels throw for it: {@link ConnectException} for a refused connect,
     * {@link BindException} for an address in use or not there, {@link NoRouteToHostException}, else an {@link
     * IOException} (a {@link SocketException} for socket errors) naming the errno}
     *
     * @param call   what failed, for the message
     * @param result its -errno
     */
    public static IOException failure(final String call, final long result) {
        final String message = call + ": " + Errno.describeResult(result);
        return switch ((int) -result) {
            case Errno.ECONNREFUSED -> new ConnectException("Connection refused (" + message + ")");
            case Errno.ETIMEDOUT -> new ConnectException("Connection timed out (" + message + ")");
            case Errno.EADDRINUSE -> new BindException("Address already in use (" + message + ")");
            case Errno.EADDRNOTAVAIL -> new BindException("Cannot assign requested address (" + message + ")");
            case Errno.EHOSTUNREACH, Errno.ENETUNREACH -> new NoRouteToHostException("No route to host (" + message + ")");
            case Errno.ECONNRESET -> new SocketException("Connection reset (" + message + ")");
            case Errno.EPIPE -> new SocketException("Broken pipe (" + message + ")");
            default -> new IOException(message);
        };
    }
}
