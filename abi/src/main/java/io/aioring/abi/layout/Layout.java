package io.aioring.abi.layout;

/**
 * The arithmetic every format shares, in one place: the 8-byte alignment of iocbs, attribute requests and return
 * records, and the sizes that follow from it.
 */
public final class Layout {
    /** iocbs, attribute requests and attribute return records all start and end on this boundary. */
    public static final int ALIGNMENT = 8;

    private Layout() {
    }

    /**
     * {@return {@code length} rounded up to {@link #ALIGNMENT}}
     *
     * @param length a length in bytes, not negative
     */
    public static int align(final int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * {@return the bytes the record takes in an event, header and padding included}
     *
     * @param payloadLength an attribute return record's payload length
     */
    public static int returnRecordSpan(final int payloadLength) {
        return align(AttributeRecordDescriptor.HEADER_LENGTH + payloadLength);
    }

    /**
     * {@return the bytes the request takes in an iocb, header and padding included}
     *
     * @param payloadLength an attribute request's payload length
     */
    public static int requestSpan(final int payloadLength) {
        return align(AttributeRequestDescriptor.HEADER_LENGTH + payloadLength);
    }
}
