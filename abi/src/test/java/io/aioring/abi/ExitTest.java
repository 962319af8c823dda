package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.aioring.linux.ChildJvm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A context a program never destroyed: the shutdown hook destroys it, and nothing of it is left in /dev/shm. */
class ExitTest {
    private static final Pattern RING = Pattern.compile("ring (\\S+)");

    @ParameterizedTest
    @CsvSource({"return, 0", "exit, 0", "wait, 143"})
    void anUnclosedContextLeavesNoFilesWhenTheJvmEnds(final String how, final int status) throws Exception {
        try (ChildJvm child = ChildJvm.start(UnclosedContextMain.class, how)) {
            Path ring = null;
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (ring == null && System.nanoTime() < deadline && child.process().isAlive()) {
                final Matcher m = RING.matcher(child.log());
                if (m.find()) {
                    ring = Path.of(m.group(1));
                } else {
                    Thread.sleep(10);
                }
            }
            if (ring == null) {
                final Matcher m = RING.matcher(child.log());
                assertTrue(m.find(), "the child set up its context: " + child.log());
                ring = Path.of(m.group(1));
            }
            if (how.equals("wait")) {
                assertTrue(Files.exists(ring), "the context is live while the program runs");
                child.process().destroy(); // SIGTERM: the JVM runs its shutdown hooks
            }
            assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), "the child ended: " + child.log());
            assertEquals(status, child.process().exitValue(), child.log());
            final String prefix = ring.getFileName().toString();
            final List<Path> left;
            try (Stream<Path> files = Files.list(ring.getParent())) {
                left = files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
            }
            assertEquals(List.of(), left, "the ring, its socket and its overflow file are gone");
        }
    }
}
