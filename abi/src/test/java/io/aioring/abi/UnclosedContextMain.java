package io.aioring.abi;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A program that sets up a context (default ring path, eventfd socket), completes one NOP through it, prints
 * "ring PATH", and never destroys it: then returns from main (args[0] "return"), calls System.exit (args[0]
 * "exit"), or waits to be stopped by a signal (args[0] "wait").
 */
public final class UnclosedContextMain {
    private UnclosedContextMain() {
    }

    public static void main(final String[] args) throws Exception {
        final AioContext context = AioContext.setup(TestBackend.params());
        final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[256]));
        writer.nop(1);
        if (context.submit(writer) != 1 || context.getevents(1, 1 << 16, 10_000_000_000L, event -> { }) != 1) {
            System.out.println("the NOP did not complete");
            System.exit(2);
        }
        System.out.println("ring " + context.ringPath());
        System.out.flush();
        switch (args[0]) {
            case "return" -> { }
            case "exit" -> System.exit(0);
            default -> Thread.sleep(600_000);
        }
    }
}
