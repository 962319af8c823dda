package io.aioring.stress;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The model of the reaping protocol and the tail futex's wake-up (src/test/promela/reaping.pml), checked by the
 * spin model checker over every interleaving: exactly once and no lost wake-up, with counters that wrap. Each
 * variant that breaks the protocol on purpose must be caught, so the check is seen to be able to fail. Needs spin
 * and gcc (apt-get install spin gcc; .ci/run installs them); skipped, saying so, where they are missing. The soak
 * profile checks a larger ring (-Daioring.model.size=large).
 */
class ProtocolModelTest {
    private static final Pattern ERRORS = Pattern.compile("errors: (\\d+)");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "the protocol as built, 0, ''",
        "tail_waiters looked at before tail is published, 1, WAKE_BEFORE_PUBLISH",
        "head moved by a plain store, 1, NO_CAS"})
    void spinFindsWhatItShould(final String variant, final int errors, final String define) throws Exception {
        final Path model = Files.copy(Path.of("src/test/promela/reaping.pml").toAbsolutePath(), dir.resolve("reaping.pml"));
        final List<String> spin = new ArrayList<>(List.of("spin"));
        if (System.getProperty("aioring.model.size", "small").equals("large")) {
            // The soak profile: an 8-slot ring, counters mod 16 from 11, 15 records (some 17 M states, ~15 s).
            spin.addAll(List.of("-DSLOTS=8", "-DMOD=16", "-DSTART=11", "-DRECORDS=15"));
        }
        if (!define.isEmpty()) {
            spin.add("-D" + define);
        }
        spin.addAll(List.of("-a", model.getFileName().toString()));
        run(spin, "spin is not installed (apt-get install spin): the protocol model cannot be checked");
        run(List.of("gcc", "-O2", "-DMEMLIM=4096", "-o", "pan", "pan.c"), "gcc is not installed (apt-get install gcc): spin's verifier cannot be built");
        final String verdict = run(List.of("./pan", "-m100000"), null);
        final Matcher found = ERRORS.matcher(verdict);
        assertTrue(found.find(), verdict);
        assertTrue(verdict.contains("invalid end states\t+") && verdict.contains("assertion violations\t+"),
            "both checks were on:\n" + verdict);
        if (errors == 0) {
            assertEquals(0, Integer.parseInt(found.group(1)), variant + ":\n" + verdict);
            assertFalse(verdict.contains("max search depth too small"), "the search was complete:\n" + verdict);
        } else {
            assertTrue(Integer.parseInt(found.group(1)) >= errors, variant + " must be caught:\n" + verdict);
        }
    }

    /** @return what the command printed; skips the test, saying {@code missing}, if the command is not installed */
    private String run(final List<String> command, final String missing) throws IOException, InterruptedException {
        final Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (final IOException e) {
            Assumptions.abort(missing + " - " + e.getMessage());
            throw e;
        }
        final String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(300, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        if (missing != null) {
            assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
        }
        return output;
    }
}
