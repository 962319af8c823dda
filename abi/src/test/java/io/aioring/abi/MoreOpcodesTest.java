package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;
import io.aioring.linux.LinuxTestCalls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** recvmsg/sendmsg (with fd passing), splice, copy_file_range, statx, fallocate, ftruncate, on this run's backend. */
class MoreOpcodesTest {
    private static final int STATX_SIZE_OFFSET = 40;
    private static final int STATX_BASIC_STATS = 0x7FF;

    @TempDir
    Path dir;

    @Test
    void sendmsgAndRecvmsgMoveBytesAndAnFd() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            final Loopback.Pair pair = Loopback.socketPair(arena, f.errno);
            final Path file = Files.writeString(dir.resolve("passed"), "through SCM_RIGHTS");
            final int passed = Linux.openat(f.errno, Linux.AT_FDCWD, Linux.cString(arena, file.toString()).address(),
                Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
            try {
                final MemorySegment m = f.memory;
                // sendmsg: two iovecs ("hello, " "world") and one SCM_RIGHTS control message carrying an fd.
                m.asSlice(1000, 7).copyFrom(MemorySegment.ofArray("hello, ".getBytes(StandardCharsets.US_ASCII)));
                m.asSlice(1100, 5).copyFrom(MemorySegment.ofArray("world".getBytes(StandardCharsets.US_ASCII)));
                iovec(m, 200, 1000, 7);
                iovec(m, 216, 1100, 5);
                control(m, 304, passed);
                msghdr(m, 0, f.address(200), 2, f.address(304), 24);
                f.writer.sendmsg(pair.a(), f.address(0), 0, 1);
                assertEquals(12, f.one().result());
                // recvmsg into one iovec, with room for a control message.
                iovec(m, 600, 2000, 64);
                m.asSlice(704, 64).fill((byte) 0);
                msghdr(m, 512, f.address(600), 1, f.address(704), 64);
                f.writer.recvmsg(pair.b(), f.address(512), 0, 2);
                assertEquals(12, f.one().result());
                assertEquals("hello, world", new String(m.asSlice(2000, 12).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
                assertEquals(24, m.get(ValueLayout.JAVA_LONG, 512 + Linux.MSGHDR_CONTROLLEN), "controllen written back");
                assertEquals(0, m.get(ValueLayout.JAVA_INT, 512 + Linux.MSGHDR_FLAGS), "no MSG_CTRUNC");
                final int received = m.get(ValueLayout.JAVA_INT, 704 + 16);
                assertTrue(received >= 0 && received != passed, "a new fd for the same file: " + received);
                final MemorySegment text = arena.allocate(64);
                assertEquals(18, Linux.pread(f.errno, received, text.address(), 64, 0));
                Linux.close(f.errno, received);
                // An iovec outside registered memory: -EFAULT, nothing sent.
                iovec(m, 200, 0, 7);
                m.set(ValueLayout.JAVA_LONG, 200, 16);
                msghdr(m, 0, f.address(200), 1, 0, 0);
                f.writer.sendmsg(pair.a(), f.address(0), 0, 3);
                assertEquals(-Errno.EFAULT, f.one().result());
                // recvmsg waits for data without a thread, and is cancelled like recv.
                iovec(m, 600, 2000, 64);
                msghdr(m, 512, f.address(600), 1, 0, 0);
                f.writer.recvmsg(pair.b(), f.address(512), 0, 4);
                f.submitAll();
                Thread.sleep(20);
                assertEquals(1, f.context.cancel(4));
                assertEquals(-Errno.ECANCELED, f.reap(1).get(0).result());
            } finally {
                Linux.close(f.errno, passed);
                pair.close();
            }
        }
    }

    private static void iovec(final MemorySegment m, final long at, final long offset, final long length) {
        m.set(ValueLayout.JAVA_LONG, at, m.address() + offset);
        m.set(ValueLayout.JAVA_LONG, at + 8, length);
    }

    private static void msghdr(final MemorySegment m, final long at, final long iov, final long iovlen, final long control,
                               final long controllen) {
        m.asSlice(at, Linux.MSGHDR_SIZE).fill((byte) 0);
        m.set(ValueLayout.JAVA_LONG, at + Linux.MSGHDR_IOV, iov);
        m.set(ValueLayout.JAVA_LONG, at + Linux.MSGHDR_IOVLEN, iovlen);
        m.set(ValueLayout.JAVA_LONG, at + Linux.MSGHDR_CONTROL, control);
        m.set(ValueLayout.JAVA_LONG, at + Linux.MSGHDR_CONTROLLEN, controllen);
    }

    /** struct cmsghdr {size_t len; int level; int type;} + one int: SCM_RIGHTS, CMSG_LEN 20, CMSG_SPACE 24. */
    private static void control(final MemorySegment m, final long at, final int fd) {
        m.asSlice(at, 24).fill((byte) 0);
        m.set(ValueLayout.JAVA_LONG, at, 20);
        m.set(ValueLayout.JAVA_INT, at + 8, Linux.SOL_SOCKET);
        m.set(ValueLayout.JAVA_INT, at + 12, Linux.SCM_RIGHTS);
        m.set(ValueLayout.JAVA_INT, at + 16, fd);
    }

    @Test
    void spliceCopyFileRangeStatxFallocateFtruncate() throws Exception {
        final byte[] data = new byte[100_000];
        new Random(3).nextBytes(data);
        final Path source = Files.write(dir.resolve("source"), data);
        final Path target = dir.resolve("target");
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            final int in = Linux.openat(f.errno, Linux.AT_FDCWD, Linux.cString(arena, source.toString()).address(),
                Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
            final int out = Linux.openat(f.errno, Linux.AT_FDCWD, Linux.cString(arena, target.toString()).address(),
                Linux.O_RDWR | Linux.O_CREAT | Linux.O_CLOEXEC, 0600);
            final MemorySegment pipe = arena.allocate(8, 4);
            assertEquals(0, LinuxTestCalls.pipe2(f.errno, pipe.address(), Linux.O_CLOEXEC));
            final int pipeRead = pipe.get(ValueLayout.JAVA_INT, 0);
            final int pipeWrite = pipe.get(ValueLayout.JAVA_INT, 4);
            try {
                // copy_file_range: the whole file, from offset 0 to offset 0.
                f.writer.copyFileRange(in, 0, out, 0, data.length, 1);
                assertEquals(data.length, f.one().result());
                assertArrayEquals(data, Files.readAllBytes(target));
                // splice: 4096 bytes of the file at 8192 into a pipe, then out of the pipe into the target at 0.
                f.writer.splice(in, 8192, pipeWrite, -1, 4096, 0, 2);
                assertEquals(4096, f.one().result());
                f.writer.splice(pipeRead, -1, out, 0, 4096, 0, 3);
                assertEquals(4096, f.one().result());
                final byte[] now = Files.readAllBytes(target);
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 8192, 8192 + 4096), java.util.Arrays.copyOf(now, 4096));
                f.writer.splice(in, -5, pipeWrite, -1, 10, 0, 4);
                assertEquals(-Errno.EINVAL, f.one().result(), "an offset below -1");
                // fallocate to 1 MiB, then ftruncate to 1000; statx sees each size.
                f.writer.fallocate(out, 0, 0, 1 << 20, 5);
                assertEquals(0, f.one().result());
                assertEquals(1 << 20, statxSize(f, target));
                f.writer.ftruncate(out, 1000, 6);
                assertEquals(0, f.one().result());
                assertEquals(1000, statxSize(f, target));
                assertEquals(1000, Files.size(target));
                final byte[] missing = dir.resolve("missing").toString().getBytes(StandardCharsets.UTF_8);
                f.memory.asSlice(8192, missing.length).copyFrom(MemorySegment.ofArray(missing));
                f.writer.statx(Linux.AT_FDCWD, f.address(8192), missing.length, 0, STATX_BASIC_STATS, f.address(4096), 7);
                assertEquals(-Errno.ENOENT, f.one().result());
                f.writer.statx(Linux.AT_FDCWD, f.address(8192), missing.length, 0, STATX_BASIC_STATS, 64, 8);
                assertEquals(-Errno.EFAULT, f.one().result(), "a statx buffer outside registered memory");
            } finally {
                Linux.close(f.errno, in);
                Linux.close(f.errno, out);
                Linux.close(f.errno, pipeRead);
                Linux.close(f.errno, pipeWrite);
            }
        }
    }

    private static long statxSize(final ContextFixture f, final Path file) {
        final byte[] path = file.toString().getBytes(StandardCharsets.UTF_8);
        f.memory.asSlice(8192, path.length).copyFrom(MemorySegment.ofArray(path));
        f.memory.asSlice(4096, Linux.STATX_SIZE).fill((byte) 0);
        f.writer.statx(Linux.AT_FDCWD, f.address(8192), path.length, 0, STATX_BASIC_STATS, f.address(4096), 99);
        assertEquals(0, f.one().result());
        return f.memory.get(ValueLayout.JAVA_LONG, 4096 + STATX_SIZE_OFFSET);
    }
}
