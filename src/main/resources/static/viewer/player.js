// One playback session at a time on one <video>: opened through the gateway, played with hls.js (or the browser's
// own HLS in Safari), renewed before it expires, and ended when the viewer moves on.

/** Share of a session's lifetime after which a new one is asked for (the URL stops working at expiry). */
const RENEW_AT = 0.8;

/** How long to wait before asking again when a renewal was refused without Retry-After. */
const RENEW_RETRY_MS = 10_000;

function sessionToken(url) {
	try {
		return new URL(url, document.baseURI).searchParams.get('SessionToken');
	}
	catch {
		return null;
	}
}

/** The same resource: only the SessionToken differs, so the new token can be put into every URL the player asks for. */
function sameResource(a, b) {
	const x = new URL(a, document.baseURI);
	const y = new URL(b, document.baseURI);
	return x.origin === y.origin && x.pathname === y.pathname && sessionToken(a) !== null && sessionToken(b) !== null;
}

function engine(video) {
	const hasMse = 'MediaSource' in window || 'ManagedMediaSource' in window;
	const native = video.canPlayType('application/vnd.apple.mpegurl') !== '';
	if (native && !hasMse) {
		return 'native';
	}
	if (window.Hls && window.Hls.isSupported()) {
		return 'hls.js';
	}
	return native ? 'native' : null;
}

export class Player {
	/**
	 * @param {HTMLVideoElement} video
	 * @param {import('./api.js').Api} api
	 * @param {{state: (text: string) => void, error: (message: string) => void, notice: (message: string) => void}} report
	 */
	constructor(video, api, report) {
		this.video = video;
		this.api = api;
		this.report = report;
		this.session = null;
		this.request = null;
		this.hls = null;
		this.renewTimer = null;
		// old SessionToken → the newest, for every URL hls.js asks for after a renewal
		this.tokens = new Map();
		this.generation = 0;
		video.addEventListener('error', () => {
			if (this.session && this.engine === 'native' && video.error) {
				this.fail(`The browser could not play the stream (media error ${video.error.code}${video.error.message ? ': ' + video.error.message : ''}).`);
			}
		});
		video.addEventListener('playing', () => this.setState('playing'));
		video.addEventListener('waiting', () => this.session && this.setState('buffering'));
		video.addEventListener('pause', () => this.session && !video.ended && this.setState('paused'));
		video.addEventListener('ended', () => this.session && this.setState('ended'));
	}

	get streamName() {
		return this.session?.streamName ?? null;
	}

	/**
	 * Ends the current session and plays a new one.
	 * @param {string} streamName
	 * @param {object} request the playback-session body: protocol, playbackMode, startTimestamp, endTimestamp
	 */
	async play(streamName, request) {
		await this.stop();
		const generation = ++this.generation;
		this.setState('opening');
		this.video.removeAttribute('data-player-error');
		let session;
		try {
			session = await this.api.openSession(streamName, request);
		}
		catch (e) {
			if (generation === this.generation) {
				this.setState('idle');
			}
			throw e;
		}
		if (generation !== this.generation) {
			// the viewer moved on while the session was being opened
			this.api.endSession(session.sessionId).catch(() => {});
			return;
		}
		this.session = { ...session, receivedAt: Date.now() };
		this.request = { streamName, body: request };
		this.video.dataset.sessionId = session.sessionId;
		this.attach(session.url, null);
		this.scheduleRenewal();
	}

	/** Ends the session (DELETE) and empties the player. */
	async stop() {
		this.generation++;
		clearTimeout(this.renewTimer);
		this.renewTimer = null;
		this.detach();
		const session = this.session;
		this.session = null;
		this.request = null;
		this.tokens.clear();
		delete this.video.dataset.sessionId;
		delete this.video.dataset.sessionUrl;
		this.setState('idle');
		if (session) {
			try {
				await this.api.endSession(session.sessionId);
			}
			catch (e) {
				// 404: it had already expired; nothing else to do either way
				console.debug('ending session', session.sessionId, e);
			}
		}
	}

	/** pagehide: the page may be gone before a normal request finishes, so the DELETE is sent with keepalive. */
	leave() {
		clearTimeout(this.renewTimer);
		if (this.session) {
			this.api.endSession(this.session.sessionId, { keepalive: true }).catch(() => {});
		}
	}

	/** pageshow from the back-forward cache: the session was ended on pagehide, so open a new one. */
	resume() {
		if (this.request) {
			const { streamName, body } = this.request;
			this.session = null;
			this.play(streamName, body).catch((e) => this.fail(e.message));
		}
	}

