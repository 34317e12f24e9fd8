// Edit and Delete are offered on a reader's own comment only while the edit
// window (amur serve --edit-window) is open; the widget learns its length
// from /embed.js and takes the buttons away when it closes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openReader, startAmur, waitForWidget } from './harness.mjs';

let amur;
let browser;

before(async () => {
  amur = await startAmur(['--edit-window', '90']);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await amur?.stop();
});

test('Edit and Delete go away when the edit window closes', { timeout: 90000 }, async () => {
  const { page, problems } = await openReader(browser);
  await page.clock.install();
  await page.goto(`${amur.url}/demo`);
  const w = await waitForWidget(page);
  await w.getByLabel('Comment', { exact: true }).fill('Editable for ninety seconds.');
  await w.getByRole('button', { name: 'Post Comment' }).click();
  const mine = w.locator('li.amur-item', { hasText: 'Editable for ninety seconds.' });
  await mine.getByRole('button', { name: 'Edit', exact: true }).waitFor();
  await mine.getByRole('button', { name: 'Delete', exact: true }).waitFor();
  await page.clock.fastForward('01:00');
  assert.equal(await mine.getByRole('button', { name: 'Edit', exact: true }).count(), 1);
  await page.clock.fastForward('01:05');
  await mine.getByRole('button', { name: 'Edit', exact: true }).waitFor({ state: 'detached' });
  assert.equal(await mine.getByRole('button', { name: 'Delete', exact: true }).count(), 0);
  await mine.getByRole('button', { name: /^Reply/ }).waitFor();
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.dialogs, []);
  assert.deepEqual(problems.offLoopback, []);
});
