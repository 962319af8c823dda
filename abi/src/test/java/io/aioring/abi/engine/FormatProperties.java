package io.aioring.abi.engine;

import io.aioring.abi.TestBackend;
import io.aioring.abi.ContextFixture;
import io.aioring.abi.layout.EventFormatException;
import io.aioring.abi.SetupParams;
import io.aioring.abi.EventView;
import io.aioring.abi.layout.IocbFormatException;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.Opcode;
import io.aioring.abi.layout.AttributeRequestDescriptor;
import io.aioring.abi.layout.Layout;
import io.aioring.abi.layout.EventEncoder;
import io.aioring.abi.layout.IocbDescriptor;
import io.aioring.abi.spi.AttributeRegistry;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.*;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

import org.agrona.concurrent.UnsafeBuffer;

/** Round trips of the iocb and event formats, and malformed iocb bytes meeting the decoder and a live engine. */
class FormatProperties {
    record Request(int id, boolean required, byte[] payload) {
    }

    @Provide
    Arbitrary<Request> requests() {
        return Combinators.combine(Arbitraries.integers().between(1, 0xFFFF), Arbitraries.of(true, false),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as(Request::new);
    }

    private static final AttributeRegistry NONE = new AttributeRegistry(List.of());

    @Property(tries = 2000)
    void iocbRoundTrip(@ForAll @IntRange(min = 0, max = 0xFFFF) final int opcode, @ForAll final int fd,
                       @ForAll final long offset, @ForAll final long address, @ForAll final int lengthOrCount,
                       @ForAll final int opFlags, @ForAll final int mode, @ForAll final long userData,
                       @ForAll @Size(max = 16) final List<@From("requests") Request> requests) {
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[IocbDescriptor.MAX_LENGTH * 2]);
        final IocbWriter writer = new IocbWriter(batch);
        writer.iocb(opcode, fd, offset, address, lengthOrCount, opFlags, mode, userData);
        int length = IocbDescriptor.HEADER_LENGTH;
        for (final Request r : requests) {
            length += Layout.align(AttributeRequestDescriptor.HEADER_LENGTH + r.payload().length);
        }
        Assume.that(length <= IocbDescriptor.MAX_LENGTH);
        for (final Request r : requests) {
            writer.attribute(r.id(), r.required() ? AttributeRequestDescriptor.FLAG_REQUIRED : 0,
                new UnsafeBuffer(r.payload()), 0, r.payload().length);
        }
        assertEquals(length, writer.length());
        final InFlight op = new InFlight(0, 1024);
        assertEquals(length, new IocbDecoder(NONE, 1 << 20).decode(batch, 0, writer.length(), 0, 0, op));
        assertEquals(opcode, op.opcode());
        assertEquals(fd, op.fd());
        assertEquals(offset, op.offset());
        assertEquals(address, op.address());
        assertEquals(lengthOrCount, op.lengthOrCount());
        assertEquals(opFlags, op.opFlags());
        assertEquals(mode, op.mode());
        assertEquals(userData, op.userData());
        assertEquals(requests.size(), op.run().count());
        for (int i = 0; i < requests.size(); i++) {
            assertEquals(requests.get(i).id(), op.run().requestId(i));
            assertEquals(requests.get(i).required() ? AttributeRequestDescriptor.FLAG_REQUIRED : 0, op.run().requestFlags(i));
            final byte[] payload = new byte[op.run().requestLength(i)];
            op.run().requests().getBytes(op.run().requestIndex(i), payload);
            assertArrayEquals(requests.get(i).payload(), payload);
        }
        // With no attributes registered, a REQUIRED one fails the iocb before any I/O (an id asked again is no
        // error: docs/abi.md 2.3); an unknown opcode is EINVAL.
        long expected = 0;
        for (final Request r : requests) {
            if (r.required()) {
                expected = -95;
                break;
            }
        }
        // accept's op_flags are accept4's: any other bit is EINVAL at decode, before the attributes are looked at.
        final boolean badAcceptFlags = opcode == Opcode.ACCEPT
            && (opFlags & ~(io.aioring.linux.Linux.SOCK_NONBLOCK | io.aioring.linux.Linux.SOCK_CLOEXEC)) != 0;
        assertEquals(!Opcode.isKnown(opcode) || badAcceptFlags ? -22 : expected, op.preResult());
    }

