package io.aioring.nio;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileLock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

/**
 * A channel's threads that wait for a lock another process holds, and how closing the channel ends their wait.
 * {@code fcntl(F_SETLKW)} blocks in the kernel until the lock is granted, and neither closing the descriptor nor
 * {@link Thread#interrupt} ends it; a signal does. As the JDK's own channels do, the closing thread sends the waiter the
 * signal the JDK's NIO keeps for this ({@code SIGRTMAX - 2}, whose handler does nothing and does not restart the
 * call), again every millisecond until the waiter has left, because one sent just before the call begins is lost.
 * Where that handler is not installed (checked with rt_sigaction, never assumed: the signal's default action would end
 * the process), the waiter tries {@code F_SETLK} every {@value #POLL_MILLIS} ms instead.
 */
final class LockWaits {
    /** SIGRTMAX - 2: the JDK's NIO interrupt signal (sun.nio.ch.NativeThread) with glibc's SIGRTMAX, 64. */
    private static final int INTERRUPT_SIGNAL = 62;
    private static final long POLL_MILLIS = 10;
    private static final boolean SIGNALS = signalsInterrupt();

    /** One thread waiting: signalled only while registered, under its own monitor, so never after it has left. */
    private static final class Waiter {
        private final int thread = Linux.gettid();
        private boolean waiting = true;
    }

    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    /** Whether waits block in F_SETLKW and are ended by the signal, else poll F_SETLK. */
    private final boolean signals;

    /** Waits that a signal ends where the JDK's handler is installed, else polling ones. */
    LockWaits() {
        this(SIGNALS);
    }

    /** @param signals block in F_SETLKW and end the wait by the signal; false: poll F_SETLK */
    LockWaits(final boolean signals) {
        this.signals = signals && SIGNALS;
    }

    /** The JDK installs its handler when it first loads NativeThread; load it, then read what is installed. */
    private static boolean signalsInterrupt() {
        try {
            Class.forName("sun.nio.ch.NativeThread", true, ClassLoader.getSystemClassLoader());
        } catch (final ClassNotFoundException | LinkageError e) {
            return false;
        }
        return Linux.signalInterruptsCalls(INTERRUPT_SIGNAL);
    }

    /**
     * Takes the lock, waiting while another process holds a conflicting one.
     *
     * @param closed whether the channel has closed: checked before each wait
     * @return true once held; false if the channel closed first
     */
    boolean await(final int fd, final FileLock lock, final BooleanSupplier closed) throws IOException {
        final Waiter waiter = new Waiter();
        waiters.add(waiter);
        try {
            while (!closed.getAsBoolean()) {
                if (signals ? FileLocks.take(fd, lock, Linux.F_SETLKW) : FileLocks.take(fd, lock, Linux.F_SETLK)) {
                    return true;
                }
                if (!signals) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
                }
            }
            return false;
        } finally {
            synchronized (waiter) {
                waiter.waiting = false;
            }
            waiters.remove(waiter);
        }
    }

    /** The channel has closed: each waiter is signalled until it has left (with polling, it leaves by itself). */
    void endAll() {
        final long process = ProcessHandle.current().pid();
        try (Arena scratch = Arena.ofConfined()) {
            final Errno errno = new Errno(scratch);
            for (final Waiter waiter : waiters) {
                while (true) {
                    synchronized (waiter) {
                        if (!waiter.waiting) {
                            break;
                        }
                        if (signals) {
                            Linux.tgkill(errno, process, waiter.thread, INTERRUPT_SIGNAL);
                        }
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
        }
    }
}
