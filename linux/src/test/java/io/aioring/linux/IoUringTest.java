package io.aioring.linux;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The io_uring binding on the running kernel: real rings, real files, the kernel's own results. */
class IoUringTest {
    record Cqe(long userData, int result, int flags) {
    }

    private static List<Cqe> reapAll(final IoUring ring, final int expected) {
        final List<Cqe> cqes = new ArrayList<>();
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (cqes.size() < expected && System.nanoTime() < deadline) {
            ring.reap((u, r, f) -> cqes.add(new Cqe(u, r, f)));
            if (cqes.size() < expected) {
                assertTrue(ring.enter(0, 1, IoUring.ENTER_GETEVENTS) >= 0);
            }
        }
        assertEquals(expected, cqes.size(), "completions: " + cqes);
        return cqes;
    }

    @Test
    void aNopCompletesWithItsUserData() {
        try (IoUring ring = IoUring.setup(8, 0)) {
            assertEquals(8, ring.sqEntries());
            assertTrue(ring.cqEntries() >= 8);
            assertTrue(ring.prepNop(7));
            assertEquals(1, ring.submit(1));
            assertEquals(List.of(new Cqe(7, 0, 0)), reapAll(ring, 1));
            assertEquals(0, ring.reap((u, r, f) -> fail("no more")));
        }
    }

    /** IORING_REGISTER_PROBE: what this kernel's io_uring takes, by opcode. */
    @Test
    void theProbeSaysWhichOpcodesTheKernelTakes() throws Exception {
        try (IoUring ring = IoUring.setup(8, 0)) {
            assertTrue(ring.supports(IoUring.OP_NOP), "every io_uring takes NOP");
            assertTrue(ring.supports(IoUring.OP_READ), "READ (5.6, as the probe itself)");
            assertFalse(ring.supports(255), "no kernel has opcode 255");
            assertFalse(ring.supports(-1));
            final String[] release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim().split("[.-]");
            if (Integer.parseInt(release[0]) >= 6) {
                assertTrue(ring.supports(IoUring.OP_SEND_ZC), "SEND_ZC is in every 6.x kernel");
            }
        }
    }

    @Test
    void readsWritesAndFsyncsARealFile(@TempDir final Path dir) throws Exception {
        final byte[] content = new byte[64 * 1024];
        new Random(3).nextBytes(content);
        final Path file = Files.write(dir.resolve("data"), content);
        try (Arena arena = Arena.ofConfined(); IoUring ring = IoUring.setup(16, IoUring.SETUP_SINGLE_ISSUER)) {
            final Errno errno = new Errno(arena);
            final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, file.toString()).address(),
                Linux.O_RDWR | Linux.O_CLOEXEC, 0);
            assertTrue(fd >= 0);
            try {
                final MemorySegment buffer = arena.allocate(8192, 4096);
                assertTrue(ring.prepRead(fd, buffer.address(), 4096, 8192, 1));
                assertTrue(ring.prepRead(fd, buffer.address() + 4096, 4096, content.length - 100, 2));
                assertTrue(ring.prepRead(-1, buffer.address(), 4096, 0, 3));
                assertTrue(ring.prepRead(fd, buffer.address(), 4096, content.length + 4096, 4));
                assertEquals(4, ring.submit(4));
                final Map<Long, Integer> results = new HashMap<>();
                reapAll(ring, 4).forEach(c -> results.put(c.userData(), c.result()));
                assertEquals(Map.of(1L, 4096, 2L, 100, 3L, -Errno.EBADF, 4L, 0), results);
                final byte[] got = new byte[100];
                MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 4096, got, 0, 100);
                final byte[] want = new byte[100];
                System.arraycopy(content, content.length - 100, want, 0, 100);
                assertArrayEquals(want, got);

