package io.kvsgateway.local;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A parsed REST-JSON request body with typed, KVS-style validated accessors.
 * <p>
 * The body is read as a tree rather than bound to classes so that a wrong type answers
 * {@code SerializationException} and a bad value answers {@code InvalidArgumentException} with a message that names
 * the parameter, as KVS does.
 *
 * @param body the JSON object of the request or of a nested structure
 * @param prefix how nested members are named in messages, e.g. {@code HLSFragmentSelector.}
 */
record KvsRequest(JsonNode body, String prefix) {

	static KvsRequest parse(JsonMapper mapper, byte @Nullable [] bytes) {
		if (bytes == null || bytes.length == 0) {
			// The SDKs always send at least "{}"; an empty body means no parameters.
			return new KvsRequest(mapper.createObjectNode(), "");
		}
		JsonNode root;
		try {
			root = mapper.readTree(bytes);
		}
		catch (JacksonException ex) {
			throw KvsError.serialization("Malformed JSON request body.");
		}
		if (root == null || !root.isObject()) {
			throw KvsError.serialization("The request body must be a JSON object.");
		}
		return new KvsRequest(root, "");
	}

	@Nullable String string(String name) {
		JsonNode node = present(name);
		if (node == null) {
			return null;
		}
		if (!node.isString()) {
			throw KvsError.serialization("Expected a string for " + qualified(name) + ".");
		}
		return node.stringValue();
	}

	String requiredString(String name) {
		String value = string(name);
		if (value == null) {
			throw KvsError.invalidArgument(qualified(name) + " is required.");
		}
		return value;
	}

	@Nullable Long integer(String name) {
		JsonNode node = present(name);
		if (node == null) {
			return null;
		}
		if (!node.isIntegralNumber() || !node.canConvertToLong()) {
			throw KvsError.serialization("Expected an integer for " + qualified(name) + ".");
		}
		return node.longValue();
	}

	/** REST-JSON timestamps are epoch seconds, possibly fractional. */
	@Nullable Instant timestamp(String name) {
		JsonNode node = present(name);
		if (node == null) {
			return null;
		}
		if (node.isNumber()) {
			BigDecimal seconds = node.decimalValue();
			BigDecimal nanos = seconds.remainder(BigDecimal.ONE).movePointRight(9);
			return Instant.ofEpochSecond(seconds.longValue(), nanos.longValue());
		}
		if (node.isString()) {
			// Lenient: some hand-written clients send ISO-8601 strings.
			try {
				return Instant.parse(node.stringValue());
			}
			catch (DateTimeParseException ex) {
				// fall through to the serialization error
			}
		}
		throw KvsError.serialization("Expected a timestamp (epoch seconds) for " + qualified(name) + ".");
	}

	@Nullable KvsRequest object(String name) {
		JsonNode node = present(name);
		if (node == null) {
			return null;
		}
		if (!node.isObject()) {
			throw KvsError.serialization("Expected an object for " + qualified(name) + ".");
		}
		return new KvsRequest(node, qualified(name) + ".");
	}

	<E extends Enum<E>> @Nullable E enumValue(String name, Class<E> type) {
		String value = string(name);
		if (value == null) {
			return null;
		}
		try {
			return Enum.valueOf(type, value);
		}
		catch (IllegalArgumentException ex) {
			throw KvsError.invalidArgument("1 validation error detected: Value '" + printable(value) + "' at '"
					+ qualified(name) + "' failed to satisfy constraint: Member must satisfy enum value set: "
					+ Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", ", "[", "]")));
		}
	}

	<E extends Enum<E>> E enumValue(String name, Class<E> type, E defaultValue) {
		E value = enumValue(name, type);
		return (value != null) ? value : defaultValue;
	}

	String qualified(String name) {
		return prefix + name;
	}

	/** JSON null counts as absent, as in the AWS protocols. */
	private @Nullable JsonNode present(String name) {
		JsonNode node = body.get(name);
		return (node == null || node.isNull()) ? null : node;
	}

	/** Echo client input only in a bounded, printable form, so that messages and logs cannot be abused. */
	static String printable(String value) {
		String shortened = value.length() > 64 ? value.substring(0, 64) + "..." : value;
		return shortened.replaceAll("[^\\x20-\\x7e]", "?");
	}

}
