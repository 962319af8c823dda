package io.aioring.ring;

/**
 * A ring (or a file claimed to be one) whose header this build cannot accept: wrong magic, another ABI
 * version, unknown incompat features, impossible sizes, or a file too short. The message says what was found
 * and what is supported.
 */
public final class RingFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A header this build cannot read.
     *
     * @param message what was found, and what is supported
     */
    public RingFormatException(final String message) {
        super(message);
    }
}