	attach(url, position) {
		this.detach();
		this.engine = engine(this.video);
		this.video.dataset.engine = this.engine ?? 'none';
		this.video.dataset.sessionUrl = url;
		if (this.engine === null) {
			this.fail('This browser cannot play HLS.');
			return;
		}
		const resume = () => {
			if (position !== null && Number.isFinite(position)) {
				this.video.currentTime = position;
			}
			this.video.play().catch((e) => console.debug('play() refused', e));
		};
		if (this.engine === 'native') {
			this.video.addEventListener('loadedmetadata', resume, { once: true });
			this.video.src = url;
			return;
		}
		const Hls = window.Hls;
		const hls = new Hls({
			startPosition: position ?? -1,
			// Put the newest session token into every playlist and fragment URL (see renew()).
			xhrSetup: (xhr, requested) => {
				const rewritten = this.rewrite(requested);
				if (rewritten !== requested) {
					xhr.open('GET', rewritten, true);
				}
			},
		});
		this.hls = hls;
		this.recoveredMedia = false;
		hls.on(Hls.Events.MANIFEST_PARSED, () => {
			this.setState('loading');
			this.video.play().catch((e) => console.debug('play() refused', e));
		});
		hls.on(Hls.Events.ERROR, (event, data) => this.hlsError(data));
		hls.loadSource(url);
		hls.attachMedia(this.video);
	}

	detach() {
		if (this.hls) {
			this.hls.destroy();
			this.hls = null;
		}
		if (this.video.getAttribute('src')) {
			this.video.removeAttribute('src');
			this.video.load();
		}
	}

	hlsError(data) {
		if (!data.fatal) {
			console.debug('hls.js', data.type, data.details);
			return;
		}
		const Hls = window.Hls;
		if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !this.recoveredMedia) {
			// hls.js' documented first remedy for a decoding error
			this.recoveredMedia = true;
			this.hls.recoverMediaError();
			return;
		}
		const status = data.response?.code;
		const what = status ? ` (HTTP ${status})` : '';
		this.fail(`The player stopped: ${data.details}${what}.`);
	}

	rewrite(url) {
		const token = sessionToken(url);
		const newest = token && this.tokens.get(token);
		if (!newest) {
			return url;
		}
		const rewritten = new URL(url, document.baseURI);
		rewritten.searchParams.set('SessionToken', newest);
		return rewritten.toString();
	}

	scheduleRenewal(delayMs) {
		clearTimeout(this.renewTimer);
		const lifetimeMs = this.session.expiresInSeconds * 1000;
		const due = delayMs ?? Math.max(1000, this.session.receivedAt + lifetimeMs * RENEW_AT - Date.now());
		this.renewTimer = setTimeout(() => this.renew(), due);
	}

	/**
	 * A new session with the same request, before the current one expires. With hls.js the player keeps playing: the
	 * new session token is put into every URL it asks for from now on, so neither the buffer nor the position is
	 * lost. Otherwise (Safari, or a URL of another shape) the source is swapped and the position restored; a LIVE
	 * session goes on at the live edge.
	 */
	async renew() {
		const old = this.session;
		const generation = this.generation;
		if (!old) {
			return;
		}
		let fresh;
		try {
			fresh = await this.api.openSession(this.request.streamName, this.request.body);
		}
		catch (e) {
			if (generation !== this.generation) {
				return;
			}
			const expiresInMs = old.receivedAt + old.expiresInSeconds * 1000 - Date.now();
			const retryMs = e.retryAfterSeconds ? e.retryAfterSeconds * 1000 : RENEW_RETRY_MS;
			if (expiresInMs > retryMs) {
				this.report.notice(`Could not renew the session yet (${e.message}); trying again.`);
				this.scheduleRenewal(retryMs);
			}
			else {
				this.fail(`The session could not be renewed: ${e.message}`);
			}
			return;
		}
		if (generation !== this.generation) {
			this.api.endSession(fresh.sessionId).catch(() => {});
			return;
		}
		this.session = { ...fresh, receivedAt: Date.now() };
		this.video.dataset.sessionId = fresh.sessionId;
		if (this.hls && sameResource(old.url, fresh.url)) {
			const newest = sessionToken(fresh.url);
			for (const key of [...this.tokens.keys()]) {
				this.tokens.set(key, newest);
			}
			this.tokens.set(sessionToken(old.url), newest);
			this.video.dataset.sessionUrl = fresh.url;
		}
		else {
			const live = fresh.playbackMode === 'LIVE';
			const position = live ? null : this.video.currentTime;
			const paused = this.video.paused;
			this.attach(fresh.url, position);
			if (paused) {
				this.video.addEventListener('playing', () => this.video.pause(), { once: true });
			}
		}
		this.scheduleRenewal();
		this.api.endSession(old.sessionId).catch(() => {});
	}

	fail(message) {
		this.video.dataset.playerError = message;
		this.setState('error');
		this.report.error(message);
	}

	setState(state) {
		this.video.dataset.playerState = state;
		this.report.state(state);
	}
}
