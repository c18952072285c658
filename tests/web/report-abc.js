// The report of a real recording of samples/abc, checked in headless
// Chromium against cprof-raw's account of the same file.
//   node report-abc.js REPORT.html RAW.txt OUTDIR
'use strict';
const fs = require('fs');
const path = require('path');
const { plan, ok, is, within, diag, launch, parseRaw, checkTracks, done } = require('./lib.js');

const [report, rawFile, outDir] = process.argv.slice(2);
const raw = parseRaw(fs.readFileSync(rawFile, 'utf8'));

// what the profile says: samples per thread, and each function's cum weight
// (a function counted once per sample, like the flame graph's merged boxes)
const perTid = {};
let totalW = 0;
const cum = {};
for (const s of raw) {
	perTid[s.tid] = (perTid[s.tid] || 0) + 1;
	totalW += s.weight;
	for (const f of new Set(s.stack)) cum[f] = (cum[f] || 0) + s.weight;
}

plan(26);
(async () => {
	const b = await launch();
	try {
		const page = await b.open(report);
		const R = (f, ...a) => page.evaluate(f, ...a);

		// 1-2: the timeline: one track per thread with all of its samples
		await checkTracks(page, perTid);

		// 3-5: the flame graph's A, B, C boxes are as wide as their share of the profile
		const width = await R(() => cprofReport.flameWidth());
		for (const fn of ['A', 'B', 'C']) {
			const rects = await R((n) => cprofReport.flameRects(n), fn);
			const w = rects.reduce((a, r) => a + r.w, 0);
			within(Math.round(w * 10) / 10, Math.round((cum[fn] || 0) / totalW * width * 10) / 10, 1.5,
				`flame graph: ${fn} is ${((cum[fn] || 0) / totalW * 100).toFixed(1)}% of the width`);
		}
		// 6: and the model behind it agrees exactly
		const tot = await R(() => ['A', 'B', 'C'].map((n) => cprofReport.flameTotal(n).total));
		is(JSON.stringify(tot), JSON.stringify(['A', 'B', 'C'].map((n) => cum[n] || 0)), 'flame totals of A, B, C equal cprof-raw sums (ns)');

		// 7-10: search: regex, matched %, highlighted (checked in the canvas pixels)
		await page.fill('#search', '^C$');
		const m = await R(() => cprofReport.matched());
		is(m.value, cum.C, 'search ^C$ matches exactly C\'s weight');
		ok(/matched: \d+\.\d\d%/.test(m.text) && m.text.includes((cum.C / totalW * 100).toFixed(2) + '%'), 'the matched percentage is shown: ' + m.text, m.text);
		const px = await R(() => {
			const c = document.getElementById('flame'), dpr = window.devicePixelRatio || 1;
			const at = (r) => Array.from(c.getContext('2d').getImageData(Math.round((r.x + r.w / 2) * dpr), Math.round((r.y + r.h / 2) * dpr), 1, 1).data);
			return { C: at(cprofReport.flameRects('C')[0]), B: at(cprofReport.flameRects('B')[0]) };
		});
		ok(px.C[0] === 230 && px.C[1] === 0 && px.C[2] === 230, 'the C box is painted in the search highlight colour (canvas pixel)', px.C);
		ok(!(px.B[0] === 230 && px.B[1] === 0 && px.B[2] === 230) && px.B[0] > 150, 'the B box keeps its warm colour (canvas pixel)', px.B);
		ok((await R(() => location.hash)).includes('q=%5EC%24'), 'the search is kept in the URL fragment');
		// the timeline shows WHEN C ran: its samples turn magenta (pixels of the track)
		const tlMagenta = await R(() => {
			const c = document.getElementById('timeline'), dpr = window.devicePixelRatio || 1;
			const row = c.getContext('2d').getImageData(0, Math.round(31 * dpr), c.width, 1).data;
			let m = 0;
			for (let i = 0; i < row.length; i += 4) if (row[i] === 230 && row[i + 1] === 0 && row[i + 2] === 230) m++;
			return m;
		});
		ok(tlMagenta > 0, `the timeline paints C's samples in the search colour (${tlMagenta} px)`);

		// 11-16: select a time range on the timeline with the mouse
		const box = await page.locator('#timeline').boundingBox();
		const gutter = 170, ruler = 20, pw = box.width - gutter - 2;
		await page.mouse.move(box.x + gutter + pw * 0.30, box.y + ruler + 10);
		await page.mouse.down();
		await page.mouse.move(box.x + gutter + pw * 0.55, box.y + ruler + 12, { steps: 4 });
		await page.mouse.up();
		const sel = (await R(() => cprofReport.state())).sel;
		ok(Array.isArray(sel) && sel[1] > sel[0], 'dragging on the timeline selects a time range', sel);
		// expected from cprof-raw's times (ms, 3 decimals): samples whose time is in the range
		const inRange = raw.filter((s) => s.ms * 1e6 >= sel[0] && s.ms * 1e6 <= sel[1]);
		const edge = raw.some((s) => Math.abs(s.ms * 1e6 - sel[0]) < 1000 || Math.abs(s.ms * 1e6 - sel[1]) < 1000);
		const selCount = await R(() => cprofReport.selectedSamples());
		within(selCount, inRange.length, edge ? 1 : 0, 'the selection holds the samples recorded in that time range');
		ok(selCount < raw.length && selCount > 0, `the range holds part of the profile (${selCount} of ${raw.length})`);
		// the stack table's numbers are the range's: its samples column adds up to the selection
		const tableSum = await R(() => Array.from(document.querySelectorAll('#stacks tbody tr')).reduce((a, tr) => a + Number(tr.cells[1].textContent), 0));
		is(tableSum, selCount, 'the stack table\'s samples column adds up to the selected samples');
		const inW = {};
		for (const s of inRange) for (const f of new Set(s.stack)) inW[f] = (inW[f] || 0) + s.weight;
		const topA = (await R(() => cprofReport.topRows())).find((r) => r.name === 'A');
		within(topA ? topA.cum : 0, inW.A || 0, edge ? 1e6 * 2 : 0, 'the top table\'s cum for A is the range\'s');
		const selText = await page.locator('#selinfo').textContent();
		ok(selText.includes(selCount + ' samples'), 'the selection line says how many samples: ' + selText);

		// 17-18: the URL fragment reopens the same view
		const hash = await R(() => location.hash);
		ok(/sel=\d+,\d+/.test(hash), 'the selection is kept in the URL fragment: ' + hash);
		const page2 = await b.open(report, hash);
		const again = await page2.evaluate(() => ({ n: cprofReport.selectedSamples(), q: cprofReport.state().q, m: cprofReport.matched().value }));
		ok(again.n === selCount && again.q === '^C$', 'a link with the fragment reopens the same selection and search', again);

		// 19-20: clicking a top-table row highlights the function in the flame graph
		await page.fill('#search', '');
		await page.locator('#top tbody tr', { hasText: /^.*\bB$/ }).first().click();
		ok((await R(() => cprofReport.state().hl)) === 'B', 'clicking the B row highlights B');
		const hl = await R(() => {
			const c = document.getElementById('flame'), dpr = window.devicePixelRatio || 1, r = cprofReport.flameRects('B')[0];
			return Array.from(c.getContext('2d').getImageData(Math.round((r.x + r.w / 2) * dpr), Math.round((r.y + r.h / 2) * dpr), 1, 1).data);
		});
		ok(hl[0] === 0 && hl[1] === 190 && hl[2] === 255, 'the B box is painted in the highlight colour (canvas pixel)', hl);

		// 21: clearing the selection restores the whole profile
		await page.click('#selclear');
		is(await R(() => cprofReport.selectedSamples()), raw.length, 'clearing the selection brings back every sample');

		// 22: a screenshot for people (and the README)
		fs.mkdirSync(outDir, { recursive: true });
		const shot = path.join(outDir, 'report-abc.png');
		await page.screenshot({ path: shot, fullPage: true });
		ok(fs.statSync(shot).size > 10000, 'screenshot saved: ' + shot);

		// 23-24: nothing went wrong, nothing left the machine
		is(JSON.stringify(b.events.console.concat(b.events.errors)), '[]', 'no console errors and no uncaught exceptions');
		is(JSON.stringify(b.events.requests), '[]', 'no network request (only the report file itself)');
		if (b.events.warnings.length) diag('console warnings: ' + b.events.warnings.join(' | '));
	} catch (e) {
		ok(false, 'browser session: ' + e.message);
	} finally {
		await b.close();
		done();
	}
})();
