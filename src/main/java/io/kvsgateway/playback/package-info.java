/** The viewer REST API: playback sessions and the list of streams a viewer may watch. */
@org.jspecify.annotations.NullMarked
package io.kvsgateway.playback;
