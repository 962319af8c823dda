package io.aioring.abi;

import io.aioring.abi.layout.ContextDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import io.aioring.linux.Errno;
import io.aioring.linux.FdPassing;
import io.aioring.linux.Linux;
import io.aioring.ring.RingFile;

/**
 * A process that maps the ring file args[0], reads the eventfd socket's path from its header, receives the
 * context's eventfd over it, and blocks in poll(2) until it is signalled (exit 0), or 60 s pass (exit 3).
 */
public final class EventfdWaiterMain {
    private EventfdWaiterMain() {
    }

    public static void main(final String[] args) throws Exception {
        final Path socket;
        try (RingFile file = RingFile.open(Path.of(args[0]), ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
            final var header = file.ring().buffer();
            final int length = header.getIntVolatile(ContextDescriptor.SOCKET_PATH_LENGTH_OFFSET);
            if (length <= 0 || length > ContextDescriptor.SOCKET_PATH_MAX) {
                System.out.println("no socket path in the header: length " + length);
                System.exit(2);
            }
            socket = Path.of(header.getStringWithoutLengthUtf8(ContextDescriptor.SOCKET_PATH_OFFSET, length));
        }
        final int eventfd = FdPassing.receive(socket);
        try (Arena arena = Arena.ofConfined()) {
            final Errno errno = new Errno(arena);
            final MemorySegment pollfd = arena.allocate(Linux.POLLFD_SIZE, 8);
            pollfd.set(ValueLayout.JAVA_INT, 0, eventfd);
            pollfd.set(ValueLayout.JAVA_SHORT, 4, Linux.POLLIN);
            System.out.println("received eventfd " + eventfd + "; waiting");
            final int ready = Linux.poll(errno, pollfd.address(), 1, 60_000);
            if (ready != 1) {
                System.out.println("poll returned " + Errno.describeResult(ready));
                System.exit(3);
            }
            final MemorySegment value = arena.allocate(8, 8);
            final long r = Linux.read(errno, eventfd, value.address(), 8);
            System.out.println("woken with count " + (r == 8 ? value.get(ValueLayout.JAVA_LONG, 0) : Errno.describeResult(r)));
            System.exit(r == 8 ? 0 : 4);
        }
    }
}
