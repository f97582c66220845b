package io.archway.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class LocalResponsesTest {
    @Test
    void connectFailuresMapToDocumentedStatuses() {
        assertThat(LocalResponses.forConnectFailure(new ConnectTimeoutException("t")))
                .isEqualTo(HttpResponseStatus.GATEWAY_TIMEOUT);
        assertThat(LocalResponses.forConnectFailure(new ConnectException("refused")))
                .isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(LocalResponses.forConnectFailure(new IOException("other")))
                .isEqualTo(HttpResponseStatus.BAD_GATEWAY);
    }
}
