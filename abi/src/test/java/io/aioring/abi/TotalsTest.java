package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.layout.TotalsDescriptor;
import io.aioring.abi.layout.TotalsSnapshot;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;
import io.aioring.ring.RingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The totals in the ring's trailer (docs/abi.md 2.14): every completion counted, read as a consistent snapshot. */
class TotalsTest {
    @TempDir
    Path dir;

    @Test
    void everyCompletionIsCountedWhereverItsEventWent() throws Exception {
        final Path file = Files.write(dir.resolve("data"), new byte[1 << 20]);
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(64 * 1024))) {
            final int fd = Linux.openat(f.errno, Linux.AT_FDCWD, Linux.cString(f.arena, file.toString()).address(),
                Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
            assertTrue(fd >= 0);
            final int closed = 1 << 20; // a descriptor number no process here has open
            try {
                for (int round = 0; round < 10; round++) {
                    for (int i = 0; i < 30; i++) {
                        f.writer.pread(fd, f.address(i * 4096L), 4096, (round * 30L + i) * 4096 % (1 << 20), i);
                    }
                    for (int i = 0; i < 5; i++) {
                        f.writer.pread(closed, f.address(0), 4096, 0, 100 + i);
                    }
                    for (int i = 0; i < 10; i++) {
                        f.writer.nop(200 + i);
                    }
                    f.submitAll();
                    f.reap(45);
                }
                // Events that never pass the ring: an executed read, and one taken by await.
                f.writer.pread(fd, f.address(0), 100, 0, 300);
                final long[] executed = new long[1];
                f.context.execute(f.writer, e -> executed[0] = e.result());
                f.writer.reset();
                assertEquals(100, executed[0]);
                try (Loopback.Pair pair = Loopback.socketPair(f.arena, f.errno)) {
                    f.writer.recv(pair.a(), f.address(0), 8, 0, 301);
                    f.submitAll();
                    final java.util.concurrent.CompletableFuture<Integer> awaited = java.util.concurrent.CompletableFuture
                        .supplyAsync(() -> f.context.await(301, 10_000_000_000L, e -> assertEquals(8, e.result())));
                    Thread.sleep(50);
                    assertEquals(8, Linux.write(f.errno, pair.b(), f.address(1 << 20), 8));
                    assertEquals(1, awaited.get());
                }

                assertNotEquals(0, f.context.ring().compatFeatures() & ContextDescriptor.COMPAT_TOTALS);
                final TotalsSnapshot totals = TotalsSnapshot.of(f.context.ring());
                assertNotNull(totals);
                // Published every heartbeat: wait for the one after the last completion.
                awaitEvents(totals, OpcodeDescriptor.RECV, 1);
                assertTrue(totals.take(), "a quiet engine's totals are consistent");
                assertEquals(OpcodeDescriptor.COUNT, totals.opcodes());
                final int pread = OpcodeDescriptor.PREAD;
                assertEquals(300 + 50 + 1, totals.get(pread, TotalsDescriptor.EVENTS_OFFSET));
                assertEquals(50, totals.get(pread, TotalsDescriptor.ERRORS_OFFSET), "the -EBADF reads");
                assertEquals(300 * 4096L + 100, totals.get(pread, TotalsDescriptor.BYTES_OFFSET));
                assertEquals(1, totals.get(OpcodeDescriptor.RECV, TotalsDescriptor.EVENTS_OFFSET), "the awaited recv");
                assertEquals(8, totals.get(OpcodeDescriptor.RECV, TotalsDescriptor.BYTES_OFFSET));
                long slow = 0;
                for (int bucket = TotalsDescriptor.bucketOf(50_000_000L); bucket < TotalsDescriptor.BUCKETS; bucket++) {
                    slow += totals.bucket(OpcodeDescriptor.RECV, TotalsDescriptor.LATENCY_OFFSET, bucket);
                }
                assertEquals(1, slow, "the awaited recv waited 50 ms or more for its bytes");
                assertEquals(100, totals.get(OpcodeDescriptor.NOP, TotalsDescriptor.EVENTS_OFFSET));
                assertEquals(0, totals.get(OpcodeDescriptor.NOP, TotalsDescriptor.BYTES_OFFSET));
                assertEquals(0, totals.get(OpcodeDescriptor.PWRITE, TotalsDescriptor.EVENTS_OFFSET));
                assertEquals(0, totals.sum(TotalsDescriptor.PAGE_CACHE_HITS_OFFSET), "no page-cache asked for");
                for (final int opcode : new int[] {pread, OpcodeDescriptor.NOP}) {
                    assertEquals(totals.get(opcode, TotalsDescriptor.EVENTS_OFFSET), histogramSum(totals, opcode,
                        TotalsDescriptor.LATENCY_OFFSET), "every event is in the latency histogram");
                    assertEquals(totals.get(opcode, TotalsDescriptor.EVENTS_OFFSET), histogramSum(totals, opcode,
                        TotalsDescriptor.SERVICE_OFFSET), "and in the service histogram");
                }
            } finally {
                Linux.close(f.errno, fd);
            }
        }
    }

    @Test
    void anObserverInAnotherMappingReadsConsistentSnapshotsWhileTheEngineCounts() throws Exception {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(64 * 1024).workers(2));
             RingFile observer = RingFile.open(f.context.ringPath(), ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong completed = new AtomicLong();
            final Thread load = new Thread(() -> {
                final ContextFixture.Batch batch = new ContextFixture.Batch();
                while (!stop.get()) {
                    for (int i = 0; i < 32; i++) {
                        batch.writer.nop(i);
                    }
                    final int accepted = f.context.submit(batch.writer);
                    batch.writer.reset();
                    long reaped = 0;
                    while (reaped < accepted) {
                        reaped += f.context.getevents(1, 1 << 20, 100_000_000L, e -> { });
                    }
                    completed.addAndGet(reaped);
                }
            });
            load.start();
            final TotalsSnapshot totals = TotalsSnapshot.of(observer.ring());
            long consistent = 0;
            long lastEvents = 0;
            final long deadline = System.nanoTime() + 1_000_000_000L;
            try {
                while (System.nanoTime() < deadline) {
                    if (!totals.take()) {
                        continue;
                    }
                    consistent++;
                    final long events = totals.get(OpcodeDescriptor.NOP, TotalsDescriptor.EVENTS_OFFSET);
                    assertTrue(events >= lastEvents, "totals never go back: " + events + " after " + lastEvents);
                    lastEvents = events;
                    assertEquals(events, histogramSum(totals, OpcodeDescriptor.NOP, TotalsDescriptor.LATENCY_OFFSET),
                        "a consistent snapshot holds each event in its histogram");
                }
            } finally {
                stop.set(true);
                load.join();
            }
            assertTrue(consistent > 5, "consistent snapshots: " + consistent);
            awaitEvents(totals, OpcodeDescriptor.NOP, completed.get());
            assertEquals(completed.get(), totals.get(OpcodeDescriptor.NOP, TotalsDescriptor.EVENTS_OFFSET));
        }
    }

    /** Takes snapshots until {@code opcode} has {@code events} events (the engine publishes every heartbeat). */
    static void awaitEvents(final TotalsSnapshot totals, final int opcode, final long events) throws InterruptedException {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(totals.take() && totals.get(opcode, TotalsDescriptor.EVENTS_OFFSET) >= events)) {
            assertTrue(System.nanoTime() < deadline, "totals at " + totals.get(opcode, TotalsDescriptor.EVENTS_OFFSET)
                + " of " + events + " events after 10 s");
            Thread.sleep(10);
        }
    }

    private static long histogramSum(final TotalsSnapshot totals, final int opcode, final int histogram) {
        long sum = 0;
        for (int b = 0; b < TotalsDescriptor.BUCKETS; b++) {
            sum += totals.bucket(opcode, histogram, b);
        }
        return sum;
    }
}
