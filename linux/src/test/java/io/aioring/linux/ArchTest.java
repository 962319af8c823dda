package io.aioring.linux;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-architecture constants: chosen from os.arch, refused elsewhere, and right for the running kernel. */
class ArchTest {
    @Test
    void x86AndArmHaveTheirOwnNumbersAndBits() {
        assertEquals(Arch.X86_64, Arch.detect("Linux", "amd64"));
        assertEquals(Arch.AARCH64, Arch.detect("Linux", "aarch64"));
        assertEquals(202, Arch.X86_64.sysFutex);
        assertEquals(98, Arch.AARCH64.sysFutex);
        // O_DIRECT on one is O_DIRECTORY on the other.
        assertEquals(Arch.X86_64.oDirect, Arch.AARCH64.oDirectory);
        assertEquals(Arch.AARCH64.oDirect, Arch.X86_64.oDirectory);
        assertEquals(425, Arch.AARCH64.sysIoUringSetup);
        assertEquals(425, Arch.X86_64.sysIoUringSetup);
    }

    @Test
    void otherSystemsAreNotDetected() {
        assertNull(Arch.detect("Linux", "riscv64"));
        assertNull(Arch.detect("Linux", "x86"));
        assertNull(Arch.detect("Mac OS X", "aarch64"));
    }

    @Test
    void theCurrentArchitecturesBitsAreTheKernels(@TempDir final Path dir) throws Exception {
        final Path file = Files.writeString(dir.resolve("f"), "x");
        try (Arena arena = Arena.ofConfined()) {
            final Errno errno = new Errno(arena);
            final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, dir.toString()).address(),
                Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0);
            assertTrue(fd >= 0, "O_DIRECTORY opens a directory: " + Errno.describeResult(fd));
            Linux.close(errno, fd);
            assertEquals(-Errno.ENOTDIR, Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, file.toString()).address(),
                Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0), "O_DIRECTORY on a file");
            final Path link = Files.createSymbolicLink(dir.resolve("link"), file);
            assertEquals(-Errno.ELOOP, Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, link.toString()).address(),
                Linux.O_RDONLY | Linux.O_NOFOLLOW | Linux.O_CLOEXEC, 0), "O_NOFOLLOW on a link");
        }
    }

    @Test
    void theFutexNumberIsTheKernels() {
        try (Arena arena = Arena.ofConfined()) {
            final var word = arena.allocate(4, 4);
            word.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 7);
            final Futex futex = new Futex(arena);
            // A wrong syscall number would answer ENOSYS or do something else entirely.
            assertEquals(-Errno.EAGAIN, futex.await(word.address(), 8, 1_000_000));
            assertEquals(-Errno.ETIMEDOUT, futex.await(word.address(), 7, 1_000_000));
            assertEquals(0, futex.wake(word.address(), 1));
        }
    }
}
