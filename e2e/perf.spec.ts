/// <reference lib="dom" />
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, test } from './fixtures.js';

const BUDGET_GZIP_BYTES = 150 * 1024;

/**
 * The catalog keeps a skeleton of its grid while it loads, so products arriving move nothing:
 * 0 here. Without it this page measured 0.058 here (and 0.708 in Lighthouse's desktop run),
 * under web.dev's 0.1 for "good", so the limit is the claim itself, not that.
 */
const SHIFT_LIMIT = 0.01;

test('the storefront home loads at most 150 KB of gzipped JavaScript, its layout does not shift as the catalog arrives, and its first product image is not lazy', async ({
  browser,
  baseURL,
}) => {
  // A fresh context: empty cache, as a first visit.
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // Every layout shift not caused by input, summed from navigation start: at least the
  // page's cumulative layout shift (which counts only the worst burst of them).
  await page.addInitScript(() => {
    const sink = globalThis as unknown as { layoutShift: number };
    sink.layoutShift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & {
        value: number;
        hadRecentInput: boolean;
      })[]) {
        if (!entry.hadRecentInput) sink.layoutShift += entry.value;
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  // When the first product card appears, from navigation start.
  await page.addInitScript(() => {
    const record = () => {
      if (document.querySelector('[aria-label="Products"] li')) {
        (globalThis as unknown as { catalogShownAt?: number }).catalogShownAt ??= performance.now();
        return true;
      }
      return false;
    };
    new MutationObserver((_records, observer) => {
      if (record()) observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
  });

  const scripts: { url: string; bytes: number; gzip: number; encoding: string }[] = [];
  page.on('response', async (response) => {
    if (response.request().resourceType() !== 'script') return;
    const body = await response.body();
    scripts.push({
      url: new URL(response.url()).pathname,
      bytes: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
      encoding: (await response.allHeaders())['content-encoding'] ?? 'identity',
    });
  });

  await page.goto('/');
  await expect(page.getByRole('button', { name: /^Add to cart/ }).first()).toBeVisible();
  await page.waitForLoadState('networkidle');

  const timing = await page.evaluate(() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const transferred = performance
      .getEntriesByType('resource')
      .filter(
        (e) =>
          (e as PerformanceResourceTiming).initiatorType === 'script' || e.name.endsWith('.js'),
      )
      .reduce((sum, e) => sum + (e as PerformanceResourceTiming).encodedBodySize, 0);
    return {
      firstContentfulPaintMs: paint ? Math.round(paint.startTime) : undefined,
      catalogShownMs: Math.round(
        (globalThis as unknown as { catalogShownAt?: number }).catalogShownAt ?? -1,
      ),
      domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
      scriptBytesOnTheWire: transferred,
      layoutShift: (globalThis as unknown as { layoutShift: number }).layoutShift,
    };
  });
  // The largest paint is the catalog's first image: it must not wait for lazy loading.
  const firstImage = page.locator('[aria-label="Products"] li img').first();
  const firstImageLoading = await firstImage.getAttribute('loading');
  const gzipTotal = scripts.reduce((sum, s) => sum + s.gzip, 0);
  const report = { scripts, gzipTotal, gzipTotalKB: +(gzipTotal / 1024).toFixed(1), ...timing };
  writeFileSync('test-results/perf.json', JSON.stringify(report, null, 2));
  console.log(
    `home: ${scripts.length} scripts, ${report.gzipTotalKB} KB gzipped (${(timing.scriptBytesOnTheWire / 1024).toFixed(1)} KB on the wire, ${scripts[0]?.encoding}); ` +
      `first contentful paint ${timing.firstContentfulPaintMs} ms, products shown ${timing.catalogShownMs} ms, ` +
      `layout shift ${timing.layoutShift.toFixed(3)}, first image loading=${firstImageLoading ?? 'auto'}`,
  );

  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.every((s) => !s.url.includes('admin') && !s.url.includes('dashboard'))).toBe(true);
  expect(gzipTotal).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  expect(timing.layoutShift).toBeLessThan(SHIFT_LIMIT);
  expect(firstImageLoading).not.toBe('lazy');
  await context.close();
});
