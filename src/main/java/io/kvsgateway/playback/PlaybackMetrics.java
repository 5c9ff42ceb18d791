package io.kvsgateway.playback;

import org.jspecify.annotations.Nullable;

/**
 * What playback reports for the metrics that mirror KVS's archived-media CloudWatch metrics (developer guide,
 * "Monitor Amazon Kinesis Video Streams metrics with CloudWatch": {@code GetHLSStreamingSessionURL.Requests},
 * {@code .Latency}, {@code .Success}, the same for GetDASHStreamingSessionURL, ListFragments and GetClip,
 * {@code GetClip.OutgoingBytes}, {@code ArchivedFragmentsConsumed.Metadata} and {@code .Media}), as the gateway sees
 * its own calls. A port: the {@code ops} module implements it with Micrometer and decides how streams are tagged.
 */
public interface PlaybackMetrics {

	/**
	 * The gateway called a KVS archived-media API for a viewer.
	 *
	 * @param nanos how long the call took, until KVS's answer (for GetClip: until the clip began to arrive)
	 * @param failure what the call threw, {@literal null} when it succeeded
	 */
	void called(Api api, String streamName, long nanos, @Nullable RuntimeException failure);

	/** Quota points the gateway charged a stream's budgets for one of its own calls, before making it. */
	void consumed(String streamName, long metadataPoints, long mediaPoints);

	/** Bytes of a clip sent on to the viewer. */
	void clipBytes(String streamName, long bytes);

	/** The KVS APIs the gateway calls for viewers, by their KVS names. */
	enum Api {

		GET_HLS_STREAMING_SESSION_URL("GetHLSStreamingSessionURL"),
		GET_DASH_STREAMING_SESSION_URL("GetDASHStreamingSessionURL"),
		LIST_FRAGMENTS("ListFragments"),
		GET_CLIP("GetClip");

		private final String kvsName;

		Api(String kvsName) {
			this.kvsName = kvsName;
		}

		/** @return the API's name in KVS and in its CloudWatch metrics */
		public String kvsName() {
			return kvsName;
		}

	}

}
