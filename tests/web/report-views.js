// The analysis views of the report, checked in headless Chromium against
// what other tools say of the same files: the callers/callees view and the
// source view of a picked function (cprof-raw's stacks, cprof-fold --lines'
// per-line sums, the source file itself), the one-line title, a deep flame
// graph opened on its populated part, long names cut with the whole name on
// hover, and --no-source.
//   node report-views.js ABC.html ABC.raw ABC.lines ABC-nosrc.html DEEP.html LONGNAME TITLE SRCDIR FRAC.html
'use strict';
const fs = require('fs');
const path = require('path');
const { plan, ok, is, diag, launch, parseRaw, done } = require('./lib.js');

const [abcHtml, rawFile, linesFile, nosrcHtml, deepHtml, longName, title, srcDir, fracHtml] = process.argv.slice(2);
const raw = parseRaw(fs.readFileSync(rawFile, 'utf8'));

// expected, from cprof-raw: A's callers and callees merged by path from A,
// rooted at the outermost A of each stack (stacks are root first)
const want = { flat: 0, cum: 0, callers: {}, callees: {} };
const add = (o, k, w) => { o[k] = (o[k] || 0) + w; };
for (const s of raw) {
	const i = s.stack.indexOf('A');
	if (i < 0) continue;
	want.cum += s.weight;
	if (i === s.stack.length - 1) want.flat += s.weight;
	let p = 'A';
	add(want.callers, p, s.weight);
	for (let k = i - 1; k >= 0; k--) { p += ';' + s.stack[k]; add(want.callers, p, s.weight); }
	p = 'A';
	add(want.callees, p, s.weight);
	for (let k = i + 1; k < s.stack.length; k++) { p += ';' + s.stack[k]; add(want.callees, p, s.weight); }
}
// per line of A, from cprof-fold --lines: flat where A:LINE is the leaf,
// cum where it is anywhere in the stack (once per stack)
const wantLines = {};
for (const l of fs.readFileSync(linesFile, 'utf8').split('\n')) {
	if (!l) continue;
	const sp = l.lastIndexOf(' '), w = Number(l.slice(sp + 1)), fr = l.slice(0, sp).split(';');
	const seen = new Set();
	fr.forEach((f, k) => {
		const m = /^A:(\d+)$/.exec(f);
		if (!m) return;
		const e = wantLines[m[1]] || (wantLines[m[1]] = { flat: 0, cum: 0 });
		if (k === fr.length - 1) e.flat += w;
		if (!seen.has(m[1])) { seen.add(m[1]); e.cum += w; }
	});
}
const abcLines = fs.readFileSync(path.join(srcDir, 'samples/abc.c'), 'utf8').split('\n');
const sorted = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));

