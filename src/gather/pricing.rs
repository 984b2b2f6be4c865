//! Pricing on a live page: the pricing page (or the home page's plan section) read as
//! rendered, then its monthly/annual switch pressed and the prices read again, so both
//! billing views are known. The reading itself is [`crate::pricing`]'s; this module only
//! drives the browser (annotate, read, press, settle, read) and picks the page.
//!
//! Discovery reads the pricing page while it is open for its screenshot
//! ([`read_live`] from `crawl`); [`complete`] covers what discovery could not: a pricing
//! page it did not render, or a site without one whose home page shows plans.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use url::Url;

use super::browser::{Page, Pressed};
use super::ArtifactDir;
use crate::artifacts::{Artifacts, PageRole, Problem};
use crate::error::AuditError;
use crate::pricing::page::COMPUTED_VISIBILITY;
use crate::pricing::{read_page, PageReading, Pricing, PricingSource, SwitchedReading};

/// Marks what the browser hides with `data-plg-visible="0"` (display, visibility,
/// opacity, no box, a box clipped or moved off-screen — the content of a closed
/// `<details>` stays readable: a click opens it), gives every control a switch may be
/// made of a `data-plg-id` handle, and records checkbox and radio states in
/// `data-plg-checked`. Returns the number of handles.
const PRICING_ANNOTATOR: &str = r#"(() => {
  const root = document.documentElement;
  root.setAttribute('ATTR', 'computed');
  for (const el of document.querySelectorAll('[data-plg-visible="0"]')) el.removeAttribute('data-plg-visible');
  const hidden = (el) => {
    const s = getComputedStyle(el);
    if (s.display === 'contents') return false;
    if (s.display === 'none' || s.visibility === 'hidden' || s.visibility === 'collapse') return true;
    if (parseFloat(s.opacity) === 0) return true;
    if (!el.getClientRects().length) return true;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 && r.height <= 1 && s.overflow === 'hidden') return true;
    if (s.clip.replace(/\s/g, '').startsWith('rect(0') || s.clipPath === 'inset(50%)') return true;
    if (r.right + window.scrollX < 0 || r.bottom + window.scrollY < 0) return true;
    return false;
  };
  const skip = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'LINK', 'META']);
  const walk = (el) => {
    for (const child of el.children) {
      if (skip.has(child.tagName) || child instanceof SVGElement) continue;
      if (hidden(child)) { child.setAttribute('data-plg-visible', '0'); continue; }
      if (child.tagName === 'DETAILS' && !child.open) continue;
      walk(child);
    }
  };
  if (document.body) walk(document.body);
  let n = 0;
  const parts = 'button, [role="tab"], [role="radio"], [role="switch"], [role="button"], label, input, a[href], [aria-pressed], [aria-checked], [aria-selected]';
  for (const el of document.querySelectorAll(parts)) {
    el.setAttribute('data-plg-id', 'p' + (n++));
    if (el.tagName === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio')) {
      el.setAttribute('data-plg-checked', el.checked ? '1' : '0');
    }
  }
  return n;
})()"#;

/// A page's pricing as read live: first as shown, then after pressing its switch.
#[derive(Debug, Clone)]
pub struct LiveReading {
    pub url: Url,
    pub first: PageReading,
    pub switched: Option<SwitchedReading>,
    /// Time spent pressing the switch and reading the other view.
    pub switch_ms: u64,
    /// What went wrong with the switch, if something did.
    pub problem: Option<String>,
}

impl LiveReading {
    pub fn into_pricing(self, source: PricingSource, screenshot: Option<String>) -> Pricing {
        let mut pricing = Pricing::from_readings(
            self.url.as_str(),
            source,
            &self.first,
            self.switched.as_ref(),
        );
        pricing.screenshot = screenshot;
        if let Some(problem) = self.problem {
            pricing.reasons.plans.push_str(&format!("; {problem}"));
        }
        pricing
    }
}

/// The page as it shows now, read with the browser's visibility.
fn read_now(page: &Page, url: &Url) -> Result<PageReading, AuditError> {
    page.evaluate::<u32>(&PRICING_ANNOTATOR.replace("ATTR", COMPUTED_VISIBILITY))?;
    let html = page.html()?;
    Ok(read_page(&html, url))
}

/// Reads the pricing of the page open in `page`, pressing its monthly/annual switch (and
/// waiting for the page to settle) when it has plans and a switch.
pub fn read_live(page: &Page) -> Result<LiveReading, AuditError> {
    let url = Url::parse(&page.url()).map_err(|e| AuditError::Browser {
        reason: format!("the page's address is not a URL: {e}"),
    })?;
    let first = read_now(page, &url)?;
    let mut reading = LiveReading {
        url: url.clone(),
        first,
        switched: None,
        switch_ms: 0,
        problem: None,
    };
    let Some(switch) = reading.first.switch.clone() else {
        return Ok(reading);
    };
    if reading.first.plans.is_empty() {
        return Ok(reading);
    }
    let option = switch.to_press().clone();
    let started = Instant::now();
    match page.click(&option.selector) {
        Ok(Pressed::Done) => {
            page.settle_after_action();
            match read_now(page, &url) {
                Ok(second) => {
                    reading.switched = Some(SwitchedReading {
                        pressed: option.text.clone(),
                        reading: second,
                    })
                }
                Err(e) => {
                    reading.problem = Some(format!(
                        "after pressing \"{}\" the page could not be read: {e}",
                        option.text
                    ))
                }
            }
        }
        Ok(Pressed::Covered(by)) => {
            reading.problem = Some(format!(
                "the switch's \"{}\" was covered by {by} when it was to be pressed",
                option.text
            ))
        }
        Ok(Pressed::Hidden) => {
            reading.problem = Some(format!(
                "the switch's \"{}\" had no size on the screen when it was to be pressed",
                option.text
            ))
        }
        Ok(Pressed::Gone) => {
            reading.problem = Some(format!(
                "the switch's \"{}\" was gone when it was to be pressed",
                option.text
            ))
        }
        Err(e) => {
            reading.problem = Some(format!("pressing \"{}\" failed: {e}", option.text));
        }
    }
    reading.switch_ms = millis(started.elapsed());
    Ok(reading)
}

