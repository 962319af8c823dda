package io.aioring.abi.layout;

/** {@code io_setup2} refused its parameters: the message names the field, the value, and what is accepted. */
public final class SetupException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The setup field that was refused. */
    private final String field;

    /**
     * Setup refused a field.
     *
     * @param field   the setup field that was refused
     * @param message why, naming the field
     */
    public SetupException(final String field, final String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /**
     * Setup refused a field, for a reason below it.
     *
     * @param field   the setup field that was refused
     * @param message why, naming the field
     * @param cause   the failure behind it
     */
    public SetupException(final String field, final String message, final Throwable cause) {
        super(field + ": " + message, cause);
        this.field = field;
    }

    /** {@return the name of the parameter that was refused, as in docs/abi.md} */
    public String field() {
        return field;
    }
}
