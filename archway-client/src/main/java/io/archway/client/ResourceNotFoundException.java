package io.archway.client;

/** The named resource does not exist. */
public class ResourceNotFoundException extends ArchwayClientException {
    public ResourceNotFoundException(String message) {
        super(message);
    }
}
