package io.aioring.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.aioring.abi.AioContext;
import io.aioring.abi.SetupParams;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aioring ls}: a live context's ring with its pid, state and backend; a file that is no ring says why. */
class ListCommandTest {
    @TempDir
    Path dir;

    @Test
    void listsALiveContextAndSaysWhyAFileIsNoRing() throws Exception {
        final Path ring = dir.resolve("live.ring");
        Files.write(dir.resolve("unfinished.ring"), new byte[8192]);   // magic 0: a setup that never finished
        Files.writeString(dir.resolve("notes.txt"), "not listed");
        try (AioContext context = AioContext.setup(new SetupParams().ringPath(ring))) {
            final InspectCommandTest.Run run = InspectCommandTest.run("ls", dir.toString());
            assertEquals(0, run.exit(), run.err());
            final String line = run.out().lines().filter(l -> l.startsWith(ring.toString())).findFirst().orElseThrow();
            assertTrue(line.matches(".*\\s" + ProcessHandle.current().pid() + "\\s+running\\s+" + context.backend()
                + "\\s+0 B\\s+0\\s+[0-9]+s\\s+\\S*java .*"), "age, and the producer's command line: " + line);
            final InspectCommandTest.Run json = InspectCommandTest.run("ls", "--json", dir.toString());
            assertEquals(0, json.exit(), json.err());
            assertTrue(json.out().startsWith("[{\"path\":\"" + dir.resolve("live.ring") + "\",\"ring\":true,\"pid\":"
                + ProcessHandle.current().pid() + ",\"engine\":\"running\",\"backend\":\"" + context.backend()
                + "\",\"unread_bytes\":0,\"overflow_list\":0,\"command\":\""), json.out());
            assertTrue(json.out().contains("{\"path\":\"" + dir.resolve("unfinished.ring") + "\",\"ring\":false,\"error\":"),
                json.out());
            assertTrue(run.out().matches("(?s).*" + java.util.regex.Pattern.quote(dir.resolve("unfinished.ring").toString())
                + "\\s+not a ring: [^\\n]*magic is 0.*"), run.out());
            assertFalse(run.out().contains("notes.txt"), run.out());
            assertTrue(run.out().endsWith("1 ring in " + dir + " (and 1 .ring file that is not one)\n"), run.out());
        }
        final InspectCommandTest.Run closed = InspectCommandTest.run("ls", dir.toString());
        assertFalse(closed.out().contains(ring.toString()), "destroy removed it: " + closed.out());
        final InspectCommandTest.Run bad = InspectCommandTest.run("ls", dir.resolve("nope").toString());
        assertEquals(2, bad.exit());
        InspectCommandTest.assertOneLine(bad.err(), "is not a directory");
    }

    /**
     * Hostile directory entries: a symbolic link to a ring elsewhere is neither listed nor followed (83 links made ls
     * print an outside ring's producer 83 times), 200 files whose magic is 0 do not cost a second each (85 s for
     * 1,006 entries), and a name with ESC, BEL and CR is printed escaped, not sent to the terminal.
     */
    @Test
    void symlinksAreNotFollowedUnfinishedFilesCostNoWaitAndNamesAreEscaped(@TempDir final Path outside) throws Exception {
        final Path ring = outside.resolve("outside.ring");
        try (AioContext context = AioContext.setup(new SetupParams().ringPath(ring))) {
            for (int i = 0; i < 5; i++) {
                Files.createSymbolicLink(dir.resolve("link-" + i + ".ring"), ring);
            }
            for (int i = 0; i < 200; i++) {
                Files.write(dir.resolve("unfinished-" + i + ".ring"), new byte[8192]);
            }
            Files.write(dir.resolve("evil\u001b[2J\u0007\r.ring"), new byte[8192]);
            final InspectCommandTest.Run run = assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> InspectCommandTest.run("ls", dir.toString()));
            assertEquals(0, run.exit(), run.err());
            assertFalse(run.out().contains("link-"), "links are not listed: " + run.out());
            assertFalse(run.out().contains(" " + ProcessHandle.current().pid() + " "), "the outside ring is not read");
            assertTrue(run.out().contains("evil\\x1b[2J\\x07\\x0d.ring"), run.out());
            assertFalse(run.out().chars().anyMatch(c -> c == 0x1b || c == 0x07 || c == '\r'), "no control characters");
            assertTrue(run.out().endsWith("0 rings in " + dir + " (and 201 .ring files that are not)\n"),
                run.out().lines().reduce((a, b) -> b).orElse(""));
            final InspectCommandTest.Run inspect = InspectCommandTest.run("inspect", dir.resolve("link-0.ring").toString());
            assertEquals(1, inspect.exit(), inspect.out());
            InspectCommandTest.assertOneLine(inspect.err(), "symbolic link");
        }
    }

    /**
     * --clean removes what a killed engine left once nothing in it is unread, and keeps a ring that still holds
     * events; a live engine's ring is never touched.
     */
    @Test
    void cleanRemovesAKilledEnginesDrainedFilesAndKeepsOnesWithEvents() throws Exception {
        final Path empty = dir.resolve("empty.ring");
        final Path full = dir.resolve("full.ring");
        try (io.aioring.linux.ChildJvm drained = io.aioring.linux.ChildJvm.start(LeftEngineMain.class, empty.toString(), "0");
             io.aioring.linux.ChildJvm holding = io.aioring.linux.ChildJvm.start(LeftEngineMain.class, full.toString(), "10");
             AioContext live = AioContext.setup(new SetupParams().ringPath(dir.resolve("live.ring")))) {
            for (final io.aioring.linux.ChildJvm child : List.of(drained, holding)) {
                final long deadline = System.nanoTime() + 30_000_000_000L;
                while (!child.log().contains("ready") && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertTrue(child.log().contains("ready"), child.log());
                child.kill();
                child.process().waitFor();
            }
            assertTrue(Files.exists(empty) && Files.exists(Path.of(empty + ".overflow")), "a killed engine leaves its files");
            final InspectCommandTest.Run run = InspectCommandTest.run("ls", "--clean", dir.toString());
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().contains("removed " + empty + " and empty.ring.overflow"), run.out());
            assertTrue(run.out().contains("kept " + full + ": "), run.out());
            assertFalse(Files.exists(empty), run.out());
            assertFalse(Files.exists(Path.of(empty + ".overflow")), run.out());
            assertTrue(Files.exists(full), "events unread: kept");
            assertTrue(Files.exists(live.ringPath()), "a live engine's ring is not touched");
        }
    }
}
