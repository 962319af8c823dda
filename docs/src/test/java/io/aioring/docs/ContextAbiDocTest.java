package io.aioring.docs;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.aioring.abi.layout.AttributeRecordDescriptor;
import io.aioring.abi.layout.AttributeRequestDescriptor;
import io.aioring.abi.layout.ContextDescriptor;
import io.aioring.abi.layout.EventDescriptor;
import io.aioring.abi.layout.IocbDescriptor;
import io.aioring.abi.layout.OpcodeDescriptor;
import io.aioring.abi.Opcode;
import io.aioring.abi.layout.SetupDescriptor;
import io.aioring.abi.layout.TotalsDescriptor;

import org.junit.jupiter.api.Test;

/** docs/abi.md section 2 says exactly what the abi module's descriptors define: every offset, every opcode. */
class ContextAbiDocTest {
    private static final Path ABI = Path.of("abi.md");

    /**
     * Checks that each row's offset is the constant NAME_OFFSET (or the override), and that every *_OFFSET constant
     * of {@code type} has a row.
     */
    private static void checkLayout(final String heading, final Class<?> type, final Map<String, String> overrides)
        throws Exception {
        final List<List<String>> rows = MarkdownTables.tableUnder(ABI, heading);
        final Set<String> documented = new HashSet<>();
        for (final List<String> row : rows) {
            final String name = MarkdownTables.code(row.get(2));
            final String constant = overrides.getOrDefault(name, name.toUpperCase(Locale.ROOT) + "_OFFSET");
            assertEquals(RingAbiDocTest.constant(type, constant), Integer.parseInt(row.get(0)),
                heading + ": offset of " + name);
            documented.add(constant);
        }
        for (final Field field : type.getFields()) {
            if (field.getName().endsWith("_OFFSET")) {
                assertTrue(documented.contains(field.getName()), type.getSimpleName() + "." + field.getName()
                    + " has no row under " + heading);
            }
        }
    }

    @Test
    void setupBlock() throws Exception {
        checkLayout("2.1 Setup", SetupDescriptor.class, Map.of());
        assertEquals(SetupDescriptor.LENGTH, SetupDescriptor.RESERVED_OFFSET + 28);
    }

    @Test
    void iocb() throws Exception {
        checkLayout("2.2 The iocb", IocbDescriptor.class, Map.of("attribute_requests", "HEADER_LENGTH"));
    }

    @Test
    void attributeRequest() throws Exception {
        checkLayout("2.3 Attribute requests", AttributeRequestDescriptor.class,
            Map.of("attribute_id", "ID_OFFSET", "payload", "HEADER_LENGTH"));
    }

    @Test
    void event() throws Exception {
        checkLayout("2.6 The event", EventDescriptor.class, Map.of("attribute_records", "HEADER_LENGTH"));
        assertTrue(MarkdownTables.tableUnder(ABI, "2.6 The event").stream()
            .anyMatch(r -> r.get(3).contains("`OVERFLOWED` (0x" + Integer.toHexString(EventDescriptor.FLAG_OVERFLOWED) + ")")));
    }

    @Test
    void attributeRecord() throws Exception {
        checkLayout("2.7 Attribute return records", AttributeRecordDescriptor.class,
            Map.of("attribute_id", "ID_OFFSET", "payload", "HEADER_LENGTH"));
        final String status = RingAbiDocTest.rowNamed(MarkdownTables.tableUnder(ABI, "2.7 Attribute return records"), "status").get(3);
        assertTrue(status.contains("`" + AttributeRecordDescriptor.STATUS_HANDLED + "` handled"));
        assertTrue(status.contains("`" + AttributeRecordDescriptor.STATUS_UNSUPPORTED + "` unsupported"));
        assertTrue(status.contains("`" + AttributeRecordDescriptor.STATUS_FAILED + "` failed"));
    }

    @Test
    void contextArea() throws Exception {
        checkLayout("2.10 The context area", ContextDescriptor.class, Map.of("heartbeat_period_ms", "HEARTBEAT_PERIOD_OFFSET"));
    }

