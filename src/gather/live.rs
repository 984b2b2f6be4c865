//! What the browser knows about a page that its HTML does not: which controls a person
//! can see, where they sit, which look like the page's primary action, which are on top
//! and which are hidden under a dialog.
//!
//! [`ANNOTATOR`] runs in the page before it is serialised and writes its answers into
//! `data-plg-*` attributes, so the same HTML readers ([`crate::forms`],
//! [`super::document::PageDocument`], the journey's screen) serve live and saved pages
//! alike:
//!
//! - `data-plg-id`: a stable handle on every control, link, button and form, and on
//!   elements a person clicks although they are no buttons (a `<div>` card with a click
//!   handler: the pointer cursor, an `onclick`, a `tabindex`), which also get
//!   `data-plg-click`;
//! - `data-plg-visible`: computed visibility (display, visibility, opacity, size,
//!   off-screen position, clipping, `hidden`, `aria-hidden`); a native checkbox hidden
//!   behind a styled label counts as visible when its label is;
//! - `data-plg-box` (`x y width height` in viewport pixels), `data-plg-look` (`filled`
//!   when it has a background of its own, `bold`), `data-plg-top` (`1` when it is the
//!   topmost element at its centre, `0` when something covers it; absent off-screen) and
//!   `data-plg-icon` (the icon's name for a control with no words) on clickable things;
//! - `data-plg-layer="modal"` on a dialog that blocks the page behind it (a modal
//!   element, `aria-modal`, or a dialog with a backdrop covering the rest);
//! - `data-plg-marks` on a label whose style draws a mark (`::before { content: "*" }`);
//! - `data-plg-value` on a text box the product filled in itself (never a password box).

