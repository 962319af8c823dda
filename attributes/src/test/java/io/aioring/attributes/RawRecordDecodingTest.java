package io.aioring.attributes;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.aioring.linux.Linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the events a context wrote by the byte offsets docs/abi.md gives — literal numbers, as a C programmer would
 * write them, through a plain mapping of the ring file — not through the Java API.
 */
class RawRecordDecodingTest {
    @TempDir
    Path dir;

    @Test
    void timingAndPageCacheRecordsByTheDocumentedLayout() throws Exception {
        final Path file = Files.write(dir.resolve("f.bin"), new byte[1 << 16]);
        try (AttributeFixture f = new AttributeFixture()) {
            final int fd = f.open(file, Linux.O_RDONLY);
            f.writer.pread(fd, f.address(0), 4096, 8192, 0x1122334455L).attribute(1, 0).attribute(2, 0).attribute(77, 0);
            assertEquals(1, f.context.submit(f.writer));
            try (FileChannel channel = FileChannel.open(f.context.ringPath(), StandardOpenOption.READ)) {
                final MappedByteBuffer ring = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
                ring.order(ByteOrder.LITTLE_ENDIAN);
                final long deadline = System.nanoTime() + 10_000_000_000L;
                while (ring.getInt(384) == ring.getInt(256)) {            // tail == head: nothing yet
                    assertTrue(System.nanoTime() < deadline, "no event within 10 s");
                    Thread.onSpinWait();
                }
                assertEquals(0x00474E49524F4941L, ring.getLong(0));        // magic
                assertEquals(1, ring.getLong(24));                          // incompat: EVENTS_V1
                final int mask = ring.getInt(32) - 1;                       // data_length - 1
                final int record = 4096 + (ring.getInt(256) & mask);        // the record at head
                assertEquals(1, ring.getInt(record + 4));                   // type 1: an event
                final int length = ring.getInt(record);
                final int event = record + 8;
                assertEquals(0x1122334455L, ring.getLong(event));           // user_data
                assertEquals(4096, ring.getLong(event + 8));                // result
                assertEquals(1, ring.getShort(event + 20));                 // opcode: pread
                assertEquals(3, ring.getShort(event + 22));                 // attribute_count
                int a = event + 32;
                // timing: id 1, handled, version 1, 40 bytes
                assertEquals(1, ring.getShort(a));
                assertEquals(0, ring.get(a + 2));
                assertEquals(1, ring.get(a + 3));
                assertEquals(40, ring.getInt(a + 4));
                final long submit = ring.getLong(a + 8);
                final long start = ring.getLong(a + 16);
                final long complete = ring.getLong(a + 24);
                assertTrue(submit <= start && start <= complete);
                assertEquals(start - submit, ring.getLong(a + 32));
                assertEquals(complete - start, ring.getLong(a + 40));
                a += 8 + 40;
                // page-cache: id 2, handled, version 1, 24 bytes: outcome hit (0), source, 4096 resident of 4096
                assertEquals(2, ring.getShort(a));
                assertEquals(0, ring.get(a + 2));
                assertEquals(1, ring.get(a + 3));
                assertEquals(24, ring.getInt(a + 4));
                assertEquals(0, ring.getInt(a + 8));
                final int source = ring.getInt(a + 12); // 1: cachestat(2); 0: the RWF_NOWAIT attempt; 2: watched
                assertTrue(source >= 0 && source <= 2, "source " + source);
                assertEquals(4096, ring.getLong(a + 16));
                assertEquals(4096, ring.getLong(a + 24));
                a += 8 + 24;
                // id 77 is unknown: unsupported, version 0, no payload
                assertEquals(77, ring.getShort(a));
                assertEquals(1, ring.get(a + 2));
                assertEquals(0, ring.get(a + 3));
                assertEquals(0, ring.getInt(a + 4));
                a += 8;
                assertEquals(record + length, a, "the records tile the event exactly");
            }
            Linux.close(f.errno, fd);
        }
    }
}
