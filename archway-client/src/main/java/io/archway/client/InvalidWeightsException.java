package io.archway.client;

/** A weight change was refused: unknown backend, negative weight, all zero, ambiguous rule. */
public class InvalidWeightsException extends ArchwayClientException {
    public InvalidWeightsException(String message) {
        super(message);
    }
}
