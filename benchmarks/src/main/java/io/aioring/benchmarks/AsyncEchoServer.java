package io.aioring.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.spi.AsynchronousChannelProvider;

/**
 * An echo server written against the JDK's asynchronous channels alone, as a Java developer writes one: a fixed
 * group of {@code THREADS} threads, one accept handler, and per connection a read handler whose completion writes
 * the bytes back and reads again. Run as it is it measures the JDK's own channels; run with
 * {@code -Djava.nio.channels.spi.AsynchronousChannelProvider=io.aioring.nio.AioChannelProvider} it measures
 * aioring's, with no line changed. Prints the port it listens on, then serves until killed.
 *
 * <pre>
 * java -cp benchmarks.jar io.aioring.benchmarks.AsyncEchoServer THREADS BUFFER_BYTES
 * </pre>
 */
public final class AsyncEchoServer {
    private AsyncEchoServer() {
    }

    public static void main(final String[] args) throws Exception {
        final int threads = Integer.parseInt(args[0]);
        final int bufferBytes = Integer.parseInt(args[1]);
        final AsynchronousServerSocketChannel server = serve(AsynchronousChannelProvider.provider(), threads, bufferBytes)
            .listener();
        System.out.println("port " + ((InetSocketAddress) server.getLocalAddress()).getPort() + " "
            + server.getClass().getName());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Starts the echo server on {@code provider}'s channels: a fixed group of {@code threads} daemon threads, a
     * listener on a loopback port, and an accept handler that echoes each connection with a direct buffer of
     * {@code bufferBytes}.
     *
     * @return the group and the listener (its local address names the port); shutting the group down ends it all
     */
    static Served serve(final AsynchronousChannelProvider provider, final int threads,
                                                 final int bufferBytes) throws IOException {
        final AsynchronousChannelGroup group = provider.openAsynchronousChannelGroup(threads, task -> {
            final Thread thread = new Thread(task, "echo");
            thread.setDaemon(true);
            return thread;
        });
        final AsynchronousServerSocketChannel server = provider.openAsynchronousServerSocketChannel(group)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
            @Override
            public void completed(final AsynchronousSocketChannel connection, final Void attachment) {
                server.accept(null, this);
                try {
                    connection.setOption(StandardSocketOptions.TCP_NODELAY, true);
                } catch (final IOException e) {
                    close(connection);
                    return;
                }
                new Echo(connection, ByteBuffer.allocateDirect(bufferBytes)).read();
            }

            @Override
            public void failed(final Throwable exc, final Void attachment) {
                if (server.isOpen()) {
                    exc.printStackTrace();
                }
            }
        });
        return new Served(group, server);
    }

    /** A running echo server: its group and its listener. */
    record Served(AsynchronousChannelGroup group, AsynchronousServerSocketChannel listener) {
    }

    /** One connection: read, write it all back, read again. */
    private static final class Echo implements CompletionHandler<Integer, Void> {
        private final AsynchronousSocketChannel connection;
        private final ByteBuffer buffer;
        private final CompletionHandler<Integer, Void> written = new CompletionHandler<>() {
            @Override
            public void completed(final Integer n, final Void attachment) {
                if (buffer.hasRemaining()) {
                    connection.write(buffer, null, this);
                    return;
                }
                read();
            }

            @Override
            public void failed(final Throwable exc, final Void attachment) {
                close(connection);
            }
        };

        Echo(final AsynchronousSocketChannel connection, final ByteBuffer buffer) {
            this.connection = connection;
            this.buffer = buffer;
        }

        void read() {
            buffer.clear();
            connection.read(buffer, null, this);
        }

        @Override
        public void completed(final Integer n, final Void attachment) {
            if (n < 0) {
                close(connection);
                return;
            }
            buffer.flip();
            connection.write(buffer, null, written);
        }

        @Override
        public void failed(final Throwable exc, final Void attachment) {
            close(connection);
        }
    }

    private static void close(final AsynchronousSocketChannel connection) {
        try {
            connection.close();
        } catch (final IOException e) {
            // closing after a failure: nothing more to tell
        }
    }
}
