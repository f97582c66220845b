package io.archway.client.canary;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for the command-line spellings of a canary plan: {@code --steps 5,10,25},
 * {@code --interval 30s}, {@code --max-p99 500ms}, {@code --max-error-rate 1%}.
 */
public final class CanaryArgs {

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    private CanaryArgs() {}

    /** {@code "5,10,25,50,75,100"} to a list; spaces allowed. */
    public static List<Integer> steps(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip().replaceAll("%$", "");
            try {
                out.add(Integer.parseInt(p));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("step '" + part.strip() + "' is not a whole percentage");
            }
        }
        return out;
    }

    /** Go-style durations: {@code 500ms}, {@code 30s}, {@code 1.5s}, {@code 2m}, {@code 1m30s}, {@code 1h}. */
    public static Duration duration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = DURATION_PART.matcher(t);
        long nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            double v = Double.parseDouble(m.group(1));
            long unit = switch (m.group(2)) {
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos += Math.round(v * unit);
            end = m.end();
        }
        if (t.isEmpty() || end != t.length()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 500ms, 30s, 2m or 1m30s");
        }
        return Duration.ofNanos(nanos);
    }

    /** {@code "1%"} or {@code "0.01"} to the fraction 0.01. */
    public static double rate(String text) {
        String t = text.strip();
        try {
            double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).strip()) / 100 : Double.parseDouble(t);
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("rate '" + text + "' is outside 0..100%");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a rate such as 1% or 0.01");
        }
    }
}
