// n8n 1.123: a new owner's path to a first saved workflow, with known selectors.
//
//   /  →  /setup (the app's own redirect, no step): "Set up owner account"
//   1. e-mail, first name, last name, password, "Next"  → /home/workflows, "Welcome …!"
//      (the unticked "security and product updates" box stays unticked)
//   2. "Start from scratch" (a <div> card)               → /workflow/new, the editor
//   3. "Save"                                            → /workflow/<id>, "Saved"
//
// --probe first asks the server (POST /rest/owner/setup, what the form sends) whether it
// refuses each of the four fields empty; none of those requests sets the owner up.
'use strict';

const { run, identity } = require('./common');

const FIELDS = ['email', 'firstName', 'lastName', 'password'];

run(async (walk, page, opts) => {
  const base = new URL(opts.url);
  const who = identity();

  walk.start();
  await page.goto(base.href);
  const form = page.locator('input[name=email]');
  await form.waitFor();

  if (opts.probe) await probeSetup(walk, page, who);

  await page.locator('input[name=email]').fill(who.email);
  await page.locator('input[name=firstName]').fill(who.firstName);
  await page.locator('input[name=lastName]').fill(who.lastName);
  await page.locator('input[name=password]').fill(who.password);
  for (const name of FIELDS) walk.requireField(name);
  await walk.step('submit', 'Next',
    () => page.getByRole('button', { name: 'Next' }).click(),
    () => page.getByText('Start from scratch').waitFor());

  await walk.step('click', 'Start from scratch',
    () => page.getByText('Start from scratch').click(),
    async () => {
      await page.waitForURL(/\/workflow\/new/);
      await page.locator('[data-test-id=canvas-plus-button]').waitFor();
    });

  await walk.step('value_action', 'Save',
    () => page.locator('[data-test-id=workflow-save-button]').getByRole('button', { name: 'Save' }).click(),
    async () => {
      await page.waitForURL((url) => /^\/workflow\/(?!new)[^/]+$/.test(url.pathname));
      await page.locator('[data-test-id=workflow-save-button]').getByText('Saved').waitFor();
    });

  return who.email;
});

async function probeSetup(walk, page, who) {
  const filled = { email: who.email, firstName: who.firstName, lastName: who.lastName, password: who.password };
  const t = performance.now();
  for (const empty of FIELDS) {
    const body = { ...filled, [empty]: '' };
    const [status, text] = await page.evaluate(async (b) => {
      const res = await fetch('/rest/owner/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
      return [res.status, await res.text()];
    }, body);
    let says = '';
    try { says = JSON.parse(text).message || ''; } catch { says = text.slice(0, 80); }
    walk.probe.push(`${empty}: ${status >= 400 ? 'refused' : 'ACCEPTED'} when empty (HTTP ${status}${says ? `, "${says}"` : ''})`);
  }
  // The probe is not part of the walk's time.
  walk.started += performance.now() - t;
}
