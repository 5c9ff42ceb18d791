package io.kvsgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockHttpServletRequest;

/** Who is handed the development token: a browser on the gateway's own machine, and nobody else. */
class DevelopmentTokenControllerUnitTests {

	@ParameterizedTest(name = "peer {0}, Host {1}, {2}: {3}")
	@CsvSource({
			// the developer's own browser
			"127.0.0.1, localhost, , true",
			"127.0.0.1, 127.0.0.1, , true",
			"127.12.0.1, localhost, , true",
			"0:0:0:0:0:0:0:1, [::1], , true",
			"::1, viewer.localhost, , true",
			// another machine
			"192.0.2.10, localhost, , false",
			"2001:db8::1, localhost, , false",
			// a page that rebound its own DNS name to 127.0.0.1 (Host is the attacker's name)
			"127.0.0.1, evil.example, , false",
			"127.0.0.1, localhost.evil.example, , false",
			"127.0.0.1, 192.0.2.10, , false",
			// a proxy on this machine forwarding a remote client
			"127.0.0.1, localhost, X-Forwarded-For, false",
			"127.0.0.1, localhost, Forwarded, false",
			"127.0.0.1, localhost, X-Forwarded-Host, false",
			"127.0.0.1, localhost, X-Real-IP, false" })
	void answersOnlyABrowserOnThisMachine(String peer, String host, String proxyHeader, boolean answered) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", DevelopmentTokenController.PATH);
		request.setRemoteAddr(peer);
		request.setServerName(host);
		if (proxyHeader != null) {
			request.addHeader(proxyHeader, "203.0.113.7");
		}

		assertThat(DevelopmentTokenController.fromThisMachine(request)).isEqualTo(answered);
	}

}
