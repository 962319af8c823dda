package io.aioring.abi.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The threads backend's way to wait for sockets (and any pollable fd) without holding a thread per wait: one
 * thread and one epoll set. An iocb that would block (recv, send, accept, poll, a connect in progress) is handed
 * here; its fd joins the epoll set, edge-triggered, and stays there while idle (the next wait re-arms it with one
 * MOD, which also tells a reused fd number from the file it named before); each edge retries the iocbs waiting on
 * that fd with calls that never block. Multishot iocbs post an event per result and stay.
 *
 * <p>The waiter lists belong to this thread alone; other threads hand it iocbs and cancels through queues and
 * wake it with an eventfd in the same epoll set.
 */
final class Readiness {
    private static final int MAX_EVENTS = 64;
    private static final long WAKE_DATA = -1L;
    private static final int EDGE_EVENTS = Linux.EPOLLIN | Linux.EPOLLOUT | Linux.EPOLLRDHUP | Linux.EPOLLET;
    private static final int TROUBLE = Linux.EPOLLERR | Linux.EPOLLHUP | Linux.EPOLLRDHUP;

    /** The iocbs waiting on one fd, as a list through {@link InFlight#nextWaiter}. */
    private static final class FdWaiters {
        int fd;
        InFlight first;
    }

    private record Cancel(InFlight op, int incarnation) {
    }

    private final CompletionPoster poster;
    private final Submissions submissions;
    private final SyncCalls calls;
    private final Errno errno;
    /** Package-visible for the context's own descriptors (no iocb may use them). */
    final int epoll;
    final int wakeFd;
    private final MemorySegment events;
    private final MemorySegment oneEvent;
    private final MemorySegment wakeValue;
    private final ManyToOneConcurrentArrayQueue<InFlight> incoming;
    private final ConcurrentLinkedQueue<Cancel> cancels = new ConcurrentLinkedQueue<>();
    /**
     * Cancels that came before their iocb was added here (await marks it waiting, then queues it: a cancel between
     * the two, or one drained before the iocb's turn, finds nothing to unlink). Applied once the iocb is added;
     * dropped once it is no longer waiting. Only this thread touches it.
     */
    private final java.util.ArrayList<Cancel> early = new java.util.ArrayList<>();
    private final Int2ObjectHashMap<FdWaiters> byFd = new Int2ObjectHashMap<>();
    private final Thread thread;
    private volatile boolean sleeping;
    private volatile boolean stopping;

    Readiness(final int slots, final CompletionPoster poster, final Submissions submissions, final SyncCalls calls,
              final Arena arena, final String name) {
        this.poster = poster;
        this.submissions = submissions;
        this.calls = calls;
        this.errno = new Errno(arena);
        this.incoming = new ManyToOneConcurrentArrayQueue<>(slots);
        this.epoll = Linux.epollCreate1(errno, Linux.O_CLOEXEC);
        if (epoll < 0) {
            throw new IllegalStateException("epoll_create1 failed: " + Errno.describeResult(epoll));
        }
        this.wakeFd = Linux.eventfd(errno, 0, Linux.EFD_CLOEXEC | Linux.EFD_NONBLOCK);
        this.events = arena.allocate((long) MAX_EVENTS * Linux.EPOLL_EVENT_SIZE, 8);
        this.oneEvent = arena.allocate(Linux.EPOLL_EVENT_SIZE, 8);
        this.wakeValue = arena.allocate(8, 8);
        if (wakeFd < 0 || control(Linux.EPOLL_CTL_ADD, wakeFd, Linux.EPOLLIN, WAKE_DATA) < 0) {
            Linux.close(errno, epoll);
            if (wakeFd >= 0) {
                Linux.close(errno, wakeFd);
            }
            throw new IllegalStateException("the readiness thread's eventfd could not be made");
        }
        this.thread = EngineThreads.daemon(name + "-readiness", this::loop);
    }

    void start() {
        thread.start();
    }