/// The annotator. Returns how many elements got a `data-plg-id`.
pub const ANNOTATOR: &str = r#"(() => {
  const W = window.innerWidth, H = window.innerHeight;
  const shown = (el) => {
    if (el.closest('[hidden], [aria-hidden="true"]')) return false;
    if (!el.getClientRects().length) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    const doc = document.documentElement;
    if (r.right + window.scrollX < 0 || r.bottom + window.scrollY < 0) return false;
    if (r.left + window.scrollX > Math.max(doc.scrollWidth, W) + 100) return false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || s.visibility === 'collapse') return false;
      if (parseFloat(s.opacity) === 0) return false;
      if (s.clip === 'rect(0px, 0px, 0px, 0px)' || s.clipPath === 'inset(50%)') return false;
    }
    return true;
  };
  for (const el of document.querySelectorAll('[data-plg-click], [data-plg-layer], [data-plg-top], [data-plg-box], [data-plg-look], [data-plg-icon]')) {
    for (const a of ['data-plg-click', 'data-plg-layer', 'data-plg-top', 'data-plg-box', 'data-plg-look', 'data-plg-icon']) el.removeAttribute(a);
  }
  const NATIVE = 'input, select, textarea, button, [role="button"], [role="link"], [role="menuitem"], a[href], form, summary';
  const INSIDE_CONTROL = 'a[href], button, [role="button"], [role="link"], [role="menuitem"], [role="tab"], [role="option"], input, select, textarea, label, summary, [contenteditable="true"]';
  const natives = Array.from(document.querySelectorAll(NATIVE));
  // Things a person clicks that are no buttons: the outermost element with a pointer
  // cursor (or a click handler in markup) that holds words or an icon.
  const pointers = [];
  const all = document.body ? document.body.querySelectorAll('*') : [];
  for (const el of all) {
    if (el.matches(NATIVE) || el.closest(INSIDE_CONTROL)) continue;
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const marked = el.hasAttribute('onclick') || (el.hasAttribute('tabindex') && el.tabIndex >= 0);
    const cs = getComputedStyle(el);
    if (cs.cursor !== 'pointer' && !marked) continue;
    const parent = el.parentElement;
    if (!marked && parent && getComputedStyle(parent).cursor === 'pointer') continue;
    const r = el.getBoundingClientRect();
    if (r.width * r.height > 0.5 * W * H) continue;  // a backdrop, not a control
    if (!(el.innerText || '').trim() && !el.querySelector('svg, img, i')) continue;
    pointers.push(el);
  }
  let n = 0;
  const mark = (el) => {
    el.setAttribute('data-plg-id', String(n++));
    let v = shown(el);
    if (!v && (el.type === 'checkbox' || el.type === 'radio') && el.labels) {
      v = Array.from(el.labels).some(shown);
    }
    el.setAttribute('data-plg-visible', v ? '1' : '0');
    return v;
  };
  for (const el of natives) mark(el);
  // What the product put in a text box itself (a pre-filled name). Passwords never.
  for (const el of document.querySelectorAll('input, textarea')) {
    const t = (el.getAttribute('type') || 'text').toLowerCase();
    const texty = el.tagName === 'TEXTAREA' || ['text', 'search', 'url', 'number'].includes(t);
    if (texty && el.value && el.value.length <= 200) el.setAttribute('data-plg-value', el.value);
    else el.removeAttribute('data-plg-value');
    if (t === 'checkbox' || t === 'radio') el.setAttribute('data-plg-checked', el.checked ? '1' : '0');
  }
  for (const el of pointers) { el.setAttribute('data-plg-click', '1'); mark(el); }

  // How a clickable thing looks, where it is, and whether it is on top.
  const rgba = (c) => { const m = (c || '').match(/[\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; };
  const backdropOf = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if ((c.length < 4 || c[3] > 0.5)) return c;
    }
    return [255, 255, 255, 1];
  };
  const ICON = /^(?:fa|fas|far|fal|fa-solid|lucide|icon|icons?|mdi|bi|ti|ri|ph|heroicon|tabler|feather|ion|octicon|el-icon)[-_](.+)$/;
  const iconName = (el) => {
    const named = el.querySelector('[data-icon]');
    if (named) return named.getAttribute('data-icon');
    for (const node of [el, ...el.querySelectorAll('svg, i, span, use')]) {
      const href = node.getAttribute('href') || node.getAttribute('xlink:href') || '';
      if (href.startsWith('#')) return href.slice(1).replace(/^(icon|i)[-_]/, '');
      const cls = (node.getAttribute('class') || '').split(/\s+/);
      for (const c of cls) {
        const m = c.match(ICON);
        if (m && !/^(inline|fw|lg|sm|xs|\dx|solid|regular|light|button|wrapper|container)$/.test(m[1])) return m[1];
      }
    }
    return '';
  };
  for (const el of document.querySelectorAll('[data-plg-visible="1"]')) {
    const tag = el.tagName.toLowerCase();
    if (tag === 'form' || (tag === 'input' && !/^(submit|button|image|reset)$/.test(el.type)) || tag === 'select' || tag === 'textarea') continue;
    const r = el.getBoundingClientRect();
    el.setAttribute('data-plg-box', [r.left, r.top, r.width, r.height].map(Math.round).join(' '));
    const cs = getComputedStyle(el);
    const looks = [];
    const bg = rgba(cs.backgroundColor);
    const behind = backdropOf(el);
    const alpha = bg.length < 4 ? 1 : bg[3];
    const distance = Math.abs(bg[0] - behind[0]) + Math.abs(bg[1] - behind[1]) + Math.abs(bg[2] - behind[2]);
    if ((alpha > 0.5 && distance > 60) || /gradient/.test(cs.backgroundImage)) looks.push('filled');
    if (parseInt(cs.fontWeight, 10) >= 600) looks.push('bold');
    if (looks.length) el.setAttribute('data-plg-look', looks.join(' '));
    if (!(el.innerText || el.value || '').trim() && !el.getAttribute('aria-label') && !el.getAttribute('title')) {
      const icon = iconName(el);
      if (icon) el.setAttribute('data-plg-icon', icon);
    }
    const x = r.left + r.width / 2, y = r.top + Math.min(r.height / 2, 20);
    if (x >= 0 && y >= 0 && x < W && y < H) {
      const hit = document.elementFromPoint(x, y);
      const top = hit && (hit === el || el.contains(hit) || (hit.tagName === 'LABEL' && hit.control === el));
      el.setAttribute('data-plg-top', top ? '1' : '0');
    }
  }

  // A dialog that blocks the page behind it.
  const DIALOG = 'dialog[open], [role="dialog"], [role="alertdialog"], [aria-modal="true"]';
  const LOOKS_LIKE = /(^|[\s_-])(modal|dialog|drawer|lightbox|popup)([\s_-]|$)/i;
  const covers = (e) => { const r = e.getBoundingClientRect(); return r.width >= W * 0.9 && r.height >= H * 0.9; };
  const backdropAt = (x, y) => {
    for (let e = document.elementFromPoint(x, y); e && e !== document.body && e !== document.documentElement; e = e.parentElement) {
      const p = getComputedStyle(e).position;
      if ((p === 'fixed' || p === 'absolute') && covers(e)) return e;
    }
    return null;
  };
  const dialogs = Array.from(document.querySelectorAll(DIALOG));
  for (const el of document.querySelectorAll('div[class], section[class], aside[class]')) {
    if (LOOKS_LIKE.test(el.getAttribute('class')) && !el.closest(DIALOG)) dialogs.push(el);
  }
  let layer = null;
  for (const d of dialogs.reverse()) {
    if (!shown(d)) continue;
    const r = d.getBoundingClientRect();
    if (r.width < 120 || r.height < 60) continue;
    const cx = Math.min(Math.max(r.left + r.width / 2, 1), W - 1), cy = Math.min(Math.max(r.top + Math.min(r.height / 2, 60), 1), H - 1);
    const hit = document.elementFromPoint(cx, cy);
    if (!hit || !(d.contains(hit) || hit.contains(d))) continue;
    let modal = d.getAttribute('aria-modal') === 'true';
    try { modal = modal || d.matches(':modal'); } catch (e) {}
    if (!modal) {
      const outside = [[4, 4], [W - 4, 4], [4, H - 4], [W - 4, H - 4], [W / 2, 4], [W / 2, H - 4]]
        .filter(([x, y]) => x < r.left || x > r.right || y < r.top || y > r.bottom);
      modal = outside.some(([x, y]) => {
        const b = backdropAt(x, y);
        // A full-window element behind the dialog, unless it is the app's own shell.
        return !!b && (d.contains(b) || !b.querySelector('main, nav, header, [role="main"], [role="navigation"]'));
      });
    }
    if (modal) { layer = d; break; }
  }
  if (layer) layer.setAttribute('data-plg-layer', 'modal');

  // Marks drawn by a label's style, such as a red asterisk in ::before.
  for (const label of document.querySelectorAll('label')) {
    let marks = '';
    for (const e of [label, ...label.querySelectorAll('span, i, em, sup, div')]) {
      for (const pseudo of ['::before', '::after']) {
        const c = getComputedStyle(e, pseudo).content;
        if (c && c !== 'none' && c !== 'normal' && c.includes('*')) marks = '*';
      }
    }
    if (marks) label.setAttribute('data-plg-marks', marks); else label.removeAttribute('data-plg-marks');
  }
  return n;
})()"#;
