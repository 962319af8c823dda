package io.aioring.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.WritePendingException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.aioring.abi.TestBackend;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AioSocketChannel, AioServerSocketChannel and AioChannelGroup against the javadoc of the JDK's classes, on real
 * loopback sockets, on this run's backend, with the JDK's own sockets as the peer where one is needed.
 */
class AioSocketChannelTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final AioChannelProvider provider = new AioChannelProvider(
        () -> TestBackend.params().maxInFlight(SocketEngine.MAX_IN_FLIGHT));
    private AsynchronousChannelGroup group;

    @BeforeEach
    void setUp() {
        group = provider.openAsynchronousChannelGroup(2, task -> new Thread(task, "test-group"));
    }

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownNow();
        assertTrue(group.awaitTermination(10, TimeUnit.SECONDS), "the group terminates once its channels are closed");
    }

    private AsynchronousServerSocketChannel listen() throws IOException {
        return provider.openAsynchronousServerSocketChannel(group).bind(LOOPBACK);
    }

    /** A connected pair: ours on both ends. */
    private AsynchronousSocketChannel[] pair(final AsynchronousServerSocketChannel server) throws Exception {
        final Future<AsynchronousSocketChannel> accepted = server.accept();
        final AsynchronousSocketChannel client = provider.openAsynchronousSocketChannel(group);
        assertNull(client.connect(server.getLocalAddress()).get(10, TimeUnit.SECONDS));
        return new AsynchronousSocketChannel[] {client, accepted.get(10, TimeUnit.SECONDS)};
    }

    private static byte[] random(final int length, final int seed) {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void writeAll(final AsynchronousSocketChannel channel, final ByteBuffer buffer) throws Exception {
        while (buffer.hasRemaining()) {
            assertTrue(channel.write(buffer).get(10, TimeUnit.SECONDS) > 0);
        }
    }

    private static void readFully(final AsynchronousSocketChannel channel, final ByteBuffer buffer) throws Exception {
        while (buffer.hasRemaining()) {
            assertTrue(channel.read(buffer).get(10, TimeUnit.SECONDS) > 0, "no end of stream before the bytes");
        }
    }

    @Test
    void echoesHeapDirectAndSequencesOfBuffersAndTellsTheEndOfTheStream() throws Exception {
        try (AsynchronousServerSocketChannel server = listen()) {
            final AsynchronousSocketChannel[] ends = pair(server);
            try (AsynchronousSocketChannel client = ends[0]; AsynchronousSocketChannel peer = ends[1]) {
                assertInstanceOf(AioSocketChannel.class, client);
                assertEquals(client.getLocalAddress(), peer.getRemoteAddress());
                assertEquals(client.getRemoteAddress(), peer.getLocalAddress());
                // More than a slot: the write is partial (a socket's normal answer) and the loop goes on.
                final byte[] sent = random(200_000, 1);
                final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        writeAll(client, ByteBuffer.wrap(sent));
                    } catch (final Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                final ByteBuffer direct = ByteBuffer.allocateDirect(sent.length);
                readFully(peer, direct);
                writer.get(10, TimeUnit.SECONDS);
                final byte[] got = new byte[sent.length];
                direct.flip().get(got);
                assertArrayEquals(sent, got);

                // Gathering write, scattering read, with handlers: Long results.
                final ByteBuffer[] out = {ByteBuffer.wrap(random(10, 2)), ByteBuffer.allocateDirect(0), ByteBuffer.wrap(random(30, 3))};
                final CompletableFuture<Long> wrote = new CompletableFuture<>();
                peer.write(out, 0, 3, 5, TimeUnit.SECONDS, null, handler(wrote));
                assertEquals(40L, wrote.get(10, TimeUnit.SECONDS));
                final ByteBuffer[] in = {ByteBuffer.allocate(5), ByteBuffer.allocateDirect(35)};
                long read = 0;
                while (read < 40) {
                    final CompletableFuture<Long> got2 = new CompletableFuture<>();
                    client.read(in, 0, 2, 5, TimeUnit.SECONDS, null, handler(got2));
                    read += got2.get(10, TimeUnit.SECONDS);
                }
                final byte[] joined = new byte[40];
                in[0].flip().get(joined, 0, 5);
                in[1].flip().get(joined, 5, 35);
                final ByteBuffer expected = ByteBuffer.allocate(40).put(out[0].flip()).put(out[2].flip());
                assertArrayEquals(expected.array(), joined);

                // A buffer with no room completes at once with 0.
                assertEquals(0, client.read(ByteBuffer.allocate(0)).get(10, TimeUnit.SECONDS));
                // The peer shuts its output: the end of the stream is -1, again and again.
                peer.shutdownOutput();
                assertEquals(-1, client.read(ByteBuffer.allocate(10)).get(10, TimeUnit.SECONDS));
                assertThrows(ExecutionException.class, () -> peer.write(ByteBuffer.wrap(new byte[1])).get(10, TimeUnit.SECONDS));
                client.shutdownInput();
                assertEquals(-1, client.read(ByteBuffer.allocate(10)).get(10, TimeUnit.SECONDS), "shut for reading: -1 at once");
            }
        }
    }

    private static <V> CompletionHandler<V, Object> handler(final CompletableFuture<V> outcome) {
        return new CompletionHandler<>() {
            @Override
            public void completed(final V result, final Object attachment) {
                outcome.complete(result);
            }

            @Override
            public void failed(final Throwable exc, final Object attachment) {
                outcome.completeExceptionally(exc);
            }
        };
    }

    @Test
    void talksToTheJdksOwnSocketsBothWays() throws Exception {
        // Our client, the JDK's server.
        try (ServerSocket jdkServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             AsynchronousSocketChannel client = provider.openAsynchronousSocketChannel(group)) {
            client.connect(jdkServer.getLocalSocketAddress()).get(10, TimeUnit.SECONDS);
            try (Socket accepted = jdkServer.accept()) {
                writeAll(client, ByteBuffer.wrap("hello".getBytes()));
                assertArrayEquals("hello".getBytes(), accepted.getInputStream().readNBytes(5));
                accepted.getOutputStream().write("world".getBytes());
                final ByteBuffer in = ByteBuffer.allocate(5);
                readFully(client, in);
                assertArrayEquals("world".getBytes(), in.array());
            }
        }
        // The JDK's client, our server.
        try (AsynchronousServerSocketChannel server = listen();
             Socket jdkClient = new Socket()) {
            final Future<AsynchronousSocketChannel> accepted = server.accept();
            jdkClient.connect(server.getLocalAddress(), 10_000);
            try (AsynchronousSocketChannel peer = accepted.get(10, TimeUnit.SECONDS)) {
                jdkClient.getOutputStream().write(new byte[] {1, 2, 3});
                final ByteBuffer in = ByteBuffer.allocate(3);
                readFully(peer, in);
                assertArrayEquals(new byte[] {1, 2, 3}, in.array());
                jdkClient.close();
                assertEquals(-1, peer.read(ByteBuffer.allocate(1)).get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void refusesWhatTheJavadocRefuses() throws Exception {
        try (AsynchronousSocketChannel channel = provider.openAsynchronousSocketChannel(group)) {
            assertThrows(NotYetConnectedException.class, () -> channel.read(ByteBuffer.allocate(1)));
            assertThrows(NotYetConnectedException.class, () -> channel.write(ByteBuffer.allocate(1)));
            assertThrows(NotYetConnectedException.class, channel::shutdownInput);
            assertThrows(IllegalArgumentException.class, () -> channel.read(ByteBuffer.allocate(1).asReadOnlyBuffer()));
            assertThrows(IndexOutOfBoundsException.class, () -> channel.read(new ByteBuffer[1], 1, 1, 0, TimeUnit.SECONDS, null, handler(new CompletableFuture<>())));
            assertThrows(UnsupportedAddressTypeException.class, () -> channel.connect(new java.net.SocketAddress() { }));
            assertThrows(UnresolvedAddressException.class, () -> channel.connect(InetSocketAddress.createUnresolved("nowhere.invalid", 80)));
            assertThrows(UnsupportedOperationException.class, () -> channel.setOption(StandardSocketOptions.SO_LINGER, 1));
            assertThrows(IllegalArgumentException.class, () -> channel.setOption(StandardSocketOptions.SO_RCVBUF, -1));
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(channel.getOption(StandardSocketOptions.TCP_NODELAY));
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            assertTrue(channel.getOption(StandardSocketOptions.SO_KEEPALIVE));
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 65536);
            assertTrue(channel.getOption(StandardSocketOptions.SO_RCVBUF) >= 65536, "Linux doubles it");
            channel.bind(LOOPBACK);
            assertThrows(AlreadyBoundException.class, () -> channel.bind(LOOPBACK));
            assertEquals(InetAddress.getLoopbackAddress(), ((InetSocketAddress) channel.getLocalAddress()).getAddress());
            channel.close();
            assertFalse(channel.isOpen());
            final ExecutionException closed = assertThrows(ExecutionException.class, () -> channel.read(ByteBuffer.allocate(1)).get());
            assertInstanceOf(ClosedChannelException.class, closed.getCause());
            assertThrows(ClosedChannelException.class, () -> channel.getOption(StandardSocketOptions.TCP_NODELAY));
            assertThrows(ClosedChannelException.class, channel::getLocalAddress);
        }
        final AsynchronousChannelGroup jdkGroup = AsynchronousChannelGroup.withFixedThreadPool(1, Thread.ofPlatform().factory());
        try {
            assertThrows(java.nio.channels.IllegalChannelGroupException.class,
                () -> provider.openAsynchronousSocketChannel(jdkGroup), "a group another provider made");
        } finally {
            jdkGroup.shutdownNow();
        }
        try (AsynchronousServerSocketChannel server = provider.openAsynchronousServerSocketChannel(group)) {
            assertThrows(NotYetBoundException.class, server::accept);
            assertThrows(UnsupportedOperationException.class, () -> server.setOption(StandardSocketOptions.TCP_NODELAY, true));
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            assertTrue(server.getOption(StandardSocketOptions.SO_REUSEADDR));
            server.bind(LOOPBACK, 0);
            assertThrows(AlreadyBoundException.class, () -> server.bind(LOOPBACK));
            final Future<AsynchronousSocketChannel> pending = server.accept();
            assertThrows(AcceptPendingException.class, server::accept);
            server.close();
            final ExecutionException closed = assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, closed.getCause(), "close fails the pending accept");
        }
    }

    @Test
    void aPendingReadIsAloneATimeoutKillsReadingAndCloseFailsWhatIsPending() throws Exception {
        try (AsynchronousServerSocketChannel server = listen()) {
            final AsynchronousSocketChannel[] ends = pair(server);
            try (AsynchronousSocketChannel client = ends[0]; AsynchronousSocketChannel peer = ends[1]) {
                final Future<Integer> waiting = client.read(ByteBuffer.allocate(10));
                assertThrows(ReadPendingException.class, () -> client.read(ByteBuffer.allocate(10)));
                peer.write(ByteBuffer.wrap(new byte[] {7})).get(10, TimeUnit.SECONDS);
                assertEquals(1, waiting.get(10, TimeUnit.SECONDS), "the pending read gets the byte");

                final CompletableFuture<Integer> timedOut = new CompletableFuture<>();
                final long start = System.nanoTime();
                client.read(ByteBuffer.allocate(10), 200, TimeUnit.MILLISECONDS, null, handler(timedOut));
                final ExecutionException timeout = assertThrows(ExecutionException.class, () -> timedOut.get(10, TimeUnit.SECONDS));
                assertInstanceOf(InterruptedByTimeoutException.class, timeout.getCause());
                assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150), "not before its time");
                assertThrows(IllegalStateException.class, () -> client.read(ByteBuffer.allocate(10)), "reading is over after a timeout");
                assertEquals(1, client.write(ByteBuffer.wrap(new byte[] {1})).get(10, TimeUnit.SECONDS), "writing is not");

                final Future<Integer> pendingRead = peer.read(ByteBuffer.allocate(10));
                assertEquals(1, pendingRead.get(10, TimeUnit.SECONDS));
                final Future<Integer> cut = peer.read(ByteBuffer.allocate(10));
                peer.close();
                final ExecutionException closed = assertThrows(ExecutionException.class, () -> cut.get(10, TimeUnit.SECONDS));
                assertInstanceOf(AsynchronousCloseException.class, closed.getCause());
            }
        }
    }

    @Test
    void aWriteThatCannotGoOnIsPendingAndTheSecondIsRefused() throws Exception {
        try (AsynchronousServerSocketChannel server = listen()) {
            final AsynchronousSocketChannel[] ends = pair(server);
            try (AsynchronousSocketChannel client = ends[0]; AsynchronousSocketChannel peer = ends[1]) {
                client.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
                Future<Integer> write;
                long written = 0;
                while (true) { // the peer does not read: the buffers fill and a write waits
                    write = client.write(ByteBuffer.allocate(SocketEngine.SLOT_BYTES));
                    try {
                        written += write.get(2, TimeUnit.SECONDS);
                    } catch (final TimeoutException pending) {
                        if (!write.isDone()) {
                            break;
                        }
                        written += write.get(); // it went out just after the wait (a slow machine): go on filling
                    }
                }
                assertThrows(WritePendingException.class, () -> client.write(ByteBuffer.allocate(1)));
                // The peer drains with a read always pending; only once the last write has
                // completed is the total known (its bytes can all arrive before its event does).
                final AtomicLong read = new AtomicLong();
                final ByteBuffer drain = ByteBuffer.allocate(1 << 20);
                peer.read(drain, null, new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(final Integer count, final Void unused) {
                        if (count > 0) {
                            read.addAndGet(count);
                            drain.clear();
                            peer.read(drain, null, this);
                        }
                    }

                    @Override
                    public void failed(final Throwable exc, final Void unused) {
                        // the close at the end of the test
                    }
                });
                final long total = written + write.get(10, TimeUnit.SECONDS);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (read.get() < total && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertEquals(total, read.get(), "every byte written arrives, once");
            }
        }
    }

    @Test
    void aWriteThatTimesOutEndsWritingButNotReading() throws Exception {
        try (AsynchronousServerSocketChannel server = listen()) {
            final AsynchronousSocketChannel[] ends = pair(server);
            try (AsynchronousSocketChannel client = ends[0]; AsynchronousSocketChannel peer = ends[1]) {
                final CompletableFuture<Throwable> failed = new CompletableFuture<>();
                client.write(ByteBuffer.allocate(16_000), 300, TimeUnit.MILLISECONDS, client,
                    new CompletionHandler<Integer, AsynchronousSocketChannel>() {
                        @Override
                        public void completed(final Integer result, final AsynchronousSocketChannel channel) {
                            channel.write(ByteBuffer.allocate(16_000), 300, TimeUnit.MILLISECONDS, channel, this);
                        }

                        @Override
                        public void failed(final Throwable exc, final AsynchronousSocketChannel channel) {
                            failed.complete(exc);
                        }
                    });
                assertInstanceOf(InterruptedByTimeoutException.class, failed.get(20, TimeUnit.SECONDS),
                    "the peer reads nothing: the buffers fill and a write times out");
                assertThrows(IllegalStateException.class, () -> client.write(ByteBuffer.allocate(1)));
                peer.write(ByteBuffer.wrap(new byte[] {5})).get(10, TimeUnit.SECONDS);
                final ByteBuffer one = ByteBuffer.allocate(1);
                assertEquals(1, client.read(one).get(10, TimeUnit.SECONDS), "reading goes on");
                assertEquals(5, one.get(0));
            }
        }
    }

    @Test
    void aRefusedConnectFailsAndClosesTheChannelAndASecondConnectIsRefused() throws Exception {
        final int freePort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = probe.getLocalPort();
        }
        final AsynchronousSocketChannel channel = provider.openAsynchronousSocketChannel(group);
        final ExecutionException refused = assertThrows(ExecutionException.class,
            () -> channel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort)).get(10, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, refused.getCause(), refused.getCause().toString());
        assertFalse(channel.isOpen(), "as the JDK's: a connect that failed closes the channel");

        try (AsynchronousServerSocketChannel server = listen()) {
            final AsynchronousSocketChannel[] ends = pair(server);
            try (AsynchronousSocketChannel client = ends[0]; AsynchronousSocketChannel peer = ends[1]) {
                assertThrows(AlreadyConnectedException.class, () -> client.connect(server.getLocalAddress()));
                assertTrue(peer.isOpen());
            }
        }
    }

    /** A listener with a full accept queue drops SYNs: a connect to it hangs until close ends it, at once. */
    @Test
    void closeWhileConnectingFailsTheConnectAtOnce() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            final java.util.List<Socket> queued = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    final Socket socket = new Socket();
                    queued.add(socket);
                    try {
                        socket.connect(full.getLocalSocketAddress(), 300);
                    } catch (final java.net.SocketTimeoutException hangs) {
                        break;
                    }
                }
                final AsynchronousSocketChannel channel = provider.openAsynchronousSocketChannel(group);
                final Future<Void> connect = channel.connect(full.getLocalSocketAddress());
                assertThrows(TimeoutException.class, () -> connect.get(300, TimeUnit.MILLISECONDS), "the connect waits");
                final long start = System.nanoTime();
                channel.close();
                final ExecutionException closed = assertThrows(ExecutionException.class, () -> connect.get(5, TimeUnit.SECONDS));
                assertInstanceOf(AsynchronousCloseException.class, closed.getCause());
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "ended by the close, not by a timeout");
            } finally {
                for (final Socket socket : queued) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void cancellingAReadFutureCancelsTheReadAndEndsReading() throws Exception {
        try (AsynchronousServerSocketChannel server = listen()) {
            final AsynchronousSocketChannel[] ends = pair(server);
            try (AsynchronousSocketChannel client = ends[0]; AsynchronousSocketChannel peer = ends[1]) {
                final Future<Integer> read = client.read(ByteBuffer.allocate(10));
                assertTrue(read.cancel(false));
                assertTrue(read.isCancelled());
                assertThrows(IllegalStateException.class, () -> client.read(ByteBuffer.allocate(10)));
                assertEquals(1, peer.write(ByteBuffer.wrap(new byte[] {1})).get(10, TimeUnit.SECONDS), "the channel lives on");
                assertTrue(client.isOpen());
            }
        }
    }

    @Test
    void handlersRunOnTheGroupsThreadsAndAThrowingHandlerDoesNotStopTheGroup() throws Exception {
        final CopyOnWriteArrayList<Throwable> uncaught = new CopyOnWriteArrayList<>();
        final AsynchronousChannelGroup fixed = provider.openAsynchronousChannelGroup(1, task -> {
            final Thread thread = new Thread(task, "fixed-group-thread");
            thread.setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
            return thread;
        });
        try (AsynchronousServerSocketChannel server = provider.openAsynchronousServerSocketChannel(fixed).bind(LOOPBACK);
             AsynchronousSocketChannel client = provider.openAsynchronousSocketChannel(fixed)) {
            final CompletableFuture<String> acceptedOn = new CompletableFuture<>();
            server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
                @Override
                public void completed(final AsynchronousSocketChannel result, final Void attachment) {
                    acceptedOn.complete(Thread.currentThread().getName());
                    throw new IllegalStateException("a handler that throws");
                }

                @Override
                public void failed(final Throwable exc, final Void attachment) {
                    acceptedOn.completeExceptionally(exc);
                }
            });
            client.connect(server.getLocalAddress()).get(10, TimeUnit.SECONDS);
            assertEquals("fixed-group-thread", acceptedOn.get(10, TimeUnit.SECONDS));
            // The group goes on: a second accept and a handler started from this (outside) thread.
            final CompletableFuture<String> secondOn = new CompletableFuture<>();
            final Future<AsynchronousSocketChannel> second = server.accept();
            try (AsynchronousSocketChannel other = provider.openAsynchronousSocketChannel(fixed)) {
                other.connect(server.getLocalAddress()).get(10, TimeUnit.SECONDS);
                second.get(10, TimeUnit.SECONDS).close();
                other.read(ByteBuffer.allocate(0), null, new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(final Integer result, final Void attachment) {
                        secondOn.complete(Thread.currentThread().getName());
                    }

                    @Override
                    public void failed(final Throwable exc, final Void attachment) {
                        secondOn.completeExceptionally(exc);
                    }
                });
                assertEquals("fixed-group-thread", secondOn.get(10, TimeUnit.SECONDS), "a result known at once still runs on the group");
            }
            assertEquals(1, uncaught.size(), "the thrown exception went to the thread's handler: " + uncaught);
        } finally {
            fixed.shutdownNow();
            assertTrue(fixed.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aGroupOnAnExecutorRunsHandlersThereAndShutsItDown() throws Exception {
        final ExecutorService executor = Executors.newCachedThreadPool(task -> new Thread(task, "user-executor"));
        final AsynchronousChannelGroup onExecutor = provider.openAsynchronousChannelGroup(executor, 0);
        final AsynchronousServerSocketChannel server = provider.openAsynchronousServerSocketChannel(onExecutor).bind(LOOPBACK);
        final CompletableFuture<String> ranOn = new CompletableFuture<>();
        server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
            @Override
            public void completed(final AsynchronousSocketChannel result, final Void attachment) {
                ranOn.complete(Thread.currentThread().getName());
                try {
                    result.close();
                } catch (final IOException e) {
                    ranOn.completeExceptionally(e);
                }
            }

            @Override
            public void failed(final Throwable exc, final Void attachment) {
                ranOn.completeExceptionally(exc);
            }
        });
        try (Socket client = new Socket()) {
            client.connect(server.getLocalAddress(), 10_000);
            assertEquals("user-executor", ranOn.get(10, TimeUnit.SECONDS));
        }
        onExecutor.shutdown();
        assertTrue(onExecutor.isShutdown());
        assertThrows(ShutdownChannelGroupException.class, () -> provider.openAsynchronousSocketChannel(onExecutor));
        assertFalse(onExecutor.awaitTermination(100, TimeUnit.MILLISECONDS), "a channel is still open");
        server.close();
        assertTrue(onExecutor.awaitTermination(10, TimeUnit.SECONDS), "the last channel closed: terminated");
        assertTrue(onExecutor.isTerminated());
        assertTrue(executor.isShutdown(), "a terminated group shuts its executor down");
    }

    @Test
    void shutdownNowClosesEveryChannelAndFailsWhatIsPending() throws Exception {
        final AsynchronousServerSocketChannel server = listen();
        try (Socket jdkClient = new Socket()) { // outside the group: its end stays open, so nothing but the close ends the read
            final Future<AsynchronousSocketChannel> accepted = server.accept();
            jdkClient.connect(server.getLocalAddress(), 10_000);
            final AsynchronousSocketChannel peer = accepted.get(10, TimeUnit.SECONDS);
            final Future<Integer> read = peer.read(ByteBuffer.allocate(10));
            final Future<AsynchronousSocketChannel> accept = server.accept();
            group.shutdownNow();
            assertInstanceOf(AsynchronousCloseException.class,
                assertThrows(ExecutionException.class, () -> read.get(10, TimeUnit.SECONDS)).getCause());
            assertInstanceOf(AsynchronousCloseException.class,
                assertThrows(ExecutionException.class, () -> accept.get(10, TimeUnit.SECONDS)).getCause());
            assertTrue(group.awaitTermination(10, TimeUnit.SECONDS));
            assertFalse(peer.isOpen());
            assertFalse(server.isOpen());
            assertEquals(-1, jdkClient.getInputStream().read(), "the socket itself was closed");
        }
    }

    /** As the JDK's (its bug 8202252): once a handler has run, the channel and the group hold no reference to it. */
    @Test
    void aHandlerIsNotHeldOnceItHasRun() throws Exception {
        try (AsynchronousServerSocketChannel server = listen()) {
            final AsynchronousSocketChannel[] ends = pair(server);
            try (AsynchronousSocketChannel client = ends[0]; AsynchronousSocketChannel peer = ends[1]) {
                peer.write(ByteBuffer.wrap(new byte[] {1})).get(10, TimeUnit.SECONDS);
                final java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(2);
                CompletionHandler<Integer, Object> handler = new CompletionHandler<>() {
                    @Override
                    public void completed(final Integer result, final Object attachment) {
                        ran.countDown();
                    }

                    @Override
                    public void failed(final Throwable exc, final Object attachment) {
                        ran.countDown();
                    }
                };
                final java.lang.ref.ReferenceQueue<Object> queue = new java.lang.ref.ReferenceQueue<>();
                final java.lang.ref.WeakReference<Object> ref = new java.lang.ref.WeakReference<>(handler, queue);
                client.read(ByteBuffer.allocate(1), null, handler);
                client.write(ByteBuffer.wrap(new byte[] {2}), null, handler);
                assertTrue(ran.await(10, TimeUnit.SECONDS));
                handler = null;
                java.lang.ref.Reference<?> cleared = null;
                for (int i = 0; i < 100 && cleared == null; i++) {
                    System.gc();
                    cleared = queue.remove(100);
                }
                assertEquals(ref, cleared, "the handler was collected");
            }
        }
    }

    @Test
    void aReadStartedByAThreadThatThenEndsStillCompletes() throws Exception {
        try (AsynchronousServerSocketChannel server = listen()) {
            final AsynchronousSocketChannel[] ends = pair(server);
            try (AsynchronousSocketChannel client = ends[0]; AsynchronousSocketChannel peer = ends[1]) {
                final CompletableFuture<Future<Integer>> started = new CompletableFuture<>();
                final ByteBuffer buffer = ByteBuffer.allocate(4);
                final Thread starter = new Thread(() -> started.complete(client.read(buffer)));
                starter.start();
                starter.join();
                Thread.sleep(50);
                peer.write(ByteBuffer.wrap(new byte[] {9, 8, 7, 6})).get(10, TimeUnit.SECONDS);
                assertEquals(4, started.get().get(10, TimeUnit.SECONDS));
                assertArrayEquals(new byte[] {9, 8, 7, 6}, buffer.array());
            }
        }
    }

    @Test
    void manyIdleReadsGrowTheSlotsAndAllComplete() throws Exception {
        final int connections = 200; // over six slabs of slots
        try (AsynchronousServerSocketChannel server = listen()) {
            final AsynchronousSocketChannel[][] pairs = new AsynchronousSocketChannel[connections][];
            final java.util.List<Future<Integer>> reads = new java.util.ArrayList<>();
            final ByteBuffer[] buffers = new ByteBuffer[connections];
            for (int i = 0; i < connections; i++) {
                pairs[i] = pair(server);
                buffers[i] = ByteBuffer.allocate(8);
                reads.add(pairs[i][1].read(buffers[i]));
            }
            for (int i = 0; i < connections; i++) {
                pairs[i][0].write(ByteBuffer.allocate(8).putLong(0, i)).get(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < connections; i++) {
                assertEquals(8, reads.get(i).get(10, TimeUnit.SECONDS));
                assertEquals(i, buffers[i].getLong(0), "each read got its own connection's bytes");
                pairs[i][0].close();
                pairs[i][1].close();
            }
        }
    }

    @Test
    void aJdkClientSeesTheEndOfTheStreamWhenOurSideShutsItsOutput() throws Exception {
        try (AsynchronousServerSocketChannel server = listen(); Socket client = new Socket()) {
            final Future<AsynchronousSocketChannel> accepted = server.accept();
            client.connect(server.getLocalAddress(), 10_000);
            try (AsynchronousSocketChannel peer = accepted.get(10, TimeUnit.SECONDS)) {
                writeAll(peer, ByteBuffer.wrap(new byte[] {1, 2}));
                peer.shutdownOutput();
                final InputStream in = client.getInputStream();
                assertArrayEquals(new byte[] {1, 2}, in.readAllBytes(), "the bytes, then the end");
                final ExecutionException shut = assertThrows(ExecutionException.class, () -> peer.write(ByteBuffer.wrap(new byte[1])).get());
                assertInstanceOf(ClosedChannelException.class, shut.getCause());
            }
        }
    }
}
