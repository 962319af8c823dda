package io.aioring.nio;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** A thread factory named by -Djava.nio.channels.DefaultThreadPool.threadFactory: its threads say whose they are. */
public final class NamedThreadFactory implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(final Runnable task) {
        final Thread thread = new Thread(task, "named-factory-" + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}
