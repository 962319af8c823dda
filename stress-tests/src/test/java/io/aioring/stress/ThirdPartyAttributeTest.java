package io.aioring.stress;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.aioring.abi.TestBackend;
import io.aioring.abi.AioContext;
import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.abi.EventView;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.Probe;
import io.aioring.abi.SetupParams;
import io.aioring.linux.Errno;
import io.aioring.linux.Linux;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An attribute from another jar, registered in META-INF/services, found at setup and used end to end. */
class ThirdPartyAttributeTest {
    @TempDir
    Path dir;

    @Test
    void discoveredBesideTheBuiltIns() {
        final AttributeRegistry registry = AttributeRegistry.discover();
        assertEquals("timing", registry.byId(1).name());
        assertEquals("page-cache", registry.byId(2).name());
        assertEquals("fnv1a-64", registry.byId(Fnv1aAttribute.ID).name());
        assertTrue(AioContext.probe().attributes().contains(new Probe.AttributeInfo(Fnv1aAttribute.ID, "fnv1a-64", 1, 0, 8, 16)));
    }

    @Test
    void itsValuesComeBackInTheEvent() throws Exception {
        final byte[] content = new byte[64 * 1024];
        new SplittableRandom(5).nextBytes(content);
        final Path file = Files.write(dir.resolve("hashed.bin"), content);
        try (Arena arena = Arena.ofShared(); AioContext context = AioContext.setup(TestBackend.params().ringDataBytes(1 << 16))) {
            final MemorySegment memory = arena.allocate(1 << 20, 4096);
            context.registerMemory(memory);
            final Errno errno = new Errno(arena);
            final int fd = Linux.openat(errno, Linux.AT_FDCWD, Linux.cString(arena, file.toString()).address(), Linux.O_RDONLY, 0);
            assertTrue(fd >= 0);
            final UnsafeBuffer seed = new UnsafeBuffer(new byte[8]);
            seed.putLong(0, 12345L);
            final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[4096]));
            writer.pread(fd, memory.address(), 5000, 100, 1).attribute(Fnv1aAttribute.ID, 0).attribute(1, 0);
            writer.pread(fd, memory.address() + 8192, 4096, 60_000, 2).attribute(Fnv1aAttribute.ID, 0, seed, 0, 8);
            writer.nop(3).attribute(Fnv1aAttribute.ID, 0);
            assertEquals(3, context.submit(writer));
            final List<long[]> got = new ArrayList<>();
            while (got.size() < 3) {
                context.getevents(1, 1 << 20, 5_000_000_000L, (EventView e) -> {
                    final int a = e.findAttribute(Fnv1aAttribute.ID);
                    final int status = e.attributeStatus(a);
                    got.add(new long[] {e.userData(), e.result(), status,
                        status == AttributeRecordDescriptor.STATUS_HANDLED ? e.buffer().getLong(e.attributePayloadIndex(a)) : 0,
                        status == AttributeRecordDescriptor.STATUS_HANDLED ? e.buffer().getLong(e.attributePayloadIndex(a) + 8) : 0});
                });
            }
            Linux.close(errno, fd);
            for (final long[] g : got) {
                switch ((int) g[0]) {
                    case 1 -> assertArrayEquals(new long[] {1, 5000, 0, Fnv1aAttribute.hash(Fnv1aAttribute.OFFSET_BASIS, content, 100, 5100), 5000}, g);
                    case 2 -> assertArrayEquals(new long[] {2, 4096, 0, Fnv1aAttribute.hash(12345L, content, 60_000, 64_096), 4096}, g);
                    default -> assertEquals(AttributeRecordDescriptor.STATUS_UNSUPPORTED, g[2], "a nop moves no bytes");
                }
            }
        }
    }
}
