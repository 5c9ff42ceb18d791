package io.kvsgateway.ops;

import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.stereotype.Component;

import io.kvsgateway.quota.Admission;
import io.kvsgateway.quota.Budget;
import io.kvsgateway.quota.StreamQuota;

/**
 * {@code /actuator/quotas}: each tracked stream's budgets as the scheduler sees them now (what sessions reserve
 * against what admission may use, after the safety margin), its active leases and its rejections per budget;
 * {@code /actuator/quotas/{streamName}} for one stream (404 when the scheduler does not track it). Operators only:
 * the security configuration requires scope {@code ops} for every actuator endpoint but health and info.
 */
@Component
@Endpoint(id = "quotas")
class QuotasEndpoint {

	private final Admission admission;

	QuotasEndpoint(Admission admission) {
		this.admission = admission;
	}

	@ReadOperation
	Quotas quotas() {
		return new Quotas(admission.snapshot()
			.stream()
			.sorted(Comparator.comparing(StreamQuota::streamName))
			.map(StreamView::of)
			.toList());
	}

	@ReadOperation
	@Nullable StreamView stream(@Selector String streamName) {
		return admission.snapshot()
			.stream()
			.filter(quota -> quota.streamName().equals(streamName))
			.findFirst()
			.map(StreamView::of)
			.orElse(null);
	}

	/** Every tracked stream, by name. */
	record Quotas(List<StreamView> streams) {
	}

	/**
	 * One stream.
	 *
	 * @param streamName the stream
	 * @param budgets per budget with a capacity of its own: per second, what admission may use, what sustained leases
	 * reserve, and what the token bucket holds now for one-time use
	 * @param activeLeases sessions that hold a reservation
	 * @param rejections refusals since the stream was first tracked, per budget (viewer share and tracked streams
	 * included)
	 */
	record StreamView(String streamName, Map<Budget, BudgetView> budgets, int activeLeases,
			Map<Budget, Long> rejections) {

		static StreamView of(StreamQuota quota) {
			Map<Budget, BudgetView> budgets = new EnumMap<>(Budget.class);
			quota.usage().forEach((budget, usage) -> budgets.put(budget,
					new BudgetView(usage.capacity(), usage.reserved(), usage.available())));
			Map<Budget, Long> rejections = new EnumMap<>(Budget.class);
			for (Budget budget : Budget.values()) {
				rejections.put(budget, quota.rejections().getOrDefault(budget, 0L));
			}
			return new StreamView(quota.streamName(), budgets, quota.activeLeases(), rejections);
		}

	}

	/**
	 * @param capacity points (or calls) per second admission may use
	 * @param reserved points per second held by sustained leases
	 * @param available points the bucket holds now
	 */
	record BudgetView(double capacity, double reserved, double available) {
	}

}
