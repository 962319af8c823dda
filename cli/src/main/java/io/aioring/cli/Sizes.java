package io.aioring.cli;

import java.util.Locale;

/** Sizes and durations as people type them: 4k, 1m, 1g; 500ms, 10s, 2m. */
final class Sizes {
    private Sizes() {
    }

    /** @return bytes, or throws IllegalArgumentException with what was wrong */
    static long bytes(final String text) {
        final String t = text.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        if (t.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 4k, 1m, 1g)");
        }
        final char unit = t.charAt(t.length() - 1);
        final long scale = switch (unit) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1;
        };
        final String digits = scale == 1 ? t : t.substring(0, t.length() - 1);
        try {
            final long value = Long.parseLong(digits);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(value, scale);
        } catch (final NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 4k, 1m, 1g)");
        }
    }

    /** @return nanoseconds, or throws IllegalArgumentException */
    static long nanos(final String text) {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        final long scale;
        final String digits;
        if (t.endsWith("ms")) {
            scale = 1_000_000L;
            digits = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            scale = 1_000_000_000L;
            digits = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            scale = 60_000_000_000L;
            digits = t.substring(0, t.length() - 1);
        } else {
            scale = 1_000_000_000L;
            digits = t;
        }
        try {
            final double value = Double.parseDouble(digits);
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return (long) (value * scale);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 500ms, 10s, 2m)");
        }
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
