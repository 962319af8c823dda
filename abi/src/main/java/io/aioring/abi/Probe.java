package io.aioring.abi;

import java.util.ArrayList;
import java.util.List;

import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.spi.AioAttribute;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.linux.IoUring;
import io.aioring.linux.IoUringException;
import io.aioring.ring.RingDescriptor;

/**
 * What this build supports, as io_uring's PROBE reports it: the ABI version, the setup flags, the opcodes and the
 * attributes (with ids and versions), the feature bits a context writes, and the backend {@code auto} picks on
 * this machine: "io_uring", or "threads" with the errno io_uring_setup gave ({@code ioUringErrno}).
 *
 * @param abiVersion the ABI version this build speaks
 * @param setupFlags the setup flags it takes
 * @param opcodes the opcodes
 * @param attributes the attributes found on the class path
 * @param compatFeatures the compat feature bits
 * @param incompatFeatures the incompat feature bits
 * @param autoBackend the backend {@code auto} picks here
 * @param ioUringErrno 0, or the errno io_uring_setup gave when {@code auto} picks threads
 */
public record Probe(int abiVersion, int setupFlags, List<OpcodeInfo> opcodes, List<AttributeInfo> attributes,
                    long compatFeatures, long incompatFeatures, String autoBackend, int ioUringErrno) {

    /**
     * One opcode this build knows.
     *
     * @param code its number in an iocb
     * @param name its name, e.g. "pread"
     */
    public record OpcodeInfo(int code, String name) {
    }

    /**
     * One attribute on the class path.
     *
     * @param id               its id in an iocb's attribute request
     * @param name             its name, e.g. "timing"
     * @param version          its return payload's layout version
     * @param minRequestLength the fewest request payload bytes it takes
     * @param maxRequestLength the most request payload bytes it takes
     * @param returnLength     its return payload's length
     */
    public record AttributeInfo(int id, String name, int version, int minRequestLength, int maxRequestLength,
                                int returnLength) {
    }

    /**
     * {@return what this build and this machine support (it tries an io_uring_setup to say what auto picks)}
     *
     * @param registry the attributes to report
     */
    public static Probe of(final AttributeRegistry registry) {
        final List<OpcodeInfo> opcodes = new ArrayList<>();
        for (int code = 0; code < Opcode.COUNT; code++) {
            opcodes.add(new OpcodeInfo(code, Opcode.name(code)));
        }
        final List<AttributeInfo> attributes = new ArrayList<>();
        for (final AioAttribute a : registry.all()) {
            attributes.add(new AttributeInfo(a.id(), a.name(), a.version(), a.minRequestLength(), a.maxRequestLength(),
                a.returnLength()));
        }
        int ioUringErrno = 0;
        try (IoUring ring = IoUring.setup(8, 0)) {
            ring.fd(); // it works here
        } catch (final IoUringException e) {
            ioUringErrno = e.errno();
        }
        return new Probe(RingDescriptor.ABI_VERSION, SetupDescriptor.KNOWN_FLAGS, List.copyOf(opcodes),
            List.copyOf(attributes), ContextDescriptor.COMPAT_ALWAYS | ContextDescriptor.COMPAT_EVENTFD_SOCKET,
            ContextDescriptor.KNOWN_INCOMPAT_FEATURES, ioUringErrno == 0 ? "io_uring" : "threads", ioUringErrno);
    }

    /**
     * {@return true if this build knows it}
     *
     * @param opcode an opcode number
     */
    public boolean supportsOpcode(final int opcode) {
        return opcodes.stream().anyMatch(o -> o.code() == opcode);
    }
}
