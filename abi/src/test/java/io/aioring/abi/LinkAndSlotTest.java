package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linked iocbs and fd slots on this run's backend: the compound request (open a file into a slot, sendfile it to a
 * socket, close the slot — one submission, the application never holding the file's fd), broken chains, hard
 * links, and the slot rules.
 */
class LinkAndSlotTest {
    @TempDir
    Path dir;

    private static Set<String> openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    /** Writes open + sendfile + close as one chain: openat(path) into slot 5, sendfile from slot 5 to {@code socket}. */
    private static void compoundRequest(final ContextFixture f, final Path file, final int socket, final int length) {
        final byte[] path = file.toString().getBytes(StandardCharsets.UTF_8);
        f.memory.asSlice(0, path.length).copyFrom(MemorySegment.ofArray(path));
        f.writer.openat(Linux.AT_FDCWD, f.address(0), path.length, Linux.O_RDONLY | Linux.O_CLOEXEC, 0, 1).toSlot(5).link();
        f.writer.sendfile(socket, 5, 0, length, 2).fixedFd().link();
        f.writer.close(5, 3).fixedFd();
    }

    @Test
    void openSendfileCloseInOneSubmissionSendsTheFileAndLeavesNoFd() throws Exception {
        final byte[] data = new byte[100_000];
        new Random(7).nextBytes(data);
        final Path file = dir.resolve("payload");
        Files.write(file, data);
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                final CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readExactly(pair.b(), data.length));
                final Set<String> before = openFds();
                compoundRequest(f, file, pair.a(), data.length);
                f.submitAll();
                final List<ContextFixture.Event> events = f.reap(3);
                events.sort(java.util.Comparator.comparingLong(ContextFixture.Event::userData));
                assertEquals(5, events.get(0).result(), "openat into slot 5: " + Errno.describeResult(events.get(0).result()));
                assertEquals(data.length, events.get(1).result(), "sendfile: " + Errno.describeResult(events.get(1).result()));
                assertEquals(0, events.get(2).result(), "close of slot 5");
                assertArrayEquals(data, received.get(), "byte-identical");
                assertEquals(before, openFds(), "/proc/self/fd is as it was");
            }
        }
    }

    @Test
    void aMissingFileFailsTheOpenAndCancelsTheRestOfTheChain() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params())) {
            try (Loopback.Pair pair = Loopback.socketPair(arena, f.errno)) {
                final Set<String> before = openFds();
                compoundRequest(f, dir.resolve("missing"), pair.a(), 10);
                f.submitAll();
                final List<ContextFixture.Event> events = f.reap(3);
                events.sort(java.util.Comparator.comparingLong(ContextFixture.Event::userData));
                assertEquals(-Errno.ENOENT, events.get(0).result());
                assertEquals(-Errno.ECANCELED, events.get(1).result());
                assertEquals(-Errno.ECANCELED, events.get(2).result());
                assertEquals(before, openFds());
                // The slot was never filled: using it says so.
                f.writer.close(5, 4).fixedFd();
                assertEquals(-Errno.EBADF, f.one().result());
            }
        }
    }

    @Test
    void aHardLinkGoesOnAfterAFailureAndLinkedIocbsRunInOrder() {
        try (ContextFixture f = new ContextFixture(TestBackend.params())) {
            f.writer.close(1_000_000, 1).hardlink();    // -EBADF
            f.writer.timeout(20_000_000L, 2).hardlink(); // -ETIME: a failure, but hard-linked
            f.writer.nop(3);
            f.submitAll();
            final List<ContextFixture.Event> events = f.reap(3);
            assertEquals(List.of(1L, 2L, 3L), events.stream().map(ContextFixture.Event::userData).toList(), "in chain order");
            assertEquals(-Errno.EBADF, events.get(0).result());
            assertEquals(-Errno.ETIME, events.get(1).result());
            assertEquals(0, events.get(2).result());
        }
    }

    @Test
    void cancellingAnIocbThatWaitsForItsPredecessorCancelsTheRest() {
        try (ContextFixture f = new ContextFixture(TestBackend.params())) {
            f.writer.timeout(100_000_000L, 1).hardlink();
            f.writer.nop(2).link();
            f.writer.nop(3);
            f.submitAll();
            assertEquals(1, f.context.cancel(2), "a held iocb is queued: cancel takes it");
            final List<ContextFixture.Event> events = f.reap(3);
            assertEquals(-Errno.ETIME, events.get(0).result());
            assertEquals(-Errno.ECANCELED, events.get(1).result());
            assertEquals(-Errno.ECANCELED, events.get(2).result());
        }
    }

    @Test
    void slotRules() throws Exception {
        try (Arena arena = Arena.ofShared(); ContextFixture f = new ContextFixture(TestBackend.params().fdSlots(8))) {
            final int listener = Loopback.listen(arena, f.errno, 4);
            final int port = Loopback.port(arena, f.errno, listener);
            try (Socket client = new Socket("127.0.0.1", port)) {
                f.writer.accept(listener, Linux.SOCK_CLOEXEC, false, 1).toSlot(-1);
                assertEquals(0, f.one().result(), "the lowest empty slot");
                f.writer.accept(listener, Linux.SOCK_CLOEXEC, false, 2).toSlot(0);
                assertEquals(-Errno.EBUSY, f.one().result(), "slot 0 holds a socket");
                f.writer.accept(listener, Linux.SOCK_CLOEXEC, false, 3).toSlot(8);
                assertEquals(-Errno.EINVAL, f.one().result(), "8 slots: 0 to 7");
                f.writer.recv(3, f.address(0), 10, 0, 4).fixedFd();
                assertEquals(-Errno.EBADF, f.one().result(), "slot 3 is empty");
                f.writer.nop(5).toSlot(1);
                assertEquals(-Errno.EINVAL, f.one().result(), "TO_SLOT is for openat and accept");
                // A recv through the slot waits; the slot cannot be closed under it.
                f.writer.recv(0, f.address(0), 10, 0, 6).fixedFd();
                f.submitAll();
                f.writer.close(0, 7).fixedFd();
                assertEquals(-Errno.EBUSY, f.one().result(), "slot 0 is in use by a recv");
                client.getOutputStream().write("hi".getBytes(StandardCharsets.UTF_8));
                final ContextFixture.Event recv = f.reap(1).get(0);
                assertEquals(6, recv.userData());
                assertEquals(2, recv.result());
                assertEquals('h', f.memory.get(ValueLayout.JAVA_BYTE, 0));
                f.writer.close(0, 8).fixedFd();
                assertEquals(0, f.one().result());
                assertEquals(-1, client.getInputStream().read(), "the context closed its end");
            } finally {
                Linux.close(f.errno, listener);
            }
        }
    }

    @Test
    void destroyClosesTheFdsLeftInSlots() throws Exception {
        final Path file = dir.resolve("kept");
        Files.write(file, new byte[10]);
        final Set<String> before = openFds();
        final ContextFixture f = new ContextFixture(TestBackend.params());
        final byte[] path = file.toString().getBytes(StandardCharsets.UTF_8);
        f.memory.asSlice(0, path.length).copyFrom(MemorySegment.ofArray(path));
        for (int slot = 0; slot < 3; slot++) {
            f.writer.openat(Linux.AT_FDCWD, f.address(0), path.length, Linux.O_RDONLY | Linux.O_CLOEXEC, 0, slot).toSlot(slot);
        }
        f.submitAll();
        for (final ContextFixture.Event event : f.reap(3)) {
            assertEquals(event.userData(), event.result());
        }
        f.close();
        assertEquals(before, openFds());
    }

    private static byte[] readExactly(final int fd, final int length) {
        try (Arena arena = Arena.ofConfined()) {
            final Errno errno = new Errno(arena);
            final MemorySegment buffer = arena.allocate(length);
            int got = 0;
            while (got < length) {
                final long r = Linux.read(errno, fd, buffer.address() + got, length - got);
                if (r <= 0) {
                    throw new IllegalStateException("read: " + Errno.describeResult(r));
                }
                got += (int) r;
            }
            return buffer.toArray(ValueLayout.JAVA_BYTE);
        }
    }
}
