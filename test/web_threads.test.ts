/**
 * The playground's threads in a real browser (Debian's Chromium, puppeteer-core): served cross-origin
 * isolated, the page offers 1..hardwareConcurrency threads, and the step engine on 2 threads
 * (Web Workers over one SharedArrayBuffer) gives exactly Node's spikes — the same count and the
 * same (step, neuron) pairs — as it does on 1. Served without the isolation headers, the page
 * offers one thread, says why, and still runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { smallCoba, nodeSpikes } from './support/playground.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const root = new URL('../../', import.meta.url);

type State = { state: string; spikes: number; t: number; backend: string; threads: number; threadsNote?: string; digest: number; error?: string };
const state = (page: Page) => page.evaluate(() => (globalThis as unknown as { playground: State }).playground);
const setValue = (page: Page, sel: string, v: string) => page.$eval(sel, (el, x) => ((el as unknown as { value: string }).value = x as string), v);

/** Runs the page's current model for `ms` on `threads` threads; resolves with the final state. */
async function runOn(page: Page, threads: number, ms: number): Promise<State> {
  await setValue(page, '#duration', String(ms));
  await page.select('#threads', String(threads));
  await page.click('#run');
  await page.waitForFunction(() => ['done', 'error'].includes((globalThis as unknown as { playground: State }).playground.state), { timeout: 60_000 });
  return state(page);
}

test('playground threads in Chromium: 2 engine threads give Node\'s spikes exactly, as 1 does; without isolation, one thread and the reason', async (t) => {
  assert.ok(CHROMIUM, 'Chromium is not installed: apt-get install -y chromium (.ci/run does this)');
  const { buildPlayground } = (await import(new URL('web/build.mjs', root).href)) as { buildPlayground(): Promise<void> };
  type Served = { server: { close(): void }; port: number };
  const { servePlayground } = (await import(new URL('web/server.mjs', root).href)) as { servePlayground(port: number, host?: string, o?: { isolated?: boolean }): Promise<Served> };
  const puppeteer = (await import('puppeteer-core')).default;
  await buildPlayground();
  const isolated = await servePlayground(0);
  const plain = await servePlayground(0, '127.0.0.1', { isolated: false });
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  t.after(async () => {
    await browser.close();
    isolated.server.close();
    plain.server.close();
  });
  const model = smallCoba();
  const ms = 300;
  const expected = nodeSpikes(model, ms);
  assert.ok(expected.count > 100, `the model spikes in Node (${expected.count})`);

  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // the selector's range follows the machine: pretend it has 4 cores
  const cdp = await page.createCDPSession();
  await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: 4 });
  await page.goto(`http://127.0.0.1:${isolated.port}/`);
  assert.equal(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated), true, 'the server makes the page cross-origin isolated');
  assert.deepEqual(await page.$$eval('#threads option', (os) => os.map((o) => (o as unknown as { value: string }).value)), ['1', '2', '3', '4'], 'threads 1..hardwareConcurrency');
  assert.equal((await state(page)).threadsNote, undefined, 'no note when threads are available');
  await setValue(page, '#model', model);

  const one = await runOn(page, 1, ms);
  assert.equal(one.error, undefined, `the page reports an error: ${one.error}`);
  assert.equal(one.threads, 1);
  assert.equal(one.spikes, expected.count, `1 thread: browser ${one.spikes} spikes, Node ${expected.count}`);
  assert.equal(one.digest, expected.digest, '1 thread: the same spikes (step, neuron) as Node');

  const two = await runOn(page, 2, ms);
  assert.equal(two.error, undefined, `the page reports an error: ${two.error}`);
  assert.equal(two.state, 'done');
  assert.equal(two.backend, 'step engine');
  assert.equal(two.threads, 2, `the run used two engine threads (${two.threadsNote})`);
  assert.equal(two.spikes, expected.count, `2 threads: browser ${two.spikes} spikes, Node ${expected.count}`);
  assert.equal(two.digest, expected.digest, '2 threads: the same spikes (step, neuron) as Node and as 1 thread');
  assert.match(await page.$eval('#status', (el) => el.textContent ?? ''), /on 2 threads/);

  // not cross-origin isolated: one thread, the reason on the page, and the run still gives Node's spikes
  const other = await browser.newPage();
  other.on('pageerror', (e) => errors.push(String(e)));
  await other.goto(`http://127.0.0.1:${plain.port}/#threads=2`);
  assert.equal(await other.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated), false);
  assert.deepEqual(await other.$$eval('#threads option', (os) => os.map((o) => (o as unknown as { value: string }).value)), ['1'], 'one thread offered');
  assert.equal(await other.$eval('#threads', (el) => (el as unknown as { disabled: boolean }).disabled), true);
  const note = await other.$eval('#threads-note', (el) => ((el as unknown as { hidden: boolean }).hidden ? '' : (el.textContent ?? '')));
  assert.match(note, /1 thread: SharedArrayBuffer is unavailable: the page is not cross-origin isolated/);
  await setValue(other, '#model', model);
  const fallback = await runOn(other, 1, ms);
  assert.equal(fallback.error, undefined, `the page reports an error: ${fallback.error}`);
  assert.equal(fallback.threads, 1);
  assert.equal(fallback.digest, expected.digest, 'the fallback run gives the same spikes');
  assert.deepEqual(errors, [], 'no page errors');
});
