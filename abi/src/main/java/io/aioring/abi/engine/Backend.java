package io.aioring.abi.engine;

/**
 * How accepted iocbs get executed: the door between the engine's bookkeeping (slots, submissions, cancel,
 * completion posting with its overflow list) and whatever makes the Linux calls. A backend takes each queued
 * {@link InFlight}, runs it (or sees it was cancelled), and hands it to {@link CompletionPoster#complete} exactly
 * once. The first backend is a pool of worker threads ({@link WorkerPoolBackend}).
 */
interface Backend {
    /** @return a short name for probe, inspect and bench, e.g. "threads" */
    String name();

    /** Starts whatever threads or kernel objects it needs. */
    void start();

    /**
     * Takes an accepted iocb (already QUEUED, its submit timestamp taken). It may start at once, on this thread or
     * another; by the time {@link #submitted} returns for its batch, something must be on its way to run it.
     */
    void execute(InFlight op);

    /** The batch that {@link #execute} was just called for ({@code count} iocbs) is whole: start it moving. */
    void submitted(int count);

    /**
     * A thread of this process is about to poll the ring for events: post what has completed and not been posted
     * yet, if that is cheap to find out (io_uring: reap its completion queue, unless someone else is). Must not block.
     */
    default void pollCompletions() {
    }

    /**
     * A thread of this process found nothing to reap: if the backend has requests in the kernel, sleep there until
     * one completes (at most {@code timeoutNanos}), and post it.
     *
     * @return true if it waited (the caller should poll again rather than idle), false if there was nothing to wait for
     */
    default boolean awaitCompletions(final long timeoutNanos) {
        return false;
    }

    /**
     * Stops a running iocb that waits for readiness (its layout row says WAITS_FOR_READINESS), if it still
     * does: it then completes -ECANCELED (or with its own result, if that came first).
     *
     * @param incarnation the iocb's {@link InFlight#incarnation()} when the cancel was asked for
     * @return true if a cancel was started
     */
    boolean cancelRunning(InFlight op, int incarnation);

    /**
     * Stops: iocbs it has not started complete -ECANCELED (the engine has already cancelled them), as do those
     * waiting for readiness; running ones finish and are posted, then its threads end. Returns when nothing of it
     * runs any more.
     */
    void stop();
}
