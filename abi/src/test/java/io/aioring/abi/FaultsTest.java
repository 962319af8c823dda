package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.aioring.abi.layout.IocbDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hangs, thread deaths and misdirected calls that one ordinary mistake used to cause, on this run's backend: an iocb
 * the kernel refuses at prep, a timeout iocb with a timeout_ms, the order of a chain's events, and iocbs aimed at
 * the context's own descriptors. Each test is bounded in time: a hang fails it.
 */
class FaultsTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    /**
     * An accept whose op_flags are no SOCK_* bits fails the kernel's prep; io_uring stopped consuming the batch
     * there, the SQEs behind it were never handed over again, and the completer spun with the ring lock held: 0 of
     * 3 events, and the next submit blocked forever.
     */
    @Test
    void anIocbTheKernelRefusesAtPrepCompletesWithItsErrorAndTheRestOfTheBatchRuns(@TempDir final Path dir) {
        assertTimeoutPreemptively(BOUND, () -> {
            try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
                final int listener = Loopback.listen(arena, f.errno, 4);
                final Path file = dir.resolve("data");
                Files.write(file, new byte[4096]);
                final int fd = f.context.openFile(file, Linux.O_RDWR);
                try {
                    f.writer.accept(listener, 0x7fff_0000, false, 1).fsync(fd, 2).fsync(fd, 3);
                    f.submitAll();
                    final Map<Long, Long> results = new HashMap<>();
                    f.reap(3).forEach(e -> results.put(e.userData(), e.result()));
                    assertEquals(-Errno.EINVAL, results.get(1L), Errno.describeResult(results.get(1L)));
                    assertEquals(0L, results.get(2L));
                    assertEquals(0L, results.get(3L));
                    // The context goes on.
                    f.writer.nop(4);
                    assertEquals(0, f.one().result());
                } finally {
                    Linux.close(f.errno, fd);
                    Linux.close(f.errno, listener);
                }
            }
        });
    }

    /**
     * Random iocb fields, as a careless or hostile program writes them, over files, sockets and pipes the test owns:
     * every iocb completes exactly once (multishot ones with one final event), the context's threads all live, and
     * it is destroyed cleanly. On io_uring most of these reach the kernel, whose prep refuses many.
     */
    @Test
    void randomIocbFieldsEachCompleteExactlyOnce(@TempDir final Path dir) {
        assertTimeoutPreemptively(BOUND, () -> {
            final long seed = Long.getLong("aioring.test.seed", System.nanoTime());
            final Random random = new Random(seed);
            try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params().maxInFlight(512))) {
                final Path file = dir.resolve("data");
                Files.write(file, new byte[64 * 1024]);
                final int fileFd = f.context.openFile(file, Linux.O_RDWR);
                final int dirFd = f.context.openFile(dir, Linux.O_RDONLY);
                final int listener = Loopback.listen(arena, f.errno, 4);
                // Non-blocking, so that no random read, write or splice on them can block a thread for good (a
                // blocking call in a worker cannot be cancelled; readiness waits end at their timeout_ms).
                final java.lang.foreign.MemorySegment two = arena.allocate(8, 4);
                assertEquals(0, io.aioring.linux.LinuxTestCalls.socketpair(f.errno, Linux.AF_UNIX,
                    Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC | Linux.SOCK_NONBLOCK, 0, two.address()));
                final Loopback.Pair pair = new Loopback.Pair(two.get(ValueLayout.JAVA_INT, 0), two.get(ValueLayout.JAVA_INT, 4));
                assertEquals(0, io.aioring.linux.LinuxTestCalls.pipe2(f.errno, two.address(), Linux.O_CLOEXEC | Linux.SOCK_NONBLOCK));
                final int[] pipe = {two.get(ValueLayout.JAVA_INT, 0), two.get(ValueLayout.JAVA_INT, 4)};
                final int[] fds = {fileFd, dirFd, listener, pair.a(), pair.b(), pipe[0], pipe[1], -1, 1 << 20, -100};
                final byte[] path = "data".getBytes();
                f.memory.asSlice(3 << 20, path.length).copyFrom(java.lang.foreign.MemorySegment.ofArray(path));
                final List<Integer> opened = new ArrayList<>();
                try {
                    final Map<Long, Integer> finals = new HashMap<>();
                    final Map<Long, String> described = new HashMap<>();
                    final int rounds = 20;
                    final int perRound = 24;
                    long userData = 0;
                    for (int round = 0; round < rounds; round++) {
                        for (int i = 0; i < perRound; i++) {
                            ++userData;
                            described.put(userData, randomIocb(f, random, fds, userData));
                        }
                        final int count = f.writer.count();
                        final int accepted = f.context.submit(f.writer);
                        assertEquals(count, accepted, "seed " + seed);
                        f.writer.reset();
                    }
                    final long total = userData;
                    final long deadline = System.nanoTime() + 30_000_000_000L;
                    while (finals.size() < total && System.nanoTime() < deadline) {
                        f.context.getevents(1, Integer.MAX_VALUE, 100_000_000L, e -> {
                            if ((e.flags() & io.aioring.abi.layout.EventDescriptor.FLAG_MORE) != 0) {
                                if (e.opcode() == Opcode.ACCEPT && e.result() >= 0) {
                                    opened.add((int) e.result());
                                }
                                return;
                            }
                            finals.merge(e.userData(), 1, Integer::sum);
                            if ((e.opcode() == Opcode.OPENAT || e.opcode() == Opcode.ACCEPT) && e.result() >= 0) {
                                opened.add((int) e.result());
                            }
                        });
                    }
                    for (long u = 1; u <= total; u++) {
                        assertEquals(1, finals.getOrDefault(u, 0), "iocb " + u + "'s final events (seed " + seed + "): "
                            + described.get(u) + "; before it: " + described.get(u - 1) + "; fds " + java.util.Arrays.toString(fds));
                    }
                    assertEquals(total, finals.size(), "seed " + seed);
                    f.writer.nop(total + 1);
                    assertEquals(0, f.one().result(), "the context goes on (seed " + seed + ")");
                } finally {
                    for (final int fd : opened) {
                        Linux.close(f.errno, fd);
                    }
                    pair.close();
                    Linux.close(f.errno, pipe[0]);
                    Linux.close(f.errno, pipe[1]);
                    Linux.close(f.errno, listener);
                    Linux.close(f.errno, dirFd);
                    Linux.close(f.errno, fileFd);
                }
            }
        });
    }

    /**
     * One iocb with random fields. Never close (a random close could take a descriptor of the JVM's own), never
     * connect (it would reach for whatever address the memory holds), never FIXED_FD/TO_SLOT (their rules have
     * tests of their own); every iocb gets a timeout_ms, so one that waits for readiness ends.
     */
    private static String randomIocb(final ContextFixture f, final Random random, final int[] fds, final long userData) {
        final int[] opcodes = {Opcode.NOP, Opcode.PREAD, Opcode.PWRITE, Opcode.PREADV, Opcode.PWRITEV, Opcode.FSYNC,
            Opcode.FDATASYNC, Opcode.OPENAT, Opcode.RECV, Opcode.SEND, Opcode.ACCEPT, Opcode.SHUTDOWN,
            Opcode.POLL, Opcode.RECVMSG, Opcode.SENDMSG, Opcode.SPLICE, Opcode.STATX, Opcode.FALLOCATE, Opcode.SENDFILE,
            Opcode.COPY_FILE_RANGE, Opcode.FTRUNCATE, Opcode.TIMEOUT};
        final int opcode = opcodes[random.nextInt(opcodes.length)];
        final int fd = fds[random.nextInt(fds.length)];
        final long registered = f.address(random.nextInt(1 << 20));
        final long address = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextLong();
            default -> opcode == Opcode.OPENAT || opcode == Opcode.STATX ? f.address(3 << 20) : registered;
        };
        final int length = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt();
            default -> opcode == Opcode.OPENAT || opcode == Opcode.STATX ? 4 : random.nextInt(8192);
        };
        final long offset = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> opcode == Opcode.TIMEOUT ? random.nextInt(50_000_000) : random.nextLong();
            case 2 -> -1;
            // fallocate and ftruncate take offset and length as sizes: keep those small, the file is on a real disk
            default -> random.nextInt(1 << 20);
        };
        final int opFlags = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt();
            default -> 1 << random.nextInt(32);
        };
        final int mode = random.nextBoolean() ? fds[random.nextInt(fds.length)] : random.nextInt();
        final long sizeArgument = opcode == Opcode.FALLOCATE ? random.nextInt(1 << 20) : address;
        final int safeFlags = opcode == Opcode.OPENAT ? opFlags & ~(Linux.O_CREAT | 0x400000 /* O_TMPFILE */) : opFlags;
        f.writer.iocb(opcode, fd, opcode == Opcode.FTRUNCATE ? random.nextInt(1 << 20) : offset, sizeArgument, length,
            safeFlags, mode, userData);
        final int flags = switch (random.nextInt(6)) {
            case 0 -> IocbDescriptor.FLAG_LINK;
            case 1 -> IocbDescriptor.FLAG_HARDLINK;
            case 2 -> IocbDescriptor.FLAG_MULTISHOT;
            default -> 0;
        };
        if (flags != 0) {
            f.writer.flags(flags);
        }
        final int timeoutMs = 20 + random.nextInt(200);
        f.writer.timeoutMillis(timeoutMs);
        return Opcode.name(opcode) + " fd " + fd + " offset " + (opcode == Opcode.FTRUNCATE ? "(length)" : offset)
            + " address 0x" + Long.toHexString(sizeArgument) + " length " + length + " op_flags 0x"
            + Integer.toHexString(safeFlags) + " mode " + mode + " flags 0x" + Integer.toHexString(flags)
            + " timeout_ms " + timeoutMs;
    }

    /**
     * A timeout iocb with a timeout_ms used to enter the deadline heap twice (once for each time) and the scheduler
     * thread died of an index of -1 when it came due: every later timeout and link on the context never happened.
     * Now it completes -ETIME at the earlier of its two times, and the scheduler goes on.
     */
    @Test
    void aTimeoutIocbWithATimeoutMsCompletesAtTheEarlierTimeAndTheSchedulerGoesOn() {
        assertTimeoutPreemptively(BOUND, () -> {
            try (ContextFixture f = new ContextFixture(TestBackend.params())) {
                final long start = System.nanoTime();
                f.writer.timeout(10_000_000_000L, 1).timeoutMillis(50);   // timeout_ms first
                f.writer.timeout(30_000_000L, 2).timeoutMillis(10_000);   // its own time first
                f.writer.timeout(40_000_000L, 3).timeoutMillis(40);       // both at once
                f.submitAll();
                for (final ContextFixture.Event event : f.reap(3)) {
                    assertEquals(-Errno.ETIME, event.result(), "timeout " + event.userData());
                }
                assertTrue(System.nanoTime() - start < 5_000_000_000L, "the earlier time, not 10 s");
                for (int round = 0; round < 3; round++) {
                    f.writer.timeout(5_000_000L, 10 + round);
                    f.writer.nop(20 + round).link();
                    f.writer.nop(30 + round);
                    f.submitAll();
                    final List<ContextFixture.Event> events = f.reap(3);
                    assertEquals(3, events.size(), "the scheduler still runs timeouts and links");
                }
                for (int i = 0; i < 200; i++) {
                    f.writer.timeout(1_000_000L + i * 10_000L, 100 + i).timeoutMillis(1 + i % 3);
                }
                f.submitAll();
                for (final ContextFixture.Event event : f.reap(200)) {
                    assertEquals(-Errno.ETIME, event.result(), "timeout " + event.userData());
                }
                f.writer.timeout(1_000_000L, 400);
                assertEquals(-Errno.ETIME, f.one().result());
            }
        });
    }

    /**
     * A chain's successor was started before its predecessor's event was queued for the ring, so the successor's
     * event could land first. Many chains of cached reads and nops, submitted at once from two threads: in the
     * ring, each chain's events come in chain order.
     */
    @Test
    void aChainsEventsEnterTheRingInChainOrder(@TempDir final Path dir) {
        assertTimeoutPreemptively(BOUND, () -> {
            try (ContextFixture f = new ContextFixture(TestBackend.params().maxInFlight(2048))) {
                final Path file = dir.resolve("data");
                Files.write(file, new byte[1 << 20]);
                final int fd = f.context.openFile(file, Linux.O_RDONLY);
                try {
                    final int chains = 150;
                    final int length = 5;
                    final Random random = new Random(7);
                    for (int round = 0; round < 4; round++) {
                        for (int c = 0; c < chains; c++) {
                            for (int i = 0; i < length; i++) {
                                final long userData = (long) c << 8 | i;
                                if (random.nextBoolean()) {
                                    f.writer.nop(userData);
                                } else {
                                    f.writer.pread(fd, f.address((c * length + i) % 256 * 4096L), 4096,
                                        random.nextInt(256) * 4096L, userData);
                                }
                                if (i < length - 1) {
                                    f.writer.link();
                                }
                            }
                            if (f.writer.count() >= 100) {
                                f.submitAll();
                            }
                        }
                        f.submitAll();
                        final int[] next = new int[chains];
                        for (final ContextFixture.Event event : f.reap(chains * length)) {
                            final int chain = (int) (event.userData() >>> 8);
                            final int position = (int) (event.userData() & 0xFF);
                            assertTrue(event.result() >= 0, "event " + event + ": " + Errno.describeResult(event.result()));
                            assertEquals(next[chain], position, "chain " + chain + ": events in chain order (round " + round + ")");
                            next[chain]++;
                        }
                    }
                } finally {
                    Linux.close(f.errno, fd);
                }
            }
        });
    }

    /**
     * The context's own descriptors are no iocb's to use: a program may hold a stale number that is now the ring
     * file's (it closed an fd just before setup). An ftruncate on it truncated the ring; every opcode on the ring
     * file, the overflow file, the eventfd or the io_uring instance now completes -EBADF and the ring is intact.
     */
    @Test
    void iocbsOnTheContextsOwnDescriptorsCompleteEbadf() throws Exception {
        assertTimeoutPreemptively(BOUND, () -> {
            try (ContextFixture f = new ContextFixture(TestBackend.params())) {
                final List<Integer> own = ownDescriptors(f.context);
                assertTrue(own.size() >= 3, "ring file, overflow file and eventfd at least: " + own);
                long userData = 0;
                for (final int fd : own) {
                    f.writer.ftruncate(fd, 0, ++userData);
                    f.writer.pwrite(fd, f.address(0), 4096, 0, ++userData);
                    f.writer.pread(fd, f.address(0), 8, 0, ++userData);
                    f.writer.fsync(fd, ++userData);
                    f.writer.fallocate(fd, 0, 0, 4096, ++userData);
                    f.writer.close(fd, ++userData);
                    f.writer.sendfile(fd, fd, 0, 16, ++userData);
                }
                f.submitAll();
                for (final ContextFixture.Event event : f.reap((int) userData)) {
                    assertEquals(-Errno.EBADF, event.result(), "iocb " + event.userData() + " (opcode " + event.opcode()
                        + ") on an own descriptor: " + Errno.describeResult(event.result()));
                }
                assertEquals(own, ownDescriptors(f.context), "all still open");
                assertEquals(f.context.ring().fileLength(), Files.size(f.context.ringPath()), "the ring file keeps its size");
                // Synchronously too.
                final int ringFd = fdOf(f.context.ringPath());
                final UnsafeBufferHolder holder = new UnsafeBufferHolder();
                f.writer.ftruncate(ringFd, 0, 99);
                f.context.execute(f.writer, e -> holder.result = e.result());
                f.writer.reset();
                assertEquals(-Errno.EBADF, holder.result);
                f.writer.nop(100);
                assertEquals(0, f.one().result());
            }
        });
    }

    private static final class UnsafeBufferHolder {
        long result;
    }

    /** @return descriptors of this process that are the context's ring, its overflow file or its eventfd */
    private static List<Integer> ownDescriptors(final AioContext context) throws Exception {
        final List<Integer> fds = new ArrayList<>();
        final int ring = fdOf(context.ringPath());
        assertTrue(ring >= 0, "the ring file is open");
        fds.add(ring);
        final int overflow = fdOf(Path.of(context.ringPath() + ".overflow"));
        assertTrue(overflow >= 0, "the overflow file is open");
        fds.add(overflow);
        if (context.eventfd() >= 0) {
            fds.add(context.eventfd());
        }
        return fds;
    }

    private static int fdOf(final Path path) throws Exception {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            for (final Path entry : entries.toList()) {
                try {
                    if (Files.readSymbolicLink(entry).equals(path)) {
                        return Integer.parseInt(entry.getFileName().toString());
                    }
                } catch (final java.io.IOException e) {
                    // closed meanwhile
                }
            }
        }
        return -1;
    }

    /**
     * The overflow file truncated under a live engine, with events on the overflow list and more coming: the
     * context thread died of the fault, the engine marked the intact ring CORRUPTED, 64 iocbs never completed,
     * destroy threw and left threads, descriptors and files. Now the file is given up (events overflow into memory
     * only), the ring goes on, every iocb completes once, and destroy is clean.
     */
    @Test
    void anOverflowFileTruncatedUnderALiveEngineIsGivenUpAndNothingElse() throws Exception {
        assertTimeoutPreemptively(BOUND, () -> {
            final ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(4096).overflowBound(2000));
            final Path ring = f.context.ringPath();
            final Path overflow = Path.of(ring + ".overflow");
            try {
                for (int i = 0; i < 300; i++) {
                    f.writer.nop(i);
                }
                f.submitAll();
                final long deadline = System.nanoTime() + 20_000_000_000L;
                while (f.context.completed() < 300) {
                    assertTrue(System.nanoTime() < deadline);
                    Thread.sleep(1);
                }
                assertTrue(f.context.overflowLength() > 0, "events wait on the overflow list");
                try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(overflow,
                    java.nio.file.StandardOpenOption.WRITE)) {
                    channel.truncate(0);
                }
                for (int i = 300; i < 364; i++) {
                    f.writer.nop(i);
                }
                f.submitAll();
                Thread.sleep(300); // heartbeats pass: the engine finds the file short
                for (int i = 364; i < 400; i++) {
                    f.writer.nop(i);
                }
                f.submitAll();
                final java.util.BitSet seen = new java.util.BitSet();
                for (final ContextFixture.Event event : f.reap(400)) {
                    assertFalse(seen.get((int) event.userData()), "twice: " + event.userData());
                    seen.set((int) event.userData());
                    assertEquals(0, event.result());
                }
                assertEquals(400, seen.cardinality());
                assertNull(f.context.corruption(), "the ring is intact");
                assertEquals(0, f.context.ring().flags() & io.aioring.ring.RingDescriptor.FLAG_CORRUPTED);
                assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().endsWith("-context")
                    && t.isAlive()), "the context thread lives");
                f.writer.nop(1000);
                assertEquals(0, f.one().result());
            } finally {
                assertEquals(0, f.context.destroy(), "nothing left on the list");
                f.close();
            }
            assertFalse(Files.exists(ring), "the ring file is removed");
            assertFalse(Files.exists(overflow), "the overflow file is removed");
        });
    }
}
