package io.archway.client;

/** Base of every error the client reports. */
public class ArchwayClientException extends RuntimeException {
    public ArchwayClientException(String message) {
        super(message);
    }

    public ArchwayClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
