package io.kvsgateway.putmedia;

/**
 * The {@code ErrorId} / {@code ErrorCode} pairs of PutMedia ERROR acknowledgements (KVS PutMedia API reference;
 * collected in kvs-wire-protocol.md). The names are KVS's, so producers that log or switch on them keep working.
 */
public enum AckError {

	STREAM_READ_ERROR(4000),
	MAX_FRAGMENT_SIZE_REACHED(4001),
	MAX_FRAGMENT_DURATION_REACHED(4002),
	MAX_CONNECTION_DURATION_REACHED(4003),
	FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS(4004),
	MORE_THAN_ALLOWED_TRACKS_FOUND_LEGACY(4005),
	INVALID_MKV_DATA(4006),
	INVALID_PRODUCER_TIMESTAMP(4007),
	STREAM_NOT_ACTIVE(4008),
	FRAGMENT_METADATA_LIMIT_REACHED(4009),
	TRACK_NUMBER_MISMATCH(4010),
	FRAMES_MISSING_FOR_TRACK(4011),
	MORE_THAN_ALLOWED_TRACKS_FOUND(4012),
	INTERNAL_ERROR(5000),
	ARCHIVAL_ERROR(5001);

	private final int id;

	AckError(int id) {
		this.id = id;
	}

	/** @return the numeric {@code ErrorId} */
	public int id() {
		return id;
	}

	/** @return the {@code ErrorCode} name KVS sends with the id */
	public String code() {
		return this == MORE_THAN_ALLOWED_TRACKS_FOUND_LEGACY ? "MORE_THAN_ALLOWED_TRACKS_FOUND" : name();
	}

}
