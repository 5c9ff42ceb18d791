package io.kvsgateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.atlassian.oai.validator.OpenApiInteractionValidator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.core.util.Yaml;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The published contract, {@code openapi.yaml} at the repository root, parsed once and made checkable.
 * <p>
 * swagger-request-validator 2.44.1 parses OpenAPI 3.1 (through swagger-parser 2.1.22) but validates schemas as JSON
 * Schema draft 4, through a 3.0 view of the parsed model in which 3.1's {@code type} (kept in
 * {@link Schema#getTypes()}) is lost: unnormalised, a string passes where the contract says integer. It has no option
 * for 3.1. So the document is parsed here with the validator's own parse options and every 3.1 {@code type} is
 * rewritten into the 3.0 form the validator reads ({@code type}, plus {@code nullable} for {@code "null"}) before the
 * model is handed to {@link OpenApiInteractionValidator#createFor(OpenAPI)}. Likewise 3.1's boolean
 * {@code additionalProperties} schemas become the booleans the validator reads, and the document's {@code security}
 * is copied onto operations without their own, as OpenAPI defines and as the validator does not. The file itself
 * stays pure 3.1; only the in-memory model is adapted.
 */
final class OpenApiDocument {

	private static final Path LOCATION = Path.of("openapi.yaml");

	private final OpenAPI model;

	private OpenApiDocument(OpenAPI model) {
		this.model = model;
	}

	/** @return the contract, parsed without errors and normalised for the validator */
	static OpenApiDocument load() {
		if (!Files.isRegularFile(LOCATION)) {
			throw new IllegalStateException("Run the tests from the repository root: no " + LOCATION.toAbsolutePath());
		}
		String text;
		try {
			JsonNode raw = Yaml.mapper().readTree(Files.readString(LOCATION));
			openAdditionalProperties(raw);
			text = Yaml.mapper().writeValueAsString(raw);
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot read " + LOCATION, e);
		}
		// The validator's own parse options.
		ParseOptions options = new ParseOptions();
		options.setResolve(true);
		options.setResolveFully(true);
		options.setResolveCombinators(false);
		SwaggerParseResult result = new OpenAPIParser().readContents(text, null, options);
		List<String> messages = result.getMessages() == null ? List.of() : result.getMessages();
		if (result.getOpenAPI() == null || !messages.isEmpty()) {
			throw new IllegalStateException(LOCATION + " does not parse: " + messages);
		}
		OpenAPI model = result.getOpenAPI();
		new TypeNormaliser().openApi(model);
		return new OpenApiDocument(model);
	}

	/**
	 * swagger-parser 2.1.22 reads every boolean or empty {@code additionalProperties} of a 3.1 document as
	 * {@code false}, which would close the problem schemas the contract leaves open. A schema that only describes
	 * means the same as {@code true} in JSON Schema and is read correctly, so the text handed to the parser says that.
	 */
	private static void openAdditionalProperties(JsonNode node) {
		if (node instanceof ObjectNode object) {
			if (object.path("additionalProperties").isBoolean() && object.get("additionalProperties").booleanValue()) {
				object.putObject("additionalProperties").put("description", "any further member");
			}
			object.elements().forEachRemaining(OpenApiDocument::openAdditionalProperties);
		}
		else if (node.isArray()) {
			node.elements().forEachRemaining(OpenApiDocument::openAdditionalProperties);
		}
	}

	/** @return the parsed model, after normalisation */
	OpenAPI model() {
		return model;
	}

	/** @return the {@code openapi} version the file declares */
	String version() {
		return model.getOpenapi();
	}

	/** @return a validator for requests and responses against the contract */
	OpenApiInteractionValidator validator() {
		return OpenApiInteractionValidator.createFor(model).build();
	}

	/**
	 * @return every documented operation a gateway serves whatever its mode, as {@code "METHOD /path/{template}"},
	 * sorted: those marked {@code x-development-only} exist only in embedded mode without an issuer and are left out
	 */
	Set<String> operations() {
		return operations(false);
	}

	/** @return the operations marked {@code x-development-only: true}, which only a development gateway serves */
	Set<String> developmentOperations() {
		return operations(true);
	}

	private Set<String> operations(boolean developmentOnly) {
		Set<String> operations = new TreeSet<>();
		model.getPaths()
			.forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
				Map<String, Object> extensions = operation.getExtensions();
				boolean development = extensions != null && Boolean.TRUE.equals(extensions.get("x-development-only"));
				if (development == developmentOnly) {
					operations.add(method.name() + " " + path);
				}
			}));
		return operations;
	}

	/**
	 * @param operation {@code "METHOD /path/{template}"}
	 * @return the response statuses the contract documents for it, such as {@code "201"}
	 */
	Set<String> statuses(String operation) {
		String[] parts = operation.split(" ", 2);
		var item = Objects.requireNonNull(model.getPaths().get(parts[1]), operation);
		var op = item.readOperationsMap()
			.get(io.swagger.v3.oas.models.PathItem.HttpMethod.valueOf(parts[0]));
		return new LinkedHashSet<>(Objects.requireNonNull(op, operation).getResponses().keySet());
	}

	/** Rewrites 3.1 type arrays into the 3.0 {@code type} and {@code nullable} the validator understands. */
	private static final class TypeNormaliser {

		private final Set<Schema<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());

		void openApi(OpenAPI api) {
			if (api.getComponents() != null) {
				values(api.getComponents().getSchemas()).forEach(this::schema);
				values(api.getComponents().getParameters()).forEach(this::parameter);
				values(api.getComponents().getHeaders()).forEach(this::header);
				values(api.getComponents().getResponses()).forEach(this::response);
				values(api.getComponents().getRequestBodies()).forEach(this::requestBody);
			}
			values(api.getPaths()).forEach(item -> {
				list(item.getParameters()).forEach(this::parameter);
				item.readOperations().forEach(operation -> {
					if (operation.getSecurity() == null) {
						// OpenAPI: an operation without its own security block inherits the document's; the
						// validator reads only the operation's.
						operation.setSecurity(api.getSecurity());
					}
					list(operation.getParameters()).forEach(this::parameter);
					if (operation.getRequestBody() != null) {
						requestBody(operation.getRequestBody());
					}
					values(operation.getResponses()).forEach(this::response);
				});
			});
		}

		private void parameter(Parameter parameter) {
			schema(parameter.getSchema());
			content(parameter.getContent());
		}

		private void header(Header header) {
			schema(header.getSchema());
			content(header.getContent());
		}

		private void requestBody(RequestBody body) {
			content(body.getContent());
		}

		private void response(ApiResponse response) {
			values(response.getHeaders()).forEach(this::header);
			content(response.getContent());
		}

		private void content(Content content) {
			values(content).map(MediaType::getSchema).forEach(this::schema);
		}

		@SuppressWarnings("rawtypes")
		private void schema(Schema<?> schema) {
			if (schema == null || !seen.add(schema)) {
				return;
			}
			Set<String> types = schema.getTypes();
			if (schema.getType() == null && types != null && !types.isEmpty()) {
				List<String> nonNull = types.stream().filter(t -> !"null".equals(t)).toList();
				if (nonNull.size() != 1) {
					throw new IllegalStateException("The validator cannot check a schema of types " + types
							+ "; describe it with anyOf instead");
				}
				schema.setType(nonNull.get(0));
				if (types.contains("null")) {
					schema.setNullable(true);
				}
			}
			values(schema.getProperties()).forEach(this::schema);
			schema(schema.getItems());
			schema(schema.getNot());
			list(schema.getAllOf()).forEach(this::schema);
			list(schema.getAnyOf()).forEach(this::schema);
			list(schema.getOneOf()).forEach(this::schema);
			if (schema.getAdditionalProperties() instanceof Schema additional) {
				if (additional.getBooleanSchemaValue() != null) {
					// 3.1 keeps "additionalProperties: false" as a boolean schema, which the validator reads as {}.
					schema.setAdditionalProperties(additional.getBooleanSchemaValue());
				}
				else {
					schema(additional);
				}
			}
		}

		private static <T> Stream<T> values(Map<String, T> map) {
			return map == null ? Stream.empty() : map.values().stream();
		}

		private static <T> Stream<T> list(List<T> list) {
			return list == null ? Stream.empty() : list.stream();
		}

	}

	/**
	 * The gateway's own handlers as {@code METHOD /path}: everything Spring MVC maps except the embedded KVS
	 * ({@code /kvs/**}, KVS's own API), actuator endpoints and Spring Boot's {@code /error} page.
	 */
	static Set<String> gatewayHandlers(RequestMappingHandlerMapping mappings) {
		Set<String> mapped = new TreeSet<>();
		for (var info : mappings.getHandlerMethods().keySet()) {
			if (info.getPathPatternsCondition() == null) {
				continue;
			}
			for (String path : info.getPathPatternsCondition().getPatternValues()) {
				if (path.startsWith("/kvs/") || path.equals("/kvs") || path.startsWith("/actuator")
						|| path.equals("/error")) {
					continue;
				}
				var methods = info.getMethodsCondition().getMethods();
				if (methods.isEmpty()) {
					mapped.add("ANY " + path);
				}
				methods.forEach(method -> mapped.add(method.name() + " " + path));
			}
		}
		return mapped;
	}

}
