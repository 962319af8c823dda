package io.aioring.ring;

/**
 * A value read from a live ring's shared memory is impossible: head beyond tail, more unread bytes than the data
 * area holds, a record length out of range or misaligned, a filler that does not run to the end. The ring can no
 * longer be trusted; nothing was read past the bad value.
 */
public final class RingCorruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The shared-memory word found wrong. */
    private final String field;
    /** What it held. */
    private final long value;

    /**
     * A word read from shared memory is impossible.
     *
     * @param field  the word
     * @param value  what it held
     * @param detail why that cannot be
     */
    public RingCorruptedException(final String field, final long value, final String detail) {
        super("ring corrupted: " + field + " = " + value + ": " + detail);
        this.field = field;
        this.value = value;
    }

    /**
     * Touching the mapping faulted: the ring file was truncated under it (the kernel raises SIGBUS, which the JVM
     * turns into an InternalError in the thread that touched the lost page).
     *
     * @param fault the InternalError the JVM raised for the fault
     * @return the exception, the fault its cause
     */
    public static RingCorruptedException mappingFault(final InternalError fault) {
        final RingCorruptedException e = new RingCorruptedException("mapping", 0, "a fault touching the ring's memory ("
            + fault.getMessage() + "): its file was truncated under the mapping");
        e.initCause(fault);
        return e;
    }

    /** {@return the name of the header field or record field that holds the impossible value} */
    public String field() {
        return field;
    }

    /** {@return the impossible value, as read} */
    public long value() {
        return value;
    }
}
