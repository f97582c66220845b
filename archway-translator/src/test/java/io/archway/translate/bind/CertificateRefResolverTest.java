package io.archway.translate.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.archway.translate.golden.SpecCase;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReferenceBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Listener {@code tls.certificateRefs} (GatewayTLSConfig.certificateRefs): core Secrets of type
 * {@code kubernetes.io/tls} holding a PEM certificate ({@code tls.crt}) and private key
 * ({@code tls.key}); any other reference is InvalidCertificateRef ("If an entry in this list
 * omits or specifies the wrong group, kind, or name ... the listener ... ResolvedRefs ... False").
 */
class CertificateRefResolverTest {
    /** The valid certificate and key of {@code _include/tls-secrets.yaml}, as PEM text. */
    private static final String CRT;
    private static final String KEY;

    static {
        final Secret example = SpecCase.of("").view().secrets().stream()
                .filter(s -> s.getMetadata().getName().equals("example-cert")).findFirst().orElseThrow();
        CRT = decode(example.getData().get("tls.crt"));
        KEY = decode(example.getData().get("tls.key"));
    }

    private static String decode(String base64) {
        return new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Secret secret(String name, String type, Map<String, String> data, Map<String, String> stringData) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withType(type).withData(data).withStringData(stringData).build();
    }

    private static SecretObjectReference ref(String name) {
        return new SecretObjectReferenceBuilder().withName(name).build();
    }

    private static CertificateRefResolver.Result resolve(Secret secret, SecretObjectReference... refs) {
        return resolveAt(null, secret, refs);
    }

    private static CertificateRefResolver.Result resolveAt(Instant now, Secret secret, SecretObjectReference... refs) {
        return new CertificateRefResolver(List.of(secret), new ReferenceGrantIndex(List.of()), now)
                .resolve("default", refs == null ? null : new ArrayList<>(List.of(refs)));
    }

    private static Secret valid(String type) {
        return secret("cert", type, Map.of("tls.crt", encode(CRT), "tls.key", encode(KEY)), null);
    }

    @Test
    void aKubernetesTlsSecretResolvesToOneBundle() {
        final CertificateRefResolver.Result r = resolve(valid("kubernetes.io/tls"), ref("cert"));
        assertThat(r.ok()).isTrue();
        assertThat(r.bundles()).singleElement().satisfies(b -> {
            assertThat(b.source()).isEqualTo("Secret default/cert");
            assertThat(b.certificateChainPem()).isEqualTo(CRT);
            assertThat(b.privateKeyPem()).isEqualTo(KEY);
        });
    }

    /** A Secret without a type is read as kubernetes.io/tls; one of another type is not a TLS Secret. */
    @Test
    void theSecretTypeMustBeKubernetesTlsWhenSet() {
        assertThat(resolve(valid(null), ref("cert")).ok()).isTrue();
        final CertificateRefResolver.Result opaque = resolve(valid("Opaque"), ref("cert"));
        assertThat(opaque.failureReason()).isEqualTo("InvalidCertificateRef");
        assertThat(opaque.failureMessage()).isEqualTo("Secret default/cert has type Opaque, not kubernetes.io/tls");
        assertThat(opaque.bundles()).isEmpty();
        assertThat(opaque.secretDataInvalid()).isTrue();
    }

    /** "certificateRefs ... Support: Core - A single reference": at least one is needed. */
    @Test
    void noCertificateRefsIsInvalidCertificateRef() {
        assertThat(resolve(valid(null)).failureMessage()).isEqualTo("tls.certificateRefs is empty");
        assertThat(resolve(valid(null)).failureReason()).isEqualTo("InvalidCertificateRef");
        assertThat(resolve(valid(null), (SecretObjectReference[]) null).failureMessage())
                .isEqualTo("tls.certificateRefs is empty");
    }

    @Test
    void aRefWithoutNameIsInvalidCertificateRef() {
        final CertificateRefResolver.Result r = resolve(valid(null), new SecretObjectReference());
        assertThat(r.failureReason()).isEqualTo("InvalidCertificateRef");
        assertThat(r.failureMessage()).isEqualTo("certificateRef without name");
    }

    @Test
    void bothTlsCrtAndTlsKeyAreRequired() {
        assertThat(resolve(secret("cert", null, Map.of("tls.crt", encode(CRT)), null), ref("cert")).failureMessage())
                .isEqualTo("Secret default/cert lacks tls.key");
        assertThat(resolve(secret("cert", null, Map.of("tls.key", encode(KEY)), null), ref("cert")).failureMessage())
                .isEqualTo("Secret default/cert lacks tls.crt");
    }

    /** A blank value, or one that is not base64, is named as such. */
    @Test
    void blankOrNonBase64DataIsNamed() {
        assertThat(resolve(secret("cert", null, Map.of("tls.crt", encode("  \n"), "tls.key", encode(KEY)), null),
                ref("cert")).failureMessage()).isEqualTo("Secret default/cert has an empty tls.crt");
        assertThat(resolve(secret("cert", null, Map.of("tls.crt", "%%%not base64%%%", "tls.key", encode(KEY)), null),
                ref("cert")).failureMessage()).startsWith("Secret default/cert: data.tls.crt is not base64 (");
    }

    /** {@code stringData} (write-only on a cluster, read as is in standalone files) counts too; {@code data} wins. */
    @Test
    void stringDataIsReadWhenDataLacksTheKey() {
        final CertificateRefResolver.Result r = resolve(secret("cert", null, Map.of("tls.crt", encode(CRT)),
                Map.of("tls.key", KEY, "tls.crt", "ignored: data wins")), ref("cert"));
        assertThat(r.ok()).as(r.failureMessage()).isTrue();
        assertThat(r.bundles().get(0).certificateChainPem()).isEqualTo(CRT);
        assertThat(r.bundles().get(0).privateKeyPem()).isEqualTo(KEY);
        assertThat(resolve(secret("cert", null, null, Map.of("tls.crt", CRT, "tls.key", " ")), ref("cert"))
                .failureMessage()).isEqualTo("Secret default/cert has an empty tls.key");
    }

    @Test
    void tlsKeyMustBeAPemPrivateKeyOfTheCertificate() {
        assertThat(resolve(secret("cert", null, Map.of("tls.crt", encode(CRT), "tls.key", encode(CRT)), null),
                ref("cert")).failureMessage()).isEqualTo(
                        "Secret default/cert: tls.key is not PEM: it has no BEGIN ... PRIVATE KEY block");
        assertThat(resolve(secret("cert", null, Map.of("tls.crt", encode(CRT), "tls.key", encode("key material")),
                null), ref("cert")).failureMessage()).isEqualTo(
                        "Secret default/cert: tls.key is not PEM: it has no BEGIN ... PRIVATE KEY block");
        final String otherKey = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(ecKey().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        assertThat(resolve(secret("cert", null, Map.of("tls.crt", encode(CRT), "tls.key", encode(otherKey)), null),
                ref("cert")).failureMessage()).isEqualTo("Secret default/cert: tls.key does not match the certificate"
                        + " in tls.crt (CN=example.org): it is the key of another certificate");
    }

    private static java.security.PrivateKey ecKey() {
        try {
            final java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("EC");
            gen.initialize(256);
            return gen.generateKeyPair().getPrivate();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void tlsCrtMustBeAPemCertificate() {
        assertThat(resolve(secret("cert", null, Map.of("tls.crt", encode("not a certificate"), "tls.key",
                encode(KEY)), null), ref("cert")).failureMessage())
                .isEqualTo("Secret default/cert: tls.crt is not PEM: it has no BEGIN CERTIFICATE block");
    }

    /** The validity period is checked at the time the caller passes (the translator reads no clock). */
    @Test
    void anExpiredCertificateIsInvalidAtTheGivenTime() {
        final Secret cert = valid(null);
        assertThat(resolveAt(Instant.parse("2026-12-01T00:00:00Z"), cert, ref("cert")).ok()).isTrue();
        final CertificateRefResolver.Result expired = resolveAt(Instant.parse("2127-01-01T00:00:00Z"), cert, ref("cert"));
        assertThat(expired.failureReason()).isEqualTo("InvalidCertificateRef");
        assertThat(expired.failureMessage()).isEqualTo(
                "Secret default/cert: the certificate in tls.crt (CN=example.org) expired at 2126-10-29T05:14:32Z");
        assertThat(expired.secretDataInvalid()).isTrue();
    }

    /**
     * Only a problem in the data of a Secret the listener may use lets the data plane keep its last
     * good certificate; a missing, unpermitted or wrong-kind reference does not.
     */
    @Test
    void onlyBrokenSecretDataKeepsTheLastGoodCertificate() {
        assertThat(resolve(secret("cert", null, Map.of("tls.crt", "%%", "tls.key", encode(KEY)), null), ref("cert"))
                .secretDataInvalid()).isTrue();
        assertThat(resolve(valid(null), ref("missing")).secretDataInvalid()).isFalse();
        assertThat(resolve(valid(null), new SecretObjectReferenceBuilder().withName("cert").withKind("ConfigMap")
                .build()).secretDataInvalid()).isFalse();
        assertThat(resolve(valid(null), new SecretObjectReferenceBuilder().withName("cert").withNamespace("other")
                .build()).secretDataInvalid()).isFalse();
    }

    /** All refs must resolve: the first failure decides, and no bundle is served. */
    @Test
    void theFirstFailingRefDecides() {
        final CertificateRefResolver.Result r = resolve(valid(null), ref("cert"), ref("missing"));
        assertThat(r.failureMessage()).isEqualTo("Secret default/missing does not exist");
        assertThat(r.bundles()).isEmpty();
    }
}
