package io.aioring.ring;

import org.agrona.DirectBuffer;

/**
 * Receives reaped records. The bytes are valid only during the call: copy what must outlive it.
 */
@FunctionalInterface
public interface RecordHandler {
    /**
     * One record.
     *
     * @param type   the record's type (never the filler type)
     * @param buffer the buffer holding the payload
     * @param index  the payload's index in {@code buffer}
     * @param length the payload's length in bytes
     */
    void onRecord(int type, DirectBuffer buffer, int index, int length);
}
