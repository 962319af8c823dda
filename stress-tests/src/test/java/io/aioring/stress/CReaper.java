package io.aioring.stress;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Builds the C reaper (abi/src/test/c/aioring_reap.c on abi/include/aioring.h) with gcc. */
final class CReaper {
    private CReaper() {
    }

    /** @return the binary, or null (saying so on stdout) when gcc is not installed */
    static Path compile(final Path dir) throws IOException, InterruptedException {
        final Path abi = Path.of("..", "abi").toAbsolutePath().normalize();
        final Path binary = dir.resolve("aioring_reap");
        final Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-Wall", "-Wextra", "-Werror",
                "-I", abi.resolve("include").toString(), "-o", binary.toString(),
                abi.resolve("src/test/c/aioring_reap.c").toString()).redirectErrorStream(true).start();
        } catch (final IOException e) {
            System.out.println("stress: gcc is not installed (apt-get install gcc): running without the C reaper");
            return null;
        }
        final String output = new String(gcc.getInputStream().readAllBytes());
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, gcc.exitValue(), "gcc failed:\n" + output);
        return binary;
    }
}
