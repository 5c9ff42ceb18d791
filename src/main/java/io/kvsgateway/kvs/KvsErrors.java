package io.kvsgateway.kvs;

import java.time.Duration;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** Turns SDK exceptions into {@link KvsException}s by the KVS error type, which both KVS services share. */
final class KvsErrors {

	private final Duration throttleRetryAfter;

	private final Duration unavailableRetryAfter;

	KvsErrors(KvsProperties properties) {
		this.throttleRetryAfter = properties.throttleRetryAfter();
		this.unavailableRetryAfter = properties.unavailableRetryAfter();
	}

	KvsException translate(SdkException e, String streamName) {
		if (!(e instanceof AwsServiceException service)) {
			// Connection refused, timeouts, DNS: the request never got a KVS answer.
			return new KvsException.Unavailable("KVS could not be reached", null, unavailableRetryAfter, e);
		}
		// A reply without an error type (a proxy's HTML 502, say) has no code: it falls to the default branch.
		String code = service.awsErrorDetails() == null || service.awsErrorDetails().errorCode() == null ? ""
				: service.awsErrorDetails().errorCode();
		String message = message(service);
		return switch (code) {
			case "ResourceNotFoundException" -> new KvsException.StreamNotFound(streamName, message);
			case "InvalidArgumentException" -> new KvsException.ArgumentRejected(message);
			case "ClientLimitExceededException", "ConnectionLimitExceededException" ->
				new KvsException.Throttled(message, code, throttleRetryAfter);
			case "NoDataRetentionException", "UnsupportedStreamMediaTypeException", "MissingCodecPrivateDataException",
					"InvalidCodecPrivateDataException" ->
				new KvsException.StreamNotPlayable(message, code);
			case "ResourceInUseException", "AccountStreamLimitExceededException", "DeviceStreamLimitExceededException",
					"TagsPerResourceExceededLimitException", "InvalidDeviceException", "InvalidResourceFormatException" ->
				new KvsException.Refused(message, code);
			case "NotAuthorizedException", "AccessDeniedException", "InvalidSignatureException",
					"UnrecognizedClientException", "MissingAuthenticationTokenException", "ExpiredTokenException" ->
				new KvsException.GatewayNotAuthorized(message, code);
			default -> new KvsException.Unavailable("KVS failed: " + (code.isEmpty() ? service.statusCode() : code),
					code.isEmpty() ? null : code, unavailableRetryAfter, e);
		};
	}

	private static String message(AwsServiceException e) {
		String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
		return message == null || message.isBlank() ? "KVS refused the request" : message;
	}

}
