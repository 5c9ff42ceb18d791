package io.kvsgateway.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.kvsgateway.kvs.KvsException;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * Camera-facing errors in KVS's envelope (status, {@code x-amzn-ErrorType}, {@code {"Message": ...}}), not RFC 9457:
 * producer SDKs choose their retry from the error type, exactly as they would against KVS.
 */
record KvsErrorEnvelope(HttpStatus status, String errorType, String message) {

	static final String ERROR_TYPE = "x-amzn-ErrorType";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static KvsErrorEnvelope invalidArgument(String message) {
		return new KvsErrorEnvelope(HttpStatus.BAD_REQUEST, "InvalidArgumentException", message);
	}

	/**
	 * What KVS answers a principal whose policy does not allow the operation: {@code NotAuthorizedException} with the
	 * HTTP status the KVS control-plane model gives it, 401.
	 */
	static KvsErrorEnvelope notAuthorized(String message) {
		return new KvsErrorEnvelope(HttpStatus.UNAUTHORIZED, "NotAuthorizedException", message);
	}

	/** The KVS answer for a failure of the gateway's own KVS call, so that the camera retries as it would. */
	static KvsErrorEnvelope of(KvsException e) {
		String message = e.getMessage() == null ? "KVS refused the request" : e.getMessage();
		return switch (e) {
			case KvsException.StreamNotFound notFound ->
				new KvsErrorEnvelope(HttpStatus.NOT_FOUND, "ResourceNotFoundException", message);
			case KvsException.ArgumentRejected rejected -> invalidArgument(message);
			case KvsException.Refused refused ->
				new KvsErrorEnvelope(HttpStatus.BAD_REQUEST, code(refused, "InvalidArgumentException"), message);
			case KvsException.Throttled throttled ->
				new KvsErrorEnvelope(HttpStatus.BAD_REQUEST, code(throttled, "ClientLimitExceededException"), message);
			case KvsException.StreamNotPlayable notPlayable ->
				new KvsErrorEnvelope(HttpStatus.BAD_REQUEST, code(notPlayable, "InvalidArgumentException"), message);
			// The camera is not to blame and cannot fix it: a server-side failure it retries later.
			case KvsException.GatewayNotAuthorized denied -> new KvsErrorEnvelope(HttpStatus.INTERNAL_SERVER_ERROR,
					"InternalFailure", "The gateway could not call KVS; operators have been told in the log.");
			case KvsException.Unavailable unavailable ->
				new KvsErrorEnvelope(HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable", message);
		};
	}

	private static String code(KvsException e, String otherwise) {
		return e.errorCode() == null ? otherwise : e.errorCode();
	}

	ResponseEntity<String> entity() {
		return ResponseEntity.status(status)
			.header(ERROR_TYPE, errorType)
			.contentType(MediaType.APPLICATION_JSON)
			.body(json());
	}

	void write(HttpServletResponse response) throws IOException {
		response.setStatus(status.value());
		response.setHeader(ERROR_TYPE, errorType);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		byte[] body = json().getBytes(StandardCharsets.UTF_8);
		response.setContentLength(body.length);
		response.setHeader(HttpHeaders.CONNECTION, "close");
		response.getOutputStream().write(body);
		response.flushBuffer();
	}

	private String json() {
		return JSON.writeValueAsString(java.util.Map.of("Message", message));
	}

}
