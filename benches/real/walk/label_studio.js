// Label Studio 1.23.2: a new user's path to a first saved project, with known selectors.
//
//   /  →  /user/login/ (redirect, no step)
//   1. "Sign up" link                       → /user/signup/
//   2. e-mail + password, "Create Account"  → / (Welcome, "Create your first project")
//      (the "How did you hear" select is left alone; the pre-ticked newsletter box is
//      unticked, as a careful new user does — neither is required)
//   3. "Create Project" in the empty state  → the Create Project dialog, name pre-filled
//      (opening it already stores a *draft* project: is_draft = 1)
//   4. "Save"                               → /projects/N/data, the project's data page
//
// --probe first asks the server, on the signup page, which fields it refuses empty (the
// page's own `required` attributes removed, so the browser does not stop the submission).
'use strict';

const { run, identity } = require('./common');

run(async (walk, page, opts) => {
  const base = new URL(opts.url);
  const who = identity();

  if (opts.probe) await probeSignup(walk, page, base, who);

  walk.start();
  await page.goto(base.href);
  await page.getByRole('link', { name: 'Sign up' }).waitFor();

  await walk.step('cta_click', 'Sign up',
    () => page.getByRole('link', { name: 'Sign up' }).click(),
    () => page.locator('#signup-form input[name=email]').waitFor());

  await page.locator('#signup-form input[name=email]').fill(who.email);
  walk.requireField('email');
  await page.locator('#signup-form input[name=password]').fill(who.password);
  walk.requireField('password');
  // The newsletter box is pre-ticked; its native checkbox is display:none, so a person
  // clicks its label (which also sets the hidden `allow_newsletters` field to false).
  const optIn = page.locator('#signup-form input[name=allow_newsletters_visual]');
  if (await optIn.isChecked()) await page.getByText('Get the latest news from Heidi').click();
  if (await optIn.isChecked()) throw new Error('the newsletter box is still ticked');
  await walk.step('submit', 'Create Account',
    () => page.getByRole('button', { name: 'Create Account' }).click(),
    () => page.getByRole('heading', { name: 'Create your first project' }).waitFor());

  // Opening the dialog stores a draft project; Save does nothing until that answer is in.
  let draftStored;
  await walk.step('click', 'Create Project',
    async () => {
      draftStored = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/projects');
      await page.getByRole('button', { name: 'Create new project' }).click();
    },
    async () => {
      await page.locator('#project_name').waitFor();
      await draftStored;
    });

  await walk.step('value_action', 'Save',
    () => page.getByRole('dialog').or(page.locator('.lsf-modal-ls')).getByRole('button', { name: 'Save', exact: true }).click(),
    async () => {
      await page.waitForURL(/\/projects\/\d+\/data/);
      await page.getByText(/^Tasks: \d+ \/ \d+$/).waitFor();
    });

  return who.email;
});

// Each of the walk's two fields, left empty alone, must be refused by the server; the walk
// itself then shows that the other fields (how did you hear, newsletter) may stay empty.
async function probeSignup(walk, page, base, who) {
  const signup = new URL('/user/signup/', base).href;
  for (const empty of ['email', 'password']) {
    await page.goto(signup);
    await page.evaluate(() => document.querySelectorAll('[required]').forEach((e) => e.removeAttribute('required')));
    await page.locator('#signup-form input[name=email]').fill(empty === 'email' ? '' : who.email);
    await page.locator('#signup-form input[name=password]').fill(empty === 'password' ? '' : who.password);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Create Account' }).click()]);
    const refused = new URL(page.url()).pathname.startsWith('/user/signup');
    const says = (await page.locator('#signup-form').innerText()).match(/(Invalid email|This field is required\.|[^\n]*password[^\n]*characters[^\n]*)/i);
    walk.probe.push(`${empty}: ${refused ? 'refused' : 'ACCEPTED'} when empty${says ? ` ("${says[0]}")` : ''}`);
  }
  await page.context().clearCookies();
}
