package io.aioring.abi;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A program that sets up a context (default ring path, eventfd socket), completes one NOP through it, prints
 * "ring PATH", and never destroys it: then returns from main (args[0] "return"), calls System.exit (args[0]
 * "exit"), or waits to be stopped by a signal (args[0] "wait"); or (args[0] "busy") keeps two threads submitting,
 * reaping and reading the ring's words through {@code context.ring()} until a signal stops it: the exit hook
 * destroys the context under them, and no read may fault (it did: SIGSEGV, exit 134).
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
            case "busy" -> busy(context);
            default -> Thread.sleep(600_000);
        }
    }

    private static void busy(final AioContext context) throws InterruptedException {
        final Runnable work = () -> {
            final IocbWriter writer = new IocbWriter(new UnsafeBuffer(new byte[4096]));
            long sum = 0;
            try {
                while (true) {
                    writer.reset();
                    for (int i = 0; i < 16; i++) {
                        writer.nop(i);
                    }
                    context.submit(writer);
                    context.getevents(0, 1 << 16, 0, event -> { });
                    for (int i = 0; i < 1000; i++) {
                        sum += context.ring().tail() + context.ring().head(); // the words, read after destroy too
                    }
                }
            } catch (final IllegalStateException e) {
                // destroyed at exit: the calls say so; the ring's words keep reading (as zeros)
                while (true) {
                    sum += context.ring().tail();
                }
            }
        };
        for (int i = 0; i < 2; i++) {
            final Thread thread = new Thread(work, "busy-" + i);
            thread.start();
        }
        Thread.sleep(600_000);
    }
}
