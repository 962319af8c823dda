package io.aioring.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.aioring.abi.ContextReaper;

import org.agrona.concurrent.BackoffIdleStrategy;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aioring reap RING-FILE --out FILE}: a bench reaper process. Reaps events with a {@link ContextReaper} until
 * the engine has closed the ring and it is empty, then saves what it measured. Started by {@code bench}; hidden.
 */
@Command(name = "reap", hidden = true, description = "Reap a context's events and record them (used by bench).")
final class ReapCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RING-FILE")
    Path ring;

    @Option(names = "--out", required = true)
    Path out;

    @Option(names = "--timeout-seconds", defaultValue = "600")
    long timeoutSeconds;

    /** The line a reaper process prints once it has mapped the ring and is about to reap. */
    static final String READY = "aioring-reaper: ready";

    @Override
    public Integer call() throws Exception {
        final BenchRecorder recorder = new BenchRecorder();
        try (ContextReaper reaper = ContextReaper.open(ring)) {
            // The bench starts its measured window only once every reaper process says this.
            System.out.println(READY);
            System.out.flush();
            reapUntilClosed(reaper, recorder, timeoutSeconds * 1_000_000_000L);
        }
        recorder.save(out);
        return 0;
    }

    /**
     * Reaps into {@code recorder} (ringing the doorbell when events wait on the overflow list) until the engine has
     * closed the ring and it is drained, or {@code timeoutNanos} pass.
     */
    static void reapUntilClosed(final ContextReaper reaper, final BenchRecorder recorder, final long timeoutNanos) {
        reaper.reap(recorder, Integer.MAX_VALUE, 1 << 16, new BackoffIdleStrategy(200, 10_000, 1_000, 100_000), timeoutNanos);
    }
}
