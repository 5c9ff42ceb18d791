package io.kvsgateway;

import java.net.URI;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/** Builds the RFC 9457 problem details every module answers with, so that problem types share one URN scheme. */
public final class Problems {

	private static final String TYPE_PREFIX = "urn:kvs-gateway:problem:";

	private Problems() {
	}

	/**
	 * @param status the HTTP status
	 * @param type short problem type, such as {@code invalid-request}; becomes {@code urn:kvs-gateway:problem:<type>}
	 * @param title one line a person reads
	 * @param detail what happened in this occurrence
	 * @return a new problem, never {@literal null}
	 */
	public static ProblemDetail of(HttpStatusCode status, String type, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(type(type));
		problem.setTitle(title);
		return problem;
	}

	/**
	 * @param type short problem type, such as {@code unauthenticated}
	 * @return {@code urn:kvs-gateway:problem:<type>}, for code that writes problems without {@link ProblemDetail}
	 */
	public static URI type(String type) {
		return URI.create(TYPE_PREFIX + type);
	}

}
