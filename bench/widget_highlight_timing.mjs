// When the widget's thread and its first highlighted passage appear on /demo
// (its two example inline comments kept), in Debian's Chromium with a cold
// cache each time (a fresh context per load): milliseconds after navigation
// start, median of loads 2-16 (the first warms the server), and the gap between
// the two. Compare two binaries in one session, e.g. before and after a change
// to when embed-more.js is fetched:
//
//   AMUR_BIN=/path/to/other/amur node bench/widget_highlight_timing.mjs
//   AMUR_BIN=build/debug/amur node bench/widget_highlight_timing.mjs
import { launchBrowser, startAmur } from '../tests/e2e/harness.mjs';
const amur = await startAmur([], { demoComments: true });
const browser = await launchBrowser();
const rows = [];
try {
  for (let i = 0; i < 16; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.__t = {};
      new MutationObserver(() => {
        const t = window.__t;
        if (!t.thread && document.querySelector('section.amur-w[data-amur-ready] .amur-item')) t.thread = performance.now();
        if (!t.mark && document.querySelector('mark.amur-hl')) t.mark = performance.now();
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${amur.url}/demo`);
    await page.locator('mark.amur-hl').first().waitFor();
    await page.locator('section.amur-w[data-amur-ready]').waitFor();
    rows.push(await page.evaluate(() => window.__t));
    await context.close();
  }
} finally { await browser.close(); await amur.stop(); }
const med = (k) => { const v = rows.slice(1).map((r) => r[k]).sort((a, b) => a - b); return v[Math.floor(v.length / 2)].toFixed(0); };
const gaps = rows.slice(1).map((r) => r.mark - r.thread).sort((a, b) => a - b);
console.log(`median of loads 2-16: thread ${med('thread')} ms, first highlight ${med('mark')} ms, gap ${gaps[7].toFixed(0)} ms`);