    record Returned(int id, int status, int version, byte[] payload) {
    }

    @Provide
    Arbitrary<Returned> returns() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), Arbitraries.integers().between(0, 2),
            Arbitraries.integers().between(0, 255), Arbitraries.bytes().array(byte[].class).ofMaxSize(64)).as(Returned::new);
    }

    @Property(tries = 2000)
    void eventRoundTrip(@ForAll final long userData, @ForAll final long result, @ForAll final int flags,
                        @ForAll @IntRange(min = 0, max = 0xFFFF) final int opcode, @ForAll final long sequence,
                        @ForAll @Size(max = 16) final List<@From("returns") Returned> records) {
        // Return records written by the documented layout, byte by byte.
        final UnsafeBuffer returns = new UnsafeBuffer(new byte[16 * 80]);
        int position = 0;
        for (final Returned r : records) {
            returns.putShort(position, (short) r.id());
            returns.putByte(position + 2, (byte) r.status());
            returns.putByte(position + 3, (byte) r.version());
            returns.putInt(position + 4, r.payload().length);
            returns.putBytes(position + 8, r.payload());
            position += Layout.align(8 + r.payload().length);
        }
        final UnsafeBuffer event = new UnsafeBuffer(new byte[8 + 32 + position]);
        final int length = EventEncoder.encode(event, 8, userData, result, flags, opcode, records.size(), sequence, returns, position);
        final EventView view = new EventView().wrap(event, 8, length);
        assertEquals(userData, view.userData());
        assertEquals(result, view.result());
        assertEquals(flags, view.flags());
        assertEquals(opcode, view.opcode());
        assertEquals(sequence, view.sequence());
        assertEquals(records.size(), view.attributeCount());
        int offset = view.firstAttribute();
        for (final Returned r : records) {
            assertEquals(r.id(), view.attributeId(offset));
            assertEquals(r.status(), view.attributeStatus(offset));
            assertEquals(r.version(), view.attributeVersion(offset));
            final byte[] payload = new byte[view.attributePayloadLength(offset)];
            event.getBytes(view.attributePayloadIndex(offset), payload);
            assertArrayEquals(r.payload(), payload);
            offset = view.nextAttribute(offset);
        }
        assertEquals(length, offset);
        // The fixed header, read by the documented offsets.
        assertEquals(userData, event.getLong(8));
        assertEquals(result, event.getLong(16));
        assertEquals(sequence, event.getLong(32));
    }

    @Property(tries = 3000)
    void corruptEventBytesAreRefusedNotOverread(@ForAll @Size(min = 0, max = 200) final byte[] bytes) {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        try {
            final EventView view = new EventView().wrap(buffer, 0, bytes.length);
            int offset = view.firstAttribute();
            for (int i = 0; i < view.attributeCount(); i++) {
                assertTrue(view.attributePayloadIndex(offset) + view.attributePayloadLength(offset) <= bytes.length);
                offset = view.nextAttribute(offset);
            }
        } catch (final EventFormatException expected) {
            // refused with the documented error
        }
    }

    /** Random bytes laid over a valid batch: the decoder accepts an iocb or names its bad field, nothing else. */
    @Property(tries = 5000)
    void malformedIocbBytesGetTheDocumentedError(@ForAll @Size(max = 12) final List<@IntRange(min = 0, max = 255) Integer> positions,
                                                 @ForAll @Size(max = 12) final List<Byte> values,
                                                 @ForAll @IntRange(min = 0, max = 4) final int attributes) {
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[512]);
        final IocbWriter writer = new IocbWriter(batch);
        writer.nop(1);
        for (int i = 0; i < attributes; i++) {
            writer.attribute(i + 1, 0, new UnsafeBuffer(new byte[i * 3]), 0, i * 3);
        }
        writer.pread(-1, 0, 0, 0, 2);
        for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
            batch.putByte(positions.get(i) % writer.length(), values.get(i));
        }
        final IocbDecoder decoder = new IocbDecoder(NONE, 512);
        int position = 0;
        int index = 0;
        try {
            while (position < writer.length()) {
                final int length = decoder.decode(batch, position, writer.length() - position, index, index, new InFlight(0, 1024));
                assertTrue(length >= IocbDescriptor.HEADER_LENGTH && length % 8 == 0 && position + length <= writer.length());
                position += length;
                index++;
            }
        } catch (final IocbFormatException e) {
            assertEquals(index, e.index());
            assertTrue(List.of("length", "attribute_count", "attribute flags", "attribute payload_length")
                .contains(e.field()), e.field());
        }
    }

    private static ContextFixture live;

    @AfterContainer
    static void destroyLive() {
        if (live != null) {
            live.close();
            live = null;
        }
    }

    /**
     * Iocbs with random lengths, counts, timeouts (-2 and -1: 49 days) and attribute payload lengths (fd -1, no registered memory
     * used, so nothing they could do touches the JVM) go into a live context: it accepts a prefix or names the bad
     * field, and every accepted iocb completes.
     */
    @Property(tries = 1000)
    void theEngineSurvivesMalformedBatches(@ForAll @Size(min = 1, max = 6) final List<@IntRange(min = 0, max = 9) Integer> opcodes,
                                           @ForAll @Size(min = 6, max = 6) final List<@IntRange(min = -8, max = 1100) Integer> lengths,
                                           @ForAll @Size(min = 6, max = 6) final List<@IntRange(min = 0, max = 20) Integer> counts,
                                           @ForAll @Size(min = 6, max = 6) final List<@IntRange(min = -2, max = 2) Integer> timeouts) {
        if (live == null) {
            live = new ContextFixture(TestBackend.params().ringDataBytes(1 << 16).workers(2));
        }
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[8192]);
        final IocbWriter writer = new IocbWriter(batch);
        final List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < opcodes.size(); i++) {
            starts.add(writer.length());
            writer.iocb(opcodes.get(i) == Opcode.CLOSE || opcodes.get(i) == Opcode.OPENAT ? Opcode.NOP : opcodes.get(i),
                -1, 0, 0, 16, 0, 0, i);
            writer.attribute(7, 0, new UnsafeBuffer(new byte[5]), 0, 5);
        }
        for (int i = 0; i < opcodes.size(); i++) {
            final int start = starts.get(i);
            switch (lengths.get(i) % 4) {
                case 0 -> batch.putInt(start + IocbDescriptor.LENGTH_OFFSET, lengths.get(i));
                case 1 -> batch.putShort(start + IocbDescriptor.ATTRIBUTE_COUNT_OFFSET, counts.get(i).shortValue());
                case 2 -> batch.putInt(start + IocbDescriptor.TIMEOUT_MS_OFFSET, timeouts.get(i));
                default -> batch.putInt(start + IocbDescriptor.HEADER_LENGTH + AttributeRequestDescriptor.PAYLOAD_LENGTH_OFFSET,
                    counts.get(i) - 3);
            }
        }
        int accepted;
        try {
            accepted = live.context.submit(writer);
        } catch (final IocbFormatException e) {
            accepted = e.accepted();
        }
        assertTrue(accepted >= 0 && accepted <= opcodes.size());
        if (accepted > 0) {
            assertEquals(accepted, live.reap(accepted).size());
        }
    }
}
