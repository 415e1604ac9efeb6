/**
 * The console in real headless Chromium against a real Vigil with the real model: log in,
 * review flagged uploads (approve, keep blocked, delete) and check the outcome through the S3
 * API and the public gate; two moderators and one item; CSRF and logged-out requests; every
 * page, saved as screenshots in test-artifacts/console/.
 */
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type Tag,
} from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditEntry,
  DeliveryOverview,
  ReviewQueueItem,
  ReviewQueueResponse,
} from '../src/console/api-types.js';
import { launchChromium, probeChromium, saveScreenshot } from './support/browser.js';
import { ConsoleClient } from './support/console.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const chromium = probeChromium();
if (!chromium.available && chromium.required)
  it('finds Chromium', () => {
    throw new Error(chromium.message);
  });

const PREFIX = 'content/images/browser-';
/** Uploads, oldest first; the pipeline blocks all three fixtures. */
const UPLOADS = {
  approve: 'flagged-porn.jpg',
  keep: 'flagged-hentai.jpg',
  remove: 'flagged-sexy.jpg',
  claim: 'flagged-porn.jpg',
  csrf: 'flagged-hentai.jpg',
  waiting: 'flagged-sexy.jpg',
} as const;
type Upload = keyof typeof UPLOADS;
const keyOf = (name: Upload) => `${PREFIX}${name}.jpg`;

const DESKTOP = { width: 1280, height: 800 };
const TABLET = { width: 820, height: 1180 };
/** The pipeline, the model's first load and Chromium share two cores with other test files. */
const SLOW = 60_000;

