//! Site discovery: from the rendered home page to a bounded, prioritised set of the
//! product's pages, each with its role.
//!
//! Links found on the home page are ranked by the role their URL and text suggest
//! (pricing and signup first) and fetched over HTTP a few at a time. A page whose static
//! HTML carries almost no text is client-rendered: it is rendered in the browser instead.
//! Links on later pages are followed only when they promise a role not yet found, so
//! `--max-pages` is spent on pages that tell something.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use url::Url;

use super::browser::Page;
use super::document::PageDocument;
use super::fetch::{Fetched, Fetcher};
use super::page_role::{classify, RoleJudgement};
use super::site::Site;
use super::ArtifactDir;
use crate::artifacts::{Artifacts, PageArtifact, PageRole, Problem, RequestRecord};
use crate::progress::Progress;

/// Below this many characters of visible text, static HTML is taken for a client-rendered shell.
pub const MIN_STATIC_TEXT: usize = 120;
/// Pages fetched at once: enough to be quick, few enough to be polite.
const CONCURRENT_FETCHES: usize = 4;

/// Order in which roles are worth a page budget (lower is sooner).
fn priority(role: PageRole) -> u8 {
    match role {
        PageRole::Pricing => 0,
        PageRole::Signup => 1,
        PageRole::Login => 2,
        PageRole::Integrations | PageRole::Templates | PageRole::Api | PageRole::Docs => 3,
        PageRole::Security | PageRole::Legal => 4,
        PageRole::Blog => 5,
        PageRole::Home | PageRole::Other => 6,
    }
}

/// Link paths that change state, start a third-party sign-in (OAuth, SSO) or are not
/// pages: never followed.
fn must_not_follow(url: &Url) -> bool {
    const SKIP_EXT: [&str; 14] = [
        ".pdf", ".zip", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".mp4", ".mp3", ".dmg",
        ".exe", ".css", ".js",
    ];
    const STATE_CHANGING: [&str; 4] = ["logout", "log-out", "signout", "sign-out"];
    const THIRD_PARTY_SIGN_IN: [&str; 5] = ["auth", "oauth", "oauth2", "sso", "saml"];
    let path = url.path().to_ascii_lowercase();
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    STATE_CHANGING.iter().any(|w| path.contains(w))
        || segments.any(|s| THIRD_PARTY_SIGN_IN.contains(&s))
        || SKIP_EXT.iter().any(|e| path.ends_with(e))
}

/// One page waiting to be visited.
struct Candidate {
    url: Url,
    guess: PageRole,
    order: usize,
}

/// Page content as read, with where it came from.
struct Read {
    final_url: Url,
    status: u16,
    html: String,
    doc: PageDocument,
    rendered: bool,
    requests: Vec<RequestRecord>,
    screenshot: Option<Vec<u8>>,
    load: Duration,
    settle: Option<Duration>,
    /// Globals the page's scripts defined (rendered pages only).
    globals: Vec<String>,
    /// The pricing read on the live page, for a page rendered as the pricing page.
    pricing: Option<(super::pricing::LiveReading, Duration)>,
}

/// The crawl's working state.
pub struct Crawl<'a> {
    pub site: Site,
    pub fetcher: Fetcher,
    pub page: Option<Arc<Page>>,
    pub max_pages: usize,
    pub store: &'a ArtifactDir,
    pub progress: &'a Progress,
}