    @Test
    void opcodes() throws Exception {
        final List<List<String>> rows = MarkdownTables.tableUnder(ABI, "2.4 Opcodes");
        assertEquals(Opcode.COUNT, rows.size(), "one row per opcode");
        final String doc = java.nio.file.Files.readString(ABI);
        // The sentences that list opcodes by a property: each row of OpcodeDescriptor must agree with them.
        final Set<String> waiting = namesIn(sentence(doc, "**Waiting for readiness.**"));
        final Set<String> toSlot = namesIn(sentence(doc, "`TO_SLOT` (0x10), on"));
        final Set<String> multishot = namesIn(sentence(doc, "**iocb flags.** `MULTISHOT` (0x8), for"));
        final Map<String, String> fieldsByName = new java.util.HashMap<>();
        for (final List<String> row : rows) {
            fieldsByName.put(MarkdownTables.code(row.get(1)), row.get(3));
        }
        for (final List<String> row : rows) {
            final int code = Integer.parseInt(row.get(0));
            final String name = MarkdownTables.code(row.get(1));
            final OpcodeDescriptor.Row opcode = OpcodeDescriptor.row(code);
            // "as preadv": the fields of the row named
            final java.util.regex.Matcher as = java.util.regex.Pattern.compile("^as `?([a-z_]+)`?").matcher(row.get(3));
            final String fields = as.find() ? fieldsByName.get(as.group(1)) + row.get(3) : row.get(3);
            assertEquals(opcode.name(), name, "opcode " + code);
            assertEquals(Opcode.name(code), name);
            assertEquals(waiting.contains(name), opcode.has(OpcodeDescriptor.WAITS_FOR_READINESS), name + ": waits for readiness");
            assertEquals(toSlot.contains(name), opcode.has(OpcodeDescriptor.TO_SLOT), name + ": TO_SLOT");
            assertEquals(multishot.contains(name), opcode.has(OpcodeDescriptor.MULTISHOT), name + ": MULTISHOT");
            assertEquals(fields.contains("`MULTISHOT`"), opcode.has(OpcodeDescriptor.MULTISHOT), name + ": its row's fields");
            assertEquals(fields.contains("struct iovec"), opcode.has(OpcodeDescriptor.USES_IOVECS), name + ": iovecs");
            assertEquals(fields.contains("struct msghdr"), opcode.has(OpcodeDescriptor.USES_MSGHDR), name + ": a msghdr");
            assertEquals(fields.contains("path's bytes"), opcode.has(OpcodeDescriptor.USES_PATH), name + ": a path");
            assertEquals(fields.contains("mode = the fd written") || fields.contains("mode = fd_out"),
                opcode.has(OpcodeDescriptor.SECOND_FD), name + ": a second fd in mode");
        }
    }

    /** @return the sentence of {@code doc} that starts with {@code start}, up to its first period-space */
    private static String sentence(final String doc, final String start) {
        final int at = doc.indexOf(start);
        assertTrue(at >= 0, "docs/abi.md has no sentence starting " + start);
        final int end = doc.indexOf(". ", at + start.length());
        return doc.substring(at + start.length(), end < 0 ? doc.length() : end);
    }

