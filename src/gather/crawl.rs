//! Site discovery: from the rendered home page to a bounded, prioritised set of the
//! product's pages, each with its role.
//!
//! Links found on the home page are ranked by the role their URL and text suggest
//! (pricing and signup first) and fetched over HTTP a few at a time. A page whose static
//! HTML carries almost no text is client-rendered: it is rendered in the browser instead.
//! Links on later pages are followed only when they promise a role not yet found, so
//! `--max-pages` is spent on pages that tell something.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::future::join_all;
use url::Url;

use super::browser::RenderTab;
use super::document::PageDocument;
use super::fetch::{BodyKind, Fetched, Fetcher, MAX_BODY_BYTES};
use super::page_role::{classify, RoleJudgement};
use super::settle::SettleCut;
use super::site::Site;
use super::ArtifactDir;
use crate::artifacts::{Artifacts, PageArtifact, PageRole, Problem, ProblemKind, RequestRecord};
use crate::progress::Progress;
use crate::stop::Stop;

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

/// A document link worth recording although it is no web page: a PDF price list is
/// where a product keeps its prices, a fact the report must not drop.
fn worth_a_look(url: &Url, guess: PageRole) -> bool {
    guess == PageRole::Pricing && url.path().to_ascii_lowercase().ends_with(".pdf")
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
    /// The Content-Type the server sent.
    content_type: Option<String>,
}

