package io.hps.deploy;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads. A lexical reading, enough for the expressions of
 * dashboards and rules: string literals, label matchers, ranges, grouping label lists, offsets
 * and Grafana variables are removed; what remains of identifiers that do not call a function and
 * are not operators or keywords are metric names (recording-rule names keep their colons).
 */
final class PromQlMetrics {
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern OFFSET = Pattern.compile("\\boffset\\s+-?[0-9a-z]+");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?\\w+}?");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan", "atan2");

    private PromQlMetrics() {
    }

    /** Metric names read by {@code expression}, in order of appearance. */
    static Set<String> of(String expression) {
        String e = STRING.matcher(expression).replaceAll("\"\"");
        e = VARIABLE.matcher(e).replaceAll(" ");
        e = LABEL_MATCHERS.matcher(e).replaceAll(" ");
        e = RANGE.matcher(e).replaceAll(" ");
        e = GROUPING.matcher(e).replaceAll(" ");
        e = OFFSET.matcher(e).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(e);
        while (m.find()) {
            String name = m.group(1);
            if (m.group(2) == null && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * Metric names of a Grafana template variable query: {@code label_values(metric, label)}
     * reads {@code metric} only; any other query is read as PromQL.
     */
    static Set<String> ofVariableQuery(String query) {
        Matcher m = LABEL_VALUES.matcher(query);
        return m.find() ? Set.of(m.group(1)) : of(query);
    }
}
