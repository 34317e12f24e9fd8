// The desk's Webhooks section, in headless Chromium: an admin adds an
// endpoint (a real receiver on loopback), sends a test delivery, sees what
// it delivered, removes it after confirming, and replaces the secret.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { addUser, launchBrowser, openReader, saveArtifact, startAmur } from './harness.mjs';

const T = { timeout: 120000 };
const ADMIN = { email: 'ada@example.com', name: 'Ada Admin', password: 'admin password 1' };

let amur;
let browser;
let receiver;
const received = [];

before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  amur = await startAmur(['--webhook-allow-private']);
  addUser(amur.db, ADMIN, 'admin');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  receiver?.close();
  const exit = await amur?.stop();
  assert.equal(exit?.code, 0, `amur did not exit cleanly: ${amur?.stderr()}`);
});

async function waitFor(pred, what) {
  for (let i = 0; i < 300; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(received.map((r) => r.body.type))}`);
}

test('an admin adds an endpoint, tests it, removes it, and replaces the secret', T, async () => {
  const endpoint = `http://127.0.0.1:${receiver.address().port}/hooks`;
  const { context, page, problems } = await openReader(browser);
  await page.goto(`${amur.url}/admin`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('tab', { name: 'Settings' }).click();
  const section = page.getByRole('region', { name: 'Webhooks' });
  await section.getByText('No endpoints yet.').waitFor();

  await section.getByLabel('Add an endpoint').fill(endpoint);
  await section.getByRole('button', { name: 'Add' }).click();
  await page.getByRole('status').filter({ hasText: `Added ${endpoint}` }).waitFor();
  const row = section.locator('li', { hasText: endpoint });
  await row.waitFor();

  await row.getByRole('button', { name: 'Send a test' }).click();
  await page.getByRole('status').filter({ hasText: `Test delivered to ${endpoint}` }).waitFor();
  await waitFor(() => received.some((r) => r.body.type === 'webhook.test'), 'the test delivery');
  assert.match(received[0].headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);

  const posted = await amur.api('POST', '/api/v1/comments', { page: '/hooks/e2e', body: 'Hello, hooks.' });
  assert.equal(posted.status, 201);
  await waitFor(() => received.some((r) => r.body.type === 'comment.created'), 'the comment');
  await page.screenshot({ path: saveArtifact('desk-webhooks.png'), fullPage: true });

  await section.getByRole('button', { name: 'Replace the secret' }).click();
  const confirm = page.getByRole('dialog', { name: 'Replace the signing secret?' });
  await confirm.getByRole('button', { name: 'Replace' }).click();
  await page.getByRole('status').filter({ hasText: 'A new signing secret is in force.' }).waitFor();
  assert.match(await section.locator('#hook-secret').textContent(), /^whsec_/);

  await row.getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('dialog', { name: 'Remove this endpoint?' }).getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('status').filter({ hasText: `Removed ${endpoint}` }).waitFor();
  await section.getByText('No endpoints yet.').waitFor();

  // The desk asks who is signed in before the sign-in form: that one 401 is expected.
  const FAILED_401 = 'Failed to load resource: the server responded with a status of 401 (Unauthorized)';
  assert.deepEqual(problems.consoleErrors.filter((m) => m !== FAILED_401), []);
  assert.deepEqual(problems.dialogs, []);
  assert.deepEqual(problems.offLoopback, []);
  await context.close();
});
