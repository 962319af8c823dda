package io.aioring.nio;

import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.IllegalChannelGroupException;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.aioring.abi.SetupParams;

/**
 * The JDK's asynchronous socket channels on aioring, for a program that never heard of it: start the JVM with
 * {@code -Djava.nio.channels.spi.AsynchronousChannelProvider=io.aioring.nio.AioChannelProvider} and every
 * {@code AsynchronousSocketChannel}, {@code AsynchronousServerSocketChannel} and {@code AsynchronousChannelGroup} it
 * opens is aioring's ({@link AioSocketChannel}, {@link AioServerSocketChannel}, {@link AioChannelGroup}). A program
 * that knows of it may also use a group of its own without the property:
 *
 * <pre>{@code
 * AsynchronousChannelGroup group = new AioChannelProvider().openAsynchronousChannelGroup(2, Thread.ofPlatform().factory());
 * AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open(group).bind(new InetSocketAddress(0));
 * }</pre>
 *
 * <p>Channels opened without a group go to the default group, made on first use from the JDK's own properties
 * {@code java.nio.channels.DefaultThreadPool.threadFactory} (a class name) and
 * {@code java.nio.channels.DefaultThreadPool.initialSize}.
 */
public final class AioChannelProvider extends AsynchronousChannelProvider {
    private final Supplier<SetupParams> settings;
    private volatile AioChannelGroup defaultGroup;

    /** As the JDK makes it from {@code -Djava.nio.channels.spi.AsynchronousChannelProvider}. */
    public AioChannelProvider() {
        this(() -> NioSettings.params(SocketEngine.MAX_IN_FLIGHT));
    }

    /** With each group's context set up as {@code settings} says, not as the system properties do. */
    AioChannelProvider(final Supplier<SetupParams> settings) {
        this.settings = settings;
    }

    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(final int nThreads, final ThreadFactory threadFactory) {
        return AioChannelGroup.fixed(this, nThreads, threadFactory, false, settings());
    }

    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(final ExecutorService executor, final int initialSize) {
        return AioChannelGroup.onExecutor(this, executor, settings());
    }

    @Override
    public AioServerSocketChannel openAsynchronousServerSocketChannel(final AsynchronousChannelGroup group) throws IOException {
        return AioServerSocketChannel.open(this, ours(group));
    }

    @Override
    public AioSocketChannel openAsynchronousSocketChannel(final AsynchronousChannelGroup group) throws IOException {
        return AioSocketChannel.open(this, ours(group));
    }

    private SetupParams settings() {
        return settings.get();
    }

    private AioChannelGroup ours(final AsynchronousChannelGroup group) {
        if (group == null) {
            return defaultGroup();
        }
        if (!(group instanceof AioChannelGroup ours) || ours.provider() != this) {
            throw new IllegalChannelGroupException();
        }
        if (ours.isShutdown()) {
            throw new java.nio.channels.ShutdownChannelGroupException();
        }
        return ours;
    }

    private AioChannelGroup defaultGroup() {
        AioChannelGroup group = defaultGroup;
        if (group == null) {
            synchronized (this) {
                group = defaultGroup;
                if (group == null) {
                    group = AioChannelGroup.fixed(this, Integer.getInteger("java.nio.channels.DefaultThreadPool.initialSize",
                        Runtime.getRuntime().availableProcessors()), defaultThreadFactory(), true, settings());
                    defaultGroup = group;
                }
            }
        }
        return group;
    }

    private static ThreadFactory defaultThreadFactory() {
        final String name = System.getProperty("java.nio.channels.DefaultThreadPool.threadFactory");
        if (name != null) {
            try {
                return (ThreadFactory) Class.forName(name, true, ClassLoader.getSystemClassLoader())
                    .getDeclaredConstructor().newInstance();
            } catch (final ReflectiveOperationException | ClassCastException e) {
                throw new Error("java.nio.channels.DefaultThreadPool.threadFactory: cannot make a " + name, e);
            }
        }
        final AtomicInteger count = new AtomicInteger();
        return task -> {
            final Thread thread = new Thread(task, "aioring-nio-default-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
