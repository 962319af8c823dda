package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.aioring.abi.layout.IocbFormatException;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** await (io_wait) of one iocb, execute of one iocb, and the CompletableFuture adapter, on this run's backend. */
class AwaitAndExecuteTest {
    @TempDir
    Path dir;

    @Test
    void awaitingOneIocbAmongAHundredTakesOnlyItsEvent() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                for (int i = 0; i < 99; i++) {
                    f.writer.nop(i);
                }
                f.writer.recv(pair.a(), f.address(0), 16, 0, 500);
                f.submitAll();
                final long[] awaited = new long[3];
                final CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> f.context.await(500, 10_000_000_000L,
                    e -> {
                        awaited[0] = e.userData();
                        awaited[1] = e.result();
                        awaited[2] = e.sequence();
                    }));
                Thread.sleep(50);
                final MemorySegment bytes = arena.allocateFrom("four");
                assertEquals(4, Linux.write(f.errno, pair.b(), bytes.address(), 4));
                assertEquals(1, waiter.get(10, TimeUnit.SECONDS));
                assertEquals(500, awaited[0]);
                assertEquals(4, awaited[1]);
                assertEquals(EventDescriptor.SEQUENCE_NOT_IN_RING, awaited[2]);
                final List<ContextFixture.Event> rest = f.reap(99);
                final Set<Long> seen = new HashSet<>();
                for (final ContextFixture.Event event : rest) {
                    assertTrue(seen.add(event.userData()), "twice: " + event.userData());
                    assertTrue(event.userData() < 99);
                }
                assertEquals(99, seen.size());
                Thread.sleep(20);
                assertEquals(0, f.context.getevents(0, 1 << 20, 0, e -> fail("more: " + e.userData())));
                assertEquals(f.context.submitted(), f.context.completed(), "nothing in flight");
            }
        }
    }

    @Test
    void awaitSaysWhenThereIsNothingToAwaitAndGivesUpAtItsTimeout() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                assertEquals(-Errno.ENOENT, f.context.await(7, 1_000_000L, e -> fail()));
                f.writer.recv(pair.a(), f.address(0), 16, 0, 8);
                f.submitAll();
                final long before = System.nanoTime();
                assertEquals(0, f.context.await(8, java.time.Duration.ofMillis(20), e -> fail("nothing came")));
                assertTrue(System.nanoTime() - before >= 15_000_000L, "a Duration's wait is waited");
                // Given up: its event enters the ring as usual.
                final MemorySegment one = arena.allocate(1);
                assertEquals(1, Linux.write(f.errno, pair.b(), one.address(), 1));
                final ContextFixture.Event event = f.reap(1).get(0);
                assertEquals(8, event.userData());
                assertEquals(1, event.result());
            }
        }
    }

    @Test
    void executeRunsTheCallOnThisThreadAndPostsNothing() throws Exception {
        final Path file = Files.write(dir.resolve("data"), new byte[] {1, 2, 3, 4, 5});
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            final int fd = Linux.openat(f.errno, Linux.AT_FDCWD, Linux.cString(arena, file.toString()).address(),
                Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
            try {
                final long[] got = new long[2];
                f.writer.pread(fd, f.address(0), 5, 0, 9);
                f.context.execute(f.writer, e -> {
                    got[0] = e.userData();
                    got[1] = e.result();
                });
                f.writer.reset();
                assertEquals(9, got[0]);
                assertEquals(5, got[1]);
                assertEquals(3, f.memory.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 2));
                f.writer.pread(fd, 16, 5, 0, 10);
                f.context.execute(f.writer, e -> got[1] = e.result());
                f.writer.reset();
                assertEquals(-Errno.EFAULT, got[1], "the same memory checks as submit");
                f.writer.nop(11).link();
                f.context.execute(f.writer, e -> got[1] = e.result());
                f.writer.reset();
                assertEquals(-Errno.EINVAL, got[1], "no iocb flags");
                f.writer.nop(12).nop(13);
                assertThrows(IocbFormatException.class, () -> f.context.execute(f.writer, e -> fail()));
                f.writer.reset();
                assertEquals(0, f.context.getevents(0, 1 << 20, 0, e -> fail("execute posted into the ring")));
                assertEquals(0, f.context.submitted());
            } finally {
                Linux.close(f.errno, fd);
            }
        }
    }

    @Test
    void eachIocbSubmittedThroughTheAdapterGetsAFuture() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params());
             AioFutures futures = new AioFutures(f.context)) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                for (int i = 0; i < 50; i++) {
                    f.writer.nop(i);
                }
                f.writer.recv(pair.a(), f.address(0), 16, 0, 50);
                f.writer.close(1_000_000, 51);
                final CompletableFuture<AioFutures.Completion>[] all = futures.submit(f.writer);
                f.writer.reset();
                assertEquals(52, all.length);
                for (int i = 0; i < 50; i++) {
                    assertEquals(0, all[i].get(10, TimeUnit.SECONDS).result());
                    assertEquals(i, all[i].get().userData());
                }
                final java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> all[51].get(10, TimeUnit.SECONDS), "a failed call fails its future");
                final IocbFailedException cause = assertInstanceOf(IocbFailedException.class, failed.getCause());
                assertEquals(Errno.EBADF, cause.errno());
                assertEquals("close (user data 51): EBADF", cause.getMessage());
                assertEquals(51, cause.completion().userData());
                assertFalse(all[50].isDone());
                final MemorySegment one = arena.allocate(1);
                assertEquals(1, Linux.write(f.errno, pair.b(), one.address(), 1));
                assertEquals(1, all[50].get(10, TimeUnit.SECONDS).result());
                assertEquals(50, all[50].get().view().userData());
                f.writer.nop(3);
                f.writer.nop(3);
                assertThrows(IllegalArgumentException.class, () -> futures.submit(f.writer), "user data 3 twice");
                f.writer.reset();
            }
        }
    }
}
