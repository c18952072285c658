// cprof-html against hostile names and inputs without timestamps, and its
// command line on bad input. Names that look like HTML must render as text
// and run nothing; pprof/folded reports say why there is no timeline.
//   node report-hostile.js BINDIR GOLDENDIR TMPDIR
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { plan, ok, is, launch, done } = require('./lib.js');

const [bin, golden, tmp] = process.argv.slice(2);
const html = path.join(bin, 'cprof-html');
const run = (args, opts) => spawnSync(html, args, Object.assign({ encoding: 'utf8', timeout: 30000 }, opts || {}));
const EVIL = '<img src=x onerror=alert(1)>';
const BREAK = '</script><!--b';
const WIDE = 'caf\u00e9\u2192\u{1f600}'; // beyond ASCII: 2-, 3- and 4-byte UTF-8

plan(26);
(async () => {
	// 1-3: the command line
	const help = run(['--help']);
	ok(help.status === 0 && /--speedscope/.test(help.stdout) && /Example/i.test(help.stdout), '--help lists the options and an example');
	const noarg = run([]);
	ok(noarg.status === 2 && /^cprof-html: /.test(noarg.stderr), 'no input: usage error, exit 2', noarg.stderr);
	fs.writeFileSync(path.join(tmp, 'junk.bin'), Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x10, 0x80, 0x00]));
	const out = path.join(tmp, 'junk.html');
	const bad = run([path.join(tmp, 'junk.bin'), '-o', out]);
	ok(bad.status !== 0 && bad.stderr.trim().split('\n').length === 1 && bad.stderr.startsWith('cprof-html: ' + path.join(tmp, 'junk.bin') + ': ') &&
		!fs.existsSync(out), 'bad input: one line naming the file, non-zero exit, no output file', bad.stderr);

	// 4-5: hostile names from folded input; deterministic bytes
	const folded = path.join(tmp, 'evil.folded');
	fs.writeFileSync(folded, `main;${EVIL} 5\nmain;${BREAK} 3\nmain;A 2\nmain;${WIDE} 4\n`);
	const evil = path.join(tmp, 'evil.html');
	const r1 = run([folded, '-o', evil, '--title', `t ${BREAK} ${EVIL} ${WIDE}`]);
	ok(r1.status === 0, 'cprof-html writes the report of hostile names', r1.stderr);
	const r2 = run([folded, '--title', `t ${BREAK} ${EVIL} ${WIDE}`]);
	ok(r2.stdout === fs.readFileSync(evil, 'utf8'), 'same input, same bytes (stdout and -o agree)');
	ok(!/[^\x00-\x7f]/.test(fs.readFileSync(evil, 'latin1')), 'the page is all ASCII (names and title beyond ASCII escaped)');
	// 6: /dev/full is an error
	const full = spawnSync('sh', ['-c', `"${html}" "${folded}" > /dev/full`], { encoding: 'utf8' });
	ok(full.status !== 0 && /cprof-html: /.test(full.stderr), 'writing to a full disk fails loudly', full.stderr);

	const b = await launch();
	try {
		// 7-15: the hostile report in the browser
		const page = await b.open(evil);
		const dom = await page.evaluate(() => ({
			imgs: document.querySelectorAll('img').length,
			scripts: document.scripts.length,
			cells: Array.from(document.querySelectorAll('#top td.name')).map((td) => td.textContent),
			stacks: Array.from(document.querySelectorAll('#stacks td.name')).map((td) => td.textContent),
			title: document.getElementById('title').textContent,
			note: document.getElementById('notimeline').hidden ? null : document.getElementById('notimeline').textContent,
			canvasShown: !document.getElementById('timeline').hidden,
			total: cprofReport.flameTotal('<img src=x onerror=alert(1)>').total,
		}));
		is(dom.imgs, 0, 'no <img> element came out of a function name');
		is(dom.scripts, 2, 'the page has exactly its two script elements (data + viewer)');
		ok(dom.cells.includes(EVIL) && dom.cells.includes(BREAK), 'the top table shows the names as text', dom.cells);
		ok(dom.cells.includes(WIDE) && dom.stacks.includes('main;' + WIDE), 'a name beyond ASCII reads back whole: ' + WIDE, dom.cells);
		ok(dom.stacks.includes('main;' + EVIL), 'the stack table shows main;' + EVIL, dom.stacks);
		is(dom.title, `t ${BREAK} ${EVIL} ${WIDE}`, 'the title is text too');
		is(dom.total, 5, 'the hostile frame carries its 5 samples');
		await page.hover('#flame', { position: { x: 20, y: 5 } }).catch(() => {});
		await page.fill('#search', 'img|script');
		await page.waitForTimeout(50);
		is(JSON.stringify(b.events.dialogs), '[]', 'no alert() ran');
		ok(dom.note && /no timestamps/.test(dom.note) && !dom.canvasShown, 'folded input: no timeline, and the page says why', dom.note);
		is(await page.evaluate(() => cprofReport.matched().value), 8, 'a search matching both hostile names finds their 8 samples');

		// 16-18: pprof input (a Go CPU profile) opens with aggregated views only
		const pb = path.join(tmp, 'go.html');
		const rp = run([path.join(golden, 'go-views.pb.gz'), '-o', pb]);
		ok(rp.status === 0, 'cprof-html reads a gzipped pprof profile', rp.stderr);
		const p2 = await b.open(pb);
		const g = await p2.evaluate(() => ({
			note: document.getElementById('notimeline').hidden ? null : document.getElementById('notimeline').textContent,
			rows: document.querySelectorAll('#top tbody tr').length,
			boxes: cprofReport.flameRects('all').length,
		}));
		ok(g.note && g.note.startsWith('No timeline: pprof input'), 'pprof input: the page says why there is no timeline', g.note);
		ok(g.rows > 0 && g.boxes === 1, 'pprof input: flame graph and top table are there');

		// 19-20: a raw file that ends half-way still gives a report (with a warning)
		const rawIn = path.join(golden, 'abc.cprof');
		const data = fs.readFileSync(rawIn);
		const cut = path.join(tmp, 'cut.cprof');
		fs.writeFileSync(cut, data.subarray(0, Math.floor(data.length * 0.6)));
		const rc = run([cut, '-o', path.join(tmp, 'cut.html')]);
		ok(rc.status === 0 && /cut\.cprof/.test(rc.stderr), 'a truncated raw file: report plus a warning naming it', rc.stderr);
		const p3 = await b.open(path.join(tmp, 'cut.html'));
		ok(await p3.evaluate(() => cprofReport.hasTimeline && cprofReport.timelineCounts().reduce((a, c) => a + c, 0) === cprofReport.samples),
			'the truncated recording still has its timeline');

		// 21-22: a recording without a single sample opens and says so
		const rec = spawnSync(path.join(bin, 'cprof-record'), ['-q', '-o', path.join(tmp, 'empty.cprof'), '--', '/bin/true'], { encoding: 'utf8', timeout: 30000 });
		const re = run([path.join(tmp, 'empty.cprof'), '-o', path.join(tmp, 'empty.html')]);
		ok(rec.status === 0 && re.status === 0, 'a recording of /bin/true (no samples) gives a report', rec.stderr + re.stderr);
		const p4 = await b.open(path.join(tmp, 'empty.html'));
		const e = await p4.evaluate(() => ({ n: cprofReport.samples, note: document.getElementById('notimeline').hidden ? null : document.getElementById('notimeline').textContent }));
		ok(e.n === 0 && e.note && e.note.startsWith('No samples'), 'the empty report says there are no samples', e);

		// 23-24
		is(JSON.stringify(b.events.console.concat(b.events.errors)), '[]', 'no console errors and no uncaught exceptions');
		is(JSON.stringify(b.events.requests), '[]', 'no network request, not even for x (the <img> source)');
	} catch (e) {
		ok(false, 'browser session: ' + e.message);
	} finally {
		await b.close();
		done();
	}
})();
