package io.aioring.abi;

import static io.aioring.abi.layout.EventDescriptor.*;

import io.aioring.abi.layout.EventFormatException;
import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.layout.Layout;
import io.aioring.linux.Errno;

import org.agrona.DirectBuffer;

/**
 * Reads one event in place (a flyweight): wrap it over the payload of a ring record of type
 * {@link EventDescriptor#RECORD_TYPE}. {@link #wrap} checks that the attribute records tile the event exactly,
 * so the accessors never read outside it. Allocates nothing.
 */
public final class EventView {
    private DirectBuffer buffer;
    private int index;
    private int length;

    /** A view over nothing yet: {@link #wrap} points it at an event. */
    public EventView() {
    }

    /**
     * Points this view at the event of {@code length} bytes at {@code index} of {@code buffer}.
     *
     * @param buffer the buffer
     * @param index the byte index in the buffer
     * @param length the length in bytes
     * @return this view, for the next call
     * @throws EventFormatException if the bytes are not a well-formed event
     */
    public EventView wrap(final DirectBuffer buffer, final int index, final int length) {
        if (length < HEADER_LENGTH) {
            throw new EventFormatException("length", length, "shorter than the " + HEADER_LENGTH + "-byte event header");
        }
        final int count = buffer.getShort(index + ATTRIBUTE_COUNT_OFFSET) & 0xFFFF;
        int offset = HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            if (offset + AttributeRecordDescriptor.HEADER_LENGTH > length) {
                throw new EventFormatException("attribute_count", count, "record " + i + " starts past the event's "
                    + length + " bytes");
            }
            final int payload = buffer.getInt(index + offset + AttributeRecordDescriptor.PAYLOAD_LENGTH_OFFSET);
            if (payload < 0 || payload > length - offset - AttributeRecordDescriptor.HEADER_LENGTH) {
                throw new EventFormatException("attribute payload_length", Integer.toUnsignedLong(payload),
                    "record " + i + " runs past the event's " + length + " bytes");
            }
            offset += Layout.returnRecordSpan(payload);
        }
        if (offset != length) {
            throw new EventFormatException("length", length, "the attribute records end at byte " + offset
                + ": they must tile the event exactly");
        }
        this.buffer = buffer;
        this.index = index;
        this.length = length;
        return this;
    }

    /** {@return the buffer the event lies in (the ring's mapping, or a copy); valid only during the handler call} */
    public DirectBuffer buffer() {
        return buffer;
    }

    /** {@return the event's first byte in {@link #buffer()}} */
    public int index() {
        return index;
    }

    /** {@return the event's total length in bytes} */
    public int length() {
        return length;
    }

    /** {@return the iocb's user data, as it was submitted} */
    public long userData() {
        return buffer.getLong(index + USER_DATA_OFFSET);
    }

    /** {@return bytes transferred (or the call's result, e.g. a new fd), or -errno} */
    public long result() {
        return buffer.getLong(index + RESULT_OFFSET);
    }

    /** {@return the event flags, e.g. MORE: more events of this multishot iocb follow (docs/abi.md 2.6)} */
    public int flags() {
        return buffer.getInt(index + FLAGS_OFFSET);
    }

    /** {@return the iocb's opcode ({@link Opcode})} */
    public int opcode() {
        return buffer.getShort(index + OPCODE_OFFSET) & 0xFFFF;
    }

    /** {@return how many attribute records follow the header} */
    public int attributeCount() {
        return buffer.getShort(index + ATTRIBUTE_COUNT_OFFSET) & 0xFFFF;
    }

    /** {@return the context's completion sequence number: 0, 1, 2... in the order events were posted} */
    public long sequence() {
        return buffer.getLong(index + SEQUENCE_OFFSET);
    }

    /** {@return the offset (from {@link #index()}) of the first attribute record, or of nothing if there is none} */
    public int firstAttribute() {
        return HEADER_LENGTH;
    }

    /**
     * {@return the offset of the attribute record after the one at {@code attributeOffset}}
     *
     * @param attributeOffset where the attribute's record begins in the buffer
     */
    public int nextAttribute(final int attributeOffset) {
        return attributeOffset + Layout.returnRecordSpan(attributePayloadLength(attributeOffset));
    }

    /**
     * {@return the id of the attribute record at {@code attributeOffset} (from {@link #index()})}
     *
     * @param attributeOffset where the attribute's record begins in the buffer
     */
    public int attributeId(final int attributeOffset) {
        return buffer.getShort(index + attributeOffset + AttributeRecordDescriptor.ID_OFFSET) & 0xFFFF;
    }

    /**
     * {@return the status of the record at {@code attributeOffset}: handled, unsupported, failed (docs/abi.md 2.7)}
     *
     * @param attributeOffset where the attribute's record begins in the buffer
     */
    public int attributeStatus(final int attributeOffset) {
        return buffer.getByte(index + attributeOffset + AttributeRecordDescriptor.STATUS_OFFSET) & 0xFF;
    }

    /**
     * {@return the payload layout version of the record at {@code attributeOffset}}
     *
     * @param attributeOffset where the attribute's record begins in the buffer
     */
    public int attributeVersion(final int attributeOffset) {
        return buffer.getByte(index + attributeOffset + AttributeRecordDescriptor.VERSION_OFFSET) & 0xFF;
    }

    /**
     * {@return the payload bytes of the record at {@code attributeOffset} (unpadded)}
     *
     * @param attributeOffset where the attribute's record begins in the buffer
     */
    public int attributePayloadLength(final int attributeOffset) {
        return buffer.getInt(index + attributeOffset + AttributeRecordDescriptor.PAYLOAD_LENGTH_OFFSET);
    }

    /**
     * {@return the index in {@link #buffer()} of the payload of the attribute record at {@code attributeOffset}}
     *
     * @param attributeOffset where the attribute's record begins in the buffer
     */
    public int attributePayloadIndex(final int attributeOffset) {
        return index + attributeOffset + AttributeRecordDescriptor.HEADER_LENGTH;
    }

    /**
     * What typed readers such as {@code TimingAttribute.serviceNanos} build on (docs/abi.md 2.7): the record of
     * attribute {@code id}, if it is handled, in the payload {@code version} the reader knows, and holds at least the
     * {@code length} bytes that version defines (more is growth the reader ignores). Anything else reads as if the
     * attribute were not there, never as an error.
     *
     * @param id the attribute's id
     * @param version the version
     * @param length the length in bytes
     * @return the index in {@link #buffer()} of that record's payload, or -1
     */
    public int handledPayloadIndex(final int id, final int version, final int length) {
        final int offset = findAttribute(id);
        return offset >= 0 && attributeStatus(offset) == AttributeRecordDescriptor.STATUS_HANDLED
            && attributeVersion(offset) == version && attributePayloadLength(offset) >= length
            ? attributePayloadIndex(offset) : -1;
    }

    /**
     * {@return the offset of the first attribute record with {@code id}, or -1}
     *
     * @param id the attribute's id
     */
    public int findAttribute(final int id) {
        int offset = firstAttribute();
        for (int i = 0, n = attributeCount(); i < n; i++) {
            if (attributeId(offset) == id) {
                return offset;
            }
            offset = nextAttribute(offset);
        }
        return -1;
    }

    @Override
    public String toString() {
        return buffer == null ? "EventView(unwrapped)" : "event{user_data=" + userData() + ", result="
            + Errno.describeResult(result()) + ", op=" + Opcode.name(opcode()) + ", flags=" + flags()
            + ", sequence=" + sequence() + ", attributes=" + attributeCount() + "}";
    }
}
