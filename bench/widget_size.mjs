// The widget's size as readers download it: starts `amur serve` (AMUR_BIN,
// default build/debug/amur) on a fresh database, fetches /embed.js,
// /embed.css and /embed-more.js with and without Accept-Encoding: gzip, and
// prints the bytes of each beside two references from the same run: the
// readable source (web/widget) and the served text through zlib's gzip level
// 9. Two totals: the first load (embed.js and embed.css, what every reader
// downloads) and all three files (embed-more.js is fetched when first
// needed: posting, voting, sorting, Load more, preview, Subscribe, Edit,
// Delete, Report, a selection in the article, the first live update; and at
// once on a page with inline feedback).
//
//   npm ci && cmake --build build/debug --target amur && node bench/widget_size.mjs
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, startAmur } from '../tests/e2e/harness.mjs';

const gz9 = (b) => zlib.gzipSync(b, { level: 9 }).length;
const amur = await startAmur([]);
const get = (p, enc) => new Promise((resolve, reject) => {
  http.get(new URL(amur.url + p), { headers: { 'Accept-Encoding': enc } }, (r) => {
    const chunks = [];
    r.on('data', (d) => chunks.push(d));
    r.on('end', () => resolve(Buffer.concat(chunks)));
  }).on('error', reject);
});
try {
  const js = await get('/embed.js', 'identity');
  const v = /embed\.css\?v=([0-9a-f]+)/.exec(js.toString())[1];
  // (A binary from before embed-more.js, e.g. for a before/after run, has two files.)
  const mv = /embed-more\.js\?v=([0-9a-f]+)/.exec(js.toString());
  const rows = [];
  const files = [['embed.js', '/embed.js'], ['embed.css', `/embed.css?v=${v}`]];
  if (mv) files.push(['embed-more.js', `/embed-more.js?v=${mv[1]}`]);
  for (const [name, url] of files) {
    const source = fs.readFileSync(path.join(ROOT, 'web/widget', name));
    const served = await get(url, 'identity');
    const zipped = await get(url, 'gzip');
    rows.push({ name, source: source.length, source_gzip9: gz9(source), served: served.length,
      served_gzip9: gz9(served), served_gzip: zipped.length });
  }
  const sum = (name, of) => {
    const total = (k) => of.reduce((s, r) => s + r[k], 0);
    return { name, source: total('source'), source_gzip9: total('source_gzip9'),
      served: total('served'), served_gzip9: total('served_gzip9'), served_gzip: total('served_gzip') };
  };
  const first = sum('**first load** (embed.js + embed.css)', rows.slice(0, 2));
  const all = sum('**all files**', rows.slice(0, files.length));
  rows.push(first, all);
  console.log('| file | source | source gzip -9 | served | served through gzip -9 | served gzip (what readers get) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.source} | ${r.source_gzip9} | ${r.served} | ${r.served_gzip9} | ${r.served_gzip} |`);
  }
  for (const t of [first, all]) {
    console.log(`${t.name}: served gzip / source gzip -9: ${(t.served_gzip / t.source_gzip9).toFixed(3)}; ` +
      `served gzip / served through gzip -9: ${(t.served_gzip / t.served_gzip9).toFixed(3)}; ` +
      `served gzip / 10 KB: ${(t.served_gzip / 10240).toFixed(3)}`);
  }
} finally {
  await amur.stop();
}
