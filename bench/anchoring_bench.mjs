// Re-anchoring speed in Chromium (issue 13): 200 quotes placed again in a
// 5,000-word article after edits. Of the quotes, 100 are where they were,
// 50 moved (text inserted before them), 30 had a word changed inside them
// (fuzzy), 20 were deleted (searched for in vain, the slowest case).
// The reference in the same run: one String.prototype.indexOf pass per quote
// over the same text. Usage: node bench/anchoring_bench.mjs (after npm ci).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = fs.readFileSync(path.join(root, 'web/widget/embed-more.js'), 'utf8');
const section = /\/\/ ---- anchoring \(begin\)[\s\S]*?\/\/ ---- anchoring \(end\) ----/.exec(source)[0];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
await page.setContent('<!doctype html><article id="a"></article>');
const result = await page.evaluate(`(function () {
  ${section}
  var seed = 7;
  function rnd(n) { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; }
  // About 3,000 distinct words of 1 to 4 syllables, drawn with a Zipf-like skew.
  var syl = 'ra ve tri ty bor der bank is land chan nel em pire court gar ri son set tlers mu se um bridge ci wa ter his to ry fron tier a gree ment gov er nor ex pe di tion re bel li on coast'.split(' ');
  var words = [];
  for (var v = 0; v < 3000; v++) { var x = ''; for (var y = 0, ns = 1 + rnd(4); y < ns; y++) x += syl[rnd(syl.length)]; words.push(x); }
  var pick = function () { return words[Math.floor(Math.pow(rnd(1000000) / 1000000, 2) * words.length)]; };
  var paras = [];
  for (var p = 0; p < 100; p++) {
    var w = [];
    for (var i = 0; i < 50; i++) w.push(pick() + (rnd(7) === 0 ? String(rnd(2000)) : ''));
    paras.push(w.join(' ') + '.');
  }
  var original = paras.join(' ');
  var quotes = [];
  for (var q = 0; q < 200; q++) {
    var len = 30 + rnd(90), start = rnd(original.length - len);
    quotes.push({ quote: { exact: original.substr(start, len), prefix: original.slice(Math.max(0, start - 64), start), suffix: original.substr(start + len, 64) }, pos: { start: start, end: start + len }, kind: q < 100 ? 'same' : q < 150 ? 'moved' : q < 180 ? 'word' : 'gone' });
  }
  // The edited article, as DOM: text inserted at the top, a word changed in 30 quotes, 20 quotes removed.
  var edited = 'An editor\\'s note added at the top of the article. ' + original;
  quotes.forEach(function (x) {
    if (x.kind === 'word') { var e = x.quote.exact, m = Math.floor(e.length / 2); edited = edited.replace(e, e.slice(0, m) + 'X' + e.slice(m + 2)); }
    if (x.kind === 'gone') edited = edited.replace(x.quote.exact, ' ');
  });
  var art = document.getElementById('a');
  edited.split('. ').forEach(function (s) { var p = document.createElement('p'); p.textContent = s + '. '; art.appendChild(p); });
  var words5k = edited.split(' ').length;
  function run() {
    var text = art.textContent.replace(/\\s+/g, ' ');
    var placed = 0;
    quotes.forEach(function (x) { if (anchor(text, x.quote, x.pos)) placed++; });
    return placed;
  }
  function ref() {
    var text = art.textContent.replace(/\\s+/g, ' '), n = 0;
    quotes.forEach(function (x) { if (text.indexOf(x.quote.exact) >= 0) n++; });
    return n;
  }
  run(); ref();
  var best = Infinity, bestRef = Infinity, placed = 0;
  for (var r = 0; r < 15; r++) {
    var t0 = performance.now(); placed = run(); var t1 = performance.now(); ref(); var t2 = performance.now();
    best = Math.min(best, t1 - t0); bestRef = Math.min(bestRef, t2 - t1);
  }
  return { words: words5k, chars: edited.length, quotes: quotes.length, placed: placed, ms: best, ref_ms: bestRef };
})()`);
await browser.close();
console.log(JSON.stringify(result));
console.log(`re-anchoring ${result.quotes} quotes in a ${result.words}-word article: ${result.ms.toFixed(2)} ms ` +
  `(best of 15; placed ${result.placed}); indexOf reference ${result.ref_ms.toFixed(2)} ms, ratio ${(result.ms / result.ref_ms).toFixed(1)}`);