                buffer.fill((byte) 0x5A);
                assertTrue(ring.prepWrite(fd, buffer.address(), 4096, 0, 5));
                assertEquals(1, ring.submit(1));
                assertEquals(List.of(new Cqe(5, 4096, 0)), reapAll(ring, 1));
                assertTrue(ring.prepFsync(fd, IoUring.FSYNC_DATASYNC, 6));
                assertEquals(1, ring.submit(1));
                assertEquals(List.of(new Cqe(6, 0, 0)), reapAll(ring, 1));
                assertEquals(0x5A, Files.readAllBytes(file)[4095]);
            } finally {
                Linux.close(errno, fd);
            }
        }
    }

    @Test
    void aFullSubmissionQueueSaysSoAndManyMoreThanItHoldsAllComplete() {
        try (IoUring ring = IoUring.setup(4, 0)) {
            int prepared = 0;
            while (ring.prepNop(prepared)) {
                prepared++;
            }
            assertEquals(4, prepared, "a 4-entry SQ takes 4");
            assertEquals(0, ring.sqSpace());
            long next = prepared;
            int reaped = 0;
            assertEquals(4, ring.submit(0));
            while (next < 1000 || reaped < 1000) {
                reaped += ring.reap((u, r, f) -> assertEquals(0, r));
                while (next < 1000 && ring.prepNop(next)) {
                    next++;
                }
                assertTrue(ring.submit(next < 1000 ? 0 : Math.min(1, 1000 - reaped)) >= 0);
            }
            assertEquals(1000, reaped);
            assertEquals(0, ring.cqOverflow());
        }
    }

    /** submitAtMost hands the kernel only the oldest SQEs; the rest wait, prepared, for the next call. */
    @Test
    void submitAtMostHandsOverOnlyTheOldest() {
        try (IoUring ring = IoUring.setup(8, 0)) {
            for (int i = 0; i < 5; i++) {
                assertTrue(ring.prepNop(i));
            }
            assertEquals(2, ring.submitAtMost(2));
            assertEquals(3, ring.sqPending(), "three still prepared");
            assertEquals(List.of(new Cqe(0, 0, 0), new Cqe(1, 0, 0)), reapAll(ring, 2), "the two oldest");
            assertEquals(0, ring.reap((u, r, f) -> fail("only two were handed over")));
            assertEquals(2, ring.submitAtMost(2));
            assertEquals(1, ring.submitAtMost(2), "one left");
            assertEquals(0, ring.sqPending());
            assertEquals(List.of(new Cqe(2, 0, 0), new Cqe(3, 0, 0), new Cqe(4, 0, 0)), reapAll(ring, 3));
            assertTrue(ring.prepNop(5));
            assertEquals(1, ring.submit(0), "submit hands over whatever is left, as before");
            assertEquals(List.of(new Cqe(5, 0, 0)), reapAll(ring, 1));
        }
    }

    /**
     * Without IORING_SETUP_SUBMIT_ALL the kernel stops consuming a batch at an SQE whose prep fails (it completes
     * that one with the error): the SQEs behind it are already published, and the next submit must hand them over
     * too. It handed over only newly prepared ones, 0, and a caller looping while SQEs were pending spun forever.
     */
    @Test
    void sqesLeftBehindAFailedPrepGoToTheKernelAtTheNextSubmit() {
        try (IoUring ring = IoUring.setup(8, 0)) {
            assertTrue(ring.prepAccept(-1, 0x7fff_0000, false, 1)); // op_flags no SOCK_* bit: EINVAL at prep
            assertTrue(ring.prepNop(2));
            assertTrue(ring.prepNop(3));
            final int first = ring.submit(0);
            assertTrue(first >= 1, "consumed " + first);
            final List<Cqe> cqes = new ArrayList<>(reapAll(ring, first));
            assertEquals(new Cqe(1, -Errno.EINVAL, 0), cqes.get(0), "the bad SQE completes with the kernel's error");
            for (int round = 0; ring.sqPending() > 0 && round < 10; round++) {
                final int more = ring.submit(0);
                assertTrue(more > 0, "the SQEs left behind are consumed: " + more);
                cqes.addAll(reapAll(ring, more));
            }
            assertEquals(0, ring.sqPending());
            assertEquals(List.of(new Cqe(1, -Errno.EINVAL, 0), new Cqe(2, 0, 0), new Cqe(3, 0, 0)), cqes);
        }
    }

    /** submitAtMost, likewise, hands over what a failed prep left before anything newer. */
    @Test
    void submitAtMostHandsOverWhatAFailedPrepLeftFirst() {
        try (IoUring ring = IoUring.setup(8, 0)) {
            assertTrue(ring.prepAccept(-1, 0x7fff_0000, false, 1));
            assertTrue(ring.prepNop(2));
            assertTrue(ring.prepNop(3));
            final List<Cqe> cqes = new ArrayList<>();
            for (int round = 0; ring.sqPending() > 0 && round < 10; round++) {
                final int consumed = ring.submitAtMost(2);
                assertTrue(consumed > 0 && consumed <= 2, "consumed " + consumed);
                cqes.addAll(reapAll(ring, consumed));
            }
            assertEquals(List.of(new Cqe(1, -Errno.EINVAL, 0), new Cqe(2, 0, 0), new Cqe(3, 0, 0)), cqes);
        }
    }

    @Test
    void anUnknownSetupFlagIsTheKernelsEinval() {
        final IoUringException e = assertThrows(IoUringException.class, () -> IoUring.setup(8, 1 << 31));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
    }

    /**
     * SQE_ASYNC: io_uring's own worker issues the request. A read of a cached file completes inline without it; with
     * it a worker named for the submitting thread (iou-wrk-TID) is started to make the read.
     */
    @Test
    void anAsyncSqeIsIssuedByIoUringsWorker(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data");
        Files.write(file, new byte[8192]);
        for (final boolean async : new boolean[] {false, true}) {
            final java.util.concurrent.CompletableFuture<Boolean> worker = new java.util.concurrent.CompletableFuture<>();
            final Thread submitter = new Thread(() -> {
                try (Arena arena = Arena.ofConfined(); IoUring ring = IoUring.setup(8, 0)) {
                    final Errno errno = new Errno(arena);
                    final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, file.toString()).address(),
                        Linux.O_RDONLY, 0);
                    final MemorySegment buffer = arena.allocate(4096, 4096);
                    assertTrue(ring.prepRw(IoUring.OP_READ, fd, buffer.address(), 4096, 4096, 0, 1));
                    if (async) {
                        assertTrue(ring.setLastSqeFlags(IoUring.SQE_ASYNC));
                    }
                    assertEquals(1, ring.submit(1));
                    assertEquals(List.of(new Cqe(1, 4096, 0)), reapAll(ring, 1));
                    worker.complete(LinuxTestCalls.hasIoUringWorkerOf(Linux.gettid()));
                    Linux.close(errno, fd);
                } catch (final Throwable t) {
                    worker.completeExceptionally(t);
                }
            });
            submitter.start();
            assertEquals(async, worker.get(), async ? "a worker made the read" : "the read completed inline, no worker");
            submitter.join();
        }
    }
    /**
     * Provided buffers: a multishot recv takes a buffer of the group for each arrival (its id in the CQE), stays armed
     * while buffers last, ends with -ENOBUFS when none is left (no byte taken from the socket), and a buffer given
     * back serves the next recv.
     */
    @Test
    void aMultishotRecvFillsProvidedBuffersUntilNoneIsLeft() throws Exception {
        final String[] release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim().split("[.-]");
        org.junit.jupiter.api.Assumptions.assumeTrue(Integer.parseInt(release[0]) >= 6,
            "multishot recv into provided buffer rings: Linux 6.0");
        try (Arena arena = Arena.ofConfined(); IoUring ring = IoUring.setup(8, 0)) {
            final Errno errno = new Errno(arena);
            final MemorySegment pair = arena.allocate(8, 4);
            assertEquals(0, LinuxTestCalls.socketpair(errno, Linux.AF_UNIX, Linux.SOCK_STREAM, 0, pair.address()));
            final int reader = pair.get(ValueLayout.JAVA_INT, 0);
            final int writer = pair.get(ValueLayout.JAVA_INT, 4);
            final MemorySegment buffers = arena.allocate(4 * 64, 64);
            try (BufferRing group = BufferRing.register(ring, arena, 4, 7)) {
                for (int id = 0; id < 4; id++) {
                    group.add(buffers.address() + id * 64L, 64, id);
                }
                group.publish();
                assertTrue(ring.prepRecvSelect(reader, group.group(), 0, true, 42));
                assertEquals(1, ring.submit(0));
                final java.util.Set<Integer> ids = new java.util.HashSet<>();
                for (int n = 1; n <= 4; n++) {
                    final MemorySegment message = arena.allocate(n);
                    message.fill((byte) ('0' + n));
                    assertEquals(n, Linux.write(errno, writer, message.address(), n));
                    final Cqe cqe = reapAll(ring, 1).get(0);
                    assertEquals(42, cqe.userData());
                    assertEquals(n, cqe.result(), "message " + n + " in one buffer");
                    assertEquals(IoUring.CQE_F_BUFFER | IoUring.CQE_F_MORE,
                        cqe.flags() & (IoUring.CQE_F_BUFFER | IoUring.CQE_F_MORE), "a buffer, and still armed");
                    final int id = cqe.flags() >>> IoUring.CQE_BUFFER_SHIFT;
                    assertTrue(ids.add(id), "each buffer once: " + id);
                    for (int b = 0; b < n; b++) {
                        assertEquals('0' + n, buffers.get(ValueLayout.JAVA_BYTE, id * 64L + b));
                    }
                }
                final MemorySegment fifth = arena.allocateFrom("fifth");
                assertEquals(5, Linux.write(errno, writer, fifth.address(), 5));
                final Cqe out = reapAll(ring, 1).get(0);
                assertEquals(-Errno.ENOBUFS, out.result(), "no buffer left");
                assertEquals(0, out.flags() & IoUring.CQE_F_MORE, "the multishot recv has ended");
                group.add(buffers.address(), 64, 0); // one given back
                group.publish();
                assertTrue(ring.prepRecvSelect(reader, group.group(), 0, false, 43));
                assertEquals(1, ring.submit(0));
                final Cqe again = reapAll(ring, 1).get(0);
                assertEquals(5, again.result(), "the bytes stayed in the socket: " + again);
                assertEquals(0, again.flags() >>> IoUring.CQE_BUFFER_SHIFT);
                assertEquals("fifth", new String(buffers.asSlice(0, 5).toArray(ValueLayout.JAVA_BYTE),
                    java.nio.charset.StandardCharsets.US_ASCII));
            } finally {
                Linux.close(errno, reader);
                Linux.close(errno, writer);
            }
        }
    }
}

