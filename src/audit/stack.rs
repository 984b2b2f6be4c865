//! The growth stack: which tools the product runs — analytics, onboarding, chat, billing,
//! CAPTCHAs, experiments… — each with the evidence that shows it.
//!
//! Judged here, in `audit`, from saved artifacts: every request a site page or the journey
//! made (failed ones too: offline, third-party requests fail but were made), every
//! `<script src>`, the inline scripts in the saved HTML (a vendor's loader snippet names it
//! even when the tag it injects never loads), and the JavaScript globals recorded on
//! rendered pages and journey screens. The fingerprints are data
//! ([`super::vendors::VendorCatalogue`]), so a saved run can be judged again with a new
//! vendor file — except for globals, which are recorded by name at gather time (see
//! [`crate::gather::globals`]) and so are matched against whatever names were seen.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use scraper::{Html, Selector};
use serde::{Deserialize, Serialize};
use url::Url;

use super::vendors::{Category, Match, VendorCatalogue};
use super::SavedHtml;
use crate::artifacts::{Artifacts, RequestRecord};
use crate::gather::document::PageDocument;

/// Evidence items kept per vendor (one of each kind first).
const MAX_EVIDENCE: usize = 8;

/// How a vendor showed itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// A network request to the vendor (whether or not it answered).
    Request,
    /// A `<script src>` on the vendor's host.
    Script,
    /// The vendor's inline snippet in the page.
    Inline,
    /// A global the vendor's script or stub defines.
    Global,
}

/// One thing that shows a vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackEvidence {
    /// The request or script URL; for inline snippets and globals, the page's URL.
    pub url: String,
    pub kind: EvidenceKind,
    /// The fingerprint that matched, as the vendor file writes it (a host, a URL prefix,
    /// a snippet, a global).
    #[serde(rename = "match")]
    pub pattern: String,
    /// The page or journey screen it was seen on.
    pub page: String,
    /// The journey step whose screen or action showed it; null on the public site.
    pub step: Option<usize>,
}

/// A tool the product runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackVendor {
    /// The vendor's id in the catalogue (snake_case).
    pub vendor: String,
    pub name: String,
    pub category: Category,
    pub evidence: Vec<StackEvidence>,
    /// Seen only during the signup journey (on the signup, onboarding or billing screens
    /// or in the app), never on the public site.
    pub journey_only: bool,
    /// The journey steps whose screens or actions showed it, every one (the evidence keeps
    /// a stub or snippet only where first seen); 0 is before the first step.
    #[serde(default)]
    pub journey_steps: Vec<usize>,
}

static INLINE_SCRIPTS: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("script:not([src])").expect("static selector"));

/// Script types that hold data, not code.
const DATA_SCRIPT_TYPES: [&str; 4] = [
    "application/json",
    "application/ld+json",
    "importmap",
    "speculationrules",
];

/// One place something was seen: a page of the site or a journey screen.
struct Seen<'a> {
    page: &'a str,
    step: Option<usize>,
    scripts: Vec<String>,
    requests: Vec<&'a RequestRecord>,
    html_file: Option<&'a str>,
    globals: &'a [String],
}

