package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import io.aioring.abi.layout.EventDescriptor;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network iocbs on real loopback sockets, on this run's backend: an echo server written only with the context,
 * multishot accept and poll, cancel of a waiting recv, connect, shutdown, and a file read among idle sockets.
 */
class NetworkTest {
    private static final int BUFFER = 4096;
    private static final long ACCEPT = 1L << 56;
    private static final long RECV = 2L << 56;
    private static final long SEND = 3L << 56;
    private static final long CLOSE = 4L << 56;
    private static final long FILE = 5L << 56;
    private static final long KIND = 0xFFL << 56;

    @TempDir
    Path dir;

    /** A TCP echo server made of iocbs only: multishot accept, recv, send, close; one buffer per fd. */
    private static final class EchoServer implements Runnable {
        final AioContext context;
        final MemorySegment buffers;
        final int listener;
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[64 * 1024]);
        final IocbWriter writer = new IocbWriter(batch);
        final int[] sent = new int[4096];
        final int[] toSend = new int[4096];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean stopping;
        volatile int accepted;
        volatile int waitingRecvs;
        volatile long fileResult = Long.MIN_VALUE;
        final List<long[]> events = new ArrayList<>();

        EchoServer(final AioContext context, final MemorySegment buffers, final int listener) {
            this.context = context;
            this.buffers = buffers;
            this.listener = listener;
        }

        long buffer(final int fd) {
            return buffers.address() + (long) fd * BUFFER;
        }

        void submit() {
            if (writer.count() > 0) {
                int done = 0;
                while (done == 0) {
                    done = context.submit(writer);
                    assertTrue(done == writer.count() || done == -Errno.EAGAIN, "submit: " + done);
                }
                writer.reset();
            }
        }

        @Override
        public void run() {
            try {
                writer.accept(listener, Linux.SOCK_CLOEXEC, true, ACCEPT);
                submit();
                while (!stopping || waitingRecvs > 0) {
                    events.clear();
                    context.getevents(1, 1 << 20, 20_000_000L,
                        e -> events.add(new long[] {e.userData(), e.result(), e.flags()}));
                    for (final long[] event : events) {
                        handle(event[0], event[1], (int) event[2]);
                    }
                    submit();
                }
            } catch (final Throwable t) {
                failure.set(t);
            }
        }

        void handle(final long userData, final long result, final int flags) {
            final int fd = (int) userData;
            if ((userData & KIND) == ACCEPT) {
                if ((flags & EventDescriptor.FLAG_MORE) == 0) {
                    assertTrue(stopping, "multishot accept ended early: " + Errno.describeResult(result));
                    return;
                }
                assertTrue(result >= 0 && result < 4096, "accept: " + Errno.describeResult(result));
                accepted++;
                recv((int) result);
            } else if ((userData & KIND) == RECV) {
                waitingRecvs--;
                if (result > 0) {
                    toSend[fd] = (int) result;
                    sent[fd] = 0;
                    writer.send(fd, buffer(fd), (int) result, 0, SEND | fd);
                } else {
                    assertTrue(result == 0 || stopping && result == -Errno.ECANCELED, "recv: " + Errno.describeResult(result));
                    writer.close(fd, CLOSE | fd);
                }
            } else if ((userData & KIND) == SEND) {
                assertTrue(result > 0, "send: " + Errno.describeResult(result));
                sent[fd] += (int) result;
                if (sent[fd] < toSend[fd]) {
                    writer.send(fd, buffer(fd) + sent[fd], toSend[fd] - sent[fd], 0, SEND | fd);
                } else {
                    recv(fd);
                }
            } else if ((userData & KIND) == CLOSE) {
                assertEquals(0, result, "close");
            } else if ((userData & KIND) == FILE) {
                fileResult = result;
            }
        }

