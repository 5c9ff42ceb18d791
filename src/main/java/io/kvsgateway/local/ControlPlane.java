package io.kvsgateway.local;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The KVS control-plane operations: CreateStream, DescribeStream, ListStreams, DeleteStream, UpdateDataRetention,
 * TagStream and GetDataEndpoint. Tags are checked against KVS's rules and kept in memory only: nothing here reads
 * them back, so they are not worth a metadata format change; a restart forgets them.
 */
class ControlPlane {

	static final int MAX_RETENTION_HOURS = 87_600;

	private static final Pattern DEVICE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");

	private static final Pattern MEDIA_TYPE = Pattern
		.compile("[\\w\\-.+]+/[\\w\\-.+]+(,[\\w\\-.+]+/[\\w\\-.+]+)*");

	private static final Pattern VERSION = Pattern.compile("[a-zA-Z0-9]{1,64}");

	private static final String NEXT_TOKEN_PREFIX = "v1:";

	/** Every APIName of GetDataEndpoint; the embedded service answers all of them on its one base URL. */
	enum ApiName {

		PUT_MEDIA, GET_MEDIA, LIST_FRAGMENTS, GET_MEDIA_FOR_FRAGMENT_LIST, GET_HLS_STREAMING_SESSION_URL,
		GET_DASH_STREAMING_SESSION_URL, GET_CLIP, GET_IMAGES

	}

	/** UpdateDataRetention's Operation. */
	enum RetentionOperation {

		INCREASE_DATA_RETENTION, DECREASE_DATA_RETENTION

	}

	/** ListStreams' StreamNameCondition operator. */
	enum ComparisonOperator {

		BEGINS_WITH

	}

	/** KVS's limit of tags on one stream, and of tags in one request. */
	static final int MAX_TAGS = 50;

	private final LocalStreams streams;

	private final Map<String, Map<String, String>> tagsByArn = new ConcurrentHashMap<>();

	private final LocalFragmentStore fragments;

	private final LocalQuotas quotas;

	ControlPlane(LocalStreams streams, LocalFragmentStore fragments, LocalQuotas quotas) {
		this.streams = streams;
		this.fragments = fragments;
		this.quotas = quotas;
	}

	ObjectNode createStream(KvsRequest request) {
		String name = request.requiredString("StreamName");
		String deviceName = request.string("DeviceName");
		String mediaType = request.string("MediaType");
		String kmsKeyId = request.string("KmsKeyId");
		Long retention = request.integer("DataRetentionInHours");
		LocalStreams.requireValidName(name, "StreamName");
		if (deviceName != null && !DEVICE_NAME.matcher(deviceName).matches()) {
			throw KvsError.invalidArgument("DeviceName must match [a-zA-Z0-9_.-]+ and be 1 to 128 characters long.");
		}
		if (mediaType != null && (mediaType.length() > 128 || !MEDIA_TYPE.matcher(mediaType).matches())) {
			throw KvsError.invalidArgument("MediaType must be a media type such as video/h264, at most 128 characters.");
		}
		if (kmsKeyId != null && (kmsKeyId.isEmpty() || kmsKeyId.length() > 2048)) {
			throw KvsError.invalidArgument("KmsKeyId must be 1 to 2048 characters long.");
		}
		int hours = checkRetention(retention != null ? retention : 0, "DataRetentionInHours");
		JsonNode tags = request.body().get("Tags");
		Map<String, String> given = (tags == null || tags.isNull()) ? Map.of() : tags(tags);
		LocalStream stream = streams.create(name, deviceName, mediaType, kmsKeyId, hours);
		if (!given.isEmpty()) {
			tagsByArn.put(stream.streamArn(), new LinkedHashMap<>(given));
		}
		return object().put("StreamARN", stream.streamArn());
	}

