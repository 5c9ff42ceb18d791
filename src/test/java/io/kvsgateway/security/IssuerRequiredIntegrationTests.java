package io.kvsgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;

import io.kvsgateway.KvsGatewayApplication;

class IssuerRequiredIntegrationTests {

	@Test
	void refusesToStartInAwsModeWithoutATokenIssuer() {
		SpringApplication application = new SpringApplication(KvsGatewayApplication.class);
		application.setWebApplicationType(WebApplicationType.SERVLET);

		Throwable failure = null;
		try (var context = application.run("--gateway.kvs.mode=aws", "--server.port=0")) {
			// started: the assertion below fails
		}
		catch (RuntimeException e) {
			failure = e;
		}

		assertThat(failure).isNotNull();
		Throwable root = failure;
		while (root.getCause() != null) {
			root = root.getCause();
		}
		assertThat(root).hasMessageContaining("gateway.kvs.mode=aws needs a token issuer");
	}

}
