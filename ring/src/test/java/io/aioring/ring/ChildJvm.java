package io.aioring.ring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM running a main class from this test class path, with the flags every aioring JVM needs. Its
 * output goes to a log file that {@link #log()} returns for failure messages.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ChildJvm(final Process process, final Path log) {
        this.process = process;
        this.log = log;
    }

    public static ChildJvm start(final Class<?> mainClass, final String... args) throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        final Path log = Files.createTempFile("aioring-child-" + mainClass.getSimpleName(), ".log");
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        return new ChildJvm(process, log);
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** @return the exit code, or throws if it did not end in time (the process is then killed) */
    public int waitFor(final long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not end within " + seconds + " s; its log:\n" + log());
        }
        return process.exitValue();
    }

    public void kill() {
        process.destroyForcibly();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (final IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
    }
}
