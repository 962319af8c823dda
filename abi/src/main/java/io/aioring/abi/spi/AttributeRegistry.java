package io.aioring.abi.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The attributes a context can run, by id: those found by {@link ServiceLoader} on the class path, or a given
 * list. Checked once when built: ids in range and unique, sizes within bounds.
 */
public final class AttributeRegistry {
    /** Opcodes whose support is looked up once, at registration, for the engine's hot path. */
    public static final int MAX_OPCODES = 64;

    /**
     * What the engine asks of an attribute on every iocb, answered once when it is registered: no interface call
     * per request.
     *
     * @param attribute     the attribute
     * @param supported     bit {@code op} set when {@code attribute.supports(op)}, for opcodes below {@link #MAX_OPCODES}
     * @param returnLength  its return payload's length
     * @param minRequest    the least request payload it accepts
     * @param maxRequest    the most request payload it accepts
     * @param hasBeforeHook true unless it keeps the interface's empty {@code before}
     */
    public record Entry(AioAttribute attribute, long supported, int returnLength, int minRequest, int maxRequest,
                        boolean hasBeforeHook) {
        /**
         * {@return true if the attribute means something for {@code opcode}}
         *
         * @param opcode the opcode
         */
        public boolean supports(final int opcode) {
            return opcode >= 0 && opcode < MAX_OPCODES && (supported & (1L << opcode)) != 0;
        }

        /**
         * {@return true if {@code payloadLength} is a request payload it accepts}
         *
         * @param payloadLength the payload's length in bytes
         */
        public boolean accepts(final int payloadLength) {
            return payloadLength >= minRequest && payloadLength <= maxRequest;
        }

        static Entry of(final AioAttribute attribute) {
            long supported = 0;
            for (int op = 0; op < MAX_OPCODES; op++) {
                if (attribute.supports(op)) {
                    supported |= 1L << op;
                }
            }
            boolean before;
            try {
                before = attribute.getClass().getMethod("before", Operation.class).getDeclaringClass() != AioAttribute.class;
            } catch (final NoSuchMethodException e) {
                before = true;
            }
            return new Entry(attribute, supported, attribute.returnLength(), attribute.minRequestLength(),
                attribute.maxRequestLength(), before);
        }
    }

    private final AioAttribute[] byId = new AioAttribute[AioAttribute.MAX_ID + 1];
    private final Entry[] entries = new Entry[AioAttribute.MAX_ID + 1];
    private final List<AioAttribute> all;

    /**
     * A registry of these attributes.
     *
     * @param attributes the attributes a context may be asked for
     * @throws IllegalArgumentException if two share an id, or one's id or sizes are out of range
     */
    public AttributeRegistry(final Iterable<? extends AioAttribute> attributes) {
        final List<AioAttribute> list = new ArrayList<>();
        for (final AioAttribute attribute : attributes) {
            final int id = attribute.id();
            final String who = "attribute " + attribute.getClass().getName();
            if (id < AioAttribute.MIN_BUILT_IN_ID || id > AioAttribute.MAX_ID) {
                throw new IllegalArgumentException(who + " has id " + id + ", outside [1, 65535]");
            }
            if (byId[id] != null) {
                throw new IllegalArgumentException(who + " has id " + id + ", already taken by "
                    + byId[id].getClass().getName() + " (" + byId[id].name() + ")");
            }
            if (attribute.version() < 0 || attribute.version() > 255) {
                throw new IllegalArgumentException(who + " has version " + attribute.version() + ", outside [0, 255]");
            }
            if (attribute.minRequestLength() < 0 || attribute.maxRequestLength() < attribute.minRequestLength()
                || attribute.maxRequestLength() > AioAttribute.MAX_REQUEST_LENGTH) {
                throw new IllegalArgumentException(who + " accepts request payloads of " + attribute.minRequestLength()
                    + " to " + attribute.maxRequestLength() + " bytes; the bounds must lie in [0, "
                    + AioAttribute.MAX_REQUEST_LENGTH + "]");
            }
            if (attribute.returnLength() < 0 || attribute.returnLength() > 1024) {
                throw new IllegalArgumentException(who + " returns " + attribute.returnLength()
                    + " bytes; at most 1024 are allowed");
            }
            byId[id] = attribute;
            entries[id] = Entry.of(attribute);
            list.add(attribute);
        }
        list.sort((a, b) -> Integer.compare(a.id(), b.id()));
        this.all = Collections.unmodifiableList(list);
    }

    /** {@return the attributes found by ServiceLoader with this class's loader} */
    public static AttributeRegistry discover() {
        return new AttributeRegistry(ServiceLoader.load(AioAttribute.class, AioAttribute.class.getClassLoader()));
    }

    /**
     * {@return the attribute with {@code id}, or null if none is registered}
     *
     * @param id the attribute's id
     */
    public AioAttribute byId(final int id) {
        return id >= 0 && id <= AioAttribute.MAX_ID ? byId[id] : null;
    }

    /**
     * {@return what the engine asks of the attribute with {@code id} on every iocb, or null if none is registered}
     *
     * @param id the attribute's id
     */
    public Entry entry(final int id) {
        return id >= 0 && id <= AioAttribute.MAX_ID ? entries[id] : null;
    }

    /**
     * {@return the attribute named {@code name}, or null}
     *
     * @param name the name
     */
    public AioAttribute byName(final String name) {
        for (final AioAttribute attribute : all) {
            if (attribute.name().equals(name)) {
                return attribute;
            }
        }
        return null;
    }

    /** {@return every registered attribute, by id} */
    public List<AioAttribute> all() {
        return all;
    }
}
