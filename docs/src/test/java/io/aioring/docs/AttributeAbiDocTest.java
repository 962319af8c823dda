package io.aioring.docs;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.aioring.attributes.PageCacheAttribute;
import io.aioring.attributes.PathAttribute;
import io.aioring.attributes.TimingAttribute;

import org.junit.jupiter.api.Test;

/** docs/abi.md section 3: each built-in attribute's return payload, byte by byte, as the code writes it. */
class AttributeAbiDocTest {
    private static final Path ABI = Path.of("abi.md");

    private static int sum(final List<List<String>> rows) {
        return rows.stream().mapToInt(r -> Integer.parseInt(r.get(1))).sum();
    }

    @Test
    void timing() throws Exception {
        final List<List<String>> rows = MarkdownTables.tableUnder(ABI, "3.2 timing");
        for (final List<String> row : rows) {
            final String name = MarkdownTables.code(row.get(2)).replace("_ns", "").toUpperCase(Locale.ROOT);
            assertEquals(RingAbiDocTest.constant(TimingAttribute.class, name + "_OFFSET"), Integer.parseInt(row.get(0)), name);
        }
        assertEquals(TimingAttribute.RETURN_LENGTH, sum(rows));
        assertEquals(new TimingAttribute().returnLength(), sum(rows));
    }

    @Test
    void pageCache() throws Exception {
        final List<List<String>> rows = MarkdownTables.tableUnder(ABI, "3.3 page-cache");
        assertEquals(PageCacheAttribute.OUTCOME_OFFSET, Integer.parseInt(RingAbiDocTest.rowNamed(rows, "outcome").get(0)));
        assertEquals(PageCacheAttribute.RESIDENT_OFFSET, Integer.parseInt(RingAbiDocTest.rowNamed(rows, "resident_bytes").get(0)));
        assertEquals(PageCacheAttribute.REQUESTED_OFFSET, Integer.parseInt(RingAbiDocTest.rowNamed(rows, "requested_bytes").get(0)));
        assertEquals(PageCacheAttribute.RETURN_LENGTH, sum(rows));
        final String outcomes = RingAbiDocTest.rowNamed(rows, "outcome").get(3);
        assertTrue(outcomes.contains("`" + PageCacheAttribute.HIT + "` hit") && outcomes.contains("`" + PageCacheAttribute.PARTIAL
            + "` partial") && outcomes.contains("`" + PageCacheAttribute.MISS + "` miss"), outcomes);
        assertTrue(MarkdownTables.tableUnder(ABI, "3.3 page-cache").size() == 4);
    }

    @Test
    void path() throws Exception {
        final List<List<String>> rows = MarkdownTables.tableUnder(ABI, "3.4 path");
        assertEquals(PathAttribute.PATH_OFFSET, Integer.parseInt(RingAbiDocTest.rowNamed(rows, "path").get(0)));
        assertEquals(PathAttribute.CPU_OFFSET, Integer.parseInt(RingAbiDocTest.rowNamed(rows, "cpu").get(0)));
        assertEquals(PathAttribute.RETURN_LENGTH, sum(rows));
        final String paths = RingAbiDocTest.rowNamed(rows, "path").get(3);
        assertTrue(paths.contains("`" + PathAttribute.INLINE + "` inline") && paths.contains("`" + PathAttribute.ASYNC
            + "` async") && paths.contains("`" + PathAttribute.WORKER + "` worker"), paths);
    }

    @Test
    void idsInTheHeadings() throws Exception {
        final String text = java.nio.file.Files.readString(ABI);
        assertTrue(text.contains("### 3.2 timing (id " + TimingAttribute.ID + ")"));
        assertTrue(text.contains("### 3.3 page-cache (id " + PageCacheAttribute.ID + ")"));
        assertTrue(text.contains("### 3.4 path (id " + PathAttribute.ID + ")"));
    }
}
