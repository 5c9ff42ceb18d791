package io.kvsgateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IngestPropertiesUnitTests {

	@Test
	void camerasCreateStreamsInTheEmbeddedKvsButNotInAwsUnlessTheOperatorSaysSo() {
		IngestProperties unset = new IngestProperties(null, null, null, null, null, null, 0, null, null);
		assertThat(unset.createStreamAllowed(true)).isTrue();
		assertThat(unset.createStreamAllowed(false)).isFalse();
		assertThat(new IngestProperties(null, null, null, null, null, null, 0, null, true).createStreamAllowed(false)).isTrue();
		assertThat(new IngestProperties(null, null, null, null, null, null, 0, null, false).createStreamAllowed(true)).isFalse();
	}

}
