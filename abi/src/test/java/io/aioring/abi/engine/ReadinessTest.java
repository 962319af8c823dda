package io.aioring.abi.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;
import io.aioring.linux.LinuxTestCalls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The threads backend's readiness thread by itself: iocbs wait on a real socket pair's fds, hold no thread. */
class ReadinessTest {
    @Test
    void aRecvWaitsUntilItsSocketIsReadableAndACancelEndsAnother(@TempDir final Path dir) {
        try (EngineParts parts = new EngineParts(dir)) {
            final MemorySegment buffer = parts.arena.allocate(4096, 8);
            parts.memory.register(buffer.address(), buffer.byteSize());
            final MemorySegment fds = parts.arena.allocate(8, 4);
            final Errno errno = new Errno(parts.arena);
            assertEquals(0, LinuxTestCalls.socketpair(errno, Linux.AF_UNIX, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0,
                fds.address()));
            final int a = fds.get(ValueLayout.JAVA_INT, 0);
            final int b = fds.get(ValueLayout.JAVA_INT, 4);
            final Readiness readiness = new Readiness(parts.slots.capacity(), parts.poster, parts.slots, parts.calls(),
                parts.arena, "test");
            readiness.start();
            try {
                final SyncCalls calls = parts.calls();
                final InFlight recv = parts.iocb(w -> w.recv(a, buffer.address(), 100, 0, 1));
                assertFalse(AttributeHooks.start(recv, calls, Operation.PATH_INLINE));
                assertEquals(SyncCalls.NOT_READY, calls.attemptNow(recv, false), "nothing to read yet");
                readiness.await(recv);
                final InFlight other = parts.iocb(w -> w.recv(b, buffer.address() + 2048, 100, 0, 2));
                assertFalse(AttributeHooks.start(other, calls, Operation.PATH_INLINE));
                readiness.await(other);
                buffer.asSlice(1024, 3).copyFrom(MemorySegment.ofArray(new byte[] {7, 8, 9}));
                assertEquals(3, Linux.send(errno, b, buffer.address() + 1024, 3, 0));
                assertEquals(List.of(new EngineParts.Event(1, 3)), parts.reap(1), "the recv completes once data is there");
                assertEquals(7, buffer.get(ValueLayout.JAVA_BYTE, 0));
                assertTrue(readiness.cancel(other, other.incarnation()), "the other still waits: cancelled");
                assertEquals(List.of(new EngineParts.Event(2, -Errno.ECANCELED)), parts.reap(1));
            } finally {
                readiness.stop();
                Linux.close(errno, a);
                Linux.close(errno, b);
            }
        }
    }
}
