package io.kvsgateway.playback;

import org.springframework.stereotype.Component;

import io.kvsgateway.quota.Admission;
import io.kvsgateway.quota.Decision;

/**
 * Charges the gateway's own archived-media calls to the stream's budgets before they are made, with the points the
 * developer guide assigns ("Fragment-metadata quota consumption" and "Fragment-media quota consumption"), so that a
 * timeline or clip request never takes from the live viewers' share without asking.
 */
@Component
class QuotaCharges {

	private final Admission admission;

	private final PlaybackMetrics metrics;

	QuotaCharges(Admission admission, PlaybackMetrics metrics) {
		this.admission = admission;
		this.metrics = metrics;
	}

	/**
	 * @throws QuotaExhausted when the stream cannot afford the points now
	 */
	void debit(String streamName, long metadataPoints, long mediaPoints) {
		if (admission.debit(streamName, metadataPoints, mediaPoints) instanceof Decision.Rejected rejected) {
			throw new QuotaExhausted(streamName, rejected.budget(), rejected.retryAfter());
		}
		metrics.consumed(streamName, metadataPoints, mediaPoints);
	}

}