describe.skipIf(!chromium.available)('the console in Chromium', () => {
  let t: TestVigil;
  let browser: Browser;
  /** The API as root, to wait for the pipeline and read what the browser did. */
  let root: ConsoleClient;
  /** A webhook that answers 410 Gone: its events become dead letters at once. */
  let gone: WebhookReceiver;
  const passwords = new Map<string, string>();
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(new URL('../dist/console/web/app.js', import.meta.url)))
      throw new Error('The console is not built: run npm run build (npm test does) first.');
    gone = await WebhookReceiver.start();
    gone.status = 410;
    t = await startTestVigil({
      config: {
        moderation: { workers: 1 },
        webhooks: [{ name: 'indexer', url: gone.url, secret: 'browser-test-webhook-secret' }],
        console: {
          users: [
            { name: 'mo', role: 'moderator' },
            { name: 'max', role: 'moderator' },
          ],
        },
      },
    });
    for (const p of t.vigil.consolePasswords) passwords.set(p.name, p.password);
    root = new ConsoleClient(t.url);
    expect((await root.login(t.accessKeyId, t.secretAccessKey)).status).toBe(200);
    for (const [name, fixture] of Object.entries(UPLOADS))
      await t.s3.send(
        new PutObjectCommand({
          Bucket: 'uploads',
          Key: keyOf(name as Upload),
          Body: await readFile(new URL(`./fixtures/images/${fixture}`, import.meta.url)),
          ContentType: 'image/jpeg',
          Tagging: 'owner=alice',
        }),
      );
    // Not an image under content/images/: kept, but not moderated.
    await t.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: 'notes/readme.txt', Body: 'not an image' }),
    );
    await t.s3.send(new CreateBucketCommand({ Bucket: 'archive' }));
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'archive',
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              QueueArn: `arn:vigil:webhook:us-east-1:000000000000:indexer`,
              Events: ['s3:ObjectCreated:*'],
            },
          ],
        },
      }),
    );
    await t.s3.send(
      new PutObjectCommand({ Bucket: 'archive', Key: 'exports/2026-11.csv', Body: 'id,total\n' }),
    );
    browser = await launchChromium();
    await until(async () => {
      const { items } = await root.json<ReviewQueueResponse>('review?limit=500');
      const keys = new Set(items.map((i) => i.key));
      return Object.keys(UPLOADS).every((name) => keys.has(keyOf(name as Upload)))
        ? true
        : undefined;
    }, 120_000);
    await until(async () => {
      const { deadLetters } = await root.json<DeliveryOverview>('operations/delivery');
      return deadLetters.some((d) => d.key === 'exports/2026-11.csv') ? true : undefined;
    });
  }, 180_000);

  afterEach(async () => {
    // Leaving a page releases the item it holds (pagehide), as a reviewer closing a tab would.
    for (const context of contexts.splice(0)) {
      for (const page of context.pages()) await page.goto('about:blank').catch(() => undefined);
      await context.close();
    }
    const errors = pageErrors.splice(0);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await gone?.stop();
  });

  /** A fresh browser profile: its own cookies, so one person. */
  async function newPage(viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport, colorScheme: 'light', locale: 'en-GB' });
    context.setDefaultTimeout(30_000);
    context.on('weberror', (error) => pageErrors.push(error.error().message));
    contexts.push(context);
    return context.newPage();
  }

  async function logIn(page: Page, name: string, password: string): Promise<void> {
    await page.goto(`${t.url}/_vigil/console/login`);
    await page.getByTestId('login-username').fill(name);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user').waitFor();
  }

  const logInAs = (page: Page, name: 'mo' | 'max') => logIn(page, name, passwords.get(name)!);

  const reviewItem = (page: Page, name: Upload): Locator =>
    page.locator(`[data-testid="review-item"][data-key="${keyOf(name)}"]`);

  /**
   * Clicks an item until this page holds it: a click while the page is still busy with the
   * previous decision (claiming the next item) is ignored by the app, by design.
   */
  async function select(page: Page, name: Upload): Promise<void> {
    const item = reviewItem(page, name);
    await expect
      .poll(
        async () => {
          if ((await item.getAttribute('aria-current')) !== 'true') await item.click();
          return page
            .locator('#review-detail-title')
            .textContent({ timeout: 1000 })
            .catch(() => '');
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(keyOf(name));
    // The decision buttons are disabled until the claim has settled.
    await page.waitForSelector('[data-testid="decision-approve"]:not([disabled])');
  }

  const statusSays = (page: Page, text: string) =>
    page.getByTestId('status').getByText(text, { exact: true }).waitFor();

  const tagsOf = async (name: Upload): Promise<Tag[]> =>
    (await t.s3.send(new GetObjectTaggingCommand({ Bucket: 'uploads', Key: keyOf(name) })))
      .TagSet ?? [];

  const gateStatus = async (name: Upload) =>
    (await fetch(`${t.url}/_vigil/public/uploads/${keyOf(name)}`)).status;

  async function queued(name: Upload): Promise<ReviewQueueItem | undefined> {
    const { items } = await root.json<ReviewQueueResponse>('review?limit=500');
    return items.find((i) => i.key === keyOf(name));
  }

  /** Waits until every image on the page has loaded (the blurred thumbnails). */
  const imagesLoaded = (page: Page) =>
    page.waitForFunction(() => {
      // The test project has no DOM library: the one member used here, typed by hand.
      const { document } = globalThis as unknown as {
        document: { images: ArrayLike<{ complete: boolean; naturalWidth: number }> };
      };
      return Array.from(document.images).every((image) => image.complete && image.naturalWidth);
    });

  it(
    'logs root in through the form, lists the flagged upload with its labels, and approves it with a note',
    async () => {
      const page = await newPage();
      await page.goto(`${t.url}/_vigil/console/login`);
      await page.getByTestId('login-username').waitFor();
      await saveScreenshot(page, 'console', 'login');
      await logIn(page, t.accessKeyId, t.secretAccessKey);
      await page.waitForURL(/#\/review$/);
      expect(await page.getByTestId('user').textContent()).toBe('root admin');

      const item = reviewItem(page, 'approve');
      await item.waitFor();
      const listed = await item.textContent();
      expect(listed).toContain('Blocked');
      expect(listed).toMatch(/Explicit Nudity \d+(\.\d)?%/);
      await select(page, 'approve');
      expect(await page.getByTestId('reason').textContent()).toMatch(/Explicit/);
      expect(await page.locator('.review-detail .labels').textContent()).toContain('Explicit');
      expect(await page.getByTestId('preview').getAttribute('alt')).toMatch(/^Blurred preview/);

      await page.getByTestId('note').fill('a classical statue');
      await page.getByTestId('decision-approve').click();
      await statusSays(page, `Approved ${keyOf('approve')}`);
      await item.waitFor({ state: 'detached' });

      const tags = await tagsOf('approve');
      expect(tags.map((tag) => tag.Key)).not.toContain('BlockedContent');
      expect(tags).toEqual(
        expect.arrayContaining([
          { Key: 'owner', Value: 'alice' },
          { Key: 'ModerationReview', Value: 'approved' },
        ]),
      );
      expect(await gateStatus('approve')).toBe(200);
      const audit = (await (await root.get('export/audit?format=json')).json()) as AuditEntry[];
      expect(audit).toContainEqual(
        expect.objectContaining({
          actor: 'root',
          action: 'review.approve',
          key: keyOf('approve'),
          note: 'a classical statue',
        }),
      );
      expect(await queued('approve')).toBeUndefined();
    },
    SLOW * 2,
  );

  it(
    'keeps an upload blocked with the b key, and the waiting count drops at once',
    async () => {
      const page = await newPage();
      await page.clock.install();
      await logIn(page, t.accessKeyId, t.secretAccessKey);
      await select(page, 'keep');
      const pending = page.getByTestId('review-pending');
      const before = Number((await pending.textContent())?.match(/^(\d+) waiting/)?.[1]);
      expect(before).toBeGreaterThan(0);
      // The page's clock stands still from here: no 10-second poll can refresh the count, so
      // only the decision itself can bring it down.
      await page.clock.pauseAt(Date.now() + 1000);
      await page.keyboard.press('b');
      await statusSays(page, `Kept blocked ${keyOf('keep')}`);
      await reviewItem(page, 'keep').waitFor({ state: 'detached' });
      await expect
        .poll(() => pending.textContent(), { timeout: 2000 })
        .toMatch(new RegExp(`^${before - 1} waiting`));
      await page.clock.resume();

      expect(await tagsOf('keep')).toEqual(
        expect.arrayContaining([
          { Key: 'owner', Value: 'alice' },
          { Key: 'BlockedContent', Value: 'true' },
          { Key: 'ModerationReview', Value: 'blocked' },
        ]),
      );
      expect(await gateStatus('keep')).toBe(451);
    },
    SLOW * 2,
  );

  it(
    'deletes an upload after the confirmation',
    async () => {
      const page = await newPage();
      await logIn(page, t.accessKeyId, t.secretAccessKey);
      await select(page, 'remove');
      await page.getByTestId('decision-delete').click();
      const dialog = page.getByTestId('confirm-dialog');
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(keyOf('remove'));
      await saveScreenshot(page, 'console', 'review-confirm-delete');
      await page.getByTestId('confirm-delete').click();
      await statusSays(page, `Deleted ${keyOf('remove')}`);
      await dialog.waitFor({ state: 'hidden' });

      await expect(
        t.s3.send(new HeadObjectCommand({ Bucket: 'uploads', Key: keyOf('remove') })),
      ).rejects.toMatchObject({ name: 'NotFound' });
      expect(await queued('remove')).toBeUndefined();
    },
    SLOW * 2,
  );

  it(
    'lets only one of two moderators claim an item',
    async () => {
      // Earlier tests' pages gave back what they held when they were left.
      await until(async () => ((await queued('claim'))?.claimedBy === null ? true : undefined));

      // max opens the queue first; his page's clock stands still from then on, so no poll
      // refreshes his list before he clicks: he tries an item mo has just taken.
      const maxPage = await newPage();
      await maxPage.clock.install();
      await logInAs(maxPage, 'max');
      const maxItem = reviewItem(maxPage, 'claim');
      await maxItem.waitFor();
      expect(await maxItem.isEnabled()).toBe(true);
      await maxPage.clock.pauseAt(Date.now() + 1000);

      const moPage = await newPage();
      await logInAs(moPage, 'mo');
      await select(moPage, 'claim');
      expect((await queued('claim'))?.claimedBy).toBe('mo');

      await maxItem.click();
      await maxPage
        .getByTestId('error')
        .getByText(`${keyOf('claim')}: Being reviewed by mo.`)
        .waitFor();
      await maxPage.getByText('Being reviewed by mo', { exact: true }).waitFor();
      expect(await maxItem.isDisabled()).toBe(true);
      expect(await maxItem.getAttribute('aria-current')).toBeNull();
      // max holds nothing: no decision buttons, and the shortcuts have nothing to act on.
      expect(await maxPage.getByTestId('decision-approve').count()).toBe(0);
      await maxPage.keyboard.press('a');
      await saveScreenshot(maxPage, 'console', 'review-claimed-by-other');

      // A fresh list shows the claim straight away.
      await maxPage.clock.resume();
      await maxPage.reload();
      await maxItem.waitFor();
      expect(await maxItem.isDisabled()).toBe(true);
      expect(await maxItem.textContent()).toContain('Being reviewed by mo');

      // And the server refuses max, whatever his page does.
      const id = (await queued('claim'))!.id;
      const answers = await maxPage.evaluate(async (itemId) => {
        const base = '/_vigil/console/api/';
        const session = (await (await fetch(`${base}session`)).json()) as { csrfToken: string };
        const post = async (path: string, body: unknown) => {
          const res = await fetch(base + path, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
            body: JSON.stringify(body),
          });
          return { status: res.status, body: await res.json() };
        };
        return {
          claim: await post(`review/${itemId}/claim`, {}),
          decision: await post(`review/${itemId}/decision`, { action: 'approve' }),
        };
      }, id);
      expect(answers.claim).toEqual({
        status: 409,
        body: {
          error: {
            code: 'Conflict',
            message: 'Being reviewed by mo.',
            claimedBy: 'mo',
            claimExpiresAt: expect.any(Number) as number,
          },
        },
      });
      expect(answers.decision.status).toBe(409);
      expect(await tagsOf('claim')).toContainEqual({ Key: 'BlockedContent', Value: 'true' });
      expect((await queued('claim'))?.claimedBy).toBe('mo');
    },
    SLOW * 2,
  );

  it(
    'refuses a state change without the CSRF token, and everything once logged out',
    async () => {
      const page = await newPage();
      await logIn(page, t.accessKeyId, t.secretAccessKey);
      await page.getByRole('heading', { name: 'Review', exact: true }).waitFor();
      const id = (await queued('csrf'))!.id;

      const forged = await page.evaluate(async (itemId) => {
        const res = await fetch(`/_vigil/console/api/review/${itemId}/decision`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'approve' }),
        });
        return { status: res.status, body: await res.json() };
      }, id);
      expect(forged).toMatchObject({ status: 403, body: { error: { code: 'CsrfTokenInvalid' } } });
      expect(await tagsOf('csrf')).toContainEqual({ Key: 'BlockedContent', Value: 'true' });
      expect(await queued('csrf')).toBeDefined();

      await page.getByTestId('logout').click();
      await page.waitForURL(/\/_vigil\/console\/login$/);
      expect((await page.context().cookies()).map((c) => c.name)).not.toContain('vigil_session');
      await page.goto(`${t.url}/_vigil/console/`);
      expect(new URL(page.url()).pathname).toBe('/_vigil/console/login');
      await page.getByTestId('login-submit').waitFor();

      const after = await page.evaluate(async (itemId) => {
        const review = await fetch('/_vigil/console/api/review', { credentials: 'same-origin' });
        const decision = await fetch(`/_vigil/console/api/review/${itemId}/decision`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'approve' }),
        });
        return {
          review: { status: review.status, body: await review.json() },
          decision: decision.status,
        };
      }, id);
      expect(after.review).toEqual({
        status: 401,
        body: { error: { code: 'Unauthenticated', message: 'Log in first.' } },
      });
      expect(after.decision).toBe(401);
    },
    SLOW * 2,
  );

  it(
    'shows every page: review, objects and a timeline, delivery, functions, reports',
    async () => {
      const page = await newPage();
      await logIn(page, t.accessKeyId, t.secretAccessKey);

      // Review: the queue, one item held, its preview blurred (never revealed here).
      await select(page, 'csrf');
      expect(await page.getByTestId('review-pending').textContent()).toMatch(/^\d+ waiting/);
      await imagesLoaded(page);
      await saveScreenshot(page, 'console', 'review');
      await page.setViewportSize(TABLET);
      await reviewItem(page, 'csrf').scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'console', 'review-tablet');
      await page.setViewportSize(DESKTOP);

      // Objects: a prefix search, then one object's story.
      await page.getByTestId('nav-objects').click();
      // The page opens the first bucket by itself; typing before that would be replaced.
      await page.waitForURL(/#\/objects\?bucket=archive$/);
      // The form takes the route's values once the first bucket's page has rendered, which can
      // land after the fields were filled on a busy machine: fill and search until it sticks.
      const searched = /#\/objects\?bucket=uploads&prefix=content%2Fimages%2Fbrowser-$/;
      for (let attempt = 1; ; attempt++) {
        await page.getByTestId('objects-bucket').selectOption('uploads');
        await page.getByTestId('objects-prefix').fill(PREFIX);
        await page.getByTestId('objects-search').click();
        try {
          await page.waitForURL(searched, { timeout: 5000 });
          break;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
      await page.locator(`[data-testid="object-link"]`).getByText(keyOf('keep')).waitFor();
      // All but the deleted upload, and not notes/readme.txt.
      expect(await page.getByTestId('object-row').count()).toBe(Object.keys(UPLOADS).length - 1);
      await saveScreenshot(page, 'console', 'objects');
      await page.locator(`[data-testid="object-link"]`).getByText(keyOf('approve')).click();
      await page.locator('[data-testid="timeline-step"][data-kind="review"]').waitFor();
      const kinds = await Promise.all(
        (await page.getByTestId('timeline-step').all()).map((step) =>
          step.getAttribute('data-kind'),
        ),
      );
      expect(kinds).toEqual(
        expect.arrayContaining(['upload', 'delivery', 'invocation', 'moderation', 'tagging']),
      );
      expect(kinds.indexOf('upload')).toBeLessThan(kinds.indexOf('moderation'));
      expect(kinds.indexOf('moderation')).toBeLessThan(kinds.indexOf('review'));
      await saveScreenshot(page, 'console', 'timeline');
      const review = page.locator('[data-testid="timeline-step"][data-kind="review"]');
      await review.locator('summary').click();
      await review.getByText('Tags before').waitFor();
      await review.scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'console', 'timeline-review-step');

      // Delivery: the moderate-image function is a destination with deliveries this hour.
      await page.getByTestId('nav-delivery').click();
      await page
        .getByTestId('destination-row')
        .filter({ hasText: 'function:moderate-image' })
        .waitFor();
      const letter = page.getByTestId('dead-letter').filter({ hasText: 'exports/2026-11.csv' });
      await letter.getByTestId('dead-letter-select').check();
      await saveScreenshot(page, 'console', 'delivery');
      // Redriven, it fails again (410 is permanent) and is a dead letter once more.
      await page.getByTestId('redrive-selected').click();
      await statusSays(page, 'Redriven 1 event (selected)');
      const audit = (await (await root.get('export/audit?format=json')).json()) as AuditEntry[];
      expect(audit).toContainEqual(
        expect.objectContaining({ actor: 'root', action: 'dlq.redrive' }),
      );

      // Functions: counts, percentiles and a run's log as Lambda prints it.
      await page.getByTestId('nav-functions').click();
      const moderate = page.locator('[data-testid="function"][data-name="moderate-image"]');
      await moderate.waitFor();
      const run = moderate.getByTestId('invocation').first();
      await run.locator('summary').click();
      expect(await run.locator('pre.log').textContent()).toMatch(/REPORT RequestId/);
      await saveScreenshot(page, 'console', 'functions');

      // Reports: tiles and three charts, drawn (not blank) and done animating.
      await page.getByTestId('nav-reports').click();
      await page.getByTestId('tile-processed').waitFor();
      expect(await page.getByTestId('tile-processed').locator('.tile-value').textContent()).toBe(
        String(Object.keys(UPLOADS).length),
      );
      expect(await page.getByTestId('tile-backlog').textContent()).toContain('3 decided');
      expect(await page.getByTestId('cost-basis').textContent()).toContain('reporting.vcpuHourUsd');
      const charts = ['chart-processed', 'chart-labels', 'chart-latency'].map((id) =>
        page.getByTestId(id),
      );
      for (const chart of charts) await chart.waitFor();
      await chartsDrawnAndStill(charts);
      await page.getByRole('heading', { name: 'Reports', exact: true }).scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'console', 'reports');
    },
    SLOW * 2,
  );
});

/**
 * Waits until each chart has something drawn and looks as it did at the previous look
 * (Chart.js animates for about a second after the data arrives).
 */
async function chartsDrawnAndStill(charts: Locator[]): Promise<void> {
  let before: Buffer[] = [];
  await expect
    .poll(
      async () => {
        const now = await Promise.all(charts.map((chart) => chart.screenshot()));
        const drawn = await Promise.all(
          now.map(async (png) =>
            (await sharp(png).stats()).channels.some((channel) => channel.min !== channel.max),
          ),
        );
        const still = now.every((png, i) => before[i]?.equals(png) === true);
        before = now;
        return drawn.every(Boolean) && still;
      },
      { timeout: 30_000, interval: 250 },
    )
    .toBe(true);
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = SLOW): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
