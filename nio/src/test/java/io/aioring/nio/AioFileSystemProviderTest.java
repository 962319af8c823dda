package io.aioring.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import io.aioring.linux.ChildJvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unmodified program, run with a provider flag, gets aioring's channels and everything else as before. */
class AioFileSystemProviderTest {
    private static final String FILE_PROVIDER = "-Djava.nio.file.spi.DefaultFileSystemProvider=io.aioring.nio.AioFileSystemProvider";
    private static final String CHANNEL_PROVIDER = "-Djava.nio.channels.spi.AsynchronousChannelProvider=io.aioring.nio.AioChannelProvider";

    /** Runs {@code main} in a JVM of its own with {@code providerFlag} and this run's backend; it must exit 0. */
    private static ChildJvm start(final Class<?> main, final String providerFlag, final String... args) throws Exception {
        final ChildJvm child = ChildJvm.start(main, List.of(providerFlag,
            "-Daioring.nio.backend=" + System.getProperty("aioring.test.backend", "auto")), args);
        assertEquals(0, child.waitFor(60), child.log());
        return child;
    }

    @Test
    void anUnmodifiedProgramRunsItsAsynchronousFileChannelsOnAioring(@TempDir final Path dir) throws Exception {
        try (ChildJvm child = start(UnmodifiedProgramMain.class, FILE_PROVIDER, dir.toString())) {
            final String log = child.log();
            assertTrue(log.contains("channel io.aioring.nio.AioFileChannel"), log);
            assertTrue(log.contains("wrote 200000"), log);
            assertTrue(log.contains("read 1000 same true"), log);
            assertTrue(log.contains("readAllBytes same true"), log);
            assertTrue(log.contains("list [data.bin]"), log);
            assertTrue(log.contains("toFile 200000 back true"), log);
            assertTrue(log.contains("provider io.aioring.nio.AioFileSystemProvider"), log);
            assertTrue(log.contains("done"), log);
            assertFalse(log.contains("Exception"), "a clean exit, the context destroyed by the exit hook: " + log);
        }
    }

    /** An echo server and client written against the JDK alone, run with the channel provider flag. */
    @Test
    void anUnmodifiedProgramRunsItsAsynchronousSocketChannelsOnAioring() throws Exception {
        try (ChildJvm child = start(UnmodifiedEchoMain.class, CHANNEL_PROVIDER)) {
            final String log = child.log();
            assertTrue(log.contains("server io.aioring.nio.AioServerSocketChannel"), log);
            assertTrue(log.contains("client io.aioring.nio.AioSocketChannel"), log);
            assertTrue(log.contains("echoed 1000 same true"), log);
            assertTrue(log.contains("done"), log);
            assertTrue(log.contains("accepted on aioring-nio-default-"), "the default group's own daemon threads: " + log);
            assertFalse(log.contains("Exception"), log);
        }
    }

    /** The default group honours the JDK's DefaultThreadPool properties: its threads come from the factory named. */
    @Test
    void theDefaultGroupTakesItsThreadsFromTheJdksProperties() throws Exception {
        try (ChildJvm child = ChildJvm.start(UnmodifiedEchoMain.class, List.of(CHANNEL_PROVIDER,
            "-Daioring.nio.backend=" + System.getProperty("aioring.test.backend", "auto"),
            "-Djava.nio.channels.DefaultThreadPool.threadFactory=io.aioring.nio.NamedThreadFactory",
            "-Djava.nio.channels.DefaultThreadPool.initialSize=1"))) {
            assertEquals(0, child.waitFor(60), child.log());
            final String log = child.log();
            assertTrue(log.contains("echoed 1000 same true"), log);
            assertTrue(log.contains("accepted on named-factory-1 (daemon)"), log);
            assertFalse(log.contains("named-factory-2"), "initialSize 1: one thread: " + log);
        }
    }

    /**
     * The same program asked for nothing but a flight recording: each of its socket operations is an
     * io.aioring.Completion event with the attributes the properties chose, and the ring it landed in.
     */
    @Test
    void anUnmodifiedProgramsSocketOperationsAreCompletionEventsInAFlightRecording(@TempDir final Path dir) throws Exception {
        final Path recording = dir.resolve("echo.jfr");
        final java.util.Map<String, Integer> byOpcode = new java.util.TreeMap<>();
        try (ChildJvm child = ChildJvm.start(UnmodifiedEchoMain.class, List.of(CHANNEL_PROVIDER,
            "-Daioring.nio.backend=" + System.getProperty("aioring.test.backend", "auto"), "-Daioring.nio.attributes=timing",
            "-XX:StartFlightRecording=filename=" + recording + ",settings=default,settings="
                + Path.of("../docs/aioring.jfc").toAbsolutePath().normalize()))) {
            assertEquals(0, child.waitFor(60), child.log());
            assertTrue(child.log().contains("echoed 1000 same true"), child.log());
        }
        long timed = 0;
        for (final jdk.jfr.consumer.RecordedEvent event : jdk.jfr.consumer.RecordingFile.readAllEvents(recording)) {
            if (event.getEventType().getName().equals("io.aioring.Completion")) {
                byOpcode.merge(event.getString("opcode"), 1, Integer::sum);
                assertTrue(event.getString("ring").startsWith("/"), "the ring file is named: " + event);
                timed += event.getLong("serviceTime") > 0 ? 1 : 0;
            }
        }
        // 1000 messages each way, in one or more recvs and sends; one accept (and one pending at exit), one connect.
        assertTrue(byOpcode.getOrDefault("recv", 0) >= 2000 && byOpcode.getOrDefault("send", 0) >= 2000, byOpcode.toString());
        assertTrue(byOpcode.getOrDefault("accept", 0) >= 1 && byOpcode.getOrDefault("connect", 0) == 1, byOpcode.toString());
        assertTrue(timed >= 4000, "the timing attribute gave each its service time: " + timed + " of " + byOpcode);
    }

    /** Spring's DataBufferUtils reads and writes through AsynchronousFileChannel: unmodified, on aioring. */
    @Test
    void springsDataBufferUtilsCopiesAFileOnAioring(@TempDir final Path dir) throws Exception {
        try (ChildJvm child = start(SpringDataBufferMain.class, FILE_PROVIDER, dir.toString())) {
            final String log = child.log();
            assertTrue(log.contains("copied same true"), log);
            final java.util.regex.Matcher iocbs = java.util.regex.Pattern.compile("iocbs (\\d+)").matcher(log);
            assertTrue(iocbs.find(), log);
            // 1 MB read in 16 KiB, written, read again in 8 KiB: at least 62 + 16 + 123 iocbs went through the context.
            assertTrue(Long.parseLong(iocbs.group(1)) >= 200, log);
        }
    }
}
