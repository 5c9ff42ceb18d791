// The viewer page: sign in with a bearer token, pick a stream, watch it live, see its recorded media on a timeline,
// replay a range or download it as a clip.
import { Api, ApiError } from './api.js';
import { Player } from './player.js';
import { Timeline } from './timeline.js';

const TOKEN_KEY = 'kvs-gateway.viewer.token';

const DEVELOPMENT_KEY = 'kvs-gateway.viewer.development';

/** A stream counts as live with a fragment this recent (a LIVE session needs media within the last 30 s). */
const LIVE_WINDOW_MS = 30_000;

/** Pages of 1000 fragments read for one timeline; each costs the stream 1000 metadata points (of 10,000/s). */
const MAX_TIMELINE_PAGES = 10;

const STREAM_REFRESH_MS = 30_000;

const $ = (id) => document.getElementById(id);

const ui = {
	signIn: $('sign-in'),
	tokenInput: $('token'),
	signedIn: $('signed-in'),
	who: $('who'),
	signOut: $('sign-out'),
	message: $('message'),
	notice: $('notice'),
	main: $('main'),
	streamList: $('stream-list'),
	streamsEmpty: $('streams-empty'),
	refreshStreams: $('refresh-streams'),
	playerSection: $('player-section'),
	heading: $('player-heading'),
	mode: $('mode'),
	video: $('video'),
	playerStatus: $('player-status'),
	watchLive: $('watch-live'),
	stop: $('stop'),
	period: $('period'),
	loadTimeline: $('load-timeline'),
	bar: $('timeline-bar'),
	axisFrom: $('axis-from'),
	axisTo: $('axis-to'),
	timelineSummary: $('timeline-summary'),
	rangeStart: $('range-start'),
	rangeEnd: $('range-end'),
	replayMode: $('replay-mode'),
	replay: $('replay'),
	download: $('download'),
};

const state = {
	token: null,
	development: false,
	streams: [],
	selected: null,
	refreshTimer: null,
	clipAbort: null,
	// buttons held back until the time a Retry-After named
	held: new Map(),
};

const api = new Api(() => state.token);

const STATES = {
	idle: 'Not playing.',
	opening: 'Opening a playback session…',
	loading: 'Loading…',
	buffering: 'Buffering…',
	playing: 'Playing.',
	paused: 'Paused.',
	ended: 'Reached the end of the range.',
	error: 'Stopped by an error.',
};

const player = new Player(ui.video, api, {
	state: (s) => {
		ui.playerStatus.textContent = STATES[s] ?? s;
		ui.stop.disabled = s === 'idle';
		if (s === 'idle') {
			ui.mode.hidden = true;
		}
	},
	error: (message) => showError(message),
	notice: (message) => showNotice(message),
});

const timeline = new Timeline(ui.bar, (start, end) => {
	ui.rangeStart.value = toLocalInput(start);
	ui.rangeEnd.value = end ? toLocalInput(end) : '';
	rangeChanged();
	showNotice(end ? `Range ${start.toLocaleString()} – ${end.toLocaleString()}.` : `Range starts ${start.toLocaleString()}; click again for its end.`);
});

// ---- messages

function showError(error, button) {
	const message = typeof error === 'string' ? error : error.message;
	ui.message.textContent = message;
	ui.message.hidden = false;
	document.body.dataset.error = message;
	if (button && error instanceof ApiError && error.retryAfterSeconds) {
		// 429/503: the gateway said when to ask again; the button waits until then
		state.held.set(button, Date.now() + error.retryAfterSeconds * 1000);
		updateButtons();
		setTimeout(() => {
			state.held.delete(button);
			button.disabled = false;
			updateButtons();
		}, error.retryAfterSeconds * 1000);
	}
}

function clearError() {
	ui.message.hidden = true;
	ui.message.textContent = '';
	delete document.body.dataset.error;
}

function showNotice(message) {
	ui.notice.textContent = message;
}

// ---- time helpers

function pad(n) {
	return String(n).padStart(2, '0');
}

/** A date as a datetime-local value, in the browser's time zone, to the second. */
function toLocalInput(date) {
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A datetime-local value (no offset: local time) as a Date, or null. */
function fromLocalInput(value) {
	if (!value) {
		return null;
	}
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? null : date;
}

function decodeClaims(token) {
	try {
		const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
		return JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '=')));
	}
	catch {
		return {};
	}
}

// ---- signing in

