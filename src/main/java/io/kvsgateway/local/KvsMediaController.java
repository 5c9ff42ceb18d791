package io.kvsgateway.local;

import java.io.IOException;
import java.io.OutputStream;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The KVS media operations whose bodies stream: PutMedia (MKV in, acknowledgement lines out, at the same time),
 * GetMedia and GetMediaForFragmentList (JSON in, MKV out). They answer on the connection's own (virtual) thread,
 * writing straight to the servlet streams, so that nothing buffers a whole upload or download.
 * <p>
 * Every refusal KVS answers with an HTTP error is decided before the response is committed, so it gets the usual
 * error envelope from {@link KvsErrorHandler}.
 */
@RestController
@ConditionalOnProperty(name = "gateway.kvs.mode", havingValue = "embedded", matchIfMissing = true)
class KvsMediaController {

	private final PutMediaIngest ingest;

	private final MediaOutput output;

	private final JsonMapper mapper;

	KvsMediaController(PutMediaIngest ingest, MediaOutput output, JsonMapper mapper) {
		this.ingest = ingest;
		this.output = output;
		this.mapper = mapper;
	}

	// KVS takes POST; plain `curl -T -` sends PUT, and the architecture promises that plain curl works.
	@RequestMapping(path = "/kvs/putMedia", method = { RequestMethod.POST, RequestMethod.PUT })
	void putMedia(HttpServletRequest request, HttpServletResponse response) throws IOException {
		try (PutMediaIngest.Upload upload = ingest.open(request.getHeader(PutMediaIngest.STREAM_NAME_HEADER),
				request.getHeader(PutMediaIngest.STREAM_ARN_HEADER),
				request.getHeader(PutMediaIngest.TIMECODE_TYPE_HEADER),
				request.getHeader(PutMediaIngest.START_TIMESTAMP_HEADER))) {
			response.setStatus(HttpServletResponse.SC_OK);
			response.setContentType(MediaType.APPLICATION_JSON_VALUE);
			OutputStream acks = response.getOutputStream();
			// Commit the 200 now: the producer learns it was accepted before its first fragment is complete.
			response.flushBuffer();
			upload.run(request.getInputStream(), acks);
		}
	}

	@PostMapping("/kvs/getMediaForFragmentList")
	void getMediaForFragmentList(@RequestBody(required = false) byte @Nullable [] body, HttpServletResponse response)
			throws IOException {
		stream(output.fragmentList(KvsRequest.parse(mapper, body)), response);
	}

	@PostMapping("/kvs/getMedia")
	void getMedia(@RequestBody(required = false) byte @Nullable [] body, HttpServletResponse response)
			throws IOException {
		stream(output.getMedia(KvsRequest.parse(mapper, body)), response);
	}

	private static void stream(MediaOutput.Body body, HttpServletResponse response) throws IOException {
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType(MediaOutput.CONTENT_TYPE);
		try (body) {
			// Commit the 200 at once: a live GetMedia may wait a while for its first fragment.
			response.flushBuffer();
			body.writeTo(response.getOutputStream());
		}
		catch (IOException ex) {
			// The client went away mid-stream; the response is committed and there is nobody to answer.
		}
	}

}
