package io.aioring.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM running a main class from this JVM's class path with the {@link JvmFlags} every aioring JVM
 * needs, this JVM's {@code aioring.*} system properties, a small serial-GC heap, and its output in a log file ({@link #log()}). The one way aioring starts a
 * process of its own: the bench's reaper processes and the multi-process tests.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ChildJvm(final Process process, final Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * {@return the started child}
     *
     * @param mainClass the class whose {@code main} the child runs
     * @param args      its arguments
     * @throws IOException if the log file or the process cannot be made
     */
    public static ChildJvm start(final Class<?> mainClass, final String... args) throws IOException {
        return start(mainClass, List.of(), args);
    }

    /**
     * As {@link #start(Class, String...)}, with JVM options of its own (system properties, say) before the class.
     *
     * @param mainClass  the class whose main the child runs, from this JVM's class path
     * @param jvmOptions options for the child JVM, before the class
     * @param args       the main's arguments
     * @return the child, started, its output collected
     * @throws IOException if it cannot be started
     */
    public static ChildJvm start(final Class<?> mainClass, final List<String> jvmOptions, final String... args)
            throws IOException {
        final List<String> command = command(mainClass, args);
        command.addAll(command.indexOf(mainClass.getName()), jvmOptions);
        final Path log = Files.createTempFile("aioring-child-" + mainClass.getSimpleName(), ".log");
        try {
            final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            return new ChildJvm(process, log);
        } catch (final IOException e) {
            Files.deleteIfExists(log);
            throw e;
        }
    }

    /**
     * The command line a child JVM runs, for callers that start the process themselves (to talk to it through its
     * standard streams, say).
     *
     * @param mainClass the class whose {@code main} the child runs
     * @param args      its arguments
     * @return this JVM's java, the {@link JvmFlags}, a small serial-GC heap, this class path, the class and args
     */
    public static List<String> command(final Class<?> mainClass, final String... args) {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmFlags.REQUIRED);
        // The parent's aioring.* settings (a test run's backend, say) hold in the child too.
        for (final String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("aioring.")) {
                command.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** {@return the child's process} */
    public Process process() {
        return process;
    }

    /** {@return the child's process id} */
    public long pid() {
        return process.pid();
    }

    /**
     * Waits for the child to end.
     *
     * @param seconds the longest wait
     * @return the exit code
     * @throws IllegalStateException with the child's log if it did not end in time (it is then killed)
     * @throws InterruptedException if interrupted while waiting
     */
    public int waitFor(final long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("child JVM " + process.pid() + " did not end within " + seconds
                + " s; its log:\n" + log());
        }
        return process.exitValue();
    }

    /** Kills the child at once (SIGKILL). */
    public void kill() {
        process.destroyForcibly();
    }

    /** {@return what the child printed so far} */
    public String log() {
        try {
            return Files.readString(log);
        } catch (final IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Kills the child if it still runs, waits for it, and removes its log. */
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
