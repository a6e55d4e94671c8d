package io.vigil.rules;

import io.vigil.alert.Templates;
import io.vigil.model.TelemetryField;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that catch typos the compiler cannot: a rule that names {@code servce.name} compiles (any name may be an
 * attribute) but never matches. A field name one or two edits away from a field the telemetry model or the
 * OpenTelemetry conventions define is reported with "did you mean"; so is a template variable an annotation cannot
 * resolve.
 */
public final class RuleLint {
    /** Attribute names of the OpenTelemetry semantic conventions Vigil's rules commonly use. */
    public static final List<String> KNOWN_ATTRIBUTES = List.of(
            "service.name",
            "service.version",
            "service.namespace",
            "service.instance.id",
            "host.name",
            "host.id",
            "deployment.environment",
            "deployment.environment.name",
            "k8s.namespace.name",
            "k8s.pod.name",
            "k8s.deployment.name",
            "container.name",
            "cloud.region",
            "http.request.method",
            "http.route",
            "http.response.status_code",
            "url.path",
            "server.address",
            "exception.type",
            "exception.message",
            "event.category",
            "event.action",
            "event.outcome",
            "source.ip",
            "source.port",
            "destination.ip",
            "destination.port",
            "user.name",
            "process.name",
            "network.transport",
            "source.geo.country_iso_code",
            "db.system",
            "db.operation.name",
            "rpc.method",
            "messaging.destination.name");

    /** Names every annotation template may use besides the rule's key_by fields and labels. */
    public static final List<String> TEMPLATE_NAMES = List.of(
            "observed",
            "expected",
            "comparison",
            "window",
            "rule.id",
            "rule.name",
            "severity",
            "service",
            "service.name");

    private RuleLint() {}

    public static List<RuleProblem> check(RuleSpec spec) {
        List<RuleProblem> problems = new ArrayList<>();
        Set<String> known = new LinkedHashSet<>(TelemetryField.TOP_LEVEL);
        known.addAll(KNOWN_ATTRIBUTES);
        if (spec.match != null) {
            for (String f : spec.match.keySet()) {
                field(spec, "match." + f, f, known, problems);
            }
        }
        for (int i = 0; i < spec.keyBy.size(); i++) {
            field(spec, "key_by[" + i + "]", spec.keyBy.get(i), known, problems);
        }
        Set<String> names = new LinkedHashSet<>(TEMPLATE_NAMES);
        names.addAll(spec.keyBy);
        names.addAll(spec.labels.keySet());
        RuleKind kind = spec.kind == null ? null : RuleKinds.get(spec.kind);
        if (kind != null) {
            names.addAll(kind.templateNames());
        }
        spec.annotations.forEach((k, template) -> {
            for (String n : Templates.names(template == null ? "" : template)) {
                if (!names.contains(n)) {
                    String hint = RuleLocations.didYouMean(n, names);
                    problems.add(RuleLocations.problem(
                            spec,
                            "annotations." + k,
                            "annotation '" + k + "' uses '{{ " + n + " }}', which an alert of this rule does not have",
                            hint != null ? hint : "available: " + String.join(", ", names)));
                }
            }
        });
        return problems;
    }

    private static void field(RuleSpec spec, String path, String field, Set<String> known, List<RuleProblem> out) {
        if (field == null || known.contains(field)) {
            return;
        }
        String bare = field.startsWith("attributes.")
                ? field.substring(11)
                : field.startsWith("resource.") ? field.substring(9) : field;
        if (known.contains(bare)) {
            return;
        }
        String hint = RuleLocations.didYouMean(bare, known);
        if (hint != null
                && RuleLocations.distance(bare, hint.substring(hint.indexOf('\'') + 1, hint.lastIndexOf('\''))) <= 2) {
            out.add(RuleLocations.problem(spec, path, "unknown field '" + field + "'", hint));
        }
    }
}
