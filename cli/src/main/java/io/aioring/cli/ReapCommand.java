package io.aioring.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.aioring.abi.ContextDescriptor;
import io.aioring.abi.Doorbell;
import io.aioring.abi.EventReaper;
import io.aioring.abi.linux.Errno;
import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;

import org.agrona.concurrent.BackoffIdleStrategy;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aioring reap RING-FILE --out FILE}: a bench reaper process. Reaps events (ringing the doorbell when the
 * ring is empty and events wait on the overflow list) until the producer has closed the ring and it is empty, then
 * saves what it measured. Started by {@code bench}; hidden from help.
 */
@Command(name = "reap", hidden = true, description = "Reap a context's events and record them (used by bench).")
final class ReapCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RING-FILE")
    Path ring;

    @Option(names = "--out", required = true)
    Path out;

    @Option(names = "--timeout-seconds", defaultValue = "600")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        final BenchRecorder recorder = new BenchRecorder();
        try (RingFile file = RingFile.open(ring, ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
            reapUntilClosed(file.ring(), recorder, timeoutSeconds * 1_000_000_000L);
        }
        recorder.save(out);
        return 0;
    }

    /** Reaps into {@code recorder} until the ring is closed and drained, or {@code timeoutNanos} pass. */
    static void reapUntilClosed(final Ring ring, final BenchRecorder recorder, final long timeoutNanos) {
        final EventReaper reaper = new EventReaper(ring);
        final Errno errno = new Errno();
        final BackoffIdleStrategy idle = new BackoffIdleStrategy(200, 20, 1_000, 100_000);
        final long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() - deadline < 0) {
            final int reaped = reaper.poll(recorder, 1 << 16);
            if (reaped == 0) {
                final int flags = ring.flags();
                if ((flags & RingDescriptor.FLAG_OVERFLOW_PENDING) != 0) {
                    Doorbell.ring(ring, errno);
                } else if ((flags & RingDescriptor.FLAG_PRODUCER_CLOSED) != 0 && reaper.isEmpty()) {
                    return;
                }
            }
            idle.idle(reaped);
        }
    }
}
