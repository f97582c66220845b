package io.archway.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archway.client.BackendWeight;
import io.archway.client.RouteRef;
import io.archway.client.RouteRules;
import io.archway.client.RuleSelector;
import io.archway.client.WeightUpdate;
import io.archway.source.KubeJson;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code archway weights show|set}: the backend weights of a route's rules. */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = "Shows or sets the backendRef weights of an HTTPRoute or GRPCRoute.",
        subcommands = {WeightsCommand.Show.class, WeightsCommand.Set.class}, footer = ExitCodes.HELP_FOOTER)
final class WeightsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: show or set");
    }

    static final String ROUTE_HELP = "The route: [kind/][namespace/]name, e.g. checkout, shop/checkout,"
            + " grpcroute/shop/api. Without a kind an HTTPRoute of that name is used, else a GRPCRoute.";

    @Command(name = "show", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
            description = "Shows every rule's backends, weights and traffic shares.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ROUTE", description = ROUTE_HELP)
        String route;

        @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Namespace (default: default).")
        String namespace;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
                description = "table (default), yaml or json.")
        Printer.Format output;

        @Mixin
        ClientOptions where;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (ClientOptions.Connection c = where.open(spec.commandLine(), true)) {
                Routes.Found found = Routes.find(c.client(), route, namespace);
                List<RouteRules.Rule> rules = RouteRules.of(found.route());
                if (output != Printer.Format.table) {
                    ObjectNode root = refJson(found.ref());
                    ArrayNode arr = root.putArray("rules");
                    for (int i = 0; i < rules.size(); i++) {
                        RouteRules.Rule r = rules.get(i);
                        ObjectNode o = arr.addObject();
                        o.put("index", i);
                        o.put("name", r.name());
                        int total = r.backends().stream().mapToInt(b -> effective(b.weight())).sum();
                        ArrayNode bs = o.putArray("backends");
                        for (RouteRules.Backend b : r.backends()) {
                            ObjectNode bo = bs.addObject();
                            bo.put("name", b.name());
                            bo.put("namespace", b.namespace());
                            bo.put("weight", effective(b.weight()));
                            bo.put("percent", percentValue(effective(b.weight()), total));
                        }
                    }
                    out.print(Printer.render(root, output));
                    out.flush();
                    return ExitCodes.OK;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"RULE", "BACKEND", "NAMESPACE", "WEIGHT", "SHARE"});
                for (int i = 0; i < rules.size(); i++) {
                    RouteRules.Rule r = rules.get(i);
                    int total = r.backends().stream().mapToInt(b -> effective(b.weight())).sum();
                    for (RouteRules.Backend b : r.backends()) {
                        rows.add(new String[] {ruleLabel(i, r.name()), b.name(), b.namespace(),
                                b.weight() == null ? "1 (unset)" : Integer.toString(b.weight()),
                                percent(effective(b.weight()), total)});
                    }
                }
                out.println(found.ref());
                out.print(Printer.format(rows));
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER,
            description = {"Sets the weights of some backendRefs of one rule, by backend name; the others keep theirs.",
                    "Example: archway weights set checkout stable=90 canary=10 --config examples/quickstart",
                    "Unknown backend names are refused (the known ones are listed); so is a rule whose weights would"
                            + " all be 0, unless --allow-all-zero."})
    static final class Set implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ROUTE", description = ROUTE_HELP)
        String route;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "BACKEND=WEIGHT",
                description = "New weights, e.g. stable=90 canary=10.")
        List<String> assignments;

        @ArgGroup(exclusive = true)
        RuleOption rule = new RuleOption();

        static final class RuleOption {
            @Option(names = "--rule", paramLabel = "N", description = "The rule at this position (0-based).")
            Integer index;

            @Option(names = "--rule-name", paramLabel = "NAME", description = "The rule with this name.")
            String name;
        }

        @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Namespace (default: default).")
        String namespace;

        @Option(names = "--allow-all-zero", description = "Allow every backend of the rule to get weight 0"
                + " (the rule then answers 500).")
        boolean allowAllZero;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
                description = "table (default), yaml or json.")
        Printer.Format output;

        @Mixin
        ClientOptions where;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, Integer> weights = new LinkedHashMap<>();
            for (String a : assignments) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? "" : a.substring(0, eq).strip();
                int w;
                try {
                    w = eq < 0 ? -1 : Integer.parseInt(a.substring(eq + 1).strip().replaceAll("%$", ""));
                } catch (NumberFormatException e) {
                    w = -1;
                }
                if (name.isEmpty() || w < 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "'" + a
                            + "' is not BACKEND=WEIGHT with a whole weight >= 0, e.g. stable=90");
                }
                if (weights.put(name, w) != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "backend '" + name + "' given twice");
                }
            }
            RuleSelector selector = rule.index != null ? RuleSelector.index(rule.index)
                    : rule.name != null ? RuleSelector.named(rule.name) : RuleSelector.auto();
            try (ClientOptions.Connection c = where.open(spec.commandLine(), true)) {
                RouteRef ref = Routes.find(c.client(), route, namespace).ref();
                WeightUpdate u = c.client().setWeights(ref, selector, weights, allowAllZero);
                int total = u.backends().stream().mapToInt(BackendWeight::after).sum();
                if (output != Printer.Format.table) {
                    ObjectNode root = refJson(u.route());
                    root.put("rule", u.ruleIndex());
                    root.put("ruleName", u.ruleName());
                    root.put("changed", u.anyChange());
                    ArrayNode bs = root.putArray("backends");
                    for (BackendWeight b : u.backends()) {
                        ObjectNode o = bs.addObject();
                        o.put("name", b.name());
                        o.put("namespace", b.namespace());
                        o.put("before", b.effectiveBefore());
                        o.put("after", b.after());
                        o.put("percent", percentValue(b.after(), total));
                    }
                    out.print(Printer.render(root, output));
                    out.flush();
                    return ExitCodes.OK;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"BACKEND", "NAMESPACE", "WEIGHT", "SHARE"});
                for (BackendWeight b : u.backends()) {
                    rows.add(new String[] {b.name(), b.namespace(), b.effectiveBefore() == b.after()
                            ? Integer.toString(b.after()) : b.effectiveBefore() + " -> " + b.after(),
                            percent(b.after(), total)});
                }
                out.println(u.route() + " " + ruleLabel(u.ruleIndex(), u.ruleName()).replaceFirst("^", "rule ")
                        + (u.anyChange() ? ": weights set" : ": unchanged (already so)"));
                out.print(Printer.format(rows));
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    static ObjectNode refJson(RouteRef ref) {
        ObjectNode root = KubeJson.mapper().createObjectNode();
        root.put("kind", ref.kind().kind());
        root.put("namespace", ref.namespace());
        root.put("name", ref.name());
        return root;
    }

    static String ruleLabel(int index, String name) {
        return name == null || name.isEmpty() ? Integer.toString(index) : index + " (" + name + ")";
    }

    static int effective(Integer w) {
        return w == null ? 1 : w;
    }

    static double percentValue(int weight, int total) {
        return total == 0 ? 0 : Math.round(weight * 1000.0 / total) / 10.0;
    }

    static String percent(int weight, int total) {
        if (total == 0) {
            return "0% (rule answers 500)";
        }
        double p = percentValue(weight, total);
        return (p == Math.rint(p) ? Long.toString((long) p) : String.format(Locale.ROOT, "%.1f", p)) + "%";
    }
}
