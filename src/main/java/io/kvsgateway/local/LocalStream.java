package io.kvsgateway.local;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One stream's metadata as the embedded service keeps it.
 *
 * @param streamId the ARN's numeric suffix; unique, and the stream's folder name on disk
 * @param streamName validated KVS stream name
 * @param streamArn {@code arn:aws:kinesisvideo:<region>:<account>:stream/<name>/<streamId>}
 * @param deviceName optional device name given at creation
 * @param mediaType optional media type, e.g. {@code video/h264}
 * @param kmsKeyId the KMS key id (the AWS-managed alias when none was given)
 * @param version changes on every update; clients pass it back for optimistic concurrency
 * @param status always {@code ACTIVE} here: creation is synchronous
 * @param creationTime when the stream was created
 * @param dataRetentionInHours 0 (no retention) to 87600
 */
record LocalStream(String streamId, String streamName, String streamArn, @Nullable String deviceName,
		@Nullable String mediaType, @Nullable String kmsKeyId, String version, String status, Instant creationTime,
		int dataRetentionInHours) {

	static final String ACTIVE = "ACTIVE";

	LocalStream withRetention(int hours, String newVersion) {
		return new LocalStream(streamId, streamName, streamArn, deviceName, mediaType, kmsKeyId, newVersion, status,
				creationTime, hours);
	}

	boolean isActive() {
		return ACTIVE.equals(status);
	}

}