async function signIn(token, { development = false, quiet = false } = {}) {
	state.token = token;
	state.development = development;
	try {
		const list = await api.streams();
		sessionStorage.setItem(TOKEN_KEY, token);
		sessionStorage.setItem(DEVELOPMENT_KEY, String(development));
		clearError();
		const claims = decodeClaims(token);
		const until = claims.exp ? ` until ${new Date(claims.exp * 1000).toLocaleString()}` : '';
		ui.who.textContent = `Signed in as ${claims.sub ?? 'a viewer'}${development ? ' (development token)' : ''}${until}`;
		ui.signIn.hidden = true;
		ui.signedIn.hidden = false;
		ui.main.hidden = false;
		document.body.dataset.signedIn = 'true';
		showStreams(list.streams);
		scheduleStreamRefresh();
		return true;
	}
	catch (e) {
		state.token = null;
		sessionStorage.removeItem(TOKEN_KEY);
		if (!quiet) {
			showError(e instanceof ApiError && e.status === 401 ? `The token was refused: ${e.message}` : e);
		}
		return false;
	}
}

async function signOut(message) {
	state.clipAbort?.abort();
	await player.stop();
	clearTimeout(state.refreshTimer);
	state.token = null;
	state.selected = null;
	sessionStorage.removeItem(TOKEN_KEY);
	ui.main.hidden = true;
	ui.signedIn.hidden = true;
	ui.signIn.hidden = false;
	delete document.body.dataset.signedIn;
	ui.tokenInput.value = '';
	timeline.clear();
	if (message) {
		showError(message);
	}
	ui.tokenInput.focus();
}

/** A 401 in the middle of things: the token expired. A development gateway hands out a new one. */
async function tokenRefused(error) {
	if (state.development) {
		const fresh = await api.developmentToken();
		if (fresh && await signIn(fresh.token, { development: true })) {
			showNotice('The development token expired; signed in with a new one.');
			return;
		}
	}
	await signOut(`Signed out: ${error.message}`);
}

/** Runs an action, showing what went wrong; a 401 leads back to signing in. */
async function guarded(action, button) {
	clearError();
	try {
		await action();
	}
	catch (e) {
		if (e.name === 'AbortError') {
			return;
		}
		if (e instanceof ApiError && e.status === 401) {
			await tokenRefused(e);
			return;
		}
		console.error(e);
		showError(e, button);
	}
}

// ---- streams

function showStreams(streams) {
	state.streams = streams;
	// the list is redrawn every 30 s: keep the keyboard focus on the stream it was on
	const focused = document.activeElement?.closest?.('button.stream')?.dataset.stream;
	ui.streamsEmpty.hidden = streams.length > 0;
	ui.streamList.replaceChildren(...streams.map((stream) => {
		const item = document.createElement('li');
		const button = document.createElement('button');
		button.type = 'button';
		button.className = 'stream';
		button.dataset.stream = stream.streamName;
		button.setAttribute('aria-pressed', String(stream.streamName === state.selected?.streamName));
		const name = document.createElement('span');
		name.className = 'stream-name';
		name.textContent = stream.streamName;
		const badge = document.createElement('span');
		badge.className = 'badge';
		button.append(name, badge);
		if (!stream.playable) {
			badge.textContent = 'not playable';
			badge.classList.add('bad');
			const reason = document.createElement('span');
			reason.className = 'reason';
			reason.id = `reason-${stream.streamName}`;
			reason.textContent = stream.notPlayableReason ?? '';
			button.append(reason);
			button.setAttribute('aria-describedby', reason.id);
		}
		else if (stream.status !== 'ACTIVE') {
			badge.textContent = stream.status.toLowerCase();
		}
		else {
			badge.textContent = 'checking…';
		}
		button.addEventListener('click', () => guarded(() => selectStream(stream.streamName)));
		item.append(button);
		return item;
	}));
	if (focused) {
		ui.streamList.querySelector(`button[data-stream="${CSS.escape(focused)}"]`)?.focus();
	}
	if (state.selected && !streams.some((s) => s.streamName === state.selected.streamName)) {
		guarded(() => selectStream(null));
	}
	else if (state.selected) {
		state.selected = streams.find((s) => s.streamName === state.selected.streamName);
		updateButtons();
	}
	probeLive(streams);
}

