package io.aioring.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the first table under a heading of a Markdown file: each row as its trimmed cells, header row excluded. */
final class MarkdownTables {
    private MarkdownTables() {
    }

    static List<List<String>> tableUnder(final Path file, final String heading) throws IOException {
        return tableUnder(file, heading, 0);
    }

    /** @return the rows of the {@code n}th table (from 0) under the heading, before the next heading */
    static List<List<String>> tableUnder(final Path file, final String heading, final int n) throws IOException {
        final List<String> lines = Files.readAllLines(file);
        int i = 0;
        while (i < lines.size() && !(lines.get(i).startsWith("#") && lines.get(i).contains(heading))) {
            i++;
        }
        if (i == lines.size()) {
            throw new AssertionError("no heading containing '" + heading + "' in " + file);
        }
        for (int skip = 0; skip <= n; skip++) {
            while (skip > 0 && i < lines.size() && lines.get(i).startsWith("|")) {
                i++; // past the table before
            }
            while (i < lines.size() && !lines.get(i).startsWith("|")) {
                if (i > 0 && lines.get(i).startsWith("#") && !lines.get(i).contains(heading)) {
                    throw new AssertionError("no table " + n + " under '" + heading + "' in " + file);
                }
                i++;
            }
        }
        final List<List<String>> rows = new ArrayList<>();
        i += 2; // header row and separator
        for (; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            final String line = lines.get(i).trim();
            final List<String> cells = new ArrayList<>();
            // A pipe escaped as \| belongs to the cell (C's "a | b" inside a table).
            for (final String cell : line.substring(1, line.length() - 1).split("(?<!\\\\)\\|", -1)) {
                cells.add(cell.trim().replace("\\|", "|"));
            }
            rows.add(cells);
        }
        return rows;
    }

    /** @return the text between backticks in {@code cell}, or the cell itself */
    static String code(final String cell) {
        final int open = cell.indexOf('`');
        final int close = cell.indexOf('`', open + 1);
        return open >= 0 && close > open ? cell.substring(open + 1, close) : cell;
    }
}
