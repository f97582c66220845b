package io.archway.translate.compile;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Gateway API Duration format (GEP-2257): one to four {@code <1-5 digits><unit>} parts, unit
 * {@code h}, {@code m}, {@code s} or {@code ms}, e.g. {@code 1h30m}, {@code 500ms}, {@code 0s}
 * ({@code +kubebuilder:validation:Pattern=^([0-9]{1,5}(h|m|s|ms)){1,4}$}). Standalone mode has
 * no API server to enforce the pattern, so a value outside it is an UnsupportedValue here.
 */
final class GatewayDuration {
    private static final Pattern WHOLE = Pattern.compile("^([0-9]{1,5}(h|m|s|ms)){1,4}$");
    private static final Pattern PART = Pattern.compile("([0-9]{1,5})(h|ms|m|s)");

    private GatewayDuration() {
    }

    /** Parses {@code value}; null stays null. */
    static Duration parse(String field, String value) {
        if (value == null) {
            return null;
        }
        if (!WHOLE.matcher(value).matches()) {
            throw new UnsupportedValueException(field + ": \"" + value
                    + "\" is not a Gateway API duration (e.g. 500ms, 10s, 1h30m)");
        }
        Duration total = Duration.ZERO;
        final Matcher m = PART.matcher(value);
        while (m.find()) {
            final long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
        }
        return total;
    }
}
