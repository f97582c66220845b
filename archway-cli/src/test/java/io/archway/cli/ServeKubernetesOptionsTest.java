package io.archway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The options a provisioned cluster runs with (the Helm chart's controller: --provisioner-config;
 * each data-plane pod: --gateway NS/NAME): a wrong one is a usage error before any cluster is
 * contacted.
 */
class ServeKubernetesOptionsTest {
    @TempDir
    Path dir;

    record Run(int code, String err) {
    }

    static Run serve(String... args) {
        final StringWriter err = new StringWriter();
        final String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        final int code = ArchwayCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), all);
        return new Run(code, err.toString());
    }

    Path config(String name, String yaml) throws Exception {
        final Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void gatewayNamesOneGatewayOfACluster() {
        assertThat(serve("--config", dir.toString(), "--gateway", "edge/gateway").err()).contains("--gateway needs --kubernetes");
        for (String bad : new String[] {"gateway", "edge/", "/gateway", "a/b/c"}) {
            final Run run = serve("--kubernetes", "--gateway", bad);
            assertThat(run.code()).as(bad).isNotZero();
            assertThat(run.err()).as(bad).contains("expected NAMESPACE/NAME");
        }
    }

    @Test
    void theProvisionerConfigMustAgreeWithTheCommand() throws Exception {
        assertThat(serve("--config", dir.toString(), "--provisioner-config", "x.yaml").err())
                .contains("--provisioner-config needs --kubernetes");
        assertThat(serve("--kubernetes", "--provisioner-config", dir.resolve("absent.yaml").toString()).err())
                .contains("absent.yaml");
        final Path other = config("other.yaml", "controllerName: example.com/other\nimage: archway:1\ndataPlaneClusterRole: dp\n");
        final Run mismatch = serve("--kubernetes", "--provisioner-config", other.toString());
        assertThat(mismatch.code()).isNotZero();
        assertThat(mismatch.err()).contains("controllerName example.com/other is not --controller-name archway.io/gateway-controller");
        final Path namespaced = config("namespaced.yaml", "controllerName: archway.io/gateway-controller\nimage: archway:1\n"
                + "dataPlaneClusterRole: dp\nwatchedNamespaces: [shop]\n");
        assertThat(serve("--kubernetes", "--provisioner-config", namespaced.toString()).err())
                .contains("watchedNamespaces [shop] are not --namespaces []");
        final Path incomplete = config("incomplete.yaml", "controllerName: archway.io/gateway-controller\n");
        assertThat(serve("--kubernetes", "--provisioner-config", incomplete.toString()).err()).contains("image is required");
        assertThat(serve("--kubernetes", "--namespaces", "shop", "--provisioner-config", namespaced.toString(),
                "--gateway", "edge/gateway").err())
                .contains("not with --provisioner-config");
    }
}
