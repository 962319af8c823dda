package io.aioring.stress.jcstress;

import io.aioring.ring.Ring;
import io.aioring.ring.RingProducer;
import io.aioring.ring.RingReaper;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/** Two shared reapers race for one published record: exactly one of them gets it, whole. */
@JCStressTest
@Outcome(id = {"1, -1", "-1, 1"}, expect = Expect.ACCEPTABLE, desc = "one reaper took it, whole")
@Outcome(id = "1, 1", expect = Expect.FORBIDDEN, desc = "delivered twice")
@Outcome(id = "-1, -1", expect = Expect.FORBIDDEN, desc = "lost")
@Outcome(expect = Expect.FORBIDDEN, desc = "torn")
@State
public class TwoReapersOneRecord {
    private final RingReaper first;
    private final RingReaper second;
    private final RingStates.Seen firstSeen = new RingStates.Seen();
    private final RingStates.Seen secondSeen = new RingStates.Seen();

    public TwoReapersOneRecord() {
        final Ring ring = RingStates.ring();
        RingStates.offer(new RingProducer(ring));
        first = RingStates.sharedReaper(ring);
        second = RingStates.sharedReaper(ring);
    }

    @Actor
    public void first(final II_Result r) {
        first.poll(firstSeen);
        r.r1 = firstSeen.value;
    }

    @Actor
    public void second(final II_Result r) {
        second.poll(secondSeen);
        r.r2 = secondSeen.value;
    }
}
