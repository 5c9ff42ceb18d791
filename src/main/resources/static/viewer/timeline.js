// The fragment timeline as a bar: where media exists in the chosen period, and the selected range on top. Clicking
// the bar picks the range's start, then its end; the range's date-time fields are the keyboard way to do the same.

/** Fragments closer than this are drawn as one run: 1-second fragments never touch exactly. */
const JOIN_MS = 1500;

export class Timeline {
	/**
	 * @param {HTMLElement} bar
	 * @param {(start: Date, end: Date) => void} onPick called when a click completes or moves the range
	 */
	constructor(bar, onPick) {
		this.bar = bar;
		this.runsElement = bar.querySelector('.runs');
		this.selection = bar.querySelector('.selection');
		this.onPick = onPick;
		this.from = null;
		this.to = null;
		this.anchor = null;
		bar.addEventListener('click', (event) => this.click(event));
	}

	/**
	 * @param {Date} from
	 * @param {Date} to
	 * @param {Array<{serverTimestamp: string, durationMillis: number}>} fragments
	 * @returns {{runs: Array<{start: number, end: number}>, count: number}}
	 */
	show(from, to, fragments) {
		this.from = from.getTime();
		this.to = to.getTime();
		this.anchor = null;
		const spans = fragments
			.map((f) => {
				const start = Date.parse(f.serverTimestamp);
				return { start, end: start + Math.max(0, f.durationMillis) };
			})
			.sort((a, b) => a.start - b.start);
		const runs = [];
		for (const span of spans) {
			const last = runs[runs.length - 1];
			if (last && span.start <= last.end + JOIN_MS) {
				last.end = Math.max(last.end, span.end);
			}
			else {
				runs.push({ ...span });
			}
		}
		this.runsElement.replaceChildren(...runs.map((run) => {
			const element = document.createElement('div');
			element.className = 'run';
			this.place(element, run.start, run.end);
			return element;
		}));
		this.runs = runs;
		return { runs, count: spans.length };
	}

	clear() {
		this.from = this.to = this.anchor = null;
		this.runsElement.replaceChildren();
		this.selection.hidden = true;
	}

	/** Draws the selected range (either end may be null). */
	select(start, end) {
		if (this.from === null || !start || !end || end <= start) {
			this.selection.hidden = true;
			return;
		}
		this.place(this.selection, start.getTime(), end.getTime());
		this.selection.hidden = false;
	}

	place(element, start, end) {
		const span = this.to - this.from;
		const left = Math.min(100, Math.max(0, ((start - this.from) / span) * 100));
		const right = Math.min(100, Math.max(0, ((end - this.from) / span) * 100));
		// at least a 3-pixel sliver, kept inside the bar, so a few seconds of media in a long period stay visible
		element.style.left = `min(${left}%, calc(100% - 3px))`;
		element.style.width = `max(3px, ${right - left}%)`;
	}

	click(event) {
		if (this.from === null) {
			return;
		}
		const box = this.bar.getBoundingClientRect();
		const ratio = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
		// whole seconds: the date-time fields show seconds
		const at = new Date(Math.floor((this.from + ratio * (this.to - this.from)) / 1000) * 1000);
		if (this.anchor === null) {
			this.anchor = at;
			this.onPick(at, null);
		}
		else {
			const [start, end] = at < this.anchor ? [at, this.anchor] : [this.anchor, at];
			this.anchor = null;
			this.onPick(start, end);
		}
	}
}
