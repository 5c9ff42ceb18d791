package io.kvsgateway.local;

import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import io.kvsgateway.local.StreamingSession.Protocol;

/**
 * The KVS REST-JSON surface: {@code POST /kvs/<operationName>} with a JSON body, dispatched by operation name.
 */
@RestController
@ConditionalOnProperty(name = "gateway.kvs.mode", havingValue = "embedded", matchIfMissing = true)
class KvsController {

	private final ControlPlane controlPlane;

	private final ArchivedMedia archivedMedia;

	private final JsonMapper mapper;

	private final @Nullable URI publicEndpoint;

	KvsController(ControlPlane controlPlane, ArchivedMedia archivedMedia, JsonMapper mapper,
			LocalProperties properties) {
		this.controlPlane = controlPlane;
		this.archivedMedia = archivedMedia;
		this.mapper = mapper;
		this.publicEndpoint = properties.publicEndpoint();
	}

	// Every method is mapped so that a GET or a typo gets the KVS envelope rather than Spring's error page.
	@RequestMapping("/kvs/{operation}")
	ObjectNode handle(@PathVariable String operation, @RequestBody(required = false) byte @Nullable [] body,
			HttpServletRequest servletRequest) {
		if (!"POST".equals(servletRequest.getMethod())) {
			throw KvsError.unknownOperation(KvsRequest.printable(operation));
		}
		KvsRequest request = KvsRequest.parse(mapper, body);
		return switch (operation) {
			case "createStream" -> controlPlane.createStream(request);
			case "describeStream" -> controlPlane.describeStream(request);
			case "listStreams" -> controlPlane.listStreams(request);
			case "deleteStream" -> controlPlane.deleteStream(request);
			case "updateDataRetention" -> controlPlane.updateDataRetention(request);
			case "tagStream" -> controlPlane.tagStream(request);
			case "getDataEndpoint" -> controlPlane.getDataEndpoint(request, baseUrl());
			case "getHLSStreamingSessionURL" -> JsonNodeFactory.instance.objectNode()
				.put("HLSStreamingSessionURL", archivedMedia.sessionUrl(Protocol.HLS, request, baseUrl()));
			case "getDASHStreamingSessionURL" -> JsonNodeFactory.instance.objectNode()
				.put("DASHStreamingSessionURL", archivedMedia.sessionUrl(Protocol.DASH, request, baseUrl()));
			case "listFragments" -> archivedMedia.listFragments(request);
			default -> throw KvsError.unknownOperation(KvsRequest.printable(operation));
		};
	}

	/** The configured public endpoint, or {@code scheme://host:port/<context>/kvs} as this request reached us. */
	private String baseUrl() {
		String base = (publicEndpoint != null) ? publicEndpoint.toString()
				: ServletUriComponentsBuilder.fromCurrentContextPath().path("/kvs").toUriString();
		return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
	}

}