/// Finds the vendors of `catalogue` in the artifacts; `saved` reads the HTML files they
/// name. Vendors are ordered by category, then name.
pub fn detect(
    artifacts: &Artifacts,
    catalogue: &VendorCatalogue,
    saved: SavedHtml<'_>,
) -> Vec<StackVendor> {
    let mut places: Vec<Seen<'_>> = artifacts
        .pages
        .iter()
        .map(|p| Seen {
            page: &p.url,
            step: None,
            scripts: p.scripts.clone(),
            requests: p.requests.iter().collect(),
            html_file: p.html_file.as_deref(),
            globals: &p.globals,
        })
        .collect();
    if let Some(journey) = &artifacts.journey {
        let journey_start = artifacts.home_url.as_deref().unwrap_or(&artifacts.target);
        // Requests made before the first step (or by a journey that took none).
        let before: Vec<&RequestRecord> = journey
            .requests
            .iter()
            .filter(|r| r.step == 0)
            .map(|r| &r.request)
            .collect();
        if !before.is_empty() {
            places.push(Seen {
                page: journey_start,
                step: Some(0),
                scripts: Vec::new(),
                requests: before,
                html_file: None,
                globals: &[],
            });
        }
        for s in &journey.steps {
            places.push(Seen {
                page: &s.url_after,
                step: Some(s.n),
                scripts: Vec::new(),
                requests: journey
                    .requests
                    .iter()
                    .filter(|r| r.step == s.n)
                    .map(|r| &r.request)
                    .collect(),
                html_file: s.html_file.as_deref(),
                globals: &s.globals,
            });
        }
    }

    // Vendor id → evidence, in the order seen (site pages first, then the journey). A
    // request or script counts once per URL; a snippet or global once, where first seen
    // (the same stub on every page tells nothing more).
    let mut found: BTreeMap<String, Vec<StackEvidence>> = BTreeMap::new();
    let mut steps_seen: BTreeMap<String, std::collections::BTreeSet<usize>> = BTreeMap::new();
    let mut note = |m: Match<'_>, kind: EvidenceKind, url: &str, place: &Seen<'_>| {
        if let Some(step) = place.step {
            steps_seen
                .entry(m.vendor.id.clone())
                .or_default()
                .insert(step);
        }
        let list = found.entry(m.vendor.id.clone()).or_default();
        let seen = list.iter().any(|e| {
            e.kind == kind
                && match kind {
                    EvidenceKind::Request | EvidenceKind::Script => e.url == url,
                    EvidenceKind::Inline | EvidenceKind::Global => e.pattern == m.pattern,
                }
        });
        if !seen {
            list.push(StackEvidence {
                url: url.to_string(),
                kind,
                pattern: m.pattern.to_string(),
                page: place.page.to_string(),
                step: place.step,
            });
        }
    };
    for place in &mut places {
        let html = place.html_file.and_then(saved);
        if place.step.is_some() {
            if let (Some(html), Ok(url)) = (&html, Url::parse(place.page)) {
                place.scripts = PageDocument::parse(html, &url).scripts;
            }
        }
        let place = &*place;
        let mut seen_urls = HashSet::new();
        for r in &place.requests {
            if !seen_urls.insert(r.url.as_str()) {
                continue;
            }
            if let Ok(url) = Url::parse(&r.url) {
                for m in catalogue.match_url(&url) {
                    note(m, EvidenceKind::Request, &r.url, place);
                }
            }
        }
        for src in &place.scripts {
            if let Ok(url) = Url::parse(src) {
                for m in catalogue.match_url(&url) {
                    note(m, EvidenceKind::Script, src, place);
                }
            }
        }
        if let Some(html) = &html {
            for script in inline_scripts(html) {
                for m in catalogue.match_inline(&script) {
                    note(m, EvidenceKind::Inline, place.page, place);
                }
            }
        }
        for g in place.globals {
            for m in catalogue.match_global(g) {
                note(m, EvidenceKind::Global, place.page, place);
            }
        }
    }

    let mut stack: Vec<StackVendor> = found
        .into_iter()
        .filter_map(|(id, evidence)| {
            let v = catalogue.get(&id)?;
            let journey_only = evidence.iter().all(|e| e.step.is_some());
            Some(StackVendor {
                vendor: v.id.clone(),
                name: v.name.clone(),
                category: v.category,
                evidence: pick_evidence(evidence),
                journey_only,
                journey_steps: steps_seen
                    .get(&id)
                    .map(|s| s.iter().copied().collect())
                    .unwrap_or_default(),
            })
        })
        .collect();
    stack.sort_by(|a, b| {
        (a.category, a.name.to_lowercase()).cmp(&(b.category, b.name.to_lowercase()))
    });
    stack
}

/// The texts of a page's inline scripts that hold code.
fn inline_scripts(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    doc.select(&INLINE_SCRIPTS)
        .filter(|s| {
            s.value().attr("type").is_none_or(|t| {
                !DATA_SCRIPT_TYPES.contains(&t.trim().to_ascii_lowercase().as_str())
            })
        })
        .map(|s| s.text().collect::<String>())
        .filter(|t| !t.trim().is_empty())
        .collect()
}

