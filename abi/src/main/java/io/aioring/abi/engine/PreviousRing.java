package io.aioring.abi.engine;

import java.nio.file.Path;
import java.util.List;

import io.aioring.ring.RingFile;

/**
 * A ring whose engine is gone, checked and locked for re-attaching ({@code FLAG_REATTACH}, docs/abi.md 2.8): the
 * engine takes the file over and inherits the events its old overflow file holds. The checks that read the old
 * ring live beside the reapers, in the API package; the engine sees only this.
 */
public interface PreviousRing {
    /** The events taken from the old overflow file, in order, and the sequence the next event takes. */
    record Taken(List<byte[]> events, long nextSequence) {
    }

    /** @return the ring file, open and locked */
    RingFile ring();

    /** @return the old overflow file, or null if there was none */
    Path oldOverflow();

    /**
     * Takes the events out of the old overflow file.
     *
     * @throws RuntimeException if the file now holds what no engine wrote
     */
    Taken takeOldOverflow();

    /** Removes the old overflow file (its events are in the new engine). */
    void removeOldOverflowFile();
}
