package io.kvsgateway.quota;

/**
 * The outcome of taking from a token bucket ({@link Admission#tryAcquire}, {@link Admission#debit}): acquired, or
 * {@link Decision.Rejected} with when to retry.
 */
public sealed interface Permit permits Permit.Acquired, Decision.Rejected {

	/** The call may go ahead. */
	Acquired ACQUIRED = new Acquired();

	/** The budget had room and has been charged. */
	record Acquired() implements Permit {

	}

}
