package io.aioring.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.aioring.linux.ChildJvm;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wait for a lock another process holds, in both of its ways: blocked in F_SETLKW and ended by the JDK's interrupt
 * signal, and polling F_SETLK (where that signal's handler is not installed). Each ends when the channel closes, and
 * each takes the lock once the other process lets it go.
 */
class LockWaitsTest {
    @Test
    void aWaitEndsAtCloseAndIsGrantedWhenTheOtherProcessGoes(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        Files.write(file, new byte[100]);
        for (final boolean signals : new boolean[] {true, false}) {
            try (Arena arena = Arena.ofConfined();
                 FileChannel owner = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                final Errno errno = new Errno(arena);
                final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, file.toString()).address(),
                    Linux.O_RDWR | Linux.O_CLOEXEC, 0);
                assertTrue(fd >= 0, Errno.describeResult(fd));
                final FileLock range = new FileLock(owner, 0, 10, false) {
                    @Override
                    public boolean isValid() {
                        return true;
                    }

                    @Override
                    public void release() {
                    }
                };
                try (ChildJvm child = AioFileChannelTest.jdkLockHolder(file, 0, 0)) {
                    final LockWaits waits = new LockWaits(signals);
                    final AtomicBoolean closed = new AtomicBoolean();
                    final CompletableFuture<Boolean> ended = waitFor(waits, fd, range, closed);
                    Thread.sleep(200);
                    assertFalse(ended.isDone(), "waits while another process holds the lock (signals " + signals + ")");
                    closed.set(true);
                    waits.endAll();
                    assertFalse(ended.get(10, TimeUnit.SECONDS), "the wait ended by the close, without the lock");

                    final CompletableFuture<Boolean> granted = waitFor(new LockWaits(signals), fd, range, new AtomicBoolean());
                    Thread.sleep(200);
                    assertFalse(granted.isDone());
                    child.kill();
                    assertTrue(granted.get(30, TimeUnit.SECONDS), "taken once the other process is gone (signals " + signals + ")");
                } finally {
                    assertEquals(0, Linux.close(errno, fd));
                }
            }
        }
    }

    private static CompletableFuture<Boolean> waitFor(final LockWaits waits, final int fd, final FileLock range,
                                                      final AtomicBoolean closed) {
        final CompletableFuture<Boolean> result = new CompletableFuture<>();
        final Thread waiter = new Thread(() -> {
            try {
                result.complete(waits.await(fd, range, closed::get));
            } catch (final IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        });
        waiter.setDaemon(true);
        waiter.start();
        return result;
    }
}