plan(21);
(async () => {
	const b = await launch();
	try {
		let page = await b.open(abcHtml);
		const R = (f, ...a) => page.evaluate(f, ...a);
		// 1: nothing picked: the view says how to pick a function
		ok(await R(() => !document.getElementById('sw-none').hidden && document.getElementById('sw-body').hidden),
			'no function picked: the callers/callees view explains how to pick one');
		// 2-6: pick A in the Top table
		await page.locator('#top tbody tr', { hasText: /^.*\bA$/ }).first().click();
		const sw = await R(() => cprofReport.sandwich());
		is(await R(() => document.getElementById('sw-name').textContent), 'A', 'clicking A in the Top table picks A');
		is(sw && sw.cum, want.cum, 'A\'s cum in the view equals the weight of the samples holding A (cprof-raw)');
		is(sw && sw.flat, want.flat, 'A\'s flat equals the weight of the samples ending in A');
		is(sw && sorted(sw.callers), sorted(want.callers), 'callers of A, merged by path up to the roots, equal cprof-raw\'s stacks');
		is(sw && sorted(sw.callees), sorted(want.callees), 'callees of A, merged by path, equal cprof-raw\'s stacks');
		// 7-9: the source view
		const rows = await R(() => cprofReport.sourceRows());
		const got = {};
		for (const r of rows) got[r.line] = { flat: r.flat, cum: r.cum };
		is(sorted(got), sorted(wantLines), 'source view: flat and cum per line of A equal cprof-fold --lines');
		const code = await R(() => Array.from(document.querySelectorAll('#src tr.hot')).map((tr) =>
			[Number(tr.cells[2].textContent), tr.cells[3].textContent]));
		ok(code.length > 0 && code.every(([ln, txt]) => txt === abcLines[ln - 1]), 'each hot line shows the text of samples/abc.c at that line', code);
		ok(await R(() => document.querySelector('#src h3').textContent.endsWith('abc.c')), 'the source view names the file');
		// 10: follow a callee: click C in the callees graph
		// a direct callee's box (a child of node 0) in the callees graph, the
		// graph scrolled into view first: mouse.click does not scroll, and
		// where clicking A's Top row left the page depends on the recording
		// (A's rank), so the box was sometimes off screen and the click missed
		// The box is found after two animation frames (a redraw still
		// pending from the click on A's row can move the page) and the click
		// is tried again once if it picked nothing.
		const frames = () => R(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
		const calleeBox = () => R(() => {
			const c = document.getElementById('sw-callees'), Rr = c.swRects, r = c.getBoundingClientRect();
			// the widest direct callee, clicked in its middle (the first one
			// found can be a callee with one sample: a box under 2 px wide,
			// which a click 2 px in misses)
			let q = -1;
			Rr.ns.forEach((v, k) => { if (v > 0 && Rr.t.parent[v] === 0 && (q < 0 || Rr.ws[k] > Rr.ws[q])) q = k; });
			if (q < 0) return null;
			const x = r.x + Rr.xs[q] + Rr.ws[q] / 2, y = r.y + Rr.ys[q] + 5, at = document.elementFromPoint(x, y);
			return { x, y, w: Rr.ws[q], under: at ? at.id || at.tagName : 'nothing' };
		});
		let hl = 'A', cBox = null, tries = [];
		for (let k = 0; k < 2 && (hl === 'A' || hl === ''); k++) {
			await page.locator('#sw-callees').scrollIntoViewIfNeeded();
			await frames();
			cBox = await calleeBox();
			if (!cBox) break;
			tries.push(cBox);
			await page.mouse.click(cBox.x, cBox.y);
			hl = await R(() => cprofReport.state().hl);
		}
		if (cBox) ok(hl !== 'A' && hl !== '' && (want.callees['A;' + hl] || 0) > 0, 'clicking a callee of A picks it: ' + hl, tries);
		else ok(false, 'the callees graph of A has a box for a direct callee');
		// 11-12: the title stays one line and says all of itself on hover
		const t = await R(() => { const h = document.getElementById('title'); return { h: h.getBoundingClientRect().height, lh: parseFloat(getComputedStyle(h).lineHeight) || 24, full: h.title, cut: h.scrollWidth > h.clientWidth }; });
		ok(t.h <= t.lh * 1.5 + 2, `a ${title.length}-character title is one line high (${t.h}px)`);
		ok(t.full === title && t.cut, 'the cut title is whole in its tooltip');
		// 13-14: --no-source
		page = await b.open(nosrcHtml);
		await page.locator('#top tbody tr', { hasText: /^.*\bA$/ }).first().click();
		ok(await R(() => document.querySelectorAll('#src td.code').length > 0 &&
			Array.from(document.querySelectorAll('#src tr.hot td.code')).every((td) => td.textContent === '')), '--no-source: lines with counts, no text');
		ok(await R(() => /source not in the report/.test(document.querySelector('#src h3').textContent)), '--no-source: the view says the source is not in the report');
		// 15-16: a deep flame graph opens on its populated part
		page = await b.open(deepHtml);
		const deep = await R(() => {
			const sc = document.getElementById('flame-scroll'), all = cprofReport.flameRects('all')[0];
			return { top: sc.scrollTop, h: sc.clientHeight, sh: sc.scrollHeight, y: all && all.y };
		});
		ok(deep.sh > deep.h && deep.top > 0, `a 400-deep graph scrolls in its box (scrollTop ${deep.top} of ${deep.sh}, box ${deep.h})`);
		ok(deep.y !== undefined && deep.y >= deep.top && deep.y < deep.top + deep.h, 'the root row is in view when the report opens');
		// 17-18: a long name is cut in the table, whole on hover
		const cell = await R((n) => {
			const td = Array.from(document.querySelectorAll('#top td.name')).find((x) => x.title === n);
			return td ? { cut: td.scrollWidth > td.clientWidth, h: td.getBoundingClientRect().height } : null;
		}, longName);
		ok(cell && cell.cut, `a ${longName.length}-character name is cut in the Top table, its title is the whole name`);
		ok(cell && cell.h < 30, 'and its row stays one line high');
		// 19-20: fractional counts (main;A 1.5, main;B 0.25, main 3) are shown exactly
		page = await b.open(fracHtml);
		const cells = await R(() => Object.fromEntries(Array.from(document.querySelectorAll('#top tbody tr'))
			.map((tr) => [tr.cells[4].textContent, [tr.cells[0].textContent, tr.cells[2].textContent]])));
		is(JSON.stringify([cells.A, cells.B]), JSON.stringify([['1.5', '1.5'], ['0.25', '0.25']]),
			'fractional counts: the Top table shows A\'s 1.5 and B\'s 0.25 exactly (flat, cum)');
		is(cells.main && cells.main[1], '4.75', 'and main\'s cum, their sum with 3, 4.75');
		// 21: nothing went wrong
		const ev = b.events;
		ok(!ev.console.length && !ev.errors.length && !ev.dialogs.length && !ev.requests.length, 'no console errors, page errors, dialogs or requests', ev);
	} catch (e) {
		diag(e.stack || String(e));
		ok(false, 'the test ran to its end');
	} finally {
		await b.close();
		done();
	}
})();
