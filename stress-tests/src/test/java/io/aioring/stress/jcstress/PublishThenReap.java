package io.aioring.stress.jcstress;

import io.aioring.ring.RingProducer;
import io.aioring.ring.RingReaper;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/** A record published while a shared reaper polls: the reaper sees nothing, or the whole record; never a torn one. */
@JCStressTest
@Outcome(id = "-1", expect = Expect.ACCEPTABLE, desc = "polled before the publish")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "the whole record")
@Outcome(id = "0", expect = Expect.FORBIDDEN, desc = "a record whose bytes were not all written yet")
@State
public class PublishThenReap {
    private final RingProducer producer;
    private final RingReaper reaper;
    private final RingStates.Seen seen = new RingStates.Seen();

    public PublishThenReap() {
        final io.aioring.ring.Ring ring = RingStates.ring();
        producer = new RingProducer(ring);
        reaper = RingStates.sharedReaper(ring);
    }

    @Actor
    public void producer() {
        RingStates.offer(producer);
    }

    @Actor
    public void reaper(final I_Result r) {
        reaper.poll(seen);
        r.r1 = seen.value;
    }
}
