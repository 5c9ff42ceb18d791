/**
 * The KVS PutMedia protocol shared by the gateway's camera ingest and the embedded KVS: ACK events in KVS's JSON,
 * their error ids, and the per-fragment rules of the developer guide's quota chapter.
 */
@org.jspecify.annotations.NullMarked
package io.kvsgateway.putmedia;
