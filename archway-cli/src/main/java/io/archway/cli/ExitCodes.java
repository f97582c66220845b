package io.archway.cli;

/** Exit codes of the {@code archway} command (also listed in {@code archway --help}). */
public final class ExitCodes {
    /** Success; validate: all good; canary run: promoted (every step passed). */
    public static final int OK = 0;
    /**
     * validate: a file does not parse, or a resource is not Accepted / ResolvedRefs. weights, canary:
     * the request was refused (unknown route, rule or backend, bad weights, no such canary run).
     */
    public static final int INVALID = 1;
    /** Bad command line (unknown option, missing argument, malformed value). */
    public static final int USAGE = 2;
    /** Runtime failure: directory unreadable, address in use, admin endpoint or API server unreachable, concurrent edit. */
    public static final int FAILURE = 3;
    /** canary run: a step breached a limit (or could not be judged); traffic is back at 100% stable. */
    public static final int ROLLED_BACK = 4;
    /** canary run: aborted (canary abort, or Ctrl-C); traffic is back at 100% stable. */
    public static final int ABORTED = 5;

    static final String HELP_FOOTER = "%nExit codes:%n"
            + "  0  success; canary run: promoted%n"
            + "  1  validate found problems (a file does not parse, or a resource%n"
            + "     is not Accepted / ResolvedRefs); weights/canary: refused (unknown%n"
            + "     route, rule or backend, bad weights, no such canary run)%n"
            + "  2  bad command line%n"
            + "  3  runtime failure: directory unreadable, address in use, admin%n"
            + "     endpoint or API server unreachable, concurrent edit%n"
            + "  4  canary run: rolled back to 100%% stable after a breach%n"
            + "  5  canary run: aborted (canary abort or Ctrl-C), back to 100%% stable%n";

    private ExitCodes() {
    }
}
