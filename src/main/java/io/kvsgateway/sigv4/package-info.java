/**
 * AWS Signature Version 4 verification, shared by every surface that accepts SigV4-signed requests.
 */
@NullMarked
package io.kvsgateway.sigv4;

import org.jspecify.annotations.NullMarked;
