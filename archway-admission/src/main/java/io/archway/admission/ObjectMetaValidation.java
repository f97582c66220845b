package io.archway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import java.util.List;

/**
 * The part of the API server's ObjectMeta validation that a manifest can get wrong: a custom
 * resource's name must be a DNS-1123 subdomain (k8s.io/apimachinery {@code NameIsDNSSubdomain}) and
 * its namespace a DNS-1123 label; a cluster-scoped object's namespace is ignored, as the loader does.
 */
final class ObjectMetaValidation {
    private static final Pattern DNS1123_SUBDOMAIN =
            Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    private static final Pattern DNS1123_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

    private ObjectMetaValidation() {
    }

    static void validate(JsonNode metadata, boolean namespaced, List<Violation> out) {
        if (metadata == null || !metadata.isObject()) {
            return;
        }
        JsonNode name = metadata.get("name");
        if (name != null && name.isTextual()) {
            String n = name.textValue();
            if (n.length() > 253 || !DNS1123_SUBDOMAIN.matcher(n).matches()) {
                out.add(new Violation("metadata.name", Violation.Type.INVALID, "\"" + n + "\": a lowercase RFC 1123"
                        + " subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start"
                        + " and end with an alphanumeric character (e.g. 'example.com')"));
            }
        }
        JsonNode ns = metadata.get("namespace");
        if (namespaced && ns != null && ns.isTextual() && !ns.textValue().isEmpty()) {
            String n = ns.textValue();
            if (n.length() > 63 || !DNS1123_LABEL.matcher(n).matches()) {
                out.add(new Violation("metadata.namespace", Violation.Type.INVALID, "\"" + n + "\": a lowercase RFC"
                        + " 1123 label must consist of lower case alphanumeric characters or '-', and must start and"
                        + " end with an alphanumeric character (e.g. 'my-name')"));
            }
        }
    }
}
