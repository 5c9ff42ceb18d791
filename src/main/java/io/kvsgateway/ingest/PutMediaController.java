package io.kvsgateway.ingest;

import java.io.IOException;
import java.time.Clock;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;

import io.kvsgateway.kvs.StreamNames;
import io.kvsgateway.kvs.KvsException;
import io.kvsgateway.kvs.PutMediaClient;
import io.kvsgateway.kvs.PutMediaException;
import io.kvsgateway.putmedia.FragmentRules;
import io.kvsgateway.putmedia.ProducerTimestamps;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The camera's PutMedia: validates the headers, claims the stream's single connection and opens the upstream upload
 * before a byte of the body is read, then hands the connection to a {@link CameraUpload} on this (virtual) request
 * thread, which reads the chunked body while writing ACK lines on the response.
 */
@Controller
class PutMediaController {

	private final PutMediaClient upstream;

	private final PutMediaConnections connections;

	private final IngestedStreams health;

	private final FragmentRules rules;

	private final Clock clock;

	private final IngestProperties properties;

	private final IngestMetrics metrics;

	PutMediaController(PutMediaClient upstream, PutMediaConnections connections, IngestedStreams health,
			IngestProperties properties, Clock clock, IngestMetrics metrics) {
		this.upstream = upstream;
		this.metrics = metrics;
		this.connections = connections;
		this.health = health;
		FragmentRules kvs = FragmentRules.KVS;
		this.rules = new FragmentRules(kvs.maxFragmentBytes(), kvs.maxFragmentDuration(), kvs.maxTracks(),
				kvs.maxTags(), kvs.maxTagNameBytes(), kvs.maxTagValueBytes(), properties.maxProducerClockAhead());
		this.clock = clock;
		this.properties = properties;
	}

	// KVS takes POST; plain `curl -T -` sends PUT, and the architecture promises that plain curl works.
	@RequestMapping(path = "/putMedia", method = { RequestMethod.POST, RequestMethod.PUT })
	void putMedia(HttpServletRequest request, HttpServletResponse response) throws IOException {
		String streamName = request.getHeader("x-amzn-stream-name");
		if (!StreamNames.isValid(streamName)) {
			refuse(streamName, KvsErrorEnvelope.invalidArgument(request.getHeader("x-amzn-stream-arn") != null
					? "The gateway identifies streams by x-amzn-stream-name; x-amzn-stream-arn alone is not supported."
					: "x-amzn-stream-name must be a stream name."), response);
			return;
		}
		ProducerTimestamps timestamps;
		try {
			timestamps = ProducerTimestamps.fromHeaders(request.getHeader("x-amzn-fragment-timecode-type"),
					request.getHeader("x-amzn-producer-start-timestamp"));
		}
		catch (IllegalArgumentException e) {
			refuse(streamName, KvsErrorEnvelope.invalidArgument(e.getMessage()), response);
			return;
		}
		if (!connections.claim(streamName)) {
			refuse(streamName, new KvsErrorEnvelope(HttpStatus.BAD_REQUEST, "ConnectionLimitExceededException",
					"Stream " + streamName + " already has a PutMedia connection."), response);
			return;
		}
		String camera = request.getUserPrincipal() != null ? request.getUserPrincipal().getName() : "";
		IngestMetrics.Stream meters = metrics.stream(streamName);
		CameraUpload upload = new CameraUpload(streamName, camera, timestamps, rules, health, clock, properties,
				() -> connections.release(streamName), meters);
		try {
			try {
				upload.open(upstream);
			}
			catch (KvsException e) {
				refuse(streamName, KvsErrorEnvelope.of(e), response);
				return;
			}
			catch (PutMediaException e) {
				refuse(streamName, new KvsErrorEnvelope(HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
						"The gateway could not reach KVS: " + e.getMessage()), response);
				return;
			}
			meters.connected();
			response.setStatus(HttpStatus.OK.value());
			response.setContentType(MediaType.APPLICATION_JSON_VALUE);
			// Commit the 200 now: the camera reads ACKs while it is still sending.
			response.flushBuffer();
			connections.attach(upload);
			upload.run(request.getInputStream(), response.getOutputStream());
		}
		finally {
			// Once only: an idle close may have freed the stream already, and a new connection may hold it now.
			upload.release();
		}
	}

	/** Answers a connection that could not be established, and counts it as KVS's PutMedia.ConnectionErrors. */
	private void refuse(@Nullable String streamName, KvsErrorEnvelope envelope, HttpServletResponse response)
			throws IOException {
		metrics.connectionError(streamName == null ? "" : streamName, envelope.errorType());
		envelope.write(response);
	}

}
