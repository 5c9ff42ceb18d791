package io.kvsgateway.kvs;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A stream as KVS describes it.
 *
 * @param streamName the name
 * @param streamArn the ARN
 * @param status {@code ACTIVE}, {@code CREATING}, {@code UPDATING} or {@code DELETING}
 * @param mediaType the declared media type, if any
 * @param dataRetentionInHours 0 means no media is kept, so nothing can be played back
 * @param creationTime when the stream was created
 */
public record StreamSummary(String streamName, String streamArn, String status, @Nullable String mediaType,
		int dataRetentionInHours, @Nullable Instant creationTime) {
}