/// The crawl's working state.
pub struct Crawl<'a> {
    pub site: Site,
    pub fetcher: Fetcher,
    /// The tab pages are rendered in (replaced when a page loses its renderer).
    pub page: Option<RenderTab<'a>>,
    pub max_pages: usize,
    pub store: &'a ArtifactDir,
    pub progress: &'a Progress,
    /// Ends the crawl early: a signal, or the `--max-time` budget.
    pub stop: Stop,
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
            if self.stop.reason().is_some() {
                return;
            }
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
            let fetching = join_all(batch.iter().map(|c| self.fetcher.get(&c.url)));
            let fetched = tokio::select! {
                fetched = fetching => fetched,
                _ = self.stop.stopped() => return,
            };
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
                    if fetched.status < 400 {
                        self.record_file(fetched, &candidate, &anchors, artifacts);
                    }
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
                if self.stop.reason().is_some() {
                    return; // A page cut short by the stop is not recorded half-read.
                }
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
    /// its pricing is read too while it is open. HTML sent under another type and bodies
    /// cut at the size cap are read statically: a browser would show the one as text and
    /// spend its memory on the other.
    async fn read(
        &self,
        fetched: Fetched,
        render: bool,
        pricing: bool,
        artifacts: &mut Artifacts,
    ) -> Read {
        let doc = PageDocument::parse(&fetched.body, &fetched.url);
        if fetched.kind == BodyKind::MislabelledHtml {
            artifacts.warnings.push(
                Problem::new(
                    "crawl",
                    Some(fetched.url.as_str()),
                    format!(
                        "the page is HTML sent as {}; it was read from its static HTML (a browser shows it as {})",
                        fetched.media_type(),
                        if fetched.media_type().starts_with("text/") { "plain text" } else { "a download" }
                    ),
                )
                .kind(ProblemKind::MislabelledHtml),
            );
        }
        if fetched.truncated {
            artifacts.warnings.push(
                Problem::new(
                    "crawl",
                    Some(fetched.url.as_str()),
                    format!(
                        "the page is larger than {} MB; its first {} MB were read and it was not rendered",
                        MAX_BODY_BYTES / (1024 * 1024),
                        MAX_BODY_BYTES / (1024 * 1024)
                    ),
                )
                .kind(ProblemKind::Truncated),
            );
        }
        let thin = doc.text_chars() < MIN_STATIC_TEXT && fetched.status < 400;
        let renderable = fetched.kind == BodyKind::Html && !fetched.truncated;
        let tab = match &self.page {
            Some(tab) if (render || thin) && renderable => tab,
            _ => return static_read(fetched, doc),
        };
        let page = match tab.page() {
            Ok(p) => p,
            Err(e) => {
                if !e.is_stop() {
                    artifacts.warnings.push(Problem::from_error(
                        "render",
                        Some(fetched.url.as_str()),
                        &e,
                    ));
                }
                return static_read(fetched, doc);
            }
        };
        let url = fetched.url.clone();
        let screenshot = render;
        let result = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let visit = page.visit(url.as_str())?;
            if visit.settled.stalled && visit.document.is_none() {
                return Ok(None);
            }
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
            Ok::<_, crate::error::AuditError>(Some((visit, html, shot, requests, globals, priced)))
        })
        .await;
        for incident in self.take_incidents() {
            Problem::push_once(
                &mut artifacts.warnings,
                Problem {
                    stage: "render".into(),
                    ..incident
                },
            );
        }
        match result {
            Ok(Ok(Some((visit, html, shot, requests, globals, priced)))) => {
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
                let looped = visit.settled.cut == Some(SettleCut::NavigationLoop);
                if !visit.settled.quiet && visit.settled.cut.is_none() {
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
                let mut rendered = PageDocument::parse(&html, &final_url);
                if looped {
                    // The page never held still: its first HTML still names the site's pages.
                    for link in doc.links {
                        if !rendered.links.iter().any(|l| l.href == link.href) {
                            rendered.links.push(link);
                        }
                    }
                }
                Read {
                    doc: rendered,
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
                    content_type: Some(fetched.content_type),
                }
            }
            Ok(Ok(None)) => {
                artifacts.warnings.push(Problem::new(
                    "render",
                    Some(fetched.url.as_str()),
                    format!(
                        "the page did not arrive in the browser within {} s (--step-timeout); its static HTML was used instead",
                        self.step_timeout().as_secs_f64()
                    ),
                ));
                static_read(fetched, doc)
            }
            Ok(Err(e)) => {
                if !e.is_stop() {
                    artifacts.warnings.push(Problem {
                        message: format!("rendering failed, the static HTML was used instead: {e}"),
                        ..Problem::from_error("render", Some(fetched.url.as_str()), &e)
                    });
                }
                static_read(fetched, doc)
            }
            Err(join) => {
                artifacts.warnings.push(Problem::new(
                    "render",
                    Some(fetched.url.as_str()),
                    format!("rendering stopped unexpectedly: {join}"),
                ));
                static_read(fetched, doc)
            }
        }
    }

    fn step_timeout(&self) -> Duration {
        self.page
            .as_ref()
            .map_or(Duration::ZERO, |t| t.step_timeout())
    }

    fn take_incidents(&self) -> Vec<Problem> {
        self.page
            .as_ref()
            .map(|t| t.take_incidents())
            .unwrap_or_default()
    }

    /// Records a linked file that is not a web page (a PDF, an image, JSON) with its type,
    /// under the role its link promised; a price list in a file gets a warning, since its
    /// prices cannot be read.
    fn record_file(
        &self,
        fetched: Fetched,
        candidate: &Candidate,
        anchors: &HashMap<String, Vec<String>>,
        artifacts: &mut Artifacts,
    ) {
        let links_from = anchors
            .get(&page_key(&candidate.url))
            .cloned()
            .unwrap_or_default();
        let media = fetched.media_type();
        let what = if media.is_empty() {
            "a file of unknown type".to_string()
        } else {
            format!("a file of type {media}")
        };
        let linked_as = links_from
            .first()
            .map_or(String::new(), |t| format!(" linked as \"{t}\""));
        let message = if candidate.guess == PageRole::Pricing {
            format!(
                "the pricing page{linked_as} is {what}, not a web page: its prices are not read"
            )
        } else {
            format!("the page{linked_as} is {what}, not a web page; it is recorded with its type")
        };
        artifacts.warnings.push(
            Problem::new("crawl", Some(fetched.url.as_str()), message).kind(ProblemKind::NotHtml),
        );
        let title = fetched
            .url
            .path_segments()
            .and_then(|mut s| s.next_back().map(str::to_string))
            .filter(|s| !s.is_empty())
            .unwrap_or_default();
        let role = candidate.guess;
        let reason = format!("{what} linked as {}", links_from.join(" / "));
        artifacts.pages.push(PageArtifact {
            requested_url: (fetched.url != candidate.url).then(|| candidate.url.to_string()),
            url: fetched.url.to_string(),
            role,
            role_reason: reason,
            status: fetched.status,
            title,
            rendered: false,
            text_chars: 0,
            links: Vec::new(),
            scripts: Vec::new(),
            requests: Vec::new(),
            html_file: None,
            screenshot: None,
            load_ms: millis(fetched.elapsed),
            settle_ms: None,
            globals: Vec::new(),
            roles: Vec::new(),
            content_type: Some(fetched.content_type),
        });
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
            if !self.site.owns(&url) {
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
            if must_not_follow(&url) && !worth_a_look(&url, guess) {
                continue;
            }
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
            content_type: read.content_type,
        });
    }
}

/// A page read from the HTML its server sent.
fn static_read(fetched: Fetched, doc: PageDocument) -> Read {
    Read {
        final_url: fetched.url,
        status: fetched.status,
        // Moved, not copied: a page's HTML is held once.
        html: fetched.body,
        doc,
        rendered: false,
        requests: Vec::new(),
        screenshot: None,
        load: fetched.elapsed,
        settle: None,
        globals: Vec::new(),
        pricing: None,
        content_type: Some(fetched.content_type),
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
