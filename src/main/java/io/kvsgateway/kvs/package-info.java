/** The AWS SDK v2 adapter: control-plane and archived-media clients, the data-endpoint cache and KVS error translation. */
@org.jspecify.annotations.NullMarked
package io.kvsgateway.kvs;
