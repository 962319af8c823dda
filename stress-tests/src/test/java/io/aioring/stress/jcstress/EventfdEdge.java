package io.aioring.stress.jcstress;

import java.lang.invoke.VarHandle;

import io.aioring.ring.Ring;
import io.aioring.ring.RingProducer;
import io.aioring.ring.RingReaper;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The eventfd's edge trigger (docs/abi.md 2.9), as CompletionPoster signals and ContextReaper.await checks: one
 * record is unread; the engine publishes a second, fences and signals only if head had reached the old tail; the
 * reaper reaps (taking one record, or both), then looks for unread bytes before it would sleep. The second record
 * must be taken, signalled, or seen.
 */
@JCStressTest
@Outcome(id = "0, 0, 1", expect = Expect.FORBIDDEN, desc = "lost: the new record unread, no signal, the reaper sleeps")
@Outcome(expect = Expect.ACCEPTABLE, desc = "taken, signalled or seen")
@State
public class EventfdEdge {
    private final Ring ring;
    private final RingProducer producer;
    private final RingReaper reaper;
    private final RingStates.Seen seen = new RingStates.Seen();

    public EventfdEdge() {
        ring = RingStates.ring();
        producer = new RingProducer(ring);
        RingStates.offer(producer);
        reaper = RingStates.sharedReaper(ring);
    }

    @Actor
    public void engine(final III_Result r) {
        final int tailBefore = producer.publishedTail();
        RingStates.offer(producer);
        VarHandle.fullFence();
        r.r1 = ring.head() - tailBefore >= 0 ? 1 : 0;
    }

    @Actor
    public void reaper(final III_Result r) {
        int taken = 0;
        int got;
        while ((got = reaper.poll(seen)) > 0) {
            taken += got;
        }
        r.r3 = taken;
        r.r2 = ring.tail() != ring.head() ? 1 : 0;
    }
}
