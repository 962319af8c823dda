package io.aioring.abi.spi;

import io.aioring.linux.Errno;

/**
 * What a read's RWF_NOWAIT attempt ({@link Operation#tryNoWaitFirst()}) says of the page cache: the one reading,
 * shared by the page-cache attribute and the engine's JFR completion event. RWF_NOWAIT copies only cached pages:
 * all the bytes asked for is a hit, -EAGAIN a miss, fewer bytes a partial (or the file ended).
 */
public final class PageCacheReading {
    public static final int HIT = 0;
    public static final int PARTIAL = 1;
    public static final int MISS = 2;
    /** No attempt was made, or it or the read failed: nothing to say. */
    public static final int UNKNOWN = -1;

    private PageCacheReading() {
    }

    /**
     * @param requested the bytes the read asked for
     * @param noWait    {@link Operation#noWaitResult()}
     * @param result    the read's result
     * @return {@link #HIT}, {@link #PARTIAL}, {@link #MISS} or {@link #UNKNOWN}
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

    /** @return the bytes that were in the page cache when read, or -1 for {@link #UNKNOWN} */
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
