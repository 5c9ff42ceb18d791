package io.kvsgateway.local;

import java.io.IOException;
import java.time.Clock;

import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The embedded KVS GetClip ({@code POST /kvs/getClip}): JSON in, {@code video/mp4} out, streamed fragment by
 * fragment. Refusals are decided before the response begins and answer with the KVS error envelope.
 */
@RestController
@ConditionalOnProperty(name = "gateway.kvs.mode", havingValue = "embedded", matchIfMissing = true)
class KvsClipController {

	private static final Logger log = LoggerFactory.getLogger(KvsClipController.class);

	private final LocalClips clips;

	private final JsonMapper mapper;

	KvsClipController(LocalStreams streams, LocalFragmentStore store, Clock clock, JsonMapper mapper,
			LocalQuotas quotas) {
		this.clips = new LocalClips(streams, store, clock, quotas);
		this.mapper = mapper;
	}

	@PostMapping("/kvs/getClip")
	void getClip(@RequestBody(required = false) byte @Nullable [] body, HttpServletResponse response)
			throws IOException {
		MediaOutput.Body clip = clips.clip(KvsRequest.parse(mapper, body));
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType(LocalClips.CONTENT_TYPE);
		try (clip) {
			clip.writeTo(response.getOutputStream());
		}
		catch (IOException ex) {
			// The client went away mid-clip; the response is committed and there is nobody to answer.
		}
	}

	// KvsErrorHandler advises the other KVS controllers by name; this one answers with the same envelope itself.
	@ExceptionHandler
	void handle(KvsError error, HttpServletResponse response) throws IOException {
		KvsErrorHandler.write(error, response);
	}

	@ExceptionHandler
	void handle(Exception unexpected, HttpServletResponse response) throws IOException {
		log.error("Embedded KVS GetClip failed unexpectedly", unexpected);
		if (!response.isCommitted()) {
			KvsErrorHandler.write(KvsError.internalFailure(), response);
		}
	}

}
