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
