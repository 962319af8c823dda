package io.aioring.abi;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;
import io.aioring.linux.LinuxTestCalls;
import io.aioring.linux.ChildJvm;
import io.aioring.ring.RingDescriptor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-context eventfd: signalled (coalesced) when events land, epoll-ready, switchable off, shared with other processes. */
class EventfdTest {
    /** @return the eventfd's counter, reset by the read; 0 if it was not signalled */
    private static long drain(final ContextFixture f) {
        final MemorySegment value = f.arena.allocate(8, 8);
        final long r = Linux.read(f.errno, f.context.eventfd(), value.address(), 8);
        if (r == -Errno.EAGAIN) {
            return 0;
        }
        assertEquals(8, r);
        return value.get(ValueLayout.JAVA_LONG, 0);
    }

    /** @return the eventfd's counter once it is readable (waiting up to 5 s for the worker's signal), else 0 */
    private static long awaitSignal(final ContextFixture f) {
        final MemorySegment pollfd = f.arena.allocate(Linux.POLLFD_SIZE, 8);
        pollfd.set(ValueLayout.JAVA_INT, 0, f.context.eventfd());
        pollfd.set(ValueLayout.JAVA_SHORT, 4, Linux.POLLIN);
        Linux.poll(f.errno, pollfd.address(), 1, 5_000);
        return drain(f);
    }

