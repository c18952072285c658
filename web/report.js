/*
 * cprof report viewer: one self-contained page, no network, no framework.
 *
 * The profile arrives as JSON in <script type="application/json" id="cprof-data">
 * (written by tools/html.c; see docs/cprof-html.md for the layout):
 *   strings[]            every name and file once
 *   frames[]             flat triples (name string, file string, line)
 *   nodeParent, nodeFrame  per stack node: its parent (relative) and frame: a
 *                        prefix tree, root first, parents before children, so a
 *                        deep shared prefix is stored once
 *   leafNode             the leaves: the nodes samples point to, the most
 *                        sampled first (absent: a sample points at its node)
 *   samples{}            column arrays (stack: the leaf, values per type, time
 *                        deltas, thread, labelset, flags); a column that is the
 *                        same for every sample is a single number
 *
 * Everything the views need is re-aggregated from those columns in typed arrays:
 * a pass over the samples that pass the filters (time range, threads, label,
 * on/off-CPU) adds their values to their leaf; the flame graph's tree (stack
 * nodes merged by function name) and the top tables are then sums over leaves
 * and nodes, O(nodes), never O(samples x depth).
 *
 * All names reach the page through textContent or canvas fillText, never
 * innerHTML: a function named like an HTML tag is just text.
 */
