package io.archway.proxy.http;

/** One line of the {@link AccessLog}: an HTTP request or an L4 connection (or UDP session). */
sealed interface AccessLogLine permits AccessLogEntry, L4AccessLogEntry {
}
