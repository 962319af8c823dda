package io.aioring.abi.layout;

/**
 * An iocb in a submitted batch is malformed: its bytes do not follow the layout (a bad length, attribute requests
 * that overrun it, a non-zero reserved field, ...). The batch stopped there: the iocbs before it were accepted
 * and will complete; this one and those after it were not.
 */
public final class IocbFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The malformed iocb's place in its batch. */
    private final int index;
    /** The field that is wrong. */
    private final String field;
    /** What it held. */
    private final long value;
    /** Iocbs of the batch accepted before it. */
    private final int accepted;

    /**
     * An iocb is malformed: it and the rest of its batch are not accepted.
     *
     * @param index    the malformed iocb's place in its batch
     * @param field    the iocb field that is wrong
     * @param value    what it held
     * @param detail   why that is wrong
     * @param accepted the iocbs before it that were accepted
     */
    public IocbFormatException(final int index, final String field, final long value, final String detail, final int accepted) {
        super("iocb " + index + ": " + field + " = " + value + ": " + detail + " (" + accepted + " iocbs before it accepted)");
        this.index = index;
        this.field = field;
        this.value = value;
        this.accepted = accepted;
    }

    /** {@return the position in the batch (from 0) of the malformed iocb} */
    public int index() {
        return index;
    }

    /** {@return the name of the offending field, as in docs/abi.md} */
    public String field() {
        return field;
    }

    /** {@return what the wrong field held} */
    public long value() {
        return value;
    }

    /** {@return how many iocbs of the batch were accepted before this one} */
    public int accepted() {
        return accepted;
    }
}
