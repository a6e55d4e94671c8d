package io.vigil.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the repository's Markdown: its relative links and GitHub-style heading anchors. Written here rather than with
 * a Markdown library because only links and headings outside code blocks are needed, and the checks must say exactly
 * which file, line and link is wrong.
 */
final class Docs {
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

    private Docs() {}

    /** The repository root: the nearest folder up from the working directory that holds {@code rules/schema.json}. */
    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("rules/schema.json"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("repository root (with rules/schema.json) not found above "
                    + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** README.md, rules/README.md and every Markdown file under docs/. */
    static List<Path> markdownFiles(Path root) {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        files.add(root.resolve("rules/README.md"));
        try (Stream<Path> s = Files.walk(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The lines of a file with fenced code blocks blanked out (links and headings there are examples). */
    static List<String> proseLines(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : lines) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                out.add("");
            } else {
                out.add(fenced ? "" : line.replaceAll("`[^`]*`", "``"));
            }
        }
        return out;
    }

    /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, .... */
    static Set<String> anchors(Path file) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : lines) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (fenced || !m.matches()) {
                continue;
            }
            String slug = m.group(1)
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N} _-]", "")
                    .replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum);
            anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
        }
        return anchors;
    }

    /** Every relative link in {@code file} that does not resolve, as {@code file:line: link (why)}. */
    static List<String> brokenLinks(Path root, Path file) {
        List<String> broken = new ArrayList<>();
        List<String> lines = proseLines(file);
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = LINK.matcher(lines.get(i));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue; // https:, mailto: ...: not a file in this repository
                }
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved =
                        path.isEmpty() ? file : file.getParent().resolve(path).normalize();
                String where = root.relativize(file) + ":" + (i + 1) + ": " + target;
                if (!resolved.startsWith(root)) {
                    broken.add(where + " (points outside the repository)");
                } else if (!Files.exists(resolved)) {
                    broken.add(where + " (" + root.relativize(resolved) + " does not exist)");
                } else if (anchor != null
                        && resolved.toString().endsWith(".md")
                        && !anchors(resolved).contains(anchor)) {
                    broken.add(
                            where + " (no heading with anchor #" + anchor + " in " + root.relativize(resolved) + ")");
                }
            }
        }
        return broken;
    }
}
