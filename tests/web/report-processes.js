// The report of several processes' files, checked in headless Chromium
// against cprof-raw's listing of the same files (one time axis).
//   node report-processes.js REPORT.html RAW.txt PIDS.txt
'use strict';
const fs = require('fs');
const { plan, ok, is, within, launch, parseRaw, checkTracks, done } = require('./lib.js');

const [report, rawFile, pidFile] = process.argv.slice(2);
const raw = parseRaw(fs.readFileSync(rawFile, 'utf8'));
const pidOf = {};
for (const l of fs.readFileSync(pidFile, 'utf8').split('\n')) {
	const f = l.split(' ');
	if (f.length === 2) pidOf[f[0]] = Number(f[1]);
}
const perTid = {};
let last = 0;
for (const s of raw) {
	perTid[s.tid] = (perTid[s.tid] || 0) + 1;
	if (s.ms > last) last = s.ms;
}

plan(6);
(async () => {
	const b = await launch();
	try {
		const page = await b.open(report);
		const threads = await checkTracks(page, perTid);
		is(JSON.stringify(threads.map((t) => t.pid)), JSON.stringify(threads.map((t) => pidOf[t.tid] || 0)),
			'each track knows its process (the pid of the file it came from)');
		ok(threads.every((t, k) => k === 0 || threads[k - 1].pid <= t.pid), 'tracks are grouped by process', JSON.stringify(threads));
		const range = await page.evaluate(() => cprofReport.timeRange());
		within(Math.round(range[1] / 1e6), Math.round(last), 1,
			`the time axis reaches the last sample as cprof-raw places it on the common axis (${last} ms)`);
		if (process.env.CPROF_SHOT) await page.screenshot({ path: process.env.CPROF_SHOT, fullPage: true });
		ok(!b.events.console.length && !b.events.errors.length, 'no console or page errors',
			JSON.stringify([b.events.console, b.events.errors]));
	} catch (e) {
		ok(false, 'the report loads and answers: ' + e.message);
	} finally {
		await b.close();
		done();
	}
})();
