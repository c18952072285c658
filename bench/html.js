// bench/html.js REPORT.html [PEER.svg]: opens a cprof-html report in headless Chromium
// (Debian's /usr/bin/chromium through playwright-core) and prints how long
// it takes to open and to redraw on zoom, range selection and search.
// Run by bench/html.sh; the figures are medians over repeated interactions.
'use strict';
const path = require('path');
const fs = require('fs');
const os = require('os');
const { chromium } = require(path.join(__dirname, '../tests/web/node_modules/playwright-core'));

const median = (a) => { const s = a.slice().sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const fmt = (x) => x.toFixed(1);

// One more open of file under a Chrome trace: the CPU time (thread time) of
// the renderer's main thread from the navigation's start to the page's
// ready, the figure the open's speed is about (the browser reading and
// parsing the file, and the viewer), whatever else runs on the machine.
// Returns [main-thread ms, its five biggest self times by event name].
async function mainThreadCpu(browser, file) {
	const page = await browser.newPage();
	const cdp = await browser.newCDPSession(page);
	const ev = [];
	cdp.on('Tracing.dataCollected', (e) => { for (const x of e.value) ev.push(x); });
	const done = new Promise((res) => cdp.once('Tracing.tracingComplete', res));
	await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'toplevel', 'blink.user_timing', 'loading', 'v8'] }, transferMode: 'ReportEvents' });
	await page.goto('file://' + file, { timeout: 120000, waitUntil: 'commit' });
	await page.waitForFunction(() => window.cprofReport && window.cprofReport.complete, null, { timeout: 120000, polling: 'raf' });
	const readyAt = await page.evaluate(() => window.cprofReport.perf.readyAt);
	await cdp.send('Tracing.end');
	await done;
	await page.close();
	const nav = ev.find((e) => e.name === 'navigationStart' && e.args && e.args.data && /^file:/.test(e.args.data.documentLoaderURL || ''));
	if (!nav) return [NaN, []];
	const t0 = nav.ts, t1 = nav.ts + readyAt * 1000;
	const on = (e) => e.pid === nav.pid && e.tid === nav.tid && e.ph === 'X' && e.tdur !== undefined && e.ts < t1 && e.ts + e.dur > t0;
	let cpu = 0;
	for (const e of ev) if (on(e) && e.cat.includes('toplevel')) cpu += e.tdur * (Math.min(e.ts + e.dur, t1) - Math.max(e.ts, t0)) / (e.dur || 1);
	// self time by name: each event's thread time less its children's
	const mine = ev.filter(on).sort((a, b) => a.ts - b.ts || b.dur - a.dur), stack = [], self = {};
	for (const e of mine) {
		while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
		if (stack.length) stack[stack.length - 1].kids += e.tdur;
		e.kids = 0;
		stack.push(e);
	}
	for (const e of mine) self[e.name] = (self[e.name] || 0) + e.tdur - e.kids;
	const top = Object.entries(self).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k} ${Math.round(v / 1000)}`);
	return [Math.round(cpu / 1000), top];
}

(async () => {
	const file = path.resolve(process.argv[2]);
	const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cprof-bench-chromium-'));
	const browser = await chromium.launchPersistentContext(userDir, {
		executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1400, height: 900 },
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', '--no-first-run'],
	});
	try {
		const opens = [];
		let page;
		for (let r = 0; r < 3; r++) {
			if (page) await page.close();
			page = await browser.newPage();
			const cdp = await browser.newCDPSession(page);
			await cdp.send('Performance.enable');
			const t = Date.now();
			// from the navigation's commit (not its load event: the report's
			// script runs past it), polled at every frame
			await page.goto('file://' + file, { timeout: 120000, waitUntil: 'commit' });
			// ready: the first screen (timeline, flame graph) drawn and live;
			// complete: the tables below it filled too (right after the first frame)
			await page.waitForFunction(() => window.cprofReport && window.cprofReport.ready, null, { timeout: 120000, polling: 'raf' });
			const wall = Date.now() - t;
			await page.waitForFunction(() => window.cprofReport.complete, null, { timeout: 120000, polling: 'raf' });
			const wallc = Date.now() - t;
			const perf = await page.evaluate(() => window.cprofReport.perf);
			// CPU time of the renderer process for the whole open (to complete):
			// what the open costs whatever the machine's load
			const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
			opens.push({ wall, wallc, ready: perf.readyAt, script: perf.loadMs, marks: perf.marks, cpu: Math.round(m.ProcessTime * 1000) });
		}
		const info = await page.evaluate(() => ({ n: cprofReport.samples, threads: cprofReport.threads.length }));
		console.log(`report: ${file} (${(fs.statSync(file).size / 1048576).toFixed(1)} MiB, ${info.n} samples, ${info.threads} threads)`);
		console.log(`open (goto -> ready, ms): ${opens.map((o) => o.wall).join(' ')}; median ${median(opens.map((o) => o.wall))}`);
		console.log(`  goto -> complete (tables filled), ms: ${opens.map((o) => o.wallc).join(' ')}; median ${median(opens.map((o) => o.wallc))}`);
		console.log(`  renderer CPU time for the open, to complete (ms): ${opens.map((o) => o.cpu).join(' ')}; median ${median(opens.map((o) => o.cpu))}`);
		console.log(`  in page: ready at ${fmt(median(opens.map((o) => o.ready)))} ms after navigation start, script ${fmt(median(opens.map((o) => o.script)))} ms; phases ${JSON.stringify(opens[opens.length - 1].marks)}`);
		const traced = [];
		for (let r = 0; r < 3; r++) traced.push(await mainThreadCpu(browser, file));
		console.log(`  main-thread CPU, navigation -> ready (Chrome trace, ms): ${traced.map((t) => t[0]).join(' ')}; median ${median(traced.map((t) => t[0]))}; most (ms): ${traced[traced.length - 1][1].join(', ')}`);

		const box = await page.locator('#timeline').boundingBox();
		const upd = [], tl = [];
		if (await page.evaluate(() => cprofReport.hasTimeline)) {
			// wheel zoom in 8 steps at different points, then out again
			for (let k = 0; k < 16; k++) {
				const x = box.x + 200 + ((k * 97) % Math.max(1, box.width - 220)), y = box.y + 30;
				await page.mouse.move(x, y);
				await page.mouse.wheel(0, k < 8 ? -300 : 300);
				await page.waitForTimeout(30);
				const p = await page.evaluate(() => cprofReport.perf);
				upd.push(p.updateMs); tl.push(p.timelineMs);
			}
			console.log(`timeline zoom (wheel), update ms: median ${fmt(median(upd))} max ${fmt(Math.max(...upd))}; timeline draw median ${fmt(median(tl))}`);
			// drag-select ranges: re-aggregates flame graph and tables
			const sel = [];
			for (let k = 0; k < 5; k++) {
				await page.mouse.move(box.x + 250 + 40 * k, box.y + 40);
				await page.mouse.down();
				await page.mouse.move(box.x + 600 + 60 * k, box.y + 45, { steps: 3 });
				await page.mouse.up();
				await page.waitForTimeout(30);
				const p = await page.evaluate(() => cprofReport.perf);
				sel.push({ upd: p.updateMs, agg: p.aggregateMs });
			}
			console.log(`range selection (re-aggregate all views), ms: median ${fmt(median(sel.map((s) => s.upd)))} (aggregation ${fmt(median(sel.map((s) => s.agg)))})`);
		}
		// flame graph zoom: click boxes on the second row from the bottom
		const fb = await page.locator('#flame').boundingBox();
		const fz = [];
		for (let k = 0; k < 5; k++) {
			await page.click('#unfocus', { force: true }).catch(() => {});
			await page.mouse.click(fb.x + 20 + k * 150, fb.y + fb.height - 25);
			await page.waitForTimeout(30);
			const p = await page.evaluate(() => cprofReport.perf);
			fz.push(p.flameMs);
		}
		console.log(`flame graph zoom (click), draw ms: median ${fmt(median(fz))} max ${fmt(Math.max(...fz))}`);
		const sr = [];
		for (const q of ['handle_request_1', 'Component2', 'mod3::', '^main$', 'x']) {
			await page.fill('#search', q);
			await page.waitForTimeout(30);
			sr.push(await page.evaluate(() => cprofReport.perf.updateMs));
		}
		console.log(`search (regex), update ms: median ${fmt(median(sr))}`);
		const peer = process.argv[3];
		if (peer) {
			const po = [];
			for (let r = 0; r < 3; r++) {
				const pg = await browser.newPage();
				const t = Date.now();
				await pg.goto('file://' + path.resolve(peer), { timeout: 120000, waitUntil: 'load' });
				po.push(Date.now() - t);
				await pg.close();
			}
			const mine = median(opens.map((o) => o.wall)), theirs = median(po);
			console.log(`peer: cprof-flame SVG of the same profile (aggregated only), open (goto -> load, ms): ${po.join(' ')}; median ${theirs}`);
			console.log(`ratio: report open / SVG open = ${(mine / theirs).toFixed(2)}`);
		}
	} finally {
		await browser.close();
		fs.rmSync(userDir, { recursive: true, force: true });
	}
})().catch((e) => { console.error('bench/html.js: ' + e.message); process.exit(1); });
