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

    /**
     * SIGTERM at a random moment while two threads submit, reap and read the ring through {@code context.ring()}:
     * the exit hook destroys the context under them. The destroy unmapped the ring and a reader died of SIGSEGV
     * (exit 134, 2 of 10 under bench); now the mapping's pages are replaced, not unmapped, and every run ends by
     * the signal, with nothing left in /dev/shm.
     */
    @org.junit.jupiter.api.Test
    void aSignalAtAnyMomentWhileThreadsUseTheContextNeverCrashes() throws Exception {
        // The mapping is the ring's, not the backend's: the default run (auto) does it, the threads run need not.
        org.junit.jupiter.api.Assumptions.assumeTrue(TestBackend.code() != io.aioring.abi.layout.SetupDescriptor.BACKEND_THREADS);
        // Two children at a time: 50 rounds in about half the wall time.
        final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            final List<java.util.concurrent.Future<?>> rounds = new java.util.ArrayList<>();
            for (int round = 0; round < 50; round++) {
                final int r = round;
                rounds.add(pool.submit(() -> {
                    signalOnce(r);
                    return null;
                }));
            }
            for (final java.util.concurrent.Future<?> round : rounds) {
                round.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void signalOnce(final int round) throws Exception {
        final java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        try (ChildJvm child = ChildJvm.start(UnclosedContextMain.class, "busy")) {
            final long deadline = System.nanoTime() + 60_000_000_000L;
            Matcher m = RING.matcher(child.log());
            while (!m.find()) {
                assertTrue(System.nanoTime() < deadline && child.process().isAlive(), "the child set up: " + child.log());
                Thread.sleep(5);
                m = RING.matcher(child.log());
            }
            final Path ring = Path.of(m.group(1));
            Thread.sleep(random.nextInt(40));
            child.process().destroy();
            assertTrue(child.process().waitFor(30, TimeUnit.SECONDS), "the child ended: " + child.log());
            assertEquals(143, child.process().exitValue(), "round " + round + ": " + child.log());
            assertFalse(child.log().contains("SIGSEGV") || child.log().contains("fatal error"), child.log());
            if (Files.exists(ring)) {
                // Events were still on the overflow list at destroy: the files stay for a reaper, which drains
                // them and removes both (docs/abi.md 2.8).
                try (ContextReaper reaper = ContextReaper.open(ring)) {
                    while (reaper.poll(e -> { }, Integer.MAX_VALUE) > 0) {
                        assertTrue(System.nanoTime() < deadline, "drained");
                    }
                }
            }
            assertFalse(Files.exists(ring), "round " + round + ": the ring is gone");
        }
    }

    /** -Daioring.destroyAtExit=false: no exit hook; the program's files stay for it (or a reaper) to deal with. */
    @org.junit.jupiter.api.Test
    void theExitHookCanBeTurnedOff() throws Exception {
        try (ChildJvm child = ChildJvm.start(UnclosedContextMain.class, List.of("-Daioring.destroyAtExit=false"), "return")) {
            assertTrue(child.process().waitFor(60, TimeUnit.SECONDS), "the child ended: " + child.log());
            assertEquals(0, child.process().exitValue(), child.log());
            final Matcher m = RING.matcher(child.log());
            assertTrue(m.find(), child.log());
            final Path ring = Path.of(m.group(1));
            try {
                assertTrue(Files.exists(ring), "no hook destroyed it");
            } finally {
                try (ContextReaper reaper = ContextReaper.open(ring)) {
                    reaper.poll(e -> { }, Integer.MAX_VALUE); // drains what is left and removes the files of a gone engine
                }
                Files.deleteIfExists(ring);
                Files.deleteIfExists(Path.of(ring + ".overflow"));
                Files.deleteIfExists(Path.of(ring + ".sock"));
            }
        }
    }
}
