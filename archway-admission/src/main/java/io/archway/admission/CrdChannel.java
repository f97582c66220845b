package io.archway.admission;

import java.util.Locale;

/**
 * The two release channels of the Gateway API CRDs. Experimental serves a superset of standard's
 * versions and fields (e.g. TCPRoute v1alpha2, HTTPRoute's experimental filters), so it is the
 * default: under standard, experimental fields are pruned exactly as a cluster with the standard
 * CRDs would prune them.
 */
public enum CrdChannel {
    STANDARD, EXPERIMENTAL;

    /** The resource folder of this channel's CRDs and the name used on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code standard} or {@code experimental}, case-insensitively. */
    public static CrdChannel parse(String name) {
        for (CrdChannel c : values()) {
            if (c.id().equalsIgnoreCase(name.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown CRD channel '" + name + "' (expected standard or experimental)");
    }
}
