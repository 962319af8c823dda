package io.aioring.abi.spi;

import io.aioring.abi.layout.AttributeRecordDescriptor;
import org.agrona.MutableDirectBuffer;

/**
 * A per-I/O attribute: asked for in an iocb, run around the operation on the worker thread, answered by a return
 * record in the event. Implementations are found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.aioring.abi.spi.AioAttribute}) and must be thread-safe and allocation-free in their
 * hooks: one instance serves every worker.
 *
 * <p>Ids: {@value #MIN_BUILT_IN_ID} to {@value #MAX_BUILT_IN_ID} are aioring's own; {@value #MIN_THIRD_PARTY_ID}
 * to 65535 are for third parties; 0 is never an attribute.
 */
public interface AioAttribute {
    /** The lowest id of aioring's own attributes. */
    int MIN_BUILT_IN_ID = 1;
    /** The highest id of aioring's own attributes. */
    int MAX_BUILT_IN_ID = 1023;
    /** The lowest id a third party's attribute takes. */
    int MIN_THIRD_PARTY_ID = 1024;
    /** The highest attribute id. */
    int MAX_ID = 0xFFFF;
    /** Scratch bytes each requested attribute gets per I/O, between its hooks. */
    int SCRATCH_BYTES = 64;
    /** The largest request payload any attribute may accept. */
    int MAX_REQUEST_LENGTH = 256;

    /** {@return this attribute's id, unique in a registry} */
    int id();

    /** {@return a short lower-case name, e.g. "timing"} */
    String name();

    /** {@return the version of this attribute's return payload layout (0-255)} */
    int version();

    /** {@return the shortest request payload it accepts, in bytes} */
    default int minRequestLength() {
        return 0;
    }

    /** {@return the longest request payload it accepts, in bytes (at most {@link #MAX_REQUEST_LENGTH})} */
    int maxRequestLength();

    /** {@return the payload bytes of this attribute's return record when it is handled} */
    int returnLength();

    /**
     * {@return true if this attribute means something for {@code opcode}}
     *
     * @param opcode the opcode
     */
    boolean supports(int opcode);

    /**
     * Runs on the worker just before the operation (and after its start timestamp).
     *
     * @param operation the operation
     */
    default void before(final Operation operation) {
    }

    /**
     * Runs on the worker after the operation; writes exactly {@link #returnLength()} bytes at {@code index} of
     * {@code out} when it returns {@link AttributeRecordDescriptor#STATUS_HANDLED}.
     *
     * @param operation the operation
     * @param out where the return payload goes
     * @param index where in {@code out}
     * @return an {@code AttributeRecordDescriptor.STATUS_*} value
     */
    int after(Operation operation, MutableDirectBuffer out, int index);
}
