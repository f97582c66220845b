/**
 * The Archway client library.
 *
 * <pre>{@code
 * try (ArchwayClient client = ArchwayClient.forDirectory(Path.of("/etc/archway"))) {   // or forKubernetes(kubernetesClient)
 *     client.listHttpRoutes(null).forEach(r -> System.out.println(r.getMetadata().getName()));
 *     client.setWeights(RouteRef.http("shop", "checkout"), RuleSelector.auto(),
 *             Map.of("checkout-v1", 90, "checkout-v2", 10));
 * }
 * }</pre>
 *
 * <p>{@link io.archway.client.ArchwayClient} is the entry point; the back ends live in
 * {@code io.archway.client.directory} and {@code io.archway.client.kubernetes}, the canary runner
 * in {@code io.archway.client.canary}. Every error is an {@link io.archway.client.ArchwayClientException}.
 */
package io.archway.client;