impl Crawl<'_> {
    /// Visits the home page (already fetched statically as `home`) and then the rest of
    /// the site, appending pages and problems to `artifacts`.
    pub async fn run(&self, home: Fetched, artifacts: &mut Artifacts) {
        let mut seen: HashSet<String> = HashSet::new();
        let mut anchors: HashMap<String, Vec<String>> = HashMap::new();
        seen.insert(page_key(&home.url));

        self.progress.stage("Rendering the home page");
        let home_read = self.read(home, true, false, artifacts).await;
        let mut queue = self.candidates(&home_read.doc, &mut seen, &mut anchors, None);
        self.record(home_read, true, &[], artifacts);

        let mut found_roles: HashSet<PageRole> = HashSet::new();
        while artifacts.pages.len() < self.max_pages && !queue.is_empty() {
            queue.sort_by_key(|c| (priority(c.guess), c.order));
            let room = self.max_pages - artifacts.pages.len();
            let batch: Vec<Candidate> = queue
                .drain(..queue.len().min(CONCURRENT_FETCHES).min(room))
                .collect();
            self.progress.stage(&format!(
                "Fetching pages ({} of at most {})",
                artifacts.pages.len() + batch.len(),
                self.max_pages
            ));
            let fetched = join_all(batch.iter().map(|c| self.fetcher.get(&c.url))).await;
            for (candidate, result) in batch.into_iter().zip(fetched) {
                let fetched = match result {
                    Ok(f) => f,
                    Err(e) => {
                        artifacts.warnings.push(Problem::new(
                            "crawl",
                            Some(candidate.url.as_str()),
                            e.to_string(),
                        ));
                        continue;
                    }
                };
                if !self.site.owns(&fetched.url) {
                    tracing::info!(url = %candidate.url, to = %fetched.url, "redirected off the site; not audited");
                    continue;
                }
                let redirected = page_key(&fetched.url) != page_key(&candidate.url);
                if redirected && !seen.insert(page_key(&fetched.url)) {
                    continue; // Redirected to a page already visited (e.g. a protected page to /login).
                }
                if !fetched.is_html() {
                    continue;
                }
                let requested = candidate.url.clone();
                let links_from = anchors
                    .get(&page_key(&requested))
                    .cloned()
                    .unwrap_or_default();
                if fetched.status >= 400 {
                    artifacts.warnings.push(Problem::new(
                        "crawl",
                        Some(requested.as_str()),
                        format!(
                            "a broken link: the page linked as \"{}\" answered HTTP {}",
                            links_from.first().map_or("", String::as_str),
                            fetched.status
                        ),
                    ));
                }
                // Error pages are read as served: rendering them tells nothing more.
                let render = candidate.guess == PageRole::Pricing && fetched.status < 400;
                let mut read = self.read(fetched, render, render, artifacts).await;
                let judgement = self.judge(&read, &links_from);
                let pricing = read.pricing.take();
                // Later pages only add links that promise a role not found yet.
                found_roles.insert(judgement.role);
                let more = self.candidates(&read.doc, &mut seen, &mut anchors, Some(&found_roles));
                queue.extend(more.into_iter().map(|mut c| {
                    c.order += 10_000 * artifacts.pages.len();
                    c
                }));
                let role = judgement.role;
                self.record_judged(read, Some(requested), judgement, artifacts);
                if let (PageRole::Pricing, None, Some((live, took))) =
                    (role, &artifacts.pricing, pricing)
                {
                    let screenshot = artifacts.pages.last().and_then(|p| p.screenshot.clone());
                    artifacts.timings.pricing_ms = millis(took);
                    artifacts.timings.pricing_switch_ms = live.switch_ms;
                    artifacts.pricing = Some(
                        live.into_pricing(crate::pricing::PricingSource::PricingPage, screenshot),
                    );
                }
            }
        }
    }

    /// Reads a fetched page, rendering it in the browser when `render` is asked for or
    /// its static HTML is a near-empty shell (and a browser is available); with `pricing`,
    /// its pricing is read too while it is open.
    async fn read(
        &self,
        fetched: Fetched,
        render: bool,
        pricing: bool,
        artifacts: &mut Artifacts,
    ) -> Read {
        let doc = PageDocument::parse(&fetched.body, &fetched.url);
        let static_read = |doc| Read {
            final_url: fetched.url.clone(),
            status: fetched.status,
            html: fetched.body.clone(),
            doc,
            rendered: false,
            requests: Vec::new(),
            screenshot: None,
            load: fetched.elapsed,
            settle: None,
            globals: Vec::new(),
            pricing: None,
        };
        let thin = doc.text_chars() < MIN_STATIC_TEXT && fetched.status < 400;
        let Some(page) = self.page.clone() else {
            return static_read(doc);
        };
        if !(render || thin) {
            return static_read(doc);
        }
        let url = fetched.url.clone();
        let screenshot = render;
        let result = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let visit = page.visit(url.as_str())?;
            let html = page.html()?;
            let shot = if screenshot {
                page.screenshot(false).ok()
            } else {
                None
            };
            let globals = super::globals::read(&page);
            let requests = page.requests();
            // The pricing is read (and the switch pressed) after the page's own HTML and
            // screenshot are taken, so both show the page as it first appeared.
            let priced = if pricing {
                match super::pricing::read_live(&page) {
                    Ok(live) => Some(Ok((live, started.elapsed()))),
                    Err(e) => Some(Err(e)),
                }
            } else {
                None
            };
            Ok::<_, crate::error::AuditError>((visit, html, shot, requests, globals, priced))
        })
        .await;
        match result {
            Ok(Ok((visit, html, shot, requests, globals, priced))) => {
                let pricing = match priced {
                    Some(Ok(live)) => Some(live),
                    Some(Err(e)) => {
                        artifacts.warnings.push(Problem::new(
                            "render",
                            Some(fetched.url.as_str()),
                            format!("the pricing could not be read on the rendered page: {e}"),
                        ));
                        None
                    }
                    None => None,
                };
                if !visit.settled.quiet {
                    artifacts.warnings.push(Problem::new(
                        "render",
                        Some(fetched.url.as_str()),
                        format!(
                            "the page was still busy after {} s; read as it was",
                            visit.settled.elapsed.as_secs()
                        ),
                    ));
                }
                let final_url = Url::parse(&visit.url).unwrap_or_else(|_| fetched.url.clone());
                Read {
                    doc: PageDocument::parse(&html, &final_url),
                    status: visit.document.as_ref().map_or(fetched.status, |d| d.status),
                    final_url,
                    html,
                    rendered: true,
                    requests,
                    screenshot: shot,
                    load: visit.elapsed,
                    settle: Some(visit.settled.elapsed),
                    globals,
                    pricing,
                }
            }
            Ok(Err(e)) => {
                artifacts.warnings.push(Problem::new(
                    "render",
                    Some(fetched.url.as_str()),
                    format!("rendering failed, the static HTML was used instead: {e}"),
                ));
                static_read(doc)
            }
            Err(join) => {
                artifacts.warnings.push(Problem::new(
                    "render",
                    Some(fetched.url.as_str()),
                    format!("rendering stopped unexpectedly: {join}"),
                ));
                static_read(doc)
            }
        }
    }

    fn judge(&self, read: &Read, anchors: &[String]) -> RoleJudgement {
        if read.status >= 400 {
            return RoleJudgement {
                role: PageRole::Other,
                reason: format!("an error page (HTTP {})", read.status),
                also: Vec::new(),
            };
        }
        classify(&read.final_url, false, anchors, Some(&read.doc))
    }

    /// Same-site links of `doc` not seen before, with the role their URL and text suggest.
    /// With `only_new_roles`, links are kept only if they promise a role not in it.
    fn candidates(
        &self,
        doc: &PageDocument,
        seen: &mut HashSet<String>,
        anchors: &mut HashMap<String, Vec<String>>,
        only_new_roles: Option<&HashSet<PageRole>>,
    ) -> Vec<Candidate> {
        let mut out = Vec::new();
        for link in &doc.links {
            let Some(url) = link.href.as_deref().and_then(|h| Url::parse(h).ok()) else {
                continue;
            };
            if !self.site.owns(&url) || must_not_follow(&url) {
                continue;
            }
            let key = page_key(&url);
            let texts = anchors.entry(key.clone()).or_default();
            if !link.text.is_empty() && !texts.contains(&link.text) {
                texts.push(link.text.clone());
            }
            if seen.contains(&key) {
                continue;
            }
            let guess = classify(&url, false, texts, None).role;
            if let Some(found) = only_new_roles {
                if guess == PageRole::Other || found.contains(&guess) {
                    continue;
                }
            }
            seen.insert(key);
            out.push(Candidate {
                url,
                guess,
                order: out.len(),
            });
        }
        out
    }

    fn record(&self, read: Read, is_home: bool, anchors: &[String], artifacts: &mut Artifacts) {
        let judgement = classify(&read.final_url, is_home, anchors, Some(&read.doc));
        if is_home {
            artifacts.home_url = Some(read.final_url.to_string());
        }
        self.record_judged(read, None, judgement, artifacts);
    }

    fn record_judged(
        &self,
        read: Read,
        requested: Option<Url>,
        judgement: RoleJudgement,
        artifacts: &mut Artifacts,
    ) {
        let index = artifacts.pages.len();
        let stem = format!("{:02}-{}", index + 1, judgement.role);
        let html_file = self.store.save(
            &format!("pages/{stem}.html"),
            read.html.as_bytes(),
            artifacts,
        );
        let screenshot = read.screenshot.as_ref().and_then(|png| {
            self.store
                .save(&format!("screenshots/{stem}.png"), png, artifacts)
        });
        for r in read.requests.iter().filter(|r| !r.first_party) {
            if !artifacts.third_party_hosts.contains(&r.host) {
                artifacts.third_party_hosts.push(r.host.clone());
            }
        }
        artifacts.pages.push(PageArtifact {
            requested_url: requested
                .filter(|r| *r != read.final_url)
                .map(|u| u.to_string()),
            url: read.final_url.to_string(),
            roles: judgement.roles(),
            role: judgement.role,
            role_reason: std::iter::once(judgement.reason)
                .chain(
                    judgement
                        .also
                        .into_iter()
                        .map(|(r, why)| format!("also {r}: {why}")),
                )
                .collect::<Vec<_>>()
                .join("; "),
            status: read.status,
            title: read.doc.title.clone(),
            rendered: read.rendered,
            text_chars: read.doc.text_chars(),
            links: read.doc.links,
            scripts: read.doc.scripts,
            requests: read.requests,
            html_file,
            screenshot,
            load_ms: millis(read.load),
            settle_ms: read.settle.map(millis),
            globals: read.globals,
        });
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Pages are the same when they differ only in query, fragment or a trailing slash
/// (`/join?plan=plus` is the signup page again) — but not in a hash route (`/#/pricing`
/// is another screen of a hash-routed app).
fn page_key(url: &Url) -> String {
    let mut u = url.clone();
    if !u.fragment().is_some_and(super::document::is_route) {
        u.set_fragment(None);
    }
    u.set_query(None);
    let s = u.to_string();
    s.strip_suffix('/').map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_changing_and_binary_links_are_not_followed() {
        assert!(must_not_follow(
            &Url::parse("https://a.test/account/logout").unwrap()
        ));
        assert!(must_not_follow(
            &Url::parse("https://a.test/whitepaper.pdf").unwrap()
        ));
        assert!(!must_not_follow(
            &Url::parse("https://a.test/pricing").unwrap()
        ));
    }

    #[test]
    fn queries_fragments_and_trailing_slashes_do_not_make_new_pages() {
        let a = Url::parse("https://a.test/pricing/#faq").unwrap();
        let b = Url::parse("https://a.test/pricing").unwrap();
        assert_eq!(page_key(&a), page_key(&b));
        let c = Url::parse("https://a.test/join?plan=plus").unwrap();
        assert_eq!(page_key(&c), "https://a.test/join");
    }
}
