package io.aioring.abi.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import io.aioring.linux.Errno;
import io.aioring.linux.FdPassing;
import io.aioring.linux.Linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The eventfd socket tells each reaper whether its connection is kept open until destroy (a liveness channel) or
 * closed after the message (past the limit), so that a reaper never reads that close as the engine's end.
 */
class EventfdServerTest {
    @TempDir
    Path dir;

    @Test
    void pastTheLimitTheMessageSaysTheConnectionIsNoLivenessChannel() throws Exception {
        final Errno errno = new Errno();
        final int eventfd = Linux.eventfd(errno, 0, Linux.EFD_CLOEXEC | Linux.EFD_NONBLOCK);
        assertTrue(eventfd >= 0);
        final Path socket = dir.resolve("e.sock");
        try (Arena arena = Arena.ofConfined();
             EventfdServer server = new EventfdServer(socket, eventfd, "test", new OwnDescriptors(), 2)) {
            final MemorySegment pollfd = arena.allocate(Linux.POLLFD_SIZE, 8);
            final FdPassing.Received first = FdPassing.receiveKeeping(socket);
            final FdPassing.Received second = FdPassing.receiveKeeping(socket);
            final FdPassing.Received third = FdPassing.receiveKeeping(socket);
            assertTrue(first.kept());
            assertTrue(second.kept());
            assertFalse(third.kept(), "the third is past the limit of 2");
            Thread.sleep(50);
            assertFalse(FdPassing.peerClosed(errno, first.connection(), pollfd), "kept: open while the engine runs");
            assertTrue(FdPassing.peerClosed(errno, third.connection(), pollfd), "closed after its message");
            // A kept reaper that hangs up frees its place: the next one is kept again.
            Linux.close(errno, first.connection());
            final FdPassing.Received fourth = FdPassing.receiveKeeping(socket);
            assertTrue(fourth.kept());
            for (final FdPassing.Received r : new FdPassing.Received[] {first, second, third, fourth}) {
                Linux.close(errno, r.descriptor());
                if (r != first) {
                    Linux.close(errno, r.connection());
                }
            }
        } finally {
            Linux.close(errno, eventfd);
        }
    }
}
