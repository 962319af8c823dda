package io.aioring.ring;

/**
 * What a new ring looks like: its data area length and the values its header starts with.
 *
 * @param dataLength        bytes in the data area: a power of two in [1 KiB, 1 GiB]
 * @param initialPosition   the starting value of head and tail (a multiple of 8); tests start near 2^32 so that
 *                          the counters wrap early
 * @param compatFeatures    feature bits a reader may ignore if unknown
 * @param incompatFeatures  feature bits a reader must refuse to read if unknown
 */
public record RingSpec(int dataLength, int initialPosition, long compatFeatures, long incompatFeatures) {
    public RingSpec {
        final String bad = RingDescriptor.checkDataLength(dataLength);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        if ((initialPosition & (RecordDescriptor.ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException(
                "initialPosition " + Integer.toUnsignedString(initialPosition) + " is not a multiple of 8");
        }
    }

    /** @return a ring of {@code dataLength} bytes, counters from 0, no features */
    public static RingSpec of(final int dataLength) {
        return new RingSpec(dataLength, 0, 0L, 0L);
    }

    public RingSpec withInitialPosition(final int position) {
        return new RingSpec(dataLength, position, compatFeatures, incompatFeatures);
    }

    public RingSpec withFeatures(final long compat, final long incompat) {
        return new RingSpec(dataLength, initialPosition, compat, incompat);
    }
}
