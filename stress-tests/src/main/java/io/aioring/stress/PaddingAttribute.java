package io.aioring.stress;

import io.aioring.abi.spi.AbstractAttribute;
import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.spi.Operation;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Test attributes that make events big and of varied size, with contents a reaper can check: each returns
 * {@code returnLength} bytes of u64 words, word {@code i} = {@link #word}(user data, id, i). Three sizes (and more ids of the largest), each its
 * own id, so an iocb's set of them picks its event's size. Found through META-INF/services like any third party's.
 */
public abstract class PaddingAttribute extends AbstractAttribute {
    protected PaddingAttribute(final int id, final int returnLength) {
        super(id, "padding-" + returnLength, 1, 0, 0, returnLength);
    }

    /** @return the expected u64 at word {@code i} of the payload for an iocb with {@code userData} */
    public static long word(final long userData, final int id, final int i) {
        long z = userData * 0x9E3779B97F4A7C15L + id * 0xBF58476D1CE4E5B9L + i;
        z = (z ^ (z >>> 31)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 29);
    }

    /** @return true if the payload at {@code index} is what {@link #word} says for these user data and id */
    public static boolean check(final DirectBuffer buffer, final int index, final int length, final long userData, final int id) {
        for (int i = 0; i < length / 8; i++) {
            if (buffer.getLong(index + 8 * i) != word(userData, id, i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean supports(final int opcode) {
        return true;
    }

    @Override
    public int after(final Operation operation, final MutableDirectBuffer out, final int index) {
        final long userData = operation.userData();
        for (int i = 0; i < returnLength() / 8; i++) {
            out.putLong(index + 8 * i, word(userData, id(), i));
        }
        return AttributeRecordDescriptor.STATUS_HANDLED;
    }

    public static final class Small extends PaddingAttribute {
        public static final int ID = 4301;

        public Small() {
            super(ID, 64);
        }
    }

    public static final class Medium extends PaddingAttribute {
        public static final int ID = 4302;

        public Medium() {
            super(ID, 256);
        }
    }

    public static final class Large extends PaddingAttribute {
        public static final int ID = 4303;

        public Large() {
            super(ID, 1016);
        }
    }

    /** Three more of the largest size an attribute may return: a random subset of the six averages ~2.3 KB. */
    public static final class Large2 extends PaddingAttribute {
        public static final int ID = 4304;

        public Large2() {
            super(ID, 1016);
        }
    }

    public static final class Large3 extends PaddingAttribute {
        public static final int ID = 4305;

        public Large3() {
            super(ID, 1016);
        }
    }

    public static final class Large4 extends PaddingAttribute {
        public static final int ID = 4306;

        public Large4() {
            super(ID, 1016);
        }
    }
}
