package io.aioring.attributes;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;

import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.linux.Linux;
import io.aioring.linux.LinuxTestCalls;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** page-cache on a real file whose pages are evicted with posix_fadvise(DONTNEED): miss, hit, partial. */
class PageCacheAttributeTest {
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    AttributeFixture f;
    byte[] content;
    int fd;

    @BeforeEach
    void setUp() throws Exception {
        f = new AttributeFixture();
        content = new byte[SIZE];
        new SplittableRandom(3).nextBytes(content);
        final Path file = dir.resolve("cached.bin");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(content));
            channel.force(true);
        }
        fd = f.open(file, Linux.O_RDONLY);
    }

    @AfterEach
    void tearDown() {
        Linux.close(f.errno, fd);
        f.close();
    }

    private void evict(final long offset, final long length) {
        assertEquals(0, LinuxTestCalls.posixFadvise(fd, offset, length, LinuxTestCalls.POSIX_FADV_DONTNEED));
    }

    private AttributeFixture.Attribute read(final long offset, final int length) {
        f.writer.pread(fd, f.address(0), length, offset, 1).attribute(PageCacheAttribute.ID, 0);
        final AttributeFixture.Event event = f.one();
        assertEquals(length, event.result());
        assertArrayEquals(Arrays.copyOfRange(content, (int) offset, (int) offset + length),
            f.memory.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), "the data read is the file's");
        final AttributeFixture.Attribute attribute = event.attribute(PageCacheAttribute.ID);
        assertEquals(AttributeRecordDescriptor.STATUS_HANDLED, attribute.status());
        assertEquals(PageCacheAttribute.VERSION, attribute.version());
        assertEquals(length, attribute.payload().getLong(PageCacheAttribute.REQUESTED_OFFSET));
        return attribute;
    }

    @Test
    void evictedThenReadAgain() {
        evict(0, SIZE);
        final AttributeFixture.Attribute miss = read(0, 65536);
        assertEquals(PageCacheAttribute.MISS, miss.payload().getInt(PageCacheAttribute.OUTCOME_OFFSET));
        assertEquals(0, miss.payload().getLong(PageCacheAttribute.RESIDENT_OFFSET));
        final AttributeFixture.Attribute hit = read(0, 65536);
        assertEquals(PageCacheAttribute.HIT, hit.payload().getInt(PageCacheAttribute.OUTCOME_OFFSET));
        assertEquals(65536, hit.payload().getLong(PageCacheAttribute.RESIDENT_OFFSET));
    }

    /**
     * Half the file cached: everything evicted, readahead switched off (POSIX_FADV_RANDOM, so large folios and
     * readahead cannot cache more than was read), the first half read directly; mincore(2) over a mapping of the
     * file confirms the state before the attribute is asked.
     */
    @Test
    void halfCachedIsPartialWithTheResidentBytes() throws Exception {
        evict(0, SIZE);
        assertEquals(0, LinuxTestCalls.posixFadvise(fd, 0, 0, LinuxTestCalls.POSIX_FADV_RANDOM));
        for (long offset = 0; offset < SIZE / 2; offset += 4096) {
            assertEquals(4096, Linux.pread(f.errno, fd, f.address(0), 4096, offset));
        }
        assertEquals(SIZE / 2, residentPrefix(), "mincore: exactly the first half is cached");
        final AttributeFixture.Attribute partial = read(0, SIZE);
        assertEquals(PageCacheAttribute.PARTIAL, partial.payload().getInt(PageCacheAttribute.OUTCOME_OFFSET));
        assertEquals(SIZE / 2, partial.payload().getLong(PageCacheAttribute.RESIDENT_OFFSET));
    }

    /** @return bytes cached from offset 0 up to the first page that is not, by mincore(2) over a mapping */
    private long residentPrefix() throws Exception {
        try (FileChannel channel = FileChannel.open(dir.resolve("cached.bin"), StandardOpenOption.READ);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            final java.lang.foreign.MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, SIZE, arena);
            final java.lang.foreign.MemorySegment vector = arena.allocate(SIZE / 4096);
            assertEquals(0, LinuxTestCalls.mincore(f.errno, mapped.address(), SIZE, vector.address()));
            long pages = 0;
            while (pages < SIZE / 4096 && (vector.get(ValueLayout.JAVA_BYTE, pages) & 1) != 0) {
                pages++;
            }
            return pages * 4096;
        }
    }

    @Test
    void aShortReadAtTheEndOfACachedFileIsAHit() {
        read(0, SIZE);
        f.writer.pread(fd, f.address(0), 8192, SIZE - 4096, 1).attribute(PageCacheAttribute.ID, 0);
        final AttributeFixture.Event event = f.one();
        assertEquals(4096, event.result());
        final AttributeFixture.Attribute a = event.attribute(PageCacheAttribute.ID);
        assertEquals(PageCacheAttribute.HIT, a.payload().getInt(PageCacheAttribute.OUTCOME_OFFSET));
        assertEquals(4096, a.payload().getLong(PageCacheAttribute.RESIDENT_OFFSET));
    }

    @Test
    void preadvToo() {
        evict(0, SIZE);
        f.memory.set(ValueLayout.JAVA_LONG, 1 << 20, f.address(0));
        f.memory.set(ValueLayout.JAVA_LONG, (1 << 20) + 8, 4096L);
        f.memory.set(ValueLayout.JAVA_LONG, (1 << 20) + 16, f.address(65536));
        f.memory.set(ValueLayout.JAVA_LONG, (1 << 20) + 24, 4096L);
        for (final int expected : new int[] {PageCacheAttribute.MISS, PageCacheAttribute.HIT}) {
            f.writer.preadv(fd, f.address(1 << 20), 2, 8192, 0, 5).attribute(PageCacheAttribute.ID, 0);
            final AttributeFixture.Event event = f.one();
            assertEquals(8192, event.result());
            final AttributeFixture.Attribute a = event.attribute(PageCacheAttribute.ID);
            assertEquals(expected, a.payload().getInt(PageCacheAttribute.OUTCOME_OFFSET));
            assertEquals(8192, a.payload().getLong(PageCacheAttribute.REQUESTED_OFFSET));
        }
        assertArrayEquals(Arrays.copyOfRange(content, 8192 + 4096, 8192 + 8192),
            f.memory.asSlice(65536, 4096).toArray(ValueLayout.JAVA_BYTE));
    }

    /**
     * Evicted, then read, 1,000 times: a miss every time. The RWF_NOWAIT attempt called 13-38 % of these hits (its
     * own readahead could fill the range before it returned); cachestat counts the pages before the read.
     */
    @Test
    void anEvictedRangeIsAMissEveryTime() {
        org.junit.jupiter.api.Assumptions.assumeTrue(cachestat(), "cachestat(2) needs Linux 6.5");
        int misses = 0;
        for (int round = 0; round < 1000; round++) {
            final long offset = (round % 16) * 65536L;
            evict(0, SIZE);
            final AttributeFixture.Attribute a = read(offset, 65536);
            assertEquals(PageCacheAttribute.SOURCE_CACHESTAT, a.payload().getInt(PageCacheAttribute.SOURCE_OFFSET));
            if (a.payload().getInt(PageCacheAttribute.OUTCOME_OFFSET) == PageCacheAttribute.MISS) {
                misses++;
            }
        }
        assertEquals(1000, misses, "misses out of 1000 evicted reads");
        final io.aioring.abi.layout.TotalsSnapshot totals = io.aioring.abi.layout.TotalsSnapshot.of(f.context.ring());
        final int pread = io.aioring.abi.layout.OpcodeDescriptor.PREAD;
        final long deadline = System.nanoTime() + 10_000_000_000L; // published every heartbeat
        while (!(totals.take() && totals.get(pread, io.aioring.abi.layout.TotalsDescriptor.EVENTS_OFFSET) >= 1000)) {
            assertTrue(System.nanoTime() < deadline, "the totals are published within a heartbeat");
            Thread.onSpinWait();
        }
        assertEquals(1000, totals.get(pread, io.aioring.abi.layout.TotalsDescriptor.PAGE_CACHE_MISSES_OFFSET),
            "the engine's totals count what the records say");
        assertEquals(0, totals.get(pread, io.aioring.abi.layout.TotalsDescriptor.PAGE_CACHE_HITS_OFFSET)
            + totals.get(pread, io.aioring.abi.layout.TotalsDescriptor.PAGE_CACHE_PARTIALS_OFFSET));
    }

    /** Reads of a batch, one per 64 KiB of the file from {@code first} on, each {@code length} bytes; their records. */
    private java.util.List<AttributeFixture.Attribute> batch(final int first, final int length) {
        for (int i = 0; i < BATCH; i++) {
            final long offset = (long) (first + i) % (SIZE / 65536) * 65536;
            f.writer.pread(fd, f.address((long) i * 65536), length, offset, i).attribute(PageCacheAttribute.ID, 0);
        }
        final java.util.List<AttributeFixture.Attribute> records = new java.util.ArrayList<>();
        for (final AttributeFixture.Event event : f.run()) {
            assertEquals(length, event.result());
            final long offset = (first + event.userData()) % (SIZE / 65536) * 65536;
            assertArrayEquals(Arrays.copyOfRange(content, (int) offset, (int) offset + length),
                f.memory.asSlice(event.userData() * 65536, length).toArray(ValueLayout.JAVA_BYTE));
            final AttributeFixture.Attribute a = event.attribute(PageCacheAttribute.ID);
            assertEquals(AttributeRecordDescriptor.STATUS_HANDLED, a.status());
            records.add(a);
        }
        return records;
    }

    private static final int BATCH = 16;
    /** Resident reads in a row after which a thread counts by attempts (docs/abi.md 3.3). */
    private static final int RESIDENT_RUN = 256;

    /** @return true if batches here may be counted by their watched attempts: io_uring, task I/O accounting, a block device */
    private boolean attemptsWatched() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            final java.lang.foreign.MemorySegment statx = arena.allocate(Linux.STATX_SIZE, 8);
            return f.context.backend().equals("io_uring") && Linux.TASK_IO_ACCOUNTING
                && Linux.fstatx(f.errno, fd, 0, statx) == 0 && statx.get(ValueLayout.JAVA_INT, Linux.STATX_DEV_MAJOR_OFFSET) != 0;
        }
    }

    /**
     * Batches of resident reads: cachestat counts them, and after a run of them every read is counted by its
     * RWF_NOWAIT attempt, watched (source 2), on io_uring; all hits either way.
     */
    @Test
    void batchesOfResidentReadsComeToBeCountedByTheirWatchedAttempts() {
        org.junit.jupiter.api.Assumptions.assumeTrue(cachestat(), "cachestat(2) needs Linux 6.5");
        batch(0, 4096); // the pages come in
        final int batches = RESIDENT_RUN / BATCH + 2;
        java.util.List<AttributeFixture.Attribute> last = null;
        for (int b = 0; b < batches; b++) {
            last = batch(b, 4096);
            for (final AttributeFixture.Attribute a : last) {
                assertEquals(PageCacheAttribute.HIT, a.payload().getInt(PageCacheAttribute.OUTCOME_OFFSET));
                assertEquals(4096, a.payload().getLong(PageCacheAttribute.RESIDENT_OFFSET));
            }
        }
        final int expected = attemptsWatched() ? PageCacheAttribute.SOURCE_WATCHED_NOWAIT : PageCacheAttribute.SOURCE_CACHESTAT;
        for (final AttributeFixture.Attribute a : last) {
            assertEquals(expected, a.payload().getInt(PageCacheAttribute.SOURCE_OFFSET));
        }
    }

    /**
     * Counting by attempts, then the file is evicted: the batch that meets it reads its attempts only as such
     * (source 0: a page its own readahead brought in may look resident), never as watched ones (each started block
     * I/O), and the batches after it are counted by cachestat again, misses all. 30 times.
     */
    @Test
    void anEvictedBatchIsNeverAWatchedHit() {
        org.junit.jupiter.api.Assumptions.assumeTrue(cachestat(), "cachestat(2) needs Linux 6.5");
        org.junit.jupiter.api.Assumptions.assumeTrue(attemptsWatched(), "attempts are watched on io_uring, on a block device");
        final int warmBatches = RESIDENT_RUN / BATCH + 1;
        int metByAttempts = 0;
        for (int round = 0; round < 30; round++) {
            batch(0, 65536); // resident again
            for (int b = 0; b < warmBatches; b++) {
                batch(b, 65536);
            }
            evict(0, SIZE);
            for (final AttributeFixture.Attribute a : batch(round, 65536)) {
                final int source = a.payload().getInt(PageCacheAttribute.SOURCE_OFFSET);
                // Each of these attempts starts readahead: the watch sees block I/O, so none of them is watched.
                assertTrue(source != PageCacheAttribute.SOURCE_WATCHED_NOWAIT, "an attempt that read ahead is no watched one");
                metByAttempts += source == PageCacheAttribute.SOURCE_NOWAIT ? 1 : 0;
            }
            evict(0, SIZE);
            for (final AttributeFixture.Attribute a : batch(round + 7, 65536)) {
                assertEquals(PageCacheAttribute.SOURCE_CACHESTAT, a.payload().getInt(PageCacheAttribute.SOURCE_OFFSET));
                assertEquals(PageCacheAttribute.MISS, a.payload().getInt(PageCacheAttribute.OUTCOME_OFFSET));
            }
        }
        assertTrue(metByAttempts > 0, "the evicted batches were met while counting by attempts");
    }

    /** Writes too: whether the pages written over were in the page cache before the write. */
    @Test
    void writesSayWhetherThePagesWereResident() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(cachestat(), "cachestat(2) needs Linux 6.5");
        final int rw = f.open(dir.resolve("cached.bin"), Linux.O_RDWR);
        try {
            evict(0, SIZE);
            for (final int expected : new int[] {PageCacheAttribute.MISS, PageCacheAttribute.HIT}) {
                f.writer.pwrite(rw, f.address(0), 8192, 65536, 1).attribute(PageCacheAttribute.ID, 0);
                final AttributeFixture.Event event = f.one();
                assertEquals(8192, event.result());
                final AttributeFixture.Attribute a = event.attribute(PageCacheAttribute.ID);
                assertEquals(AttributeRecordDescriptor.STATUS_HANDLED, a.status());
                assertEquals(expected, a.payload().getInt(PageCacheAttribute.OUTCOME_OFFSET));
                assertEquals(8192, a.payload().getLong(PageCacheAttribute.REQUESTED_OFFSET));
            }
        } finally {
            Linux.close(f.errno, rw);
        }
    }

    /** An O_DIRECT descriptor: the page cache plays no part, "not applicable" (it said "hit"). */
    @Test
    void oDirectIsNotApplicable() {
        org.junit.jupiter.api.Assumptions.assumeTrue(cachestat(), "cachestat(2) needs Linux 6.5");
        final int direct = Linux.openat(f.errno, Linux.AT_FDCWD, Linux.cString(f.arena, dir.resolve("cached.bin").toString())
            .address(), Linux.O_RDONLY | Linux.O_DIRECT | Linux.O_CLOEXEC, 0);
        org.junit.jupiter.api.Assumptions.assumeTrue(direct >= 0, "this file system takes no O_DIRECT");
        try {
            f.writer.pread(direct, f.address(0), 4096, 0, 1).attribute(PageCacheAttribute.ID, 0);
            final AttributeFixture.Event event = f.one();
            final AttributeFixture.Attribute a = event.attribute(PageCacheAttribute.ID);
            assertEquals(AttributeRecordDescriptor.STATUS_HANDLED, a.status());
            assertEquals(PageCacheAttribute.NOT_APPLICABLE, a.payload().getInt(PageCacheAttribute.OUTCOME_OFFSET));
            assertEquals(0, a.payload().getLong(PageCacheAttribute.RESIDENT_OFFSET));
        } finally {
            Linux.close(f.errno, direct);
        }
    }

    @Test
    void otherOpcodesAreUnsupported() {
        f.writer.fsync(fd, 1).attribute(PageCacheAttribute.ID, 0);
        final AttributeFixture.Event event = f.one();
        final AttributeFixture.Attribute a = event.attribute(PageCacheAttribute.ID);
        assertEquals(AttributeRecordDescriptor.STATUS_UNSUPPORTED, a.status());
        assertEquals(0, a.payload().capacity());
    }

    /** @return true if this kernel has cachestat(2) */
    private boolean cachestat() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            final long r = Linux.cachestat(f.errno, fd, 0, 4096, arena.allocate(Linux.CACHESTAT_SCRATCH_SIZE, 8));
            return r != -io.aioring.linux.Errno.ENOSYS;
        }
    }
}
