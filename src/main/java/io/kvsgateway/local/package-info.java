/**
 * The embedded KVS-compatible service answering under {@code /kvs}: control plane, PutMedia with its acknowledgement
 * stream, GetMedia and GetMediaForFragmentList, archived-media session URLs and ListFragments, the HLS and DASH
 * resources behind those URLs, the durable fragment store and session tokens.
 */
@NullMarked
package io.kvsgateway.local;

import org.jspecify.annotations.NullMarked;
