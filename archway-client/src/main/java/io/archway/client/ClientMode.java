package io.archway.client;

/** Which back end an {@link ArchwayClient} talks to. */
public enum ClientMode {
    /** A Kubernetes API server, through fabric8. */
    KUBERNETES,
    /** A standalone directory of manifest files. */
    DIRECTORY
}
