package io.hps.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * hps-service's lookup counters from its Prometheus text ({@code hps_lookup_hits_total{tier=...}},
 * {@code hps_lookup_unique_keys_total}), summed over models, and hit rates between two scrapes.
 */
record HitRates(double uniqueKeys, Map<String, Double> hitsByTier) {
    static final HitRates NONE = new HitRates(0, Map.of());
    private static final Pattern SAMPLE = Pattern.compile("^(hps_lookup_hits_total|hps_lookup_unique_keys_total)"
            + "(\\{([^}]*)})?\\s+(\\S+)");
    private static final Pattern TIER = Pattern.compile("tier=\"([^\"]*)\"");

    HitRates {
        hitsByTier = Map.copyOf(hitsByTier);
    }

    /** Parses the counters out of a Prometheus text exposition. */
    static HitRates parse(String prometheusText) {
        double unique = 0;
        Map<String, Double> hits = new TreeMap<>();
        for (String line : prometheusText.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.find()) {
                continue;
            }
            double value = Double.parseDouble(sample.group(4));
            if (sample.group(1).equals("hps_lookup_unique_keys_total")) {
                unique += value;
            } else {
                Matcher tier = TIER.matcher(sample.group(3) == null ? "" : sample.group(3));
                hits.merge(tier.find() ? tier.group(1) : "unknown", value, Double::sum);
            }
        }
        return new HitRates(unique, hits);
    }

    /** Per tier, hits gained since {@code before} over distinct keys gained; empty without lookups. */
    Map<String, Double> ratesSince(HitRates before) {
        double unique = uniqueKeys - before.uniqueKeys;
        Map<String, Double> rates = new TreeMap<>();
        if (unique <= 0) {
            return rates;
        }
        hitsByTier.forEach((tier, hits) -> rates.put(tier, (hits - before.hitsByTier.getOrDefault(tier, 0.0)) / unique));
        return rates;
    }
}
