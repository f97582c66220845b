package io.archway.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class ErrorsTest {
    @Test
    void messageWhenPresentTypeOtherwise() {
        assertThat(Errors.describe(new IllegalStateException("port in use"))).isEqualTo("port in use");
        assertThat(Errors.describe(new ConnectException())).isEqualTo("ConnectException");
    }
}
