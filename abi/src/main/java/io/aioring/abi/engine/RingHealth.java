package io.aioring.abi.engine;

import io.aioring.ring.Ring;
import io.aioring.ring.RingDescriptor;

/**
 * Whether the engine may still write into its ring: given up when a reaper-written head is impossible (the ring is
 * corrupted, docs/abi.md 2.6) or the ring's file was truncated under the mapping (its pages may be gone). Once given
 * up, never again: events stay on the overflow list and are handed over in this process. Changed under the
 * poster's lock; read anywhere.
 */
final class RingHealth {
    private final Ring ring;
    /** Why the ring was given up, or null. */
    private volatile String corruption;
    /** The ring's memory faulted (its file truncated): nothing here touches the mapping again. */
    private volatile boolean mappingLost;

    RingHealth(final Ring ring) {
        this.ring = ring;
    }

    /** @return why the ring was given up, or null while it is healthy */
    String corruption() {
        return corruption;
    }

    /** @return true once the ring's pages may be gone: nothing may touch the mapping */
    boolean mappingLost() {
        return mappingLost;
    }

    /** The ring is given up for {@code reason}; says so in its flags if the header is there. */
    void giveUp(final String reason) {
        corruption = reason;
        if (!mappingLost) {
            try {
                ring.setFlags(RingDescriptor.FLAG_CORRUPTED);
            } catch (final InternalError e) {
                mappingLost = true;
            }
        }
    }

    /**
     * Touching the mapping faulted (SIGBUS, which the JVM raises as an InternalError in the thread that touched
     * it): the ring file was truncated under it. Events being written then are lost with the pages; every later one
     * goes to the overflow list and is handed over (takeOverflowed).
     */
    void loseMapping(final InternalError e) {
        // The header's page may have survived (only data pages lost): giveUp tries the flag, and faults no worse.
        giveUp("the ring's memory faulted (" + e.getMessage() + "): its file was truncated under the mapping");
        mappingLost = true;
    }

    /**
     * The ring file is smaller than the ring (the engine looked, {@code fileSize} bytes): give the ring up before
     * anything touches the lost pages.
     */
    void fileTruncated(final long fileSize) {
        if (!mappingLost) {
            // The flag goes in only if the header's page is still there.
            mappingLost = fileSize < RingDescriptor.HEADER_LENGTH;
            giveUp("the ring file was truncated to " + fileSize + " bytes under the mapping");
            mappingLost = true;
        }
    }
}
