package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every opcode on real files: exact results, the data really moved, and each documented error. */
class FileOperationsTest {
    @TempDir
    Path dir;

    ContextFixture f;
    Path file;
    byte[] content;
    int fd;

    @BeforeEach
    void setUp() throws Exception {
        f = new ContextFixture(TestBackend.params().ringDataBytes(64 * 1024).workers(2));
        content = new byte[256 * 1024];
        new SplittableRandom(42).nextBytes(content);
        file = Files.write(dir.resolve("data.bin"), content);
        fd = openDirect(file, Linux.O_RDWR);
    }

    @AfterEach
    void tearDown() {
        Linux.close(f.errno, fd);
        f.close();
    }

    private int openDirect(final Path path, final int flags) {
        final var name = Linux.cString(f.arena, path.toString());
        final int opened = Linux.openat(f.errno, Linux.AT_FDCWD, name.address(), flags | Linux.O_CLOEXEC, 0644);
        assertTrue(opened >= 0, "open " + path + ": " + Errno.describeResult(opened));
        return opened;
    }

    private byte[] memory(final long offset, final int length) {
        return f.memory.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }

    /** @return the file opened O_RDONLY | O_DIRECT; the test is skipped where the file system refuses O_DIRECT */
    private int openForDirectReads() {
        final var name = Linux.cString(f.arena, file.toString());
        final int direct = Linux.openat(f.errno, Linux.AT_FDCWD, name.address(), Linux.O_RDONLY | Linux.O_DIRECT | Linux.O_CLOEXEC, 0);
        org.junit.jupiter.api.Assumptions.assumeTrue(direct >= 0,
            "this file system refuses O_DIRECT: " + Errno.describeResult(direct) + " for " + file);
        return direct;
    }

    /**
     * O_DIRECT reads with iocb flag ASYNC, one per submit as a Java caller makes them, 32 in flight: each reads its
     * own block (no attempt on the submitting thread, which for O_DIRECT would wait for the device there).
     */
    @Test
    void asyncDirectReadsOnePerSubmitEachReadTheirOwnBlock() {
        final int direct = openForDirectReads();
        try {
            for (int i = 0; i < 32; i++) {
                f.writer.pread(direct, f.memory.asSlice((long) i * 4096, 4096), (long) (31 - i) * 4096, i).async();
                f.submitAll();
            }
            final java.util.Map<Long, Long> results = new java.util.HashMap<>();
            f.reap(32).forEach(e -> results.put(e.userData(), e.result()));
            for (int i = 0; i < 32; i++) {
                assertEquals(4096L, results.get((long) i), "read " + i + " on " + f.context.backend());
                assertArrayEquals(Arrays.copyOfRange(content, (31 - i) * 4096, (32 - i) * 4096), memory(i * 4096, 4096));
            }
        } finally {
            Linux.close(f.errno, direct);
        }
        assertThrows(IllegalArgumentException.class, () -> f.writer.pread(0, java.lang.foreign.MemorySegment.ofArray(new byte[8]), 0, 1),
            "an iocb cannot point at the heap");
    }

