// The widget embedded on a second origin, the way a news site embeds it: one
// div and one async script from the amur server, which allows that origin
// with --allow-origin. Everything works through CORS with headers only (no
// cookies), and nothing leaves loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openReader, startAmur, startHost, waitForWidget } from './harness.mjs';

const T = { timeout: 90000 };
let amur;
let host;
let browser;

function assertClean(problems) {
  assert.deepEqual(problems.offLoopback, [], 'requests left loopback');
  assert.deepEqual(problems.consoleErrors, [], 'console errors');
  assert.deepEqual(problems.dialogs, [], 'dialogs opened');
}

before(async () => {
  host = await startHost(() => amur.url);
  amur = await startAmur(['--allow-origin', host.url]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
  const exit = await amur?.stop();
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

describe('the widget on another origin', () => {
  test('preflights allow PATCH, DELETE and votes with their headers', T, async () => {
    const c = await amur.post('/host/preflight', 'Preflight target.');
    const id = c.comment.id;
    const preflight = (path, method, headers, origin = host.url) => fetch(amur.url + path, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers },
    });
    for (const [path, method, headers] of [
      [`/api/v1/comments/${id}`, 'PATCH', 'authorization,content-type'],
      [`/api/v1/comments/${id}`, 'DELETE', 'authorization'],
      [`/api/v1/comments/${id}/votes`, 'POST', 'content-type,x-amur-voter'],
      ['/api/v1/comments', 'POST', 'content-type'],
    ]) {
      const r = await preflight(path, method, headers);
      assert.ok(r.status === 204 || r.status === 200, `${method} ${path}: ${r.status}`);
      assert.equal(r.headers.get('access-control-allow-origin'), host.url);
      assert.ok(r.headers.get('access-control-allow-methods').split(/,\s*/).includes(method), `${method} allowed`);
      const allowed = r.headers.get('access-control-allow-headers').toLowerCase().split(/,\s*/);
      for (const h of headers.split(',')) assert.ok(allowed.includes(h), `${h} allowed for ${method}`);
    }
    // An origin that was not allowed gets no CORS approval.
    const other = await preflight(`/api/v1/comments/${id}`, 'PATCH', 'authorization', 'http://127.0.0.2:1');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('a reader posts, votes, edits and deletes from the host page', T, async () => {
    await amur.post('/host/article', 'Already here before the reader came.', { author_name: 'Early' });
    const { page, problems } = await openReader(browser);
    const amurRequests = [];
    page.on('request', (r) => { if (r.url().startsWith(amur.url)) amurRequests.push(r); });
    await page.goto(`${host.url}/article?page=/host/article`);
    const w = await waitForWidget(page);
    // The widget lives inside the host's div and styles itself from amur.
    assert.equal(await page.locator('#amur-thread > section.amur-w').count(), 1);
    await page.locator(`link[rel="stylesheet"][href^="${amur.url}/embed.css?v="]`).waitFor({ state: 'attached' });
    assert.equal(await w.locator('h2.amur-count').textContent(), '1 Comment');
    await w.getByText('Already here before the reader came.').waitFor();
    // The host's own button styles do not leak in.
    const bg = await w.getByRole('button', { name: 'Post Comment' }).evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.notEqual(bg, 'rgb(255, 105, 180)');

    await w.getByLabel('Comment', { exact: true }).fill('Posted from the host origin.');
    await w.getByLabel('Name').fill('Host Reader');
    await w.getByRole('button', { name: 'Post Comment' }).click();
    await w.locator('li.amur-item', { hasText: 'Posted from the host origin.' }).waitFor();
    const id = await w.locator('li.amur-item', { hasText: 'Posted from the host origin.' }).getAttribute('data-id');
    const mine = w.locator(`li.amur-item[data-id="${id}"]`);
    await w.locator('h2.amur-count', { hasText: '2 Comments' }).waitFor();
    // The page key, title and URL went with the first comment.
    const listing = await amur.list('/host/article');
    assert.equal(listing.page.title, 'A host article');

    await mine.getByRole('button', { name: 'Upvote', exact: true }).click();
    await mine.locator('.amur-n-up', { hasText: '1' }).waitFor();
    await mine.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.waitForFunction(() => {
      const t = document.querySelector('.amur-editor textarea');
      return t && !t.readOnly && t.value.length > 0;
    });
    await mine.getByLabel('Edit your comment').fill('Edited from the host origin.');
    await mine.getByRole('button', { name: 'Save' }).click();
    await mine.locator('.amur-body', { hasText: 'Edited from the host origin.' }).waitFor();
    await mine.locator('.amur-edited', { hasText: 'by Host Reader' }).waitFor();
    // Posting's, voting's and Edit's code is the part of the widget fetched when
    // first needed (here when the form was first focused), once, from amur.
    assert.equal(amurRequests.filter((r) => r.url().startsWith(`${amur.url}/embed-more.js?v=`)).length, 1);
    await mine.getByRole('button', { name: 'Delete', exact: true }).click();
    await mine.getByRole('button', { name: 'Yes, delete' }).click();
    await w.locator(`li[data-id="${id}"]`).waitFor({ state: 'detached' });
    await w.locator('h2.amur-count', { hasText: '1 Comment' }).waitFor();

    // Read-your-writes on any node: for a minute after a write, the widget's
    // reads carry the seq its last write answered with.
    const lastWrite = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)).seen.s, `amur:${amur.url}`);
    assert.ok(lastWrite > 0);
    const before = amurRequests.length;
    await page.reload();
    await (await waitForWidget(page)).getByText('Already here before the reader came.').waitFor();
    const reads = amurRequests.slice(before).filter((r) => r.method() === 'GET' && r.url().includes('/api/v1/comments?'));
    assert.ok(reads.length >= 1);
    for (const r of reads) assert.equal(r.headers()['x-amur-seen'], String(lastWrite));

    // Edit tokens and the voter id live in the host's localStorage; no
    // request to amur carried a cookie or credentials.
    const stored = await page.evaluate(() => Object.keys(localStorage));
    assert.deepEqual(stored, [`amur:${amur.url}`]);
    assert.ok(amurRequests.length >= 6);
    for (const r of amurRequests) {
      assert.equal(r.headers().cookie, undefined, `cookie sent to ${r.url()}`);
    }
    assert.deepEqual(await page.context().cookies(amur.url), []);
    assertClean(problems);
  });

  test('Load more and View all page through a long thread', T, async () => {
    const key = '/host/long';
    for (let i = 1; i <= 8; i++) {
      const c = await amur.post(key, `Top-level number ${i}.`, { author_name: `Reader ${i}` });
      if (i === 5) await amur.post(key, 'A reply inside page two.', { parent_id: c.comment.id });
    }
    const { page, problems } = await openReader(browser);
    await page.goto(`${host.url}/article?page=${encodeURIComponent(key)}&limit=3`);
    const w = await waitForWidget(page);
    const top = w.locator('ol.amur-comments > li');
    assert.equal(await top.count(), 3);
    assert.equal(await w.locator('h2.amur-count').textContent(), '9 Comments');
    await w.getByRole('button', { name: 'Load more comments' }).click();
    await top.nth(5).waitFor();
    assert.equal(await top.count(), 6);
    assert.match(await top.nth(4).textContent(), /A reply inside page two\./);
    await w.getByRole('button', { name: 'View all comments' }).click();
    await top.nth(7).waitFor();
    assert.equal(await top.count(), 8);
    assert.equal(await w.locator('nav.amur-pager').isHidden(), true);
    const texts = await w.locator('ol.amur-comments > li > article .amur-body').allTextContents();
    assert.deepEqual(texts.map((t) => t.trim()), [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `Top-level number ${i}.`));
    await w.locator('[role="status"]', { hasText: 'more comments shown.' }).waitFor();
    assertClean(problems);
  });

  test('a held back reader gets a clear message when the server refuses', T, async () => {
    const { page, problems } = await openReader(browser);
    await page.goto(`${host.url}/article?page=/host/errors`);
    const w = await waitForWidget(page);
    await w.getByRole('button', { name: 'Post Comment' }).click();
    const alert = w.locator('.amur-composer [role="alert"]');
    await alert.filter({ hasText: /\S/ }).waitFor();
    assert.equal(await w.getByLabel('Comment', { exact: true }).getAttribute('aria-invalid'), 'true');
    // The browser logs the 400 of the refused post; nothing else.
    assert.ok(problems.consoleErrors.every((e) => /status of 400/.test(e)), problems.consoleErrors.join('\n'));
    assert.deepEqual(problems.dialogs, []);
    assert.deepEqual(problems.offLoopback, []);
  });
});

