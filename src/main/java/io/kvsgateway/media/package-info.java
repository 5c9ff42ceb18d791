/** Media formats: a streaming EBML/Matroska reader that turns a PutMedia body into tracks, fragments and frames. */
@NullMarked
package io.kvsgateway.media;

import org.jspecify.annotations.NullMarked;
