package io.aioring.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

/** gettid, tgkill and the rt_sigaction read that says whether a signal would end a blocked call. */
class SignalsTest {
    @Test
    void aThreadsIdIsTheKernelsAndEachThreadHasItsOwn() throws Exception {
        final int mine = Linux.gettid();
        assertEquals(Path.of("/proc/thread-self").toRealPath().getFileName().toString(), Integer.toString(mine));
        final CompletableFuture<Integer> other = new CompletableFuture<>();
        final Thread thread = new Thread(() -> other.complete(Linux.gettid()));
        thread.start();
        thread.join();
        assertNotEquals(mine, other.get().intValue());
    }

    @Test
    void tgkillReachesOnlyAThreadOfTheProcess() {
        try (Arena scratch = Arena.ofConfined()) {
            final Errno errno = new Errno(scratch);
            final long process = ProcessHandle.current().pid();
            assertEquals(0, Linux.tgkill(errno, process, Linux.gettid(), 0), "signal 0 checks, sends nothing");
            assertEquals(-Errno.ESRCH, Linux.tgkill(errno, process, Integer.MAX_VALUE, 0));
        }
    }

    @Test
    void aSignalInterruptsCallsOnlyWithAHandlerThatDoesNotRestartThem() throws Exception {
        assertFalse(Linux.signalInterruptsCalls(40), "SIGRTMIN + 6: nothing installed, the default would end the process");
        // The JDK's NIO installs a handler that does nothing, without SA_RESTART, for SIGRTMAX - 2 when it loads this.
        Class.forName("sun.nio.ch.NativeThread", true, ClassLoader.getSystemClassLoader());
        assertTrue(Linux.signalInterruptsCalls(62));
    }
}
