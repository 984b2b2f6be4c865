//! JavaScript globals a page's own scripts defined: how the tools a page runs are seen
//! even when their network requests fail (offline runs) or go through the product's own
//! host (self-hosted or proxied loaders, vendors' inline stubs such as Segment's
//! `analytics` queue or Intercom's stub function).
//!
//! A script injected at document start ([`BASELINE`]) remembers which properties the
//! browser itself put on `window`; [`read`] then lists the ones added since, with the
//! enumerable keys of each (one level: `analytics.SNIPPET_VERSION`), capped so a page
//! with thousands of globals cannot bloat the artifacts. Gather records the names only;
//! which vendor a name belongs to is judged later, from data (`checks/signals/vendors.toml`),
//! so a saved run can be re-judged with a new vendor file.

use super::browser::Page;

/// Runs before any page script in every document: the browser's own globals.
pub const BASELINE: &str = r#"(() => {
  if (Object.prototype.hasOwnProperty.call(window, '__plgBaseline')) return;
  try {
    Object.defineProperty(window, '__plgBaseline', {
      value: new Set(Object.getOwnPropertyNames(window)), enumerable: false });
  } catch (e) {}
})();"#;

/// The page-defined globals and their keys, sorted; null when the baseline is missing
/// (a document the injection did not reach).
const READ: &str = r#"(() => {
  const base = window.__plgBaseline;
  if (!base) return null;
  const MAX_NAMES = 300, MAX_KEYS = 60, MAX_TOTAL = 2000;
  const identifier = /^[A-Za-z_$][\w$]*$/;
  const names = Object.getOwnPropertyNames(window)
    .filter((n) => !base.has(n) && !n.startsWith('__plg') && identifier.test(n))
    .sort()
    .slice(0, MAX_NAMES);
  const out = [];
  for (const n of names) {
    if (out.length >= MAX_TOTAL) break;
    out.push(n);
    let v;
    try { v = window[n]; } catch (e) { continue; }
    if (v === null || v === window || (typeof v !== 'object' && typeof v !== 'function')) continue;
    if (typeof Node !== 'undefined' && v instanceof Node) continue;
    let keys;
    try { keys = Object.keys(v); } catch (e) { continue; }
    let taken = 0;
    for (const key of keys) {
      if (taken >= MAX_KEYS || out.length >= MAX_TOTAL) break;
      if (!identifier.test(key)) continue;
      out.push(n + '.' + key);
      taken++;
    }
  }
  return out;
})()"#;

/// The globals the current document's scripts defined; empty when they cannot be read.
pub fn read(page: &Page) -> Vec<String> {
    match page.evaluate::<Option<Vec<String>>>(READ) {
        Ok(names) => names.unwrap_or_default(),
        Err(e) => {
            tracing::debug!(error = %e, "could not read the page's globals");
            Vec::new()
        }
    }
}
