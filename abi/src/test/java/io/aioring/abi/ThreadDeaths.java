package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

/**
 * Catches every uncaught exception (a thread that died) while open, and restores the handler before it on close:
 * the hostile-memory tests assert that no thread of the engine dies.
 */
final class ThreadDeaths implements AutoCloseable {
    private final List<Throwable> deaths = new ArrayList<>();
    private final Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();

    ThreadDeaths() {
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            synchronized (deaths) {
                deaths.add(e);
                // Which thread, and where: the assertion alone names only the exception.
                System.err.println("thread " + thread.getName() + " died:");
                e.printStackTrace();
            }
        });
    }

    void assertNone() {
        synchronized (deaths) {
            assertEquals(List.of(), deaths, "no thread of the engine died");
        }
    }

    @Override
    public void close() {
        Thread.setDefaultUncaughtExceptionHandler(before);
    }
}
