package io.aioring.stress.jcstress;

import io.aioring.ring.Ring;
import io.aioring.ring.RingObserver;
import io.aioring.ring.RingProducer;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/** An observer (inspect, trace) watching a record being published: nothing, or the whole record. */
@JCStressTest
@Outcome(id = "-1", expect = Expect.ACCEPTABLE, desc = "looked before the publish")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "the whole record")
@Outcome(id = "0", expect = Expect.FORBIDDEN, desc = "a torn record")
@State
public class ObserveWhilePublishing {
    private final RingProducer producer;
    private final RingObserver observer;
    private final RingStates.Seen seen = new RingStates.Seen();

    public ObserveWhilePublishing() {
        final Ring ring = RingStates.ring();
        producer = new RingProducer(ring);
        observer = new RingObserver(ring);
    }

    @Actor
    public void producer() {
        RingStates.offer(producer);
    }

    @Actor
    public void observer(final I_Result r) {
        observer.poll(seen, Integer.MAX_VALUE);
        r.r1 = seen.value;
    }
}
