package io.aioring.abi.layout;

/** An event's bytes do not follow the layout: a length or attribute record out of bounds. Nothing past it was read. */
public final class EventFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An event is malformed.
     *
     * @param field  the event field that is wrong
     * @param value  what it held
     * @param detail why that is wrong
     */
    public EventFormatException(final String field, final long value, final String detail) {
        super("event corrupted: " + field + " = " + value + ": " + detail);
    }
}
