package io.aioring.abi;

import io.aioring.abi.layout.ContextDescriptor;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

import io.aioring.linux.ChildJvm;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingFormatException;
import io.aioring.ring.RingSpec;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Reaping from processes that did not create the context: sleeping on the eventfd or the tail futex, engine death. */
class ContextReaperTest {
    @ParameterizedTest
    @EnumSource(ContextReaper.WaitMode.class)
    @Timeout(120)
    void aReaperProcessSleepsAndIsWokenByEvents(final ContextReaper.WaitMode mode) throws Exception {
        final int events = 2_000;
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(1 << 16).workers(1));
             ChildJvm child = ChildJvm.start(WaitingReaperMain.class, f.context.ringPath().toString(),
                 Integer.toString(events), mode.name())) {
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (!child.log().contains("waiting with")) {
                assertTrue(child.process().isAlive(), child.log());
                assertTrue(System.nanoTime() < deadline);
                Thread.sleep(10);
            }
            // Bursts with pauses between them, so the child sleeps and must be woken each time.
            for (int i = 0; i < events; ) {
                f.writer.nop(i);
                if (++i % 200 == 0) {
                    f.submitAll();
                    Thread.sleep(30);
                }
            }
            assertEquals(0, child.waitFor(60), child.log());
            assertTrue(child.log().contains("timeouts 0"), "every sleep ended by a wake-up: " + child.log());
        }
    }

    @Test
    void refusesARingThatIsNotAContexts(@org.junit.jupiter.api.io.TempDir final Path dir) {
        final Path plain = dir.resolve("plain.ring");
        RingFile.create(plain, RingSpec.of(4096)).close();
        final RingFormatException e = assertThrows(RingFormatException.class, () -> ContextReaper.open(plain));
        assertTrue(e.getMessage().contains("not a context's ring"), e.getMessage());
    }

    /**
     * The engine's JVM is SIGKILLed with events in its ring and on its overflow list: a reaper drains the ring, sees
     * the engine gone, then drains the overflow file (docs/abi.md 2.8), and returns instead of waiting forever. Every
     * event comes through exactly once, in sequence order (was: the overflow list died with the engine's memory).
     */
    @Test
    @Timeout(120)
    void theEngineKilledMidRun() throws Exception {
        final Path ring = RingFile.defaultPath();
        final int events = 300; // a 4 KiB ring holds about 100 of them; its 16 KiB overflow file the rest
        try (ChildJvm engine = EngineMain.startSubmitted(ring, events)) {
            try (ContextReaper reaper = ContextReaper.open(ring)) {
                assertEquals(EngineState.RUNNING, reaper.engineState());
                final int overflowed = reaper.ring().buffer().getIntVolatile(ContextDescriptor.OVERFLOW_LENGTH_OFFSET);
                assertTrue(overflowed > 0, "events wait on the overflow list");
                assertEquals(0, reaper.contextArea().overflowVolatile(), "each of them in the overflow file too");
                engine.kill();
                assertTrue(engine.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(EngineState.GONE, reaper.engineState());
                final BitSet seen = new BitSet();
                final long[] nextSequence = {0};
                final long start = System.nanoTime();
                final int reaped = reaper.reap(e -> {
                    assertFalse(seen.get((int) e.userData()), "twice: " + e.userData());
                    seen.set((int) e.userData());
                    assertEquals(nextSequence[0]++, e.sequence(), "in sequence order, none missing");
                }, Integer.MAX_VALUE, 1 << 16, new BackoffIdleStrategy(), 60_000_000_000L);
                assertTrue(System.nanoTime() - start < 10_000_000_000L, "returned without waiting for its timeout");
                assertEquals(events, reaped, "the ring, then the overflow file");
                assertEquals(events, seen.cardinality(), "each once");
                assertTrue(reaper.isDrained());
            }
        } finally {
            Files.deleteIfExists(ring);
            Files.deleteIfExists(Path.of(ring + ".sock"));
            Files.deleteIfExists(Path.of(ring + ".overflow"));
        }
    }

    /**
     * The engine SIGKILLed with events in its overflow file, then the file scribbled: one event's sequence set to
     * 2^62, or every sequence set to 0. The draining reaper dropped 3,355-3,362 events as "reaped before" and said
     * nothing; now it reports the file corrupt (RingCorruptedException) and never drops an event silently behind a
     * sequence that no engine wrote.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"one-huge", "all-zero"})
    @Timeout(120)
    void aScribbledOverflowFileIsReportedNotDroppedSilently(final String scribble) throws Exception {
        final Path ring = RingFile.defaultPath();
        final int events = 300;
        try (ChildJvm engine = EngineMain.startSubmitted(ring, events)) {
            engine.kill();
            assertTrue(engine.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
            final int records = scribbleOverflowFile(ring, scribble);
            assertTrue(records > 10, "events in the overflow file: " + records);
            try (ContextReaper reaper = ContextReaper.open(ring)) {
                final int[] delivered = {0};
                final io.aioring.ring.RingCorruptedException e = assertThrows(io.aioring.ring.RingCorruptedException.class,
                    () -> reaper.reap(x -> delivered[0]++, Integer.MAX_VALUE, 1 << 16, new BackoffIdleStrategy(),
                        30_000_000_000L));
                assertTrue(e.getMessage().contains("overflow file"), e.getMessage());
                assertTrue(delivered[0] < events, "not all delivered: " + delivered[0]);
            }
        } finally {
            Files.deleteIfExists(ring);
            Files.deleteIfExists(Path.of(ring + ".sock"));
            Files.deleteIfExists(Path.of(ring + ".overflow"));
        }
    }

    @Test
    void pollOneTakesOneEventAndTheDoorbellBringsTheRest() {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(4096).workers(1).overflowBound(1000));
             ContextReaper reaper = ContextReaper.open(f.context.ringPath())) {
            for (int i = 0; i < 300; i++) {
                f.writer.nop(i);
            }
            f.submitAll();
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (f.context.completed() < 300) {
                assertTrue(System.nanoTime() < deadline);
                Thread.onSpinWait();
            }
            final long[] next = {0};
            assertEquals(1, reaper.pollOne(e -> assertEquals(next[0]++, e.userData())));
            final int rest = reaper.reap(e -> assertEquals(next[0]++, e.userData()), 299, 1 << 16,
                new BackoffIdleStrategy(), 10_000_000_000L);
            assertEquals(299, rest, "the rest came through the ring as the doorbell moved them in");
            assertTrue(f.context.ring().doorbell() > 0);
        }
    }


    /**
     * Writes sequences no engine would into the unread events of {@code ring}'s overflow file: the third one's set
     * to 2^62 ("one-huge"), or every one's to 0 ("all-zero").
     *
     * @return the events the file holds
     */
    static int scribbleOverflowFile(final Path ring, final String scribble) {
        int records = 0;
        try (RingFile overflow = RingFile.open(Path.of(ring + ".overflow"), ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
            final io.aioring.ring.Ring file = overflow.ring();
            // Walk the unread records in the file's own memory (an observer hands out copies).
            final org.agrona.concurrent.AtomicBuffer memory = file.buffer();
            for (int position = file.head(); position != file.tail(); ) {
                final int at = file.dataIndex(position);
                final int length = memory.getInt(at + io.aioring.ring.RecordDescriptor.LENGTH_OFFSET);
                final int type = memory.getInt(at + io.aioring.ring.RecordDescriptor.TYPE_OFFSET);
                assertTrue(length >= io.aioring.ring.RecordDescriptor.HEADER_LENGTH, "length " + length);
                if (type == io.aioring.abi.layout.EventDescriptor.RECORD_TYPE) {
                    records++;
                    if (scribble.equals("all-zero") || records == 3) {
                        memory.putLong(at + io.aioring.ring.RecordDescriptor.HEADER_LENGTH
                            + io.aioring.abi.layout.EventDescriptor.SEQUENCE_OFFSET, scribble.equals("all-zero") ? 0 : 1L << 62);
                    }
                }
                position += io.aioring.ring.RecordDescriptor.align(length);
            }
        }
        return records;
    }
}