/// Visits `url` and reads its pricing live.
pub fn visit_and_read(page: &Page, url: &str) -> Result<LiveReading, AuditError> {
    let visit = page.visit(url)?;
    if let Some(doc) = &visit.document {
        if doc.status >= 400 {
            return Err(AuditError::PageStatus {
                url: doc.url.clone(),
                status: doc.status,
            });
        }
    }
    read_live(page)
}

/// Fills `artifacts.pricing` (or `pricing_reason`) after discovery when discovery did not
/// read the pricing live: a pricing page it only fetched, or the home page's plan section
/// when the site has no pricing page. Without a browser the saved HTML is read as is.
pub fn complete(artifacts: &mut Artifacts, page: Option<&Arc<Page>>, store: &ArtifactDir) {
    if artifacts.pricing.is_some() {
        return;
    }
    let started = Instant::now();
    let pricing_page = artifacts
        .pages
        .iter()
        .find(|p| p.role == PageRole::Pricing)
        .cloned();
    let (candidate, source) = match &pricing_page {
        Some(p) => (Some(p.clone()), PricingSource::PricingPage),
        None => (
            artifacts
                .pages
                .iter()
                .find(|p| p.role == PageRole::Home)
                .cloned(),
            PricingSource::HomePage,
        ),
    };
    let Some(candidate) = candidate else {
        artifacts.pricing_reason = Some("no page of the site could be read".into());
        return;
    };
    let Ok(url) = Url::parse(&candidate.url) else {
        artifacts.pricing_reason = Some(format!("{} is not a URL", candidate.url));
        return;
    };
    let saved = candidate
        .html_file
        .as_deref()
        .and_then(|f| std::fs::read(store.absolute(f)).ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).to_string());
    let static_reading = saved.as_deref().map(|html| read_page(html, &url));

    if source == PricingSource::HomePage {
        let has_plans = static_reading
            .as_ref()
            .is_some_and(|r| priced_plans(r) >= 2);
        if !has_plans {
            artifacts.pricing_reason =
                Some("no pricing page was found, and the home page shows no plan section".into());
            return;
        }
    }
    let live = page.and_then(|page| {
        tokio::task::block_in_place(|| match visit_and_read(page, &candidate.url) {
            Ok(r) => Some(r),
            Err(e) => {
                artifacts.warnings.push(Problem::new(
                    "render",
                    Some(&candidate.url),
                    format!(
                        "the pricing could not be read live, the saved HTML was read instead: {e}"
                    ),
                ));
                None
            }
        })
    });
    let pricing = match (live, static_reading) {
        (Some(live), _) => {
            artifacts.timings.pricing_switch_ms = live.switch_ms;
            live.into_pricing(source, candidate.screenshot.clone())
        }
        (None, Some(reading)) => {
            let mut p = Pricing::from_readings(url.as_str(), source, &reading, None);
            p.screenshot = candidate.screenshot.clone();
            p
        }
        (None, None) => {
            artifacts.pricing_reason = Some(format!(
                "the {} {} could not be read",
                if source == PricingSource::HomePage {
                    "home page"
                } else {
                    "pricing page"
                },
                candidate.url
            ));
            return;
        }
    };
    artifacts.timings.pricing_ms += millis(started.elapsed());
    artifacts.pricing = Some(pricing);
}

/// Plans with an amount or a free price: a plan section, not a stray "Contact us".
pub fn priced_plans(reading: &PageReading) -> usize {
    reading
        .plans
        .iter()
        .filter(|p| {
            p.headline.is_some()
                || matches!(p.word_price, Some(crate::pricing::page::WordPrice::Free(_)))
        })
        .count()
}

/// Reads a saved page's pricing (`plg-audit pricing FILE`).
pub fn read_file(path: &Path) -> Result<Pricing, AuditError> {
    let bytes = std::fs::read(path).map_err(|e| AuditError::Input {
        what: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let html = crate::pricing::explain::html_text(&bytes).map_err(|reason| AuditError::Input {
        what: path.display().to_string(),
        reason,
    })?;
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let url = Url::from_file_path(&absolute)
        .unwrap_or_else(|_| Url::parse("file:///page.html").expect("valid URL"));
    Ok(Pricing::from_html(&html, &url, PricingSource::Page))
}

/// Renders `url` in a fresh browser and reads its pricing, switch pressed
/// (`plg-audit pricing URL`).
pub fn read_url(url: &Url, config: &super::browser::BrowserConfig) -> Result<Pricing, AuditError> {
    let browser = super::browser::Browser::launch(config.clone())?;
    let site = super::site::Site::new(url.clone());
    let page = browser.open_page(site.host_filter())?;
    let live = visit_and_read(&page, url.as_str())?;
    Ok(live.into_pricing(PricingSource::Page, None))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
