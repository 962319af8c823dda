package io.aioring.linux;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** Every errno name against the kernel's own headers, where the machine has them. */
class ErrnoTest {
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+(E[A-Z0-9]+)\\s+(\\d+|E[A-Z0-9]+)", Pattern.MULTILINE);

    @Test
    void everyErrnoInTheKernelHeadersHasItsName() throws Exception {
        final Path base = Path.of("/usr/include/asm-generic/errno-base.h");
        final Path rest = Path.of("/usr/include/asm-generic/errno.h");
        assumeTrue(Files.exists(base) && Files.exists(rest), "no kernel headers (linux-libc-dev) to compare with");
        final Map<String, Integer> defined = new HashMap<>();
        for (final Path header : new Path[] {base, rest}) {
            final Matcher m = DEFINE.matcher(Files.readString(header));
            while (m.find()) {
                final String value = m.group(2);
                defined.put(m.group(1), Character.isDigit(value.charAt(0)) ? Integer.parseInt(value) : defined.get(value));
            }
        }
        assertTrue(defined.size() > 130, "read " + defined.size() + " errno values");
        for (final var entry : defined.entrySet()) {
            assertEquals(entry.getValue().intValue(), Errno.byName(entry.getKey()), entry.getKey());
            final String name = Errno.name(entry.getValue());
            assertEquals(entry.getValue().intValue(), Errno.byName(name), "name(" + entry.getValue() + ") = " + name);
        }
    }

    @Test
    void namesAndResults() {
        assertEquals("EBADF", Errno.name(9));
        assertEquals("ECANCELED", Errno.name(Errno.ECANCELED));
        assertEquals("errno 4000", Errno.name(4000));
        assertEquals("errno 41", Errno.name(41));
        assertEquals("-ENOENT", Errno.describeResult(-2));
        assertEquals("4096", Errno.describeResult(4096));
        assertEquals(-1, Errno.byName("ENOTHING"));
    }
}
