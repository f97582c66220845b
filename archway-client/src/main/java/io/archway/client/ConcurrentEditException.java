package io.archway.client;

/**
 * Someone else changed the resource (or its file) between our read and our write. Nothing was
 * written; read again and retry.
 */
public class ConcurrentEditException extends ArchwayClientException {
    public ConcurrentEditException(String message) {
        super(message);
    }

    public ConcurrentEditException(String message, Throwable cause) {
        super(message, cause);
    }
}
