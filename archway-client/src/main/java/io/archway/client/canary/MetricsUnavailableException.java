package io.archway.client.canary;

import io.archway.client.ArchwayClientException;

/** The gateway's metrics could not be read. */
public class MetricsUnavailableException extends ArchwayClientException {
    public MetricsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
