package io.aioring.abi.engine;

import static io.aioring.abi.layout.IocbDescriptor.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.spi.AioAttribute;
import io.aioring.abi.spi.Operation;
import io.aioring.linux.Errno;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One accepted iocb, from submit until its event is in the ring: a slot of a fixed pool made at setup, so no I/O
 * allocates. Its fields change only through its own methods; its state moves
 * FREE -> QUEUED -> RUNNING -> DONE -> FREE, or QUEUED -> CANCELLED -> DONE when cancelled before it started.
 * What an attribute sees of it is the {@link Operation} view.
 */
final class InFlight extends IocbResult {
    static final int FREE = 0;
    static final int QUEUED = 1;
    static final int RUNNING = 2;
    static final int CANCELLED = 3;
    static final int DONE = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(InFlight.class, "state", int.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    /** Whether a thread awaits its event. */
    private final AwaitWord await = new AwaitWord();

    /** Its link, fd slots and deadline entry. */
    private final Links links = new Links();
    /** Its attribute requests and their run. */
    private final AttributeRun run;
    /** Its copies of what the kernel reads later (iovecs, msghdr, path). */
    private final OpMemory memory = new OpMemory();
    /** Where its event went when the ring had no room. */
    private final Placement placement = new Placement();
    /** Whoever runs the call serves readNoWait and transferLength (its own errno and scratch). */
    private SyncCalls calls;

    /** This slot's place in the engine's pool (-1: a carrier of one multishot event, made when the pool was empty). */
    private final int index;
    /** Counts the iocbs this slot has carried, so that a late cancel or CQE for an earlier one is told apart. */
    private int incarnation;
    /** Next in the readiness waiter list of its fd (threads backend). */
    InFlight nextWaiter;
    /** A cancel was asked for while it ran: a backend that has not handed it to the kernel yet finishes it -ECANCELED. */
    private volatile boolean cancelRequested;
    /** How the backend issued it. */
    private final IssueMarks issue = new IssueMarks();
    /**
     * The JFR completion event begun at submit, while a recording asks for them; else null. Typed Object so that
     * this class never needs jdk.jfr (a runtime may lack it: {@link FlightRecorderSupport}).
     */
    private Object flightRecord;
    private int executionPath;
    /** The submit call that accepted it (0: none). */
    private long submitCall;
    /** Its page-cache count: {@link #measureResidentBytes()}'s, or its watched attempt's. */
    final ResidentCount resident = new ResidentCount();

    InFlight(final int index, final int maxReturnBytes) {
        this.index = index;
        this.run = new AttributeRun(maxReturnBytes);
    }

    /** @return its attribute requests and their run */
    AttributeRun run() {
        return run;
    }

    /** @return its copies of what the kernel reads later */
    OpMemory memory() {
        return memory;
    }

    /** @return whether a thread awaits its event */
    AwaitWord await() {
        return await;
    }

    /** @return its link, fd slots and deadline entry */
    Links links() {
        return links;
    }

    /** @return where its event went when the ring had no room */
    Placement placement() {
        return placement;
    }

    /** @return how the backend issued it */
    IssueMarks issue() {
        return issue;
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
        copy(batch, index);
        clearResult();
        links.reset();
        placement.reset();
        run.reset();
        memory.reset();
        issue.reset();
        calls = null;
        resident.reset();
        flightRecord = null;
        executionPath = PATH_WORKER;
        cancelRequested = false;
        nextWaiter = null;
        incarnation++;
        await.reset(incarnation);
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
        run.reset();
        preResult = 0;
        result = moreResult;
        eventFlags = EventDescriptor.FLAG_MORE;
        placement.reset();
        timeoutMillis = 0;
        links.reset();
        submitNanos = parent.submitNanos;
        startNanos = parent.startNanos;
        completeNanos = System.nanoTime();
        incarnation++;
    }

    /** @return how many iocbs this slot has carried (with {@link #index()}, names this iocb and no other) */
    int incarnation() {
        return incarnation;
    }

    int index() {
        return index;
    }

    /**
     * @return true if the engine has something to do when it completes, before its event is posted: a deadline to
     *         drop, a link to follow, an fd slot to settle
     */
    boolean hasCompletionWork() {
        return (iocbFlags & (FLAG_LINK | FLAG_HARDLINK | FLAG_FIXED_FD | FLAG_TO_SLOT)) != 0 || timeoutMillis != 0
            || OpDef.of(opcode).done() != null;
    }

    /** Resolves FIXED_FD: from now on {@link #fd()} is the slot's fd, and the slot counts this iocb as a user. */
    void useSlot(final int slot, final int realFd) {
        links.slotInUse(slot);
        fd = realFd;
    }

    /** A close of a slot: the fd it closes, which left the slot. */
    void closeDetached(final int realFd) {
        fd = realFd;
    }

    /** @return the event's length: header plus the return records */
    int eventLength() {
        return EventDescriptor.HEADER_LENGTH + run.returnsLength();
    }

    // Operation, as the attribute being called sees it.

    @Override
    public DirectBuffer request() {
        return run.requests();
    }

    @Override
    public int requestIndex() {
        return run.requestIndex(run.current());
    }

    @Override
    public int requestLength() {
        return run.requestLength(run.current());
    }

    @Override
    public MutableDirectBuffer scratch() {
        return run.scratch();
    }

    @Override
    public int scratchIndex() {
        return run.current() * AioAttribute.SCRATCH_BYTES;
    }

    @Override
    public int executionPath() {
        return executionPath;
    }

    void executionPath(final int path) {
        executionPath = path;
    }

    @Override
    public void tryNoWaitFirst() {
        if (OpcodeDescriptor.has(opcode, OpcodeDescriptor.READS_FILE)) {
            issue.noWaitWanted(true);
        }
    }

    @Override
    public long noWaitResult() {
        return issue.noWaitResult();
    }

    @Override
    public long measureResidentBytes() {
        final long counted = calls == null ? RESIDENT_UNKNOWN : calls.residentBytes(this);
        if (!resident.pending()) {
            resident.counted(counted);
        }
        return counted;
    }

    @Override
    public long residentBytes() {
        return resident.bytes();
    }

    @Override
    public int residentSource() {
        return resident.source();
    }

    /** Starts this iocb's JFR completion event, if a recording wants them; at submit, after {@link #queue}. */
    void beginFlightRecord() {
        if (FlightRecorderSupport.AVAILABLE && FlightRecorderGate.started()) {
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
        if (!OpcodeDescriptor.has(opcode, OpcodeDescriptor.MOVES_BYTES)) {
            return 0;
        }
        if (OpcodeDescriptor.has(opcode, OpcodeDescriptor.USES_IOVECS) || OpcodeDescriptor.has(opcode, OpcodeDescriptor.USES_MSGHDR)) {
            return calls == null ? 0 : Math.max(0, calls.transferLength(this));
        }
        return Integer.toUnsignedLong(lengthOrCount);
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
        return io.aioring.abi.layout.EventEncoder.encode(target, index, userData, result, eventFlags, opcode, run.count(),
            sequence, run.returnsIfAny(), run.returnsLength());
    }
}
