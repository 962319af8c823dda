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
     * Stops: iocbs it has not started complete -ECANCELED (the engine has already cancelled them), running ones
     * finish and are posted, then its threads end. Returns when nothing of it runs any more.
     */
    void stop();
}
