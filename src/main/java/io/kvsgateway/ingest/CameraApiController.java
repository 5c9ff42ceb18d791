package io.kvsgateway.ingest;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import io.kvsgateway.kvs.StreamNames;
import io.kvsgateway.kvs.KvsException;
import io.kvsgateway.kvs.StreamAdministration;
import io.kvsgateway.kvs.StreamDirectory;
import io.kvsgateway.kvs.StreamSummary;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The control-plane calls a KVS producer makes before PutMedia, answered in KVS's JSON so that an unmodified producer
 * (producer-c, kvssink) can be pointed at the gateway: {@code DescribeStream} from KVS, {@code GetDataEndpoint}
 * naming the gateway itself, so that the camera's PutMedia comes here too, and {@code CreateStream} and
 * {@code TagStream} forwarded to KVS for a producer that finds no stream, unless {@code gateway.ingest} forbids it.
 * Security has already checked that the caller covers the request's stream.
 */
@RestController
class CameraApiController {


	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final StreamDirectory streams;

	private final StreamAdministration administration;

	private final IngestProperties properties;

	CameraApiController(StreamDirectory streams, StreamAdministration administration, IngestProperties properties) {
		this.streams = streams;
		this.administration = administration;
		this.properties = properties;
	}

	@PostMapping(path = "/createStream", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<?> createStream(@RequestBody(required = false) byte @Nullable [] body) {
		if (!properties.createStreamAllowed(administration.embedded())) {
			return creationRefused("CreateStream");
		}
		JsonNode json = parse(body);
		String streamName = streamName(json);
		JsonNode retention = json.path("DataRetentionInHours");
		if (!retention.isMissingNode() && !retention.isNull()
				&& !(retention.isIntegralNumber() && retention.canConvertToInt())) {
			throw new InvalidCameraRequest("DataRetentionInHours must be an integer.");
		}
		String arn = administration.createStream(new StreamAdministration.NewStream(streamName,
				optionalString(json, "DeviceName"), optionalString(json, "MediaType"), optionalString(json, "KmsKeyId"),
				retention.isIntegralNumber() ? retention.intValue() : 0, tags(json, false)));
		return ResponseEntity.ok(Map.of("StreamARN", arn));
	}

	@PostMapping(path = "/tagStream", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<?> tagStream(@RequestBody(required = false) byte @Nullable [] body) {
		if (!properties.createStreamAllowed(administration.embedded())) {
			return creationRefused("TagStream");
		}
		JsonNode json = parse(body);
		String streamName = streamName(json);
		administration.tagStream(streamName, tags(json, true));
		return ResponseEntity.ok(Map.of());
	}

	private static ResponseEntity<String> creationRefused(String operation) {
		return KvsErrorEnvelope
			.notAuthorized("This gateway does not let cameras call " + operation + "; an operator provisions streams.")
			.entity();
	}

	private static @Nullable String optionalString(JsonNode json, String member) {
		JsonNode value = json.path(member);
		if (value.isMissingNode() || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw new InvalidCameraRequest(member + " must be a string.");
		}
		return value.asString();
	}

	private static Map<String, String> tags(JsonNode json, boolean required) {
		JsonNode tags = json.path("Tags");
		if (tags.isMissingNode() || tags.isNull()) {
			if (required) {
				throw new InvalidCameraRequest("Tags must name at least one tag.");
			}
			return Map.of();
		}
		if (!tags.isObject()) {
			throw new InvalidCameraRequest("Tags must be an object of tag keys to string values.");
		}
		Map<String, String> result = new LinkedHashMap<>();
		for (var entry : tags.properties()) {
			if (!entry.getValue().isString()) {
				throw new InvalidCameraRequest("The value of tag " + entry.getKey() + " must be a string.");
			}
			result.put(entry.getKey(), entry.getValue().asString());
		}
		if (required && result.isEmpty()) {
			throw new InvalidCameraRequest("Tags must name at least one tag.");
		}
		return result;
	}

	@PostMapping(path = "/describeStream", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<?> describeStream(@RequestBody(required = false) byte @Nullable [] body) {
		String streamName = streamName(body);
		StreamSummary stream = streams.describe(streamName);
		Map<String, Object> info = new LinkedHashMap<>();
		if (stream.creationTime() != null) {
			// KVS's JSON protocol writes timestamps as epoch seconds.
			info.put("CreationTime", stream.creationTime().toEpochMilli() / 1000.0);
		}
		info.put("DataRetentionInHours", stream.dataRetentionInHours());
		if (stream.mediaType() != null) {
			info.put("MediaType", stream.mediaType());
		}
		info.put("Status", stream.status());
		info.put("StreamARN", stream.streamArn());
		info.put("StreamName", stream.streamName());
		return ResponseEntity.ok(Map.of("StreamInfo", info));
	}

	@PostMapping(path = "/getDataEndpoint", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<?> getDataEndpoint(@RequestBody(required = false) byte @Nullable [] body) {
		JsonNode json = parse(body);
		streamName(json);
		String api = json.path("APIName").asString("");
		if (!"PUT_MEDIA".equals(api)) {
			// Everything but PutMedia is served by KVS or the viewer API, not by the camera endpoint.
			return KvsErrorEnvelope.invalidArgument("The camera endpoint serves APIName PUT_MEDIA only.").entity();
		}
		URI endpoint = properties.dataEndpoint() != null ? properties.dataEndpoint()
				: ServletUriComponentsBuilder.fromCurrentContextPath().build().toUri();
		String text = endpoint.toString();
		return ResponseEntity.ok(Map.of("DataEndpoint", text.endsWith("/") ? text.substring(0, text.length() - 1) : text));
	}

	private static String streamName(byte @Nullable [] body) {
		return streamName(parse(body));
	}

	private static String streamName(JsonNode json) {
		String name = json.path("StreamName").asString("");
		if (!StreamNames.isValid(name)) {
			throw new InvalidCameraRequest(name.isEmpty() && json.has("StreamARN")
					? "The gateway identifies streams by StreamName; StreamARN alone is not supported."
					: "StreamName must be 1-256 characters of a-z, A-Z, 0-9, '_', '.' and '-'.");
		}
		return name;
	}

	private static JsonNode parse(byte @Nullable [] body) {
		if (body == null || body.length == 0) {
			throw new InvalidCameraRequest("The request needs a JSON body with StreamName.");
		}
		try {
			JsonNode json = JSON.readTree(body);
			if (!json.isObject()) {
				throw new InvalidCameraRequest("The request body must be a JSON object.");
			}
			return json;
		}
		catch (JacksonException e) {
			throw new InvalidCameraRequest("The request body is not JSON.");
		}
	}

	@ExceptionHandler
	ResponseEntity<String> handle(InvalidCameraRequest e) {
		return KvsErrorEnvelope.invalidArgument(e.getMessage()).entity();
	}

	@ExceptionHandler
	ResponseEntity<String> handle(KvsException e) {
		return KvsErrorEnvelope.of(e).entity();
	}

	/** A camera request KVS would refuse with {@code InvalidArgumentException}. */
	static final class InvalidCameraRequest extends RuntimeException {

		InvalidCameraRequest(String message) {
			super(message, null, false, false);
		}

	}

}
