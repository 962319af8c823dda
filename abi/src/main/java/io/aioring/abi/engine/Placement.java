package io.aioring.abi.engine;

/**
 * Where an iocb's event was placed when the ring had no room: its sequence, fixed as it joined the overflow list,
 * and whether (and where) its record is also in the overflow file.
 */
final class Placement {
    /** No sequence yet: the event has not been placed in the ring nor on the overflow list. */
    static final long NO_SEQUENCE = -1;

    private long sequence = NO_SEQUENCE;
    private boolean inFile;
    private int fileEnd;

    /** A new event: not placed. */
    void reset() {
        sequence = NO_SEQUENCE;
        inFile = false;
    }

    /** @return its sequence, fixed when it went to the overflow list; or {@link #NO_SEQUENCE} until it is placed */
    long sequence() {
        return sequence;
    }

    void sequence(final long placed) {
        sequence = placed;
    }

    /** @return true if the event is also in the overflow file (a record there to consume once it enters the ring) */
    boolean inFile() {
        return inFile;
    }

    /** @return the overflow file's counter just past this event's record (and any filler before it) */
    int fileEnd() {
        return fileEnd;
    }

    /** @param end the overflow file's counter just past this event's record: it is in the file */
    void writtenToFile(final int end) {
        inFile = true;
        fileEnd = end;
    }
}
