package io.aioring.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.aioring.abi.AioContext;
import io.aioring.abi.EventHandler;
import io.aioring.abi.EventView;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.SetupParams;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.linux.Errno;
import io.aioring.linux.JvmFlags;
import io.aioring.linux.Linux;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.*;

/**
 * A loopback TCP echo server, measured in messages echoed per second: written with a context (multishot accept,
 * then recv → send → recv per connection, reaped by the server's own thread) on each backend, beside a plain Java
 * NIO {@link Selector} server (one thread, non-blocking channels), under the same client in the same run. The
 * client (the benchmark thread) keeps {@code connections} connections busy: each operation writes one message on
 * every connection, then reads every echo back in full.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar EchoBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.ADD_EXPORTS, JvmFlags.UNSAFE_EXPORT, JvmFlags.NATIVE_ACCESS,
    "--sun-misc-unsafe-memory-access=allow"})
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EchoBenchmark {
    static final int CONNECTIONS = 100;

    @Param({"64", "4096"})
    int messageBytes;

    /**
     * Who echoes: a context on io_uring, a context on worker threads, a NIO Selector; or {@link AsyncEchoServer}
     * (the JDK's asynchronous channels, a fixed group of one thread) on the JDK's own provider or on aioring's.
     */
    @Param({"io_uring", "threads", "nio", "nio2-jdk", "nio2-aioring"})
    String server;

    Server echo;
    SocketChannel[] clients;
    ByteBuffer message;
    ByteBuffer[] replies;

    /** An echo server on a thread of its own, listening on 127.0.0.1. */
    interface Server extends AutoCloseable {
        int port();

        @Override
        void close();
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        echo = switch (server) {
            case "nio" -> new NioEchoServer();
            case "nio2-jdk" -> new Nio2EchoServer(java.nio.channels.spi.AsynchronousChannelProvider.provider());
            case "nio2-aioring" -> new Nio2EchoServer(new io.aioring.nio.AioChannelProvider());
            default -> new AioringEchoServer(server);
        };
        clients = new SocketChannel[CONNECTIONS];
        replies = new ByteBuffer[CONNECTIONS];
        for (int i = 0; i < CONNECTIONS; i++) {
            clients[i] = SocketChannel.open(new InetSocketAddress("127.0.0.1", echo.port()));
            clients[i].setOption(StandardSocketOptions.TCP_NODELAY, true);
            replies[i] = ByteBuffer.allocateDirect(messageBytes);
        }
        message = ByteBuffer.allocateDirect(messageBytes);
        for (int i = 0; i < messageBytes; i++) {
            message.put(i, (byte) i);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        for (final SocketChannel client : clients) {
            client.close();
        }
        echo.close();
    }

    /** One message out on every connection, then every echo read back in full: {@code CONNECTIONS} messages. */
    @Benchmark
    @OperationsPerInvocation(CONNECTIONS)
    public int echo() throws IOException {
        for (final SocketChannel client : clients) {
            message.clear();
            while (message.hasRemaining()) {
                client.write(message);
            }
        }
        int checksum = 0;
        for (int i = 0; i < CONNECTIONS; i++) {
            final ByteBuffer reply = replies[i];
            reply.clear();
            while (reply.hasRemaining()) {
                if (clients[i].read(reply) < 0) {
                    throw new IOException("the server closed connection " + i);
                }
            }
            checksum += reply.get(messageBytes - 1);
        }
        return checksum;
    }

    /** {@link AsyncEchoServer} on one provider's channels. */
    static final class Nio2EchoServer implements Server {
        private final AsyncEchoServer.Served served;

        Nio2EchoServer(final java.nio.channels.spi.AsynchronousChannelProvider provider) throws IOException {
            served = AsyncEchoServer.serve(provider, 1, 16_384);
        }

        @Override
        public int port() {
            try {
                return ((InetSocketAddress) served.listener().getLocalAddress()).getPort();
            } catch (final IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                served.group().shutdownNow();
                served.group().awaitTermination(10, TimeUnit.SECONDS);
            } catch (final IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The echo server written with a context: iocbs only, no allocation per message. */
    static final class AioringEchoServer implements Server, Runnable {
        private static final long ACCEPT = 1L << 32;
        private static final long RECV = 2L << 32;
        private static final long SEND = 3L << 32;
        private static final long CLOSE = 4L << 32;
        private static final long KIND = 0xFFL << 32;
        private static final int BUFFER = 4096;
        private static final int MAX_FD = 1 << 16;

        private final Arena arena = Arena.ofShared();
        private final Errno errno = new Errno(arena);
        /** The int 1, for setsockopt. */
        private final MemorySegment one = arena.allocate(ValueLayout.JAVA_INT);
        private final AioContext context;
        private final int listener;
        private final int port;
        private final MemorySegment buffers;
        private final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[256 * 1024]));
        private final int[] sent = new int[MAX_FD];
        private final int[] length = new int[MAX_FD];
        private final EventHandler onEvent = this::onEvent;
        private final Thread thread;
        private volatile boolean stopping;

        AioringEchoServer(final String backend) {
            context = AioContext.setup(new SetupParams().flags(0).maxInFlight(4096).workers(2)
                    .backend(backend.equals("threads") ? SetupDescriptor.BACKEND_THREADS : SetupDescriptor.BACKEND_IO_URING),
                new AttributeRegistry(List.of()));
            buffers = arena.allocate((long) BUFFER * MAX_FD, 4096);
            context.registerMemory(buffers);
            listener = Linux.socket(errno, Linux.AF_INET, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0);
            final MemorySegment address = arena.allocate(16, 8);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) Linux.AF_INET);
            address.set(ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), 4, 0x7F000001);
            check(Linux.bind(errno, listener, address.address(), 16), "bind");
            check(Linux.listen(errno, listener, 1024), "listen");
            port = boundPort(); // the port the kernel chose
            one.set(ValueLayout.JAVA_INT, 0, 1);
            writer.accept(listener, Linux.SOCK_CLOEXEC, true, ACCEPT);
            submit();
            thread = new Thread(this, "aioring-echo-" + backend);
            thread.setDaemon(true);
            thread.start();
        }

        private int boundPort() {
            final MemorySegment address = arena.allocate(16, 8);
            final MemorySegment length = arena.allocate(4, 4);
            length.set(ValueLayout.JAVA_INT, 0, 16);
            check(Linux.getsockname(errno, listener, address.address(), length.address()), "getsockname");
            return address.get(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2) & 0xFFFF;
        }

        private static void check(final int result, final String call) {
            if (result < 0) {
                throw new UncheckedIOException(new IOException(call + ": " + Errno.describeResult(result)));
            }
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public void run() {
            while (!stopping) {
                context.getevents(1, 1 << 20, 1_000_000L, onEvent);
                submit();
            }
        }

        private long buffer(final int fd) {
            return buffers.address() + (long) fd * BUFFER;
        }

        private void onEvent(final EventView event) {
            final long userData = event.userData();
            final int fd = (int) userData;
            final long result = event.result();
            final long kind = userData & KIND;
            if (kind == ACCEPT) {
                if (result >= 0) {
                    // As every other server here: no Nagle delay on a ping-pong connection.
                    check(Linux.setsockopt(errno, (int) result, Linux.IPPROTO_TCP, Linux.TCP_NODELAY, one.address(), 4),
                        "setsockopt TCP_NODELAY");
                    writer.recv((int) result, buffer((int) result), BUFFER, 0, RECV | result);
                }
                if ((event.flags() & EventDescriptor.FLAG_MORE) == 0 && !stopping) {
                    writer.accept(listener, Linux.SOCK_CLOEXEC, true, ACCEPT); // the multishot ended: arm it again
                }
            } else if (kind == RECV) {
                if (result > 0) {
                    length[fd] = (int) result;
                    sent[fd] = 0;
                    writer.send(fd, buffer(fd), (int) result, 0, SEND | fd);
                } else {
                    writer.close(fd, CLOSE | fd);
                }
            } else if (kind == SEND) {
                if (result <= 0) {
                    writer.close(fd, CLOSE | fd);
                    return;
                }
                sent[fd] += (int) result;
                if (sent[fd] < length[fd]) {
                    writer.send(fd, buffer(fd) + sent[fd], length[fd] - sent[fd], 0, SEND | fd);
                } else {
                    writer.recv(fd, buffer(fd), BUFFER, 0, RECV | fd);
                }
            }
        }

        private void submit() {
            if (writer.count() > 0) {
                if (context.submit(writer) != writer.count()) {
                    throw new IllegalStateException("the echo server's context is full");
                }
                writer.reset();
            }
        }

        @Override
        public void close() {
            stopping = true;
            try {
                thread.join();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            context.destroy();
            Linux.close(errno, listener);
            arena.close();
        }
    }

    /** The anchor: one thread, a Selector, non-blocking channels, a direct buffer per connection. */
    static final class NioEchoServer implements Server, Runnable {
        private final Selector selector;
        private final ServerSocketChannel listener;
        private final Thread thread;
        private volatile boolean stopping;

        NioEchoServer() throws IOException {
            selector = Selector.open();
            listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            thread = new Thread(this, "nio-echo");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public int port() {
            return listener.socket().getLocalPort();
        }

        @Override
        public void run() {
            try {
                while (!stopping) {
                    selector.select(1);
                    final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        final SelectionKey key = keys.next();
                        keys.remove();
                        if (key.isAcceptable()) {
                            final SocketChannel channel = listener.accept();
                            if (channel != null) {
                                channel.configureBlocking(false);
                                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                                channel.register(selector, SelectionKey.OP_READ, ByteBuffer.allocateDirect(4096));
                            }
                        } else {
                            serve(key);
                        }
                    }
                }
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void serve(final SelectionKey key) throws IOException {
            final SocketChannel channel = (SocketChannel) key.channel();
            final ByteBuffer buffer = (ByteBuffer) key.attachment();
            try {
                if (key.isReadable()) {
                    if (channel.read(buffer) < 0) {
                        key.cancel();
                        channel.close();
                        return;
                    }
                    buffer.flip();
                }
                channel.write(buffer);
            } catch (final IOException reset) {
                key.cancel(); // a client that reset its connection ends that connection, not the server
                channel.close();
                return;
            }
            if (buffer.hasRemaining()) {
                key.interestOps(SelectionKey.OP_WRITE);
            } else {
                buffer.clear();
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        @Override
        public void close() {
            stopping = true;
            try {
                thread.join();
                for (final SelectionKey key : selector.keys()) {
                    key.channel().close();
                }
                selector.close();
                listener.close();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

}
