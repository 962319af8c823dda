package io.aioring.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import io.aioring.ring.RingDescriptor;
import io.aioring.ring.ScribbledRings;
import io.aioring.ring.RingFile;
import io.aioring.ring.RingProducer;
import io.aioring.ring.RingSpec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aioring inspect} on good rings and on files that are not rings: output, exit codes, one-line errors. */
class InspectCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = AioringCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void decodesALiveRing() {
        final Path path = dir.resolve("live.ring");
        try (RingFile ring = RingFile.create(path, RingSpec.of(4096).withInitialPosition(-64))) {
            final RingProducer producer = new RingProducer(ring.ring());
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[100]);
            payload.putInt(0, 0xCAFEBABE);
            for (int i = 0; i < 5; i++) {
                assertTrue(producer.offer(9, payload, 0, 20 + i * 10));
            }
            ring.ring().setFlags(RingDescriptor.FLAG_OVERFLOW_PENDING);
            final int head = ring.ring().head();
            final Run run = run("inspect", path.toString(), "--records", "3");
            assertEquals(0, run.exit(), run.err());
            assertEquals("", run.err());
            assertTrue(run.out().contains("magic       \"AIORING\\0\""), run.out());
            assertTrue(run.out().contains("data        4,096 bytes, records up to 512 payload bytes"), run.out());
            assertTrue(run.out().contains("pid " + ProcessHandle.current().pid() + " (running)"), run.out());
            assertTrue(run.out().contains("flags       0x1 [OVERFLOW_PENDING]"), run.out());
            assertTrue(run.out().contains("head        4294967232 (data offset 4032)"), run.out());
            assertTrue(run.out().contains("unread      288 bytes: 5 records seen, 32 bytes of fillers"), run.out());
            assertTrue(run.out().contains("payload    20 bytes  bebafeca"), run.out());
            assertTrue(run.out().contains("... 2 more"), run.out());
            assertTrue(run.out().contains("bytes of fillers") && !run.out().contains(" 0 bytes of fillers"),
                "the records wrapped, so a filler was counted:\n" + run.out());
            assertEquals(head, ring.ring().head(), "inspect never moves head");
            assertAligned(run.out());
        }
    }

    /** trace on a context ring whose engine died ends within a heartbeat period, saying so (it printed 0 events forever). */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void traceEndsWhenTheEngineIsGone() throws Exception {
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final Path path = dir.resolve("dead.ring");
        try (RingFile ring = RingFile.create(path, RingSpec.of(4096).withFeatures(
            io.aioring.abi.layout.ContextDescriptor.COMPAT_CONTEXT_AREA, io.aioring.abi.layout.ContextDescriptor.INCOMPAT_EVENTS_V1))) {
            ring.ring().buffer().putInt(RingDescriptor.PRODUCER_PID_OFFSET, (int) gone.pid()); // a process that ended
            final long start = System.nanoTime();
            final Run run = run("trace", path.toString(), "--interval", "200ms");
            assertEquals(1, run.exit(), run.out() + run.err());
            assertTrue(run.out().contains("The context's engine (pid " + gone.pid() + ") is gone"), run.out());
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "ended at once, not after a long wait");
        }
    }

    /** Every labelled line's value starts at column 12. */
    static void assertAligned(final String out) {
        for (final String line : out.split("\n")) {
            if (line.matches("[a-z]+ +\\S.*")) {
                assertEquals(12, line.indexOf(line.substring(line.indexOf(' ')).trim()), "value at column 12: " + line);
            }
        }
    }

    @Test
    void missingFile() {
        final Run run = run("inspect", dir.resolve("absent.ring").toString());
        assertEquals(1, run.exit());
        assertEquals("aioring inspect: cannot open ring file " + dir.resolve("absent.ring") + ": no such file\n", run.err());
    }

    @Test
    void emptyFile() throws Exception {
        final Path path = Files.createFile(dir.resolve("empty"));
        final Run run = run("inspect", path.toString());
        assertEquals(1, run.exit());
        assertOneLine(run.err(), "is 0 bytes, shorter than the 4096-byte header");
    }

    @Test
    void randomBytes() throws Exception {
        final byte[] noise = new byte[20_000];
        new SplittableRandom(7).nextBytes(noise);
        final Run run = run("inspect", Files.write(dir.resolve("noise"), noise).toString());
        assertEquals(1, run.exit());
        assertOneLine(run.err(), "not an aioring ring: magic is 0x");
    }

    @Test
    void aRingFromTheFuture() throws Exception {
        final Path path = ringWith(RingDescriptor.ABI_VERSION_OFFSET, 7);
        final Run run = run("inspect", path.toString());
        assertEquals(1, run.exit());
        assertOneLine(run.err(), "ring ABI version 7 is newer than this build, which supports version 1");
    }

    /** Events are decoded: opcode, result (an errno by name), flags and the built-in attributes' records. */
    @Test
    void eventsAreDecodedNotDumped() throws Exception {
        final Path data = dir.resolve("data");
        Files.write(data, new byte[8192]);
        final Path ring = dir.resolve("events.ring");
        try (io.aioring.abi.AioContext context = io.aioring.abi.AioContext.setup(
                new io.aioring.abi.SetupParams().ringPath(ring), io.aioring.abi.spi.AttributeRegistry.discover());
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            final java.lang.foreign.MemorySegment buffer = arena.allocate(4096, 4096);
            context.registerMemory(buffer);
            final int fd = context.openFile(data, io.aioring.linux.Linux.O_RDONLY);
            Files.readAllBytes(data); // in the page cache
            final io.aioring.abi.IocbWriter writer = new io.aioring.abi.IocbWriter(new UnsafeBuffer(new byte[4096]));
            writer.pread(fd, buffer.address(), 4096, 0, 1000).attribute(io.aioring.attributes.TimingAttribute.ID, 0)
                .attribute(io.aioring.attributes.PageCacheAttribute.ID, 0);
            writer.pread(1_000_000, buffer.address(), 4096, 0, 1001);
            assertEquals(2, context.submit(writer));
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (context.completed() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            final Run run = run("inspect", ring.toString());
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().matches("(?s).*seq 0 user_data 1000 pread result 4096 \\[timing: queue [0-9.]+ [num]?s, "
                + "service [0-9.]+ [num]?s\\] \\[page-cache: hit\\].*"), run.out());
            assertTrue(run.out().contains("seq 1 user_data 1001 pread result -9 EBADF"), run.out());
            final Run asJson = run("inspect", ring.toString(), "--json");
            assertEquals(0, asJson.exit(), asJson.err());
            final com.fasterxml.jackson.databind.JsonNode inspected = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(asJson.out());
            assertEquals(2, inspected.get("context").get("submitted").asLong(), asJson.out());
            assertEquals("running", inspected.get("engine").asText());
            final com.fasterxml.jackson.databind.JsonNode first = inspected.get("records").get(0).get("event");
            assertEquals("pread", first.get("opcode").asText());
            assertEquals(4096, first.get("result").asLong());
            assertEquals("page-cache: hit", first.get("attributes").get(1).get("text").asText(), asJson.out());
            assertEquals("EBADF", inspected.get("records").get(1).get("event").get("error").asText(), asJson.out());
            final Run watched = run("inspect", ring.toString(), "--records", "0", "--watch", "50ms", "--count", "3");
            assertEquals(0, watched.exit(), watched.err());
            assertEquals(3, watched.out().lines().filter(l -> l.startsWith("--- ")).count(), watched.out());
            assertEquals(3, watched.out().lines().filter(l -> l.startsWith("events      ")).count(), watched.out());
            final Run badWatch = run("inspect", ring.toString(), "--watch", "soon");
            assertEquals(2, badWatch.exit());
            assertOneLine(badWatch.err(), "--watch soon");
        }
    }

    @Test
    void headBeyondTailIsReportedNotThrown() throws Exception {
        final Path path = ringWith(RingDescriptor.HEAD_OFFSET, 64);
        final Run run = run("inspect", path.toString());
        assertEquals(1, run.exit());
        assertOneLine(run.err(), "ring header is invalid: head 64 and tail 0: head is beyond tail");
    }

    @Test
    void badOptionsAndNoFile() {
        final Run none = run("inspect");
        assertEquals(2, none.exit());
        assertOneLine(none.err(), "Missing required parameter: 'RING-FILE'");
        final Run bad = run("inspect", "x", "--records", "many");
        assertEquals(2, bad.exit());
        assertOneLine(bad.err(), "--records");
        final Run unknown = run("frobnicate");
        assertEquals(2, unknown.exit());
        assertOneLine(unknown.err(), "Unmatched argument");
    }

    /** @return a new 1 KiB ring file whose u32 at {@code offset} is {@code value} */
    private Path ringWith(final int offset, final int value) throws Exception {
        return ScribbledRings.withWord(dir, 1024, offset, value);
    }

    static void assertOneLine(final String err, final String expected) {
        assertTrue(err.contains(expected), err);
        assertEquals(1, err.lines().count(), "exactly one line: " + err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
    }
}