    /** From any thread: {@code op} (started, its attempt not ready) waits here for its fd. */
    void await(final InFlight op) {
        op.issue().waitingReadiness(true);
        incoming.offer(op);
        wake();
    }

    /**
     * From any thread: asks for {@code op} to stop waiting and complete -ECANCELED.
     *
     * @return true if it was waiting here when asked (it completes -ECANCELED, or with its own result if that came
     *         first)
     */
    boolean cancel(final InFlight op, final int incarnation) {
        if (!op.issue().waitingReadiness() || op.incarnation() != incarnation) {
            return false;
        }
        cancels.offer(new Cancel(op, incarnation));
        wake();
        return true;
    }

    /** Completes every waiting iocb -ECANCELED, then the thread ends; for destroy. */
    void stop() {
        stopping = true;
        wake();
        EngineThreads.joinQuietly(thread);
        Linux.close(errno, epoll);
        Linux.close(errno, wakeFd);
    }

    private void wake() {
        // The thread sets sleeping, then rechecks its queues before epoll_wait (Dekker with the offer above).
        VarHandle.fullFence();
        if (sleeping) {
            wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
            Linux.writeUnchecked(wakeFd, wakeValue.address(), 8);
        }
    }

    private void loop() {
        while (!stopping) {
            drain();
            sleeping = true;
            VarHandle.fullFence();
            final boolean idle = incoming.isEmpty() && cancels.isEmpty() && !stopping;
            final int n = Linux.epollWait(errno, epoll, events.address(), MAX_EVENTS, idle ? -1 : 0);
            sleeping = false;
            if (n < 0 && n != -Errno.EINTR) {
                throw new IllegalStateException("epoll_wait failed: " + Errno.describeResult(n));
            }
            for (int i = 0; i < n; i++) {
                final long at = (long) i * Linux.EPOLL_EVENT_SIZE;
                final int ready = events.get(ValueLayout.JAVA_INT_UNALIGNED, at);
                final long data = events.get(ValueLayout.JAVA_LONG_UNALIGNED, at + Linux.EPOLL_EVENT_DATA);
                if (data == WAKE_DATA) {
                    Linux.read(errno, wakeFd, wakeValue.address(), 8);
                } else {
                    onReady((int) data, ready);
                }
            }
        }
        drain();
        for (final FdWaiters waiters : byFd.values()) {
            for (InFlight op = waiters.first; op != null; ) {
                final InFlight next = op.nextWaiter;
                finish(op, -Errno.ECANCELED);
                op = next;
            }
        }
        byFd.clear();
    }

    private void drain() {
        InFlight op;
        while ((op = incoming.poll()) != null) {
            add(op);
        }
        Cancel cancel;
        while ((cancel = cancels.poll()) != null) {
            if (!applied(cancel)) {
                early.add(cancel); // its iocb is on its way here: applied once it is added
            }
        }
        for (int i = early.size() - 1; i >= 0; i--) {
            if (applied(early.get(i))) {
                early.remove(i);
            }
        }
    }

    /** @return true if {@code cancel} is done with: its iocb was unlinked and finished, or no longer waits */
    private boolean applied(final Cancel cancel) {
        final InFlight target = cancel.op();
        if (target.incarnation() != cancel.incarnation() || !target.issue().waitingReadiness()) {
            return true;
        }
        final FdWaiters waiters = byFd.get(target.fd());
        if (waiters != null && unlink(waiters, target)) {
            finish(target, -Errno.ECANCELED);
            return true;
        }
        return false;
    }

