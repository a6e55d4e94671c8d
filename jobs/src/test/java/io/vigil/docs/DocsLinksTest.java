package io.vigil.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.rules.RuleKinds;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documentation a newcomer follows from the README stays whole: every relative link and heading anchor resolves,
 * and every registered rule kind has its page and a starter rule to copy.
 */
class DocsLinksTest {
    static final Path ROOT = Docs.root();
    static final List<String> KIND_SECTIONS =
            List.of("What it detects", "Parameters", "Example", "State it keeps", "How it resolves");

    @Test
    void everyRelativeLinkAndAnchorResolves() {
        List<String> broken = new ArrayList<>();
        List<Path> files = Docs.markdownFiles(ROOT);
        for (Path f : files) {
            broken.addAll(Docs.brokenLinks(ROOT, f));
        }
        assertTrue(files.size() > 20, "expected the docs/ pages, found " + files);
        assertTrue(broken.isEmpty(), "broken links:\n" + String.join("\n", broken));
    }

    @Test
    void everyRuleKindHasItsPageWithTheSameSections() throws Exception {
        List<String> problems = new ArrayList<>();
        for (String kind : RuleKinds.names()) {
            Path page = ROOT.resolve("docs/rules/kinds/" + kind + ".md");
            if (!Files.isRegularFile(page)) {
                problems.add(kind + ": no page " + ROOT.relativize(page));
                continue;
            }
            Set<String> anchors = Docs.anchors(page);
            for (String section : KIND_SECTIONS) {
                String slug = section.toLowerCase(java.util.Locale.ROOT).replace(' ', '-');
                if (!anchors.contains(slug)) {
                    problems.add(kind + ": " + ROOT.relativize(page) + " lacks the section '## " + section + "'");
                }
            }
            if (!Files.readString(ROOT.resolve("docs/rules/kinds/README.md")).contains("(" + kind + ".md)")) {
                problems.add(kind + ": not linked from docs/rules/kinds/README.md");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyRuleKindHasAStarterRule() throws Exception {
        Set<String> kinds = new TreeSet<>();
        for (RuleSpec s : RuleLoader.load(List.of(ROOT.resolve("rules")))) {
            kinds.add(s.kind);
        }
        Set<String> missing = new TreeSet<>(RuleKinds.names());
        missing.removeAll(kinds);
        assertTrue(missing.isEmpty(), "rule kinds without a starter rule under rules/: " + missing);
    }

    @Test
    void theCheckerFindsABrokenLinkAndAMissingAnchor(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/schema.json"), "{}");
        Files.writeString(dir.resolve("target.md"), "# Target page\n\n## What it detects\n");
        Files.writeString(
                dir.resolve("README.md"),
                String.join(
                        "\n",
                        "# Readme",
                        "[ok](target.md#what-it-detects) [gone](missing.md)",
                        "[bad anchor](target.md#nowhere) [self](#readme) [web](https://example.com/x.md)",
                        "```",
                        "[in a code block](ignored.md)",
                        "```",
                        ""));
        List<String> broken = Docs.brokenLinks(dir, dir.resolve("README.md"));
        assertEquals(
                List.of(
                        "README.md:2: missing.md (missing.md does not exist)",
                        "README.md:3: target.md#nowhere (no heading with anchor #nowhere in target.md)"),
                broken);
    }

    @Test
    void anchorsFollowGitHubSlugs(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.md");
        Files.writeString(
                f, "# `slo` rule kind\n## Common to `slo`, `spike`\n## Send results there\n## Send results there\n");
        assertEquals(
                Set.of("slo-rule-kind", "common-to-slo-spike", "send-results-there", "send-results-there-1"),
                Docs.anchors(f));
    }
}
