/** Viewer, camera and ops authentication (OAuth2 resource server) and the stream access rules of a token. */
@org.jspecify.annotations.NullMarked
package io.kvsgateway.security;
