/**
 * The {@code aioring} command line: {@code bench} (a fio-like workload reaped by other processes: its options,
 * file, submitting side, reapers and report), {@code trace} (live latency and hit ratio without taking events),
 * {@code inspect} (a ring's header and context area), and the hidden {@code reap} that bench's reaper processes run.
 */
package io.aioring.cli;
