package io.aioring.nio;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A program written against the JDK alone: an echo server on AsynchronousServerSocketChannel with completion
 * handlers, in the default group, and a client on AsynchronousSocketChannel with futures. Run with the provider
 * flag, its channels are aioring's; it prints what it saw.
 */
public final class UnmodifiedEchoMain {
    private UnmodifiedEchoMain() {
    }

    public static void main(final String[] args) throws Exception {
        try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            System.out.println("server " + server.getClass().getName());
            server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
                @Override
                public void completed(final AsynchronousSocketChannel connection, final Void attachment) {
                    System.out.println("accepted on " + Thread.currentThread().getName()
                        + (Thread.currentThread().isDaemon() ? " (daemon)" : ""));
                    server.accept(null, this);
                    echo(connection, ByteBuffer.allocate(4096));
                }

                @Override
                public void failed(final Throwable exc, final Void attachment) {
                    if (server.isOpen()) {
                        exc.printStackTrace();
                    }
                }
            });
            try (AsynchronousSocketChannel client = AsynchronousSocketChannel.open()) {
                System.out.println("client " + client.getClass().getName());
                client.connect(server.getLocalAddress()).get(10, TimeUnit.SECONDS);
                final Random random = new Random(3);
                boolean same = true;
                for (int i = 0; i < 1000; i++) {
                    final byte[] message = new byte[1 + random.nextInt(2000)];
                    random.nextBytes(message);
                    final ByteBuffer out = ByteBuffer.wrap(message);
                    while (out.hasRemaining()) {
                        client.write(out).get(10, TimeUnit.SECONDS);
                    }
                    final ByteBuffer in = ByteBuffer.allocate(message.length);
                    while (in.hasRemaining()) {
                        if (client.read(in).get(10, TimeUnit.SECONDS) < 0) {
                            throw new IllegalStateException("the server hung up");
                        }
                    }
                    same &= Arrays.equals(message, in.array());
                }
                System.out.println("echoed 1000 same " + same);
            }
        }
        System.out.println("done");
    }

    private static void echo(final AsynchronousSocketChannel connection, final ByteBuffer buffer) {
        connection.read(buffer, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(final Integer n, final Void attachment) {
                if (n < 0) {
                    close(connection);
                    return;
                }
                buffer.flip();
                connection.write(buffer, null, new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(final Integer written, final Void attachment) {
                        if (buffer.hasRemaining()) {
                            connection.write(buffer, null, this);
                            return;
                        }
                        buffer.clear();
                        echo(connection, buffer);
                    }

                    @Override
                    public void failed(final Throwable exc, final Void attachment) {
                        close(connection);
                    }
                });
            }

            @Override
            public void failed(final Throwable exc, final Void attachment) {
                close(connection);
            }
        });
    }

    private static void close(final AsynchronousSocketChannel connection) {
        try {
            connection.close();
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
