/**
 * The embedded KVS-compatible service answering under {@code /kvs}: control plane, archived-media session URLs,
 * fragment index and session tokens.
 */
@NullMarked
package io.kvsgateway.local;

import org.jspecify.annotations.NullMarked;
