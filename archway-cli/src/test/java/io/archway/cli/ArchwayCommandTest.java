package io.archway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The subcommands: added one at a time when the command line names one, all otherwise. */
class ArchwayCommandTest {

    @Test
    void eachSubcommandIsFoundByItsOwnName() {
        for (Map.Entry<String, Class<?>> e : ArchwayCommand.SUBCOMMANDS.entrySet()) {
            assertThat(new CommandLine(e.getValue()).getCommandName()).isEqualTo(e.getKey());
        }
    }

    @Test
    void theUsageListsEverySubcommand() {
        StringWriter out = new StringWriter();
        assertThat(ArchwayCommand.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "--help")).isZero();
        for (String name : ArchwayCommand.SUBCOMMANDS.keySet()) {
            assertThat(out.toString()).containsPattern("(?m)^  " + name + "\\b");
        }
        StringWriter help = new StringWriter();
        assertThat(ArchwayCommand.execute(new PrintWriter(help, true), new PrintWriter(new StringWriter(), true),
                "help", "validate")).isZero();
        assertThat(help.toString()).startsWith("Usage: archway validate");
    }

    @Test
    void aNamedSubcommandParsesAsBeforeUnderItsFullName() {
        StringWriter out = new StringWriter();
        assertThat(ArchwayCommand.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "serve", "--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: archway serve");
        StringWriter err = new StringWriter();
        assertThat(ArchwayCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "serve", "--no-such-option")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Try 'archway serve --help'");
        StringWriter typo = new StringWriter();
        assertThat(ArchwayCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(typo, true),
                "serv")).isEqualTo(ExitCodes.USAGE);
        assertThat(typo.toString()).contains("Unmatched argument at index 0: 'serv'", "Try 'archway --help'");
    }

    @Test
    void theBufferPoolIsNotSizedByTheHeapUnlessTheUserSaysSo() {
        final String key = "io.netty.allocator.lowMemory";
        final String before = System.getProperty(key);
        try {
            System.clearProperty(key);
            ArchwayCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
                    "--help");
            assertThat(System.getProperty(key)).isEqualTo("false");
            System.setProperty(key, "true");
            ArchwayCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
                    "--help");
            assertThat(System.getProperty(key)).isEqualTo("true");
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }
}