	ObjectNode tagStream(KvsRequest request) {
		String name = request.string("StreamName");
		String arn = request.string("StreamARN");
		LocalStreams.requireValidReference(name, arn);
		JsonNode tags = request.body().get("Tags");
		if (tags == null || tags.isNull()) {
			throw KvsError.invalidArgument("Tags is required.");
		}
		Map<String, String> given = tags(tags);
		if (given.isEmpty()) {
			throw KvsError.invalidArgument("Tags must hold at least 1 tag.");
		}
		LocalStream stream = streams.resolve(name, arn);
		quotas.call(stream.streamName(), LocalQuotas.Api.TAG_STREAM);
		tagsByArn.compute(stream.streamArn(), (key, current) -> {
			Map<String, String> merged = new LinkedHashMap<>(current == null ? Map.of() : current);
			merged.putAll(given);
			if (merged.size() > MAX_TAGS) {
				throw KvsError.of(org.springframework.http.HttpStatus.BAD_REQUEST,
						"TagsPerResourceExceededLimitException",
						"A stream can have at most " + MAX_TAGS + " tags.");
			}
			return merged;
		});
		return object();
	}

	private static Map<String, String> tags(JsonNode tags) {
		if (!tags.isObject()) {
			throw KvsError.serialization("Expected an object for Tags.");
		}
		Map<String, String> result = new LinkedHashMap<>();
		for (var tag : tags.properties()) {
			String key = tag.getKey();
			JsonNode value = tag.getValue();
			if (!value.isString()) {
				throw KvsError.serialization("Expected a string for the value of a tag.");
			}
			if (key.isEmpty() || key.length() > 128) {
				throw KvsError.invalidArgument("A tag key must be 1 to 128 characters long.");
			}
			if (value.asString().length() > 256) {
				throw KvsError.invalidArgument("A tag value must be at most 256 characters long.");
			}
			result.put(key, value.asString());
		}
		if (result.size() > MAX_TAGS) {
			throw KvsError.invalidArgument("Tags must hold at most " + MAX_TAGS + " tags.");
		}
		return result;
	}

	ObjectNode describeStream(KvsRequest request) {
		LocalStream stream = streams.resolve(request.string("StreamName"), request.string("StreamARN"));
		quotas.call(stream.streamName(), LocalQuotas.Api.DESCRIBE_STREAM);
		ObjectNode result = object();
		result.set("StreamInfo", streamInfo(stream));
		return result;
	}

	ObjectNode listStreams(KvsRequest request) {
		Long max = request.integer("MaxResults");
		long maxResults = (max != null) ? max : 10_000;
		if (maxResults < 1 || maxResults > 10_000) {
			throw KvsError.invalidArgument("MaxResults must be between 1 and 10000.");
		}
		String after = decodeNextToken(request.string("NextToken"));
		String prefix = null;
		KvsRequest condition = request.object("StreamNameCondition");
		if (condition != null) {
			condition.enumValue("ComparisonOperator", ComparisonOperator.class);
			prefix = condition.string("ComparisonValue");
			if (prefix != null) {
				LocalStreams.requireValidName(prefix, "StreamNameCondition.ComparisonValue");
			}
		}
		String namePrefix = prefix;
		List<LocalStream> matching = streams.all()
			.stream()
			.filter(s -> namePrefix == null || s.streamName().startsWith(namePrefix))
			.filter(s -> after == null || s.streamName().compareTo(after) > 0)
			.toList();
		List<LocalStream> page = matching.subList(0, (int) Math.min(maxResults, matching.size()));
		ObjectNode result = object();
		var list = result.putArray("StreamInfoList");
		page.forEach(s -> list.add(streamInfo(s)));
		if (page.size() < matching.size()) {
			result.put("NextToken", encodeNextToken(page.getLast().streamName()));
		}
		return result;
	}

	ObjectNode deleteStream(KvsRequest request) {
		String arn = request.requiredString("StreamARN");
		String version = request.string("CurrentVersion");
		checkVersion(version);
		LocalStream stream = streams.resolve(null, arn);
		quotas.call(stream.streamName(), LocalQuotas.Api.DELETE_STREAM);
		streams.delete(stream, version);
		tagsByArn.remove(stream.streamArn());
		fragments.forget(stream.streamId());
		return object();
	}

