package io.aioring.abi.engine;

/** The engine's threads: daemons named after their context, joined at destroy whatever interrupts come. */
final class EngineThreads {
    private EngineThreads() {
    }

    /** @return a daemon thread named {@code name}, not started */
    static Thread daemon(final String name, final Runnable body) {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Waits for {@code thread} to end; an interrupt meanwhile is kept for the caller, not lost. */
    static void joinQuietly(final Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (final InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