    /**
     * On io_uring an ASYNC read is issued by io_uring's own worker (IOSQE_ASYNC), never by the submitting thread: a
     * worker named for that thread appears; a read without the flag, served by the page cache, starts none.
     */
    @Test
    void anAsyncReadIsIssuedByIoUringsWorkerOnIoUring() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(f.context.backend().equals("io_uring"), "io_uring only");
        for (final boolean async : new boolean[] {false, true}) {
            final java.util.concurrent.CompletableFuture<Boolean> worker = new java.util.concurrent.CompletableFuture<>();
            final Thread submitter = new Thread(() -> {
                try {
                    final IocbWriter writer = new IocbWriter(new org.agrona.concurrent.UnsafeBuffer(new byte[256]));
                    writer.pread(fd, f.address(0), 4096, 8192, 7);
                    if (async) {
                        writer.async();
                    }
                    assertEquals(1, f.context.submit(writer));
                    assertEquals(4096L, f.reap(1).get(0).result());
                    worker.complete(io.aioring.linux.LinuxTestCalls.hasIoUringWorkerOf(Linux.gettid()));
                } catch (final Throwable t) {
                    worker.completeExceptionally(t);
                }
            });
            submitter.start();
            assertEquals(async, worker.get(10, java.util.concurrent.TimeUnit.SECONDS),
                async ? "io_uring's worker made the ASYNC read" : "the cached read completed inline, no worker");
            submitter.join();
        }
    }

    /**
     * ASYNC O_DIRECT reads submitted by a thread that exits at once: on io_uring they belong to that thread's io_uring
     * workers, which the kernel stops when it exits; every read still completes with its own block.
     */
    @Test
    void asyncDirectReadsOfAThreadThatExitsAllComplete() throws Exception {
        final int direct = openForDirectReads();
        try {
            for (int round = 0; round < 5; round++) {
                final int base = round * 32;
                final Thread submitter = new Thread(() -> {
                    final IocbWriter writer = new IocbWriter(new org.agrona.concurrent.UnsafeBuffer(new byte[64 * 32]));
                    for (int i = 0; i < 32; i++) {
                        writer.pread(direct, f.memory.asSlice((long) i * 4096, 4096), (long) (31 - i) * 4096, base + i).async();
                    }
                    assertEquals(32, f.context.submit(writer));
                });
                submitter.start();
                submitter.join(); // gone before any completion is reaped
                final java.util.Map<Long, Long> results = new java.util.HashMap<>();
                f.reap(32).forEach(e -> results.put(e.userData(), e.result()));
                for (int i = 0; i < 32; i++) {
                    assertEquals(4096L, results.get((long) base + i), "round " + round + ", read " + i + " on " + f.context.backend());
                    assertArrayEquals(Arrays.copyOfRange(content, (31 - i) * 4096, (32 - i) * 4096), memory(i * 4096, 4096));
                }
            }
        } finally {
            Linux.close(f.errno, direct);
        }
    }

    /** O_DIRECT on a file on disk: an aligned read moves the bytes; a misaligned buffer or offset is the kernel's -EINVAL. */
    @Test
    void directReadsNeedAlignment() {
        final int direct = openForDirectReads();
        try {
            f.writer.pread(direct, f.address(0), 4096, 8192, 1)       // 4 KiB-aligned buffer, offset and length
                .pread(direct, f.address(4096 + 1), 4096, 8192, 2)     // the buffer one byte off
                .pread(direct, f.address(16384), 4096, 8192 + 1, 3);   // the offset one byte off
            f.submitAll();
            final java.util.Map<Long, Long> results = new java.util.HashMap<>();
            f.reap(3).forEach(e -> results.put(e.userData(), e.result()));
            assertEquals(java.util.Map.of(1L, 4096L, 2L, (long) -Errno.EINVAL, 3L, (long) -Errno.EINVAL), results,
                "on " + f.context.backend());
            assertArrayEquals(Arrays.copyOfRange(content, 8192, 8192 + 4096), memory(0, 4096));
        } finally {
            Linux.close(f.errno, direct);
        }
    }

    /**
     * O_DIRECT random reads kept 32 in flight, batch after batch, each checked byte for byte: on io_uring such
     * batches mostly complete on the device, not inside their submit call, and then go to the kernel a few SQEs per
     * io_uring_enter rather than all at once (IoUringBackend's device-bound mode); nothing is lost or mixed up.
     */
    @Test
    void manyBatchesOfDirectReadsEachReadTheirOwnBlock() {
        final int direct = openForDirectReads();
        try {
            final int depth = 32;
            final int blocks = content.length / 4096;
            final SplittableRandom random = new SplittableRandom(9);
            final long[] offsetOfSlot = new long[depth];
            int submitted = 0;
            int checked = 0;
            final java.util.ArrayDeque<Integer> free = new java.util.ArrayDeque<>();
            for (int slot = 0; slot < depth; slot++) {
                free.add(slot);
            }
            while (checked < 3000) {
                while (!free.isEmpty() && submitted < 3000) {
                    final int slot = free.poll();
                    offsetOfSlot[slot] = random.nextInt(blocks) * 4096L;
                    f.writer.pread(direct, f.address(slot * 4096L), 4096, offsetOfSlot[slot], slot);
                    submitted++;
                }
                if (f.writer.count() > 0) {
                    f.submitAll();
                }
                final java.util.List<ContextFixture.Event> events = new java.util.ArrayList<>();
                f.context.getevents(1, Integer.MAX_VALUE, 10_000_000_000L, e -> events.add(ContextFixture.copy(e)));
                assertFalse(events.isEmpty(), "a completion within 10 s");
                for (final ContextFixture.Event event : events) {
                    final int slot = (int) event.userData();
                    assertEquals(4096, event.result(), "read " + checked + " on " + f.context.backend());
                    final int at = (int) offsetOfSlot[slot];
                    assertArrayEquals(Arrays.copyOfRange(content, at, at + 4096), memory(slot * 4096L, 4096),
                        "slot " + slot + " holds the block at " + at);
                    free.add(slot);
                    checked++;
                }
            }
        } finally {
            Linux.close(f.errno, direct);
        }
    }

    /**
     * The registered-memory check and the kernel read the same iovecs: a thread flipping an iovec's base between
     * a registered buffer and an unregistered one never gets a read into the unregistered one (the engine checks
     * its own copy of the array and hands that copy to the kernel).
     */
    @Test
    void aFlippedIovecNeverReachesUnregisteredMemory() throws Exception {
        try (java.lang.foreign.Arena outside = java.lang.foreign.Arena.ofShared()) {
            final java.lang.foreign.MemorySegment unregistered = outside.allocate(4096, 4096);
            final long iovec = f.address(32768);
            final long registered = f.address(40960);
            f.memory.set(ValueLayout.JAVA_LONG, 32768, registered);
            f.memory.set(ValueLayout.JAVA_LONG, 32768 + 8, 4096L);
            final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            final Thread flipper = new Thread(() -> {
                while (!stop.get()) {
                    f.memory.set(ValueLayout.JAVA_LONG, 32768, unregistered.address());
                    f.memory.set(ValueLayout.JAVA_LONG, 32768, registered);
                }
            });
            flipper.start();
            int faults = 0;
            int reads = 0;
            try {
                // 3,000 rounds at least, and on until the flips have raced both ways (a busy machine may not schedule
                // the flipper within the first ones), at most 30,000.
                for (int round = 0; round < 30_000 && (round < 3000 || faults == 0 || reads == 0); round++) {
                    f.writer.preadv(fd, iovec, 1, 4096L * (round % 60), 0, round);
                    final long result = f.one().result();
                    if (result == -Errno.EFAULT) {
                        faults++;
                    } else {
                        assertEquals(4096, result, "round " + round);
                        reads++;
                    }
                }
            } finally {
                stop.set(true);
                flipper.join();
            }
            assertTrue(faults > 0 && reads > 0, faults + " refused, " + reads + " read: the flips raced the checks");
            for (long i = 0; i < 4096; i += 8) {
                assertEquals(0L, unregistered.get(ValueLayout.JAVA_LONG, i), "unregistered memory written at " + i
                    + " on " + f.context.backend());
            }
        }
    }

    /** A read blocked on an empty pipe holds up no other iocb (io_uring: it waits in the kernel; threads: on one worker). */
    @Test
    void aBlockedReadHoldsUpNothing() {
        final int[] pipe = f.pipe();
        try {
            f.memory.set(ValueLayout.JAVA_LONG, 20480, f.address(24576));
            f.memory.set(ValueLayout.JAVA_LONG, 20488, 64L);
            f.writer.preadv(pipe[0], f.address(20480), 1, -1, 0, 100); // offset -1: the pipe's own position
            f.submitAll();
            for (int round = 0; round < 3; round++) {
                f.writer.pread(fd, f.address(4096), 4096, 0, 1).nop(2).fsync(fd, 3);
                f.submitAll();
                final java.util.Map<Long, Long> results = new java.util.HashMap<>();
                f.reap(3).forEach(e -> results.put(e.userData(), e.result()));
                assertEquals(java.util.Map.of(1L, 4096L, 2L, 0L, 3L, 0L), results, "round " + round + " on " + f.context.backend());
            }
            f.memory.set(ValueLayout.JAVA_LONG, 8192, 0x0102030405060708L);
            assertEquals(8, Linux.write(f.errno, pipe[1], f.address(8192), 8));
            final ContextFixture.Event read = f.reap(1).get(0);
            assertEquals(100, read.userData());
            assertEquals(8, read.result());
        } finally {
            Linux.close(f.errno, pipe[0]);
            Linux.close(f.errno, pipe[1]);
        }
    }

    /**
     * A read whose first half is cached and second half is not returns every byte, as a blocking read would (the
     * engine's RWF_NOWAIT attempt may copy the cached half and stop: it is made again, blocking). 100 rounds.
     */
    @Test
    void aReadWhoseTailIsNotCachedReturnsEveryByte() {
        assertEquals(0, Linux.fsync(f.errno, fd), "written back, so that its pages can be evicted");
        for (int round = 0; round < 100; round++) {
            final long offset = (round % 4) * 65536L;
            assertEquals(65536, Linux.pread(f.errno, fd, f.address(65536), 65536, offset), "the range is cached");
            assertEquals(0, Linux.posixFadvise(fd, offset + 32768, 32768, Linux.POSIX_FADV_DONTNEED));
            // Two reads in one batch: on io_uring they go in one io_uring_enter (a batch of one is a plain preadv2).
            f.writer.pread(fd, f.address(0), 65536, offset, round).pread(fd, f.address(131072), 4096, offset, -1);
            f.submitAll();
            final long id = round;
            final ContextFixture.Event event = f.reap(2).stream().filter(e -> e.userData() == id).findFirst().orElseThrow();
            assertEquals(65536, event.result(), "round " + round + " on " + f.context.backend());
            assertArrayEquals(Arrays.copyOfRange(content, (int) offset, (int) offset + 65536), memory(0, 65536));
        }
    }

    /** preadv at a pipe's own position (-1) holding fewer bytes than asked: those bytes, at once, none lost. */
    @Test
    void aReadAtThePositionOfAPipeReturnsWhatItHolds() {
        final int[] pipe = f.pipe();
        try {
            for (int round = 0; round < 20; round++) {
                f.memory.set(ValueLayout.JAVA_LONG, 8192, 0x0102030405060708L + round);
                assertEquals(8, Linux.write(f.errno, pipe[1], f.address(8192), 8));
                f.memory.set(ValueLayout.JAVA_LONG, 20480, f.address(24576));
                f.memory.set(ValueLayout.JAVA_LONG, 20488, 64L);
                f.writer.preadv(pipe[0], f.address(20480), 1, -1, 0, round);
                final ContextFixture.Event read = f.one();
                assertEquals(8, read.result(), "round " + round + " on " + f.context.backend());
                assertEquals(0x0102030405060708L + round, f.memory.get(ValueLayout.JAVA_LONG, 24576));
            }
        } finally {
            Linux.close(f.errno, pipe[0]);
            Linux.close(f.errno, pipe[1]);
        }
    }

    @Test
    void preadReturnsTheFilesBytes() {
        f.writer.pread(fd, f.address(0), 4096, 8192, 11);
        final ContextFixture.Event event = f.one();
        assertEquals(11, event.userData());
        assertEquals(4096, event.result());
        assertEquals(Opcode.PREAD, event.opcode());
        assertArrayEquals(Arrays.copyOfRange(content, 8192, 8192 + 4096), memory(0, 4096));
    }

    @Test
    void preadAtTheEndIsShortThenZero() {
        f.writer.pread(fd, f.address(0), 4096, content.length - 100, 1).pread(fd, f.address(8192), 4096, content.length, 2);
        f.submitAll();
        for (final ContextFixture.Event e : f.reap(2)) {
            assertEquals(e.userData() == 1 ? 100 : 0, e.result());
        }
    }

    @Test
    void pwriteThenFsyncReachesTheFile() throws Exception {
        final byte[] data = "written through aioring".getBytes(StandardCharsets.UTF_8);
        f.memory.asSlice(0, data.length).copyFrom(java.lang.foreign.MemorySegment.ofArray(data));
        f.writer.pwrite(fd, f.address(0), data.length, 1000, 5);
        assertEquals(data.length, f.one().result());
        f.writer.fsync(fd, 6);
        assertEquals(0, f.one().result());
        f.writer.fdatasync(fd, 7);
        assertEquals(0, f.one().result());
        final byte[] onDisk = Files.readAllBytes(file);
        assertArrayEquals(data, Arrays.copyOfRange(onDisk, 1000, 1000 + data.length));
        assertArrayEquals(Arrays.copyOfRange(content, 0, 1000), Arrays.copyOfRange(onDisk, 0, 1000));
    }

    @Test
    void preadvScattersAndPwritevGathers() throws Exception {
        // Three iovecs of 100, 1, 4000 bytes at scattered places in registered memory.
        final long iov = 1 << 20;
        final long[][] parts = {{4096, 100}, {20_000, 1}, {50_000, 4000}};
        for (int i = 0; i < parts.length; i++) {
            f.memory.set(ValueLayout.JAVA_LONG, iov + 16L * i, f.address(parts[i][0]));
            f.memory.set(ValueLayout.JAVA_LONG, iov + 16L * i + 8, parts[i][1]);
        }
        f.writer.preadv(fd, f.address(iov), 3, 777, 0, 9);
        assertEquals(4101, f.one().result());
        long fileOffset = 777;
        for (final long[] part : parts) {
            assertArrayEquals(Arrays.copyOfRange(content, (int) fileOffset, (int) (fileOffset + part[1])), memory(part[0], (int) part[1]));
            fileOffset += part[1];
        }
        f.writer.pwritev(fd, f.address(iov), 3, 100_000, 0, 10);
        assertEquals(4101, f.one().result());
        final byte[] onDisk = Files.readAllBytes(file);
        assertArrayEquals(Arrays.copyOfRange(content, 777, 777 + 4101), Arrays.copyOfRange(onDisk, 100_000, 100_000 + 4101));
    }

    @Test
    void openatAndCloseReturnARealDescriptor() throws Exception {
        final byte[] name = dir.resolve("created.txt").toString().getBytes(StandardCharsets.UTF_8);
        f.memory.asSlice(0, name.length).copyFrom(java.lang.foreign.MemorySegment.ofArray(name));
        f.writer.openat(Linux.AT_FDCWD, f.address(0), name.length, Linux.O_CREAT | Linux.O_RDWR | Linux.O_CLOEXEC, 0600, 1);
        final long opened = f.one().result();
        assertTrue(opened >= 0, Errno.describeResult(opened));
        assertTrue(Files.exists(dir.resolve("created.txt")));
        f.writer.pwrite((int) opened, f.address(0), 5, 0, 2);
        assertEquals(5, f.one().result());
        f.writer.close((int) opened, 3);
        assertEquals(0, f.one().result());
        f.writer.close((int) opened, 4);
        assertEquals(-Errno.EBADF, f.one().result(), "closing twice");
        assertEquals(new String(name, 0, 5, StandardCharsets.UTF_8), Files.readString(dir.resolve("created.txt")));
    }

    @Test
    void openatErrors() {
        final byte[] missing = dir.resolve("no/such/file").toString().getBytes(StandardCharsets.UTF_8);
        f.memory.asSlice(0, missing.length).copyFrom(java.lang.foreign.MemorySegment.ofArray(missing));
        f.writer.openat(Linux.AT_FDCWD, f.address(0), missing.length, Linux.O_RDONLY, 0, 1);
        assertEquals(-Errno.ENOENT, f.one().result());
        f.memory.set(ValueLayout.JAVA_BYTE, 3, (byte) 0);
        f.writer.openat(Linux.AT_FDCWD, f.address(0), missing.length, Linux.O_RDONLY, 0, 2);
        assertEquals(-Errno.EINVAL, f.one().result(), "a NUL inside the path");
        f.writer.openat(Linux.AT_FDCWD, f.address(0), 5000, Linux.O_RDONLY, 0, 3);
        assertEquals(-Errno.ENAMETOOLONG, f.one().result());
    }

    @Test
    void errorsAreExactErrnos() {
        final int closed = openDirect(file, Linux.O_RDONLY);
        Linux.close(f.errno, closed);
        f.writer.pread(closed, f.address(0), 10, 0, 1);
        assertEquals(-Errno.EBADF, f.one().result(), "a closed fd");
        f.writer.pread(fd, f.memory.address() - 4096, 10, 0, 2);
        assertEquals(-Errno.EFAULT, f.one().result(), "a buffer outside registered memory");
        f.writer.pread(fd, f.address(f.memory.byteSize() - 5), 10, 0, 3);
        assertEquals(-Errno.EFAULT, f.one().result(), "a buffer running past registered memory");
        f.writer.iocb(200, fd, 0, 0, 0, 0, 0, 4);
        final ContextFixture.Event unknown = f.one();
        assertEquals(-Errno.EINVAL, unknown.result(), "an unknown opcode");
        assertEquals(200, unknown.opcode());
        f.writer.nop(5).flags(0x40);
        assertEquals(-Errno.EINVAL, f.one().result(), "unknown iocb flags");
        f.writer.pread(fd, f.address(0), 10, -1, 6);
        assertEquals(-Errno.EINVAL, f.one().result(), "a negative offset");
        f.writer.pwrite(Integer.MAX_VALUE, f.address(0), 10, 0, 7);
        assertEquals(-Errno.EBADF, f.one().result());
        f.writer.fsync(-1, 8);
        assertEquals(-Errno.EBADF, f.one().result());
        f.writer.preadv(fd, f.address(0), 5000, 0, 0, 9);
        assertEquals(-Errno.EINVAL, f.one().result(), "more iovecs than IOV_MAX");
        f.memory.set(ValueLayout.JAVA_LONG, 0, 12345L);
        f.memory.set(ValueLayout.JAVA_LONG, 8, 10L);
        f.writer.preadv(fd, f.address(0), 1, 0, 0, 10);
        assertEquals(-Errno.EFAULT, f.one().result(), "an iovec pointing outside registered memory");
        f.writer.close(f.context.eventfd(), 11);
        assertEquals(-Errno.EBADF, f.one().result(), "the context's own eventfd is not the caller's to close");
        f.writer.nop(12);
        assertEquals(0, f.one().result());
    }

    @Test
    void aBatchOfManyReadsAllComplete() {
        for (int i = 0; i < 200; i++) {
            f.writer.pread(fd, f.address(4096L * i), 4096, 4096L * (i % 64), i);
        }
        f.submitAll();
        final boolean[] seen = new boolean[200];
        long lastSequence = -1;
        for (final ContextFixture.Event e : f.reap(200)) {
            assertEquals(4096, e.result());
            assertFalse(seen[(int) e.userData()]);
            seen[(int) e.userData()] = true;
            assertEquals(lastSequence + 1, e.sequence(), "sequence numbers count events in ring order");
            lastSequence = e.sequence();
            final int i = (int) e.userData();
            assertArrayEquals(Arrays.copyOfRange(content, 4096 * (i % 64), 4096 * (i % 64) + 4096), memory(4096L * i, 4096));
        }
    }
}
