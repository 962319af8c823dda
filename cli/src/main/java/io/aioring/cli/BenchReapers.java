package io.aioring.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.aioring.abi.ContextReaper;
import io.aioring.linux.ChildJvm;

/**
 * The bench's reapers: JVMs of their own ({@code aioring reap}) reaping through shared memory, or threads of this
 * JVM each with a mapping of its own. Either way each one reaps until the context closes the ring and it is
 * drained, and what they measured is merged at the end.
 */
final class BenchReapers implements AutoCloseable {
    private final List<ChildJvm> processes = new ArrayList<>();
    private final List<Path> results = new ArrayList<>();
    private Path resultsDir;
    private final List<Thread> threads = new ArrayList<>();
    private final List<BenchRecorder> threadRecorders = new ArrayList<>();

    /** Starts {@code options.reapers()} reapers on the context's ring. */
    static BenchReapers start(final BenchOptions options, final Path ring) throws IOException {
        final BenchReapers reapers = new BenchReapers();
        try {
            for (int i = 0; i < options.reapers(); i++) {
                if (options.reaperMode() == BenchOptions.ReaperMode.caller) {
                    break; // the submitting thread reaps: nothing to start
                } else if (options.reaperMode() == BenchOptions.ReaperMode.process) {
                    reapers.startProcess(ring);
                } else {
                    reapers.startThread(ring, options.durationNanos(), i);
                }
            }
            return reapers;
        } catch (final IOException | RuntimeException e) {
            reapers.close();
            throw e;
        }
    }

    private void startProcess(final Path ring) throws IOException {
        // A directory of our own (0700, made atomically): no other user can plant a file or a link where the reaper
        // process writes its results.
        if (resultsDir == null) {
            resultsDir = Files.createTempDirectory(BenchLeftovers.prefix());
        }
        final Path result = resultsDir.resolve("reaper-" + results.size() + ".bin");
        results.add(result);
        processes.add(ChildJvm.start(AioringCommand.class, "reap", ring.toString(), "--out", result.toString()));
    }

    private void startThread(final Path ring, final long durationNanos, final int index) {
        final BenchRecorder recorder = new BenchRecorder();
        // A mapping of its own, as a reaper process has: destroy() unmaps the context's mapping while the reaper
        // is still draining what is left.
        final ContextReaper reaper = ContextReaper.open(ring);
        final Thread thread = new Thread(() -> {
            try (reaper) {
                ReapCommand.reapUntilClosed(reaper, recorder, durationNanos + 600_000_000_000L);
            }
        }, "aioring-bench-reaper-" + index);
        thread.setDaemon(true);
        threadRecorders.add(recorder);
        threads.add(thread);
        thread.start();
    }

    /**
     * Waits until every reaper process has mapped the ring and begun to reap (threads are ready at once), so that
     * no JVM's start-up lands in the measured window.
     *
     * @return false if a signal asked bench to stop meanwhile
     * @throws IOException if one has not said so within 60 s, or has ended
     */
    boolean awaitReady(final SignalStop stop) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + 60_000_000_000L;
        for (final ChildJvm child : processes) {
            while (!child.log().contains(ReapCommand.READY)) {
                if (stop.requested()) {
                    return false; // a signal while a reaper JVM starts: wind up now, not when it is up
                }
                if (!child.process().isAlive()) {
                    throw new IOException("a reaper process ended before it began (exit " + child.process().exitValue()
                        + "): " + child.log().lines().findFirst().orElse("no output"));
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("a reaper process did not begin within 60 s");
                }
                Thread.sleep(5);
            }
        }
        return true;
    }

    /**
     * @return null while every reaper process runs; else which one ended, how, and what it said first: a reaper
     *         gone mid-run leaves the ring filling with no one to take its events
     */
    String problem() {
        for (int i = 0; i < processes.size(); i++) {
            final Process process = processes.get(i).process();
            if (!process.isAlive()) {
                final int exit = process.exitValue();
                return "reaper process " + (i + 1) + " (pid " + process.pid() + ") ended during the run (exit " + exit
                    + (exit > 128 ? ", signal " + (exit - 128) : "") + ")"
                    + processes.get(i).log().lines().filter(l -> !l.isBlank() && !l.equals(ReapCommand.READY))
                        .findFirst().map(l -> ": " + l).orElse("");
            }
        }
        return null;
    }

    /**
     * Waits for every reaper to drain the closed ring and end.
     *
     * @return what they measured, merged
     */
    BenchRecorder finish() throws IOException, InterruptedException {
        final BenchRecorder total = new BenchRecorder();
        for (int i = 0; i < processes.size(); i++) {
            final ChildJvm child = processes.get(i);
            final int exit;
            try {
                exit = child.waitFor(120);
            } catch (final IllegalStateException e) {
                throw new IOException("a reaper process did not finish within 120 s after the context closed");
            }
            if (exit != 0 || !Files.exists(results.get(i))) {
                throw new IOException("a reaper process failed (exit " + exit + "): "
                    + child.log().lines().findFirst().orElse("no output"));
            }
            total.add(BenchRecorder.load(results.get(i)));
        }
        for (int i = 0; i < threads.size(); i++) {
            threads.get(i).join();
            total.add(threadRecorders.get(i));
        }
        return total;
    }

    /** Kills reaper processes still running and removes their files. */
    @Override
    public void close() throws IOException {
        for (final ChildJvm child : processes) {
            child.close();
        }
        for (final Path result : results) {
            Files.deleteIfExists(result);
            Files.deleteIfExists(Path.of(result + ".tmp"));
        }
        if (resultsDir != null) {
            Files.deleteIfExists(resultsDir);
        }
    }
}
