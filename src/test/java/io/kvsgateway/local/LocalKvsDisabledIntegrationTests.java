package io.kvsgateway.local;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** In {@code aws} mode nothing of the embedded service is wired. */
// aws mode needs a token issuer (no development tokens there); the JWKS is fetched lazily, so nothing listens.
@SpringBootTest(properties = { "gateway.kvs.mode=aws",
		"spring.security.oauth2.resourceserver.jwt.jwk-set-uri=http://127.0.0.1:1/jwks" })
class LocalKvsDisabledIntegrationTests {

	@Autowired
	ApplicationContext context;

	@Test
	void wiresNoEmbeddedServiceInAwsMode() {
		assertThat(context.getBeanNamesForType(KvsController.class)).isEmpty();
		assertThat(context.getBeanNamesForType(KvsErrorHandler.class)).isEmpty();
		assertThat(context.getBeanNamesForType(LocalFragmentStore.class)).isEmpty();
		assertThat(context.getBeanNamesForType(SessionTokens.class)).isEmpty();
		assertThat(context.getBeanNamesForType(LocalKvsConfiguration.class)).isEmpty();
		// Readiness checks the KVS control plane instead of the embedded store.
		assertThat(context.getBeanNamesForType(EmbeddedStoreHealthIndicator.class)).isEmpty();
		assertThat(context.containsBean("kvsHealthIndicator")).isTrue();
	}

}
