package io.hps.model.config;

/** Invariant checks for configuration records; failures name the JSON field and its value. */
final class Checks {

    private Checks() {
    }

    static void require(boolean ok, String field, String rule, Object value) {
        if (!ok) {
            throw new ConfigException(field, rule + ": " + field + "=" + value);
        }
    }

    static void atLeast(long min, String field, long value) {
        require(value >= min, field, "must be >= " + min, value);
    }

    /** {@code value} in {@code [0, 1]}; NaN fails. */
    static void fraction(String field, double value) {
        require(value >= 0 && value <= 1, field, "must be in [0, 1]", value);
    }

    static void notBlank(String field, String value) {
        require(value != null && !value.isBlank(), field, "must not be blank", value);
    }
}
