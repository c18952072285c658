// Shared helpers of the browser tests: TAP output and a headless Debian
// Chromium (never a downloaded browser) with a fresh profile directory,
// recording console errors, page errors, dialogs and every network request.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require(path.join(__dirname, 'node_modules/playwright-core'));

let n = 0, failed = 0;
function plan(k) { console.log('1..' + k); }
function ok(cond, name, diag) {
	n++;
	console.log((cond ? 'ok ' : 'not ok ') + n + ' - ' + name);
	if (!cond) {
		failed++;
		// a failure and its diagnostics also on stderr: prove shows them
		// without -v (make check's log says what went wrong)
		console.error('# not ok ' + n + ' - ' + name);
		if (diag !== undefined) for (const l of String(typeof diag === 'string' ? diag : JSON.stringify(diag)).split('\n')) {
			console.log('# ' + l);
			console.error('# ' + l);
		}
	}
	return !!cond;
}
function is(got, want, name) { return ok(got === want, name, 'got:  ' + JSON.stringify(got) + '\nwant: ' + JSON.stringify(want)); }
function within(got, want, tol, name) {
	return ok(Math.abs(got - want) <= tol, name + ` (${got} vs ${want}, ±${tol})`, `got ${got}, want ${want} ± ${tol}`);
}
function diag(s) { for (const l of String(s).split('\n')) console.log('# ' + l); }

const CHROMIUM = process.env.CPROF_CHROMIUM || '/usr/bin/chromium';

// Opens a browser; returns { browser, newPage(), events, close() }. events
// collects what a report must never do: console errors, uncaught errors,
// dialogs (alert), and requests that are not the report file itself.
async function launch() {
	const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cprof-web-chromium-'));
	const ctx = await chromium.launchPersistentContext(userDir, {
		executablePath: CHROMIUM,
		headless: true,
		viewport: { width: 1300, height: 900 },
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', '--no-first-run'],
	});
	const events = { console: [], warnings: [], errors: [], dialogs: [], requests: [] };
	function watch(page, allowed) {
		page.on('console', (m) => { if (m.type() === 'error') events.console.push(m.text()); else if (m.type() === 'warning') events.warnings.push(m.text()); });
		page.on('pageerror', (e) => events.errors.push(e.message));
		page.on('dialog', (d) => { events.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
		page.on('request', (r) => { if (!allowed(r.url())) events.requests.push(r.url()); });
	}
	return {
		events,
		async open(file, hash) {
			const page = await ctx.newPage();
			const url = 'file://' + path.resolve(file);
			watch(page, (u) => u.split('#')[0] === url);
			await page.goto(url + (hash || ''), { timeout: 30000 });
			// ready: the first screen is drawn; complete: the tables below it too
			await page.waitForFunction(() => window.cprofReport && window.cprofReport.ready && window.cprofReport.complete, null, { timeout: 30000 });
			return page;
		},
		async close() {
			await ctx.close();
			fs.rmSync(userDir, { recursive: true, force: true });
		},
	};
}

// Reads `cprof-raw` output: [{ ms, tid, weight, stack: [names root first] }]
function parseRaw(text) {
	const out = [];
	for (const line of text.split('\n')) {
		if (!line || line[0] === '#') continue;
		const f = line.split(' ');
		out.push({ ms: Number(f[0]), tid: Number(f[1]), weight: Number(f[3]), stack: f[f.length - 1].split(';') });
	}
	return out;
}

// Two tests of a report's timeline against cprof-raw's samples per thread
// (perTid: {tid: count}): one track per thread, and every sample drawn on
// its track. Returns the report's threads ([{tid, name, pid}]).
async function checkTracks(page, perTid) {
	const threads = await page.evaluate(() => cprofReport.threads);
	is(threads.map((t) => t.tid).sort().join(','), Object.keys(perTid).sort().join(','), 'one timeline track per thread of the recording');
	const counts = await page.evaluate(() => cprofReport.timelineCounts());
	is(JSON.stringify(threads.map((t, k) => [t.tid, counts[k]])), JSON.stringify(threads.map((t) => [t.tid, perTid[t.tid]])),
		'the timeline draws every sample of each thread (cprof-raw counts: ' + JSON.stringify(perTid) + ')');
	return threads;
}

function done() {
	if (failed) diag(`${failed} of ${n} failed`);
	process.exitCode = failed ? 1 : 0;
}

module.exports = { plan, ok, is, within, diag, launch, parseRaw, checkTracks, done };
