package io.aioring.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM during a command that runs on (bench, trace): as fio does, it stops early, prints its report or
 * summary for the time it ran, and removes what it made (bench: temporary file, ring, reapers). A shutdown hook
 * asks the command to stop, then holds the JVM's exit until the command says it is done (at most
 * {@link #GRACE_SECONDS} s); the exit status is the JVM's for the signal (130 for SIGINT, 143 for SIGTERM).
 */
final class SignalStop {
    /** The longest the hook holds the exit for the report and the clean-up. */
    static final long GRACE_SECONDS = 30;

    private volatile boolean requested;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook = new Thread(this::stopAndWait, "aioring-stop");

    private SignalStop() {
    }

    /** @return a stop registered with the JVM until {@link #done()} */
    static SignalStop install() {
        final SignalStop stop = new SignalStop();
        Runtime.getRuntime().addShutdownHook(stop.hook);
        return stop;
    }

    /** @return true once the JVM was asked to exit (a signal): the command winds up instead of running on */
    boolean requested() {
        return requested;
    }

    /** The command has reported and cleaned up: a held exit may go on. */
    void done() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (final IllegalStateException e) {
            // The JVM is exiting already: the hook is running, and now returns.
        }
    }

    private void stopAndWait() {
        requested = true;
        try {
            done.await(GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
