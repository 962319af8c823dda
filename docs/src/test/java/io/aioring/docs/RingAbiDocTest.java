package io.aioring.docs;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.aioring.ring.RecordDescriptor;
import io.aioring.ring.RingDescriptor;

import org.junit.jupiter.api.Test;

/** docs/abi.md section 1 says exactly what RingDescriptor and RecordDescriptor define. */
class RingAbiDocTest {
    private static final Path ABI = Path.of("abi.md");

    @Test
    void headerTableMatchesRingDescriptor() throws Exception {
        final List<List<String>> rows = MarkdownTables.tableUnder(ABI, "1.2 Header");
        assertFalse(rows.isEmpty());
        final java.util.Set<String> documented = new java.util.HashSet<>();
        for (final List<String> row : rows) {
            final int offset = Integer.parseInt(row.get(0));
            final String name = MarkdownTables.code(row.get(2));
            final int expected = switch (name) {
                case "data" -> RingDescriptor.HEADER_LENGTH;
                case "heartbeat_ns" -> RingDescriptor.HEARTBEAT_OFFSET;
                default -> constant(RingDescriptor.class, name.toUpperCase(Locale.ROOT) + "_OFFSET");
            };
            assertEquals(expected, offset, "offset of " + name);
            documented.add(name);
        }
        assertEquals(RingDescriptor.APPLICATION_AREA_LENGTH, Integer.parseInt(rowNamed(rows, "application_area").get(1)));
        for (final java.lang.reflect.Field field : RingDescriptor.class.getFields()) {
            if (field.getName().endsWith("_OFFSET")) {
                final String name = field.getName().substring(0, field.getName().length() - "_OFFSET".length())
                    .toLowerCase(Locale.ROOT).replace("heartbeat", "heartbeat_ns");
                assertTrue(documented.contains(name), field.getName() + " has no row in abi.md 1.2");
            }
        }
    }

    @Test
    void flagsTableMatchesRingDescriptor() throws Exception {
        int all = 0;
        for (final List<String> row : MarkdownTables.tableUnder(ABI, "1.3 Flags")) {
            final int value = Integer.decode(row.get(1));
            assertEquals(1 << Integer.parseInt(row.get(0)), value);
            assertEquals(constant(RingDescriptor.class, "FLAG_" + MarkdownTables.code(row.get(2))), value);
            all |= value;
        }
        assertEquals(RingDescriptor.KNOWN_FLAGS, all, "every flag has a row");
    }

    @Test
    void recordTableMatchesRecordDescriptor() throws Exception {
        final List<List<String>> rows = MarkdownTables.tableUnder(ABI, "1.4 Records");
        assertEquals(RecordDescriptor.LENGTH_OFFSET, Integer.parseInt(rowNamed(rows, "length").get(0)));
        assertEquals(RecordDescriptor.TYPE_OFFSET, Integer.parseInt(rowNamed(rows, "type").get(0)));
        assertEquals(RecordDescriptor.HEADER_LENGTH, Integer.parseInt(rowNamed(rows, "payload").get(0)));
        assertTrue(rowNamed(rows, "type").get(3).startsWith("`" + RecordDescriptor.FILLER_TYPE + "` = filler"));
    }

    @Test
    void magicAndLimitsAreTheCodes() throws Exception {
        final List<String> magic = rowNamed(MarkdownTables.tableUnder(ABI, "1.2 Header"), "magic");
        assertTrue(magic.get(4).contains(String.format("0x%016X", RingDescriptor.MAGIC)), magic.get(4));
        final List<String> version = rowNamed(MarkdownTables.tableUnder(ABI, "1.2 Header"), "abi_version");
        assertEquals("`" + RingDescriptor.ABI_VERSION + "`", version.get(4));
        final List<String> length = rowNamed(MarkdownTables.tableUnder(ABI, "1.2 Header"), "data_length");
        assertTrue(length.get(4).contains("[" + RingDescriptor.MIN_DATA_LENGTH + ", 2^30]"));
        assertEquals(1 << 30, RingDescriptor.MAX_DATA_LENGTH);
    }

    static List<String> rowNamed(final List<List<String>> rows, final String name) {
        return rows.stream().filter(r -> r.size() > 2 && (MarkdownTables.code(r.get(2)).equals(name)
                || MarkdownTables.code(r.get(1)).equals(name) || MarkdownTables.code(r.get(2)).equals(name)))
            .findFirst().orElseThrow(() -> new AssertionError("no row for " + name));
    }

    static int constant(final Class<?> type, final String name) {
        try {
            return type.getField(name).getInt(null);
        } catch (final ReflectiveOperationException e) {
            throw new AssertionError(type.getSimpleName() + " has no constant " + name + " for a row of abi.md");
        }
    }
}
