package io.aioring.abi.engine;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Frequency;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** One live context's counters, every period, for JDK Flight Recorder. */
@Name(ContextStatisticsEvent.NAME)
@Label("aioring Context Statistics")
@Category({"aioring"})
@Description("A live aioring context: its rates since the previous such event and its totals")
@Period("1 s")
@StackTrace(false)
final class ContextStatisticsEvent extends Event {
    static final String NAME = "io.aioring.ContextStatistics";

    @Label("Ring")
    String ring;

    @Label("Backend")
    String backend;

    @Label("IOPS")
    @Description("Completions per second since the previous event for this context")
    double iops;

    @Label("Bandwidth")
    @Description("Bytes moved per second since the previous event for this context")
    @DataAmount
    @Frequency
    double bytesPerSecond;

    @Label("Submitted")
    long submitted;

    @Label("Completed")
    long completed;

    @Label("Bytes")
    @Description("Bytes moved by completed reads, writes, sends and receives")
    @DataAmount
    long bytes;

    @Label("In Flight")
    int inFlight;

    @Label("Overflowed")
    @Description("Events that waited on the overflow list because the ring was full")
    long overflowed;

    @Label("Overflow List")
    @Description("Events on the overflow list now")
    int overflowLength;

    @Label("Busy Rejections")
    @Description("Submits refused with EBUSY because the overflow list was at its bound")
    long busyRejections;
}
