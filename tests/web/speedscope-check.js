// Validates cprof-html --speedscope output against speedscope's published
// file format (https://www.speedscope.app/file-format-schema.json, generated
// from jlfwong/speedscope src/lib/file-format-spec.ts), transcribed below as
// a small JSON schema, and against cprof-raw's account of the same input.
//   node speedscope-check.js NAME SPEEDSCOPE.json [RAW.txt]   (prints TAP lines, no plan)
'use strict';
const fs = require('fs');

// The parts of the schema a sampled-profile file uses (plus evented, so a
// wrong "type" is caught by the union rather than passing by accident).
const Unit = { enum: ['none', 'nanoseconds', 'microseconds', 'milliseconds', 'seconds', 'bytes'] };
const SCHEMA = {
	type: 'object',
	required: ['$schema', 'shared', 'profiles'],
	additionalProperties: false,
	properties: {
		$schema: { const: 'https://www.speedscope.app/file-format-schema.json' },
		shared: {
			type: 'object', required: ['frames'], additionalProperties: false,
			properties: {
				frames: {
					type: 'array',
					items: {
						type: 'object', required: ['name'], additionalProperties: false,
						properties: { name: { type: 'string' }, file: { type: 'string' }, line: { type: 'number' }, col: { type: 'number' } },
					},
				},
			},
		},
		profiles: {
			type: 'array',
			items: {
				anyOf: [
					{
						type: 'object', additionalProperties: false,
						required: ['type', 'name', 'unit', 'startValue', 'endValue', 'samples', 'weights'],
						properties: {
							type: { const: 'sampled' }, name: { type: 'string' }, unit: Unit,
							startValue: { type: 'number' }, endValue: { type: 'number' },
							samples: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
							weights: { type: 'array', items: { type: 'number' } },
						},
					},
					{
						type: 'object', additionalProperties: false,
						required: ['type', 'name', 'unit', 'startValue', 'endValue', 'events'],
						properties: {
							type: { const: 'evented' }, name: { type: 'string' }, unit: Unit,
							startValue: { type: 'number' }, endValue: { type: 'number' }, events: { type: 'array' },
						},
					},
				],
			},
		},
		name: { type: 'string' },
		activeProfileIndex: { type: 'number' },
		exporter: { type: 'string' },
	},
};

// A validator for the keywords used above; returns a list of errors.
function validate(v, s, at, errs) {
	const type = (x) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);
	if (s.anyOf) {
		const sub = s.anyOf.map((alt) => validate(v, alt, at, []));
		if (!sub.some((e) => e.length === 0)) errs.push(`${at}: matches no alternative (${sub.map((e) => e[0]).join(' | ')})`);
		return errs;
	}
	if (s.const !== undefined && v !== s.const) errs.push(`${at}: must be ${JSON.stringify(s.const)}`);
	if (s.enum && !s.enum.includes(v)) errs.push(`${at}: must be one of ${s.enum.join(', ')}`);
	if (s.type && type(v) !== s.type) { errs.push(`${at}: must be ${s.type}, is ${type(v)}`); return errs; }
	if (s.type === 'object') {
		for (const r of s.required || []) if (!(r in v)) errs.push(`${at}: missing ${r}`);
		for (const k of Object.keys(v)) {
			if (s.properties && s.properties[k]) validate(v[k], s.properties[k], at + '.' + k, errs);
			else if (s.additionalProperties === false) errs.push(`${at}: unexpected property ${k}`);
		}
	}
	if (s.type === 'array' && s.items) {
		for (let i = 0; i < v.length && errs.length < 20; i++) validate(v[i], s.items, `${at}[${i}]`, errs);
	}
	return errs;
}

let n = Number(process.env.TAP_START || 0), failed = 0;
function ok(c, name, d) {
	n++;
	console.log((c ? 'ok ' : 'not ok ') + n + ' - ' + name);
	if (!c) { failed++; if (d) console.log('# ' + String(d).split('\n').join('\n# ')); }
}

const [name, file, rawFile] = process.argv.slice(2);
let doc = null;
try { doc = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { /* reported below */ }
ok(doc !== null, `${name}: the speedscope output is JSON`);
const errs = doc ? validate(doc, SCHEMA, '$', []) : ['not JSON'];
ok(errs.length === 0, `${name}: valid against speedscope's file format schema`, errs.slice(0, 5).join('\n'));
// what the schema cannot say: indices in range, one weight per sample, end >= start
const nf = doc ? doc.shared.frames.length : 0;
const sem = [];
for (const p of (doc && doc.profiles) || []) {
	if (p.samples.length !== p.weights.length) sem.push(`${p.name}: ${p.samples.length} samples, ${p.weights.length} weights`);
	if (!(p.endValue >= p.startValue)) sem.push(`${p.name}: endValue < startValue`);
	for (const s of p.samples) for (const f of s) if (!Number.isInteger(f) || f < 0 || f >= nf) { sem.push(`${p.name}: frame index ${f} out of range`); break; }
}
ok(sem.length === 0 && doc && doc.profiles.length > 0, `${name}: every stack indexes shared.frames, one weight per sample, endValue >= startValue`, sem.slice(0, 5).join('\n'));

if (rawFile && doc) {
	// the same samples as cprof-raw: per thread, in time order, stacks root first
	const raw = [];
	for (const line of fs.readFileSync(rawFile, 'utf8').split('\n')) {
		if (!line || line[0] === '#') continue;
		const f = line.split(' ');
		raw.push({ tid: Number(f[1]), w: Number(f[3]), stack: f[f.length - 1] });
	}
	const tids = [...new Set(raw.map((s) => s.tid))].sort((a, b) => a - b);
	// "NAME (pid P, tid T)": one profile per thread, grouped by process
	const tidOf = (p) => { const m = /tid (\d+)\)$/.exec(p.name); return m ? Number(m[1]) : -1; };
	const pidOf = (p) => { const m = /\(pid (\d+), tid/.exec(p.name); return m ? Number(m[1]) : 0; };
	const byTid = new Map(doc.profiles.map((p) => [tidOf(p), p]));
	const sorted = doc.profiles.every((p, k) => k === 0 || pidOf(doc.profiles[k - 1]) < pidOf(p) ||
		(pidOf(doc.profiles[k - 1]) === pidOf(p) && tidOf(doc.profiles[k - 1]) < tidOf(p)));
	ok(doc.profiles.length === tids.length && tids.every((t) => byTid.has(t)) && sorted,
		`${name}: one sampled profile per thread (${tids.length}), ordered by (pid, tid)`, doc.profiles.map((p) => p.name).join(', '));
	const bad = [];
	tids.forEach((tid) => {
		const p = byTid.get(tid);
		if (!p) return;
		const want = raw.filter((s) => s.tid === tid);
		const got = p.samples.map((s) => s.map((f) => doc.shared.frames[f].name).join(';'));
		if (got.length !== want.length) bad.push(`tid ${tid}: ${got.length} samples, want ${want.length}`);
		else for (let i = 0; i < got.length; i++) if (got[i] !== want[i].stack || p.weights[i] !== want[i].w) { bad.push(`tid ${tid} sample ${i}: ${got[i]} ${p.weights[i]} vs ${want[i].stack} ${want[i].w}`); break; }
	});
	ok(bad.length === 0, `${name}: stacks (root first) and weights equal cprof-raw's, sample by sample`, bad.join('\n'));
}
process.exitCode = failed ? 1 : 0;
