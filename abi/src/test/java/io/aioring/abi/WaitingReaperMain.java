package io.aioring.abi;

import java.nio.file.Path;

/**
 * A reaper process: reaps args[1] NOP events from the ring file args[0] with a {@link ContextReaper}, sleeping
 * with wait mode args[2] (EVENTFD or FUTEX) whenever a poll finds nothing. Exits 0 if every user data 0..n-1 came
 * exactly once and no more wake-ups found the ring empty than there were events (a wake-up signal that is never
 * reset would wake it over and over); prints how many sleeps ended by wake-up and by timeout.
 */
public final class WaitingReaperMain {
    private WaitingReaperMain() {
    }

    public static void main(final String[] args) throws Exception {
        final int expected = Integer.parseInt(args[1]);
        final ContextReaper.WaitMode mode = ContextReaper.WaitMode.valueOf(args[2]);
        final boolean[] seen = new boolean[expected];
        final int[] counts = new int[3]; // events, duplicates, out of range
        int woken = 0;
        int timeouts = 0;
        int emptyWakeUps = 0;
        boolean justWoken = false;
        try (ContextReaper reaper = ContextReaper.open(Path.of(args[0]))) {
            System.out.println("waiting with " + mode);
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (counts[0] < expected && System.nanoTime() < deadline) {
                final int reaped = reaper.poll(e -> {
                    final long u = e.userData();
                    if (u < 0 || u >= expected) {
                        counts[2]++;
                    } else if (seen[(int) u]) {
                        counts[1]++;
                    } else {
                        seen[(int) u] = true;
                        counts[0]++;
                    }
                }, 1 << 16);
                if (reaped == 0 && justWoken) {
                    emptyWakeUps++;
                }
                justWoken = false;
                if (reaped == 0) {
                    if (reaper.await(mode, 2_000_000_000L)) {
                        woken++;
                        justWoken = true;
                    } else {
                        timeouts++;
                    }
                }
            }
        }
        System.out.println("reaped " + counts[0] + " of " + expected + ", duplicates " + counts[1] + ", unknown " + counts[2]
            + "; woken " + woken + " (" + emptyWakeUps + " to an empty ring), timeouts " + timeouts);
        System.exit(counts[0] == expected && counts[1] == 0 && counts[2] == 0 && emptyWakeUps <= expected ? 0 : 1);
    }
}
