package io.kvsgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.json.JsonMapper;

/** A small real-HTTP client for end-to-end tests: JSON in, status, headers and parsed JSON out. */
public final class Http {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String base;

	public Http(int port) {
		this.base = "http://localhost:" + port;
	}

	public Reply get(String path, @Nullable String token) {
		return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), token);
	}

	public Reply post(String path, @Nullable String token, @Nullable String json) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
			.POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		return send(request, token);
	}

	public Reply delete(String path, @Nullable String token) {
		return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), token);
	}

	private Reply send(HttpRequest.Builder request, @Nullable String token) {
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		try {
			HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(30)).build(),
					HttpResponse.BodyHandlers.ofString());
			return new Reply(response);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	public static String json(Object value) {
		return JSON.writeValueAsString(value);
	}

	/** One HTTP answer. */
	public record Reply(HttpResponse<String> response) {

		public int status() {
			return response.statusCode();
		}

		public String body() {
			return response.body();
		}

		public @Nullable String header(String name) {
			return response.headers().firstValue(name).orElse(null);
		}

		@SuppressWarnings("unchecked")
		public Map<String, Object> json() {
			return JSON.readValue(response.body(), Map.class);
		}

		@Override
		public String toString() {
			return status() + " " + response.headers().map() + " " + body();
		}

	}

}
