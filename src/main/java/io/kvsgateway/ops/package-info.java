/**
 * What operators watch: actuator endpoints ({@code /actuator/quotas}) and metric binders over the other modules'
 * state. It reads, never steers: nothing here changes a budget or a session.
 */
@NullMarked
package io.kvsgateway.ops;

import org.jspecify.annotations.NullMarked;
