// Unit tests of the widget's re-anchoring (web/widget/embed-more.js, the section
// between "anchoring (begin)" and "anchoring (end)"), run in Node: a quoted
// passage is found again after real kinds of edit to the article, and is not
// placed at all when it is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const source = fs.readFileSync(path.join(root, 'web/widget/embed-more.js'), 'utf8');
const section = /\/\/ ---- anchoring \(begin\)[\s\S]*?\/\/ ---- anchoring \(end\) ----/.exec(source);
assert.ok(section, 'embed-more.js has the anchoring section');
const ctx = {};
vm.createContext(ctx);
vm.runInContext(section[0] + '\nthis.anchor = anchor; this.matchEnds = matchEnds;', ctx);
const { anchor, matchEnds } = ctx;

// The demo article's opening, as the widget sees it (white space collapsed).
const ARTICLE = [
  'A treaty signed on the bank of the Amur in 1858 moved a vast stretch of the Far East from the Qing empire to Russia.',
  'Both governments now call their frontier settled.',
  'On the water, in museums and in schoolbooks, its history is still read in two very different ways.',
  'The Treaty of Aigun was signed by Nikolay Muravyov and the Manchu general Yishan on 28 May 1858.',
  'It gave Russia the left bank of the Amur down to the sea, and made the land between the Ussuri and the Pacific a joint possession.',
  'Two years later the Convention of Peking made that land Russian too.'
].join(' ');

// What the widget posts for the passage at [start, end) of `text`.
function quoteAt(text, exact) {
  const start = text.indexOf(exact);
  assert.ok(start >= 0, 'fixture: ' + exact);
  const end = start + exact.length;
  return {
    quote: { exact, prefix: text.slice(Math.max(0, start - 64), start), suffix: text.slice(end, end + 64) },
    pos: { start, end }
  };
}

const PASSAGE = 'signed by Nikolay Muravyov and the Manchu general Yishan on 28 May 1858';

test('unchanged article: the passage is where it was', () => {
  const { quote, pos } = quoteAt(ARTICLE, PASSAGE);
  assert.deepEqual({ ...anchor(ARTICLE, quote, pos) }, { start: pos.start, end: pos.end, errors: 0 });
});

test('a word changed inside the quote: found fuzzily, on the changed passage', () => {
  const { quote, pos } = quoteAt(ARTICLE, PASSAGE);
  const edited = ARTICLE.replace('Nikolay Muravyov', 'Nikolai Muravyov-Amursky');
  const a = anchor(edited, quote, pos);
  assert.ok(a, 'placed');
  assert.ok(a.errors > 0 && a.errors <= Math.floor(PASSAGE.length / 4));
  const found = edited.slice(a.start, a.end);
  assert.match(found, /^signed by Nikolai Muravyov-Amursky and the Manchu general Yishan on 28 May 185/);
});

test('text inserted before it: found by its exact text, at the new offset', () => {
  const { quote, pos } = quoteAt(ARTICLE, PASSAGE);
  const edited = 'Updated 2026: this article was revised. ' + ARTICLE;
  const a = anchor(edited, quote, pos);
  assert.equal(edited.slice(a.start, a.end), PASSAGE);
  assert.equal(a.start, pos.start + 40);
});

test('the paragraph moved: found at its new place', () => {
  const { quote, pos } = quoteAt(ARTICLE, PASSAGE);
  const sentences = ARTICLE.split(/(?<=\.) /);
  const moved = [sentences[3], ...sentences.slice(0, 3), ...sentences.slice(4)].join(' ');
  const a = anchor(moved, quote, pos);
  assert.equal(moved.slice(a.start, a.end), PASSAGE);
  assert.ok(a.start < 40);
});

test('the passage deleted: not placed anywhere', () => {
  const { quote, pos } = quoteAt(ARTICLE, PASSAGE);
  const edited = ARTICLE.replace(
    'The Treaty of Aigun was signed by Nikolay Muravyov and the Manchu general Yishan on 28 May 1858. ', '');
  assert.equal(anchor(edited, quote, pos), null);
});

test('the passage duplicated elsewhere: the copy with the original context wins', () => {
  const exact = 'the left bank of the Amur';
  const { quote, pos } = quoteAt(ARTICLE, exact);
  // The same words now also open the article, before the original.
  const edited = 'Readers asked about the left bank of the Amur today. ' + ARTICLE;
  const a = anchor(edited, quote, pos);
  assert.equal(edited.slice(a.start, a.end), exact);
  assert.equal(a.start, pos.start + 53);
  // Without a stored position, context alone decides the same way.
  const b = anchor(edited, quote, null);
  assert.equal(b.start, a.start);
});

test('a short quote is never matched fuzzily', () => {
  const q = { exact: '1859 too', prefix: '', suffix: '' };
  assert.equal(anchor(ARTICLE, q, null), null);
});

test('matchEnds counts edits like approx-string-match', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(matchEnds('abcdefg', 'cde', 0))), [{ end: 5, errors: 0 }]);
  assert.deepEqual(Array.from(matchEnds('abcdefg', 'cde', 1), (m) => m.end), [4, 5, 6]);
  assert.deepEqual(Array.from(matchEnds('abcdefg', 'cxe', 1), (m) => m.end), [5]);
  // Against the textbook dynamic programme, on patterns of up to three blocks.
  let seed = 12345;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const word = (n) => Array.from({ length: n }, () => 'abc'[rnd(3)]).join('');
  for (let round = 0; round < 500; round++) {
    const t = word(1 + rnd(150)), p = word(1 + rnd(90)), k = rnd(10);
    const want = [];
    let prev = Array.from({ length: p.length + 1 }, (_, i) => i);
    for (let j = 0; j < t.length; j++) {
      const cur = [0];
      for (let i = 1; i <= p.length; i++) {
        cur[i] = Math.min(prev[i] + 1, cur[i - 1] + 1, prev[i - 1] + (p[i - 1] === t[j] ? 0 : 1));
      }
      prev = cur;
      if (cur[p.length] <= k) want.push((j + 1) + ':' + cur[p.length]);
    }
    assert.equal(Array.from(matchEnds(t, p, k), (m) => m.end + ':' + m.errors).join(), want.join(), `${t} ${p} ${k}`);
  }
});
