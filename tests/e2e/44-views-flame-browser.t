#!/bin/bash
# The flame graph's viewer driven in a real browser (Debian chromium through
# playwright-core): hovering fills the info bar and the tooltip, a click
# zooms (the rest hides, Reset Zoom appears), Ctrl-F searches a regex and
# says "Matched: x%", Escape clears, and the script logs no error.
. "$(dirname "$0")/lib.sh"
PW=$ROOT/tests/web/node_modules/playwright-core
CHROME=$(command -v chromium || true)
[ -d "$PW" ] && [ -n "$CHROME" ] && command -v node > /dev/null ||
	skip_all "needs node, chromium and tests/web/node_modules/playwright-core (scripts/deps.sh test web)"
plan 8
"$BIN/cprof-flame" "$ROOT/tests/golden/abc.folded" > "$T/abc.svg"
cat > "$T/drive.js" <<EOF_JS
const { chromium } = require('$PW');
(async () => {
  const b = await chromium.launch({ executablePath: '$CHROME', args: ['--no-sandbox'] });
  const p = await b.newPage();
  const errs = [];
  p.on('pageerror', e => errs.push(e.message));
  p.on('console', m => { if (m.type() === 'error') errs.push(m.text()); });
  await p.goto('file://$T/abc.svg');
  const frame = n => p.locator('g.f', { has: p.locator('title', { hasText: new RegExp('^' + n + ' \\\\(') }) });
  await frame('A').hover();
  console.log('info=' + await p.locator('#info').textContent());
  console.log('tip=' + await p.locator('#tip text').textContent());
  await frame('A').click();
  console.log('zoom=' + await p.locator('#unzoom').isVisible() + ',' + await frame('B').isVisible() + ',' +
    await frame('A').locator('rect').getAttribute('width'));
  await p.locator('#unzoom').click();
  console.log('reset=' + await frame('B').isVisible() + ',' + await p.locator('#unzoom').isVisible());
  p.on('dialog', d => d.accept('^(B|C)\$'));
  await p.keyboard.press('Control+f');
  console.log('search=' + await p.locator('#matched').textContent() + ',' + await p.locator('g.m').count());
  await p.keyboard.press('Escape');
  console.log('cleared=' + await p.locator('#matched').textContent() + ',' + await p.locator('g.m').count());
  console.log('errors=' + errs.join('|'));
  await b.close();
})().catch(e => { console.log('failed=' + e.message); process.exit(1); });
EOF_JS
run_limited 120 node "$T/drive.js" > "$T/out" 2>&1
ok $? "the browser session ran" || diag "$(cat "$T/out")"
get() { sed -n "s/^$1=//p" "$T/out"; }
is "$(get info)" "A (8 samples, 66.67%)" "hover: the info bar shows name, samples and percentage"
is "$(get tip)" "A (8 samples, 66.67%)" "hover: the tooltip says the same"
is "$(get zoom)" "true,false,1180.00" "click: A fills the width, B hides, Reset Zoom shows"
is "$(get reset)" "true,false" "Reset Zoom: B is back, the button hides"
is "$(get search)" "Matched: 58.33%,2" "Ctrl-F ^(B|C)\$: two frames highlighted, Matched: 58.33% (7 of 12)"
is "$(get cleared)" ",0" "Escape clears the search"
is "$(get errors)" "" "no script errors"
exit $((_tap_failed > 0))
