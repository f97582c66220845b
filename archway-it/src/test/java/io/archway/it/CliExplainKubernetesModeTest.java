package io.archway.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.cli.ArchwayCommand;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
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

/** {@code archway explain} in Kubernetes mode: resources listed from a mock API server, translated locally. */
@EnableKubernetesMockClient(crud = true)
class CliExplainKubernetesModeTest {
    KubernetesClient kube;

    @TempDir
    Path tmp;
    private Path kubeconfig;

    private String[] run(String... args) {
        final String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--kubeconfig";
        all[args.length + 1] = kubeconfig.toString();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = ArchwayCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
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
                - name: mock
                  context: {cluster: mock, user: u}
                current-context: mock
                users:
                - name: u
                  user: {token: t}
                """.formatted(kube.getConfiguration().getMasterUrl()));
        kube.resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build()).create();
        kube.resource(new GatewayClassBuilder().withNewMetadata().withName("archway").endMetadata().withNewSpec()
                .withControllerName("archway.io/gateway-controller").endSpec().build()).create();
        kube.resource(new GatewayBuilder().withNewMetadata().withName("gw").withNamespace("default").endMetadata()
                .withNewSpec().withGatewayClassName("archway").addNewListener().withName("http").withPort(80)
                .withProtocol("HTTP").endListener().endSpec().build()).create();
        kube.resource(new ServiceBuilder().withNewMetadata().withName("stable").withNamespace("default").endMetadata()
                .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
        kube.resource(new EndpointSliceBuilder().withNewMetadata().withName("stable-1").withNamespace("default")
                .addToLabels("kubernetes.io/service-name", "stable").endMetadata().withAddressType("IPv4")
                .addNewPort().withPort(8080).endPort().addNewEndpoint().withAddresses("10.0.0.1").endEndpoint()
                .build()).create();
        kube.resource(new HTTPRouteBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                .withNewSpec().addNewParentRef().withName("gw").withSectionName("nope").endParentRef()
                .addNewParentRef().withName("gw").endParentRef().addNewRule()
                .addNewBackendRef().withName("stable").withPort(80).endBackendRef()
                .endRule().endSpec().build()).create();
    }

    @Test
    void explainsFromTheCluster() {
        final String[] route = run("explain", "route", "web");
        assertThat(route[0]).as(route[2]).isEqualTo("0");
        assertThat(route[2]).startsWith("mode: kubernetes context mock (" + kube.getConfiguration().getMasterUrl());
        assertThat(route[1]).contains("parentRef[0] Gateway default/gw sectionName nope",
                "Accepted=False NoMatchingParent", "sectionName nope does not name this listener",
                "listener http (port 80, HTTP, hostname (any)): ATTACHED as *");

        final String[] request = run("explain", "request", "--gateway", "default/gw", "--host", "a.test", "--path", "/x");
        assertThat(request[0]).as(request[2]).isEqualTo("0");
        assertThat(request[1]).contains("answer: 200 proxied to Service default/stable:80 (100.0%)",
                "route: HTTPRoute default/web rule 0 match 0: PathPrefix /");
        assertThat(run("explain", "route", "nope")[0]).isEqualTo("1");
    }
}
