package io.aioring.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A bench reaper in a JVM of its own: {@code aioring reap RING --out FILE}, started with this JVM's class path. */
final class ChildReaper implements AutoCloseable {
    private final Process process;
    private final Path result;
    private final Path log;

    private ChildReaper(final Process process, final Path result, final Path log) {
        this.process = process;
        this.result = result;
        this.log = log;
    }

    static ChildReaper start(final Path ring) throws IOException {
        final Path result = Files.createTempFile("aioring-reaper-", ".bin");
        Files.delete(result);
        final Path log = Files.createTempFile("aioring-reaper-", ".log");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(AioringCommand.class.getName());
        command.add("reap");
        command.add(ring.toString());
        command.add("--out");
        command.add(result.toString());
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildReaper(process, result, log);
    }

    /** Waits for the reaper to drain the closed ring and exit; @return what it measured */
    BenchRecorder finish() throws IOException, InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("a reaper process did not finish within 120 s after the context closed");
        }
        if (process.exitValue() != 0 || !Files.exists(result)) {
            throw new IOException("a reaper process failed (exit " + process.exitValue() + "): "
                + Files.readString(log).lines().findFirst().orElse("no output"));
        }
        return BenchRecorder.load(result);
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        Files.deleteIfExists(result);
        Files.deleteIfExists(log);
    }
}
