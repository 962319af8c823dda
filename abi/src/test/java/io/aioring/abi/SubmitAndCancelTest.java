package io.aioring.abi;

import io.aioring.abi.layout.IocbFormatException;
import io.aioring.abi.layout.AttributeRequestDescriptor;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.layout.IocbDescriptor;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Malformed iocbs end a batch with an error naming the iocb and field; cancel takes what has not started. */
class SubmitAndCancelTest {
    @Test
    void aMalformedIocbEndsTheBatchAndTheOnesBeforeItComplete() {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(16384).workers(1))) {
            f.writer.nop(1).nop(2).nop(3);
            f.batch.putInt(2 * IocbDescriptor.HEADER_LENGTH + IocbDescriptor.LENGTH_OFFSET, 9);
            final IocbFormatException e = assertThrows(IocbFormatException.class, () -> f.context.submit(f.writer));
            assertEquals(2, e.index());
            assertEquals("length", e.field());
            assertEquals(9, e.value());
            assertEquals(2, e.accepted());
            final List<ContextFixture.Event> events = f.reap(2);
            assertEquals(3, events.get(0).userData() + events.get(1).userData());
            assertEquals(0, f.context.getevents(1, 1 << 20, 50_000_000L, x -> fail("iocb 3 was not accepted")));
        }
    }

    @Test
    void aBatchRangeOutsideItsBufferIsRefusedNamingIt() {
        try (ContextFixture f = new ContextFixture(TestBackend.params())) {
            f.writer.nop(1);
            for (final int[] range : new int[][] {{Integer.MAX_VALUE, 8}, {-8, 56}, {0, -1}, {0, f.batch.capacity() + 8}}) {
                final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> f.context.submit(f.batch, range[0], range[1]));
                assertTrue(e.getMessage().contains("offset " + range[0] + " and length " + range[1]), e.getMessage());
            }
            assertEquals(0, f.context.submitted(), "nothing was taken");
        }
    }

    @Test
    void eachShapeRuleNamesItsField() {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(16384).workers(1))) {
            final UnsafeBuffer b = f.batch;
            assertField(f, "length", () -> b.putInt(IocbDescriptor.LENGTH_OFFSET, 12));
            assertField(f, "length", () -> b.putInt(IocbDescriptor.LENGTH_OFFSET, 60));
            assertField(f, "length", () -> b.putInt(IocbDescriptor.LENGTH_OFFSET, 4096));
            assertField(f, "length", () -> b.putInt(IocbDescriptor.LENGTH_OFFSET, 64));
            assertField(f, "attribute_count", () -> b.putShort(IocbDescriptor.ATTRIBUTE_COUNT_OFFSET, (short) 1));
            assertField(f, "attribute_count", () -> b.putShort(IocbDescriptor.ATTRIBUTE_COUNT_OFFSET, (short) 17));
            final IocbFormatException shortBatch = assertThrows(IocbFormatException.class, () -> f.context.submit(b, 0, 20));
            assertEquals("length", shortBatch.field());
            f.writer.reset();
            f.writer.nop(1).attribute(5, 0x8);
            final IocbFormatException flags = assertThrows(IocbFormatException.class, () -> f.context.submit(f.writer));
            assertEquals("attribute flags", flags.field());
            f.writer.reset();
            f.writer.nop(1).attribute(5, 0);
            b.putInt(IocbDescriptor.HEADER_LENGTH + AttributeRequestDescriptor.PAYLOAD_LENGTH_OFFSET, 100);
            assertEquals("attribute payload_length",
                assertThrows(IocbFormatException.class, () -> f.context.submit(f.writer)).field());
            f.writer.reset();
        }
    }

    private static void assertField(final ContextFixture f, final String field, final Runnable corrupt) {
        f.writer.reset();
        f.writer.nop(1);
        corrupt.run();
        final IocbFormatException e = assertThrows(IocbFormatException.class, () -> f.context.submit(f.writer));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(0, e.accepted());
        f.writer.reset();
    }

    /** On threads, one worker blocked on an empty pipe holds the rest in the queue, where cancel takes them. */
    @Test
    void cancelTakesQueuedIocbsAndLeavesRunningOnes() {
        try (ContextFixture f = new ContextFixture(new SetupParams().backend(SetupDescriptor.BACKEND_THREADS)
            .ringDataBytes(16384).workers(1))) {
            final int[] pipe = f.pipe();
            try {
                // The one worker blocks reading an empty pipe (offset -1: the pipe's own position).
                f.memory.set(ValueLayout.JAVA_LONG, 0, f.address(4096));
                f.memory.set(ValueLayout.JAVA_LONG, 8, 16L);
                f.writer.preadv(pipe[0], f.address(0), 1, -1, 0, 100);
                f.submitAll();
                final long deadline = System.nanoTime() + 5_000_000_000L;
                while (f.context.running() == 0) {
                    assertTrue(System.nanoTime() < deadline, "the worker never started the pipe read");
                    Thread.onSpinWait();
                }
                f.writer.nop(7).nop(8).nop(9).nop(8);
                f.submitAll();
                assertEquals(2, f.context.cancel(8));
                assertEquals(-Errno.ENOENT, f.context.cancel(8), "already cancelled");
                assertEquals(-Errno.ENOENT, f.context.cancel(12345));
                assertEquals(-Errno.EALREADY, f.context.cancel(100));
                f.memory.set(ValueLayout.JAVA_LONG, 8192, 0x1122334455667788L);
                assertEquals(5, Linux.write(f.errno, pipe[1], f.address(8192), 5));
                final Map<Long, Long> results = new HashMap<>();
                final List<ContextFixture.Event> events = f.reap(5);
                int cancelled = 0;
                for (final ContextFixture.Event e : events) {
                    if (e.userData() == 8) {
                        assertEquals(-Errno.ECANCELED, e.result());
                        cancelled++;
                    } else {
                        results.put(e.userData(), e.result());
                    }
                }
                assertEquals(2, cancelled);
                assertEquals(Map.of(100L, 5L, 7L, 0L, 9L, 0L), results);
            } finally {
                Linux.close(f.errno, pipe[0]);
                Linux.close(f.errno, pipe[1]);
            }
        }
    }

    /** On io_uring, a read blocked on an empty pipe is in the kernel and holds up nothing; cancel says it runs. */
    @Test
    void onIoUringABlockedReadHoldsUpNothing() throws Exception {
        assumeTrue(AioContext.probe().ioUringErrno() == 0, "io_uring is refused here: " + AioContext.probe());
        try (ContextFixture f = new ContextFixture(new SetupParams().backend(SetupDescriptor.BACKEND_IO_URING)
            .ringDataBytes(16384))) {
            final int[] pipe = f.pipe();
            try {
                f.memory.set(ValueLayout.JAVA_LONG, 0, f.address(4096));
                f.memory.set(ValueLayout.JAVA_LONG, 8, 16L);
                f.writer.preadv(pipe[0], f.address(0), 1, -1, 0, 100).nop(7).nop(8);
                f.submitAll();
                final Map<Long, Long> first = new HashMap<>();
                f.reap(2).forEach(e -> first.put(e.userData(), e.result()));
                assertEquals(Map.of(7L, 0L, 8L, 0L), first, "the nops completed while the read waits");
                assertEquals(-Errno.EALREADY, f.context.cancel(100));
                assertEquals(1, f.context.running());
                f.memory.set(ValueLayout.JAVA_LONG, 8192, 0x1122334455667788L);
                assertEquals(5, Linux.write(f.errno, pipe[1], f.address(8192), 5));
                final ContextFixture.Event read = f.reap(1).get(0);
                assertEquals(100, read.userData());
                assertEquals(5, read.result());
                assertEquals(0x55667788, f.memory.get(ValueLayout.JAVA_INT, 4096));
            } finally {
                Linux.close(f.errno, pipe[0]);
                Linux.close(f.errno, pipe[1]);
            }
        }
    }

    @Test
    void destroyCancelsWhatHasNotStarted() throws Exception {
        final ContextFixture f = new ContextFixture(new SetupParams().backend(SetupDescriptor.BACKEND_THREADS)
            .ringDataBytes(16384).workers(1));
        final int[] pipe = f.pipe();
        f.memory.set(ValueLayout.JAVA_LONG, 0, f.address(4096));
        f.memory.set(ValueLayout.JAVA_LONG, 8, 16L);
        f.writer.preadv(pipe[0], f.address(0), 1, -1, 0, 100).nop(1).nop(2);
        f.submitAll();
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (f.context.running() == 0) {
            assertTrue(System.nanoTime() < deadline);
            Thread.onSpinWait();
        }
        final io.aioring.ring.RingFile view = io.aioring.ring.RingFile.open(f.context.ringPath(), ContextDescriptor.KNOWN_INCOMPAT_FEATURES);
        final Thread unblock = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (final InterruptedException e) {
                return;
            }
            Linux.write(new Errno(), pipe[1], f.address(8192), 3);
        });
        unblock.start();
        assertEquals(0, f.context.destroy());
        unblock.join();
        // Another mapping of the (now unlinked) ring still drains every event.
        final EventPoller reaper = new EventPoller(view.ring());
        final Map<Long, Long> results = new HashMap<>();
        while (reaper.poll(e -> results.put(e.userData(), e.result()), 1 << 20) > 0) {
            // drain
        }
        assertEquals(Map.of(100L, 3L, 1L, (long) -Errno.ECANCELED, 2L, (long) -Errno.ECANCELED), results);
        assertTrue(view.ring().isProducerClosed());
        view.close();
        Linux.close(f.errno, pipe[0]);
        Linux.close(f.errno, pipe[1]);
        f.arena.close();
    }
}
