package io.aioring.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import io.aioring.abi.AioContext;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.SetupParams;
import io.aioring.linux.Linux;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** trace sees every completion, from the engine's totals, however fast the reapers take the events. */
class TraceCommandTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void traceCountsEveryCompletionWhileItWatchesAndByOpcode() throws Exception {
        final Path file = Files.write(dir.resolve("data"), new byte[1 << 20]);
        try (Arena arena = Arena.ofShared(); AioContext context = AioContext.setup(new SetupParams().ringDataBytes(64 * 1024))) {
            final MemorySegment memory = arena.allocate(64 * 4096, 4096);
            context.registerMemory(memory);
            final int fd = context.openFile(file, Linux.O_RDONLY);
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final AtomicInteger exit = new AtomicInteger(-1);
            final Thread trace = new Thread(() -> exit.set(AioringCommand.run(new String[] {"trace", context.ringPath().toString(),
                "-D", "-T", "--interval", "200ms"}, new PrintWriter(out, true), new PrintWriter(err, true))));
            trace.start();
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (!out.toString().contains("Ctrl-C to end") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(out.toString().contains("every completion, from the engine's totals"), out + err.toString());
            // Reaped as fast as the caller can: the trace takes none of them, and sees all.
            final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[64 * 1024]));
            int reaped = 0;
            for (int round = 0; round < 50; round++) {
                for (int i = 0; i < 100; i++) {
                    writer.nop(i);
                }
                for (int i = 0; i < 20; i++) {
                    writer.pread(fd, memory.address() + i * 4096L, 4096, (round * 20L + i) * 4096 % (1 << 20), 1000 + i);
                }
                writer.pread(1 << 20, memory.address(), 4096, 0, 2000); // no such descriptor: -EBADF
                assertEquals(121, context.submit(writer));
                writer.reset();
                int got = 0;
                while (got < 121) {
                    got += context.getevents(121 - got, Integer.MAX_VALUE, 1_000_000_000L, e -> { });
                }
                reaped += got;
            }
            assertEquals(50 * 121, reaped);
            context.destroy(); // the trace ends: the context closed its ring
            trace.join(30_000);
            assertEquals(0, exit.get(), out + err.toString());
            final String text = out.toString();
            assertTrue(text.contains("The context closed its ring."), text);
            assertTrue(text.contains("6,050 events, 50 errors, 3.9 MiB while tracing (every completion, from the engine's totals)."), text);
            assertTrue(text.contains("opcode = nop: "), text);
            assertTrue(text.contains("opcode = pread: "), text);
            assertTrue(text.contains("nsecs (submit -> complete) : count     distribution"), text);
            assertTrue(text.matches("(?s).*\\[ +[0-9.]+s [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\\] .*"), "a time of day on each line: " + text);
        }
    }
}
