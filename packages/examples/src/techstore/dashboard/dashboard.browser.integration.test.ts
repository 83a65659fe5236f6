// Issue 6, "Dashboard": the page `runTechstore` writes is opened in headless Chromium (Debian's
// `/usr/bin/chromium`, driven by playwright-core; `.ci/run` installs it) with every non-`file:`
// request blocked, and must render each chart: an <svg> with a real size and data marks that are
// painted (checked on the decoded screenshot's pixels), the headings, and no console errors.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLakeRoot } from '../testing/techstore-lake.js';
import { runTechstore } from '../pipeline/run-techstore.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && !process.env.CI;
const VIEWPORT = { width: 1280, height: 900 };

interface Png {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
}

/** Decodes an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium's screenshots are). */
function decodePng(png: Buffer): Png {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = 0;
  let interlace = 0;
  const idat: Buffer[] = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data.readUInt8(8);
      colorType = data.readUInt8(9);
      interlace = data.readUInt8(12);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) {
    throw new Error(`unexpected PNG format: depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);
  }
  const channels = colorType === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  const out = Buffer.alloc(height * stride);
  const at = (i: number) => out[i] ?? 0;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const i = y * stride + x;
      const a = x >= channels ? at(i - channels) : 0;
      const b = y > 0 ? at(i - stride) : 0;
      const c = x >= channels && y > 0 ? at(i - stride - channels) : 0;
      let v = raw[y * (stride + 1) + 1 + x] ?? 0;
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`unknown PNG filter ${filter}`);
      out[i] = v & 0xff;
    }
  }
  return { width, height, channels, pixels: out };
}

/** Pixels in a box painted in the charts' blue/violet (bars, funnel, heatmap), and the distinct colours there. */
function inkIn(png: Png, box: { x: number; y: number; width: number; height: number }): { ink: number; colours: number } {
  let ink = 0;
  const colours = new Set<number>();
  for (let y = Math.max(0, Math.floor(box.y)); y < Math.min(png.height, Math.ceil(box.y + box.height)); y++) {
    for (let x = Math.max(0, Math.floor(box.x)); x < Math.min(png.width, Math.ceil(box.x + box.width)); x++) {
      const i = (y * png.width + x) * png.channels;
      const [r, g, b] = [png.pixels[i] ?? 0, png.pixels[i + 1] ?? 0, png.pixels[i + 2] ?? 0];
      colours.add((r << 16) | (g << 8) | b);
      if (b - r > 60 && b - g > 40) ink++;
    }
  }
  return { ink, colours: colours.size };
}

describe.skipIf(skip)(`TechStore dashboard in headless Chromium${skip ? ` (skipped: ${CHROMIUM} not found — apt-get install -y chromium)` : ''}`, () => {
  let root: string;
  let dashboardPath: string;
  let browser: Browser | undefined;
  let page: Page;
  const blocked: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`CI=${process.env.CI}: ${CHROMIUM} is missing; install it from Debian (apt-get install -y chromium, as .ci/run does)`);
    }
    root = await mkdtemp(join(testLakeRoot(), 'techstore-browser-'));
    const result = await runTechstore({ lakeDir: join(root, 'lake'), scale: 0.01, seed: 'browser', durable: false, tmpDir: root });
    dashboardPath = result.dashboard.path;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    // No network: anything that is not the local file is refused (and recorded).
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    const response = await page.goto(pathToFileURL(dashboardPath).href, { waitUntil: 'load' });
    expect(response?.ok() ?? true).toBe(true);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('shows the title and the section headings, with no console errors and no network', async () => {
    expect(await page.title()).toBe('TechStore — Oct 2025');
    await expect(page.locator('header h1').textContent()).resolves.toBe('TechStore — Oct 2025');
    const headings = await page.locator('section h2').allTextContents();
    expect(headings).toEqual([
      '1. How is the business doing this month?',
      'Monthly revenue (bars) and buying customers (line)',
      '2. Where does the funnel lose most users? 2025-10',
      '3. Revenue by country',
      'Revenue by channel',
      'Revenue by device',
      'Orders by weekday and hour',
    ]);
    // KPIs with the month-over-month change.
    const kpis = await page.locator('#kpis .kpi').allInnerTexts();
    expect(kpis).toHaveLength(4);
    for (const kpi of kpis.slice(0, 2)) expect(kpi).toMatch(/[+-]\d+\.\d % vs previous month/);
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
  });

  // Per section: the marks that carry the data, and how many there must be at least.
  const charts = [
    { id: 'monthly', marks: 'rect.bar', min: 60 },
    { id: 'funnel', marks: 'rect.hbar.funnel', min: 4 },
    { id: 'countries', marks: 'rect.hbar', min: 2 },
    { id: 'channels', marks: 'rect.hbar', min: 2 },
    { id: 'devices', marks: 'rect.hbar', min: 2 },
    { id: 'hours', marks: 'rect.cell', min: 20 },
  ] as const;

  it.each(charts)('#$id draws an <svg> with a real size and at least $min data marks', async ({ id, marks, min }) => {
    const svg = page.locator(`section#${id} > svg`);
    await expect(svg.count()).resolves.toBe(1);
    const box = await svg.boundingBox();
    expect(box?.width).toBeGreaterThan(200);
    expect(box?.height).toBeGreaterThan(50);
    const rects = await svg.locator(marks).all();
    expect(rects.length).toBeGreaterThanOrEqual(min);
    for (const rect of rects) {
      const r = await rect.boundingBox();
      expect(r?.width, `${id} ${marks}`).toBeGreaterThan(0);
      expect(r?.height, `${id} ${marks}`).toBeGreaterThan(0);
    }
  });

  it('draws the customers line, the funnel drop-off and the shares', async () => {
    const line = page.locator('#monthly polyline.line');
    await expect(line.count()).resolves.toBe(1);
    expect((await line.getAttribute('points'))?.trim().split(/\s+/).length).toBeGreaterThanOrEqual(60);
    expect((await line.boundingBox())?.width).toBeGreaterThan(500);
    const funnel = await page.locator('#funnel text.value').allTextContents();
    expect(funnel).toHaveLength(4);
    for (const label of funnel.slice(1)) expect(label).toMatch(/sessions \(−\d+\.\d %\)$/);
    await expect(page.locator('#funnel .note').innerText()).resolves.toMatch(/^Most users are lost at \w+ → \w+ \([\d,]+ sessions\)\.$/);
    for (const id of ['countries', 'channels', 'devices']) {
      for (const label of await page.locator(`#${id} text.value`).allTextContents()) expect(label).toMatch(/^\$[\d,]+ · \d+\.\d %$/);
    }
  });

  it('keeps every value label inside its chart (none clipped at the right edge)', async () => {
    for (const id of ['funnel', 'countries', 'channels', 'devices']) {
      const svg = await page.locator(`section#${id} > svg`).boundingBox();
      expect(svg).not.toBeNull();
      for (const label of await page.locator(`section#${id} > svg text.value`).all()) {
        const box = await label.boundingBox();
        expect(box, `${id}: ${await label.textContent()}`).not.toBeNull();
        expect(box!.x + box!.width, `${id}: ${await label.textContent()}`).toBeLessThanOrEqual(svg!.x + svg!.width + 0.5);
      }
    }
  });

  it('paints every chart: a screenshot with ink inside each chart box', async () => {
    const png = await page.screenshot({ fullPage: true, type: 'png' });
    const dir = await mkdtemp(join(tmpdir(), 'techstore-dashboard-'));
    const shot = join(dir, 'dashboard.png');
    await writeFile(shot, png);
    console.info(`dashboard screenshot: ${shot}`);
    expect(png.length).toBeGreaterThan(10_000);
    const image = decodePng(png);
    expect(image.width).toBe(VIEWPORT.width);
    expect(image.height).toBeGreaterThan(VIEWPORT.height / 2);
    const whole = inkIn(image, { x: 0, y: 0, width: image.width, height: image.height });
    expect(whole.colours).toBeGreaterThan(50); // not a blank or single-colour page
    // The header band is dark, the page below it light.
    const header = await page.locator('header').boundingBox();
    const headerPixel = ((Math.floor((header?.y ?? 0) + 4) * image.width + 4) * image.channels);
    expect(image.pixels[headerPixel] ?? 255).toBeLessThan(60);
    for (const { id } of charts) {
      const box = await page.locator(`section#${id} > svg`).boundingBox();
      if (!box) throw new Error(`#${id}: no svg box`);
      const { ink } = inkIn(image, box);
      expect(ink, `#${id}: chart-coloured pixels`).toBeGreaterThan(id === 'hours' ? 300 : 150);
    }
  });
});
