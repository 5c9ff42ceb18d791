package io.kvsgateway.playback;

import java.util.List;

/** A playback request broke one or more rules; each violation names the field and the rule. */
class InvalidPlaybackRequest extends RuntimeException {

	private final List<Violation> violations;

	InvalidPlaybackRequest(List<Violation> violations) {
		super(violations.size() + " field(s) break a rule", null, false, false);
		this.violations = List.copyOf(violations);
	}

	List<Violation> violations() {
		return violations;
	}

	/**
	 * One broken rule.
	 *
	 * @param field the JSON field or path variable
	 * @param rule what the field must satisfy
	 */
	record Violation(String field, String rule) {
	}

}
