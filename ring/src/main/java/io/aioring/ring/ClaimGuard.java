package io.aioring.ring;

import org.agrona.DirectBuffer;

/**
 * Tells a record reaped before from a new one, which the ring alone cannot: a head moved backwards by a whole
 * number of records (a writer that should not write the header) looks like records never reaped. A record format
 * that numbers its records can; {@link RingReaper} asks its guard around every claim and drops, and reports, what
 * the guard refuses.
 *
 * <p>A guard belongs to one reaper (one thread). The order of calls, per claim: {@link #beforeClaim()} before the
 * compare-and-set (or, exclusive, before the walk), {@link #admit} for each record in ring order as it is about to
 * be delivered, {@link #claimed} once with the last record taken, before any other reaper could deliver it (after
 * a shared reaper's compare-and-set, before an exclusive reaper releases head), then {@link #claimEnded()}.
 */
public interface ClaimGuard {
    /** Loads what every reaper has taken so far, as published by {@link #claimed}. */
    void beforeClaim();

    /**
     * {@return true to deliver this record; false if it was taken before (it is dropped and the reaper reports it)}
     *
     * @param type the record type
     * @param buffer the buffer
     * @param index the byte index in the buffer
     * @param length the length in bytes
     */
    boolean admit(int type, DirectBuffer buffer, int index, int length);

    /**
     * The last record of a claim: publish, for every reaper, that records up to it are taken.
     *
     * @param type the record type
     * @param buffer the buffer
     * @param index the byte index in the buffer
     * @param length the length in bytes
     */
    void claimed(int type, DirectBuffer buffer, int index, int length);

    /**
     * The claim begun by {@link #beforeClaim()} is over: its compare-and-set failed, or {@link #claimed} has
     * published it (or it took nothing). Once per {@code beforeClaim}, whatever happened in between.
     */
    default void claimEnded() {
    }

    /**
     * {@return true (the default) if a refused record means corruption, which the poll reports; false where copies
     * are expected (a context's overflow file after its engine died) and are dropped without a word}
     */
    default boolean reportsRefused() {
        return true;
    }

    /**
     * {@return what the report says, or null for "head moved backwards" (the default)}
     *
     * @param count records refused in the batch
     */
    default String describeRefused(final int count) {
        return null;
    }
}
