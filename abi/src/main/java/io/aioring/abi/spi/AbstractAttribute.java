package io.aioring.abi.spi;

/** The fixed facts of an {@link AioAttribute} held once, so an implementation writes only its hooks. */
public abstract class AbstractAttribute implements AioAttribute {
    private final int id;
    private final String name;
    private final int version;
    private final int minRequestLength;
    private final int maxRequestLength;
    private final int returnLength;

    /**
     * An attribute with these fixed answers.
     *
     * @param id               its id
     * @param name             its short lower-case name
     * @param version          its return payload layout's version
     * @param minRequestLength the shortest request payload it accepts
     * @param maxRequestLength the longest
     * @param returnLength     its return payload's bytes
     */
    protected AbstractAttribute(final int id, final String name, final int version, final int minRequestLength,
                                final int maxRequestLength, final int returnLength) {
        this.id = id;
        this.name = name;
        this.version = version;
        this.minRequestLength = minRequestLength;
        this.maxRequestLength = maxRequestLength;
        this.returnLength = returnLength;
    }

    @Override
    public final int id() {
        return id;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int version() {
        return version;
    }

    @Override
    public final int minRequestLength() {
        return minRequestLength;
    }

    @Override
    public final int maxRequestLength() {
        return maxRequestLength;
    }

    @Override
    public final int returnLength() {
        return returnLength;
    }

    @Override
    public String toString() {
        return name + " (id " + id + ", version " + version + ")";
    }
}
