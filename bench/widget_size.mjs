// The widget's size as readers download it: starts `amur serve` (AMUR_BIN,
// default build/debug/amur) on a fresh database, fetches /embed.js and
// /embed.css with and without Accept-Encoding: gzip, and prints the bytes of
// each beside two references from the same run: the readable source
// (web/widget) and the served text through zlib's gzip level 9.
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
  const rows = [];
  for (const [name, url] of [['embed.js', '/embed.js'], ['embed.css', `/embed.css?v=${v}`]]) {
    const source = fs.readFileSync(path.join(ROOT, 'web/widget', name));
    const served = await get(url, 'identity');
    const zipped = await get(url, 'gzip');
    rows.push({ name, source: source.length, source_gzip9: gz9(source), served: served.length,
      served_gzip9: gz9(served), served_gzip: zipped.length });
  }
  const total = (k) => rows.reduce((s, r) => s + r[k], 0);
  rows.push({ name: 'total', source: total('source'), source_gzip9: total('source_gzip9'),
    served: total('served'), served_gzip9: total('served_gzip9'), served_gzip: total('served_gzip') });
  console.log('| file | source | source gzip -9 | served | served through gzip -9 | served gzip (what readers get) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.source} | ${r.source_gzip9} | ${r.served} | ${r.served_gzip9} | ${r.served_gzip} |`);
  }
  const t = rows[rows.length - 1];
  console.log(`served gzip / source gzip -9: ${(t.served_gzip / t.source_gzip9).toFixed(3)}; ` +
    `served gzip / served through gzip -9: ${(t.served_gzip / t.served_gzip9).toFixed(3)}; ` +
    `served gzip / 10 KB: ${(t.served_gzip / 10240).toFixed(3)}`);
} finally {
  await amur.stop();
}
