package io.aioring.abi.engine;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * One iocb, submit to completion, for JDK Flight Recorder: FFM I/O never shows in {@code jdk.FileRead}. Begun when
 * submit accepts the iocb (only while a recording has this event on), committed when its event is posted if it
 * took at least the threshold. Its thread is the one that completed the iocb, so it carries no stack trace.
 */
@Name(CompletionEvent.NAME)
@Label("aioring Completion")
@Category({"aioring"})
@Description("An iocb submitted through an aioring context, from submit to its completion event")
@Threshold("20 ms")
@StackTrace(false)
final class CompletionEvent extends Event {
    static final String NAME = "io.aioring.Completion";

    @Label("Opcode")
    String opcode;

    @Label("File Descriptor")
    int fd;

    @Label("Path")
    @Description("What the descriptor named when the event was committed (/proc/self/fd), if it could be read")
    String path;

    @Label("Bytes Asked")
    @Description("The length a read or write asked to move; 0 for other opcodes")
    @DataAmount
    long requestedBytes;

    @Label("Result")
    @Description("What the call returned: bytes, a descriptor, 0, or -errno")
    long result;

    @Label("Bytes")
    @Description("The bytes a read, write, send or receive moved; 0 for other opcodes and for errors")
    @DataAmount
    long bytes;

    @Label("Error")
    @Description("The errno's name when the result is negative")
    String error;

    @Label("Queue Time")
    @Description("Submit to the call handed to the kernel or a worker")
    @Timespan
    long queueTime;

    @Label("Service Time")
    @Description("Handed over to completion seen")
    @Timespan
    long serviceTime;

    @Label("Page Cache")
    @Description("hit, partial or miss for a read that asked for the page-cache attribute; empty otherwise")
    String pageCache;

    @Label("Execution Path")
    @Description("inline (inside the submit call), async (io_uring) or worker")
    String executionPath;

    @Label("User Data")
    long userData;

    @Label("Ring")
    @Description("The context's ring file")
    String ring;
}
