/**
 * The audit console end to end, in a real browser (Debian's Chromium driven by puppeteer-core):
 * an auditor signs in through the development issuer's sign-in page (authorization code + PKCE),
 * finds a prescription created here, sees from which software it was sent, the accesses of two
 * pharmacists with their RPPS, which line one of them dispensed and how much, and a refused access
 * marked as such, opens an event's details, searches and exports the CSV (its rows
 * checked), and a pharmacist is refused at sign-in; an operator retries a real dead letter (a
 * publication the document sharing server refused) from the keyboard on the Operations page. axe-core checks every screen (no serious or
 * critical violation); no Content-Security-Policy violation is allowed; screenshots of each
 * screen go to .run/test-output/console/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { AuditEvent, Bundle, FhirResource } from 'fhir/r4';
import type { Page } from 'puppeteer-core';
import request from 'supertest';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { AUDIT_EVENT_NAME_SYSTEM } from '../../fhir/systems';
import { QUEUE_NAMES } from '../../queue/queues';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import { bearerFor } from '../support/auth';
import { launchChromium, type TestBrowser } from '../support/browser';
import { startConsoleGateway, type ConsoleGateway } from '../support/console';
import { startInProcessDmpWorker, waitForJobState } from '../support/dmp';
import { collection, postDispenses, summaryOf } from '../support/dispensing';
import { postUniqueExample } from '../support/post-prescription';
import { syntheticRpps } from '../support/synthetic';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { vendorExamples } from '../support/vendor-fixtures';

const OUT = path.join(__dirname, '..', '..', '.run', 'test-output', 'console');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core run in the page (evaluated over the DevTools protocol: the page's CSP stays as it is). */
async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // Strings, not functions: the test is compiled without the DOM's types.
  const violations = await page.evaluate('axe.run(document).then((result) => result.violations)');
  return (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function checkScreen(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  const violations = await seriousViolations(page);
  assert.deepEqual(
    violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `accessibility of the ${name} screen`,
  );
}

/** Signs in through the development issuer's page as the given identity. */
async function signIn(page: Page, baseUrl: string, who: { role: string; profession?: string; rpps?: string }) {
  await page.goto(`${baseUrl}/console/`);
  await page.waitForSelector('#sign-in');
  await Promise.all([page.waitForNavigation(), page.click('#sign-in')]);
  // The development issuer's sign-in page.
  await page.waitForSelector('form select#role');
  await page.select('#role', who.role);
  if (who.profession) await page.select('#profession', who.profession);
  if (who.rpps) await page.type('#rpps', who.rpps);
  return Promise.all([page.waitForNavigation(), page.click('#sign-in')]);
}

describe('audit console in a browser', { timeout: Number(process.env.CONSOLE_TEST_TIMEOUT ?? 300_000) }, () => {
  let cg: ConsoleGateway;
  let chromium: TestBrowser;
  let pki: ThrowawayPki | undefined;
  const operatorRpps = syntheticRpps();
  const cspViolations: string[] = [];
  const pharmacistA = syntheticRpps();
  const pharmacistB = syntheticRpps();
  let number = '';

  before(async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(path.join(OUT, 'downloads'), { recursive: true });
    cg = await startConsoleGateway();
    // Sent by a practice software that names itself (lgc-xml: ExempleMed Desktop 11.4.2).
    const example = vendorExamples().find((e) => e.format === 'lgc-xml' && e.name === 'valid-drugs-only.xml')!;
    ({ number } = await postUniqueExample(cg.gw.app, example));
    // Two pharmacists look it up, the first dispenses a box of line 1; the second then tries to
    // cancel it (prescribers only): refused.
    for (const rpps of [pharmacistA, pharmacistB]) {
      const bearer = await bearerFor({ role: 'dispenser', profession: 'pharmacist', rpps });
      const res = await request(cg.gw.app).get(`/prescriptions/${number}`).set('authorization', bearer);
      assert.equal(res.status, 200, res.text);
      if (rpps !== pharmacistA) continue;
      const line = summaryOf(JSON.parse(res.text) as Bundle<FhirResource>).lines[0]!;
      const when = new Date().toISOString();
      const dispensed = await postDispenses(cg.gw.app, number, bearer, collection([{ line, quantity: 1, when }]));
      assert.equal(dispensed.status, 201, dispensed.text);
    }
    const refused = await request(cg.gw.app)
      .post(`/prescriptions/${number}/cancel`)
      .set('authorization', await bearerFor({ role: 'dispenser', profession: 'pharmacist', rpps: pharmacistB }));
    assert.equal(refused.status, 403, refused.text);
    await cg.audit.drain();
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await cg?.close();
    await pki?.cleanup();
  });

  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
  };

  test('an auditor signs in, reads a timeline, drills down, searches and exports the CSV', async () => {
    const downloads = path.join(OUT, 'downloads');
    const context = await chromium.browser.createBrowserContext({
      downloadBehavior: { policy: 'allow', downloadPath: downloads },
    });
    const page = await context.newPage();
    watch(page);
    await page.setViewport({ width: 1280, height: 900 });

    await page.goto(`${cg.baseUrl}/console/`);
    await page.waitForSelector('#sign-in');
    await checkScreen(page, '01-sign-in');

    const [landing] = await signIn(page, cg.baseUrl, { role: 'auditor' });
    assert.ok([200, 304].includes(landing?.status() ?? 0), `landing on /console/: ${landing?.status()}`);
    await page.waitForSelector('#signed-in-as');
    assert.match(await page.$eval('#signed-in-as', (el) => el.textContent ?? ''), /Auditeur/);
    // No token anywhere the page's scripts can read.
    const storage = await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })');
    assert.equal(storage, '{}{}');
    assert.equal(await page.evaluate('document.cookie'), '', 'the session cookie is HttpOnly');
    assert.doesNotMatch(page.url(), /code=|token/);

    // A typo gets the API's hint (here: the letter O typed for the digit 0 is caught as a wrong shape first).
    await page.type('#number', `${number.slice(0, 17)}!`);
    await page.click('button[type=submit]');
    await page.waitForSelector('#number-problem');
    assert.match(await page.$eval('#number-problem', (el) => el.textContent ?? ''), /n’est pas un numéro d’ordonnance/);

    // The number, pasted with spaces as printed.
    await page.$eval('#number', (el) => ((el as unknown as { value: string }).value = ''));
    await page.type('#number', `${number.slice(0, 6)} ${number.slice(6, 12)} ${number.slice(12)}`);
    await page.click('button[type=submit]');
    await page.waitForSelector('#timeline');
    const events = await page.$$eval('#timeline > li', (items) =>
      items.map((li) => ({
        event: li.getAttribute('data-event'),
        rpps: li.getAttribute('data-rpps'),
        refused: li.classList.contains('outcome-refused'),
        text: li.textContent ?? '',
      })),
    );
    assert.equal(events[0]?.event, 'prescription.create', 'the timeline starts with the creation');
    assert.match(events[0]?.text ?? '', /Logiciel : ExempleMed Desktop 11\.4\.2/, 'from which software');
    const dispenses = events.filter((e) => e.event === 'dispense.record');
    assert.deepEqual(
      dispenses.map((e) => e.rpps),
      [pharmacistA],
    );
    assert.match(dispenses[0]?.text ?? '', /Ligne 1 : 1 boîte(?!s)/, 'which line, how much');
    const reads = events.filter((e) => e.event === 'prescription.read');
    assert.deepEqual(reads.map((e) => e.rpps).sort(), [pharmacistA, pharmacistB].sort(), 'both pharmacists’ lookups');
    for (const rpps of [pharmacistA, pharmacistB])
      assert.ok(
        events.some((e) => e.text.includes(`RPPS ${rpps}`)),
        `pharmacist ${rpps} shown by RPPS`,
      );
    const refused = events.filter((e) => e.refused);
    assert.equal(refused.length, 1, 'one refused access');
    assert.equal(refused[0]?.rpps, pharmacistB);
    assert.match(refused[0]?.text ?? '', /Refusé/);
    assert.match(refused[0]?.text ?? '', /HTTP 403/);
    await checkScreen(page, '02-timeline');

    // Drill-down from the refused access.
    await Promise.all([
      page.waitForSelector('#detail-title'),
      page.click('#timeline > li.outcome-refused a[href^="#/evenement/"]'),
    ]);
    await page.waitForFunction('document.querySelectorAll("pre.json").length >= 2');
    const detail = await page.$eval('main', (el) => el.textContent ?? '');
    assert.match(detail, /AuditEvent\//);
    assert.match(detail, new RegExp(`8${pharmacistB}`));
    assert.match(detail, /RequestGroup\//, 'the prescription it names, read through the auditor API');
    await checkScreen(page, '03-detail');

    // Search by the second pharmacist's RPPS over today: its lookup and its refused cancel.
    const today = new Date().toISOString().slice(0, 10);
    await page.goto(`${cg.baseUrl}/console/#/recherche`);
    await page.waitForSelector('#f-rpps');
    await page.type('#f-rpps', pharmacistB);
    await page.evaluate(
      `(() => { const el = document.querySelector('#f-from'); el.value = '${today}'; el.dispatchEvent(new Event('input', { bubbles: true })); })()`,
    );
    await page.click('form.criteria button[type=submit]');
    await page.waitForSelector('#results tbody tr');
    await page.waitForSelector('#chart-caption');
    assert.match(await page.$eval('#results-summary', (el) => el.textContent ?? ''), /^2 événements .* dont 1 refusé/);
    assert.equal(await page.$$eval('#results tbody tr.outcome-refused', (rows) => rows.length), 1);
    assert.ok(await page.$('.chart-box canvas'), 'the chart is drawn');
    await checkScreen(page, '04-search');

    await page.click('#export-csv');
    const deadline = Date.now() + 20_000;
    let csvFile: string | undefined;
    while (!csvFile && Date.now() < deadline) {
      csvFile = readdirSync(downloads).find((f) => f.endsWith('.csv'));
      if (!csvFile) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(csvFile, 'the CSV was downloaded');
    const lines = readFileSync(path.join(downloads, csvFile), 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    const header = lines[0]!.split(';');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(';').map((v, i) => [header[i], v])));
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.rpps === pharmacistB && r.ordonnance === number));
    assert.deepEqual(rows.map((r) => r.evenement).sort(), ['prescription.cancel', 'prescription.read']);
    assert.equal(rows.find((r) => r.evenement === 'prescription.cancel')?.resultat, 'Refusé');
    assert.equal(rows.find((r) => r.evenement === 'prescription.read')?.resultat, 'Réussi');

    // The auditor's own use of the console is in the audit trail too (the API's audit).
    await cg.audit.drain();
    await context.close();
  });

  test('a pharmacist cannot sign in to the console', async () => {
    const context = await chromium.browser.createBrowserContext();
    const page = await context.newPage();
    watch(page);
    await page.setViewport({ width: 1280, height: 800 });
    const [answer] = await signIn(page, cg.baseUrl, { role: 'dispenser', profession: 'pharmacist', rpps: pharmacistA });
    assert.equal(answer?.status(), 403);
    assert.match(await page.$eval('h1', (el) => el.textContent ?? ''), /Accès refusé/);
    assert.match(await page.$eval('main', (el) => el.textContent ?? ''), new RegExp(`RPPS ${pharmacistA}`));
    const cookies = await context.cookies();
    assert.equal(
      cookies.find((c) => c.name === 'ordo_console'),
      undefined,
      'no session for a pharmacist',
    );
    await checkScreen(page, '05-refused');
    // And the API, asked with no session, still says 401.
    const me = await page.goto(`${cg.baseUrl}/console/api/me`);
    assert.equal(me?.status(), 401);
    await context.close();
  });

  test('an operator signs in, retries a dead letter from the keyboard, and reaches the queue dashboard', async () => {
    // A real dead letter: a publication the document sharing server refuses (a path HAPI answers 404 to).
    pki = await createThrowawayPki();
    const badDmp = await startInProcessDmpWorker({
      config: cg.gw.deps.config,
      fhir: cg.gw.deps.fhir,
      pki,
      env: { DMP_FHIR_BASE_URL: `${cg.gw.deps.config.fhirBaseUrl}/Nonexistent` },
    });
    const example = vendorExamples().find((e) => e.format === 'lgc-xml' && e.name === 'valid-drugs-only.xml')!;
    const { number: dead } = await postUniqueExample(cg.gw.app, example);
    const jobId = dmpJobId({ action: 'publish', number: dead, version: 1 });
    const dmpQueue = cg.gw.deps.queues[QUEUE_NAMES.dmpPublish];
    try {
      assert.equal(await (await waitForJobState(dmpQueue, jobId)).getState(), 'failed');
    } finally {
      await badDmp.close();
    }

    const context = await chromium.browser.createBrowserContext();
    const page = await context.newPage();
    watch(page);
    await page.setViewport({ width: 1280, height: 800 });
    await signIn(page, cg.baseUrl, { role: 'operator', rpps: operatorRpps });
    assert.match(await page.$eval('#signed-in-as', (el) => el.textContent ?? ''), /Opérateur/);
    const row = `#dead-letters tr[data-job="${jobId}"]`;
    await page.waitForSelector(row);
    const cells = await page.$$eval(`${row} td`, (tds) => tds.map((td) => (td.textContent ?? '').trim()));
    assert.equal(cells[0], 'Publication DMP');
    assert.equal(cells[1], jobId);
    assert.equal(cells[2], dead);
    assert.equal(cells[3], 'publish');
    assert.equal(cells[4], '1');
    assert.match(cells[5] ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.match(cells[6] ?? '', /answered 404/);
    await checkScreen(page, '06-operations');

    // From the keyboard: focus the row's button, press Enter.
    await page.focus(`${row} button.retry`);
    assert.match(
      String(await page.evaluate('document.activeElement.textContent')),
      new RegExp(`^Relancer la tâche ${jobId}$`),
      'the button says which job it retries',
    );
    await page.keyboard.press('Enter');
    await page.waitForSelector('#retry-outcome');
    assert.match(
      await page.$eval('#retry-outcome', (el) => el.textContent ?? ''),
      new RegExp(`Tâche ${jobId} relancée \\(ordonnance ${dead}\\) : en attente`),
    );
    assert.equal(await page.evaluate('document.activeElement.id'), 'retry-outcome', 'the focus follows the outcome');
    await page.waitForFunction(`!document.querySelector('${row}')`);
    assert.equal(await (await dmpQueue.getJob(jobId))!.getState(), 'waiting', 'queued again (no worker runs here)');
    await checkScreen(page, '07-operations-retried');

    // The retry is in the prescription's trail under the operator's identity (read as an auditor does).
    await cg.audit.drain();
    const trail = await request(cg.gw.app)
      .get('/audit/fhir/AuditEvent')
      .query({
        'entity-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${dead}`,
        subtype: `${AUDIT_EVENT_NAME_SYSTEM}|ops.dead-letters.retry`,
      })
      .set('authorization', await bearerFor({ role: 'auditor' }));
    assert.equal(trail.status, 200, trail.text);
    const retries = (trail.body as Bundle<AuditEvent>).entry?.map((e) => e.resource!) ?? [];
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.outcome, '0');
    assert.ok(retries[0]?.agent.some((a) => a.requestor && a.who?.identifier?.value === `8${operatorRpps}`));

    const [dashboard] = await Promise.all([page.waitForNavigation(), page.click('#queue-dashboard')]);
    assert.equal(dashboard?.status(), 200, 'Bull Board answers the session cookie');
    await context.close();
  });

  test('no Content-Security-Policy violation on any screen', () => {
    assert.deepEqual(cspViolations, []);
    assert.ok(existsSync(path.join(OUT, '02-timeline.png')));
  });
});
