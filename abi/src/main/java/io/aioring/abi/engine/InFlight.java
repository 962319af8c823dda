package io.aioring.abi.engine;

import static io.aioring.abi.layout.IocbDescriptor.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.aioring.abi.Opcode;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.spi.AioAttribute;
import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One accepted iocb, from submit until its event is in the ring: a slot of a fixed pool made at setup, so no I/O
 * allocates. Its fields change only through its own methods; its state moves
 * FREE -> QUEUED -> RUNNING -> DONE -> FREE, or QUEUED -> CANCELLED -> DONE when cancelled before it started.
 * What an attribute sees of it is the {@link Operation} view.
 */
public final class InFlight implements Operation {
    static final int FREE = 0;
    static final int QUEUED = 1;
    static final int RUNNING = 2;
    static final int CANCELLED = 3;
    static final int DONE = 4;

    /** The most attribute requests one iocb may carry. */
    public static final int MAX_ATTRIBUTES = 16;

    private static final VarHandle STATE;
    private static final VarHandle AWAIT;

    /** await word, low byte: no one awaits this iocb. */
    static final int AWAIT_NONE = 0;
    /** await word, low byte: a thread awaits its event; it will not go into the ring. */
    static final int AWAIT_WAITING = 2;
    /** await word, low byte: its event is being handed to the awaiting thread. */
    static final int AWAIT_DELIVERING = 3;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(InFlight.class, "state", int.class);
            AWAIT = MethodHandles.lookup().findVarHandle(InFlight.class, "awaitWord", long.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    /** The incarnation (high 32 bits) and AWAIT_* (low byte): so an await never lands on a later iocb of the slot. */
    @SuppressWarnings("unused") // through AWAIT
    private volatile long awaitWord;
    /** Where the awaited event goes. */
    private Awaiter awaiter;

    // The iocb, copied at submit.
    private int opcode;
    private int iocbFlags;
    private int fd;
    private long offset;
    private long address;
    private int lengthOrCount;
    private int opFlags;
    private int mode;
    private long userData;
    /** 0, or the iocb's timeout_ms: cancelled (and completed -ETIME) that long after submit. */
    private long timeoutMillis;
    /** Its place in the scheduler's deadline heap, or -1 (changed only under the scheduler's lock). */
    private int deadlineIndex = -1;
    /** Its timeout_ms passed: a -ECANCELED result becomes -ETIME. */
    private volatile boolean timedOut;
    /** The iocb linked after this one (LINK or HARDLINK): started, or cancelled, when this one completes. */
    private InFlight linkNext;
    /** The fd slot this iocb uses (FIXED_FD), counted in the slot until it completes; -1: none. */
    private int slotInUse;
    /** The fd slot reserved for the fd this openat or accept makes (TO_SLOT); -1: none. */
    private int slotTarget;
    /** Made on first use: most slots of a large pool never carry attributes, and hot slots are reused (LIFO). */
    private UnsafeBuffer requests;
    private int attributeCount;
    private final AioAttribute[] attributes = new AioAttribute[MAX_ATTRIBUTES];
    private final int[] requestIds = new int[MAX_ATTRIBUTES];
    private final int[] requestFlags = new int[MAX_ATTRIBUTES];
    private final int[] requestIndex = new int[MAX_ATTRIBUTES];
    private final int[] requestLength = new int[MAX_ATTRIBUTES];
    /** 0, or the -errno this iocb fails with before any I/O (found at submit, or cancelled). */
    private long preResult;
    /** With preResult: the attribute request that caused it, or -1. */
    private int failedAttribute;

    // Progress.
    private long submitNanos;
    private long startNanos;
    private long completeNanos;
    /** No sequence yet: the event has not been placed in the ring nor on the overflow list. */
    static final long NO_SEQUENCE = -1;
    private long sequence = NO_SEQUENCE;
    private boolean spilled;
    private int spillEnd;
    private long result;
    private boolean early;
    private int eventFlags;
    /** The attribute whose hook runs now (what {@link #requestIndex()} and {@link #scratchIndex()} refer to). */
    private int current;
    /** Bit i: attribute i's before hook failed. */
    private int failedBefore;
    /** Bit i: attribute i has a before hook to run. */
    private int beforeHooks;
    /** Whoever runs the call serves readNoWait and transferLength (its own errno and scratch). */
    private SyncCalls calls;

    /** This slot's place in the engine's pool (-1: a carrier of one multishot event, made when the pool was empty). */
    private final int index;
    /** Counts the iocbs this slot has carried, so that a late cancel or CQE for an earlier one is told apart. */
    private int incarnation;
    /** Next in the readiness waiter list of its fd (threads backend). */
    InFlight nextWaiter;
    /** The threads backend's readiness thread holds it, waiting for its fd: a cancel can stop it there. */
    private volatile boolean waitingReadiness;
    /** A cancel was asked for while it ran: a backend that has not handed it to the kernel yet finishes it -ECANCELED. */
    private volatile boolean cancelRequested;
    /** The engine added RWF_NOWAIT to its io_uring request: -EAGAIN means "re-issue without it". */
    private boolean noWaitIssued;
    /** An attribute asked for the first attempt to be made with RWF_NOWAIT, and to see its result. */
    private boolean noWaitWanted;
    private long noWaitResult = NO_ATTEMPT;
    private long requestedBytes;
    /**
     * The JFR completion event begun at submit, while a recording asks for them; else null. Typed Object so that
     * this class never needs jdk.jfr (a runtime may lack it: {@link FlightRecorderSupport}).
     */
    private Object flightRecord;
    private int executionPath;
    /** The threads backend started it on the submitting thread (before hooks run, RWF_NOWAIT tried). */
    private boolean startedInline;
    private long submitBatch;
    /** The engine's copy of a preadv/pwritev's iovec array, made on first use (IOV_MAX entries). */
    private UnsafeBuffer iovecs;
    /** 0: not copied yet; 1: copied and every buffer registered; negative: the -errno the check gave. */
    private long iovecsChecked;
    /** The engine's copy of a recvmsg/sendmsg struct msghdr, pointing at the iovec copy; made on first use. */
    private UnsafeBuffer msghdr;
    /** Re-pointed at the caller's msghdr (registered memory, checked) for the copy back. */
    private UnsafeBuffer callerMsghdr;
    /** NUL-terminated copy of an openat path, for a backend that hands it to the kernel later; made on first use. */
    private java.lang.foreign.MemorySegment path;
    /** The submit call that accepted it (0: none). */
    private long submitCall;
    /** {@link #measureResidentBytes()}'s count, or RESIDENT_UNKNOWN. */
    private long residentBytes = RESIDENT_UNKNOWN;

    /** Scratch for attributes between their hooks; made on first use. */
    private UnsafeBuffer scratch;
    /** The return records, built after the operation; made on first use. */
    private UnsafeBuffer returns;
    private final int maxReturnBytes;
    private int returnsLength;

    InFlight(final int index, final int maxReturnBytes) {
        this.index = index;
        this.maxReturnBytes = Math.max(8, maxReturnBytes);
    }

    // State.

    void queue(final long acceptedNanos) {
        submitNanos = acceptedNanos;
        submitCall = 0;
        state = QUEUED;
    }

    /** @param call the number of the submit call that accepted it (0: none, e.g. execute) */
    void submitCall(final long call) {
        submitCall = call;
    }

    /** @return the number of the submit call that accepted it; 0 for none */
    long submitCall() {
        return submitCall;
    }

    /**
     * Moves QUEUED to RUNNING. If it was cancelled meanwhile it stays cancelled and will complete -ECANCELED
     * without running.
     */
    void start(final long nanos, final SyncCalls runner) {
        startNanos = nanos;
        calls = runner;
        if (!STATE.compareAndSet(this, QUEUED, RUNNING)) {
            fail(-Errno.ECANCELED, -1);
        }
    }

    /** @return true if it was queued and is now cancelled (it will complete -ECANCELED without running) */
    boolean cancel() {
        return STATE.compareAndSet(this, QUEUED, CANCELLED);
    }

    /** Cancels it if it has not started; for stopping the engine. */
    void cancelIfQueued() {
        STATE.compareAndSet(this, QUEUED, CANCELLED);
    }

    void done() {
        state = DONE;
    }

    void free() {
        state = FREE;
    }

    boolean isQueued() {
        return state == QUEUED;
    }

    boolean isRunning() {
        return state == RUNNING;
    }

    // Filled by the decoder.

    /** Copies the fixed fields of the iocb at {@code index} (already checked for shape) and clears the rest. */
    void load(final DirectBuffer batch, final int index) {
        opcode = batch.getShort(index + OPCODE_OFFSET) & 0xFFFF;
        iocbFlags = batch.getShort(index + FLAGS_OFFSET) & 0xFFFF;
        fd = batch.getInt(index + FD_OFFSET);
        offset = batch.getLong(index + OFFSET_OFFSET);
        address = batch.getLong(index + ADDRESS_OFFSET);
        lengthOrCount = batch.getInt(index + LENGTH_OR_COUNT_OFFSET);
        opFlags = batch.getInt(index + OP_FLAGS_OFFSET);
        mode = batch.getInt(index + MODE_OFFSET);
        userData = batch.getLong(index + USER_DATA_OFFSET);
        timeoutMillis = Integer.toUnsignedLong(batch.getInt(index + TIMEOUT_MS_OFFSET));
        timedOut = false;
        linkNext = null;
        slotInUse = -1;
        slotTarget = -1;
        preResult = 0;
        failedAttribute = -1;
        submitNanos = 0;
        startNanos = 0;
        completeNanos = 0;
        result = 0;
        early = false;
        eventFlags = 0;
        sequence = NO_SEQUENCE;
        spilled = false;
        failedBefore = 0;
        beforeHooks = 0;
        returnsLength = 0;
        attributeCount = 0;
        calls = null;
        noWaitIssued = false;
        iovecsChecked = 0;
        noWaitWanted = false;
        noWaitResult = NO_ATTEMPT;
        residentBytes = RESIDENT_UNKNOWN;
        requestedBytes = 0;
        flightRecord = null;
        executionPath = PATH_WORKER;
        submitBatch = 0;
        startedInline = false;
        waitingReadiness = false;
        cancelRequested = false;
        nextWaiter = null;
        incarnation++;
        awaitWord = (long) incarnation << 32;
        awaiter = null;
    }

    /**
     * A thread wants this iocb's event (the {@code incarnation} it found) for itself.
     *
     * @return true if it is now awaited: its event will go to {@code who}, not into the ring
     */
    boolean claimForAwait(final int seenIncarnation, final Awaiter who) {
        awaiter = who;
        return AWAIT.compareAndSet(this, (long) seenIncarnation << 32 | AWAIT_NONE, (long) seenIncarnation << 32 | AWAIT_WAITING);
    }

    /** The awaiting thread gives up (timed out, or found the iocb done): @return true if its event will go to the ring */
    boolean unclaimForAwait(final int seenIncarnation) {
        return AWAIT.compareAndSet(this, (long) seenIncarnation << 32 | AWAIT_WAITING, (long) seenIncarnation << 32 | AWAIT_NONE);
    }

    /** On completion: @return the awaiter its event must go to, or null (the ring) */
    Awaiter takeAwaiter() {
        final long word = awaitWord;
        if ((word & 0xFF) == AWAIT_WAITING && AWAIT.compareAndSet(this, word, (word & ~0xFFL) | AWAIT_DELIVERING)) {
            return awaiter;
        }
        return null;
    }

    int awaitState() {
        return (int) (awaitWord & 0xFF);
    }

    boolean isDone() {
        return state == DONE || state == FREE;
    }

    /** @return true from submit until it is done: queued (or held by a link), cancelled, or running */
    boolean isInFlight() {
        final int now = state;
        return now == QUEUED || now == RUNNING || now == CANCELLED;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    void requestCancel() {
        cancelRequested = true;
    }

    /**
     * Makes this slot carry one event of a multishot iocb that goes on: {@code parent}'s user data and opcode,
     * {@code result}, flag MORE, and no attribute records (those ride on the multishot iocb's last event).
     */
    void loadMoreEvent(final InFlight parent, final long moreResult) {
        opcode = parent.opcode;
        userData = parent.userData;
        fd = parent.fd;
        iocbFlags = 0;
        attributeCount = 0;
        returnsLength = 0;
        preResult = 0;
        result = moreResult;
        eventFlags = EventDescriptor.FLAG_MORE;
        sequence = NO_SEQUENCE;
        spilled = false;
        timeoutMillis = 0;
        linkNext = null;
        slotInUse = -1;
        slotTarget = -1;
        submitNanos = parent.submitNanos;
        startNanos = parent.startNanos;
        completeNanos = System.nanoTime();
        incarnation++;
    }

    /** @return how many iocbs this slot has carried (with {@link #index()}, names this iocb and no other) */
    int incarnation() {
        return incarnation;
    }

    boolean multishot() {
        return (iocbFlags & FLAG_MULTISHOT) != 0;
    }

    boolean waitingReadiness() {
        return waitingReadiness;
    }

    void waitingReadiness(final boolean waiting) {
        waitingReadiness = waiting;
    }

    int index() {
        return index;
    }

    boolean noWaitIssued() {
        return noWaitIssued;
    }

    void noWaitIssued(final boolean issued) {
        noWaitIssued = issued;
    }

    /** @return this slot's iovec copy (IOV_MAX struct iovec), made in {@code arena} the first time */
    UnsafeBuffer iovecBuffer(final java.lang.foreign.Arena arena) {
        if (iovecs == null) {
            final int bytes = SyncCalls.IOV_MAX * io.aioring.linux.Linux.IOVEC_SIZE;
            iovecs = new UnsafeBuffer(arena.allocate(bytes, 8).address(), bytes);
        }
        return iovecs;
    }

    /** @return this slot's struct msghdr copy, made in {@code arena} the first time */
    UnsafeBuffer msghdrBuffer(final java.lang.foreign.Arena arena) {
        if (msghdr == null) {
            msghdr = new UnsafeBuffer(arena.allocate(io.aioring.linux.Linux.MSGHDR_SIZE, 8).address(), io.aioring.linux.Linux.MSGHDR_SIZE);
        }
        return msghdr;
    }

    /**
     * After a recvmsg: copies what the kernel wrote into the engine's msghdr copy (msg_namelen, msg_controllen,
     * msg_flags) back into the caller's msghdr, as a direct recvmsg would have left it.
     */
    void copyMsghdrBack() {
        if (iovecsChecked != 1 || msghdr == null) {
            return;
        }
        if (callerMsghdr == null) {
            callerMsghdr = new UnsafeBuffer(0L, 0);
        }
        callerMsghdr.wrap(address, io.aioring.linux.Linux.MSGHDR_SIZE);
        callerMsghdr.putInt(io.aioring.linux.Linux.MSGHDR_NAMELEN, msghdr.getInt(io.aioring.linux.Linux.MSGHDR_NAMELEN));
        callerMsghdr.putLong(io.aioring.linux.Linux.MSGHDR_CONTROLLEN, msghdr.getLong(io.aioring.linux.Linux.MSGHDR_CONTROLLEN));
        callerMsghdr.putInt(io.aioring.linux.Linux.MSGHDR_FLAGS, msghdr.getInt(io.aioring.linux.Linux.MSGHDR_FLAGS));
    }

    /** @return the address of the engine's checked copy of the msghdr (valid once the check passed) */
    long msghdr() {
        return msghdr.addressOffset();
    }

    /** @return the address of the engine's checked copy of the iovecs (valid once the check passed) */
    long iovecs() {
        return iovecs.addressOffset();
    }

    long iovecsChecked() {
        return iovecsChecked;
    }

    void iovecsChecked(final long result) {
        iovecsChecked = result;
    }

    /** @return this slot's path buffer (PATH_MAX bytes), made in {@code arena} the first time */
    java.lang.foreign.MemorySegment pathBuffer(final java.lang.foreign.Arena arena) {
        if (path == null) {
            path = arena.allocate(SyncCalls.PATH_MAX, 8);
        }
        return path;
    }

    /** Copies the iocb's attribute requests ({@code length} bytes from {@code index}). */
    void loadRequests(final DirectBuffer batch, final int index, final int length) {
        requests().putBytes(0, batch, index, length);
    }

    UnsafeBuffer requests() {
        if (requests == null) {
            requests = new UnsafeBuffer(new byte[MAX_LENGTH - HEADER_LENGTH]);
        }
        return requests;
    }

    /** Request {@code i}: its id, flags, payload position and length, and the attribute that runs it (null: unsupported). */
    void request(final int i, final int id, final int flags, final int payloadIndex, final int payloadLength,
                 final AioAttribute attribute, final boolean hasBeforeHook) {
        if (hasBeforeHook) {
            beforeHooks |= 1 << i;
        }
        requestIds[i] = id;
        requestFlags[i] = flags;
        requestIndex[i] = payloadIndex;
        requestLength[i] = payloadLength;
        attributes[i] = attribute;
    }

    void attributeCount(final int count) {
        attributeCount = count;
    }

    /** The iocb will complete with {@code errno} (negative) and do no I/O; {@code attribute} caused it, or -1. */
    void fail(final long errno, final int attribute) {
        preResult = errno;
        failedAttribute = attribute;
    }

    boolean failed() {
        return preResult != 0;
    }

    int iocbFlags() {
        return iocbFlags;
    }

    int mode() {
        return mode;
    }

    // Running.

    long preResult() {
        return preResult;
    }

    int failedAttribute() {
        return failedAttribute;
    }

    int attributeCount() {
        return attributeCount;
    }

    AioAttribute attribute(final int i) {
        return attributes[i];
    }

    int requestId(final int i) {
        return requestIds[i];
    }

    int requestFlags(final int i) {
        return requestFlags[i];
    }

    int requestIndex(final int i) {
        return requestIndex[i];
    }

    int requestLength(final int i) {
        return requestLength[i];
    }

    void current(final int i) {
        current = i;
    }

    /** @return bit i set when attribute i has a before hook to run */
    int beforeHooks() {
        return beforeHooks;
    }

    void markBeforeFailed(final int i) {
        failedBefore |= 1 << i;
    }

    boolean beforeFailed(final int i) {
        return (failedBefore & (1 << i)) != 0;
    }

    void finish(final long callResult, final long nanos) {
        result = timedOut && callResult == -Errno.ECANCELED ? -Errno.ETIME : callResult;
        completeNanos = nanos;
    }

    long timeoutMillis() {
        return timeoutMillis;
    }

    int deadlineIndex() {
        return deadlineIndex;
    }

    void deadlineIndex(final int at) {
        deadlineIndex = at;
    }

    void markTimedOut() {
        timedOut = true;
    }

    /** @return true once its timeout_ms (or, for a timeout iocb, its time) has come due */
    boolean timedOut() {
        return timedOut;
    }

    /**
     * @return true if the engine has something to do when it completes, before its event is posted: a deadline to
     *         drop, a link to follow, an fd slot to settle
     */
    boolean hasCompletionWork() {
        return (iocbFlags & (FLAG_LINK | FLAG_HARDLINK | FLAG_FIXED_FD | FLAG_TO_SLOT)) != 0 || timeoutMillis != 0
            || opcode == Opcode.RECVMSG;
    }

    InFlight linkNext() {
        return linkNext;
    }

    void linkNext(final InFlight next) {
        linkNext = next;
    }

    int slotInUse() {
        return slotInUse;
    }

    int slotTarget() {
        return slotTarget;
    }

    /** Resolves FIXED_FD: from now on {@link #fd()} is the slot's fd, and the slot counts this iocb as a user. */
    void useSlot(final int slot, final int realFd) {
        slotInUse = slot;
        fd = realFd;
    }

    /** A close of a slot: the fd it closes, which left the slot. */
    void closeDetached(final int realFd) {
        fd = realFd;
    }

    void slotTarget(final int slot) {
        slotTarget = slot;
    }

    /** Replaces the result (a TO_SLOT openat/accept answers with the slot, not the fd). */
    void replaceResult(final long newResult) {
        result = newResult;
    }

    /** The result stays what a before hook set ({@link #completeEarly}); only the time is taken. */
    void finishEarly(final long nanos) {
        completeNanos = nanos;
    }

    UnsafeBuffer returns() {
        if (returns == null) {
            returns = new UnsafeBuffer(new byte[maxReturnBytes]);
        }
        return returns;
    }

    void returnsLength(final int length) {
        returnsLength = length;
    }

    /** @return the return records' buffer if it was ever made, else null (then {@link #returnsLength()} is 0) */
    UnsafeBuffer returnsIfAny() {
        return returns;
    }

    int returnsLength() {
        return returnsLength;
    }

    int eventFlags() {
        return eventFlags;
    }

    void markOverflowed() {
        eventFlags |= EventDescriptor.FLAG_OVERFLOWED;
    }

    /** The event's sequence, fixed when it went to the overflow list; or {@link #NO_SEQUENCE} until it is placed. */
    long sequence() {
        return sequence;
    }

    void sequence(final long placed) {
        sequence = placed;
    }

    /** @return true if the event is also in the overflow file (a record there to consume once it enters the ring) */
    boolean spilled() {
        return spilled;
    }

    /** @return the overflow file's counter just past this event's record (and any filler before it) */
    int spillEnd() {
        return spillEnd;
    }

    /** @param end the overflow file's counter just past this event's record: it is in the file */
    void spilledTo(final int end) {
        spilled = true;
        spillEnd = end;
    }

    boolean overflowed() {
        return (eventFlags & EventDescriptor.FLAG_OVERFLOWED) != 0;
    }

    /** @return the event's length: header plus the return records */
    int eventLength() {
        return EventDescriptor.HEADER_LENGTH + returnsLength;
    }

    // Operation, as the attribute being called sees it.

    @Override
    public int opcode() {
        return opcode;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public long offset() {
        return offset;
    }

    @Override
    public long address() {
        return address;
    }

    @Override
    public int lengthOrCount() {
        return lengthOrCount;
    }

    @Override
    public int opFlags() {
        return opFlags;
    }

    @Override
    public long userData() {
        return userData;
    }

    @Override
    public long submitNanos() {
        return submitNanos;
    }

    @Override
    public long startNanos() {
        return startNanos;
    }

    @Override
    public long completeNanos() {
        return completeNanos;
    }

    @Override
    public long result() {
        return result;
    }

    @Override
    public void completeEarly(final long earlyResult) {
        result = earlyResult;
        early = true;
    }

    @Override
    public boolean completedEarly() {
        return early;
    }

    @Override
    public DirectBuffer request() {
        return requests();
    }

    @Override
    public int requestIndex() {
        return requestIndex[current];
    }

    @Override
    public int requestLength() {
        return requestLength[current];
    }

    @Override
    public MutableDirectBuffer scratch() {
        if (scratch == null) {
            scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(AioAttribute.SCRATCH_BYTES * MAX_ATTRIBUTES, 64));
        }
        return scratch;
    }

    @Override
    public int scratchIndex() {
        return current * AioAttribute.SCRATCH_BYTES;
    }

    @Override
    public int executionPath() {
        return executionPath;
    }

    void executionPath(final int path) {
        executionPath = path;
    }

    boolean startedInline() {
        return startedInline;
    }

    void startedInline(final boolean started) {
        startedInline = started;
    }

    /** @return the io_uring submit batch this iocb went out in (0: none) */
    long batch() {
        return submitBatch;
    }

    void batch(final long id) {
        submitBatch = id;
    }

    @Override
    public void tryNoWaitFirst() {
        if (Opcode.isRead(opcode)) {
            noWaitWanted = true;
        }
    }

    @Override
    public long noWaitResult() {
        return noWaitResult;
    }

    @Override
    public long measureResidentBytes() {
        residentBytes = calls == null ? RESIDENT_UNKNOWN : calls.residentBytes(this);
        return residentBytes;
    }

    @Override
    public long residentBytes() {
        return residentBytes;
    }

    boolean noWaitWanted() {
        return noWaitWanted;
    }

    void noWaitResult(final long result) {
        noWaitResult = result;
    }

    /** Starts this iocb's JFR completion event, if a recording wants them; at submit, after {@link #queue}. */
    void beginFlightRecord() {
        if (FlightRecorderSupport.AVAILABLE) {
            flightRecord = FlightRecorderEvents.begin();
        }
    }

    /** Ends and commits (if over its threshold) this iocb's JFR completion event; once, as it completes. */
    void endFlightRecord(final String ring) {
        final Object event = flightRecord;
        if (event != null) {
            flightRecord = null;
            FlightRecorderEvents.end(this, (CompletionEvent) event, ring);
        }
    }

    /** @return the bytes this iocb asked to move, for a byte-moving opcode; 0 if not known (never started) */
    long askedBytes() {
        if (!Opcode.movesBytes(opcode)) {
            return 0;
        }
        if (Opcode.usesIovecs(opcode) || Opcode.usesMsghdr(opcode)) {
            return calls == null ? 0 : Math.max(0, calls.transferLength(this));
        }
        return Integer.toUnsignedLong(lengthOrCount);
    }

    /** @return the bytes a read asked for, noted when its RWF_NOWAIT attempt was prepared */
    long requestedBytes() {
        return requestedBytes;
    }

    void requestedBytes(final long bytes) {
        requestedBytes = bytes;
    }

    @Override
    public long transferLength() {
        return calls.transferLength(this);
    }

    /**
     * Writes this iocb's event (header and return records) at {@code index} of {@code target}: the one place the
     * engine turns an iocb into event bytes, for the ring, the overflow file and an awaiting thread alike.
     *
     * @param sequence its sequence, or {@link io.aioring.abi.layout.EventDescriptor#SEQUENCE_NOT_IN_RING}
     * @return the event's length
     */
    int encode(final org.agrona.MutableDirectBuffer target, final int index, final long sequence) {
        return io.aioring.abi.layout.EventEncoder.encode(target, index, userData, result, eventFlags, opcode, attributeCount,
            sequence, returnsIfAny(), returnsLength);
    }
}
