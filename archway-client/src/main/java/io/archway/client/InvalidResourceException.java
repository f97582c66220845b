package io.archway.client;

import java.util.List;

/**
 * A write was refused because the object it would produce is invalid: the answer a Kubernetes API
 * server with the Gateway API CRDs gives (HTTP 422), with one violation per field in its wording.
 * Nothing was written.
 */
public class InvalidResourceException extends ArchwayClientException {
    private final List<String> violations;

    public InvalidResourceException(String resource, List<String> violations) {
        super(resource + " is invalid: " + String.join("; ", violations));
        this.violations = List.copyOf(violations);
    }

    /** Each violation as {@code field: message}. */
    public List<String> violations() {
        return violations;
    }
}
