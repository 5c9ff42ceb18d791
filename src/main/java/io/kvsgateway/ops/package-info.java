/**
 * What operators watch and the few levers they hold: actuator endpoints ({@code /actuator/quotas},
 * {@code /actuator/sessions}, {@code /actuator/ingest}) and metric binders over the other modules' state. It never
 * changes a budget; ending a session or closing a camera connection goes through the module that owns it.
 */
@NullMarked
package io.kvsgateway.ops;

import org.jspecify.annotations.NullMarked;
