package io.aioring.stress.jcstress;

import java.lang.invoke.VarHandle;

import io.aioring.abi.layout.ContextArea;
import io.aioring.ring.Ring;
import io.aioring.ring.RingProducer;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The tail futex's handshake (docs/abi.md 2.9), step for step as CompletionPoster publishes and ContextReaper.await
 * sleeps: the engine stores tail, fences, and wakes if tail_waiters is not 0; a reaper that found the ring empty
 * counts itself in, then loads tail again before it would sleep. At least one side must see the other, or the
 * reaper sleeps through the event (a lost wake-up).
 */
@JCStressTest
@Outcome(id = {"1, 1", "1, 0", "0, 1"}, expect = Expect.ACCEPTABLE, desc = "the engine wakes, or the reaper sees the event")
@Outcome(id = "0, 0", expect = Expect.FORBIDDEN, desc = "lost wake-up: no wake and the reaper would sleep")
@State
public class TailWaiterHandshake {
    private final Ring ring;
    private final RingProducer producer;
    private final ContextArea area;
    private final int emptyTail;

    public TailWaiterHandshake() {
        ring = RingStates.ring();
        producer = new RingProducer(ring);
        area = new ContextArea(ring.buffer());
        emptyTail = ring.tail(); // what the reaper's last poll found: an empty ring
    }

    @Actor
    public void engine(final II_Result r) {
        RingStates.offer(producer);
        VarHandle.fullFence();
        r.r1 = area.hasTailWaiters() ? 1 : 0;
    }

    @Actor
    public void reaper(final II_Result r) {
        area.addTailWaiter();
        r.r2 = ring.tail() != emptyTail ? 1 : 0;
    }
}
