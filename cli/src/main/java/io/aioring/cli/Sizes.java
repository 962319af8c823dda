package io.aioring.cli;

import java.util.Locale;

/** Sizes and durations as people type them: 4k, 1m, 1.5g; 500ms, 10s, 2m, 1h. */
final class Sizes {
    private Sizes() {
    }

    private static final java.util.regex.Pattern SIZE =
        java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?");
    private static final java.util.regex.Pattern DURATION =
        java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    /**
     * @return bytes: a number (decimals allowed when they come to whole bytes), then k, m, g or t (powers of 1024),
     *         optionally followed by b, ib or nothing: 4096, 4k, 1.5g, 2MiB
     * @throws IllegalArgumentException saying what was wrong
     */
    static long bytes(final String text) {
        final java.util.regex.Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 4k, 1m, 1.5g)");
        }
        final long scale = switch (m.group(2)) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            case "t" -> 1L << 40;
            default -> 1;
        };
        try {
            final java.math.BigDecimal value = new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(scale));
            return value.longValueExact();
        } catch (final ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes that fits in 63 bits");
        }
    }

    /** @return nanoseconds of a duration: a number, then ms, s (the default), m or h: 500ms, 10s, 1.5m, 1h */
    static long nanos(final String text) {
        final java.util.regex.Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 500ms, 10s, 2m, 1h)");
        }
        final long scale = m.group(2) == null ? 1_000_000_000L : switch (m.group(2)) {
            case "ms" -> 1_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 1_000_000_000L;
        };
        final double value = Double.parseDouble(m.group(1)) * scale;
        if (!(value >= 1) || value > Long.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is not a duration above 0 (e.g. 500ms, 10s, 2m, 1h)");
        }
        return (long) value;
    }

    /** @return a duration as a person reads it: "850 ns", "12.3 us", "4.56 ms", "1.20 s" */
    static String nanosText(final long nanos) {
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return String.format(java.util.Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format(java.util.Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(java.util.Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    /** @return e.g. "4 KiB", "1 GiB", "19.6 GiB", "1536 B" */
    static String human(final long bytes) {
        final String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        while (unit < units.length - 1 && bytes >= 1L << (10 * (unit + 1))) {
            unit++;
        }
        if (unit == 0) {
            return bytes + " B";
        }
        final long scale = 1L << (10 * unit);
        return bytes % scale == 0 ? (bytes / scale) + " " + units[unit]
            : String.format(java.util.Locale.ROOT, "%.1f %s", (double) bytes / scale, units[unit]);
    }
}
