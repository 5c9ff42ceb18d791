package io.kvsgateway.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Writes the KVS error envelope: status, {@code x-amzn-ErrorType} and {@code {"Message": ...}}, never a stack trace.
 */
@RestControllerAdvice(assignableTypes = { KvsController.class, KvsMediaController.class })
@ConditionalOnProperty(name = "gateway.kvs.mode", havingValue = "embedded", matchIfMissing = true)
class KvsErrorHandler {

	static final String ERROR_TYPE_HEADER = "x-amzn-ErrorType";

	private static final Logger log = LoggerFactory.getLogger(KvsErrorHandler.class);

	@ExceptionHandler
	ResponseEntity<byte[]> handle(KvsError error) {
		return entity(error);
	}

	@ExceptionHandler
	ResponseEntity<byte[]> handle(Exception unexpected) {
		log.error("Embedded KVS request failed unexpectedly", unexpected);
		return entity(KvsError.internalFailure());
	}

	private static ResponseEntity<byte[]> entity(KvsError error) {
		return ResponseEntity.status(error.status())
			.header(ERROR_TYPE_HEADER, error.type())
			.contentType(MediaType.APPLICATION_JSON)
			.body(body(error));
	}

	/** For filters, which answer before any controller runs. */
	static void write(KvsError error, HttpServletResponse response) throws IOException {
		response.setStatus(error.status().value());
		response.setHeader(ERROR_TYPE_HEADER, error.type());
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		byte[] body = body(error);
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
		// Send it now: a streaming client (PutMedia) waits for the answer before it sends its body.
		response.flushBuffer();
	}

	private static byte[] body(KvsError error) {
		String json = JsonMapper.shared()
			.writeValueAsString(JsonNodeFactory.instance.objectNode().put("Message", error.getMessage()));
		return json.getBytes(StandardCharsets.UTF_8);
	}

}
