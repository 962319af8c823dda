package io.aioring.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's CPU time (user and system, /proc/self/stat) and its threads' context switches, as fio
 * reports a job's usr_cpu, sys_cpu and ctx. Zeros where /proc cannot be read.
 *
 * @param userTicks   utime, in clock ticks (USER_HZ, 100 a second on Linux)
 * @param systemTicks stime, in clock ticks
 * @param switches    voluntary and involuntary context switches
 */
record ProcessCpu(long userTicks, long systemTicks, long switches) {
    /** Linux's USER_HZ: what /proc counts CPU time in. */
    static final int TICKS_PER_SECOND = 100;

    static ProcessCpu now() {
        try {
            final String stat = Files.readString(Path.of("/proc/self/stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long switches = 0;
            // Context switches are counted per thread: the sum over the threads alive now.
            try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (final Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        for (final String line : Files.readAllLines(task.resolve("status"))) {
                            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                                switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                            }
                        }
                    } catch (final IOException e) {
                        // the thread ended meanwhile
                    }
                }
            }
            // utime and stime are fields 14 and 15; after the name, the third field is field 3.
            return new ProcessCpu(Long.parseLong(fields[11]), Long.parseLong(fields[12]), switches);
        } catch (final IOException | RuntimeException e) {
            return new ProcessCpu(0, 0, 0);
        }
    }

    /** @return what this process used since {@code before} */
    ProcessCpu since(final ProcessCpu before) {
        return new ProcessCpu(userTicks - before.userTicks, systemTicks - before.systemTicks, switches - before.switches);
    }
}