    /** @return the `backquoted` lower-case names in {@code text} */
    private static Set<String> namesIn(final String text) {
        final Set<String> names = new HashSet<>();
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("`([a-z_]+)`").matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void features() throws Exception {
        final List<List<String>> rows = MarkdownTables.tableUnder(ABI, "2.11 Features");
        assertTrue(rows.contains(List.of("incompat", "0x" + Long.toHexString(ContextDescriptor.INCOMPAT_EVENTS_V1), "`EVENTS_V1`",
            rows.get(0).get(3))));
        assertEquals("0x" + Long.toHexString(ContextDescriptor.COMPAT_CONTEXT_AREA), rows.get(1).get(1));
        assertEquals("0x" + Long.toHexString(ContextDescriptor.COMPAT_EVENTFD_SOCKET), rows.get(2).get(1));
        assertEquals("0x" + Long.toHexString(ContextDescriptor.COMPAT_BACKEND), rows.get(3).get(1));
        assertEquals(List.of("compat", "0x" + Long.toHexString(ContextDescriptor.COMPAT_REAPED_SEQUENCE), "`REAPED_SEQUENCE`"),
            rows.get(4).subList(0, 3));
        assertEquals(List.of("compat", "0x" + Long.toHexString(ContextDescriptor.COMPAT_TAIL_FUTEX), "`TAIL_FUTEX`"),
            rows.get(5).subList(0, 3));
        assertEquals(List.of("compat", "0x" + Long.toHexString(ContextDescriptor.COMPAT_DURABLE_OVERFLOW), "`DURABLE_OVERFLOW`"),
            rows.get(6).subList(0, 3));
        assertEquals(List.of("compat", "0x" + Long.toHexString(ContextDescriptor.COMPAT_IOCB_ASYNC), "`IOCB_ASYNC`"),
            rows.get(7).subList(0, 3));
        assertEquals(List.of("compat", "0x" + Long.toHexString(ContextDescriptor.COMPAT_TOTALS), "`TOTALS`"),
            rows.get(8).subList(0, 3));
        assertEquals(List.of("compat", "0x" + Long.toHexString(ContextDescriptor.COMPAT_CLAIMS_IN_PROGRESS), "`CLAIMS_IN_PROGRESS`"),
            rows.get(9).subList(0, 3));
        assertEquals(List.of("compat", "0x" + Long.toHexString(ContextDescriptor.COMPAT_CORRUPTED_FLAG), "`CORRUPTED_FLAG`"),
            rows.get(10).subList(0, 3));
        assertEquals(List.of("incompat", "0x" + Long.toHexString(ContextDescriptor.INCOMPAT_OVERFLOW_LEFT), "`OVERFLOW_LEFT`"),
            rows.get(11).subList(0, 3));
        assertEquals(12, rows.size(), "a row per feature bit");
    }

    @Test
    void totals() throws Exception {
        final String heading = "2.14 Totals";
        // Two tables under the heading: the trailer's words, then a block's counters.
        final List<List<String>> words = MarkdownTables.tableUnder(ABI, heading, 0);
        for (final List<String> row : words) {
            final String name = MarkdownTables.code(row.get(2));
            final String constant = name.equals("blocks") ? "BLOCKS_OFFSET" : name.toUpperCase(Locale.ROOT) + "_OFFSET";
            assertEquals(RingAbiDocTest.constant(TotalsDescriptor.class, constant), Integer.parseInt(row.get(0)), name);
        }
        assertTrue(RingAbiDocTest.rowNamed(words, "bucket_count").get(3).contains("`" + TotalsDescriptor.BUCKETS + "`"));
        assertTrue(RingAbiDocTest.rowNamed(words, "block_length").get(3).contains("`" + TotalsDescriptor.BLOCK_LENGTH + "`"));
        final List<List<String>> block = MarkdownTables.tableUnder(ABI, heading, 1);
        final Set<String> documented = new HashSet<>();
        for (final List<String> row : block) {
            final String name = MarkdownTables.code(row.get(2));
            assertEquals(RingAbiDocTest.constant(TotalsDescriptor.class, name.toUpperCase(Locale.ROOT) + "_OFFSET"),
                Integer.parseInt(row.get(0)), name);
            documented.add(name.toUpperCase(Locale.ROOT) + "_OFFSET");
        }
        assertEquals(TotalsDescriptor.BLOCK_LENGTH, TotalsDescriptor.SERVICE_OFFSET + 8 * TotalsDescriptor.BUCKETS);
        final String moves = RingAbiDocTest.rowNamed(block, "bytes").get(3);
        for (int opcode = 0; opcode < OpcodeDescriptor.COUNT; opcode++) {
            assertEquals(OpcodeDescriptor.has(opcode, OpcodeDescriptor.MOVES_BYTES),
                moves.contains("`" + OpcodeDescriptor.row(opcode).name() + "`"), "bytes counts " + OpcodeDescriptor.row(opcode).name());
        }
        for (final Field field : TotalsDescriptor.class.getFields()) {
            final String name = field.getName();
            if (name.endsWith("_OFFSET") && !Set.of("SEQUENCE_OFFSET", "OPCODE_COUNT_OFFSET", "BUCKET_COUNT_OFFSET",
                "BLOCK_LENGTH_OFFSET", "BLOCKS_OFFSET").contains(name)) {
                assertTrue(documented.contains(name), name + " has no row under " + heading);
            }
        }
    }
}
