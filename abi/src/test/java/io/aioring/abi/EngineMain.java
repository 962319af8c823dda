package io.aioring.abi;

import io.aioring.abi.spi.AttributeRegistry;
import java.nio.file.Path;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * An engine process: sets up a context with its ring at args[0] (a 4 KiB ring, so most events overflow), submits
 * args[1] NOPs, prints "submitted", and waits to be killed.
 */
public final class EngineMain {
    private EngineMain() {
    }

    /**
     * Starts an engine process on {@code ring} and waits until it has submitted {@code count} NOPs and they completed.
     *
     * @return the process, for the caller to kill and close
     */
    static io.aioring.linux.ChildJvm startSubmitted(final java.nio.file.Path ring, final int count) throws Exception {
        final io.aioring.linux.ChildJvm engine = io.aioring.linux.ChildJvm.start(EngineMain.class, ring.toString(),
            Integer.toString(count));
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (!engine.log().contains("submitted")) {
            if (!engine.process().isAlive() || System.nanoTime() - deadline > 0) {
                engine.close();
                throw new AssertionError("the engine never finished submitting: " + engine.log());
            }
            Thread.sleep(10);
        }
        return engine;
    }

    public static void main(final String[] args) throws Exception {
        final int count = Integer.parseInt(args[1]);
        final AioContext context = AioContext.setup(TestBackend.params().ringPath(Path.of(args[0])).ringDataBytes(4096)
            .workers(1).overflowBound(count), new AttributeRegistry(List.of()));
        final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[64 * 100]));
        for (int i = 0; i < count; ) {
            writer.nop(i);
            if (++i % 100 == 0 || i == count) {
                if (context.submit(writer) != writer.count()) {
                    System.out.println("submit refused");
                    System.exit(2);
                }
                writer.reset();
            }
        }
        while (context.completed() < count) {
            Thread.sleep(1);
        }
        System.out.println("submitted " + count);
        Thread.sleep(600_000);
    }
}
