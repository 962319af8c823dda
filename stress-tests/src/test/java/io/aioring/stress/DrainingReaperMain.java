package io.aioring.stress;

import java.nio.file.Path;

import io.aioring.abi.ContextReaper;

import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * A reaper process that reaps with {@link ContextReaper#reap} until it returns (the engine closed or gone and the ring
 * drained), then prints what it saw and the engine's state. Exit 0 if its events came each once.
 */
public final class DrainingReaperMain {
    private DrainingReaperMain() {
    }

    public static void main(final String[] args) {
        final java.util.BitSet seen = new java.util.BitSet();
        final long[] twice = {0};
        try (ContextReaper reaper = ContextReaper.open(Path.of(args[0]))) {
            System.out.println("reaping");
            final int reaped = reaper.reap(e -> {
                if (seen.get((int) e.userData())) {
                    twice[0]++;
                }
                seen.set((int) e.userData());
            }, Integer.MAX_VALUE, 1 << 16, new BackoffIdleStrategy(100, 10, 1_000, 1_000_000), 120_000_000_000L);
            System.out.println("reaped " + reaped + " events; engine " + reaper.engineState() + "; drained " + reaper.isDrained()
                + "; twice " + twice[0]);
            System.exit(twice[0] == 0 && reaper.isDrained() ? 0 : 1);
        }
    }
}
