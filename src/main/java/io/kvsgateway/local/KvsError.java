package io.kvsgateway.local;

import org.springframework.http.HttpStatus;

/**
 * A KVS error as the service puts it on the wire: HTTP status, the exception name SDKs map to their exception
 * classes ({@code x-amzn-ErrorType}), and a message.
 */
final class KvsError extends RuntimeException {

	private final HttpStatus status;

	private final String type;

	private KvsError(HttpStatus status, String type, String message) {
		super(message, null, false, false);
		this.status = status;
		this.type = type;
	}

	static KvsError of(HttpStatus status, String type, String message) {
		return new KvsError(status, type, message);
	}

	static KvsError resourceNotFound(String message) {
		return new KvsError(HttpStatus.NOT_FOUND, "ResourceNotFoundException", message);
	}

	static KvsError invalidArgument(String message) {
		return new KvsError(HttpStatus.BAD_REQUEST, "InvalidArgumentException", message);
	}

	static KvsError resourceInUse(String message) {
		return new KvsError(HttpStatus.BAD_REQUEST, "ResourceInUseException", message);
	}

	static KvsError versionMismatch(String message) {
		return new KvsError(HttpStatus.BAD_REQUEST, "VersionMismatchException", message);
	}

	static KvsError clientLimitExceeded(String message) {
		return new KvsError(HttpStatus.BAD_REQUEST, "ClientLimitExceededException", message);
	}

	static KvsError connectionLimitExceeded(String message) {
		return new KvsError(HttpStatus.BAD_REQUEST, "ConnectionLimitExceededException", message);
	}

	static KvsError notAuthorized(String message) {
		return new KvsError(HttpStatus.UNAUTHORIZED, "NotAuthorizedException", message);
	}

	static KvsError noDataRetention(String message) {
		return new KvsError(HttpStatus.BAD_REQUEST, "NoDataRetentionException", message);
	}

	static KvsError serialization(String message) {
		return new KvsError(HttpStatus.BAD_REQUEST, "SerializationException", message);
	}

	static KvsError unknownOperation(String operation) {
		return new KvsError(HttpStatus.NOT_FOUND, "UnknownOperationException",
				"The operation " + operation + " is not known to this service.");
	}

	static KvsError internalFailure() {
		return new KvsError(HttpStatus.INTERNAL_SERVER_ERROR, "InternalFailure",
				"The request processing has failed because of an unknown error, exception or failure.");
	}

	/** AWS common errors for SigV4 failures are all 403 except a malformed header. */
	static KvsError authentication(String type, String message) {
		HttpStatus status = "IncompleteSignatureException".equals(type) ? HttpStatus.BAD_REQUEST : HttpStatus.FORBIDDEN;
		return new KvsError(status, type, message);
	}

	HttpStatus status() {
		return status;
	}

	String type() {
		return type;
	}

}
