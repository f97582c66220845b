package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.cli.ArchwayCommand;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same commands in Kubernetes mode (--kubeconfig / --context), against a mock API server. */
@EnableKubernetesMockClient(crud = true)
class CliKubernetesModeTest {
    KubernetesClient kube;

    @TempDir
    Path tmp;
    private Path kubeconfig;

    record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--kubeconfig";
        all[args.length + 1] = kubeconfig.toString();
        all[args.length + 2] = "--context";
        all[args.length + 3] = "mock";
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ArchwayCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void setUp() throws Exception {
        kubeconfig = tmp.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s", insecure-skip-tls-verify: true}
                contexts:
                - name: other
                  context: {cluster: mock, user: u, namespace: elsewhere}
                - name: mock
                  context: {cluster: mock, user: u}
                current-context: other
                users:
                - name: u
                  user: {token: t}
                """.formatted(kube.getConfiguration().getMasterUrl()));
        kube.resource(new HTTPRouteBuilder().withNewMetadata().withName("split").withNamespace("default").endMetadata()
                .withNewSpec().addNewParentRef().withName("gw").endParentRef().addNewRule()
                .addNewBackendRef().withName("stable").withPort(80).withWeight(90).endBackendRef()
                .addNewBackendRef().withName("canary").withPort(80).withWeight(10).endBackendRef()
                .endRule().endSpec().build()).create();
        kube.resource(new GRPCRouteBuilder().withNewMetadata().withName("api").withNamespace("default").endMetadata()
                .withNewSpec().addNewParentRef().withName("gw").endParentRef().addNewRule()
                .addNewBackendRef().withName("grpc-v1").withPort(9000).endBackendRef()
                .endRule().endSpec().build()).create();
    }

    @Test
    void getAndWeightsBehaveAsInStandaloneMode() {
        Run routes = run("get", "routes");
        assertThat(routes.code()).as(routes.err()).isEqualTo(0);
        assertThat(routes.err()).startsWith("mode: kubernetes context mock (" + kube.getConfiguration().getMasterUrl());
        assertThat(routes.out().lines().toList()).hasSize(3);
        assertThat(routes.out().lines().toList().get(0)).matches("KIND +NAME +HOSTNAMES +PARENTS +ACCEPTED +REFS +AGE");
        assertThat(routes.out().lines().toList().get(1)).matches("GRPCRoute +api +\\* +gw +- +- +.*");
        assertThat(routes.out().lines().toList().get(2)).matches("HTTPRoute +split +\\* +gw +- +- +.*");
        assertThat(run("get", "grpcroutes", "-o", "json").out()).contains("\"kind\" : \"GRPCRoute\"");

        Run set = run("weights", "set", "split", "stable=50", "canary=50");
        assertThat(set.code()).as(set.err()).isEqualTo(0);
        assertThat(set.out()).containsPattern("stable +default +90 -> 50 +50%");
        HTTPRoute r = kube.resources(HTTPRoute.class).inNamespace("default").withName("split").get();
        assertThat(r.getSpec().getRules().get(0).getBackendRefs()).extracting(b -> b.getWeight()).containsExactly(50, 50);
        assertThat(run("weights", "show", "split").out()).containsPattern("0 +canary +default +50 +50%");

        Run unknown = run("weights", "set", "split", "stable=50", "cnary=50");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("known backends: stable, canary");
        assertThat(run("weights", "set", "nope", "stable=1").code()).isEqualTo(1);
        Run grpc = run("weights", "set", "api", "grpc-v1=3");
        assertThat(grpc.code()).as(grpc.err()).isEqualTo(0);
        assertThat(grpc.out()).contains("GRPCRoute default/api");
        Run diag = run("get", "diagnostics");
        assertThat(diag.code()).isEqualTo(2);
    }
}