/// One of each kind first (in the order seen), then the rest, up to the cap.
fn pick_evidence(all: Vec<StackEvidence>) -> Vec<StackEvidence> {
    let mut kinds = HashSet::new();
    let mut chosen: Vec<usize> = Vec::new();
    for (i, e) in all.iter().enumerate() {
        if kinds.insert(e.kind) {
            chosen.push(i);
        }
    }
    for i in 0..all.len() {
        if chosen.len() >= MAX_EVIDENCE {
            break;
        }
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    chosen.into_iter().map(|i| all[i].clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{
        JourneyArtifact, JourneyRequest, Outcome, PageArtifact, PageRole, StepAction, StepRecord,
    };

    fn request(url: &str, failure: Option<&str>) -> RequestRecord {
        RequestRecord {
            url: url.into(),
            host: Url::parse(url).unwrap().host_str().unwrap().into(),
            resource: "Script".into(),
            status: None,
            failure: failure.map(str::to_string),
            first_party: false,
            settle: None,
        }
    }

    fn home(scripts: Vec<&str>, requests: Vec<RequestRecord>, globals: Vec<&str>) -> PageArtifact {
        PageArtifact {
            url: "https://acme.test/".into(),
            requested_url: None,
            role: PageRole::Home,
            roles: vec![PageRole::Home],
            role_reason: String::new(),
            status: 200,
            title: "Acme".into(),
            rendered: true,
            text_chars: 0,
            links: Vec::new(),
            scripts: scripts.into_iter().map(str::to_string).collect(),
            requests,
            html_file: Some("pages/01-home.html".into()),
            screenshot: None,
            load_ms: 0,
            settle_ms: None,
            globals: globals.into_iter().map(str::to_string).collect(),
            content_type: None,
        }
    }

    fn artifacts(pages: Vec<PageArtifact>) -> Artifacts {
        Artifacts {
            target: "https://acme.test/".into(),
            home_url: Some("https://acme.test/".into()),
            pages,
            ..Artifacts::default()
        }
    }

    fn ids(stack: &[StackVendor]) -> Vec<&str> {
        stack.iter().map(|v| v.vendor.as_str()).collect()
    }

    #[test]
    fn a_failed_request_is_still_evidence() {
        let a = artifacts(vec![home(
            vec![],
            vec![request(
                "https://widget.intercom.io/widget/abc",
                Some("net::ERR_NAME_NOT_RESOLVED"),
            )],
            vec![],
        )]);
        let stack = detect(&a, &VendorCatalogue::builtin(), &|_| None);
        assert_eq!(ids(&stack), vec!["intercom"]);
        assert_eq!(
            stack[0].evidence,
            vec![StackEvidence {
                url: "https://widget.intercom.io/widget/abc".into(),
                kind: EvidenceKind::Request,
                pattern: "intercom.io".into(),
                page: "https://acme.test/".into(),
                step: None,
            }]
        );
        assert!(!stack[0].journey_only);
    }

    #[test]
    fn an_inline_loader_and_a_global_name_a_vendor_whose_tag_never_loaded() {
        let html = r#"<html><head><script>
          !function(t,e){var o,n,p,r;e.__SV||(window.posthog=e,e._i=[],e.init=function(i,s,a){
          (p=t.createElement("script")).src=s.api_host+"/static/array.js"})}(document,window.posthog||[]);
          posthog.init('phc_123', {api_host: '/ingest'});
          </script><script type="application/ld+json">{"sameAs":"https://js.stripe.com/v3"}</script>
          </head><body></body></html>"#;
        let a = artifacts(vec![home(
            vec![],
            vec![],
            vec!["mixpanel", "mixpanel.__SV"],
        )]);
        let stack = detect(&a, &VendorCatalogue::builtin(), &|f| {
            (f == "pages/01-home.html").then(|| html.to_string())
        });
        assert_eq!(ids(&stack), vec!["mixpanel", "posthog"]);
        assert_eq!(stack[0].evidence[0].kind, EvidenceKind::Global);
        assert_eq!(stack[0].evidence[0].pattern, "mixpanel.__SV");
        assert_eq!(stack[1].evidence[0].kind, EvidenceKind::Inline);
        assert_eq!(stack[1].evidence[0].pattern, "posthog.init(");
    }

    #[test]
    fn a_tool_seen_only_on_the_journeys_screens_counts_and_says_so() {
        let mut a = artifacts(vec![home(
            vec!["https://cdn.segment.com/analytics.js/v1/k/analytics.min.js"],
            vec![],
            vec![],
        )]);
        a.journey = Some(JourneyArtifact {
            outcome: Outcome::CardRequired,
            reason: String::new(),
            entry: None,
            sso_providers: Vec::new(),
            steps: vec![StepRecord {
                n: 2,
                screen: None,
                action: StepAction::Submit,
                label: "Create account".into(),
                url_before: String::new(),
                url_after: "https://acme.test/billing".into(),
                fields: Default::default(),
                inputs: Vec::new(),
                ms: 0,
                screenshot: None,
                notes: Vec::new(),
                filled: Vec::new(),
                html_file: None,
                globals: vec!["Stripe".into()],
            }],
            reached_value: false,
            blocker: None,
            email: String::new(),
            offered: Vec::new(),
            would_submit: None,
            overlay_ms: 0,
            navigation_ms: 0,
            value: None,
            prechecked_opt_in: None,
            empty_state: None,
            requests: vec![JourneyRequest {
                step: 2,
                request: request(
                    "https://js.stripe.com/v3/",
                    Some("net::ERR_NAME_NOT_RESOLVED"),
                ),
            }],
        });
        let stack = detect(&a, &VendorCatalogue::builtin(), &|_| None);
        assert_eq!(ids(&stack), vec!["stripe", "segment"]);
        let stripe = &stack[0];
        assert!(stripe.journey_only);
        assert_eq!(
            stripe
                .evidence
                .iter()
                .map(|e| (e.kind, e.step))
                .collect::<Vec<_>>(),
            vec![
                (EvidenceKind::Request, Some(2)),
                (EvidenceKind::Global, Some(2))
            ]
        );
        assert_eq!(stack[1].evidence[0].kind, EvidenceKind::Script);
        assert!(!stack[1].journey_only);
    }
}
