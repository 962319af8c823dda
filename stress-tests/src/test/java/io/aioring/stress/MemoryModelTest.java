package io.aioring.stress;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.aioring.linux.ChildJvm;
import io.aioring.linux.JvmFlags;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the jcstress tests of io.aioring.stress.jcstress (publish and reap, two reapers for one record, the
 * observer, the tail-futex and eventfd handshakes) in jcstress's own harness, as Agrona tests its rings: a JVM of
 * its own that forks more, each test's actors run against each other millions of times and every outcome counted.
 * A forbidden outcome seen even once fails this test. jcstress's mode: "quick" by default, -Daioring.jcstress.mode
 * (the soak profile: "tough").
 */
class MemoryModelTest {
    private static final Pattern SUMMARY = Pattern.compile(
        "Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs");
    private static final java.util.List<String> TESTS = java.util.List.of("PublishThenReap", "TwoReapersOneRecord",
        "ObserveWhilePublishing", "TailWaiterHandshake", "EventfdEdge");

    @Test
    @Timeout(3600)
    void everyForbiddenOutcomeStaysUnseen() throws Exception {
        // Short in ./build: quick mode, each actor compiled alike; the soak profile runs "tough" with split modes.
        final String mode = System.getProperty("aioring.jcstress.mode", "quick");
        final Path results = Files.createTempDirectory("aioring-jcstress-");
        final java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
            "-t", "io\\.aioring\\.stress\\.jcstress\\..*", "-m", mode, "-f", "1",
            "-jvmArgs", String.join(" ", JvmFlags.REQUIRED), "-r", results.toString()));
        if (mode.equals("quick")) {
            args.addAll(java.util.List.of("-sc", "false"));
        }
        // In the results directory: jcstress also writes a jcstress-results-*.bin.gz into its working directory.
        final Path logFile = results.resolve("jcstress.log");
        final Process jcstress = new ProcessBuilder(ChildJvm.command(org.openjdk.jcstress.Main.class, args.toArray(String[]::new)))
            .directory(results.toFile()).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        try {
            assertTrue(jcstress.waitFor(3500, TimeUnit.SECONDS), "jcstress finished");
            final String log = Files.readString(logFile);
            final Matcher summary = SUMMARY.matcher(log);
            String last = null;
            while (summary.find()) {
                last = summary.group();
            }
            assertNotNull(last, "jcstress printed its summary:\n" + log);
            final Matcher totals = SUMMARY.matcher(last);
            assertTrue(totals.matches());
            final int planned = Integer.parseInt(totals.group(1));
            assertTrue(planned >= TESTS.size(), "every test planned:\n" + log);
            assertEquals(planned, Integer.parseInt(totals.group(2)), "every run passed:\n" + log);
            assertEquals("0 0 0", totals.group(3) + " " + totals.group(4) + " " + totals.group(5),
                "failed, soft and hard errors:\n" + log);
            final String report;
            try (var files = Files.list(results)) {
                report = files.map(f -> f.getFileName().toString()).sorted().toList().toString();
            }
            for (final String test : TESTS) {
                assertTrue(report.contains("io.aioring.stress.jcstress." + test), test + " has a report: " + report);
            }
        } finally {
            jcstress.destroyForcibly().waitFor();
            try (var files = Files.walk(results)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