    private void add(final InFlight op) {
        FdWaiters waiters = byFd.get(op.fd());
        boolean fresh = false;
        if (waiters == null || waiters.first == null) {
            // An fd seen before stays in the set while idle, but its number may now name another file (the old
            // one closed, a new one opened): MOD finds the registration only if it is this file's, else ADD.
            int r = waiters == null ? -Errno.ENOENT : control(Linux.EPOLL_CTL_MOD, op.fd(), EDGE_EVENTS, op.fd());
            if (r == -Errno.ENOENT) {
                r = control(Linux.EPOLL_CTL_ADD, op.fd(), EDGE_EVENTS, op.fd());
            }
            if (r < 0) {
                finish(op, r); // EBADF, or EPERM: an fd epoll cannot watch
                return;
            }
            if (waiters == null) {
                waiters = new FdWaiters(); // once per fd number: an idle one is kept
                waiters.fd = op.fd();
                waiters.first = null;
                byFd.put(op.fd(), waiters);
            }
            fresh = true;
        }
        op.nextWaiter = waiters.first;
        waiters.first = op;
        // An ADD or MOD reports the fd's present readiness by itself; an fd that other iocbs wait on already had
        // its edges taken by them, so this one tries now.
        if (!fresh) {
            final long result = attempt(op);
            if (result != SyncCalls.NOT_READY) {
                unlink(waiters, op);
                finish(op, result);
            }
        }
    }

    private void onReady(final int fd, final int ready) {
        final FdWaiters waiters = byFd.get(fd);
        if (waiters == null) {
            return; // its last waiter finished after the edge was queued
        }
        InFlight previous = null;
        for (InFlight op = waiters.first; op != null; ) {
            final InFlight next = op.nextWaiter;
            final long result = (ready & (interest(op) | TROUBLE)) != 0 ? attempt(op) : SyncCalls.NOT_READY;
            if (result != SyncCalls.NOT_READY) {
                // Unlinked before it is posted: once posted, its slot may carry another iocb at once.
                if (previous == null) {
                    waiters.first = next;
                } else {
                    previous.nextWaiter = next;
                }
                finish(op, result);
            } else {
                previous = op;
            }
            op = next;
        }
    }

    /** @return the result {@code op} finishes with, or {@link SyncCalls#NOT_READY} if it waits on */
    private long attempt(final InFlight op) {
        while (true) {
            final OpDef def = OpDef.of(op.opcode());
            final long r = calls.attemptNow(op, def.threads() == OpDef.ThreadsRoute.WORKER_THEN_READINESS);
            if (r == SyncCalls.NOT_READY || !op.multishot() || r < 0) {
                return r;
            }
            poster.complete(submissions.moreEvent(op, r));
            if (def.completion() != OpDef.Completion.MULTISHOT_DRAIN) {
                return SyncCalls.NOT_READY; // a poll waits for its next wake-up; more connections may be queued
            }
        }
    }

    private void finish(final InFlight op, final long result) {
        op.nextWaiter = null;
        op.issue().waitingReadiness(false);
        op.executionPath(Operation.PATH_ASYNC);
        poster.finish(op, result);
    }

    private static boolean unlink(final FdWaiters waiters, final InFlight target) {
        InFlight previous = null;
        for (InFlight op = waiters.first; op != null; op = op.nextWaiter) {
            if (op == target) {
                if (previous == null) {
                    waiters.first = op.nextWaiter;
                } else {
                    previous.nextWaiter = op.nextWaiter;
                }
                op.nextWaiter = null;
                return true;
            }
            previous = op;
        }
        return false;
    }

    private static int interest(final InFlight op) {
        return switch (io.aioring.abi.layout.OpcodeDescriptor.row(op.opcode()).interest()) {
            case io.aioring.abi.layout.OpcodeDescriptor.INTEREST_OUT -> Linux.EPOLLOUT;
            case io.aioring.abi.layout.OpcodeDescriptor.INTEREST_OP_FLAGS -> op.opFlags();
            default -> Linux.EPOLLIN;
        };
    }

    private int control(final int operation, final int fd, final int interest, final long data) {
        oneEvent.set(ValueLayout.JAVA_INT_UNALIGNED, 0, interest);
        oneEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, Linux.EPOLL_EVENT_DATA, data);
        return Linux.epollCtl(errno, epoll, operation, fd, oneEvent.address());
    }
}
