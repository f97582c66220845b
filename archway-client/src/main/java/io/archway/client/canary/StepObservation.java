package io.archway.client.canary;

import java.time.Duration;

/**
 * What the canary backend did during one observation window of a step.
 *
 * @param step         position of the step in the plan (0-based)
 * @param canaryWeight the canary's percentage during the window
 * @param requests     requests the canary received in the window
 * @param errors       failed ones among them (5xx, or a gRPC server-error status)
 * @param errorRate    errors / requests (0 without requests)
 * @param p99          estimated 99th percentile latency; null without latency data
 * @param window       how long the window was (since the step's weights were set)
 * @param verdict      the judgement
 * @param detail       why, in words
 */
public record StepObservation(int step, int canaryWeight, long requests, long errors, double errorRate,
                              Duration p99, Duration window, Verdict verdict, String detail) {}