/** Marks each playable stream live or idle: one 1-fragment timeline page of the last 30 s each (1 metadata point). */
async function probeLive(streams) {
	const queue = streams.filter((s) => s.playable && s.status === 'ACTIVE').slice(0, 50);
	const worker = async () => {
		for (let stream = queue.shift(); stream; stream = queue.shift()) {
			let live = null;
			try {
				const now = new Date();
				const page = await api.fragments(stream.streamName, new Date(now.getTime() - LIVE_WINDOW_MS), now, { maxResults: 1 });
				live = page.fragments.length > 0;
			}
			catch {
				live = null;
			}
			stream.live = live;
			const badge = ui.streamList.querySelector(`button[data-stream="${CSS.escape(stream.streamName)}"] .badge`);
			if (badge) {
				badge.textContent = live === null ? 'unknown' : (live ? 'live' : 'idle');
				badge.classList.toggle('live', live === true);
			}
		}
	};
	await Promise.all([worker(), worker(), worker(), worker()]);
}

function scheduleStreamRefresh() {
	clearTimeout(state.refreshTimer);
	state.refreshTimer = setTimeout(async () => {
		if (state.token && document.visibilityState === 'visible') {
			await guarded(refreshStreams);
		}
		if (state.token) {
			scheduleStreamRefresh();
		}
	}, STREAM_REFRESH_MS);
}

async function refreshStreams() {
	const list = await api.streams();
	showStreams(list.streams);
}

async function selectStream(streamName) {
	if (streamName === state.selected?.streamName) {
		return;
	}
	state.clipAbort?.abort();
	await player.stop();
	state.selected = streamName === null ? null : state.streams.find((s) => s.streamName === streamName) ?? null;
	for (const button of ui.streamList.querySelectorAll('button.stream')) {
		button.setAttribute('aria-pressed', String(button.dataset.stream === streamName));
	}
	ui.heading.textContent = state.selected ? state.selected.streamName : 'No stream selected';
	timeline.clear();
	ui.axisFrom.textContent = ui.axisTo.textContent = '';
	ui.timelineSummary.textContent = 'Show the timeline to see when media was recorded.';
	updateButtons();
	if (state.selected) {
		ui.playerStatus.textContent = state.selected.playable
			? 'Watch live, or pick a recorded range below.'
			: `This stream cannot be played: ${state.selected.notPlayableReason}`;
		await loadTimeline();
	}
}

function updateButtons() {
	const stream = state.selected;
	const playable = Boolean(stream?.playable);
	ui.watchLive.disabled = !playable;
	ui.loadTimeline.disabled = !stream;
	const start = fromLocalInput(ui.rangeStart.value);
	const end = fromLocalInput(ui.rangeEnd.value);
	const onDemand = ui.replayMode.value === 'ON_DEMAND';
	const rangeOk = start !== null && (end === null ? !onDemand : end > start);
	ui.replay.disabled = !playable || !rangeOk;
	ui.download.disabled = !stream || start === null || end === null || end <= start || state.clipAbort !== null;
	for (const [button, until] of state.held) {
		if (until > Date.now()) {
			button.disabled = true;
		}
	}
}

function rangeChanged() {
	timeline.select(fromLocalInput(ui.rangeStart.value), fromLocalInput(ui.rangeEnd.value));
	updateButtons();
}

// ---- playing

async function watchLive() {
	const stream = state.selected;
	ui.mode.textContent = 'LIVE';
	await player.play(stream.streamName, { protocol: 'HLS', playbackMode: 'LIVE' });
	ui.mode.hidden = false;
}

async function replayRange() {
	const stream = state.selected;
	const start = fromLocalInput(ui.rangeStart.value);
	const end = fromLocalInput(ui.rangeEnd.value);
	const playbackMode = ui.replayMode.value;
	const request = { protocol: 'HLS', playbackMode, startTimestamp: start.toISOString() };
	if (end) {
		request.endTimestamp = end.toISOString();
	}
	ui.mode.textContent = playbackMode === 'ON_DEMAND' ? 'RECORDING' : 'REPLAY';
	await player.play(stream.streamName, request);
	ui.mode.hidden = false;
}

// ---- timeline and clips

