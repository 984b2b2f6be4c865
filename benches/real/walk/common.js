// Shared by the scripted walks (label_studio.js, n8n.js): a person's path through a real
// product, driven with known selectors, so that the labels plg-audit is checked against
// (steps, required fields, time) come from the product itself and not from plg-audit.
//
// Run by the bench scripts (`label_studio.py --walk`), which start the product with fresh
// data and put playwright-core on NODE_PATH. Prints one JSON object on stdout:
// {email, steps: [{action, label, ms, url}], required_fields, required, steps_ms, total_ms,
//  probe: ["field: refused when empty (…)", …]}.
// A step is one user action that moves forward; its `ms` runs from the action until the
// next screen's known element is visible. `total_ms` runs from opening the home page to the
// value shown. The password is random per run and never printed.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];
const TIMEOUT_MS = 60000;

function parseArgs(argv) {
  const opts = { url: null, probe: false, screenshots: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--probe') opts.probe = true;
    else if (argv[i] === '--screenshots') opts.screenshots = argv[++i];
    else if (!opts.url) opts.url = argv[i];
    else throw new Error(`unexpected argument ${argv[i]}`);
  }
  if (!opts.url) throw new Error('usage: node walk.js URL [--probe] [--screenshots DIR]');
  return opts;
}

function identity() {
  const id = crypto.randomBytes(4).toString('hex');
  // Mixed case, digits and a symbol: satisfies both products' password rules.
  const password = 'Pw' + crypto.randomBytes(9).toString('base64url') + '7!';
  return { email: `walk+${id}@example.com`, password, firstName: 'Ada', lastName: 'Walker' };
}

class Walk {
  constructor(page, opts) {
    this.page = page;
    this.opts = opts;
    this.steps = [];
    this.probe = [];
    this.required = [];
    this.started = null;
    this.finished = null;
    this.doing = 'opening the home page';
    if (opts.screenshots) fs.mkdirSync(opts.screenshots, { recursive: true });
  }

  start() {
    this.started = performance.now();
  }

  // One user action that moves forward, timed until `arrived` resolves (the next screen).
  async step(action, label, act, arrived) {
    const t = performance.now();
    this.doing = `step ${this.steps.length + 1} (${action} "${label}")`;
    await act();
    this.doing = `waiting for the screen after step ${this.steps.length + 1} (${action} "${label}")`;
    await arrived();
    this.doing = `after step ${this.steps.length + 1}`;
    this.finished = performance.now();
    const ms = Math.round(this.finished - t);
    this.steps.push({ action, label, ms, url: this.page.url() });
    if (this.opts.screenshots) {
      const file = path.join(this.opts.screenshots, `step-${String(this.steps.length).padStart(2, '0')}.png`);
      await this.page.screenshot({ path: file });
    }
  }

  requireField(name) {
    this.required.push(name);
  }

  result(email) {
    // Up to the value shown, not the screenshot taken after it.
    const total = Math.round((this.finished ?? performance.now()) - this.started);
    return {
      email,
      steps: this.steps,
      required_fields: this.required.length,
      required: this.required,
      steps_ms: this.steps.reduce((sum, s) => sum + s.ms, 0),
      total_ms: total,
      probe: this.probe,
    };
  }
}

// Launches Chromium, runs `body(walk, page)` and prints the result; exit 1 with one sentence on failure.
async function run(body) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  let walk = null;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(TIMEOUT_MS);
    const page = await context.newPage();
    walk = new Walk(page, opts);
    const email = await body(walk, page, opts);
    process.stdout.write(JSON.stringify(walk.result(email)) + '\n');
  } catch (e) {
    console.error(`walk failed ${walk ? walk.doing : 'starting'} on ${walk ? walk.page.url() : '?'}: ${String(e.message || e).split('\n')[0]}`);
    if (walk && opts.screenshots) await walk.page.screenshot({ path: path.join(opts.screenshots, 'failure.png') }).catch(() => {});
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

module.exports = { run, identity, TIMEOUT_MS };
