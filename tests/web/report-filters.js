// Filters and view state of the report, in headless Chromium: the label
// filter (samples/labels), the thread filter, on/off-CPU in wall mode
// (samples/sleeper), icicle and flame-graph zoom kept in the URL.
//   node report-filters.js LABELS.html LABELS.raw SLEEPER.html SLEEPER.raw
'use strict';
const fs = require('fs');
const { plan, ok, is, within, launch, parseRaw, done } = require('./lib.js');

const [labHtml, labRawF, slHtml, slRawF] = process.argv.slice(2);
// cprof-raw lines carry the labels as a {k=v,...} field before the stack
const labRaw = fs.readFileSync(labRawF, 'utf8').split('\n').filter((l) => l && l[0] !== '#').map((l) => {
	const f = l.split(' ');
	return { tid: Number(f[1]), w: Number(f[3]), labels: f[4], stack: f[f.length - 1].split(';') };
});
const slRaw = parseRaw(fs.readFileSync(slRawF, 'utf8'));
const sum = (a, f) => a.reduce((x, s) => x + f(s), 0);

plan(17);
(async () => {
	const b = await launch();
	try {
		const page = await b.open(labHtml);
		const R = (f, ...a) => page.evaluate(f, ...a);
		// 1-5: label filter
		const opts = await R(() => Array.from(document.querySelectorAll('#label option')).map((o) => o.value));
		ok(opts.includes('endpoint=/users') && opts.includes('endpoint=/orders'), 'the label filter lists endpoint=/users and endpoint=/orders', opts);
		await page.selectOption('#label', 'endpoint=/users');
		const users = labRaw.filter((s) => s.labels.includes('endpoint=/users'));
		is(await R(() => cprofReport.selectedSamples()), users.length, 'endpoint=/users keeps exactly the samples cprof-raw shows with that label');
		is(await R(() => cprofReport.flameTotal('handle_users').total), sum(users.filter((s) => s.stack.includes('handle_users')), (s) => s.w),
			'the flame graph weighs handle_users by those samples');
		is(await R(() => cprofReport.flameTotal('handle_orders').total), 0, 'handle_orders is gone from the flame graph');
		is(await R(() => cprofReport.timelineCounts().reduce((a, c) => a + c, 0)), labRaw.length, 'the timeline still draws every sample (the others in grey)');
		// 6-7: thread filter (with the label filter cleared)
		await page.selectOption('#label', '');
		const tids = await R(() => cprofReport.threads.map((t) => t.tid));
		const busy = tids.filter((t) => labRaw.some((s) => s.tid === t));
		const off = busy[0];
		await page.locator(`#threads input[data-k="${tids.indexOf(off)}"]`).uncheck();
		is(await R(() => cprofReport.selectedSamples()), labRaw.filter((s) => s.tid !== off).length, `unchecking thread ${off} removes its samples from the aggregated views`);
		is(await R((k) => cprofReport.timelineCounts()[k], tids.indexOf(off)), 0, 'and from its timeline track');
		// 8: the filters are in the URL
		const hash = await R(() => location.hash);
		const p2 = await b.open(labHtml, hash);
		is(await p2.evaluate(() => cprofReport.selectedSamples()), labRaw.filter((s) => s.tid !== off).length, 'the thread filter comes back from the URL: ' + hash);

		// 9-12: wall mode: on- and off-CPU
		const sp = await b.open(slHtml);
		const S = (f, ...a) => sp.evaluate(f, ...a);
		ok(await S(() => !document.getElementById('statebox').hidden), 'wall mode offers the on/off-CPU filter');
		await sp.selectOption('#cpustate', 'off');
		const nOff = await S(() => cprofReport.selectedSamples());
		const offTot = await S(() => cprofReport.totals()[1]);
		const idle = await S(() => cprofReport.flameTotal('wait_idle').total);
		// wait_idle's off-CPU time is the time the sleeper slept (cycles x
		// 50 ms, counted by the program): at least half of it found, and
		// not twice it (a sample's weight is the time since the thread's
		// last one, which a late sample stretches over some burn() time). Its share of all off-CPU time is no measure: a sleeper
		// preempted in burn() is off-CPU too, and beside a second test suite
		// on 2 cores that fell from >= 80 % to under 40 %.
		const slept = Number(process.env.SLEEP_NS);
		ok(nOff > 0 && slept > 0 && idle >= 0.5 * slept && idle <= offTot && idle <= 2 * slept,
			`off-CPU only: ${nOff} samples; wait_idle ${idle} ns of ${offTot} ns off-CPU, the sleeper slept ${slept} ns`);
		await sp.selectOption('#cpustate', 'on');
		const nOn = await S(() => cprofReport.selectedSamples());
		is(nOn + nOff, slRaw.length, 'on-CPU + off-CPU samples = all samples');
		within(await S(() => cprofReport.flameTotal('wait_idle').total), 0, 0.2 * sum(slRaw, (s) => s.weight), 'on-CPU only: wait_idle (sleeping) nearly vanishes');
		// 13: off-CPU samples are drawn in cold colours in the lower part of the track (pixels)
		await sp.selectOption('#cpustate', 'all');
		const cold = await S(() => {
			const c = document.getElementById('timeline'), dpr = window.devicePixelRatio || 1;
			const ctx = c.getContext('2d');
			const y = Math.round((20 + 22 * 0.85) * dpr), x0 = Math.round(170 * dpr);
			const row = ctx.getImageData(x0, y, c.width - x0, 1).data;
			let blue = 0;
			for (let i = 0; i < row.length; i += 4) if (row[i + 2] > 180 && row[i] < 110) blue++;
			return blue;
		});
		ok(cold > 0, `off-CPU samples show as blue pixels in the lower part of the track (${cold} px)`);

		// 14-15: icicle
		await sp.locator('#icicle').check();
		is(await S(() => cprofReport.flameRects('all')[0].y), 0, 'icicle: the root is on top');
		ok((await S(() => location.hash)).includes('icicle=1'), 'icicle is kept in the URL');
		// 16-17: flame zoom by click, restored from the URL
		const r = await S(() => cprofReport.flameRects('burn')[0]);
		const fb = await sp.locator('#flame').boundingBox();
		await sp.mouse.click(fb.x + r.x + r.w / 2, fb.y + r.y + r.h / 2);
		const w = await S(() => [cprofReport.flameRects('burn')[0].w, cprofReport.flameWidth()]);
		ok(Math.abs(w[0] - w[1]) < 1, 'clicking burn zooms into it: it spans the whole width', w);
		const p3 = await b.open(slHtml, await S(() => location.hash));
		const f = await p3.evaluate(() => ({ focus: cprofReport.state().focus, w: cprofReport.flameRects('burn')[0].w, W: cprofReport.flameWidth() }));
		ok(f.focus[f.focus.length - 1] === 'burn' && Math.abs(f.w - f.W) < 1, 'the zoom comes back from the URL', f);
		if (b.events.console.length + b.events.errors.length + b.events.requests.length) {
			ok(false, 'no console errors, exceptions or requests', JSON.stringify(b.events));
		}
	} catch (e) {
		ok(false, 'browser session: ' + e.message);
	} finally {
		await b.close();
		done();
	}
})();
