package io.archway.snapshot;

/** The transport a socket listens on: a TCP and a UDP listener may share a port number. */
public enum Transport {
    TCP,
    UDP
}
