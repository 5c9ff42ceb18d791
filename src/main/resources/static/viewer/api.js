// The gateway's viewer API as the page uses it. Paths are relative to the page, so the viewer also works when the
// gateway runs under a servlet context path.

/** A refused request, with what the gateway's problem+json said about it. */
export class ApiError extends Error {
	constructor(status, problem, retryAfterSeconds) {
		super(describe(status, problem, retryAfterSeconds));
		this.name = 'ApiError';
		this.status = status;
		this.type = problem.type ?? 'about:blank';
		this.problem = problem;
		this.retryAfterSeconds = retryAfterSeconds;
	}
}

function describe(status, problem, retryAfterSeconds) {
	let text = problem.detail || problem.title || `The gateway answered ${status}`;
	// invalid-request lists every broken rule by field; say them unless the detail already does
	const rules = Array.isArray(problem.errors) ? problem.errors.map((e) => `${e.field} ${e.rule}`) : [];
	const unsaid = rules.filter((rule) => !text.includes(rule));
	if (unsaid.length > 0) {
		text += ': ' + unsaid.join('; ');
	}
	if (retryAfterSeconds !== null) {
		text += ` Try again in ${retryAfterSeconds} s.`;
	}
	return text;
}

/** Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110). */
function retryAfter(response) {
	const value = response.headers.get('Retry-After');
	if (value === null) {
		return null;
	}
	if (/^\d+$/.test(value.trim())) {
		return Number(value.trim());
	}
	const date = Date.parse(value);
	return Number.isNaN(date) ? null : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

async function problemOf(response) {
	const type = response.headers.get('Content-Type') ?? '';
	if (type.includes('json')) {
		try {
			return await response.json();
		}
		catch {
			// fall through to a generic problem
		}
	}
	return { title: response.statusText || `HTTP ${response.status}`, status: response.status };
}

export class Api {
	/** @param {() => string | null} token the current bearer token */
	constructor(token) {
		this.token = token;
	}

	async request(method, path, { body, keepalive = false, accept = 'application/json', signal } = {}) {
		const headers = { Accept: `${accept}, application/problem+json` };
		const bearer = this.token();
		if (bearer) {
			headers.Authorization = `Bearer ${bearer}`;
		}
		if (body !== undefined) {
			headers['Content-Type'] = 'application/json';
		}
		let response;
		try {
			response = await fetch(path, {
				method,
				headers,
				body: body === undefined ? undefined : JSON.stringify(body),
				keepalive,
				signal,
				cache: 'no-store',
				credentials: 'omit',
			});
		}
		catch (e) {
			if (e.name === 'AbortError') {
				throw e;
			}
			throw new ApiError(0, { title: 'The gateway cannot be reached', detail: `The gateway cannot be reached (${e.message}).` }, null);
		}
		if (!response.ok) {
			throw new ApiError(response.status, await problemOf(response), retryAfter(response));
		}
		return response;
	}

	async json(method, path, options) {
		const response = await this.request(method, path, options);
		return response.status === 204 ? null : response.json();
	}

	/** The development token, or null when this gateway has none for us (any non-200 answer). */
	async developmentToken() {
		try {
			const response = await fetch('v1/development-token', { cache: 'no-store', credentials: 'omit' });
			return response.ok ? response.json() : null;
		}
		catch {
			return null;
		}
	}

	streams() {
		return this.json('GET', 'v1/streams');
	}

	openSession(streamName, body) {
		return this.json('POST', `v1/streams/${encodeURIComponent(streamName)}/playback-sessions`, { body });
	}

	/** Ends a session; with keepalive the request outlives the page (pagehide). */
	endSession(sessionId, { keepalive = false } = {}) {
		return this.request('DELETE', `v1/playback-sessions/${encodeURIComponent(sessionId)}`, { keepalive });
	}

	/** One page of the stream's timeline. */
	fragments(streamName, start, end, { maxResults = 1000, nextToken } = {}) {
		const query = new URLSearchParams({ start: start.toISOString(), end: end.toISOString(), maxResults: String(maxResults) });
		if (nextToken) {
			query.set('nextToken', nextToken);
		}
		return this.json('GET', `v1/streams/${encodeURIComponent(streamName)}/fragments?${query}`);
	}

	/** The clip as a Blob (video/mp4). */
	async clip(streamName, start, end, signal) {
		const query = new URLSearchParams({ start: start.toISOString(), end: end.toISOString() });
		const response = await this.request('GET', `v1/streams/${encodeURIComponent(streamName)}/clip?${query}`,
			{ accept: 'video/mp4', signal });
		return response.blob();
	}
}
