package io.aioring.abi.spi;

import io.aioring.linux.Errno;

/**
 * What an I/O found in the page cache: the one reading, shared by the page-cache attribute and the engine's JFR
 * completion event. The kernel's count before the I/O ({@link Operation#measureResidentBytes()}, cachestat(2)), or
 * the count the engine took from a read's RWF_NOWAIT attempt while it watched the thread start no block I/O
 * ({@link Operation#RESIDENT_BY_ATTEMPT}), where there is one; else the attempt alone
 * ({@link Operation#tryNoWaitFirst()}), which copies only cached pages: all the bytes asked for is a hit, -EAGAIN a
 * miss, fewer bytes a partial (or the file ended). Unwatched, the attempt can call a page that its own readahead
 * brought in while it ran a hit: cachestat cannot, nor a watched attempt (the readahead would show as block I/O).
 */
public final class PageCacheReading {
    /** Every page of the range was resident. */
    public static final int HIT = 0;
    /** Some were. */
    public static final int PARTIAL = 1;
    /** None was. */
    public static final int MISS = 2;
    /** The descriptor is O_DIRECT: the page cache plays no part. */
    public static final int NOT_APPLICABLE = 3;
    /** No attempt was made, or it or the read failed: nothing to say. */
    public static final int UNKNOWN = -1;

    /**
     * {@return {@link #HIT}, {@link #PARTIAL}, {@link #MISS}, {@link #NOT_APPLICABLE} or {@link #UNKNOWN}}
     *
     * @param requested the bytes the I/O asked for
     * @param resident  {@link Operation#residentBytes()}
     * @param noWait    {@link Operation#noWaitResult()}, used when {@code resident} is unknown
     * @param result    the I/O's result
     */
    public static int outcome(final long requested, final long resident, final long noWait, final long result) {
        if (resident == Operation.RESIDENT_NOT_APPLICABLE) {
            return NOT_APPLICABLE;
        }
        if (resident >= 0 && requested >= 0) {
            // A read that the file's end cut short wanted only what it got: the pages past the end are no miss.
            final long wanted = result >= 0 ? Math.min(requested, result) : requested;
            return resident >= wanted ? HIT : resident == 0 ? MISS : PARTIAL;
        }
        return outcome(requested, noWait, result);
    }

    /**
     * {@return the bytes resident by {@code resident}, else by the RWF_NOWAIT attempt; -1 for unknown}
     *
     * @param requested the bytes asked for
     * @param resident the bytes cachestat counted resident, or a negative {@code Operation.RESIDENT_*} when it did not
     * @param noWait what the RWF_NOWAIT attempt returned
     * @param result the call's result: bytes, or -errno
     */
    public static long residentBytes(final long requested, final long resident, final long noWait, final long result) {
        if (resident >= 0) {
            return Math.min(resident, Math.max(requested, 0));
        }
        return resident == Operation.RESIDENT_NOT_APPLICABLE ? -1 : residentBytes(requested, noWait, result);
    }

    private PageCacheReading() {
    }

    /**
     * {@return {@link #HIT}, {@link #PARTIAL}, {@link #MISS} or {@link #UNKNOWN}}
     *
     * @param requested the bytes the read asked for
     * @param noWait    {@link Operation#noWaitResult()}
     * @param result    the read's result
     */
    public static int outcome(final long requested, final long noWait, final long result) {
        final long resident = residentBytes(requested, noWait, result);
        if (resident < 0) {
            return UNKNOWN;
        }
        if (noWait == -Errno.EAGAIN) {
            return MISS;
        }
        if (noWait == requested || noWait >= result) {
            return HIT;
        }
        return resident == 0 ? MISS : PARTIAL;
    }

    /**
     * {@return the bytes that were in the page cache when read, or -1 for {@link #UNKNOWN}}
     *
     * @param requested the bytes asked for
     * @param noWait RWF_NOWAIT to add, or 0
     * @param result bytes or a value, or -errno
     */
    public static long residentBytes(final long requested, final long noWait, final long result) {
        if (requested < 0 || noWait == Operation.NO_ATTEMPT) {
            return -1;
        } else if (noWait >= 0 && noWait == requested) {
            return noWait;
        } else if (noWait == -Errno.EAGAIN) {
            return 0;
        } else if (noWait >= 0 && result >= 0) {
            // Fewer bytes than asked: either a page was not cached, or the file ended (then the read got no more).
            return Math.min(noWait, result);
        }
        return -1;
    }
}
