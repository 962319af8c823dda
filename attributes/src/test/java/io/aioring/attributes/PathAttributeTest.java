package io.aioring.attributes;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.linux.Linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The path attribute says how each iocb ran, on the backend this run uses: a cached read completes inline on
 * either; what must block (fsync) completes later on io_uring and on a worker on threads; the CPU is a real one.
 */
class PathAttributeTest {
    @TempDir
    Path dir;

    @Test
    void eachIocbSaysHowItRan() throws Exception {
        final Path file = Files.write(dir.resolve("data"), new byte[64 * 1024]);
        try (AttributeFixture f = new AttributeFixture()) {
            final int fd = f.open(file, Linux.O_RDWR);
            try {
                f.writer.pread(fd, f.address(0), 4096, 0, 1).attribute(PathAttribute.ID, 0);
                Files.readAllBytes(file); // cached, so the read cannot block
                final AttributeFixture.Event read = f.one();
                f.writer.fsync(fd, 2).attribute(PathAttribute.ID, 0);
                final AttributeFixture.Event sync = f.one();
                final boolean ioUring = f.context.backend().equals("io_uring");
                for (final AttributeFixture.Event e : List.of(read, sync)) {
                    final AttributeFixture.Attribute a = e.attribute(PathAttribute.ID);
                    assertEquals(AttributeRecordDescriptor.STATUS_HANDLED, a.status());
                    assertEquals(PathAttribute.RETURN_LENGTH, a.payload().capacity());
                    final int cpu = a.payload().getInt(PathAttribute.CPU_OFFSET);
                    assertTrue(cpu >= 0 && cpu < Runtime.getRuntime().availableProcessors() * 64, "cpu " + cpu);
                }
                // Both backends complete a cached read on the submitting thread: io_uring inside its enter, threads
                // with an RWF_NOWAIT read before any worker is woken.
                assertEquals(PathAttribute.INLINE,
                    read.attribute(PathAttribute.ID).payload().getInt(PathAttribute.PATH_OFFSET), "a cached read on " + f.context.backend());
                assertEquals(ioUring ? PathAttribute.ASYNC : PathAttribute.WORKER,
                    sync.attribute(PathAttribute.ID).payload().getInt(PathAttribute.PATH_OFFSET), "fsync on " + f.context.backend());
                assertEquals(4096, read.result());
                assertEquals(0, sync.result());
            } finally {
                Linux.close(f.errno, fd);
            }
        }
    }

    /**
     * Iocb flag ASYNC: the same cached read with no attempt on the submitting thread: the same bytes; on threads a
     * worker made it, on io_uring the kernel (which may complete a cached read inside the submit call).
     */
    @Test
    void anAsyncReadIsNeverInline() throws Exception {
        final byte[] content = new byte[64 * 1024];
        new java.util.Random(9).nextBytes(content);
        final Path file = Files.write(dir.resolve("async"), content);
        Files.readAllBytes(file);
        try (AttributeFixture f = new AttributeFixture()) {
            assertNotEquals(0, f.context.ring().compatFeatures() & io.aioring.abi.layout.ContextDescriptor.COMPAT_IOCB_ASYNC,
                "the ring says the engine takes the flag");
            final int fd = f.open(file, Linux.O_RDONLY);
            try {
                f.writer.pread(fd, f.address(0), 8192, 4096, 1).async().attribute(PathAttribute.ID, 0);
                final AttributeFixture.Event read = f.one();
                assertEquals(8192, read.result());
                final int path = read.attribute(PathAttribute.ID).payload().getInt(PathAttribute.PATH_OFFSET);
                if (f.context.backend().equals("io_uring")) {
                    assertTrue(path == PathAttribute.INLINE || path == PathAttribute.ASYNC, "an ASYNC read on io_uring: " + path);
                } else {
                    assertEquals(PathAttribute.WORKER, path, "an ASYNC read on threads: no RWF_NOWAIT attempt inline");
                }
                final byte[] got = f.memory.asSlice(0, 8192).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                assertArrayEquals(java.util.Arrays.copyOfRange(content, 4096, 4096 + 8192), got);
            } finally {
                Linux.close(f.errno, fd);
            }
        }
    }

    @Test
    void typedReadersReadWhatTheRecordSays() {
        try (AttributeFixture f = new AttributeFixture()) {
            f.writer.nop(5).attribute(PathAttribute.ID, 0).attribute(TimingAttribute.ID, 0);
            f.writer.nop(6);
            assertEquals(2, f.context.submit(f.writer));
            f.writer.reset();
            final int[] seen = {0};
            while (seen[0] < 2) {
                seen[0] += f.context.getevents(2 - seen[0], 1 << 16, 5_000_000_000L, e -> {
                    if (e.userData() == 5) {
                        assertTrue(PathAttribute.path(e) >= PathAttribute.INLINE && PathAttribute.path(e) <= PathAttribute.WORKER);
                        assertTrue(PathAttribute.cpu(e) >= 0);
                        assertTrue(TimingAttribute.serviceNanos(e) >= 0);
                        assertEquals(TimingAttribute.completeNanos(e) - TimingAttribute.startNanos(e), TimingAttribute.serviceNanos(e));
                        assertEquals(-1, PageCacheAttribute.outcome(e), "no page-cache record");
                    } else {
                        assertEquals(-1, PathAttribute.path(e));
                        assertEquals(-1, TimingAttribute.submitNanos(e));
                    }
                });
            }
        }
    }
}