        void recv(final int fd) {
            waitingRecvs++;
            writer.recv(fd, buffer(fd), BUFFER, 0, RECV | fd);
        }
    }

    @Test
    void anEchoServerMadeOfIocbsEchoesEveryByteToAThousandConnections() throws Exception {
        final int clients = 1000;
        final SetupParams params = TestBackend.params().workers(2).maxInFlight(4096);
        try (Arena arena = Arena.ofShared(); AioContext context = AioContext.setup(params)) {
            final Errno errno = new Errno(arena);
            final int listener = Loopback.listen(arena, errno, 2048);
            final int port = Loopback.port(arena, errno, listener);
            final MemorySegment buffers = arena.allocate((long) BUFFER * 4096, 4096);
            context.registerMemory(buffers);
            final EchoServer server = new EchoServer(context, buffers, listener);
            final Thread serverThread = new Thread(server, "echo-server");
            serverThread.start();
            final Socket[] sockets = new Socket[clients];
            try {
                for (int i = 0; i < clients; i++) {
                    sockets[i] = new Socket();
                    sockets[i].connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                    sockets[i].setSoTimeout(20_000);
                }
                final Random random = new Random(42);
                for (int round = 0; round < 3; round++) {
                    final byte[][] sentBytes = new byte[clients][];
                    for (int i = 0; i < clients; i++) {
                        sentBytes[i] = new byte[1 + random.nextInt(3000)];
                        random.nextBytes(sentBytes[i]);
                        sockets[i].getOutputStream().write(sentBytes[i]);
                    }
                    for (int i = 0; i < clients; i++) {
                        final byte[] echoed = sockets[i].getInputStream().readNBytes(sentBytes[i].length);
                        assertArrayEquals(sentBytes[i], echoed, "client " + i + ", round " + round);
                    }
                }
                assertEquals(clients, server.accepted);
                assertNull(server.failure.get());

                // While a thousand recvs wait on idle sockets, a file read still completes at once.
                final Path file = dir.resolve("data");
                Files.write(file, new byte[8192]);
                final int fileFd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, file.toString()).address(),
                    Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
                final MemorySegment readBuffer = arena.allocate(8192, 4096);
                context.registerMemory(readBuffer);
                final IocbWriter read = new IocbWriter(new UnsafeBuffer(new byte[256]));
                read.pread(fileFd, readBuffer.address(), 8192, 0, FILE);
                assertEquals(1, context.submit(read));
                final long readDeadline = System.nanoTime() + 5_000_000_000L;
                while (server.fileResult == Long.MIN_VALUE && System.nanoTime() < readDeadline) {
                    Thread.sleep(1);
                }
                assertEquals(8192, server.fileResult, "a file read among a thousand idle sockets");
                Linux.close(errno, fileFd);
            } finally {
                for (final Socket socket : sockets) {
                    if (socket != null) {
                        socket.close();
                    }
                }
            }
            // Every client closed: each recv completes 0 and the server closes its socket.
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (server.waitingRecvs > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, server.waitingRecvs, "recvs still waiting after every client closed");
            server.stopping = true;
            serverThread.join(20_000);
            assertFalse(serverThread.isAlive());
            assertNull(server.failure.get());
            Linux.close(errno, listener);
        }
    }

    @Test
    void multishotPollPostsOneEventPerWriteAndEndsWithCancel() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                f.writer.poll(pair.a(), Linux.POLLIN, true, 77);
                f.submitAll();
                final MemorySegment one = arena.allocate(1);
                int events = 0;
                for (int i = 0; i < 3; i++) {
                    assertEquals(1, Linux.write(f.errno, pair.b(), one.address(), 1));
                    final ContextFixture.Event event = f.reap(1).get(0);
                    assertEquals(77, event.userData());
                    assertEquals(EventDescriptor.FLAG_MORE, event.flags() & EventDescriptor.FLAG_MORE, "write " + i);
                    assertEquals(Linux.POLLIN, event.result() & Linux.POLLIN);
                    events++;
                }
                assertEquals(1, f.context.cancel(77));
                // On threads one write can be seen by two wake-ups (docs/abi.md 2.4, poll): any second one comes
                // before the end, flagged MORE like the others.
                ContextFixture.Event last;
                while (((last = f.reap(1).get(0)).flags() & EventDescriptor.FLAG_MORE) != 0) {
                    assertEquals(77, last.userData());
                    assertEquals(Linux.POLLIN, last.result() & Linux.POLLIN);
                    events++;
                }
                assertEquals(-Errno.ECANCELED, last.result());
                assertEquals(0, last.flags() & EventDescriptor.FLAG_MORE, "the last event has no MORE");
                if (f.context.backend().equals("io_uring")) {
                    assertEquals(3, events, "one event per write");
                } else {
                    assertTrue(events >= 3 && events <= 6, "one or two events per write: " + events);
                }
                assertNothingMore(f);
            }
        }
    }

    @Test
    void cancellingAWaitingRecvCompletesItCancelled() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                f.writer.recv(pair.a(), f.address(0), 100, 0, 5);
                f.submitAll();
                Thread.sleep(50);
                assertEquals(0, f.context.getevents(0, 1 << 20, 0, e -> fail("nothing has come: " + e.result())));
                assertEquals(1, f.context.cancel(5));
                assertEquals(-Errno.ECANCELED, f.reap(1).get(0).result());
                assertEquals(-Errno.ENOENT, f.context.cancel(5), "nothing left in flight");
                // The socket is unharmed: a new recv gets the next bytes.
                f.writer.recv(pair.a(), f.address(0), 100, 0, 6);
                f.submitAll();
                final MemorySegment hello = arena.allocateFrom("hello");
                assertEquals(5, Linux.write(f.errno, pair.b(), hello.address(), 5));
                assertEquals(5, f.reap(1).get(0).result());
            }
        }
    }

    /**
     * A cancel right after the submit, while the recv is on its way to the readiness thread (threads backend) or
     * the kernel: every one of them ends, -ECANCELED. A cancel the readiness thread drained before the recv itself
     * was lost, and the recv waited for ever (seen as a close that never failed a channel's pending read).
     */
    @Test
    void aCancelRightAfterTheSubmitAlwaysEndsTheRecv() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                for (int i = 0; i < 2000; i++) {
                    f.writer.recv(pair.a(), f.address(0), 100, 0, i);
                    f.submitAll();
                    final int cancelled = f.context.cancelFd(pair.a());
                    assertTrue(cancelled == 1, "round " + i + ": cancelFd said " + cancelled);
                    final List<ContextFixture.Event> ended = f.reap(1);
                    assertEquals(i, ended.get(0).userData());
                    assertEquals(-Errno.ECANCELED, ended.get(0).result(), "round " + i);
                }
            }
        }
    }

    /** A recv (and a multishot poll) submitted by a thread that then exits still completes when bytes come. */
    @Test
    void iocbsOfAThreadThatHasExitedStillComplete() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                final Thread submitter = new Thread(() -> {
                    final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[256]));
                    writer.recv(pair.a(), f.address(0), 16, 0, 1);
                    writer.poll(pair.a(), Linux.POLLIN, true, 2);
                    assertEquals(2, f.context.submit(writer));
                });
                submitter.start();
                submitter.join();
                Thread.sleep(50);
                final MemorySegment bytes = arena.allocateFrom("late");
                assertEquals(4, Linux.write(f.errno, pair.b(), bytes.address(), 4));
                final List<ContextFixture.Event> events = f.reap(2);
                for (final ContextFixture.Event event : events) {
                    if (event.userData() == 1) {
                        assertEquals(4, event.result(), "recv: " + Errno.describeResult(event.result()));
                    } else {
                        assertEquals(EventDescriptor.FLAG_MORE, event.flags() & EventDescriptor.FLAG_MORE,
                            "poll: " + Errno.describeResult(event.result()));
                    }
                }
                assertEquals(1, f.context.cancel(2));
                assertEquals(-Errno.ECANCELED, f.reap(1).get(0).result());
            }
        }
    }

    /** An fd number that waited once, closed and reused for another socket, waits again on the new socket. */
    @Test
    void aReusedFdNumberWaitsOnItsNewFile() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            final MemorySegment one = arena.allocate(1);
            int reusedNumber = -1;
            for (int round = 0; round < 3; round++) {
                try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                    if (round > 0) {
                        assertEquals(reusedNumber, pair.a(), "the lowest free number comes back");
                    }
                    reusedNumber = pair.a();
                    f.writer.recv(pair.a(), f.address(0), 8, 0, round);
                    f.submitAll();
                    Thread.sleep(20); // it waits: the fd is in the epoll set (threads) or polled by the kernel
                    assertEquals(1, Linux.write(f.errno, pair.b(), one.address(), 1));
                    final ContextFixture.Event event = f.reap(1).get(0);
                    assertEquals(round, event.userData());
                    assertEquals(1, event.result());
                }
            }
        }
    }

    @Test
    void cancelByFdAndCancelAllSayHowManyTheyCancelled() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair first = Loopback.socketPair(arena, f.errno);
                 Loopback.Pair second = Loopback.socketPair(arena, f.errno)) {
                f.writer.recv(first.a(), f.address(0), 8, 0, 1);
                f.writer.poll(first.a(), Linux.POLLIN, true, 2);
                f.writer.recv(second.a(), f.address(64), 8, 0, 3);
                f.writer.timeout(60_000_000_000L, 4);
                f.submitAll();
                Thread.sleep(30);
                assertEquals(2, f.context.cancelFd(first.a()), "the recv and the poll on the first socket");
                final List<ContextFixture.Event> firstTwo = f.reap(2);
                assertEquals(java.util.Set.of(1L, 2L), java.util.Set.of(firstTwo.get(0).userData(), firstTwo.get(1).userData()));
                assertEquals(-Errno.ENOENT, f.context.cancelFd(first.a()));
                assertEquals(2, f.context.cancelAll(), "the other recv and the timeout");
                for (final ContextFixture.Event event : f.reap(2)) {
                    assertEquals(-Errno.ECANCELED, event.result());
                }
                assertEquals(-Errno.ENOENT, f.context.cancelAll());
            }
        }
    }

    @Test
    void recvWithDontWaitAnswersAgainAtOnceAndSendRecvMoveBytes() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                f.writer.recv(pair.a(), f.address(0), 100, Linux.MSG_DONTWAIT, 1);
                assertEquals(-Errno.EAGAIN, f.one().result());
                f.memory.asSlice(4096, 3).copyFrom(MemorySegment.ofArray(new byte[] {1, 2, 3}));
                f.writer.send(pair.b(), f.address(4096), 3, 0, 2);
                assertEquals(3, f.one().result());
                f.writer.recv(pair.a(), f.address(0), 100, 0, 3);
                assertEquals(3, f.one().result());
                assertArrayEquals(new byte[] {1, 2, 3}, f.memory.asSlice(0, 3).toArray(ValueLayout.JAVA_BYTE));
                // shutdown(SHUT_WR) on one end: the other's recv sees end of stream.
                f.writer.shutdown(pair.b(), Linux.SHUT_WR, 4);
                assertEquals(0, f.one().result());
                f.writer.recv(pair.a(), f.address(0), 100, 0, 5);
                assertEquals(0, f.one().result());
                // Memory the context was not given: -EFAULT, nothing received.
                f.writer.recv(pair.a(), 8, 100, 0, 6);
                assertEquals(-Errno.EFAULT, f.one().result());
                // A closed fd, and an fd that is not a socket.
                f.writer.recv(1_000_000, f.address(0), 100, 0, 7);
                assertEquals(-Errno.EBADF, f.one().result());
            }
        }
    }

    /**
     * send_zc: zero-copy on io_uring where the kernel has it (IORING_OP_SEND_ZC), a plain send elsewhere; either
     * way one event per iocb, with every byte sent, and none flagged MORE (the notification is folded in).
     */
    @Test
    void sendZcSendsEveryByteWithOneEventPerIocb() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.tcpPair(arena, f.errno)) {
                final int chunk = 64 * 1024;
                final byte[] sent = new byte[chunk];
                new java.util.Random(7).nextBytes(sent);
                f.memory.asSlice(0, chunk).copyFrom(MemorySegment.ofArray(sent));
                for (int i = 0; i < 4; i++) {
                    f.writer.iocb(Opcode.SEND_ZC, pair.a(), 0, f.address(0), chunk, 0, 0, 10 + i);
                }
                f.submitAll();
                final long[] results = new long[4];
                final int[] events = {0};
                final long deadline = System.nanoTime() + 10_000_000_000L;
                final byte[] received = new byte[4 * chunk];
                int got = 0;
                final MemorySegment into = arena.allocate(chunk, 8);
                while ((events[0] < 4 || got < 4 * chunk) && System.nanoTime() < deadline) {
                    f.context.getevents(0, 1 << 20, 0, e -> {
                        assertEquals(0, e.flags() & io.aioring.abi.layout.EventDescriptor.FLAG_MORE, "no MORE event");
                        results[(int) e.userData() - 10] = e.result();
                        events[0]++;
                    });
                    final long n = Linux.recv(f.errno, pair.b(), into.address(), chunk, Linux.MSG_DONTWAIT);
                    if (n > 0) {
                        MemorySegment.copy(into, ValueLayout.JAVA_BYTE, 0, received, got, (int) n);
                        got += (int) n;
                    }
                }
                assertEquals(4, events[0], "one event per iocb");
                for (int i = 0; i < 4; i++) {
                    assertEquals(chunk, results[i], "send_zc " + i + " sent every byte");
                }
                assertEquals(4 * chunk, got);
                for (int i = 0; i < 4; i++) {
                    assertArrayEquals(sent, java.util.Arrays.copyOfRange(received, i * chunk, (i + 1) * chunk), "chunk " + i);
                }
                assertNothingMore(f);
            }
        }
    }

    @Test
    void connectAndAcceptOnLoopback() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            final int listener = Loopback.listen(arena, f.errno, 16);
            final int port = Loopback.port(arena, f.errno, listener);
            final int blocking = Linux.socket(f.errno, Linux.AF_INET, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0);
            final int nonBlocking = Linux.socket(f.errno, Linux.AF_INET,
                Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC | Linux.SOCK_NONBLOCK, 0);
            final List<Integer> toClose = new ArrayList<>(List.of(listener, blocking, nonBlocking));
            try {
                Loopback.sockaddr(f.memory.asSlice(0, Loopback.SOCKADDR_IN_SIZE), port);
                f.writer.accept(listener, Linux.SOCK_CLOEXEC, false, 1);
                f.submitAll();
                Thread.sleep(50); // the accept waits in the kernel, its thread asleep: the connects must still go out
                f.writer.connect(blocking, f.address(0), Loopback.SOCKADDR_IN_SIZE, 2);
                f.writer.connect(nonBlocking, f.address(0), Loopback.SOCKADDR_IN_SIZE, 3);
                f.writer.accept(listener, Linux.SOCK_CLOEXEC, false, 4);
                f.submitAll();
                final List<ContextFixture.Event> events = f.reap(4);
                for (final ContextFixture.Event event : events) {
                    if (event.userData() == 1 || event.userData() == 4) {
                        assertTrue(event.result() >= 0, "accept: " + Errno.describeResult(event.result()));
                        toClose.add((int) event.result());
                    } else {
                        assertEquals(0, event.result(), "connect " + event.userData() + ": " + Errno.describeResult(event.result()));
                    }
                }
                // A refused connection: the listener is closed, so nothing listens on the port.
                Linux.close(f.errno, listener);
                toClose.remove((Integer) listener);
                final int refused = Linux.socket(f.errno, Linux.AF_INET, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC | Linux.SOCK_NONBLOCK, 0);
                toClose.add(refused);
                f.writer.connect(refused, f.address(0), Loopback.SOCKADDR_IN_SIZE, 5);
                assertEquals(-Errno.ECONNREFUSED, f.one().result());
            } finally {
                for (final int fd : toClose) {
                    Linux.close(f.errno, fd);
                }
            }
        }
    }

    @Test
    void multishotAcceptPostsOneEventPerConnection() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            final int listener = Loopback.listen(arena, f.errno, 16);
            final int port = Loopback.port(arena, f.errno, listener);
            try {
                f.writer.accept(listener, Linux.SOCK_CLOEXEC, true, 9);
                f.submitAll();
                final List<Socket> clients = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    clients.add(new Socket("127.0.0.1", port));
                }
                final List<ContextFixture.Event> events = f.reap(5);
                for (final ContextFixture.Event event : events) {
                    assertEquals(EventDescriptor.FLAG_MORE, event.flags() & EventDescriptor.FLAG_MORE);
                    assertTrue(event.result() >= 0);
                    Linux.close(f.errno, (int) event.result());
                }
                assertEquals(1, f.context.cancel(9));
                final ContextFixture.Event last = f.reap(1).get(0);
                assertEquals(-Errno.ECANCELED, last.result());
                assertEquals(0, last.flags() & EventDescriptor.FLAG_MORE);
                for (final Socket client : clients) {
                    client.close();
                }
            } finally {
                Linux.close(f.errno, listener);
            }
        }
    }

    @Test
    void oneApplicationEpollSetSeesTheContextsEventfdAndAPlainSocket() throws Exception {
        try (Arena arena = Arena.ofShared();
             ContextFixture f = new ContextFixture(TestBackend.params().flags(io.aioring.abi.layout.SetupDescriptor.FLAG_EVENTFD))) {
            final int epoll = Linux.epollCreate1(f.errno, Linux.O_CLOEXEC);
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                final MemorySegment event = arena.allocate((long) Linux.EPOLL_EVENT_SIZE * 4, 8);
                for (final int fd : new int[] {f.context.eventfd(), pair.a()}) {
                    event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, Linux.EPOLLIN);
                    event.set(ValueLayout.JAVA_LONG_UNALIGNED, Linux.EPOLL_EVENT_DATA, fd);
                    assertEquals(0, Linux.epollCtl(f.errno, epoll, Linux.EPOLL_CTL_ADD, fd, event.address()));
                }
                // A file event (a nop's completion) and a network event (bytes on the plain socket), one loop.
                f.writer.nop(1);
                f.submitAll();
                final MemorySegment byteOut = arena.allocate(1);
                assertEquals(1, Linux.write(f.errno, pair.b(), byteOut.address(), 1));
                final java.util.Set<Long> seen = new java.util.HashSet<>();
                final long deadline = System.nanoTime() + 5_000_000_000L;
                while (seen.size() < 2 && System.nanoTime() < deadline) {
                    final int n = Linux.epollWait(f.errno, epoll, event.address(), 4, 1000);
                    for (int i = 0; i < n; i++) {
                        seen.add(event.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * Linux.EPOLL_EVENT_SIZE + Linux.EPOLL_EVENT_DATA));
                    }
                }
                assertEquals(java.util.Set.of((long) f.context.eventfd(), (long) pair.a()), seen);
                assertEquals(1, f.reap(1).size());
            } finally {
                Linux.close(f.errno, epoll);
            }
        }
    }

    @Test
    void destroyEndsIocbsThatWaitOnSockets() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            final Errno errno = new Errno(arena);
            try (Loopback.Pair pair = Loopback.socketPair(arena, errno)) {
                final ContextFixture f = new ContextFixture(TestBackend.params());
                f.writer.recv(pair.a(), f.address(0), 10, 0, 1);
                f.writer.poll(pair.a(), Linux.POLLIN, true, 2);
                f.submitAll();
                Thread.sleep(20);
                final long start = System.nanoTime();
                f.close(); // must not wait for bytes that never come
                assertTrue(System.nanoTime() - start < 5_000_000_000L);
            }
        }
    }

    private static void assertNothingMore(final ContextFixture f) throws InterruptedException {
        Thread.sleep(20);
        assertEquals(0, f.context.getevents(0, 1 << 20, 0, e -> fail("unexpected event " + e.userData() + " " + e.result())));
    }

}
