package io.aioring.abi;

import io.aioring.abi.layout.ContextDescriptor;
import java.nio.file.Path;

import io.aioring.ring.RingDescriptor;
import io.aioring.ring.RingFile;

/**
 * A reaper process: reaps args[1] events from the ring file args[0], ringing the doorbell whenever the ring is
 * empty and the overflow flag is set; checks that sequence and user data both run 0, 1, 2, ... Exit 0 if so.
 */
public final class DoorbellReaperMain {
    private DoorbellReaperMain() {
    }

    public static void main(final String[] args) {
        final int expected = Integer.parseInt(args[1]);
        final long[] next = {0};
        final boolean[] ordered = {true};
        try (RingFile file = RingFile.open(Path.of(args[0]), ContextDescriptor.KNOWN_INCOMPAT_FEATURES)) {
            final EventPoller reaper = new EventPoller(file.ring());
            final long deadline = System.nanoTime() + 100_000_000_000L;
            int rings = 0;
            while (next[0] < expected && System.nanoTime() < deadline) {
                final int n = reaper.poll(e -> {
                    ordered[0] &= e.sequence() == next[0] && e.userData() == next[0];
                    next[0]++;
                }, 1 << 16);
                if (n == 0) {
                    if ((file.ring().flags() & RingDescriptor.FLAG_OVERFLOW_PENDING) != 0) {
                        file.ring().ringDoorbell();
                        rings++;
                    }
                    Thread.onSpinWait();
                }
            }
            System.out.println("rang the doorbell " + rings + " times");
        }
        if (next[0] == expected && ordered[0]) {
            System.out.println("reaped " + expected + " events in order");
            System.exit(0);
        }
        System.out.println("reaped " + next[0] + " of " + expected + " events, in order: " + ordered[0]);
        System.exit(1);
    }
}
