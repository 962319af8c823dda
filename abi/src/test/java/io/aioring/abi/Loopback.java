package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;
import io.aioring.linux.LinuxTestCalls;

/** Real TCP sockets on 127.0.0.1 and Unix socket pairs, made through the same Linux binding, for network tests. */
final class Loopback {
    /** struct sockaddr_in: family (u16), port (u16, big-endian), address (u32, big-endian), 8 bytes of zero. */
    static final int SOCKADDR_IN_SIZE = 16;

    private Loopback() {
    }

    /** Writes 127.0.0.1:{@code port} as a struct sockaddr_in at {@code at}. */
    static void sockaddr(final MemorySegment at, final int port) {
        at.asSlice(0, SOCKADDR_IN_SIZE).fill((byte) 0);
        at.set(ValueLayout.JAVA_SHORT, 0, (short) Linux.AF_INET);
        at.set(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
        at.set(ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), 4, 0x7F000001);
    }

    /** @return a TCP socket listening on 127.0.0.1 on a port the kernel chose; its port by {@link #port} */
    static int listen(final Arena arena, final Errno errno, final int backlog) {
        final int fd = Linux.socket(errno, Linux.AF_INET, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0);
        assertTrue(fd >= 0, "socket: " + Errno.describeResult(fd));
        final MemorySegment address = arena.allocate(SOCKADDR_IN_SIZE, 8);
        sockaddr(address, 0);
        assertEquals(0, Linux.bind(errno, fd, address.address(), SOCKADDR_IN_SIZE));
        assertEquals(0, Linux.listen(errno, fd, backlog));
        return fd;
    }

    static int port(final Arena arena, final Errno errno, final int fd) {
        final MemorySegment address = arena.allocate(SOCKADDR_IN_SIZE, 8);
        final MemorySegment length = arena.allocate(4, 4);
        length.set(ValueLayout.JAVA_INT, 0, SOCKADDR_IN_SIZE);
        assertEquals(0, Linux.getsockname(errno, fd, address.address(), length.address()));
        return address.get(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2) & 0xFFFF;
    }

    /** The two ends of a connected socket pair, both closed by {@link #close()}. */
    record Pair(int a, int b) implements AutoCloseable {
        @Override
        public void close() {
            final Errno errno = new Errno();
            Linux.close(errno, a);
            Linux.close(errno, b);
        }
    }

    /** @return the two ends of a TCP connection on 127.0.0.1: a (connected) and b (accepted) */
    static Pair tcpPair(final Arena arena, final Errno errno) {
        final int listener = listen(arena, errno, 1);
        try {
            final int a = Linux.socket(errno, Linux.AF_INET, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0);
            assertTrue(a >= 0, "socket: " + Errno.describeResult(a));
            final MemorySegment address = arena.allocate(SOCKADDR_IN_SIZE, 8);
            sockaddr(address, port(arena, errno, listener));
            assertEquals(0, Linux.connect(errno, a, address.address(), SOCKADDR_IN_SIZE));
            final int b = Linux.accept4(errno, listener, Linux.SOCK_CLOEXEC);
            assertTrue(b >= 0, "accept4: " + Errno.describeResult(b));
            return new Pair(a, b);
        } finally {
            Linux.close(errno, listener);
        }
    }

    /** @return the two ends of a connected AF_UNIX stream socket pair */
    static Pair socketPair(final Arena arena, final Errno errno) {
        final MemorySegment fds = arena.allocate(8, 4);
        assertEquals(0, LinuxTestCalls.socketpair(errno, Linux.AF_UNIX, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0, fds.address()));
        return new Pair(fds.get(ValueLayout.JAVA_INT, 0), fds.get(ValueLayout.JAVA_INT, 4));
    }
}
