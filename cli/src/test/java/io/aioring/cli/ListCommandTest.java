package io.aioring.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;

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
                + "\\s+0 B\\s+0$"), line);
            assertTrue(run.out().matches("(?s).*" + java.util.regex.Pattern.quote(dir.resolve("unfinished.ring").toString())
                + "\\s+not a ring: [^\\n]*magic is 0.*"), run.out());
            assertFalse(run.out().contains("notes.txt"), run.out());
            assertTrue(run.out().endsWith("2 rings in " + dir + "\n"), run.out());
        }
        final InspectCommandTest.Run closed = InspectCommandTest.run("ls", dir.toString());
        assertFalse(closed.out().contains(ring.toString()), "destroy removed it: " + closed.out());
        final InspectCommandTest.Run bad = InspectCommandTest.run("ls", dir.resolve("nope").toString());
        assertEquals(2, bad.exit());
        InspectCommandTest.assertOneLine(bad.err(), "is not a directory");
    }
}
