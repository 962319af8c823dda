package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

import io.aioring.abi.net.SocketAddresses;
import io.aioring.abi.net.Sockets;
import io.aioring.linux.Linux;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files and sockets for iocbs without open(2) flags or hand-built sockaddrs: {@code openFile} with Java's
 * {@code OpenOption}s and the JDK's exceptions, {@code listen} and {@code openSocket} (descriptors the context
 * closes at destroy), {@link Sockets}' options and addresses, and a connect iocb from {@link SocketAddresses}.
 */
class OpenFileAndSocketsTest {
    private final ContextFixture f = new ContextFixture(TestBackend.params());

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void openFileTakesJavasOptionsAndThrowsTheJdksExceptions() throws IOException {
        final Path file = dir.resolve("made");
        final int writable = f.context.openFile(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
        assertEquals(Linux.O_WRONLY, Linux.statusFlags(f.errno, writable) & Linux.O_ACCMODE);
        assertTrue(Files.exists(file), "CREATE_NEW made it");
        assertThrows(FileAlreadyExistsException.class,
            () -> f.context.openFile(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW));
        assertThrows(NoSuchFileException.class, () -> f.context.openFile(dir.resolve("absent")), "READ by default");
        assertThrows(UnsupportedOperationException.class,
            () -> f.context.openFile(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        assertThrows(UnsupportedOperationException.class,
            () -> f.context.openFile(file, StandardOpenOption.READ, StandardOpenOption.DELETE_ON_CLOSE));

        Files.writeString(file, "what the iocb reads");
        final int readable = f.context.openFile(file);
        assertEquals(Linux.O_RDONLY, Linux.statusFlags(f.errno, readable) & Linux.O_ACCMODE);
        f.writer.pread(readable, f.memory.asSlice(0, 64), 0, 1);
        final ContextFixture.Event read = f.one();
        assertEquals(19, read.result());
        assertEquals("what the iocb reads", new String(f.memory.asSlice(0, 19).toArray(ValueLayout.JAVA_BYTE),
            StandardCharsets.US_ASCII));

        final String before = target(readable);
        f.context.destroy();
        assertNotEquals(before, target(readable), "destroy closed the file it opened");
    }

    @Test
    void aListenerAndASocketOfTheContextTalkThroughIocbs() throws Exception {
        final int listener = f.context.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        final int port = Sockets.localAddress(listener).getPort();
        assertTrue(port > 0, "the kernel chose a port");
        assertTrue(Sockets.getOption(listener, StandardSocketOptions.SO_REUSEADDR));
        final int client = f.context.openSocket();

        final MemorySegment peer = f.memory.asSlice(0, SocketAddresses.SIZE);
        SocketAddresses.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), peer);
        f.writer.accept(listener, 0, false, 1);
        f.writer.connect(client, peer, 2);
        f.submitAll();
        final Map<Long, Long> results = new HashMap<>();
        for (final ContextFixture.Event event : f.reap(2)) {
            results.put(event.userData(), event.result());
        }
        assertEquals(0, results.get(2L), "connected");
        final int accepted = Math.toIntExact(results.get(1L));
        assertTrue(accepted >= 0, "accepted: " + accepted);
        try {
            assertEquals(port, Sockets.remoteAddress(client).getPort());
            assertEquals(Sockets.localAddress(client), Sockets.remoteAddress(accepted), "each end names the other");
            Sockets.setOption(accepted, StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(Sockets.getOption(accepted, StandardSocketOptions.TCP_NODELAY));

            final MemorySegment ping = f.memory.asSlice(4096, 4);
            ping.copyFrom(MemorySegment.ofArray("ping".getBytes(StandardCharsets.US_ASCII)));
            final MemorySegment received = f.memory.asSlice(8192, 64);
            f.writer.send(client, ping, 0, 3);
            f.writer.recv(accepted, received, 0, 4);
            f.submitAll();
            for (final ContextFixture.Event event : f.reap(2)) {
                assertEquals(4, event.result(), "user data " + event.userData());
            }
            assertEquals("ping", new String(received.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));

            // The port is taken: a second listener on it is refused as the JDK refuses it.
            assertThrows(BindException.class,
                () -> f.context.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16));

            final String listenerBefore = target(listener);
            final String clientBefore = target(client);
            assertTrue(listenerBefore.startsWith("socket:"), listenerBefore);
            f.context.destroy();
            assertNotEquals(listenerBefore, target(listener), "destroy closed the listener");
            assertNotEquals(clientBefore, target(client), "destroy closed the socket");
        } finally {
            Sockets.close(accepted); // accepted by an iocb: the application's, not the context's
        }
    }

    @Test
    void aConnectIocbNeedsAWholeSockaddr() {
        assertThrows(IllegalArgumentException.class, () -> f.writer.connect(3, f.memory.asSlice(0, 8), 1));
        assertThrows(IllegalArgumentException.class,
            () -> f.writer.connect(3, MemorySegment.ofArray(new byte[SocketAddresses.SIZE]), 1), "heap memory");
    }

    /** @return what /proc/self/fd/{fd} names now ("gone" if nothing) */
    private static String target(final int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (final IOException e) {
            return "gone";
        }
    }
}