async function loadTimeline() {
	const stream = state.selected;
	const to = new Date();
	const from = new Date(to.getTime() - Number(ui.period.value) * 1000);
	ui.timelineSummary.textContent = 'Loading the timeline…';
	const fragments = [];
	let nextToken;
	let pages = 0;
	do {
		const page = await api.fragments(stream.streamName, from, to, { nextToken });
		fragments.push(...page.fragments);
		nextToken = page.nextToken;
		pages++;
	} while (nextToken && pages < MAX_TIMELINE_PAGES);
	if (stream !== state.selected) {
		return;
	}
	const { runs, count } = timeline.show(from, to, fragments);
	ui.axisFrom.textContent = from.toLocaleTimeString();
	ui.axisTo.textContent = to.toLocaleTimeString();
	const more = nextToken ? ' (more exist; showing the first ones)' : '';
	if (count === 0) {
		ui.timelineSummary.textContent = `No media recorded between ${from.toLocaleString()} and ${to.toLocaleString()}.`;
		return;
	}
	const list = runs.slice(0, 5).map((r) => `${new Date(r.start).toLocaleTimeString()}–${new Date(r.end).toLocaleTimeString()}`).join(', ');
	ui.timelineSummary.textContent = `${count} fragments${more} in ${runs.length} stretch${runs.length === 1 ? '' : 'es'}: ${list}${runs.length > 5 ? ', …' : ''}.`;
	if (!ui.rangeStart.value) {
		// a sensible default: the most recent minute of media, ending in the past (KVS refuses a range that ends in
		// the future, and the fragment being recorded now ends there)
		const last = runs[runs.length - 1];
		const end = Math.min(last.end, to.getTime() - 1000);
		ui.rangeStart.value = toLocalInput(new Date(Math.max(last.start, end - 60_000)));
		ui.rangeEnd.value = toLocalInput(new Date(end));
	}
	rangeChanged();
}

async function downloadClip() {
	const stream = state.selected;
	const start = fromLocalInput(ui.rangeStart.value);
	const end = fromLocalInput(ui.rangeEnd.value);
	const controller = new AbortController();
	state.clipAbort = controller;
	updateButtons();
	showNotice('Preparing the clip…');
	try {
		const blob = await api.clip(stream.streamName, start, end, controller.signal);
		const url = URL.createObjectURL(blob);
		const link = document.createElement('a');
		link.href = url;
		link.download = `${stream.streamName}-${start.toISOString().replace(/[:.]/g, '-')}.mp4`;
		document.body.append(link);
		link.click();
		link.remove();
		// let the download start before the blob goes away
		setTimeout(() => URL.revokeObjectURL(url), 60_000);
		showNotice(`Clip downloaded (${(blob.size / 1e6).toFixed(1)} MB).`);
	}
	finally {
		if (state.clipAbort === controller) {
			state.clipAbort = null;
		}
		updateButtons();
	}
}

// ---- wiring

ui.signIn.addEventListener('submit', async (event) => {
	event.preventDefault();
	const token = ui.tokenInput.value.trim().replace(/^Bearer\s+/i, '');
	if (token) {
		await signIn(token);
	}
});
ui.signOut.addEventListener('click', () => signOut());
ui.refreshStreams.addEventListener('click', () => guarded(refreshStreams, ui.refreshStreams));
ui.watchLive.addEventListener('click', () => guarded(watchLive, ui.watchLive));
ui.stop.addEventListener('click', () => guarded(() => player.stop()));
ui.loadTimeline.addEventListener('click', () => guarded(loadTimeline, ui.loadTimeline));
ui.period.addEventListener('change', () => state.selected && guarded(loadTimeline, ui.loadTimeline));
ui.rangeStart.addEventListener('input', rangeChanged);
ui.rangeEnd.addEventListener('input', rangeChanged);
ui.replayMode.addEventListener('change', updateButtons);
ui.replay.addEventListener('click', () => guarded(replayRange, ui.replay));
ui.download.addEventListener('click', () => guarded(downloadClip, ui.download));

// Leaving (closing the tab, navigating away, or going into the back-forward cache) ends the session.
window.addEventListener('pagehide', () => player.leave());
window.addEventListener('pageshow', (event) => {
	if (event.persisted) {
		player.resume();
	}
});

// For the browser console and the page's own tests (renewal cannot wait four minutes there).
window.kvsGatewayViewer = Object.freeze({ player });

async function start() {
	const stored = sessionStorage.getItem(TOKEN_KEY);
	const development = sessionStorage.getItem(DEVELOPMENT_KEY) === 'true';
	if (stored && await signIn(stored, { development, quiet: true })) {
		return;
	}
	// an embedded-mode gateway without an issuer hands its development token to a browser on the same machine
	const issued = await api.developmentToken();
	if (issued && await signIn(issued.token, { development: true })) {
		return;
	}
	ui.signIn.hidden = false;
	document.body.dataset.signedIn = 'false';
	ui.tokenInput.focus();
}

start();
