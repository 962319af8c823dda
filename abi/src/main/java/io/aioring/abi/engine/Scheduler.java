package io.aioring.abi.engine;

import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * What starts at a time or after another iocb rather than on submit: {@code timeout} iocbs, which complete -ETIME
 * when their time comes; iocbs with a {@code timeout_ms}, which are cancelled then (and complete -ETIME); and linked
 * iocbs, started here once their predecessor has completed (never on the thread that completed it, which may be
 * inside a backend's completion loop). One thread sleeps until the earliest deadline or the next linked iocb; the
 * deadlines are a binary heap over the slots (each slot has at most one, so the heap never grows), and an iocb that
 * completes first leaves it at once.
 */
final class Scheduler {
    /** Cancels a running iocb that waits for readiness (the backend's part of a deadline). */
    interface RunningCanceller {
        boolean cancelRunning(InFlight op, int incarnation);
    }

    private final CompletionPoster poster;
    /** The backend's part of a deadline, given at start (the backend is made after the scheduler it uses). */
    private RunningCanceller canceller;
    private final ReentrantLock lock = new ReentrantLock();
    private final InFlight[] heap;
    private final long[] deadlines;
    /**
     * Under the lock, by slot: the heap entry is the slot's own {@code timeout} (it completes -ETIME when due), not
     * only a timeout_ms deadline (which cancels). A {@code timeout} iocb with a timeout_ms has one entry, the earlier
     * of the two; whoever finds it due, the scheduler or the iocb's start, finishes it, never both.
     */
    private final boolean[] armed;
    private int size;
    private final Thread thread;
    private final ManyToManyConcurrentArrayQueue<InFlight> linked;
    private Consumer<InFlight> starter;
    private volatile boolean stopping;

    Scheduler(final int slots, final CompletionPoster poster, final String name) {
        this.poster = poster;
        this.linked = new ManyToManyConcurrentArrayQueue<>(slots);
        this.heap = new InFlight[slots];
        this.deadlines = new long[slots];
        this.armed = new boolean[slots];
        this.thread = EngineThreads.daemon(name + "-scheduler", this::loop);
    }

    /**
     * @param start   how a linked iocb is started once its predecessor has completed
     * @param running how a running iocb that waits for readiness is stopped when its deadline comes
     */
    void start(final Consumer<InFlight> start, final RunningCanceller running) {
        this.starter = start;
        this.canceller = running;
        thread.start();
    }

    /** From any thread: {@code next}'s predecessor has completed; start it (on the scheduler's thread). */
    void startLinked(final InFlight next) {
        linked.offer(next);
        LockSupport.unpark(thread);
        if (stopping) {
            startWaitingLinked(); // the thread may be gone: whatever completes during destroy starts its successor here
        }
    }

    private void startWaitingLinked() {
        InFlight next;
        while ((next = linked.poll()) != null) {
            starter.accept(next);
        }
    }

    /**
     * Starts a {@code timeout} iocb (offset: nanoseconds from now) on the submitting thread.
     *
     * @param calls the submitting thread's calls, for the attributes' hooks
     */
    void startTimeout(final InFlight op, final SyncCalls calls) {
        if (AttributeHooks.start(op, calls, Operation.PATH_ASYNC)) {
            poster.complete(op);
            return;
        }
        if (op.offset() < 0) {
            finish(op, -Errno.EINVAL);
            return;
        }
        final long now = System.nanoTime();
        // No overflow: a wait of more than 292 years is a wait until destroy.
        final long deadline = op.offset() > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + op.offset();
        final boolean earliest;
        final boolean alreadyDue;
        lock.lock();
        try {
            alreadyDue = op.timedOut(); // its timeout_ms came due as it started: the scheduler left finishing it to us
            if (alreadyDue) {
                earliest = false;
            } else {
                final int at = op.links().deadlineIndex();
                if (at < 0) {
                    insert(op, deadline);
                } else if (deadline - deadlines[at] < 0) {
                    deadlines[at] = deadline; // its timeout_ms entry, brought forward to the earlier time
                    siftUp(op.links().deadlineIndex());
                }
                armed[op.index()] = true;
                earliest = heap[0] == op;
            }
        } finally {
            lock.unlock();
        }
        if (alreadyDue) {
            finish(op, -Errno.ETIME);
        } else if (earliest) {
            LockSupport.unpark(thread);
        }
    }

    /** At submit: the iocb's timeout_ms starts now. */
    void startDeadline(final InFlight op) {
        add(op, op.submitNanos() + op.timeoutMillis() * 1_000_000L);
    }

    /**
     * A {@code timeout} iocb is cancelled.
     *
     * @return true if it was still waiting (it completes -ECANCELED now)
     */
    boolean cancelTimeout(final InFlight op, final int incarnation) {
        lock.lock();
        try {
            if (op.incarnation() != incarnation || op.links().deadlineIndex() < 0 || !op.isRunning() || !armed[op.index()]) {
                return false;
            }
            remove(op);
        } finally {
            lock.unlock();
        }
        finish(op, -Errno.ECANCELED);
        return true;
    }

    /** {@code op} completes: its deadline, if it has one, is dropped. */
    void completed(final InFlight op) {
        if (op.links().deadlineIndex() >= 0) {
            lock.lock();
            try {
                if (op.links().deadlineIndex() >= 0) {
                    remove(op);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Completes every waiting {@code timeout} iocb -ECANCELED and ends the thread; for destroy. */
    void stop() {
        stopping = true;
        LockSupport.unpark(thread);
        EngineThreads.joinQuietly(thread);
        // Linked iocbs whose predecessor completed meanwhile: the engine has cancelled everything queued, so they
        // complete -ECANCELED as they start.
        startWaitingLinked();
        while (true) {
            final InFlight op;
            final boolean armedTimeout;
            lock.lock();
            try {
                if (size == 0) {
                    return;
                }
                op = heap[0];
                armedTimeout = armed[op.index()];
                remove(op);
            } finally {
                lock.unlock();
            }
            if (armedTimeout) {
                finish(op, -Errno.ECANCELED);
            }
        }
    }

    private void add(final InFlight op, final long deadline) {
        final boolean earliest;
        lock.lock();
        try {
            insert(op, deadline);
            earliest = heap[0] == op;
        } finally {
            lock.unlock();
        }
        if (earliest) {
            LockSupport.unpark(thread);
        }
    }

    /** Under the lock: {@code op} enters the heap (it is in it at most once: its deadline index says where). */
    private void insert(final InFlight op, final long deadline) {
        if (op.links().deadlineIndex() >= 0) {
            throw new IllegalStateException("slot " + op.index() + " is in the deadline heap already");
        }
        final int at = size++;
        heap[at] = op;
        deadlines[at] = deadline;
        armed[op.index()] = false;
        op.links().deadlineIndex(at);
        siftUp(at);
    }

    private void loop() {
        while (!stopping) {
            startWaitingLinked();
            long wait = Long.MAX_VALUE;
            InFlight due = null;
            boolean dueArmed = false;
            lock.lock();
            try {
                if (size > 0) {
                    final long now = System.nanoTime();
                    if (deadlines[0] - now <= 0) {
                        due = heap[0];
                        dueArmed = armed[due.index()];
                        remove(due);
                        // Under the lock: a timeout iocb starting now sees it and finishes itself (startTimeout).
                        due.markTimedOut();
                    } else {
                        wait = deadlines[0] - now;
                    }
                }
            } finally {
                lock.unlock();
            }
            if (due != null) {
                expire(due, dueArmed);
            } else if (!linked.isEmpty()) {
                continue;
            } else if (wait == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, wait);
            }
        }
    }

    /** Outside the lock: a timeout completes; an iocb past its timeout_ms is cancelled (or is marked, if it runs a call). */
    private void expire(final InFlight op, final boolean armedTimeout) {
        if (armedTimeout) {
            finish(op, -Errno.ETIME); // a started timeout iocb: this is its time
            return;
        }
        final int incarnation = op.incarnation();
        if (op.cancel()) {
            return; // it had not started: it completes -ECANCELED, which its mark turns into -ETIME
        }
        if (op.isRunning()) {
            // The backend stops what it can: on io_uring any request still in the kernel (a read of an empty pipe
            // waits there as a recv does); on threads, a wait for readiness. A call under way runs to its end.
            canceller.cancelRunning(op, incarnation);
        }
    }

    private void finish(final InFlight op, final long result) {
        poster.finish(op, result);
    }

    // The heap, under the lock.

    private void remove(final InFlight op) {
        final int at = op.links().deadlineIndex();
        if (at < 0) {
            return;
        }
        op.links().deadlineIndex(-1);
        armed[op.index()] = false;
        final int last = --size;
        if (at != last) {
            heap[at] = heap[last];
            deadlines[at] = deadlines[last];
            heap[at].links().deadlineIndex(at);
            siftDown(at);
            siftUp(at);
        }
        heap[last] = null;
    }

    private void siftUp(int at) {
        while (at > 0) {
            final int parent = (at - 1) >>> 1;
            if (deadlines[parent] - deadlines[at] <= 0) {
                return;
            }
            swap(at, parent);
            at = parent;
        }
    }

    private void siftDown(int at) {
        while (true) {
            final int left = 2 * at + 1;
            if (left >= size) {
                return;
            }
            final int right = left + 1;
            final int child = right < size && deadlines[right] - deadlines[left] < 0 ? right : left;
            if (deadlines[at] - deadlines[child] <= 0) {
                return;
            }
            swap(at, child);
            at = child;
        }
    }

    private void swap(final int a, final int b) {
        final InFlight op = heap[a];
        final long deadline = deadlines[a];
        heap[a] = heap[b];
        deadlines[a] = deadlines[b];
        heap[b] = op;
        deadlines[b] = deadline;
        heap[a].links().deadlineIndex(a);
        heap[b].links().deadlineIndex(b);
    }
}
