package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

import io.aioring.linux.Linux;
import io.aioring.ring.RingCorruptedException;
import io.aioring.ring.RingDescriptor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A process that can write the ring file truncates it under the mappings (docs/abi.md 2.13). Touching a lost page
 * raises SIGBUS; the engine must not lose a thread to it nor hang: it looks at the file's size every heartbeat and
 * catches the fault where it touches the ring, gives the ring up, hands what completes afterwards to getevents in
 * its process, and destroys cleanly. A reaper reports the fault as corruption, not as an InternalError.
 */
class TruncationTest {
    /** Truncated to nothing (the header's page gone too), or to the header alone (every data page gone). */
    @ParameterizedTest
    @ValueSource(longs = {0, RingDescriptor.HEADER_LENGTH})
    @Timeout(60)
    void aRingFileTruncatedUnderTheEngine(final long size) throws Exception {
        try (ThreadDeaths deaths = new ThreadDeaths(); Arena arena = Arena.ofConfined()) {
            final ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(1 << 16));
            final Path ringFile = f.context.ringPath();
            final int eventfd = Linux.eventfd(f.errno, 0, Linux.EFD_CLOEXEC);
            assertTrue(eventfd >= 0, "eventfd");
            try (ContextReaper other = ContextReaper.open(ringFile)) {
                for (int i = 0; i < 20; i++) {
                    f.writer.nop(i);
                }
                f.submitAll();
                assertEquals(20, f.reap(20).size(), "the ring works before");
                for (int i = 0; i < 5; i++) {
                    // In flight while the file shrinks; they complete only when the test says, after the heartbeat
                    // found it (a timer could fire first on a loaded machine and post into pages then lost).
                    f.writer.poll(eventfd, Linux.POLLIN, false, 100 + i);
                }
                f.submitAll();
                try (FileChannel channel = FileChannel.open(ringFile, StandardOpenOption.WRITE)) {
                    channel.truncate(size);
                }
                final long deadline = System.nanoTime() + 10_000_000_000L;
                while (f.context.corruption() == null && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertNotNull(f.context.corruption(), "found within a heartbeat");
                assertTrue(f.context.corruption().contains("truncated"), f.context.corruption());
                final IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> f.context.submit(f.writer.nop(7)));
                f.writer.reset();
                assertTrue(refused.getMessage().contains("truncated"), refused.getMessage());
                signal(arena, f, eventfd);
                final Set<Long> seen = new HashSet<>();
                for (final ContextFixture.Event event : f.reap(5)) {
                    assertTrue(seen.add(event.userData()), "twice: " + event.userData());
                    assertEquals(Linux.POLLIN, event.result() & Linux.POLLIN);
                }
                assertEquals(Set.of(100L, 101L, 102L, 103L, 104L), seen, "every poll handed over");
                // Another reaper of the same file says the ring is corrupt; it does not die of the fault.
                final RingCorruptedException e = assertThrows(RingCorruptedException.class,
                    () -> other.poll(event -> fail("an event from a truncated ring"), 1 << 16));
                assertTrue(size == 0 ? e.field().equals("mapping") : e.field().equals("flags"), e.getMessage());
            }
            assertEquals(0, f.context.destroy(), "nothing left undelivered");
            assertFalse(Files.exists(ringFile), "the ring file is removed");
            Linux.close(f.errno, eventfd);
            f.close();
            deaths.assertNone();
        }
    }

    /**
     * Completions that meet the fault: the file shrinks with 20 polls in flight, then one eventfd write completes
     * them all at once, before the heartbeat can look at the file's size, so the first event posted touches a lost
     * page. The JVM raises that fault where it next polls, which may be after the write that caused it returned:
     * the poster must not have let go of an event it wrote until its tail is published. Each round, every event
     * is handed over once.
     */
    @Test
    @Timeout(120)
    void completionsThatMeetTheFaultAreAllHandedOver() throws Exception {
        final int polls = 20;
        try (ThreadDeaths deaths = new ThreadDeaths(); Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 30; round++) {
                final ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(1 << 16));
                final int eventfd = Linux.eventfd(f.errno, 0, Linux.EFD_CLOEXEC);
                assertTrue(eventfd >= 0, "eventfd");
                try {
                    for (int i = 0; i < polls; i++) {
                        f.writer.poll(eventfd, Linux.POLLIN, false, i);
                    }
                    f.submitAll();
                    try (FileChannel channel = FileChannel.open(f.context.ringPath(), StandardOpenOption.WRITE)) {
                        channel.truncate(RingDescriptor.HEADER_LENGTH);
                    }
                    signal(arena, f, eventfd);
                    final Set<Long> seen = new HashSet<>();
                    for (final ContextFixture.Event event : f.reap(polls)) {
                        assertTrue(seen.add(event.userData()), "twice: " + event.userData());
                        assertEquals(Linux.POLLIN, event.result() & Linux.POLLIN, "round " + round);
                    }
                    assertEquals(polls, seen.size(), "round " + round + ": every poll handed over");
                    assertNotNull(f.context.corruption(), "round " + round);
                    assertEquals(0, f.context.destroy(), "round " + round + ": nothing left undelivered");
                } finally {
                    Linux.close(f.errno, eventfd);
                    f.close();
                }
                deaths.assertNone();
            }
        }
    }

    /** Makes the eventfd readable: every poll on it completes. */
    private static void signal(final Arena arena, final ContextFixture f, final int eventfd) {
        final MemorySegment one = arena.allocate(8, 8);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        assertEquals(8, Linux.write(f.errno, eventfd, one.address(), 8), "eventfd write");
    }
}
