/**
 * What operators watch and the few levers they hold: actuator endpoints ({@code /actuator/quotas},
 * {@code /actuator/sessions}, {@code /actuator/ingest}), metric binders over the other modules' state, and the
 * Micrometer meters behind the {@code ingest} and {@code playback} modules' metric ports (named after KVS's CloudWatch
 * metrics, with a bounded {@code stream} tag; docs/operations.md lists them). It never changes a budget; ending a
 * session or closing a camera connection goes through the module that owns it.
 */
@NullMarked
package io.kvsgateway.ops;

import org.jspecify.annotations.NullMarked;
