package io.aioring.abi.engine;

import static io.aioring.abi.layout.IocbDescriptor.*;

import io.aioring.abi.layout.IocbFormatException;
import io.aioring.abi.layout.AttributeRequestDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.layout.Layout;
import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.spi.AioAttribute;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.linux.Errno;

import org.agrona.DirectBuffer;

/**
 * Checks one iocb of a submitted batch and copies it into an {@link InFlight}. A bad shape (docs/abi.md 2.2) throws
 * {@link IocbFormatException}; a well-shaped iocb that cannot run (unknown opcode or flags, a REQUIRED attribute
 * that is unknown or unsupported, an attribute payload out of bounds) is accepted with {@code preResult} set, so
 * it completes with that -errno and does no I/O.
 */
final class IocbDecoder {
    /** The flags accept4 takes: SOCK_NONBLOCK, SOCK_CLOEXEC. */
    private final AttributeRegistry registry;
    private final int maxEventLength;

    public IocbDecoder(final AttributeRegistry registry, final int maxEventLength) {
        this.registry = registry;
        this.maxEventLength = maxEventLength;
    }

    /** @return the most return-record bytes any iocb can need with these attributes */
    public static int maxReturnBytes(final AttributeRegistry registry) {
        int largest = 0;
        for (final AioAttribute attribute : registry.all()) {
            largest = Math.max(largest, attribute.returnLength());
        }
        return AttributeRun.MAX_ATTRIBUTES * Layout.returnRecordSpan(largest);
    }

    /**
     * @param position  the iocb's first byte in {@code batch}
     * @param remaining bytes of the batch from {@code position}
     * @param index     the iocb's position in the batch, for errors
     * @param accepted  iocbs accepted before it, for errors
     * @return the iocb's length
     */
    public int decode(final DirectBuffer batch, final int position, final int remaining, final int index, final int accepted,
               final InFlight op) {
        if (remaining < HEADER_LENGTH) {
            throw new IocbFormatException(index, "length", remaining, "the batch ends " + remaining
                + " bytes into an iocb, inside its " + HEADER_LENGTH + "-byte header", accepted);
        }
        final int length = batch.getInt(position + LENGTH_OFFSET);
        if (length < HEADER_LENGTH || length > MAX_LENGTH || (length & (ALIGNMENT - 1)) != 0) {
            throw new IocbFormatException(index, "length", Integer.toUnsignedLong(length), "must be a multiple of "
                + ALIGNMENT + " in [" + HEADER_LENGTH + ", " + MAX_LENGTH + "]", accepted);
        }
        if (length > remaining) {
            throw new IocbFormatException(index, "length", length, "runs past the end of the batch ("
                + remaining + " bytes left)", accepted);
        }
        final int count = batch.getShort(position + ATTRIBUTE_COUNT_OFFSET) & 0xFFFF;
        if (count > AttributeRun.MAX_ATTRIBUTES) {
            throw new IocbFormatException(index, "attribute_count", count, "at most " + AttributeRun.MAX_ATTRIBUTES
                + " attribute requests per iocb", accepted);
        }
        op.load(batch, position);
        if ((op.iocbFlags() & ~KNOWN_FLAGS) != 0 || !OpcodeDescriptor.isKnown(op.opcode())
            || (op.iocbFlags() & FLAG_MULTISHOT) != 0 && !OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.MULTISHOT)
            || (op.iocbFlags() & FLAG_TO_SLOT) != 0
                && (!OpcodeDescriptor.has(op.opcode(), OpcodeDescriptor.TO_SLOT) || (op.iocbFlags() & FLAG_MULTISHOT) != 0)) {
            op.fail(-Errno.EINVAL, -1);
        }
        if ((op.opFlags() & ~OpDef.of(op.opcode()).opFlagsAllowed()) != 0) {
            // The call's own check (accept4's flags), made before any wait: the threads backend calls accept4 only
            // once a connection is there, and the same iocb must fail the same way, at once, on every backend.
            op.fail(-Errno.EINVAL, -1);
        }
        final int requestBytes = length - HEADER_LENGTH;
        op.run().load(batch, position + HEADER_LENGTH, requestBytes);
        final var requests = op.run().requests();
        int offset = 0;
        int eventLength = EventDescriptor.HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            if (offset + AttributeRequestDescriptor.HEADER_LENGTH > requestBytes) {
                throw new IocbFormatException(index, "attribute_count", count, "attribute request " + i
                    + " starts past the iocb's " + length + " bytes", accepted);
            }
            final int id = requests.getShort(offset + AttributeRequestDescriptor.ID_OFFSET) & 0xFFFF;
            final int flags = requests.getShort(offset + AttributeRequestDescriptor.FLAGS_OFFSET) & 0xFFFF;
            final int payload = requests.getInt(offset + AttributeRequestDescriptor.PAYLOAD_LENGTH_OFFSET);
            if ((flags & ~AttributeRequestDescriptor.KNOWN_FLAGS) != 0) {
                throw new IocbFormatException(index, "attribute flags", flags, "attribute request " + i
                    + " (id " + id + ") has unknown flag bits", accepted);
            }
            final int payloadIndex = offset + AttributeRequestDescriptor.HEADER_LENGTH;
            if (payload < 0 || payload > requestBytes - payloadIndex) {
                throw new IocbFormatException(index, "attribute payload_length", Integer.toUnsignedLong(payload),
                    "attribute request " + i + " (id " + id + ") runs past the iocb's " + length + " bytes", accepted);
            }
            final AttributeRegistry.Entry entry = registry.entry(id);
            final boolean supported = entry != null && OpcodeDescriptor.isKnown(op.opcode()) && entry.supports(op.opcode());
            // An id asked again is answered once, by its first request (readers find a record by its id); the
            // repeat's record says unsupported. Version 1 answered each; failing the iocb broke old submitters.
            final boolean answered = supported && !askedBefore(op, i, id);
            op.run().request(i, id, flags, payloadIndex, payload, answered ? entry.attribute() : null,
                answered && entry.hasBeforeHook());
            eventLength += Layout.returnRecordSpan(answered ? entry.returnLength() : 0);
            if (!op.failed()) {
                if (!supported && (flags & AttributeRequestDescriptor.FLAG_REQUIRED) != 0) {
                    op.fail(-Errno.EOPNOTSUPP, i);
                } else if (supported && !entry.accepts(payload)) {
                    op.fail(-Errno.EINVAL, i);
                }
            }
            offset = payloadIndex + Layout.align(payload);
        }
        if (offset != requestBytes) {
            throw new IocbFormatException(index, "length", length, count + " attribute requests fill "
                + (HEADER_LENGTH + offset) + " bytes, not the iocb's " + length, accepted);
        }
        if (eventLength > maxEventLength) {
            throw new IocbFormatException(index, "attribute_count", count, "its event would need " + eventLength
                + " bytes, more than the ring's largest record payload, " + maxEventLength, accepted);
        }
        op.run().count(count);
        return length;
    }

    /** @return true if one of requests 0..i-1 of {@code op} asked for attribute {@code id} too */
    private static boolean askedBefore(final InFlight op, final int i, final int id) {
        for (int j = 0; j < i; j++) {
            if (op.run().requestId(j) == id) {
                return true;
            }
        }
        return false;
    }
}
