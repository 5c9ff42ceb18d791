/**
 * The camera-facing producer API: {@code /describeStream}, {@code /getDataEndpoint}, {@code /createStream} and
 * {@code /tagStream} (for producers that create their stream, when {@code gateway.ingest.allow-create-stream}
 * permits), and a full-duplex
 * {@code /putMedia} that checks each fragment against the KVS rules, forwards accepted fragments upstream and relays
 * KVS's ACKs to the camera.
 */
@NullMarked
package io.kvsgateway.ingest;

import org.jspecify.annotations.NullMarked;
