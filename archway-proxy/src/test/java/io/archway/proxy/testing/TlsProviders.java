package io.archway.proxy.testing;

import io.archway.proxy.tls.TlsProvider;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The TLS providers a TLS end-to-end test runs with: every test of a class annotated
 * {@link Each @TlsProviders.Each} runs once with BoringSSL and once with the JDK's SSLEngine
 * ({@link TlsProvider#PROPERTY} set before each test, cleared after), so both providers prove the
 * same behaviour without a copy of the test. The class declares the provider it runs with as a
 * field: {@code @Parameter TlsProviders provider;}.
 */
public enum TlsProviders {
    OPENSSL("openssl", SslProvider.OPENSSL),
    JDK("jdk", SslProvider.JDK);

    private final String property;
    private final SslProvider provider;

    TlsProviders(String property, SslProvider provider) {
        this.property = property;
        this.provider = provider;
    }

    /**
     * Makes every server context built from now on use this provider, HTTPS and TLS Terminate
     * alike; fails when another would serve (BoringSSL not loading here).
     */
    public void select() {
        System.setProperty(TlsProvider.PROPERTY, property);
        if (TlsProvider.selected() != provider || TlsProvider.forByteStreams() != provider) {
            throw new IllegalStateException(this + " asked for, but " + TlsProvider.selected() + " and "
                    + TlsProvider.forByteStreams() + " serve: " + OpenSsl.unavailabilityCause());
        }
    }

    /** Back to the default. */
    public static void reset() {
        System.clearProperty(TlsProvider.PROPERTY);
    }

    /** Runs the annotated class's tests once per provider. */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedClass(name = "{0}")
    @EnumSource(TlsProviders.class)
    @ExtendWith(Selection.class)
    public @interface Each {
    }

    /** Selects the provider of the test instance's {@code TlsProviders} field around each test. */
    static final class Selection implements BeforeEachCallback, AfterEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) throws IllegalAccessException {
            final Object test = context.getRequiredTestInstance();
            for (Class<?> c = test.getClass(); c != null; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.getType() == TlsProviders.class) {
                        f.setAccessible(true);
                        ((TlsProviders) f.get(test)).select();
                        return;
                    }
                }
            }
            throw new IllegalStateException(test.getClass() + " declares no TlsProviders field");
        }

        @Override
        public void afterEach(ExtensionContext context) {
            reset();
        }
    }
}
