package io.aioring.abi.engine;

import java.util.Arrays;

/**
 * The memory ranges a context's caller has registered as its own. An iocb may only point the engine at bytes
 * inside them (buffers, iovec arrays and what they point to, paths); anything else fails with -EFAULT, so a wrong
 * address can never make a worker scribble over the JVM's memory. Lookups read an immutable array: no lock.
 */
public final class MemoryRegistry {
    /** start, end pairs; replaced whole on each change. */
    private volatile long[] ranges = new long[0];

    /**
     * Lets iocbs point at {@code length} bytes at {@code address}.
     *
     * @throws IllegalArgumentException for a null address, a length not above 0, or a range past the end of memory
     */
    public synchronized void register(final long address, final long length) {
        if (address == 0 || length <= 0 || address + length < address) {
            throw new IllegalArgumentException("cannot register " + length + " bytes at 0x" + Long.toHexString(address));
        }
        final long[] next = Arrays.copyOf(ranges, ranges.length + 2);
        next[next.length - 2] = address;
        next[next.length - 1] = address + length;
        ranges = next;
    }

    /** @return true if a range starting at {@code address} was registered (and is now removed) */
    public synchronized boolean unregister(final long address) {
        final long[] current = ranges;
        for (int i = 0; i < current.length; i += 2) {
            if (current[i] == address) {
                final long[] next = new long[current.length - 2];
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 2, next, i, current.length - i - 2);
                ranges = next;
                return true;
            }
        }
        return false;
    }

    /** @return true if [address, address + length) lies inside one registered range (a zero length always does) */
    public boolean contains(final long address, final long length) {
        if (length == 0) {
            return true;
        }
        final long end = address + length;
        if (length < 0 || end < address) {
            return false;
        }
        final long[] current = ranges;
        for (int i = 0; i < current.length; i += 2) {
            if (address >= current[i] && end <= current[i + 1]) {
                return true;
            }
        }
        return false;
    }
}
