package io.kvsgateway.local;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.CrossOrigin;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.kvsgateway.local.StreamingResources.Resource;
import io.kvsgateway.local.StreamingSession.Protocol;

/**
 * The resources behind HLS and DASH session URLs, under the paths KVS uses ({@code /hls/v1/...}, {@code /dash/v1/...}
 * of the data endpoint). Unsigned: the session token in the query is the credential ({@link SigV4AuthenticationFilter}
 * lets these paths through). Browser players fetch them cross-origin, so every answer, errors included, allows any
 * origin, and preflights are answered.
 */
@RestController
@ConditionalOnProperty(name = "gateway.kvs.mode", havingValue = "embedded", matchIfMissing = true)
@CrossOrigin(origins = "*", methods = { RequestMethod.GET, RequestMethod.HEAD }, maxAge = 3600,
		exposedHeaders = { KvsErrorHandler.ERROR_TYPE_HEADER, SigV4AuthenticationFilter.REQUEST_ID_HEADER })
class StreamingSessionController {

	static final String TOKEN = "SessionToken";

	private static final Logger log = LoggerFactory.getLogger(StreamingSessionController.class);

	private final StreamingResources resources;

	StreamingSessionController(StreamingResources resources) {
		this.resources = resources;
	}

	@GetMapping("/kvs/hls/v1/getHLSMasterPlaylist.m3u8")
	void hlsMaster(@RequestParam(name = TOKEN, required = false) @Nullable String token, HttpServletResponse response)
			throws IOException {
		write(resources.hlsMaster(token), response);
	}

	@GetMapping("/kvs/hls/v1/getHLSMediaPlaylist.m3u8")
	void hlsMedia(@RequestParam(name = TOKEN, required = false) @Nullable String token,
			@RequestParam(name = "TrackNumber", required = false) @Nullable String trackNumber,
			HttpServletResponse response) throws IOException {
		write(resources.hlsMedia(token, trackNumber), response);
	}

	@GetMapping("/kvs/hls/v1/getMP4InitFragment.mp4")
	void hlsInit(@RequestParam(name = TOKEN, required = false) @Nullable String token,
			@RequestParam(name = "TrackNumber", required = false) @Nullable String trackNumber,
			HttpServletResponse response) throws IOException {
		write(resources.init(Protocol.HLS, token, trackNumber), response);
	}

	@GetMapping("/kvs/hls/v1/getMP4MediaFragment.mp4")
	void hlsFragment(@RequestParam(name = TOKEN, required = false) @Nullable String token,
			@RequestParam(name = "FragmentNumber", required = false) @Nullable String fragmentNumber,
			@RequestParam(name = "TrackNumber", required = false) @Nullable String trackNumber,
			HttpServletResponse response) throws IOException {
		write(resources.mp4Fragment(Protocol.HLS, token, fragmentNumber, trackNumber), response);
	}

	@GetMapping("/kvs/hls/v1/getTSFragment.ts")
	void tsFragment(@RequestParam(name = TOKEN, required = false) @Nullable String token,
			@RequestParam(name = "FragmentNumber", required = false) @Nullable String fragmentNumber,
			HttpServletResponse response) throws IOException {
		write(resources.tsFragment(token, fragmentNumber), response);
	}

	@GetMapping("/kvs/dash/v1/getDASHManifest.mpd")
	void dashManifest(@RequestParam(name = TOKEN, required = false) @Nullable String token,
			HttpServletResponse response) throws IOException {
		write(resources.dashManifest(token), response);
	}

	@GetMapping("/kvs/dash/v1/getMP4InitFragment.mp4")
	void dashInit(@RequestParam(name = TOKEN, required = false) @Nullable String token,
			@RequestParam(name = "TrackNumber", required = false) @Nullable String trackNumber,
			HttpServletResponse response) throws IOException {
		write(resources.init(Protocol.DASH, token, trackNumber), response);
	}

	@GetMapping("/kvs/dash/v1/getMP4MediaFragment.mp4")
	void dashFragment(@RequestParam(name = TOKEN, required = false) @Nullable String token,
			@RequestParam(name = "FragmentNumber", required = false) @Nullable String fragmentNumber,
			@RequestParam(name = DashManifests.FRAGMENT_TIMESTAMP, required = false) @Nullable String fragmentTimestamp,
			@RequestParam(name = "TrackNumber", required = false) @Nullable String trackNumber,
			HttpServletResponse response) throws IOException {
		write(resources.mp4Fragment(Protocol.DASH, token, fragmentNumber, fragmentTimestamp, trackNumber), response);
	}

	/** Straight from the (cached) bytes to the socket, as a static file would be. */
	private static void write(Resource resource, HttpServletResponse response) throws IOException {
		response.setStatus(HttpServletResponse.SC_OK);
		response.setHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
		response.setContentType(resource.contentType());
		response.setHeader(HttpHeaders.CACHE_CONTROL, resource.cacheControl());
		response.setContentLength(resource.body().length);
		response.getOutputStream().write(resource.body());
	}

	/** The KVS error envelope, readable by a browser player too. */
	@ExceptionHandler
	void handle(KvsError error, HttpServletResponse response) throws IOException {
		response.setHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
		response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
		KvsErrorHandler.write(error, response);
	}

	@ExceptionHandler
	void handle(Exception unexpected, HttpServletResponse response) throws IOException {
		log.error("Embedded KVS streaming request failed unexpectedly", unexpected);
		handle(KvsError.internalFailure(), response);
	}

}
