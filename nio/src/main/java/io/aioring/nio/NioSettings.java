package io.aioring.nio;

import io.aioring.abi.AioContext;
import io.aioring.abi.Backend;
import io.aioring.abi.SetupParams;
import io.aioring.abi.spi.AioAttribute;
import io.aioring.abi.spi.AttributeRegistry;

/**
 * The system properties a program's channels are set up from, read once per context: {@code aioring.nio.backend}
 * ({@code auto}, {@code io_uring} or {@code threads}), {@code aioring.nio.ring} (ring data bytes, default 1 MiB)
 * and {@code aioring.nio.attributes} (the attributes each iocb asks for, comma-separated names; default none).
 */
final class NioSettings {
    private NioSettings() {
    }

    /** @return the setup the properties ask for, with {@code maxInFlight} iocbs in flight at most */
    static SetupParams params(final int maxInFlight) {
        return new SetupParams()
            .backend(backend(System.getProperty("aioring.nio.backend", "auto")))
            .ringDataBytes(Integer.getInteger("aioring.nio.ring", 1 << 20))
            .maxInFlight(maxInFlight);
    }

    /** @return the attribute names {@code aioring.nio.attributes} lists */
    static String[] attributeNames() {
        final String names = System.getProperty("aioring.nio.attributes", "").trim();
        return names.isEmpty() ? new String[0] : names.split(",");
    }

    /**
     * @return the ids of the attributes named, for each iocb to ask for
     * @throws IllegalArgumentException naming an attribute the class path does not have (the context is destroyed)
     */
    static int[] attributeIds(final AioContext context, final AttributeRegistry registry, final String[] names) {
        final int[] ids = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            final AioAttribute attribute = registry.byName(names[i].trim());
            if (attribute == null) {
                context.destroy();
                throw new IllegalArgumentException("aioring.nio.attributes: no attribute named " + names[i].trim()
                    + " (the class path has " + registry.all().stream().map(AioAttribute::name).toList() + ")");
            }
            ids[i] = attribute.id();
        }
        return ids;
    }

    private static Backend backend(final String name) {
        try {
            return Backend.byLabel(name);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("aioring.nio.backend: " + e.getMessage(), e);
        }
    }
}
