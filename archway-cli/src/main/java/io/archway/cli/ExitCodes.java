package io.archway.cli;

/** Exit codes of the {@code archway} command (also listed in {@code archway --help}). */
public final class ExitCodes {
    /** Success; for validate: every file parsed and every resource of ours is Accepted with refs resolved. */
    public static final int OK = 0;
    /** validate: a file could not be read or parsed, or a resource is not Accepted / ResolvedRefs. */
    public static final int INVALID = 1;
    /** Bad command line (unknown option, missing argument). */
    public static final int USAGE = 2;
    /** Runtime failure: directory unreadable, address in use, admin endpoint unreachable. */
    public static final int FAILURE = 3;

    static final String HELP_FOOTER = "%nExit codes:%n"
            + "  0  success%n"
            + "  1  validate found problems: a file does not parse, or a resource%n"
            + "     is not Accepted / ResolvedRefs%n"
            + "  2  bad command line%n"
            + "  3  runtime failure: directory unreadable, address in use,%n"
            + "     admin endpoint unreachable%n";

    private ExitCodes() {
    }
}
