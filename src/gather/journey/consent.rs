//! Cookie and consent banners, recognised by what they are: the markup of a consent
//! platform (OneTrust, Cookiebot, Didomi…), or a short floating text about cookies or
//! tracking with consent buttons. A long text that mentions cookies — release notes
//! about "cookie forwarding", documentation — is no banner: a product dialog is a screen
//! of the journey and is dealt with as one. The careful visitor's answer is to reject
//! (necessary only) when offered, else accept, else close. Dismissing a banner is no step.

use serde::Deserialize;

use super::intent::consent_json;
use crate::error::AuditError;
use crate::gather::browser::Page;

/// A banner that was answered.
#[derive(Debug, Clone, Deserialize)]
pub struct Answered {
    /// The words on the button pressed.
    pub pressed: String,
    /// The banner's own words (the first 160 characters).
    pub banner: String,
    /// Why it was taken for a banner: a consent platform, or a short text about cookies.
    pub why: String,
}

/// Finds a consent banner on the page and presses the button a careful visitor would.
pub fn answer_banner(page: &Page) -> Result<Option<Answered>, AuditError> {
    page.evaluate(&format!("{BANNER}({})", consent_json()))
}

const BANNER: &str = r#"((w) => {
  const norm = (s) => (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  const has = (t, p) => (' ' + t + ' ').includes(' ' + p + ' ');
  const shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && parseFloat(s.opacity) > 0; };
  const leads = (t, list) => list.findIndex((p) => t === p || t.startsWith(p + ' '));
  const boxes = [];
  for (const sel of w.platforms) {
    let found = [];
    try { found = Array.from(document.querySelectorAll(sel)); } catch (e) {}
    for (const el of found) if (shown(el) && !boxes.some((b) => b.el.contains(el) || el.contains(b.el))) boxes.push({ el, why: 'consent platform markup (' + sel + ')' });
  }
  for (const el of document.querySelectorAll('body *')) {
    const s = getComputedStyle(el);
    const floating = s.position === 'fixed' || s.position === 'sticky' || el.tagName === 'DIALOG'
      || el.getAttribute('role') === 'dialog' || el.getAttribute('role') === 'alertdialog' || el.getAttribute('aria-modal') === 'true';
    if (!floating || !shown(el)) continue;
    if (boxes.some((b) => b.el.contains(el) || el.contains(b.el))) continue;
    const t = norm(el.innerText);
    if (!t || t.length > w.max_text_chars || !w.topic.some((p) => has(t, p))) continue;
    if (el.querySelector('input[type="password"], input[type="email"], textarea')) continue;
    boxes.push({ el, why: 'a short text about cookies or tracking', plain: true });
  }
  for (const box of boxes) {
    const buttons = Array.from(box.el.querySelectorAll('button, a, [role="button"], input[type="button"], input[type="submit"]')).filter(shown);
    const texts = buttons.map((b) => norm(b.innerText || b.value || b.getAttribute('aria-label')));
    const pick = (list) => texts.findIndex((t) => leads(t, list) >= 0);
    let i = pick(w.reject);
    if (i < 0) i = pick(w.accept);
    // A lone "Close" answers a banner only when the banner is clearly one.
    if (i < 0 && (!box.plain || norm(box.el.innerText).length <= 300)) i = pick(w.close);
    if (i >= 0) {
      buttons[i].click();
      return { pressed: (buttons[i].innerText || buttons[i].value || buttons[i].getAttribute('aria-label') || '').trim(),
               banner: (box.el.innerText || '').trim().replace(/\s+/g, ' ').slice(0, 160), why: box.why };
    }
  }
  return null;
})"#;
