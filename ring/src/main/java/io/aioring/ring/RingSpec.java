package io.aioring.ring;

/**
 * What a new ring looks like: its data area length and the values its header starts with.
 *
 * @param dataLength        bytes in the data area: a power of two in [1 KiB, 1 GiB]
 * @param initialPosition   the starting value of head and tail (a multiple of 8); tests start near 2^32 so that
 *                          the counters wrap early
 * @param compatFeatures    feature bits a reader may ignore if unknown
 * @param incompatFeatures  feature bits a reader must refuse to read if unknown
 * @param trailerLength     bytes after the data area for the layer above (a multiple of 4096, at most 1 MiB)
 */
public record RingSpec(int dataLength, int initialPosition, long compatFeatures, long incompatFeatures,
                       int trailerLength) {
    /** Checks the lengths and the position. */
    public RingSpec {
        final String bad = RingDescriptor.checkDataLength(dataLength);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        final String badTrailer = RingDescriptor.checkTrailerLength(trailerLength);
        if (badTrailer != null) {
            throw new IllegalArgumentException(badTrailer);
        }
        if ((initialPosition & (RecordDescriptor.ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException(
                "initialPosition " + Integer.toUnsignedString(initialPosition) + " is not a multiple of 8");
        }
    }

    /**
     * {@return a ring of {@code dataLength} bytes, counters from 0, no features}
     *
     * @param dataLength the data area's length in bytes (a power of two)
     */
    public static RingSpec of(final int dataLength) {
        return new RingSpec(dataLength, 0, 0L, 0L, 0);
    }

    /**
     * {@return this ring with its counters starting at {@code position}}
     *
     * @param position the first head and tail (a multiple of 8; near 2^32 to test the wrap)
     */
    public RingSpec withInitialPosition(final int position) {
        return new RingSpec(dataLength, position, compatFeatures, incompatFeatures, trailerLength);
    }

    /**
     * {@return this ring with these feature bits}
     *
     * @param compat   the compat feature bits
     * @param incompat the incompat feature bits
     */
    public RingSpec withFeatures(final long compat, final long incompat) {
        return new RingSpec(dataLength, initialPosition, compat, incompat, trailerLength);
    }

    /**
     * {@return this ring with {@code length} bytes of trailer after its data area}
     *
     * @param length the length in bytes
     */
    public RingSpec withTrailer(final int length) {
        return new RingSpec(dataLength, initialPosition, compatFeatures, incompatFeatures, length);
    }

    /**
     * A ring as given, with no trailer.
     *
     * @param dataLength the data area's length in bytes (a power of two)
     * @param initialPosition the first head and tail
     * @param compatFeatures the compat feature bits
     * @param incompatFeatures the incompat feature bits
     */
    public RingSpec(final int dataLength, final int initialPosition, final long compatFeatures, final long incompatFeatures) {
        this(dataLength, initialPosition, compatFeatures, incompatFeatures, 0);
    }
}
