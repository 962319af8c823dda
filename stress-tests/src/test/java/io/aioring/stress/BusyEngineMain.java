package io.aioring.stress;

import java.nio.file.Path;
import java.util.List;

import io.aioring.abi.TestBackend;
import io.aioring.abi.AioContext;
import io.aioring.abi.spi.AttributeRegistry;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.SetupParams;

import org.agrona.concurrent.UnsafeBuffer;

/** An engine process that keeps submitting NOPs (user data 0, 1, 2, ...) into the ring at args[0] until killed. */
public final class BusyEngineMain {
    private BusyEngineMain() {
    }

    public static void main(final String[] args) throws Exception {
        final AioContext context = AioContext.setup(TestBackend.params().ringPath(Path.of(args[0])).ringDataBytes(1 << 16)
            .workers(1).maxInFlight(256).overflowBound(10_000), new AttributeRegistry(List.of()));
        final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[64 * 64]));
        long next = 0;
        System.out.println("running");
        while (true) {
            writer.reset();
            for (int i = 0; i < 64; i++) {
                writer.nop(next + i);
            }
            final int accepted = context.submit(writer);
            if (accepted > 0) {
                next += accepted;
            } else {
                Thread.sleep(0, 100_000);
            }
        }
    }
}
