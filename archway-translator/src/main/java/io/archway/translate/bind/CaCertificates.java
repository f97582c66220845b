package io.archway.translate.bind;

import io.archway.snapshot.certificate.PemKeyMaterial;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.security.GeneralSecurityException;

/**
 * A ConfigMap's {@code ca.crt} as a CA bundle: the one check that Gateway frontend validation and
 * BackendTLSPolicy both apply to their caCertificateRefs (GEP-91, GEP-1897: the key is
 * {@code ca.crt}, its value PEM certificates).
 */
final class CaCertificates {
    static final String KEY = "ca.crt";

    private CaCertificates() {
    }

    /** The ConfigMap's PEM bundle (it may be null: then {@link #problem} says why). */
    static String pem(ConfigMap cm) {
        return cm.getData() == null ? null : cm.getData().get(KEY);
    }

    /** What is wrong with a {@code ca.crt} value, or null when it holds PEM certificates. */
    static String problem(String pem) {
        if (pem == null || pem.isBlank()) {
            return "no " + KEY;
        }
        try {
            PemKeyMaterial.certificates(pem);
            return null;
        } catch (GeneralSecurityException | RuntimeException e) {
            return KEY + " holds no PEM certificate (" + e.getMessage() + ")";
        }
    }
}