    @Test
    void countsAreCoalesced() {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(65536).workers(1))) {
            assertTrue(f.context.eventfd() >= 0);
            assertEquals(0, drain(f), "nothing yet");
            for (int i = 0; i < 50; i++) {
                f.writer.nop(i);
            }
            f.submitAll();
            f.reap(50);
            final long count = awaitSignal(f);
            assertTrue(count >= 1 && count <= 50, "signalled once per published batch, not per event: " + count);
            assertEquals(0, drain(f));
        }
    }

    @Test
    void readyInTheApplicationsOwnEpollSet() {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(65536).workers(1))) {
            final int epoll = Linux.epollCreate1(f.errno, Linux.O_CLOEXEC);
            assertTrue(epoll >= 0);
            try {
                final MemorySegment event = f.arena.allocate(Linux.EPOLL_EVENT_SIZE * 4L, 8);
                event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, Linux.EPOLLIN);
                event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, 0xABCDL);
                assertEquals(0, Linux.epollCtl(f.errno, epoll, Linux.EPOLL_CTL_ADD, f.context.eventfd(), event.address()));
                assertEquals(0, Linux.epollWait(f.errno, epoll, event.address(), 4, 0), "not ready before any event");
                f.writer.nop(1);
                f.submitAll();
                assertEquals(1, Linux.epollWait(f.errno, epoll, event.address(), 4, 5_000));
                assertEquals(Linux.EPOLLIN, event.get(ValueLayout.JAVA_INT_UNALIGNED, 0) & Linux.EPOLLIN);
                assertEquals(0xABCDL, event.get(ValueLayout.JAVA_LONG_UNALIGNED, 4));
                f.reap(1);
                drain(f);
                assertEquals(0, Linux.epollWait(f.errno, epoll, event.address(), 4, 0), "not ready once read");
            } finally {
                Linux.close(f.errno, epoll);
            }
        }
    }

    /**
     * A reaper that sleeps on the eventfd while another has switched signals off is not left asleep past its
     * events: with NOTIFY_DISABLED set the sleep lasts at most a heartbeat period (abi.md 2.9), even with a
     * liveness connection that would otherwise let it sleep until its timeout.
     */
    @Test
    void anEventfdSleepIsBoundedWhileSignalsAreOff() throws Exception {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(65536).workers(1));
             ContextReaper reaper = ContextReaper.open(f.context.ringPath())) {
            reaper.eventfd();
            assertTrue(reaper.hasLivenessConnection());
            f.context.ring().setFlags(RingDescriptor.FLAG_NOTIFY_DISABLED);
            final java.util.concurrent.CompletableFuture<Long> slept = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                final long start = System.nanoTime();
                try {
                    reaper.await(ContextReaper.WaitMode.EVENTFD, 30_000_000_000L);
                } catch (final java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return System.nanoTime() - start;
            });
            Thread.sleep(20);
            f.writer.nop(1);
            f.submitAll(); // posted, and no signal: NOTIFY_DISABLED
            final long nanos = slept.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(nanos < 5_000_000_000L, "slept " + nanos / 1_000_000 + " ms of a 30 s timeout");
            assertEquals(1, reaper.poll(e -> assertEquals(1, e.userData()), 1 << 16), "the event is there to reap");
        }
    }

    @Test
    void reapersCanSwitchSignalsOff() {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(65536).workers(1))) {
            f.context.ring().setFlags(RingDescriptor.FLAG_NOTIFY_DISABLED);
            f.writer.nop(1);
            f.submitAll();
            f.reap(1);
            assertEquals(0, drain(f), "no signal while NOTIFY_DISABLED is set");
            // (the worker posts, then would signal: give it time to have done so if it were going to)
            try {
                Thread.sleep(100);
            } catch (final InterruptedException e) {
                throw new AssertionError(e);
            }
            assertEquals(0, drain(f), "still no signal");
            f.context.ring().clearFlags(RingDescriptor.FLAG_NOTIFY_DISABLED);
            f.writer.nop(2);
            f.submitAll();
            f.reap(1);
            assertEquals(1, awaitSignal(f));
        }
    }

    @Test
    void noEventfdWhenSetupDidNotAskForOne() {
        try (ContextFixture f = new ContextFixture(TestBackend.params().flags(0).ringDataBytes(65536).workers(1))) {
            assertEquals(-1, f.context.eventfd());
            assertNull(f.context.eventfdSocket());
            f.writer.nop(1);
            assertEquals(0, f.one().result());
        }
    }

    /** Another JVM takes the eventfd over the context's Unix socket and blocks on it until an event lands. */
    @Test
    @Timeout(120)
    void anotherProcessBlocksOnTheEventfdUntilEventsLand() throws Exception {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(65536).workers(1));
             ChildJvm child = ChildJvm.start(EventfdWaiterMain.class, f.context.ringPath().toString())) {
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (!child.log().contains("waiting")) {
                assertTrue(child.process().isAlive(), child.log());
                assertTrue(System.nanoTime() < deadline, "the child never started waiting");
                Thread.sleep(10);
            }
            Thread.sleep(300);
            assertTrue(child.process().isAlive(), "blocked while no event has landed: " + child.log());
            f.writer.nop(42);
            f.submitAll();
            assertEquals(0, child.waitFor(30), child.log());
            assertTrue(child.log().contains("woken with count 1"), child.log());
            assertEquals(42, f.reap(1).get(0).userData(), "the wake-up took no event: the event is still there");
        }
    }

    /**
     * Only the context's user gets the eventfd: the socket file is 0600 whatever the umask, and a peer of another
     * user — here a C client run as nobody after the test opens the file's mode — is refused by its credentials.
     */
    @Test
    @Timeout(120)
    void anotherUserGetsNoEventfd(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir) throws Exception {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(65536).workers(1))) {
            final java.nio.file.Path socket = f.context.eventfdSocket();
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            org.junit.jupiter.api.Assumptions.assumeTrue(io.aioring.linux.Linux.geteuid() == 0,
                "running another user's process needs root (runuser)");
            final java.nio.file.Path client = dir.resolve("eventfd_client");
            final Process gcc;
            try {
                gcc = new ProcessBuilder("gcc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-Wall", "-Werror", "-o", client.toString(),
                    java.nio.file.Path.of("src/test/c/eventfd_client.c").toAbsolutePath().toString()).redirectErrorStream(true).start();
            } catch (final java.io.IOException e) {
                org.junit.jupiter.api.Assumptions.abort("gcc is not installed (apt-get install gcc): " + e.getMessage());
                return;
            }
            final String compiled = new String(gcc.getInputStream().readAllBytes());
            assertEquals(0, gcc.waitFor(), compiled);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(client, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            assertEquals("fd", run(client.toString(), socket.toString()), "the owner gets it");
            assertEquals("no connection", run("runuser", "-u", "nobody", "--", client.toString(), socket.toString()),
                "the file's mode keeps another user out");
            // Open the mode as a careless umask would have: the peer's credentials still refuse it.
            Files.setPosixFilePermissions(socket, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            assertEquals("refused", run("runuser", "-u", "nobody", "--", client.toString(), socket.toString()),
                "another user's peer credentials");
            assertEquals("fd", run(client.toString(), socket.toString()), "and the owner still gets it");
        }
    }

    private static String run(final String... command) throws Exception {
        final Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        final String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + new String(p.getErrorStream().readAllBytes()));
        return out;
    }

    @Test
    void theSocketFileIsBesideTheRing() {
        try (ContextFixture f = new ContextFixture(TestBackend.params().ringDataBytes(65536).workers(1))) {
            assertEquals(f.context.ringPath() + ".sock", f.context.eventfdSocket().toString());
            assertTrue(Files.exists(f.context.eventfdSocket()));
        }
    }
}