(async function () {
	'use strict';

	const t0Load = performance.now();
	const $ = (id) => document.getElementById(id);
	const marks = {};
	const mark = (name) => { marks[name] = Math.round(performance.now() - t0Load); };
	const D = JSON.parse($('cprof-data').textContent);
	mark('parse');
	await inflateColumns(D);
	mark('inflate');
	const S = D.strings;
	const NSTR = S.length;


	/* ---- inflating the "z" columns ---------------------------------------- */
	function b64bytes(s) {
		if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(s);
		const bin = atob(s), bytes = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
		return bytes;
	}
	// zigzag LEB128 varints (protobuf's sint64) + base -> out[0..len), exact
	// below 2^53. One pass straight into the column. Most entries of a
	// recording's columns (time deltas, weights, parents) take one or two
	// bytes, in no predictable order: those are read without a branch on
	// which (the next varint's first byte is read too, masked off when it
	// is not this one's: the last entry, with nothing after it, goes the
	// general way); longer ones take unvarintOne.
	function unvarintInto(out, b, base, len) {
		let i = 0, k = 0;
		for (; k < len - 1; k++) {
			const y0 = b[i], y1 = b[i + 1];
			if ((y0 & y1) < 128) {
				const c = y0 >> 7, x = (y0 & 127) | (((y1 & 127) << 7) & -c);
				i += 1 + c;
				out[k] = ((x >>> 1) ^ -(x & 1)) + base;
			} else {
				i = unvarintOne(out, b, base, i, k);
			}
		}
		for (; k < len; k++) i = unvarintOne(out, b, base, i, k);
	}
	// entry k from byte i; returns the next entry's byte. Values of up to 4
	// bytes (28 bits: ids, time deltas) stay in int32 arithmetic; a longer
	// one (a first timestamp) takes the float path.
	function unvarintOne(out, b, base, i, k) {
		let y = b[i++], x = y & 127;
		if (y >= 128) {
			y = b[i++]; x |= (y & 127) << 7;
			if (y >= 128) {
				y = b[i++]; x |= (y & 127) << 14;
				if (y >= 128) {
					y = b[i++]; x |= (y & 127) << 21;
					if (y >= 128) {
						let v = x, mul = 268435456; // 2^28
						do { y = b[i++]; v += (y & 127) * mul; mul *= 128; } while (y >= 128);
						out[k] = (v % 2 === 0 ? v / 2 : -(v + 1) / 2) + base;
						return i;
					}
				}
			}
		}
		out[k] = ((x >>> 1) ^ -(x & 1)) + base;
		return i;
	}
	// base + W-byte unsigned integers in byte planes (every entry's lowest
	// byte, then every entry's next one...) -> out[0..len): one loop per
	// width, no branch per byte. Two copies, one per element type, so that
	// each stays monomorphic.
	function unplanarInt32(out, b, base, len, w) {
		if (w === 1) for (let i = 0; i < len; i++) out[i] = b[i] + base;
		else if (w === 2) for (let i = 0; i < len; i++) out[i] = (b[i] | b[len + i] << 8) + base;
		else for (let i = 0, l2 = 2 * len; i < len; i++) out[i] = (b[i] | b[len + i] << 8 | b[l2 + i] << 16) + base;
	}
	function unplanarFloat64(out, b, base, len, w) {
		for (let i = 0; i < len; i++) {
			let x = 0;
			for (let k = w - 1; k >= 0; k--) x = x * 256 + b[k * len + i];
			out[i] = x + base;
		}
	}
	// Columns in the "z" form (varints, raw deflate, base64: the big ones of a
	// recording) are inflated by the browser's own zlib, all at once, before
	// anything else reads them.
	async function inflateColumns(d) {
		const s = d.samples || {};
		const cols = [d.nodeParent, d.nodeFrame, d.merges, d.leafNode, s.stack, s.time, s.thread, s.labelset, s.flags].concat(s.values || []);
		const z = cols.filter((c) => c && typeof c === 'object' && typeof c.z === 'string');
		if (z.length && typeof DecompressionStream !== 'function')
			throw new Error('this browser cannot inflate the report\'s data (no DecompressionStream: Chrome 80+, Firefox 113+, Safari 16.4+ can)');
		await Promise.all(z.map(async (c) => {
			// (a stream of the bytes in the page: a Blob's stream is read
			// through the browser process)
			const bytes = b64bytes(c.z);
			const src = new ReadableStream({ start(ctl) { ctl.enqueue(bytes); ctl.close(); } });
			const stream = src.pipeThrough(new DecompressionStream('deflate-raw'));
			c.zdata = new Uint8Array(await new Response(stream).arrayBuffer()); // decoded by column()
			c.z = null;
		}));
	}

	/* ---- decoding ------------------------------------------------------ */
	const N = D.samples.n;
	const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
	// A column of len entries (default: one per sample) in any of the forms
	// tools/html.c writes (docs/cprof-html.md)
	function column(c, Type, len = N) {
		if (c === undefined || c === null) return null;
		if (typeof c === 'number') return new Type(len).fill(c);
		if (Array.isArray(c)) return new Type(c); // the constructor: no iterator protocol
		const b = c.base || 0;
		if (c.zdata && c.bytes) { // base + byte planes, inflated by inflateColumns
			if (Type === Int32Array && c.bytes <= 3 && b >= -2147483648 && b + 16777216 <= 2147483647) {
				const o = new Int32Array(len); // (ids: straight into the column)
				unplanarInt32(o, c.zdata, b, len, c.bytes);
				return o;
			}
			const f = new Float64Array(len);
			unplanarFloat64(f, c.zdata, b, len, c.bytes);
			return Type === Float64Array ? f : new Type(f);
		}
		if (c.zdata) { // base + varints, inflated by inflateColumns
			// always into doubles, then converted natively: one element type
			// keeps the decoder monomorphic (a second one deoptimizes it)
			const f = new Float64Array(len);
			unvarintInto(f, c.zdata, b, len);
			return Type === Float64Array ? f : new Type(f);
		}
		const out = new Type(len);
		if (c.runs) { // [value, count, ...]
			const r = c.runs;
			for (let j = 0, k = 0; j < r.length; j += 2) { out.fill(r[j], k, k + r[j + 1]); k += r[j + 1]; }
		} else if (c.d) { // base + deltas
			addBase(out, c.d, b, len);
		} else if (typeof c.i32 === 'string') { // base + little-endian int32, base64
			const bytes = b64bytes(c.i32);
			if (littleEndian) addBase(out, new Int32Array(bytes.buffer, 0, len), b, len);
			else { const dv = new DataView(bytes.buffer); for (let i = 0; i < len; i++) out[i] = dv.getInt32(4 * i, true) + b; }
		}
		return out;
	}
	function addBase(out, a, b, len) { for (let i = 0; i < len; i++) out[i] = a[i] + b; }
	const nFrames = D.frames.length / 3;
	// (hot loops live in small functions: V8 optimizes those quickly, not
	// the loops at the top level of this one big closure)
	const fName = new Int32Array(nFrames), fFile = new Int32Array(nFrames), fLine = new Float64Array(nFrames);
	(function (fr) {
		for (let i = 0; i < nFrames; i++) { fName[i] = fr[3 * i]; fFile[i] = fr[3 * i + 1]; fLine[i] = fr[3 * i + 2]; }
	})(D.frames);
	const nNodes = D.nodes;
	const sFrame = column(D.nodeFrame, Int32Array, nNodes) || new Int32Array(0);
	// parents are stored relative (id - parent; 0 for a root): mostly 1, so short
	const sParent = (function (parent) {
		for (let i = 0; i < nNodes; i++) parent[i] = parent[i] > 0 ? i - parent[i] : -1;
		return parent;
	})(column(D.nodeParent, Int32Array, nNodes) || new Int32Array(0));

	// each sample's leaf (the most sampled first), an index into leafNode,
	// the leaves' stack nodes: the samples are summed per leaf, a small
	// table with its hot part first (docs/cprof-html.md); without leafNode
	// (an aggregated profile) a sample's stack is its node
	const nLeaves = D.leafNode === undefined ? nNodes : D.leaves;
	const leafNode = D.leafNode === undefined ? (function (a) { // (a loop: Int32Array.from with a function takes ~7x as long)
		for (let i = 0; i < a.length; i++) a[i] = i;
		return a;
	})(new Int32Array(nNodes)) : column(D.leafNode, Int32Array, nLeaves);
	const sLeaf = column(D.samples.stack, Int32Array);
	const nValues = D.valueTypes.length;
	// a value type the same for every sample (e.g. the sample count, 1) is
	// kept as that number (sConst), not as a column of it
	const sConst = D.samples.values.map((c) => (typeof c === 'number' ? c : null));
	const sValues = D.samples.values.map((c) => (typeof c === 'number' ? null : column(c, Float64Array)));
	const hasTime = !!D.hasTimestamps && D.samples.time !== undefined && D.samples.time !== null;
	let sTime = null;
	if (hasTime) {
		sTime = column(D.samples.time, Float64Array); // deltas, made times by timeScan below
	}
	const threads = D.threads || []; // [tid, name string, pid], by (pid, tid)
	// Several processes (merged files of one run): tracks are grouped by
	// process, each label says its pid, and a line separates the groups.
	const multiProc = new Set(threads.map((t) => t[2] || 0)).size > 1;
	const threadLabel = (t) => (multiProc ? (t[2] || '?') + ' \u203a ' : '') + (S[t[1]] || 'thread') + ' ' + t[0];
	const sThread = column(D.samples.thread, Int32Array) || new Int32Array(N);
	const sLabelset = column(D.samples.labelset, Int32Array) || new Int32Array(N);
	const allOnCpu = D.samples.flags === undefined || D.samples.flags === null || D.samples.flags === 0; // (the column's constant form)
	const sFlags = column(D.samples.flags, Uint8Array) || new Uint8Array(N);
	const labelsets = D.labelsets || [[]];
	const meta = D.meta || {};
	const isWall = meta.mode === 'wall';
	const countIdx = Math.max(0, D.valueTypes.findIndex((v) => v[0] === 'samples'));
	// the "weight" of a sample on the timeline: its time value (cpu/wall ns) if any
	const timeValIdx = D.valueTypes.findIndex((v) => v[1] === 'nanoseconds');
	// D.samples.weight: per-sample time covered (ns), when values do not give it
	const sWeight = timeValIdx < 0 ? null : sValues[timeValIdx] || new Float64Array(N).fill(sConst[timeValIdx]);
	D.samples = null; D.frames = null; D.nodeParent = null; D.nodeFrame = null; D.leafNode = null; // let the parser's arrays go

	mark('decode');
	/* ---- the flame tree: stack nodes merged by (parent, function name) ---- */
	// flame node 0 is the root ("all"); parents precede children. A stack
	// node starts the next flame node unless cprof-html listed it in
	// "merges" (pairs: node offset from the previous one listed, flame node)
	// as one more node of an existing flame node: no table needed here.
	const s2f = new Int32Array(nNodes);
	const [fnParent, fnName] = (function (mg, nMg) {
		let nF = 1, m = 0, next = nMg > 0 ? mg[0] : -1;
		const fnParent = new Int32Array(nNodes + 1), fnName = new Int32Array(nNodes + 1);
		fnParent[0] = -1; fnName[0] = -1;
		for (let i = 0; i < nNodes; i++) {
			if (i === next) {
				s2f[i] = mg[2 * m + 1];
				if (++m < nMg) next += mg[2 * m];
				continue;
			}
			fnParent[nF] = sParent[i] < 0 ? 0 : s2f[sParent[i]];
			fnName[nF] = fName[sFrame[i]];
			s2f[i] = nF++;
		}
		return [fnParent.slice(0, nF), fnName.slice(0, nF)];
	})(column(D.merges, Int32Array, 2 * D.merged), D.merged);
	const nF = fnParent.length;
	const leafFlame = (function (lf) { // each leaf's flame node
		for (let l = 0; l < nLeaves; l++) lf[l] = s2f[leafNode[l]];
		return lf;
	})(new Int32Array(nLeaves));
	mark('flamehash');
	// a representative frame (file, line) per flame node, for tooltips: built on first use
	let fnFrameCache = null;
	function fnFrame() {
		if (!fnFrameCache) {
			fnFrameCache = new Int32Array(nF).fill(-1);
			for (let i = 0; i < nNodes; i++) if (fnFrameCache[s2f[i]] < 0) fnFrameCache[s2f[i]] = sFrame[i];
		}
		return fnFrameCache;
	}

	// children lists (CSR); with rank (a key per node below nRank), each
	// node's children in rank order, ties by id -- sorted by name as
	// flamegraph.pl does. A counting sort by rank, then the nodes are
	// dealt to their parents in that order: O(n + nRank), no comparisons.
	function childrenCSR(parent, n, rank, nRank) {
		const cnt = new Int32Array(n + 1);
		for (let i = 0; i < n; i++) if (parent[i] >= 0) cnt[parent[i] + 1]++;
		for (let i = 0; i < n; i++) cnt[i + 1] += cnt[i];
		const start = cnt.slice(), kids = new Int32Array(Math.max(0, cnt[n]));
		deal(parent, rank ? countingOrder(rank, n, nRank) : null, n, kids, cnt.slice());
		return { start, kids };
	}
	function deal(parent, order, n, kids, fill) { // each node to its parent's list, in order
		for (let j = 0; j < n; j++) {
			const i = order ? order[j] : j, p = parent[i];
			if (p >= 0) kids[fill[p]++] = i;
		}
	}
	function countingOrder(rank, n, nRank) { // 0..n-1 stably sorted by rank[i]
		const pos = new Int32Array(nRank + 1);
		for (let i = 0; i < n; i++) pos[rank[i] + 1]++;
		for (let r = 0; r < nRank; r++) pos[r + 1] += pos[r];
		const order = new Int32Array(n);
		for (let i = 0; i < n; i++) order[pos[rank[i]]++] = i;
		return order;
	}
	// each string's rank in name order (the callers/callees trees sort by it): built on first use
	let nameRankCache = null;
	function nameRank() {
		if (!nameRankCache) {
			nameRankCache = new Int32Array(NSTR + 1);
			const order = Array.from(S.keys()).sort((a, b) => (S[a] < S[b] ? -1 : S[a] > S[b] ? 1 : 0));
			order.forEach((si, r) => { nameRankCache[si] = r; });
		}
		return nameRankCache;
	}
	// cprof-html numbers the flame nodes in preorder, each node's children
	// in name order (JavaScript's string order, as flamegraph.pl sorts): a
	// node's subtree is the fSize[v] nodes from v, so its children are
	// v + 1, then each next one after the last one's subtree:
	//   for (let c = v + 1, e = v + fSize[v]; c < e; c += fSize[c])
	const fSize = (function (parent, n) {
		const size = new Int32Array(n).fill(1);
		for (let f = n - 1; f > 0; f--) size[parent[f]] += size[f];
		return size;
	})(fnParent, nF);
	mark('flamekids');

	// first[i]: no ancestor of node i has the same key (-1 .. nKeys-1), so
	// cum counts a recursive function once. One DFS with a per-key depth counter.
	function firstOccurrence(n, kids, roots, keyOf, nKeys) {
		const first = new Uint8Array(n), seen = new Int32Array(nKeys + 1);
		const stack = new Int32Array(2 * n + roots.length + 1);
		let sp = 0;
		const ks = kids.start, kk = kids.kids;
		for (const r of roots) stack[sp++] = r;
		while (sp) {
			const v = stack[--sp];
			if (v < 0) { seen[keyOf[~v] + 1]--; continue; }
			const k = keyOf[v] + 1;
			if (seen[k] === 0) first[v] = 1;
			seen[k]++;
			stack[sp++] = ~v;
			for (let j = ks[v]; j < ks[v + 1]; j++) stack[sp++] = kk[j];
		}
		return first;
	}
	// (only the Top table's cum, the callers/callees and tests need it: built on first use)
	let fFirstCache = null;
	const fFirstOcc = () => fFirstCache || (fFirstCache = firstOccurrence(nF, childrenCSR(fnParent, nF, null, 0), [0], fnName, NSTR));
	// the same for stack nodes by frame (the top table by line): built on first use
	let sFirstCache = null;
	function sFirstOcc() {
		if (sFirstCache) return sFirstCache;
		const sRoots = [];
		for (let i = 0; i < nNodes; i++) if (sParent[i] < 0) sRoots.push(i);
		sFirstCache = firstOccurrence(nNodes, childrenCSR(sParent, nNodes, null, 0), sRoots, sFrame, nFrames);
		return sFirstCache;
	}

	mark('trees');
	/* ---- per-thread runs of samples (timeline) ---------------------------- */
	// cprof-html writes the samples grouped by thread, each thread's run in
	// time order (docs/cprof-html.md): thread k is samples thStart[k] ..
	// thStart[k] + thLen[k], and its time, weight, off-CPU flag and colour
	// (refreshed when the filters change) are views of the columns, so the
	// timeline's draw loop reads memory sequentially.
	const thStart = new Int32Array(threads.length), thLen = new Int32Array(threads.length);
	const thTime = [], thW = [], thOff = [], thCol = [];
	const sCol = hasTime ? new Int32Array(N) : null; // per sample: its colour on the timeline
	let tMin = 0, tMax = 1, maxWeight = 0, minWeight = 0;
	// One pass over the samples (one loop for V8 to optimize, not three):
	// deltas -> times, each thread's run (its first sample, its length), and
	// the time axis: from the earliest sample's start (time - weight) to the
	// last sample, with the largest weight
	function timeScan(t, w, th, start, len, n) {
		let lo = Infinity, hi = -Infinity, mw = 0, nw = 0;
		for (let i = 0; i < n; i++) {
			if (i > 0) t[i] += t[i - 1];
			const k = th[i], ti = t[i], x = w[i];
			if (len[k]++ === 0) start[k] = i;
			if (ti - x < lo) lo = ti - x;
			if (ti > hi) hi = ti;
			if (x > mw) mw = x;
			if (x < nw) nw = x;
		}
		return [lo, hi, mw, nw];
	}
	if (hasTime && N > 0) {
		const W = sWeight || new Float64Array(N);
		[tMin, tMax, maxWeight, minWeight] = timeScan(sTime, W, sThread, thStart, thLen, N);
		for (let k = 0; k < threads.length; k++) {
			const a = thStart[k], b = a + thLen[k];
			thTime.push(sTime.subarray(a, b)); thW.push(W.subarray(a, b));
			thOff.push(sFlags.subarray(a, b)); thCol.push(sCol.subarray(a, b));
		}
		if (tMin > 0 && tMin < (tMax - tMin) * 0.05) tMin = 0;
		if (!(tMax > tMin)) tMax = tMin + 1;
	}

	mark('threads');
	/* ---- colours: a hash of the name, flamegraph.pl's warm palette ------- */
	function hashName(s) {
		let h = 2166136261;
		for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
		return h >>> 0;
	}
	const warmCache = new Array(NSTR), coldCache = new Array(NSTR);
	function rgbOf(nameIdx, cold) {
		const cache = cold ? coldCache : warmCache;
		let c = cache[nameIdx];
		if (c) return c;
		const h = hashName(S[nameIdx]);
		const v1 = (h & 255) / 255, v2 = ((h >>> 8) & 255) / 255, v3 = ((h >>> 16) & 255) / 255;
		c = cold ? [Math.round(60 + 40 * v1), Math.round(110 + 60 * v2), Math.round(190 + 55 * v3)]
			: [Math.round(205 + 50 * v3), Math.round(230 * v1), Math.round(55 * v2)];
		cache[nameIdx] = c;
		return c;
	}
	// every name's warm and cold colour, packed (the timeline's): built on first use
	let palettes = null;
	function namePalettes() {
		if (!palettes) {
			palettes = [new Int32Array(NSTR), new Int32Array(NSTR)];
			for (let s = 0; s < NSTR; s++) { palettes[0][s] = packed(rgbOf(s, false), 255); palettes[1][s] = packed(rgbOf(s, true), 255); }
		}
		return palettes;
	}
	const css = (c) => 'rgb(' + c[0] + ',' + c[1] + ',' + c[2] + ')';
	// little-endian RGBA as a signed int32: Int32Array keeps it a small integer (no boxing)
	const packed = (c, a) => ((a << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) | 0;

	/* ---- formatting ------------------------------------------------------ */
	function fmtNs(ns) {
		const a = Math.abs(ns);
		if (a >= 1e9) return (ns / 1e9).toFixed(a >= 1e11 ? 0 : 3) + ' s';
		if (a >= 1e6) return (ns / 1e6).toFixed(2) + ' ms';
		if (a >= 1e3) return (ns / 1e3).toFixed(2) + ' \u00b5s';
		return Math.round(ns) + ' ns';
	}
	// a fixed-point value (valueTypes[j][2] decimals: v stands for v / 10^d),
	// exact, without trailing zeros: 15 with 1 decimal is "1.5"
	function fmtDec(v, d) {
		const s = String(Math.abs(v)).padStart(d + 1, '0');
		const frac = s.slice(s.length - d).replace(/0+$/, '');
		return (v < 0 ? '-' : '') + s.slice(0, s.length - d) + (frac ? '.' + frac : '');
	}
	function fmtVal(v, j) {
		const unit = D.valueTypes[j][1], d = D.valueTypes[j][2] || 0;
		if (d) return fmtDec(v, d);
		if (unit === 'nanoseconds') return fmtNs(v);
		if (unit === 'bytes') return v >= 1048576 ? (v / 1048576).toFixed(2) + ' MiB' : v >= 1024 ? (v / 1024).toFixed(1) + ' KiB' : v + ' B';
		return String(v);
	}
	const pct = (a, b) => (b > 0 ? (100 * a / b).toFixed(2) + '%' : '0.00%');
	function frameLabel(fr) {
		const file = S[fFile[fr]];
		return file ? S[fName[fr]] + ' ' + file + (fLine[fr] > 0 ? ':' + fLine[fr] : '') : S[fName[fr]];
	}
	function flamePath(f) { // names from the root's child down to f
		const out = [];
		for (let v = f; v > 0; v = fnParent[v]) out.push(S[fnName[v]]);
		return out.reverse();
	}

	/* ---- state, kept in the URL fragment ---------------------------------- */
	const defaults = () => ({
		sel: null,          // [t0, t1] ns: the time range that feeds the aggregated views
		view: null,         // [t0, t1] ns: the timeline's visible range (null: all)
		q: '',              // search regex
		focus: [],          // flame graph zoom: path of names from the root
		hl: '',             // function highlighted from the top table
		th: null,           // excluded thread indexes (null: none excluded)
		label: '',          // "key=value" every sample must carry
		cpu: 'all',         // wall mode: all | on | off
		v: D.defaultValue || 0,
		icicle: false,
		top: 'func',
		sort: 'flat',
	});
	let st = defaults();
	function encodeState() {
		const p = new URLSearchParams();
		if (st.sel) p.set('sel', st.sel.map(Math.round).join(','));
		if (st.view) p.set('view', st.view.map(Math.round).join(','));
		if (st.q) p.set('q', st.q);
		if (st.focus.length) p.set('focus', JSON.stringify(st.focus));
		if (st.hl) p.set('hl', st.hl);
		if (st.th && st.th.length) p.set('xth', st.th.map((k) => threads[k][0]).join(','));
		if (st.label) p.set('label', st.label);
		if (st.cpu !== 'all') p.set('cpu', st.cpu);
		if (st.v !== (D.defaultValue || 0)) p.set('v', D.valueTypes[st.v][0]);
		if (st.icicle) p.set('icicle', '1');
		if (st.top !== 'func') p.set('top', st.top);
		if (st.sort !== 'flat') p.set('sort', st.sort);
		return p.toString().replace(/%2C/g, ','); // commas are fine in a fragment, and readable
	}
	function decodeState(hash) {
		const s = defaults();
		const p = new URLSearchParams(hash.replace(/^#/, ''));
		const range = (x) => {
			if (!x) return null;
			const a = x.split(',').map(Number);
			return a.length === 2 && a.every(Number.isFinite) && a[1] > a[0] ? a : null;
		};
		if (hasTime) { s.sel = range(p.get('sel')); s.view = range(p.get('view')); }
		s.q = p.get('q') || '';
		try { const f = JSON.parse(p.get('focus') || '[]'); if (Array.isArray(f)) s.focus = f.map(String); } catch (e) { /* ignore a bad link */ }
		s.hl = p.get('hl') || '';
		if (p.get('xth')) {
			const tids = p.get('xth').split(',').map(Number);
			s.th = threads.map((t, k) => (tids.includes(t[0]) ? k : -1)).filter((k) => k >= 0);
		}
		s.label = p.get('label') || '';
		const cpu = p.get('cpu');
		if (cpu === 'on' || cpu === 'off') s.cpu = cpu;
		const v = D.valueTypes.findIndex((t) => t[0] === p.get('v'));
		if (v >= 0) s.v = v;
		s.icicle = p.get('icicle') === '1';
		if (p.get('top') === 'line') s.top = 'line';
		if (p.get('sort') === 'cum') s.sort = 'cum';
		return s;
	}
	let lastHash = null;
	function saveState() {
		const h = encodeState();
		lastHash = h;
		const url = location.href.replace(/#.*$/, '') + (h ? '#' + h : '');
		try { history.replaceState(null, '', url); } catch (e) { location.hash = h; }
	}

	/* ---- aggregation ----------------------------------------------------- */
	let threadOk = new Uint8Array(threads.length + 1).fill(1);
	let labelOk = new Uint8Array(labelsets.length).fill(1);
	// per value type: the sums per leaf, per flame node (self and total),
	// and per stack node (its own and with its descendants: on first use)
	const agg = {
		leaf: [], flameSelf: [], flameTot: [], node: [], nodeTot: [], total: new Float64Array(nValues), samples: 0,
	};
	for (let j = 0; j < nValues; j++) {
		agg.leaf.push(new Float64Array(nLeaves)); agg.node.push(null); agg.nodeTot.push(null);
		agg.flameSelf.push(new Float64Array(nF)); agg.flameTot.push(new Float64Array(nF));
	}
	function applyFilters() {
		threadOk = new Uint8Array(threads.length + 1).fill(1);
		if (st.th) for (const k of st.th) threadOk[k] = 0;
		labelOk = new Uint8Array(labelsets.length).fill(1);
		if (st.label) {
			const eq = st.label.indexOf('=');
			const key = st.label.slice(0, eq), val = st.label.slice(eq + 1);
			for (let l = 0; l < labelsets.length; l++) {
				const ls = labelsets[l];
				let ok = false;
				for (let j = 0; j < ls.length; j += 2) if (S[ls[j]] === key && S[ls[j + 1]] === val) ok = true;
				labelOk[l] = ok ? 1 : 0;
			}
		}
		// one mask per sample, reused by every aggregation and timeline draw
		const anyThread = !st.th || st.th.length === 0, anyLabel = !st.label, anyCpu = st.cpu === 'all';
		filterAll = anyThread && anyLabel && anyCpu;
		if (filterAll) { passMask.fill(1); return; }
		const on = st.cpu === 'on', off = st.cpu === 'off';
		for (let i = 0; i < N; i++) {
			let ok = threadOk[sThread[i]] & labelOk[sLabelset[i]];
			if (ok && (on || off)) ok = ((sFlags[i] & 1) !== 0) === off ? 1 : 0;
			passMask[i] = ok;
		}
	}
	// The timeline's colours: the leaf function's, grey when filtered out,
	// and -- linked to the other views -- magenta when the sample's stack holds
	// a search match, cyan when it holds the function highlighted from the
	// top table, so one sees WHEN those functions ran.
	// Colours per leaf (on- and off-CPU), then per sample in each thread's
	// time order, so that a zoom redraw reads memory sequentially.
	const leafColOn = new Int32Array(nLeaves), leafColOff = new Int32Array(nLeaves);
	const GREY = packed([200, 200, 200], 255), GREY_OFF = packed([225, 225, 225], 255);
	function colorLeaves() {
		if (!hasTime) return;
		const [warm, cold] = namePalettes(), hlIdx = st.hl ? S.indexOf(st.hl) : -1;
		if (strMatch || hlIdx >= 0) markLeaves(strMatch || new Uint8Array(NSTR), hlIdx, warm, cold);
		else (function (on, off) { // the leaf function's colours
			for (let l = 0; l < nLeaves; l++) { const nm = fName[sFrame[leafNode[l]]]; on[l] = warm[nm]; off[l] = cold[nm]; }
		})(leafColOn, leafColOff);
		colorSamples();
	}
	function markLeaves(match, hlIdx, warm, cold) {
		const magenta = packed([230, 0, 230], 255), cyan = packed([0, 190, 255], 255);
		// per stack node: 1 = a frame on the path matches the search, 2 = holds the highlighted function
		const mark = new Uint8Array(nNodes);
		for (let i = 0; i < nNodes; i++) {
			const p = sParent[i], nm = fName[sFrame[i]];
			let m = p >= 0 ? mark[p] : 0;
			if (match[nm]) m |= 1;
			if (nm === hlIdx) m |= 2;
			mark[i] = m;
		}
		for (let l = 0; l < nLeaves; l++) {
			const v = leafNode[l], m = mark[v], nm = fName[sFrame[v]];
			leafColOn[l] = m & 1 ? magenta : m & 2 ? cyan : warm[nm];
			leafColOff[l] = m & 1 ? magenta : m & 2 ? cyan : cold[nm];
		}
	}
	function colorSamples() {
		if (!hasTime) return;
		if (filterAll && allOnCpu) colorAllOn(sCol, sLeaf, leafColOn, N); // (the open's case: a plain gather)
		else colorInto(sCol, sFlags, sLeaf, passMask, leafColOn, leafColOff, N);
	}
	function colorAllOn(C, stk, on, n) { for (let i = 0; i < n; i++) C[i] = on[stk[i]]; }
	function colorInto(C, O, stk, pass, on, off, n) { // (arguments, not the closure's variables: a tight loop)
		for (let i = 0; i < n; i++)
			C[i] = O[i] & 1 ? (pass[i] ? off[stk[i]] : GREY_OFF) : pass[i] ? on[stk[i]] : GREY;
	}
	const passMask = new Uint8Array(N).fill(1);
	let filterAll = true;
	const passes = (i) => passMask[i] === 1; // all filters except the time range
	// one call per value type keeps the loops monomorphic
	function addAll(node, val, stk, n) { for (let i = 0; i < n; i++) node[stk[i]] += val[i]; }
	function addAll2(n0, v0, n1, v1, stk, n) { // two value types in one pass
		for (let i = 0; i < n; i++) { const s = stk[i]; n0[s] += v0[i]; n1[s] += v1[i]; }
	}
	function addAllC(n0, c0, n1, v1, stk, n) { // a constant and a column in one pass
		for (let i = 0; i < n; i++) { const s = stk[i]; n0[s] += c0; n1[s] += v1[i]; }
	}
	function addAllConst(node, c, stk, n) { for (let i = 0; i < n; i++) node[stk[i]] += c; }
	function addSome(leaf, val, keep) { for (let i = 0; i < N; i++) if (keep[i]) leaf[sLeaf[i]] += val[i]; }
	function addSomeConst(leaf, c, keep) { for (let i = 0; i < N; i++) if (keep[i]) leaf[sLeaf[i]] += c; }
	function lowerBoundT(T, t) { let a = 0, b = T.length; while (a < b) { const m = (a + b) >> 1; if (T[m] < t) a = m + 1; else b = m; } return a; }
	function upperBoundT(T, t) { let a = 0, b = T.length; while (a < b) { const m = (a + b) >> 1; if (T[m] <= t) a = m + 1; else b = m; } return a; }
	function addRange(leaf, val, a, b) { for (let i = a; i < b; i++) if (passMask[i]) leaf[sLeaf[i]] += val[i]; }
	function addRangeConst(leaf, c, a, b) { for (let i = a; i < b; i++) if (passMask[i]) leaf[sLeaf[i]] += c; }
	function countRange(a, b) { let n = 0; for (let i = a; i < b; i++) n += passMask[i]; return n; }
	function addInto(dst, idx, src) { for (let i = 0; i < src.length; i++) dst[idx[i]] += src[i]; }
	// totals: every node's value added to its parent's (parents precede children)
	function rollUp(t, parent) { for (let i = t.length - 1; i >= 0; i--) if (parent[i] >= 0) t[parent[i]] += t[i]; }
	function nodeVal(j) { // per stack node: its value
		if (!agg.node[j]) addInto(agg.node[j] = new Float64Array(nNodes), leafNode, agg.leaf[j]);
		return agg.node[j];
	}
	function nodeTot(j) { // per stack node: its value and its descendants'
		if (!agg.nodeTot[j]) {
			const nt = agg.nodeTot[j] = nodeVal(j).slice();
			rollUp(nt, sParent);
		}
		return agg.nodeTot[j];
	}
	function aggregate() {
		const t = performance.now();
		for (let j = 0; j < nValues; j++) { agg.leaf[j].fill(0); agg.flameSelf[j].fill(0); }
		const sel = hasTime ? st.sel : null;
		const lo = sel ? sel[0] : -Infinity, hi = sel ? sel[1] : Infinity;
		let n = 0;
		if (!sel && filterAll) {
			n = N;
			// two value types a pass (a constant one: no column to read)
			let j = 0;
			for (; j + 1 < nValues; j += 2) {
				const a = sValues[j], b = sValues[j + 1], na = agg.leaf[j], nb = agg.leaf[j + 1];
				if (a && b) addAll2(na, a, nb, b, sLeaf, N);
				else if (b) addAllC(na, sConst[j], nb, b, sLeaf, N);
				else if (a) addAllC(nb, sConst[j + 1], na, a, sLeaf, N);
				else { addAllConst(na, sConst[j], sLeaf, N); addAllConst(nb, sConst[j + 1], sLeaf, N); }
			}
			if (j < nValues) {
				if (sValues[j]) addAll(agg.leaf[j], sValues[j], sLeaf, N);
				else addAllConst(agg.leaf[j], sConst[j], sLeaf, N);
			}
		} else if (sel) {
			// a time range: per thread, the samples in it are one run of the
			// time-sorted index (binary search), so the cost is the range's
			for (let k = 0; k < threads.length; k++) {
				const T = thTime[k], a = thStart[k] + lowerBoundT(T, lo), b = thStart[k] + upperBoundT(T, hi);
				for (let j = 0; j < nValues; j++) {
					if (sValues[j]) addRange(agg.leaf[j], sValues[j], a, b);
					else addRangeConst(agg.leaf[j], sConst[j], a, b);
				}
				n += countRange(a, b);
			}
		} else {
			for (let i = 0; i < N; i++) n += passMask[i];
			for (let j = 0; j < nValues; j++) {
				if (sValues[j]) addSome(agg.leaf[j], sValues[j], passMask);
				else addSomeConst(agg.leaf[j], sConst[j], passMask);
			}
		}
		agg.samples = n;
		for (let j = 0; j < nValues; j++) {
			const fs = agg.flameSelf[j], ft = agg.flameTot[j];
			addInto(fs, leafFlame, agg.leaf[j]);
			ft.set(fs);
			rollUp(ft, fnParent);
			agg.total[j] = ft[0];
			agg.node[j] = agg.nodeTot[j] = null; // by nodeVal(j), nodeTot(j), when the top table by line or the source view asks
		}
		perf.aggregateMs = performance.now() - t;
	}

	/* ---- search ------------------------------------------------------------ */
	let searchRe = null, strMatch = null, flameMatch = null, matchedValue = 0;
	function compileSearch() {
		searchRe = null; strMatch = null;
		$('search').classList.remove('bad');
		if (!st.q) return;
		try { searchRe = new RegExp(st.q); } catch (e) { $('search').classList.add('bad'); return; }
		strMatch = new Uint8Array(NSTR);
		for (let i = 0; i < NSTR; i++) strMatch[i] = searchRe.test(S[i]) ? 1 : 0;
	}
	function computeMatches() {
		flameMatch = null; matchedValue = 0;
		if (!strMatch) return;
		flameMatch = new Uint8Array(nF);
		const covered = new Uint8Array(nF);
		const tot = agg.flameTot[st.v];
		for (let f = 1; f < nF; f++) {
			const p = fnParent[f];
			covered[f] = covered[p] | flameMatch[p];
			if (strMatch[fnName[f]]) {
				flameMatch[f] = 1;
				if (!covered[f]) matchedValue += tot[f];
			}
		}
	}

	/* ---- header and controls --------------------------------------------- */
	const perf = { loadMs: 0, aggregateMs: 0, timelineMs: 0, flameMs: 0, tablesMs: 0 };
	$('title').textContent = D.title || 'cprof report';
	$('title').title = D.title || 'cprof report'; // one line, cut; the whole title on hover
	document.title = D.title || 'cprof report';
	{
		const bits = [];
		if (meta.source) bits.push('input: ' + meta.source);
		if (meta.mode) bits.push('mode: ' + meta.mode);
		if (meta.timer) bits.push('timer: ' + meta.timer);
		if (meta.executable) bits.push(meta.executable + (meta.pid ? ' [' + meta.pid + ']' : ''));
		bits.push(N + ' samples');
		if (threads.length) bits.push(threads.length + ' thread' + (threads.length === 1 ? '' : 's'));
		if (meta.durationNs) bits.push('duration ' + fmtNs(meta.durationNs));
		if (meta.period) bits.push('period ' + (meta.periodUnit === 'nanoseconds' ? fmtNs(meta.period) : meta.period));
		if (meta.dropped) bits.push(meta.dropped + ' samples dropped');
		$('meta').textContent = bits.join(' \u00b7 ');
	}
	D.valueTypes.forEach((t, j) => {
		const o = document.createElement('option');
		o.value = String(j); o.textContent = t[0] + ' (' + t[1] + ')';
		$('value').appendChild(o);
	});
	if (isWall) $('statebox').hidden = false;
	{
		const pairs = new Set();
		for (const ls of labelsets) for (let j = 0; j < ls.length; j += 2) pairs.add(S[ls[j]] + '=' + S[ls[j + 1]]);
		if (pairs.size) {
			$('labelbox').hidden = false;
			const any = document.createElement('option');
			any.value = ''; any.textContent = '(any)';
			$('label').appendChild(any);
			for (const p of [...pairs].sort()) {
				const o = document.createElement('option');
				o.value = p; o.textContent = p;
				$('label').appendChild(o);
			}
		}
	}
	const threadBoxes = [];
	threads.forEach((t, k) => {
		const l = document.createElement('label');
		const cb = document.createElement('input');
		cb.type = 'checkbox'; cb.dataset.k = String(k);
		cb.addEventListener('change', () => {
			st.th = threadBoxes.map((b, j) => (b.checked ? -1 : j)).filter((j) => j >= 0);
			changed({ filters: true });
		});
		threadBoxes.push(cb);
		l.appendChild(cb);
		l.appendChild(document.createTextNode(' ' + (S[t[1]] || 'thread') + ' (' + t[0] + (multiProc ? ', pid ' + (t[2] || '?') : '') + ')'));
		$('threads').appendChild(l);
	});
	function syncControls() {
		$('value').value = String(st.v);
		$('cpustate').value = st.cpu;
		if (!$('labelbox').hidden) $('label').value = st.label;
		if ($('search').value !== st.q) $('search').value = st.q;
		$('icicle').checked = st.icicle;
		$('topmode').value = st.top;
		threadBoxes.forEach((b, k) => { b.checked = !(st.th && st.th.includes(k)); });
	}

	/* ---- tooltip ------------------------------------------------------------ */
	const tip = $('tooltip');
	function showTip(text, ev) {
		tip.textContent = text;
		tip.hidden = false;
		const w = tip.offsetWidth, h = tip.offsetHeight;
		let x = ev.clientX + 14, y = ev.clientY + 14;
		if (x + w > window.innerWidth - 4) x = Math.max(4, ev.clientX - w - 14);
		if (y + h > window.innerHeight - 4) y = Math.max(4, ev.clientY - h - 14);
		tip.style.left = x + 'px'; tip.style.top = y + 'px';
	}
	const hideTip = () => { tip.hidden = true; };

	/* ---- timeline ------------------------------------------------------------ */
	const TL = { gutter: 170, ruler: 20, track: 22, gap: 4, canvas: $('timeline'), counts: [], drawn: 0 };
	function tlView() { return st.view || [tMin, tMax]; }
	function tlLayout() {
		const c = TL.canvas;
		const w = Math.max(300, c.clientWidth || c.parentElement.clientWidth);
		const h = TL.ruler + threads.length * (TL.track + TL.gap) + 4;
		return { w, h, pw: w - TL.gutter };
	}
	// Marks each visible sample of one thread in the pixel columns it covers
	// (a later sample over an earlier one); returns how many samples were
	// drawn: those from the first at or after v0, up to v1 + the largest
	// weight, that start (time - weight) by v1.
	function paintTrack(T, W, O, C, v0, v1, scale, PW, colOn, colOff) {
		const a = lowerBoundT(T, v0), end = upperBoundT(T, v1 + maxWeight + 1);
		if (!allOnCpu || minWeight < 0) return paintForward(T, W, O, C, v0, v1, scale, PW, colOn, colOff, a, end);
		// on-CPU samples of weights >= 0: every sample up to v1 is drawn,
		// past it those that start by v1; the pixels from the right
		let count = Math.max(0, upperBoundT(T, v1) - a);
		for (let j = a + count; j < end; j++) if (T[j] - W[j] <= v1) count++;
		paintBack(T, W, C, v0, v1, scale, PW, colOn, a, end);
		return count;
	}
	function paintForward(T, W, O, C, v0, v1, scale, PW, colOn, colOff, a, end) {
		let count = 0;
		for (let j = a; j < end; j++) {
			const ts = T[j], w = W[j];
			if (ts - w > v1) continue;
			count++;
			let x1 = Math.floor((ts - v0) * scale), x0 = Math.floor((ts - w - v0) * scale);
			if (x1 >= PW) x1 = PW - 1;
			if (x0 < 0) x0 = 0;
			if (x0 > x1) x0 = x1;
			const col = C[j];
			if (O[j] & 1) for (let x = x0; x <= x1; x++) colOff[x] = col;
			else for (let x = x0; x <= x1; x++) colOn[x] = col;
		}
		return count;
	}
	// The same pixels as paintForward, with its samples all on-CPU and of
	// weights >= 0, from the last sample back: every pixel right of r is
	// final (a sample's right edge never passes a later one's, so an earlier
	// sample only reaches pixels up to r). A sample that starts right of r
	// changes nothing: from one, the walk jumps to the last sample that a
	// weight of maxWeight could still make reach r, so a zoomed-out track of
	// many samples a pixel costs about one sample a pixel.
	function paintBack(T, W, C, v0, v1, scale, PW, col, a, end) {
		const reach = (j) => Math.floor((T[j] - maxWeight - v0) * scale); // <= sample j's left pixel
		let r = PW - 1;
		for (let j = end - 1; j >= a && r >= 0;) {
			const ts = T[j], w = W[j];
			if (ts - w <= v1) {
				let x1 = Math.floor((ts - v0) * scale), x0 = Math.floor((ts - w - v0) * scale);
				if (x1 >= PW) x1 = PW - 1;
				if (x0 < 0) x0 = 0;
				if (x0 > x1) x0 = x1;
				const c = C[j];
				for (let x = Math.min(x1, r); x >= x0; x--) col[x] = c;
				if (x0 - 1 < r) r = x0 - 1;
			}
			j--;
			// (with r < PW - 1, a left pixel right of r stays right of it when clamped)
			if (j >= a && r < PW - 1 && reach(j) > r) {
				let lo = a, hi = j; // the last sample in [a, j] that may reach r, if any
				while (lo < hi) { const m = (lo + hi + 1) >> 1; if (reach(m) <= r) lo = m; else hi = m - 1; }
				j = reach(lo) <= r ? lo : a - 1;
			}
		}
	}
	function drawTimeline() {
		if (!hasTime || N === 0) return;
		const t = performance.now();
		const c = TL.canvas, L = tlLayout(), dpr = window.devicePixelRatio || 1;
		c.style.height = L.h + 'px';
		if (c.width !== Math.round(L.w * dpr) || c.height !== Math.round(L.h * dpr)) {
			c.width = Math.round(L.w * dpr); c.height = Math.round(L.h * dpr);
		}
		const ctx = c.getContext('2d');
		ctx.setTransform(1, 0, 0, 1, 0, 0);
		ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, c.width, c.height);
		const [v0, v1] = tlView();
		const PW = Math.max(1, Math.round(L.pw * dpr)), gx = Math.round(TL.gutter * dpr);
		const scale = PW / (v1 - v0);
		const img = ctx.createImageData(PW, c.height);
		const px = new Int32Array(img.data.buffer);
		const colOn = new Int32Array(PW), colOff = new Int32Array(PW);
		TL.counts = [];
		TL.drawn = 0;
		for (let k = 0; k < threads.length; k++) {
			let count = 0;
			colOn.fill(0); colOff.fill(0);
			if (threadOk[k]) count = paintTrack(thTime[k], thW[k], thOff[k], thCol[k], v0, v1, scale, PW, colOn, colOff);
			TL.counts.push(count);
			TL.drawn += count;
			const y0 = Math.round((TL.ruler + k * (TL.track + TL.gap)) * dpr), th = Math.round(TL.track * dpr);
			const yOff = y0 + Math.round(th * 0.6);
			// on-CPU: the full track height; off-CPU: its lower part, in cold
			// colours; nothing: a light background so that idle time shows
			const bg = 0xfff7f7f7 | 0, upper = colOn.slice(), lower = colOn.slice();
			for (let x = 0; x < PW; x++) {
				if (!upper[x]) upper[x] = bg;
				if (!lower[x]) lower[x] = colOff[x] || bg;
			}
			for (let y = y0; y < y0 + th; y++) px.set(y < yOff ? upper : lower, y * PW);
		}
		ctx.putImageData(img, gx, 0);
		ctx.scale(dpr, dpr);
		// thread names and counts
		ctx.font = '12px system-ui, sans-serif';
		ctx.textBaseline = 'middle';
		for (let k = 0; k < threads.length; k++) {
			const y = TL.ruler + k * (TL.track + TL.gap);
			ctx.fillStyle = threadOk[k] ? '#222' : '#aaa';
			const name = threadLabel(threads[k]);
			if (multiProc && k > 0 && threads[k][2] !== threads[k - 1][2]) {
				ctx.strokeStyle = '#888';
				ctx.beginPath(); ctx.moveTo(0, y - TL.gap / 2 + 0.5); ctx.lineTo(L.w, y - TL.gap / 2 + 0.5); ctx.stroke();
			}
			ctx.save();
			ctx.beginPath(); ctx.rect(0, y, TL.gutter - 6, TL.track); ctx.clip();
			ctx.fillText(name + ' \u00b7 ' + TL.counts[k], 4, y + TL.track / 2);
			ctx.restore();
		}
		// ruler
		ctx.fillStyle = '#f0f0f0'; ctx.fillRect(TL.gutter, 0, L.pw, TL.ruler - 2);
		ctx.fillStyle = '#444'; ctx.strokeStyle = '#bbb';
		const span = v1 - v0;
		let step = Math.pow(10, Math.floor(Math.log10(span / 8)));
		if (span / step > 16) step *= 5; else if (span / step > 8) step *= 2;
		ctx.textBaseline = 'middle';
		for (let tt = Math.ceil(v0 / step) * step; tt <= v1; tt += step) {
			const x = TL.gutter + (tt - v0) / span * L.pw;
			ctx.beginPath(); ctx.moveTo(x + 0.5, TL.ruler - 6); ctx.lineTo(x + 0.5, TL.ruler - 2); ctx.stroke();
			ctx.fillText(fmtNs(tt), x + 3, TL.ruler / 2 - 1);
		}
		// selection
		if (st.sel) {
			const xa = TL.gutter + (st.sel[0] - v0) / span * L.pw, xb = TL.gutter + (st.sel[1] - v0) / span * L.pw;
			const a = Math.max(TL.gutter, xa), b = Math.min(L.w, xb);
			if (b > a) {
				ctx.fillStyle = 'rgba(10,88,202,0.18)';
				ctx.fillRect(a, TL.ruler - 2, b - a, L.h - TL.ruler + 2);
				ctx.strokeStyle = 'rgba(10,88,202,0.9)';
				ctx.strokeRect(a + 0.5, TL.ruler - 1.5, Math.max(0, b - a - 1), L.h - TL.ruler);
			}
		}
		if (TL.drag && TL.drag.mode === 'select') {
			const a = Math.min(TL.drag.x0, TL.drag.x1), b = Math.max(TL.drag.x0, TL.drag.x1);
			ctx.fillStyle = 'rgba(10,88,202,0.25)';
			ctx.fillRect(a, TL.ruler - 2, b - a, L.h - TL.ruler + 2);
		}
		perf.timelineMs = performance.now() - t;
	}
	function tlTimeAt(x, L) {
		const [v0, v1] = tlView();
		return v0 + (x - TL.gutter) / L.pw * (v1 - v0);
	}
	function tlPos(ev) {
		const r = TL.canvas.getBoundingClientRect();
		return { x: ev.clientX - r.left, y: ev.clientY - r.top };
	}
	function tlSetView(a, b) {
		const span = tMax - tMin, minSpan = Math.max(1000, span / 1e7);
		if (b - a < minSpan) { const m = (a + b) / 2; a = m - minSpan / 2; b = m + minSpan / 2; }
		if (b - a >= span) { st.view = null; return; }
		if (a < tMin) { b += tMin - a; a = tMin; }
		if (b > tMax) { a -= b - tMax; b = tMax; }
		st.view = [a, b];
	}
	function tlHover(ev) {
		const p = tlPos(ev), L = tlLayout();
		if (p.x < TL.gutter || p.y < TL.ruler) { hideTip(); return; }
		const k = Math.floor((p.y - TL.ruler) / (TL.track + TL.gap));
		if (k < 0 || k >= threads.length || !threadOk[k]) { hideTip(); return; }
		const t = tlTimeAt(p.x, L), [v0, v1] = tlView();
		const nsPerPx = (v1 - v0) / L.pw;
		const j = lowerBoundT(thTime[k], t);
		let best = -1, bestD = Infinity;
		for (let q = Math.max(0, j - 2); q < Math.min(thLen[k], j + 3); q++) {
			const i = thStart[k] + q, w = sWeight ? sWeight[i] : 0;
			const d = t > sTime[i] ? t - sTime[i] : t < sTime[i] - w ? sTime[i] - w - t : 0;
			if (d < bestD) { bestD = d; best = i; }
		}
		if (best < 0 || bestD > 4 * nsPerPx) { hideTip(); return; }
		const i = best;
		const lines = [];
		lines.push((S[threads[k][1]] || 'thread') + ' ' + threads[k][0] + (threads[k][2] ? ' \u00b7 pid ' + threads[k][2] : '') + ' \u00b7 t=' + fmtNs(sTime[i]) +
			(sWeight ? ' \u00b7 ' + fmtNs(sWeight[i]) : '') + (isWall ? ((sFlags[i] & 1) ? ' \u00b7 off-CPU' : ' \u00b7 on-CPU') : ''));
		const ls = labelsets[sLabelset[i]];
		if (ls && ls.length) {
			const kv = [];
			for (let q = 0; q < ls.length; q += 2) kv.push(S[ls[q]] + '=' + S[ls[q + 1]]);
			lines.push('{' + kv.join(', ') + '}');
		}
		let depth = 0;
		for (let v = leafNode[sLeaf[i]]; v >= 0; v = sParent[v]) {
			if (depth++ >= 60) { lines.push('  \u2026'); break; }
			lines.push('  ' + frameLabel(sFrame[v]));
		}
		showTip(lines.join('\n'), ev);
	}
	if (hasTime) {
		const c = TL.canvas;
		c.addEventListener('mousedown', (ev) => {
			if (ev.button !== 0) return;
			const p = tlPos(ev);
			if (p.x < TL.gutter) return;
			const pan = ev.shiftKey || p.y < TL.ruler;
			TL.drag = { mode: pan ? 'pan' : 'select', x0: p.x, x1: p.x, view: tlView().slice() };
			ev.preventDefault();
		});
		window.addEventListener('mousemove', (ev) => {
			if (!TL.drag) return;
			const p = tlPos(ev), L = tlLayout();
			TL.drag.x1 = Math.max(TL.gutter, Math.min(L.w, p.x));
			if (TL.drag.mode === 'pan') {
				const [a, b] = TL.drag.view;
				const dt = (p.x - TL.drag.x0) / L.pw * (b - a);
				tlSetView(a - dt, b - dt);
			}
			scheduleDraw({ timeline: true });
		});
		window.addEventListener('mouseup', (ev) => {
			if (!TL.drag) return;
			const d = TL.drag, L = tlLayout();
			TL.drag = null;
			if (d.mode === 'select') {
				if (Math.abs(d.x1 - d.x0) < 3) { if (st.sel) { st.sel = null; changed({ range: true }); } else drawTimeline(); return; }
				const a = tlTimeAt(Math.min(d.x0, d.x1), L), b = tlTimeAt(Math.max(d.x0, d.x1), L);
				st.sel = [a, b];
				changed({ range: true });
			} else {
				changed({ timeline: true });
			}
			void ev;
		});
		c.addEventListener('mousemove', (ev) => { if (!TL.drag) tlHover(ev); else hideTip(); });
		c.addEventListener('mouseleave', hideTip);
		c.addEventListener('wheel', (ev) => {
			const p = tlPos(ev), L = tlLayout();
			if (p.x < TL.gutter) return;
			ev.preventDefault();
			const [a, b] = tlView();
			const t = tlTimeAt(p.x, L);
			const f = ev.deltaY > 0 ? 1.25 : 0.8;
			tlSetView(t - (t - a) * f, t + (b - t) * f);
			changed({ timeline: true });
		}, { passive: false });
	}

	/* ---- flame graph --------------------------------------------------------- */
	const FG = { row: 17, canvas: $('flame'), rects: null, focus: 0 };
	function focusNode() { // the flame node named by st.focus, as deep as it still exists
		let f = 0;
		for (const name of st.focus) {
			let next = -1;
			for (let c = f + 1, e = f + fSize[f]; c < e; c += fSize[c]) {
				if (S[fnName[c]] === name) { next = c; break; }
			}
			if (next < 0) break;
			f = next;
		}
		return f;
	}
	function layoutFlame(width) {
		const tot = agg.flameTot[st.v];
		const F = focusNode();
		FG.focus = F;
		const xs = [], ws = [], ds = [], ns = [];
		// ancestors of the focus, full width
		const anc = [];
		for (let v = F; v >= 0; v = fnParent[v]) anc.push(v);
		anc.reverse();
		anc.forEach((v, d) => { if (v !== F) { xs.push(0); ws.push(width); ds.push(d); ns.push(v); } });
		const base = tot[F];
		let maxDepth = anc.length - 1;
		if (base > 0) {
			const scale = width / base;
			const stack = [F, 0, anc.length - 1];
			while (stack.length) {
				const d = stack.pop(), x = stack.pop(), v = stack.pop();
				const w = tot[v] * scale;
				xs.push(x); ws.push(w); ds.push(d); ns.push(v);
				if (d > maxDepth) maxDepth = d;
				let cx = x;
				for (let c = v + 1, e = v + fSize[v]; c < e; c += fSize[c]) {
					const cw = tot[c] * scale;
					if (cw >= 0.5) stack.push(c, cx, d + 1);
					cx += cw;
				}
			}
		}
		return { xs, ws, ds, ns, maxDepth, F };
	}
	// One box of a flame graph: its colour, and its name where it fits (cut
	// with '..' where it does not: the tooltip has the whole name)
	function drawBox(ctx, x, y, wd, fill, name, charW) {
		ctx.fillStyle = fill;
		ctx.fillRect(x, y, Math.max(wd - 0.5, 0.5), FG.row - 1);
		if (wd <= 3 * charW + 6) return;
		const maxc = Math.floor((wd - 6) / charW);
		if (name.length > maxc) name = name.slice(0, Math.max(0, maxc - 2)) + '..';
		ctx.fillStyle = '#000';
		ctx.fillText(name, x + 3, y + FG.row / 2);
	}
	function drawFlame() {
		const t = performance.now();
		const c = FG.canvas, dpr = window.devicePixelRatio || 1;
		const w = Math.max(300, c.clientWidth || c.parentElement.clientWidth);
		const Lo = layoutFlame(w);
		const rows = Math.max(Lo.maxDepth + 1, 1);
		const h = rows * FG.row + 2;
		c.style.height = h + 'px';
		if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
			c.width = Math.round(w * dpr); c.height = Math.round(h * dpr);
		}
		const ctx = c.getContext('2d');
		ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
		ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, h);
		ctx.font = '11px ui-monospace, Menlo, Consolas, monospace';
		ctx.textBaseline = 'middle';
		const charW = ctx.measureText('mmmmmmmmmm').width / 10;
		const hlIdx = st.hl ? S.indexOf(st.hl) : -1;
		const ys = new Float64Array(Lo.ns.length);
		for (let r = 0; r < Lo.ns.length; r++) {
			const v = Lo.ns[r], x = Lo.xs[r], wd = Lo.ws[r], d = Lo.ds[r];
			const y = st.icicle ? d * FG.row : h - 2 - (d + 1) * FG.row;
			ys[r] = y;
			const isAnc = r < Lo.ns.length && d < 0; void isAnc;
			let col;
			if (v === 0) col = [200, 200, 200];
			else if (flameMatch && flameMatch[v]) col = [230, 0, 230];
			else if (hlIdx >= 0 && fnName[v] === hlIdx) col = [0, 190, 255];
			else col = rgbOf(fnName[v], false);
			drawBox(ctx, x, y, wd, css(col), v === 0 ? 'all' : S[fnName[v]], charW);
		}
		FG.rects = { xs: Lo.xs, ws: Lo.ws, ys, ns: Lo.ns, w, h };
		const tot = agg.flameTot[st.v];
		$('focusinfo').textContent = Lo.F ? 'zoomed into ' + S[fnName[Lo.F]] + ' (' + pct(tot[Lo.F], tot[0]) + ' of all)' : '';
		$('unfocus').disabled = !Lo.F;
		// a deep graph scrolls in its box: show the root end (the populated
		// part) whenever the layout changes, not the empty tips
		if (FG.lastH !== h || FG.lastIcicle !== st.icicle) {
			const sc = $('flame-scroll');
			sc.scrollTop = st.icicle ? 0 : sc.scrollHeight;
			FG.lastH = h; FG.lastIcicle = st.icicle;
		}
		perf.flameMs = performance.now() - t;
	}
	function flameHit(ev) {
		if (!FG.rects) return -1;
		const r = FG.canvas.getBoundingClientRect();
		const x = ev.clientX - r.left, y = ev.clientY - r.top, R = FG.rects;
		for (let q = R.ns.length - 1; q >= 0; q--) {
			if (x >= R.xs[q] && x < R.xs[q] + R.ws[q] && y >= R.ys[q] && y < R.ys[q] + FG.row) return R.ns[q];
		}
		return -1;
	}
	FG.canvas.addEventListener('mousemove', (ev) => {
		const v = flameHit(ev);
		if (v < 0) { hideTip(); return; }
		const j = st.v, tot = agg.flameTot[j];
		const lines = [v === 0 ? 'all' : S[fnName[v]]];
		const fr = v !== 0 ? fnFrame()[v] : -1;
		if (fr >= 0 && S[fFile[fr]]) lines.push(S[fFile[fr]]);
		lines.push(fmtVal(tot[v], j) + ' (' + pct(tot[v], tot[0]) + ' of all' +
			(FG.focus ? ', ' + pct(tot[v], tot[FG.focus]) + ' of zoom' : '') + ')');
		if (j !== countIdx) lines.push(agg.flameTot[countIdx][v] + ' samples');
		lines.push('self ' + fmtVal(agg.flameSelf[j][v], j));
		showTip(lines.join('\n'), ev);
	});
	FG.canvas.addEventListener('mouseleave', hideTip);
	FG.canvas.addEventListener('click', (ev) => {
		const v = flameHit(ev);
		if (v < 0) return;
		st.focus = flamePath(v);
		changed({ flame: true });
	});

	/* ---- tables ----------------------------------------------------------------- */
	const TOP_ROWS = 200, STACK_ROWS = 200;
	let topRows = [], stackRows = [], stackCount = 0;
	function computeTop() {
		const j = st.v;
		const nk = st.top === 'func' ? NSTR : nFrames;
		const flat = new Float64Array(nk), cum = new Float64Array(nk), seen = new Uint8Array(nk);
		if (st.top === 'func') {
			const fs = agg.flameSelf[j], ft = agg.flameTot[j], fFirst = fFirstOcc();
			for (let f = 1; f < nF; f++) {
				if (ft[f] === 0) continue;
				const k = fnName[f];
				flat[k] += fs[f];
				if (fFirst[f]) { cum[k] += ft[f]; seen[k] = 1; }
			}
		} else {
			const ns = nodeVal(j), nt = nodeTot(j), sFirst = sFirstOcc();
			for (let i = 0; i < nNodes; i++) {
				if (nt[i] === 0) continue;
				const k = sFrame[i];
				flat[k] += ns[i];
				if (sFirst[i]) { cum[k] += nt[i]; seen[k] = 1; }
			}
		}
		const rows = [];
		for (let k = 0; k < nk; k++) {
			if (!seen[k]) continue;
			const name = st.top === 'func' ? S[k] : S[fName[k]];
			const label = st.top === 'func' ? S[k] : frameLabel(k);
			rows.push({ name, label, flat: flat[k], cum: cum[k] });
		}
		const key = st.sort;
		rows.sort((a, b) => b[key] - a[key] || b[key === 'flat' ? 'cum' : 'flat'] - a[key === 'flat' ? 'cum' : 'flat'] ||
			(a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
		topRows = rows;
	}
	function renderTop() {
		const j = st.v, total = agg.total[j];
		const tb = $('top').tBodies[0];
		const frag = document.createDocumentFragment();
		for (const r of topRows.slice(0, TOP_ROWS)) {
			const tr = document.createElement('tr');
			if (st.hl && r.name === st.hl) tr.className = 'hl';
			for (const [txt, cls] of [[fmtVal(r.flat, j), 'num'], [pct(r.flat, total), 'num'], [fmtVal(r.cum, j), 'num'],
				[pct(r.cum, total), 'num'], [r.label, 'name']]) {
				const td = document.createElement('td');
				td.className = cls; td.textContent = txt;
				if (cls === 'name') td.title = txt;
				tr.appendChild(td);
			}
			tr.addEventListener('click', () => {
				st.hl = st.hl === r.name ? '' : r.name;
				changed({ highlight: true });
			});
			frag.appendChild(tr);
		}
		tb.replaceChildren(frag);
		$('topmore').textContent = topRows.length > TOP_ROWS ? (topRows.length - TOP_ROWS) + ' more rows not shown' :
			topRows.length ? '' : 'no samples in this view';
		for (const th of $('top').tHead.rows[0].cells) th.classList.toggle('sorted', th.dataset.sort === st.sort);
	}
	// Stacks by function names (as the flame graph and folded output merge
	// them): a row is a flame node with samples of its own.
	function computeStacks() {
		const self = agg.flameSelf[st.v], cnt = agg.flameSelf[countIdx];
		// only the rows shown are sorted: the value of the STACK_ROWS-th row
		// (a min-heap of the biggest), the rest is a filter
		const [n, cut] = rowCut(self, cnt, STACK_ROWS);
		const rows = [];
		for (let f = 1; f < nF; f++) if ((self[f] !== 0 || cnt[f] !== 0) && self[f] >= cut) rows.push(f);
		rows.sort((a, b) => self[b] - self[a] || cnt[b] - cnt[a] || a - b);
		stackRows = rows;
		stackCount = n;
	}
	// [how many flame nodes have samples, the k-th biggest self value among them (-Infinity: fewer than k)]
	function rowCut(self, cnt, k) {
		const heap = new Float64Array(k); // the k biggest so far, smallest at heap[0]
		let n = 0;
		for (let f = 1; f < nF; f++) {
			if (self[f] === 0 && cnt[f] === 0) continue;
			const x = self[f];
			if (n < k) { // sift up
				let i = n;
				while (i > 0 && heap[(i - 1) >> 1] > x) { heap[i] = heap[(i - 1) >> 1]; i = (i - 1) >> 1; }
				heap[i] = x;
			} else if (x > heap[0]) { // replace the smallest, sift down
				let i = 0;
				for (;;) {
					let c = 2 * i + 1;
					if (c >= k) break;
					if (c + 1 < k && heap[c + 1] < heap[c]) c++;
					if (heap[c] >= x) break;
					heap[i] = heap[c]; i = c;
				}
				heap[i] = x;
			}
			n++;
		}
		return [n, n > k ? heap[0] : -Infinity];
	}
	function renderStacks() {
		const head = $('stacks').tHead.rows[0];
		if (!head.cells.length) {
			const th = document.createElement('th');
			th.textContent = 'stack';
			head.appendChild(th);
			D.valueTypes.forEach((t) => {
				const h = document.createElement('th');
				h.className = 'num';
				h.textContent = t[1] === 'count' ? t[0] : t[0] + ' ' + (t[1] === 'nanoseconds' ? 'ns' : t[1]);
				head.appendChild(h);
			});
		}
		const frag = document.createDocumentFragment();
		for (const i of stackRows.slice(0, STACK_ROWS)) {
			const tr = document.createElement('tr');
			const td = document.createElement('td');
			td.className = 'name'; td.textContent = flamePath(i).join(';');
			tr.appendChild(td);
			for (let j = 0; j < nValues; j++) {
				const c = document.createElement('td');
				c.className = 'num'; c.textContent = D.valueTypes[j][2] ? fmtDec(agg.flameSelf[j][i], D.valueTypes[j][2]) : String(agg.flameSelf[j][i]);
				tr.appendChild(c);
			}
			frag.appendChild(tr);
		}
		$('stacks').tBodies[0].replaceChildren(frag);
		$('stackmore').textContent = stackCount > STACK_ROWS ? (stackCount - STACK_ROWS) + ' more stacks not shown' : '';
	}
	$('top').tHead.addEventListener('click', (ev) => {
		const s = ev.target.dataset && ev.target.dataset.sort;
		if (s) { st.sort = s; changed({ tables: true }); }
	});

	/* ---- callers and callees (speedscope's sandwich), and the source view ---- */
	// Two trees merged by name around the picked function F (st.hl): callers
	// upward (F, its callers, theirs, up to the roots) and callees downward
	// (every subtree under F merged). In either, node 0 is F and a node is
	// (parent, name). Only the outermost F of a stack roots them (fFirst), so
	// recursion is not counted twice: F's total here equals its cum in Top.
	function swTree(fIdx) { return { parent: [-1], name: [fIdx], val: [0], slots: new Map() }; }
	function swChild(t, p, nm) {
		const key = p * (NSTR + 1) + nm;
		let c = t.slots.get(key);
		if (c === undefined) {
			c = t.name.length;
			t.parent.push(p); t.name.push(nm); t.val.push(0);
			t.slots.set(key, c);
		}
		return c;
	}
	function buildSandwich(fIdx) {
		const tot = agg.flameTot[st.v], self = agg.flameSelf[st.v];
		const callers = swTree(fIdx), callees = swTree(fIdx), fFirst = fFirstOcc();
		let flat = 0;
		const stack = [];
		for (let v = 1; v < nF; v++) {
			if (fnName[v] !== fIdx || tot[v] === 0) continue;
			flat += self[v];
			if (!fFirst[v]) continue;
			callers.val[0] += tot[v];
			callees.val[0] += tot[v];
			let c = 0;
			for (let u = fnParent[v]; u > 0; u = fnParent[u]) { c = swChild(callers, c, fnName[u]); callers.val[c] += tot[v]; }
			stack.push(v, 0);
			while (stack.length) {
				const tn = stack.pop(), fv = stack.pop();
				for (let k = fv + 1, e = fv + fSize[fv]; k < e; k += fSize[k]) {
					if (tot[k] === 0) continue;
					const ck = swChild(callees, tn, fnName[k]);
					callees.val[ck] += tot[k];
					stack.push(k, ck);
				}
			}
		}
		return { callers, callees, flat, cum: callers.val[0] };
	}
	// Draws a tree as a flame graph: node 0 spans the width; up: node 0 on the
	// bottom row and children above it, else node 0 on top and children below.
	function drawTree(c, t, up) {
		const n = t.name.length, dpr = window.devicePixelRatio || 1;
		const w = Math.max(300, c.clientWidth || c.parentElement.clientWidth);
		const rank = nameRank(), kids = childrenCSR(Int32Array.from(t.parent), n, Int32Array.from(t.name, (nm) => rank[nm]), NSTR + 1);
		const xs = [], ws = [], ds = [], ns = [];
		let maxDepth = 0;
		if (t.val[0] > 0) {
			const scale = w / t.val[0], stack = [0, 0, 0];
			while (stack.length) {
				const d = stack.pop(), x = stack.pop(), v = stack.pop();
				xs.push(x); ws.push(t.val[v] * scale); ds.push(d); ns.push(v);
				if (d > maxDepth) maxDepth = d;
				let cx = x;
				for (let j = kids.start[v]; j < kids.start[v + 1]; j++) {
					const k = kids.kids[j], cw = t.val[k] * scale;
					if (cw >= 0.5) stack.push(k, cx, d + 1);
					cx += cw;
				}
			}
		}
		const h = (maxDepth + 1) * FG.row + 2;
		c.style.height = h + 'px';
		c.width = Math.round(w * dpr); c.height = Math.round(h * dpr);
		const ctx = c.getContext('2d');
		ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
		ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, h);
		ctx.font = '11px ui-monospace, Menlo, Consolas, monospace';
		ctx.textBaseline = 'middle';
		const charW = ctx.measureText('mmmmmmmmmm').width / 10;
		const ys = new Float64Array(ns.length);
		for (let r = 0; r < ns.length; r++) {
			const v = ns[r], x = xs[r], wd = ws[r];
			const y = up ? h - 2 - (ds[r] + 1) * FG.row : ds[r] * FG.row;
			ys[r] = y;
			drawBox(ctx, x, y, wd, v === 0 ? 'rgb(0,190,255)' : css(rgbOf(t.name[v], false)), S[t.name[v]], charW);
		}
		c.swRects = { xs, ws, ys, ns, t, w };
		return h;
	}
	function treeHit(c, ev) {
		const R = c.swRects;
		if (!R) return -1;
		const r = c.getBoundingClientRect(), x = ev.clientX - r.left, y = ev.clientY - r.top;
		for (let q = R.ns.length - 1; q >= 0; q--)
			if (x >= R.xs[q] && x < R.xs[q] + R.ws[q] && y >= R.ys[q] && y < R.ys[q] + FG.row) return R.ns[q];
		return -1;
	}
	let sw = null; // the last buildSandwich result, for the hover text and tests
	for (const [id, key] of [['sw-callers', 'callers'], ['sw-callees', 'callees']]) {
		const c = $(id);
		c.addEventListener('mousemove', (ev) => {
			const v = treeHit(c, ev);
			if (v < 0 || !sw) { hideTip(); return; }
			const t = sw[key], j = st.v;
			showTip(S[t.name[v]] + '\n' + fmtVal(t.val[v], j) + ' (' + pct(t.val[v], t.val[0]) + ' of ' + S[t.name[0]] +
				', ' + pct(t.val[v], agg.total[j]) + ' of all)', ev);
		});
		c.addEventListener('mouseleave', hideTip);
		c.addEventListener('click', (ev) => {
			const v = treeHit(c, ev);
			if (v > 0 && sw) { st.hl = S[sw[key].name[v]]; changed({ highlight: true }); }
		});
	}
	function renderSandwich() {
		const fIdx = st.hl ? S.indexOf(st.hl) : -1;
		$('sw-name').textContent = fIdx >= 0 ? st.hl : '';
		$('sw-none').hidden = fIdx >= 0;
		$('sw-body').hidden = fIdx < 0;
		sw = null;
		if (fIdx < 0) return;
		sw = buildSandwich(fIdx);
		const j = st.v;
		$('sw-info').textContent = 'flat ' + fmtVal(sw.flat, j) + ' (' + pct(sw.flat, agg.total[j]) + ') \u00b7 cum ' +
			fmtVal(sw.cum, j) + ' (' + pct(sw.cum, agg.total[j]) + ')' + (sw.cum === 0 ? ' \u00b7 no samples in this view' : '');
		drawTree($('sw-callers'), sw.callers, true);
		const sc = $('sw-callers-scroll');
		sc.scrollTop = sc.scrollHeight; // the function itself, at the bottom
		drawTree($('sw-callees'), sw.callees, false);
		$('sw-callees-scroll').scrollTop = 0;
		renderSource(fIdx);
	}
	// Per source line of F: flat (the line is the leaf) and cum (the line is
	// on the stack, once per sample), from the stack nodes, like pprof -list.
	let srcRows = [];
	function renderSource(fIdx) {
		const j = st.v, ns = nodeVal(j), nt = nodeTot(j), first = sFirstOcc();
		const perFile = new Map(); // file string -> Map(line -> [flat, cum])
		for (let i = 0; i < nNodes; i++) {
			const fr = sFrame[i];
			if (fName[fr] !== fIdx || nt[i] === 0) continue;
			const file = S[fFile[fr]], line = fLine[fr];
			if (!perFile.has(file)) perFile.set(file, new Map());
			const m = perFile.get(file);
			if (!m.has(line)) m.set(line, [0, 0]);
			const e = m.get(line);
			e[0] += ns[i];
			if (first[i]) e[1] += nt[i];
		}
		const out = $('src'), frag = document.createDocumentFragment();
		srcRows = [];
		const sources = D.sources || {};
		for (const file of [...perFile.keys()].sort()) {
			const m = perFile.get(file), lines = [...m.keys()].sort((a, b) => a - b);
			const src = Object.prototype.hasOwnProperty.call(sources, file) ? sources[file] : null;
			const h = document.createElement('h3');
			h.textContent = (file || '(no file)') + (src ? '' : file ? ' \u2014 source not in the report (not found where cprof-html ran, or --no-source)' : '');
			frag.appendChild(h);
			const table = document.createElement('table'), tb = document.createElement('tbody');
			const hr = table.createTHead().insertRow();
			for (const [txt, c] of [['flat', 'num'], ['cum', 'num'], ['line', 'num'], ['source', '']]) {
				const th = document.createElement('th'); th.className = c; th.textContent = txt; hr.appendChild(th);
			}
			table.appendChild(tb);
			const row = (ln, vals, code, cls) => {
				const tr = document.createElement('tr');
				if (cls) tr.className = cls;
				const cells = [[vals ? fmtVal(vals[0], j) : '', 'num'], [vals ? fmtVal(vals[1], j) : '', 'num'],
					[ln > 0 ? String(ln) : '', 'ln'], [code, 'code']];
				for (const [txt, c] of cells) { const td = document.createElement('td'); td.className = c; td.textContent = txt; tr.appendChild(td); }
				tb.appendChild(tr);
				if (vals) srcRows.push({ file, line: ln, flat: vals[0], cum: vals[1] });
			};
			const known = lines.filter((l) => l > 0);
			if (src && known.length) {
				// the lines with samples, 3 around each, gaps of more than 8 cut
				const first = src[0], last = first + src.length - 2;
				let prev = -1;
				const lo = Math.max(first, known[0] - 3), hi = Math.min(last, known[known.length - 1] + 3);
				let k = 0;
				for (let ln = lo; ln <= hi; ln++) {
					while (k < known.length && known[k] < ln) k++;
					const near = known.some((l) => Math.abs(l - ln) <= 3);
					if (!near) continue;
					if (prev >= 0 && ln > prev + 1) row(0, null, '\u22ee', 'gap');
					prev = ln;
					const vals = m.get(ln);
					row(ln, vals || null, src[ln - first + 1], vals ? 'hot' : '');
				}
				for (const l of known) if (l < lo || l > hi) row(l, m.get(l), '', 'hot'); // beyond the embedded lines
			} else {
				for (const l of known) row(l, m.get(l), '', 'hot');
			}
			if (m.has(0)) row(0, m.get(0), '(no line information)', 'hot');
			frag.appendChild(table);
		}
		out.replaceChildren(frag);
	}

	/* ---- status lines -------------------------------------------------------------- */
	function renderStatus() {
		const j = st.v;
		if (strMatch || st.q) {
			$('matched').textContent = searchRe ? 'matched: ' + pct(matchedValue, agg.total[j]) + ' (' + fmtVal(matchedValue, j) + ')' : 'bad regex';
			$('matched').classList.toggle('on', !!searchRe);
		} else { $('matched').textContent = ''; $('matched').classList.remove('on'); }
		if (hasTime) {
			$('selinfo').textContent = st.sel ? 'selection ' + fmtNs(st.sel[0]) + ' \u2013 ' + fmtNs(st.sel[1]) +
				' (' + fmtNs(st.sel[1] - st.sel[0]) + '): ' + agg.samples + ' samples' : 'no selection: all ' + agg.samples + ' samples';
			$('zoomsel').disabled = !st.sel;
			$('selclear').disabled = !st.sel;
			$('zoomreset').disabled = !st.view;
		}
	}

	/* ---- update plumbing ------------------------------------------------------------ */
	let pending = null;
	function scheduleDraw(what) {
		pending = Object.assign(pending || {}, what);
		requestAnimationFrame(() => {
			if (!pending) return;
			const p = pending; pending = null;
			if (p.timeline) drawTimeline();
		});
	}
	// Redoes only what a change needs: a timeline zoom redraws the timeline
	// alone; a range or filter change re-aggregates and redraws everything.
	function changed(what) {
		const t0 = performance.now();
		const all = what.all, filters = all || what.filters, range = filters || what.range;
		const reagg = range || what.value;
		if (all || what.search) compileSearch(); // before the filters: they recolour the timeline by it
		if (filters) applyFilters();
		if (reagg) aggregate();
		if (reagg || what.search) computeMatches();
		if (all || what.search || what.highlight) colorLeaves(); // (and the samples)
		else if (filters) colorSamples();
		if (hasTime && (filters || what.timeline || what.range || what.search || what.highlight)) drawTimeline();
		if (reagg || what.search || what.flame || what.highlight) drawFlame();
		if (what.deferTables) deferTables();
		else renderTables(reagg || what.tables || tablesPending, reagg || what.highlight || tablesPending, what.highlight);
		renderStatus();
		syncControls();
		saveState();
		perf.updateMs = performance.now() - t0;
	}

	// The tables and the callers/callees (below the first screen): at the
	// open, filled right after the first frame is drawn, not before it
	let tablesPending = false, complete = false;
	function renderTables(tables, sandwich, highlight) {
		const t = performance.now();
		if (tables) { computeTop(); computeStacks(); renderStacks(); }
		if (tables || highlight) renderTop();
		if (sandwich) renderSandwich();
		tablesPending = false;
		perf.tablesMs = performance.now() - t;
	}
	function deferTables() {
		tablesPending = true;
		requestAnimationFrame(() => setTimeout(() => {
			if (tablesPending) renderTables(true, true, false);
			complete = true;
			perf.completeAt = performance.now();
		}, 0));
	}

	$('value').addEventListener('change', () => { st.v = Number($('value').value); changed({ value: true }); });
	$('cpustate').addEventListener('change', () => { st.cpu = $('cpustate').value; changed({ filters: true }); });
	$('label').addEventListener('change', () => { st.label = $('label').value; changed({ filters: true }); });
	$('search').addEventListener('input', () => { st.q = $('search').value; changed({ search: true }); });
	$('icicle').addEventListener('change', () => { st.icicle = $('icicle').checked; changed({ flame: true }); });
	$('topmode').addEventListener('change', () => { st.top = $('topmode').value; changed({ tables: true }); });
	$('unfocus').addEventListener('click', () => { st.focus = []; changed({ flame: true }); });
	$('reset').addEventListener('click', () => { st = defaults(); changed({ all: true }); });
	$('zoomsel').addEventListener('click', () => { if (st.sel) { tlSetView(st.sel[0], st.sel[1]); changed({ timeline: true }); } });
	$('zoomreset').addEventListener('click', () => { st.view = null; changed({ timeline: true }); });
	$('selclear').addEventListener('click', () => { st.sel = null; changed({ range: true }); });
	window.addEventListener('hashchange', () => {
		const h = location.hash.replace(/^#/, '');
		if (h === lastHash) return;
		st = decodeState(h);
		changed({ all: true });
	});
	let resizeTimer = 0;
	window.addEventListener('resize', () => {
		clearTimeout(resizeTimer);
		resizeTimer = setTimeout(() => { if (hasTime) drawTimeline(); drawFlame(); }, 100);
	});

	if (!hasTime || N === 0) {
		TL.canvas.hidden = true;
		document.querySelector('#timeline-section .tl-buttons').hidden = true;
		document.querySelector('#timeline-section .hint').hidden = true;
		const note = $('notimeline');
		note.hidden = false;
		const src = meta.source || 'this';
		note.textContent = N === 0 ? 'No samples: the profile is empty (the program ended before the first sample, ' +
			'or every sample was filtered out when it was written).' :
			'No timeline: ' + src + ' input carries no timestamps, only aggregated stacks, so the ' +
			'samples cannot be placed in time. Record with cprof-record (the raw format) to see every sample on a timeline.';
	}

	st = decodeState(location.hash);
	changed({ all: true, deferTables: true });
	perf.loadMs = performance.now() - t0Load;
	perf.readyAt = performance.now(); // since navigation start: file read + HTML parse + this script
	perf.marks = marks;

	/* ---- read-only hook for tests and benchmarks ------------------------------------- */
	function flameTotals(name, j) {
		let sum = 0, self = 0;
		const idx = S.indexOf(name);
		if (idx < 0) return { total: 0, self: 0 };
		const ft = agg.flameTot[j === undefined ? st.v : j], fs = agg.flameSelf[j === undefined ? st.v : j], fFirst = fFirstOcc();
		for (let f = 1; f < nF; f++) if (fnName[f] === idx) { if (fFirst[f]) sum += ft[f]; self += fs[f]; }
		return { total: sum, self };
	}
	window.cprofReport = Object.freeze({
		ready: true, // the first screen (header, timeline, flame graph) drawn and live
		get complete() { return complete; }, // and the tables below it filled
		hasTimeline: hasTime,
		samples: N,
		threads: threads.map((t) => ({ tid: t[0], name: S[t[1]], pid: t[2] || 0 })),
		perf,
		state: () => JSON.parse(JSON.stringify(st)),
		timelineCounts: () => TL.counts.slice(),
		totals: () => Array.from(agg.total),
		selectedSamples: () => agg.samples,
		flameTotal: flameTotals,
		// CSS-pixel rectangles of the flame graph boxes named `name`, relative to the canvas
		flameRects: (name) => {
			const out = [], R = FG.rects;
			if (!R) return out;
			for (let q = 0; q < R.ns.length; q++) {
				const v = R.ns[q];
				if ((v === 0 ? 'all' : S[fnName[v]]) === name) out.push({ x: R.xs[q], y: R.ys[q], w: R.ws[q], h: FG.row - 1 });
			}
			return out;
		},
		flameWidth: () => (FG.rects ? FG.rects.w : 0),
		matched: () => ({ value: matchedValue, total: agg.total[st.v], text: $('matched').textContent }),
		topRows: () => topRows.map((r) => ({ name: r.label, flat: r.flat, cum: r.cum })),
		stackRows: () => stackRows.map((f) => ({ stack: flamePath(f).join(';'), values: agg.flameSelf.map((a) => a[f]) })),
		timeRange: () => [tMin, tMax],
		// the picked function's callers and callees as "path;to;node" -> value, and its source rows
		sandwich: () => {
			if (!sw) return null;
			const paths = (t) => {
				const o = {};
				for (let v = 0; v < t.name.length; v++) {
					const p = [];
					for (let u = v; u >= 0; u = t.parent[u]) p.push(S[t.name[u]]);
					o[p.reverse().join(';')] = t.val[v];
				}
				return o;
			};
			return { flat: sw.flat, cum: sw.cum, callers: paths(sw.callers), callees: paths(sw.callees) };
		},
		sourceRows: () => srcRows.slice(),
		redrawTimeline: () => { const t = performance.now(); drawTimeline(); return performance.now() - t; },
		redrawFlame: () => { const t = performance.now(); drawFlame(); return performance.now() - t; },
	});
})().catch((e) => {
	// a report that cannot open says why, in the page (and the console)
	const note = document.createElement('div');
	note.className = 'note';
	note.textContent = 'This report could not be opened: ' + (e && e.message ? e.message : String(e));
	document.body.insertBefore(note, document.body.firstChild);
	throw e;
});
