package io.aioring.attributes;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;
import io.aioring.linux.LinuxTestCalls;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JFR events, recorded for real and read back from the file: {@code io.aioring.Completion} per iocb (fields,
 * page cache from the attribute, errors, the 20 ms default threshold) and {@code io.aioring.ContextStatistics}.
 */
class FlightRecorderTest {
    private static final String COMPLETION = "io.aioring.Completion";
    private static final String STATISTICS = "io.aioring.ContextStatistics";
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    private Path dataFile() throws Exception {
        final byte[] content = new byte[SIZE];
        new SplittableRandom(5).nextBytes(content);
        final Path file = dir.resolve("recorded.bin");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(content));
            channel.force(true); // dirty pages are not evicted: the miss below needs them written
        }
        return file;
    }

    private List<RecordedEvent> stopAndRead(final Recording recording, final String name) throws Exception {
        recording.stop();
        final Path file = dir.resolve(name + ".jfr");
        recording.dump(file);
        return RecordingFile.readAllEvents(file).stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    @Test
    void everyIocbWithNoThresholdCarriesItsFields() throws Exception {
        final Path data = dataFile();
        try (AttributeFixture f = new AttributeFixture(); Recording recording = new Recording()) {
            recording.enable(COMPLETION).withoutThreshold();
            recording.start();
            final int fd = f.open(data, Linux.O_RDONLY);
            try {
                assertEquals(0, LinuxTestCalls.posixFadvise(fd, 0, SIZE, LinuxTestCalls.POSIX_FADV_DONTNEED));
                f.writer.pread(fd, f.address(0), 65536, 0, 11).attribute(PageCacheAttribute.ID, 0);
                assertEquals(65536, f.one().result());
                f.writer.pread(fd, f.address(0), 65536, 0, 12).attribute(PageCacheAttribute.ID, 0);
                assertEquals(65536, f.one().result());
                f.writer.pread(fd, f.address(0), 4096, 8192, 13);
                assertEquals(4096, f.one().result());
                f.writer.pread(1_000_000, f.address(0), 4096, 0, 14);
                assertEquals(-Errno.EBADF, f.one().result());
            } finally {
                Linux.close(f.errno, fd);
            }
            final List<RecordedEvent> events = stopAndRead(recording, COMPLETION);
            assertEquals(4, events.size(), "one event per iocb: " + events);
            final RecordedEvent miss = byUserData(events, 11);
            assertEquals("pread", miss.getString("opcode"));
            assertEquals(fd, miss.getInt("fd"));
            assertEquals(data.toRealPath().toString(), miss.getString("path"));
            assertEquals(65536, miss.getLong("requestedBytes"));
            assertEquals(65536, miss.getLong("result"));
            assertNull(miss.getString("error"));
            assertEquals("miss", miss.getString("pageCache"), "evicted pages");
            assertEquals(f.context.ringPath().toString(), miss.getString("ring"));
            assertTrue(miss.getDuration("queueTime").toNanos() >= 0 && miss.getDuration("serviceTime").toNanos() > 0, miss.toString());
            assertEquals(65536, miss.getLong("bytes"), "a data amount: the bytes the read moved");
            assertTrue(List.of("inline", "async", "worker").contains(miss.getString("executionPath")), miss.toString());
            assertFalse(miss.getDuration().isNegative());
            assertEquals("hit", byUserData(events, 12).getString("pageCache"), "read again: cached");
            assertNull(byUserData(events, 13).getString("pageCache"), "no page-cache attribute asked: not measured");
            final RecordedEvent failed = byUserData(events, 14);
            assertEquals(-Errno.EBADF, failed.getLong("result"));
            assertEquals("EBADF", failed.getString("error"));
            assertNull(failed.getString("path"), "no such descriptor");
        }
    }

    @Test
    void theDefaultThresholdKeepsOnlyIocbsOfTwentyMillisecondsOrMore() throws Exception {
        final Path data = dataFile();
        try (AttributeFixture f = new AttributeFixture(); Recording recording = new Recording()) {
            recording.enable(COMPLETION); // the event's own settings: threshold 20 ms, as jdk.FileRead's
            recording.start();
            final int fd = f.open(data, Linux.O_RDONLY);
            try {
                for (int i = 0; i < 200; i++) {
                    f.writer.pread(fd, f.address(0), 4096, (i * 4096L) % SIZE, 100 + i);
                    assertEquals(4096, f.one().result());
                }
                f.writer.timeout(60_000_000L, 7);
                assertEquals(-Errno.ETIME, f.one().result());
            } finally {
                Linux.close(f.errno, fd);
            }
            final List<RecordedEvent> events = stopAndRead(recording, COMPLETION);
            final RecordedEvent timer = byUserData(events, 7);
            assertEquals("timeout", timer.getString("opcode"));
            assertEquals("ETIME", timer.getString("error"));
            assertTrue(timer.getDuration().toNanos() >= 60_000_000L, "submit to completion: " + timer.getDuration());
            for (final RecordedEvent event : events) {
                assertTrue(event.getDuration().compareTo(Duration.ofMillis(20)) >= 0, "under the threshold: " + event);
            }
            assertTrue(events.size() < 50, "cached 4 KiB reads are far under 20 ms: " + events.size() + " of 201 recorded");
        }
    }

    @Test
    void aLiveContextReportsItsCountersEveryPeriod() throws Exception {
        final Path data = dataFile();
        try (AttributeFixture f = new AttributeFixture(); Recording recording = new Recording()) {
            recording.enable(STATISTICS).withPeriod(Duration.ofMillis(100));
            recording.start();
            final int fd = f.open(data, Linux.O_RDONLY);
            try {
                for (int i = 0; i < 50; i++) {
                    f.writer.pread(fd, f.address(0), 4096, i * 4096L, i);
                    assertEquals(4096, f.one().result());
                }
            } finally {
                Linux.close(f.errno, fd);
            }
            Thread.sleep(400);
            final String ring = f.context.ringPath().toString();
            final List<RecordedEvent> events = stopAndRead(recording, STATISTICS).stream()
                .filter(e -> ring.equals(e.getString("ring"))).toList();
            assertTrue(events.size() >= 2, "every 100 ms: " + events.size());
            final RecordedEvent last = events.getLast();
            assertEquals(f.context.backend(), last.getString("backend"));
            assertEquals(50, last.getLong("submitted"));
            assertEquals(50, last.getLong("completed"));
            assertEquals(50 * 4096L, last.getLong("bytes"));
            assertEquals(0, last.getInt("inFlight"));
            assertEquals(0, last.getLong("busyRejections"));
            assertTrue(events.stream().anyMatch(e -> e.getDouble("iops") > 0), "a rate while it ran: " + events);
        }
    }

    private static RecordedEvent byUserData(final List<RecordedEvent> events, final long userData) {
        return events.stream().filter(e -> e.getLong("userData") == userData).findFirst()
            .orElseThrow(() -> new AssertionError("no event for user data " + userData + " in " + events));
    }
}
