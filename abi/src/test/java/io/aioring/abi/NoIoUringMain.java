package io.aioring.abi;

import static java.lang.foreign.ValueLayout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

import io.aioring.abi.layout.SetupException;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.linux.Arch;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A JVM in which io_uring is refused as a container's seccomp profile refuses it: a filter installed on every
 * thread makes io_uring_setup fail with EPERM. It then sets up contexts and prints what it got, for
 * {@code BackendRefusalTest}.
 */
public final class NoIoUringMain {
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int SECCOMP_SET_MODE_FILTER = 1;
    private static final int SECCOMP_FILTER_FLAG_TSYNC = 1;
    private static final int SECCOMP_RET_ERRNO = 0x00050000;
    private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    private static final int EPERM = 1;

    private NoIoUringMain() {
    }

    public static void main(final String[] args) throws Throwable {
        denyIoUringSetup();
        final Probe probe = AioContext.probe();
        System.out.println("probe " + probe.autoBackend() + " " + probe.ioUringErrno());
        try (AioContext context = AioContext.setup(new SetupParams().overflowBound(1024), new AttributeRegistry(List.of()))) {
            final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[256]));
            writer.nop(42);
            context.submit(writer);
            final long[] got = {-1};
            context.getevents(1, 1 << 16, 10_000_000_000L, e -> got[0] = e.userData());
            System.out.println("auto " + context.backend() + " " + context.backendRefusal() + " nop " + got[0]);
        }
        try {
            AioContext.setup(new SetupParams().overflowBound(1024).backend(SetupDescriptor.BACKEND_IO_URING),
                new AttributeRegistry(List.of())).close();
            System.out.println("io_uring was not refused");
        } catch (final SetupException e) {
            System.out.println("io_uring refused, field " + e.field() + ": " + e.getMessage());
        }
    }

    /** no_new_privs, then a seccomp filter on every thread: io_uring_setup answers EPERM, all else is allowed. */
    private static void denyIoUringSetup() throws Throwable {
        final Linker linker = Linker.nativeLinker();
        final MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().findOrThrow("prctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
        final MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().findOrThrow("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
        final boolean x86 = Arch.current() == Arch.X86_64;
        final long sysSeccomp = x86 ? 317 : 277;
        final int auditArch = x86 ? 0xC000003E : 0xC00000B7;
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment filter = arena.allocate(8 * 6, 8);
            put(filter, 0, 0x20, 0, 0, 4);                              // ld [arch]
            put(filter, 1, 0x15, 0, 3, auditArch);                      // jeq this arch, else allow
            put(filter, 2, 0x20, 0, 0, 0);                              // ld [nr]
            put(filter, 3, 0x15, 0, 1, (int) Arch.current().sysIoUringSetup); // jeq io_uring_setup
            put(filter, 4, 0x06, 0, 0, SECCOMP_RET_ERRNO | EPERM);      // ret ERRNO(EPERM)
            put(filter, 5, 0x06, 0, 0, SECCOMP_RET_ALLOW);              // ret ALLOW
            final MemorySegment program = arena.allocate(16, 8);
            program.set(JAVA_SHORT, 0, (short) 6);
            program.set(JAVA_LONG, 8, filter.address());
            if ((int) prctl.invokeExact(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0) {
                throw new IllegalStateException("prctl(PR_SET_NO_NEW_PRIVS) failed");
            }
            final long r = (long) syscall.invokeExact(sysSeccomp, (long) SECCOMP_SET_MODE_FILTER,
                (long) SECCOMP_FILTER_FLAG_TSYNC, program.address());
            if (r != 0) {
                throw new IllegalStateException("seccomp(SET_MODE_FILTER, TSYNC) returned " + r);
            }
        }
    }

    private static void put(final MemorySegment filter, final int index, final int code, final int jt, final int jf, final int k) {
        final long at = index * 8L;
        filter.set(JAVA_SHORT, at, (short) code);
        filter.set(JAVA_BYTE, at + 2, (byte) jt);
        filter.set(JAVA_BYTE, at + 3, (byte) jf);
        filter.set(JAVA_INT, at + 4, k);
    }
}
