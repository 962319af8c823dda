package io.aioring.abi;

import io.aioring.abi.layout.ContextDescriptor;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C reaper (src/test/c/aioring_reap.c, built on include/aioring.h, both written from docs/abi.md) reaps a live
 * context beside a Java reaper, through overflow storms: every event reaped exactly once between them.
 */
class CReaperTest {
    @TempDir
    Path dir;

    /** @return the C reaper, compiled with gcc; the test is skipped, saying why, when gcc is missing */
    static Path compileCReaper(final Path dir) throws IOException, InterruptedException {
        return compileCReaper(dir, Path.of("include"), Path.of("src/test/c/aioring_reap.c"), "aioring_reap");
    }

    /**
     * The C reaper as it was when issue 26 (the spec's second round) began, frozen with the header it was written
     * against: a reaper written from the old spec must keep working on the new engine (docs/abi.md 4 says what it
     * misses).
     */
    static Path compileFrozenCReaper(final Path dir) throws IOException, InterruptedException {
        final Path frozen = Path.of("src/test/c/frozen-5173c8b");
        return compileCReaper(dir, frozen, frozen.resolve("aioring_reap.c"), "aioring_reap_frozen");
    }

    private static Path compileCReaper(final Path dir, final Path include, final Path source, final String name)
        throws IOException, InterruptedException {
        final Path binary = dir.resolve(name);
        final Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-Wall", "-Wextra", "-Werror",
                "-I", include.toAbsolutePath().toString(), "-o", binary.toString(),
                source.toAbsolutePath().toString()).redirectErrorStream(true).start();
        } catch (final IOException e) {
            Assumptions.abort("gcc is not installed (apt-get install gcc): the C reaper cannot be built - " + e.getMessage());
            throw e;
        }
        final String output = new String(gcc.getInputStream().readAllBytes());
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, gcc.exitValue(), "gcc failed:\n" + output);
        return binary;
    }

    /**
     * The header compiles as the first include of a file under strict C11 with every warning an error (no
     * -D_GNU_SOURCE given), with gcc, and with clang where it is installed.
     */
    @Test
    void theHeaderCompilesAloneUnderStrictC11() throws Exception {
        final Path source = Files.writeString(dir.resolve("first_include.c"),
            "#include \"aioring.h\"\nint main(void) { return (int) AIORING_ABI_VERSION - 1; }\n");
        int compilers = 0;
        for (final String compiler : new String[] {"gcc", "clang"}) {
            final Process p;
            try {
                p = new ProcessBuilder(compiler, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only",
                    "-I", Path.of("include").toAbsolutePath().toString(), source.toString()).redirectErrorStream(true).start();
            } catch (final IOException e) {
                continue; // not installed: gcc is required below, clang is checked where present
            }
            final String output = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), compiler + " failed:\n" + output);
            compilers++;
        }
        Assumptions.assumeTrue(compilers > 0, "neither gcc nor clang is installed (apt-get install gcc)");
    }

    /**
     * An engine SIGKILLed with most of its 300 events on its overflow list: the C reaper sees it gone by the words
     * (its pid), drains the ring, then the overflow file (aioring_open_overflow), and has every event exactly once.
     */
    @Test
    @Timeout(180)
    void aKilledEnginesEventsComeThroughTheCReaperFromTheRingAndTheOverflowFile() throws Exception {
        killedEngineReapedOnceBy(compileCReaper(dir), "killed");
    }

    /** The same through the C reaper frozen at issue 26's start: the new engine's files read as before. */
    @Test
    @Timeout(180)
    void theFrozenOldSpecCReaperStillHasEveryEventOnce() throws Exception {
        killedEngineReapedOnceBy(compileFrozenCReaper(dir), "frozen");
    }

    private void killedEngineReapedOnceBy(final Path reaper, final String name) throws Exception {
        final Path ring = dir.resolve(name + ".ring");
        final Path out = dir.resolve(name + "-reaped.bin");
        try (io.aioring.linux.ChildJvm engine = EngineMain.startSubmitted(ring, 300)) {
            engine.kill();
            assertTrue(engine.process().waitFor(30, TimeUnit.SECONDS), "the engine is dead");
        }
        final Process c = new ProcessBuilder(reaper.toString(), ring.toString(), out.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        assertTrue(c.waitFor(60, TimeUnit.SECONDS), "the C reaper ends: the engine is gone");
        final String log = Files.readString(dir.resolve(name + ".log"));
        assertEquals(0, c.exitValue(), log);
        final ByteBuffer ids = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        final BitSet seen = new BitSet();
        int duplicates = 0;
        while (ids.hasRemaining()) {
            final int id = (int) ids.getLong();
            duplicates += seen.get(id) ? 1 : 0;
            seen.set(id);
        }
        assertEquals(0, duplicates, "no event twice: " + log);
        assertEquals(300, seen.cardinality(), "every event: " + log);
        assertEquals(300, seen.nextClearBit(0), "user data 0..299");
        final java.util.regex.Matcher fromFile = java.util.regex.Pattern.compile("\\((\\d+) from the overflow file\\); engine GONE").matcher(log);
        assertTrue(fromFile.find(), log);
        assertTrue(Integer.parseInt(fromFile.group(1)) > 0, "the ring held fewer than 300: the rest came from the file: " + log);
    }

    /**
     * The killed engine's overflow file scribbled (every sequence 0, or one set to 2^62): the C reaper dropped the
     * events as copies, silently; now it refuses what no engine wrote and says so, exit 1 (docs/abi.md 2.8).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"one-huge", "all-zero"})
    @Timeout(180)
    void aScribbledOverflowFileIsReportedByTheCReaper(final String scribble) throws Exception {
        final Path reaper = compileCReaper(dir);
        final Path ring = dir.resolve("scribbled-" + scribble + ".ring");
        final Path out = dir.resolve("c-scribbled.bin");
        try (io.aioring.linux.ChildJvm engine = EngineMain.startSubmitted(ring, 300)) {
            engine.kill();
            assertTrue(engine.process().waitFor(30, TimeUnit.SECONDS), "the engine is dead");
        }
        assertTrue(ContextReaperTest.scribbleOverflowFile(ring, scribble) > 10);
        final Process c = new ProcessBuilder(reaper.toString(), ring.toString(), out.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("c.log").toFile()).start();
        assertTrue(c.waitFor(60, TimeUnit.SECONDS), "the C reaper ends");
        final String log = Files.readString(dir.resolve("c.log"));
        assertEquals(1, c.exitValue(), log);
        assertTrue(log.contains("sequences no engine wrote"), log);
    }

    /** The ring file truncated under a running C reaper: it catches the SIGBUS and says so, exit 1 (it died of it). */
    @Test
    @Timeout(120)
    void aRingFileTruncatedUnderTheCReaperIsReportedNotFatal() throws Exception {
        final Path reaper = compileCReaper(dir);
        final ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(1 << 16));
        try {
            for (int i = 0; i < 20; i++) {
                f.writer.nop(i);
            }
            f.submitAll();
            final Process c = new ProcessBuilder(reaper.toString(), f.context.ringPath().toString(), dir.resolve("out.bin").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("c.log").toFile()).start();
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(dir.resolve("c.log")).contains("reaping")) {
                assertTrue(c.isAlive(), Files.readString(dir.resolve("c.log")));
                assertTrue(System.nanoTime() < deadline);
                Thread.sleep(10);
            }
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(f.context.ringPath(),
                java.nio.file.StandardOpenOption.WRITE)) {
                channel.truncate(0);
            }
            assertTrue(c.waitFor(30, TimeUnit.SECONDS), "the C reaper ends");
            final String log = Files.readString(dir.resolve("c.log"));
            assertEquals(1, c.exitValue(), "exit 1, not killed by SIGBUS (135): " + log);
            assertTrue(log.contains("truncated under the mapping (SIGBUS)"), log);
        } finally {
            f.close();
        }
    }

    @Test
    @Timeout(180)
    void aCReaperAndAJavaReaperShareTheEventsExactlyOnce() throws Exception {
        final Path reaper = compileCReaper(dir);
        final int events = 30_000;
        final Path out = dir.resolve("c-reaped.bin");
        final ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(8192).workers(2).maxInFlight(512)
            .overflowBound(events));
        final Process c = new ProcessBuilder(reaper.toString(), f.context.ringPath().toString(), out.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("c.log").toFile()).start();
        final BitSet java = new BitSet();
        final int[] javaDuplicates = {0};
        final Thread javaReaper = new Thread(() -> {
            try (ContextReaper r = ContextReaper.open(f.context.ringPath())) {
                r.reap(e -> {
                    if (java.get((int) e.userData())) {
                        javaDuplicates[0]++;
                    }
                    java.set((int) e.userData());
                }, Integer.MAX_VALUE, 4096, new BackoffIdleStrategy(), 120_000_000_000L);
            }
        });
        javaReaper.start();
        try {
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(dir.resolve("c.log")).contains("reaping")) {
                assertTrue(c.isAlive(), Files.readString(dir.resolve("c.log")));
                assertTrue(System.nanoTime() < deadline);
                Thread.sleep(10);
            }
            for (int i = 0; i < events; ) {
                f.writer.nop(i);
                if (++i % 500 == 0) {
                    int accepted;
                    while ((accepted = f.context.submit(f.writer)) < 0) {
                        Thread.onSpinWait();
                    }
                    assertEquals(500, accepted);
                    f.writer.reset();
                }
            }
            while (f.context.completed() < events || f.context.overflowLength() > 0) {
                assertTrue(System.nanoTime() < deadline + 60_000_000_000L, "events still in flight or overflowed");
                Thread.sleep(1);
            }
            assertTrue(f.context.ring().buffer().getLong(ContextDescriptor.EVENTS_OVERFLOWED_OFFSET) > 0, "the ring overflowed");
        } finally {
            f.close();
        }
        assertTrue(c.waitFor(60, TimeUnit.SECONDS), "the C reaper ends once the ring is closed and drained");
        final String log = Files.readString(dir.resolve("c.log"));
        assertEquals(0, c.exitValue(), log);
        javaReaper.join(60_000);
        final byte[] bytes = Files.readAllBytes(out);
        final ByteBuffer ids = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final BitSet fromC = new BitSet();
        int cDuplicates = 0;
        while (ids.hasRemaining()) {
            final int id = (int) ids.getLong();
            if (fromC.get(id)) {
                cDuplicates++;
            }
            fromC.set(id);
        }
        assertTrue(log.contains("reaped " + fromC.cardinality() + " events"), log);
        assertEquals(0, cDuplicates + javaDuplicates[0], "no event reaped twice by one reaper");
        assertFalse(fromC.intersects(java), "no event reaped by both");
        final BitSet all = (BitSet) fromC.clone();
        all.or(java);
        assertEquals(events, all.cardinality(), "none lost: C took " + fromC.cardinality() + ", Java " + java.cardinality());
        assertTrue(fromC.cardinality() > 0 && java.cardinality() > 0, "both took part");
        List.of(fromC, java).forEach(s -> assertTrue(s.length() <= events));
    }
}
