/**
 * What operators watch and the few levers they hold: actuator endpoints ({@code /actuator/quotas},
 * {@code /actuator/sessions}) and metric binders over the other modules' state. It never changes a budget; ending a
 * session goes through the playback module, which frees the lease as the viewer's own DELETE does.
 */
@NullMarked
package io.kvsgateway.ops;

import org.jspecify.annotations.NullMarked;