describe('the widget in another language', () => {
  test('takes its words from window.AmurMessages', T, async () => {
    await amur.post('/host/de', 'Ein Kommentar.', { author_name: 'Anna' });
    const { page, problems } = await openReader(browser);
    await page.goto(`${host.url}/article?page=/host/de&lang=de`);
    const w = await waitForWidget(page);
    assert.equal(await w.locator('h2.amur-count').textContent(), '1 Kommentar');
    assert.equal(await w.locator('.amur-compose-title').textContent(), 'Diskutieren Sie mit');
    assert.equal(await w.getByLabel('Name').getAttribute('placeholder'), 'Gast');
    await w.getByRole('button', { name: 'Kommentar senden' }).waitFor();
    await w.getByRole('button', { name: '\u00c4lteste' }).waitFor();
    await w.getByRole('button', { name: 'Daumen hoch', exact: true }).waitFor();
    assert.equal(await w.locator('ol.amur-comments time').first().textContent(), 'gerade eben');
    // Words it was not given stay English.
    await w.getByRole('button', { name: 'Downvote', exact: true }).waitFor();
    assertClean(problems);
  });
});

describe('the widget on an origin that is not allowed', () => {
  test('shows that the comments could not be loaded', T, async () => {
    const other = await startAmur(); // same-origin only
    const { page, problems } = await openReader(browser);
    const stranger = await startHost(() => other.url);
    try {
      await page.goto(`${stranger.url}/article?page=/x`);
      await page.locator('#amur-thread [role="alert"]', { hasText: 'The comments could not be loaded.' }).waitFor();
      await page.getByRole('button', { name: 'Try again' }).waitFor();
      assert.deepEqual(problems.dialogs, []);
      assert.deepEqual(problems.offLoopback, []);
    } finally {
      await stranger.stop();
      await other.stop();
    }
  });
});
