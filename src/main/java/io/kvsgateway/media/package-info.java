/**
 * Media formats: a streaming EBML/Matroska reader that turns a PutMedia body into tracks, fragments and frames, and
 * the fMP4 and MPEG-TS writers that package those frames for HLS, DASH and clips without re-encoding.
 */
@NullMarked
package io.kvsgateway.media;

import org.jspecify.annotations.NullMarked;
