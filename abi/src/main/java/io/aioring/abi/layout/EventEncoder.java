package io.aioring.abi.layout;

import static io.aioring.abi.layout.EventDescriptor.*;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/** Writes an event's bytes as {@link EventDescriptor} lays them out; {@code EventView} reads them back. */
public final class EventEncoder {
    private EventEncoder() {
    }

    /**
     * {@return the event's length}
     *
     * @param buffer the buffer
     * @param index the byte index in the buffer
     * @param userData copied into the completion untouched
     * @param result bytes or a value, or -errno
     * @param flags the call's flags
     * @param opcode the opcode
     * @param attributeCount the attribute return records that follow
     * @param sequence the event's sequence number
     * @param returns where the records are copied from
     * @param returnsLength their bytes
     */
    public static int encode(final MutableDirectBuffer buffer, final int index, final long userData, final long result,
                      final int flags, final int opcode, final int attributeCount, final long sequence,
                      final DirectBuffer returns, final int returnsLength) {
        buffer.putLong(index + USER_DATA_OFFSET, userData);
        buffer.putLong(index + RESULT_OFFSET, result);
        buffer.putInt(index + FLAGS_OFFSET, flags);
        buffer.putShort(index + OPCODE_OFFSET, (short) opcode);
        buffer.putShort(index + ATTRIBUTE_COUNT_OFFSET, (short) attributeCount);
        buffer.putLong(index + SEQUENCE_OFFSET, sequence);
        if (returnsLength > 0) {
            buffer.putBytes(index + HEADER_LENGTH, returns, 0, returnsLength);
        }
        return HEADER_LENGTH + returnsLength;
    }
}
