package io.aioring.abi.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.aioring.linux.Linux;

/**
 * {@link InetSocketAddress} to and from the kernel's {@code struct sockaddr_in6} (or {@code sockaddr_in} where the
 * machine has no IPv6), for iocbs that carry one ({@code connect}) and for {@link Sockets}. As the JDK's own
 * channels, sockets are IPv6 with IPV6_V6ONLY off where IPv6 is there, so one socket reaches both families: an IPv4
 * address goes as {@code ::ffff:a.b.c.d} and comes back as IPv4.
 *
 * <pre>{@code
 * MemorySegment peer = arena.allocate(SocketAddresses.SIZE, 8);   // memory registered with the context
 * SocketAddresses.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), peer);
 * writer.connect(Sockets.open(), peer, CONNECTED);
 * }</pre>
 */
public final class SocketAddresses {
    /** The family sockets are made in: AF_INET6 if this machine has IPv6, else AF_INET. */
    public static final int FAMILY = Files.exists(Path.of("/proc/net/if_inet6")) ? Linux.AF_INET6 : Linux.AF_INET;
    /** Bytes a sockaddr of {@link #FAMILY} takes; room enough for either. */
    public static final int SIZE = Linux.SOCKADDR_IN6_SIZE;

    private static final ValueLayout.OfShort NETWORK_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NATIVE_INT = ValueLayout.JAVA_INT_UNALIGNED;

    private SocketAddresses() {
    }

    /**
     * The JDK's checks of an address handed to bind or connect.
     *
     * @param address the address
     * @return it, as an {@link InetSocketAddress}
     * @throws NullPointerException             if it is null
     * @throws UnsupportedAddressTypeException  if it is not an {@link InetSocketAddress}
     * @throws UnresolvedAddressException        if its host name was not resolved
     */
    public static InetSocketAddress check(final SocketAddress address) {
        if (address == null) {
            throw new NullPointerException("address");
        }
        if (!(address instanceof InetSocketAddress inet)) {
            throw new UnsupportedAddressTypeException();
        }
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return inet;
    }

    /**
     * Writes {@code address} at the start of {@code target}, as the kernel reads it; the rest of its first
     * {@link #SIZE} bytes are zeroed.
     *
     * @param address the address
     * @param target  at least {@link #SIZE} bytes
     * @return the sockaddr's length
     * @throws UnsupportedAddressTypeException for an IPv6 address on a machine without IPv6
     */
    public static int write(final InetSocketAddress address, final MemorySegment target) {
        final InetAddress inet = address.getAddress();
        target.asSlice(0, SIZE).fill((byte) 0);
        target.set(NETWORK_SHORT, 2, (short) address.getPort());
        if (FAMILY == Linux.AF_INET) {
            if (!(inet instanceof Inet4Address)) {
                throw new UnsupportedAddressTypeException();
            }
            target.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Linux.AF_INET);
            MemorySegment.copy(inet.getAddress(), 0, target, ValueLayout.JAVA_BYTE, 4, 4);
            return Linux.SOCKADDR_IN_SIZE;
        }
        target.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Linux.AF_INET6);
        if (inet instanceof Inet4Address) {
            target.set(ValueLayout.JAVA_SHORT_UNALIGNED, 18, (short) 0xFFFF); // ::ffff:a.b.c.d
            MemorySegment.copy(inet.getAddress(), 0, target, ValueLayout.JAVA_BYTE, 20, 4);
        } else {
            MemorySegment.copy(inet.getAddress(), 0, target, ValueLayout.JAVA_BYTE, 8, 16);
            target.set(NATIVE_INT, 24, ((Inet6Address) inet).getScopeId());
        }
        return Linux.SOCKADDR_IN6_SIZE;
    }

    /**
     * {@return the address it holds}
     *
     * @param source a sockaddr the kernel wrote (AF_INET or AF_INET6), as {@code accept} or {@code getsockname} do
     * @throws IllegalStateException for another family
     */
    public static InetSocketAddress read(final MemorySegment source) {
        final int family = source.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0);
        final int port = Short.toUnsignedInt(source.get(NETWORK_SHORT, 2));
        try {
            if (family == Linux.AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(source.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE)), port);
            }
            if (family != Linux.AF_INET6) {
                throw new IllegalStateException("the kernel answered a sockaddr of family " + family);
            }
            final byte[] bytes = source.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
            if (isV4Mapped(bytes)) {
                return new InetSocketAddress(InetAddress.getByAddress(java.util.Arrays.copyOfRange(bytes, 12, 16)), port);
            }
            final int scope = source.get(NATIVE_INT, 24);
            return new InetSocketAddress(scope == 0 ? InetAddress.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, scope), port);
        } catch (final UnknownHostException e) {
            throw new IllegalStateException("the kernel answered an address of a length InetAddress refuses", e);
        }
    }

    private static boolean isV4Mapped(final byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xFF && bytes[11] == (byte) 0xFF;
    }
}
