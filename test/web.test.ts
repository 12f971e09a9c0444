/**
 * The playground in a real browser: Debian's Chromium, driven by puppeteer-core (no browser
 * download; .ci/run installs `chromium` where it is missing). The page loads, runs the shipped
 * COBA model file on the step engine in a Web Worker, and its spike count equals Node's for the
 * same model and seed; a shared link carries the model and reproduces the run; stop and resume
 * continue the same run to the same count. A screenshot is written to out/test-artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { smallCoba, nodeSpikes } from './support/playground.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const root = new URL('../../', import.meta.url);
const nodeCount = (text: string, ms: number) => nodeSpikes(text, ms).count;

test('playground in Chromium: COBA on the step engine gives Node\'s spike count; a shared link reproduces it; stop and resume continue the run', async (t) => {
  assert.ok(CHROMIUM, 'Chromium is not installed: apt-get install -y chromium (.ci/run does this)');
  const { buildPlayground } = (await import(new URL('web/build.mjs', root).href)) as { buildPlayground(): Promise<void> };
  const { servePlayground } = (await import(new URL('web/server.mjs', root).href)) as { servePlayground(port: number): Promise<{ server: { close(): void }; port: number }> };
  const puppeteer = (await import('puppeteer-core')).default;
  // the page and worker sources type-check against the DOM (esbuild bundles without checking)
  const tsc = new URL('node_modules/typescript/bin/tsc', root).pathname;
  execFileSync(process.execPath, [tsc, '-p', new URL('web/tsconfig.json', root).pathname], { stdio: 'pipe' });
  await buildPlayground();
  const { server, port } = await servePlayground(0);
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  t.after(async () => {
    await browser.close();
    server.close();
  });
  const model = smallCoba();
  const ms = 300;
  const expected = nodeCount(model, ms);
  assert.ok(expected > 100, `the model spikes in Node (${expected})`);

  type State = { state: string; spikes: number; t: number; backend: string; error?: string };
  const page = await browser.newPage();
  await page.setViewport({ width: 1440, height: 900 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`http://127.0.0.1:${port}/`);
  // the default model is the shipped COBA file
  const defaultText = await page.$eval('#model', (el) => (el as unknown as { value: string }).value);
  assert.match(defaultText, /name: COBA/);
  await page.$eval('#model', (el, v) => ((el as unknown as { value: string }).value = v as string), model);
  await page.$eval('#duration', (el, v) => ((el as unknown as { value: string }).value = v as string), String(ms));
  const finish = async (p: typeof page): Promise<State> => {
    await p.waitForFunction(() => ['done', 'error'].includes((globalThis as unknown as { playground: State }).playground.state), { timeout: 120_000 });
    return p.evaluate(() => (globalThis as unknown as { playground: State }).playground);
  };
  await page.click('#run');
  const first = await finish(page);
  assert.equal(first.error, undefined, `the page reports an error: ${first.error}`);
  assert.equal(first.state, 'done');
  assert.equal(first.backend, 'step engine', 'the browser run is on the step engine');
  assert.equal(first.spikes, expected, `browser ${first.spikes} spikes, Node ${expected}`);
  mkdirSync(new URL('out/test-artifacts/', root), { recursive: true });
  await page.screenshot({ path: new URL('out/test-artifacts/playground.png', root).pathname });

  // stop, then resume: the same run, to the same count (a longer run, so that it can be stopped midway)
  const longMs = 3000;
  const longExpected = nodeCount(model, longMs);
  await page.$eval('#duration', (el, v) => ((el as unknown as { value: string }).value = v as string), String(longMs));
  await page.click('#run');
  await page.waitForFunction(() => (globalThis as unknown as { playground: State }).playground.state === 'running', { timeout: 60_000 });
  await page.click('#stop');
  await page.waitForFunction(() => (globalThis as unknown as { playground: State }).playground.state === 'stopped', { timeout: 60_000 });
  const paused = await page.evaluate(() => (globalThis as unknown as { playground: State }).playground);
  assert.ok(paused.t < longMs / 1000, `stopped before the end (t = ${paused.t})`);
  await page.click('#stop'); // now "Resume"
  const resumed = await finish(page);
  assert.equal(resumed.spikes, longExpected, 'stop and resume give the uninterrupted count');
  await page.$eval('#duration', (el, v) => ((el as unknown as { value: string }).value = v as string), String(ms));

  // the shared link carries the model: a new page from it runs the same model to the same count
  await page.click('#share');
  const url = await page.$eval('#link', (el) => (el as unknown as { value: string }).value);
  assert.match(url, /#model=/);
  const other = await browser.newPage();
  await other.goto(url);
  assert.equal(await other.$eval('#model', (el) => (el as unknown as { value: string }).value), model, 'the link restores the model text');
  await other.click('#run');
  const again = await finish(other);
  assert.equal(again.spikes, expected, 'the shared link reproduces the run');
  assert.deepEqual(errors, [], 'no page errors');
});
