package io.aioring.cli;

/**
 * Text from outside (file names in a shared directory, messages that quote them) made safe for a terminal: control
 * characters (ESC, BEL, CR, ...) and DEL are printed as {@code \xNN}, so a planted name cannot move the cursor,
 * rewrite a line or ring the bell.
 */
final class Printable {
    private Printable() {
    }

    static String of(final String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            final boolean control = c < 0x20 && c != '\t' || c == 0x7f || c >= 0x80 && c < 0xa0;
            if (control && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (control) {
                    out.append(String.format("\\x%02x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
