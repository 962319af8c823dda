package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.aioring.abi.net.SocketAddresses;
import io.aioring.abi.net.Sockets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AioFutures' one-call operations: no iocb, no user data; memory checked at the call (heap, unregistered, too many
 * attributes: refused before anything is submitted); a failed call fails its future with the errno's name.
 */
class AioFuturesTest {
    private final ContextFixture f = new ContextFixture(TestBackend.params());
    private final AioFutures futures = new AioFutures(f.context);

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        futures.close();
        f.close();
    }

    @Test
    void aFileWrittenReadAndSyncedByFutures() throws Exception {
        final int fd = f.context.openFile(dir.resolve("data"), StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.CREATE);
        final MemorySegment out = f.memory.asSlice(0, 11);
        out.copyFrom(MemorySegment.ofArray("hello, ring".getBytes(StandardCharsets.US_ASCII)));
        final AioFutures.Completion written = futures.pwrite(fd, out, 100, 1).get(20, TimeUnit.SECONDS);
        assertEquals(11, written.result());
        assertTrue(written.userData() >= AioFutures.OWN_USER_DATA, "the adapter's own user data");
        assertEquals(1, written.view().attributeCount(), "the attribute asked (unknown here: one record)");
        assertEquals(0, futures.fsync(fd).get(20, TimeUnit.SECONDS).result());
        final MemorySegment in = f.memory.asSlice(4096, 64);
        assertEquals(11, futures.pread(fd, in, 100).get(20, TimeUnit.SECONDS).result());
        assertEquals("hello, ring", new String(in.asSlice(0, 11).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
        assertEquals(0, futures.pread(fd, in, 1 << 20).get(20, TimeUnit.SECONDS).result(), "past the end: 0");
    }

    @Test
    void memoryIsCheckedAtTheCallAndFailuresNameTheErrno() throws Exception {
        final long submitted = f.context.submitted();
        try (Arena other = Arena.ofConfined()) {
            final IllegalArgumentException unregistered = assertThrows(IllegalArgumentException.class,
                () -> futures.pread(0, other.allocate(64), 0));
            assertTrue(unregistered.getMessage().contains("not registered"), unregistered.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> futures.pread(0, MemorySegment.ofArray(new byte[64]), 0));
        assertThrows(IllegalArgumentException.class, () -> futures.fsync(0, new int[17]));
        assertEquals(submitted, f.context.submitted(), "nothing was submitted");

        final Path file = Files.writeString(dir.resolve("x"), "x");
        final int readOnly = f.context.openFile(file);
        final CompletableFuture<AioFutures.Completion> refused = futures.pwrite(readOnly, f.memory.asSlice(0, 1), 0);
        final ExecutionException e = assertThrows(ExecutionException.class, () -> refused.get(20, TimeUnit.SECONDS));
        assertInstanceOf(IocbFailedException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("EBADF"), e.getCause().getMessage());
    }

    @Test
    void anEchoByFutures() throws Exception {
        final int listener = f.context.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        final MemorySegment peer = f.memory.asSlice(0, SocketAddresses.SIZE);
        SocketAddresses.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), Sockets.localAddress(listener).getPort()), peer);
        final CompletableFuture<AioFutures.Completion> accepted = futures.accept(listener);
        final int client = f.context.openSocket();
        assertEquals(0, futures.connect(client, peer).get(20, TimeUnit.SECONDS).result());
        final int server = Math.toIntExact(accepted.get(20, TimeUnit.SECONDS).result());
        try {
            final MemorySegment ping = f.memory.asSlice(4096, 4);
            ping.copyFrom(MemorySegment.ofArray("ping".getBytes(StandardCharsets.US_ASCII)));
            final MemorySegment echoed = f.memory.asSlice(8192, 16);
            final CompletableFuture<AioFutures.Completion> back = futures.recv(client, echoed);
            assertEquals(4, futures.send(client, ping).get(20, TimeUnit.SECONDS).result());
            final MemorySegment got = f.memory.asSlice(12288, 16);
            final long n = futures.recv(server, got).get(20, TimeUnit.SECONDS).result();
            assertEquals(4, futures.send(server, got.asSlice(0, n)).get(20, TimeUnit.SECONDS).result());
            assertEquals(4, back.get(20, TimeUnit.SECONDS).result());
            assertEquals("ping", new String(echoed.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
        } finally {
            Sockets.close(server);
        }
    }
}