	ObjectNode updateDataRetention(KvsRequest request) {
		String name = request.string("StreamName");
		String arn = request.string("StreamARN");
		LocalStreams.requireValidReference(name, arn);
		String version = request.requiredString("CurrentVersion");
		checkVersion(version);
		RetentionOperation operation = request.enumValue("Operation", RetentionOperation.class);
		if (operation == null) {
			throw KvsError.invalidArgument("Operation is required.");
		}
		Long change = request.integer("DataRetentionChangeInHours");
		if (change == null) {
			throw KvsError.invalidArgument("DataRetentionChangeInHours is required.");
		}
		if (change < 1) {
			throw KvsError.invalidArgument("DataRetentionChangeInHours must be at least 1.");
		}
		LocalStream stream = streams.resolve(name, arn);
		quotas.call(stream.streamName(), LocalQuotas.Api.UPDATE_DATA_RETENTION);
		long updated = (operation == RetentionOperation.INCREASE_DATA_RETENTION)
				? stream.dataRetentionInHours() + change : stream.dataRetentionInHours() - change;
		int hours = checkRetention(updated, "The resulting data retention");
		streams.updateRetention(stream, version, hours);
		return object();
	}

	ObjectNode getDataEndpoint(KvsRequest request, String baseUrl) {
		String name = request.string("StreamName");
		String arn = request.string("StreamARN");
		LocalStreams.requireValidReference(name, arn);
		if (request.enumValue("APIName", ApiName.class) == null) {
			throw KvsError.invalidArgument("APIName is required.");
		}
		quotas.call(streams.resolve(name, arn).streamName(), LocalQuotas.Api.GET_DATA_ENDPOINT);
		return object().put("DataEndpoint", baseUrl);
	}

	private static int checkRetention(long hours, String what) {
		if (hours < 0 || hours > MAX_RETENTION_HOURS) {
			throw KvsError.invalidArgument(what + " must be between 0 and " + MAX_RETENTION_HOURS + " hours, but was "
					+ hours + ".");
		}
		return (int) hours;
	}

	private static void checkVersion(@Nullable String version) {
		if (version != null && !VERSION.matcher(version).matches()) {
			throw KvsError.invalidArgument("CurrentVersion must match [a-zA-Z0-9]+ and be 1 to 64 characters long.");
		}
	}

	static ObjectNode streamInfo(LocalStream stream) {
		ObjectNode info = object();
		putIfPresent(info, "DeviceName", stream.deviceName());
		info.put("StreamName", stream.streamName());
		info.put("StreamARN", stream.streamArn());
		putIfPresent(info, "MediaType", stream.mediaType());
		putIfPresent(info, "KmsKeyId", stream.kmsKeyId());
		info.put("Version", stream.version());
		info.put("Status", stream.status());
		// REST-JSON timestamps are epoch seconds; keep the milliseconds as a fraction.
		info.put("CreationTime", BigDecimal.valueOf(stream.creationTime().toEpochMilli(), 3));
		info.put("DataRetentionInHours", stream.dataRetentionInHours());
		return info;
	}

	private static void putIfPresent(ObjectNode node, String name, @Nullable String value) {
		if (value != null) {
			node.put(name, value);
		}
	}

	private static String encodeNextToken(String lastName) {
		return Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString((NEXT_TOKEN_PREFIX + lastName).getBytes(StandardCharsets.UTF_8));
	}

	private static @Nullable String decodeNextToken(@Nullable String token) {
		if (token == null) {
			return null;
		}
		try {
			String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
			if (decoded.startsWith(NEXT_TOKEN_PREFIX)
					&& LocalStreams.STREAM_NAME.matcher(decoded.substring(NEXT_TOKEN_PREFIX.length())).matches()) {
				return decoded.substring(NEXT_TOKEN_PREFIX.length());
			}
		}
		catch (IllegalArgumentException ex) {
			// answered below
		}
		throw KvsError.invalidArgument("NextToken is not valid.");
	}

	private static ObjectNode object() {
		return JsonNodeFactory.instance.objectNode();
	}

}
