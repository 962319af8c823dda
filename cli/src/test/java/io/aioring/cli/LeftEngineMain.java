package io.aioring.cli;

import java.nio.file.Path;

import io.aioring.abi.AioContext;
import io.aioring.abi.IocbWriter;
import io.aioring.abi.SetupParams;

import org.agrona.concurrent.UnsafeBuffer;

/** An engine that posts N nop events nobody reaps, says "ready", and waits to be killed: the files it leaves. */
public final class LeftEngineMain {
    private LeftEngineMain() {
    }

    public static void main(final String[] args) throws Exception {
        final AioContext context = AioContext.setup(new SetupParams().ringPath(Path.of(args[0])));
        final int events = Integer.parseInt(args[1]);
        final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[64 * 1024]));
        for (int i = 0; i < events; i++) {
            writer.nop(i);
        }
        if (events > 0) {
            context.submit(writer);
        }
        while (context.completed() < events) {
            Thread.sleep(1);
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
