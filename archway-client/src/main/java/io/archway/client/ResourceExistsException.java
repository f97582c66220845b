package io.archway.client;

/** A create met a resource of the same kind, namespace and name. */
public class ResourceExistsException extends ArchwayClientException {
    public ResourceExistsException(String message) {
        super(message);
    }
}
