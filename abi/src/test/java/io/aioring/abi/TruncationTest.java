package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.aioring.linux.Errno;
import io.aioring.ring.RingCorruptedException;
import io.aioring.ring.RingDescriptor;

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
        try (ThreadDeaths deaths = new ThreadDeaths()) {
            final ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(1 << 16));
            final Path ringFile = f.context.ringPath();
            try (ContextReaper other = ContextReaper.open(ringFile)) {
                for (int i = 0; i < 20; i++) {
                    f.writer.nop(i);
                }
                f.submitAll();
                assertEquals(20, f.reap(20).size(), "the ring works before");
                for (int i = 0; i < 5; i++) {
                    f.writer.timeout(50_000_000L, 100 + i); // in flight while the file shrinks
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
                final Set<Long> seen = new HashSet<>();
                for (final ContextFixture.Event event : f.reap(5)) {
                    assertTrue(seen.add(event.userData()), "twice: " + event.userData());
                    assertEquals(-Errno.ETIME, event.result());
                }
                assertEquals(Set.of(100L, 101L, 102L, 103L, 104L), seen, "every timeout handed over");
                // Another reaper of the same file says the ring is corrupt; it does not die of the fault.
                final RingCorruptedException e = assertThrows(RingCorruptedException.class,
                    () -> other.poll(event -> fail("an event from a truncated ring"), 1 << 16));
                assertTrue(size == 0 ? e.field().equals("mapping") : e.field().equals("flags"), e.getMessage());
            }
            assertEquals(0, f.context.destroy(), "nothing left undelivered");
            assertFalse(Files.exists(ringFile), "the ring file is removed");
            f.close();
            deaths.assertNone();
        }
    }
}
