//! Gather: drive the HTTP client and the browser over the product's site and record
//! artifacts. Nothing here judges what it finds (that is `audit`), and nothing here
//! knows how it will be shown (that is `report`).
//!
//! Order of work: the home page is fetched over HTTP first (it tells at once whether the
//! site is there at all) while Chromium starts; then discovery renders the home page and
//! visits the rest of the site. A failure keeps everything gathered before it.

pub mod browser;
pub mod browser_process;
pub mod charset;
pub mod crawl;
pub mod document;
pub mod evidence;
pub mod fetch;
pub mod fill;
pub mod globals;
pub mod journey;
pub mod live;
pub mod page_role;
pub mod pricing;
pub mod remote;
pub mod settle;
pub mod site;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::artifacts::{Artifacts, PageArtifact, PageRole, Problem};
use crate::error::AuditError;
use crate::progress::Progress;
use crate::stop::Stop;
use browser::{Browser, BrowserConfig, RenderTab};
use crawl::Crawl;
use fetch::Fetcher;
use site::Site;

/// What to gather and how.
#[derive(Debug, Clone)]
pub struct GatherOptions {
    /// Pages to visit at most, the home page included.
    pub max_pages: usize,
    pub browser: BrowserConfig,
    /// How to walk the signup journey; None to map the site only.
    pub journey: Option<journey::JourneyOptions>,
    /// The audit's wall-time budget (`--max-time`); None for no budget.
    pub max_time: Option<Duration>,
}

/// The result of gathering: always the artifacts, and the error that stopped the audit
/// from running fully, if one did.
pub struct Gathered {
    pub artifacts: Artifacts,
    pub fatal: Option<AuditError>,
}

/// The output directory, where page HTML and screenshots are saved as they are gathered.
pub struct ArtifactDir {
    root: PathBuf,
}

impl ArtifactDir {
    pub fn new(root: &Path) -> ArtifactDir {
        ArtifactDir {
            root: root.to_path_buf(),
        }
    }

    /// The absolute path of `relative` in the output directory.
    pub fn absolute(&self, relative: &str) -> PathBuf {
        let path = self.root.join(relative);
        std::fs::canonicalize(&path).unwrap_or(path)
    }

    /// Writes `bytes` at `relative` and returns the relative path; a write failure
    /// becomes a warning, not a lost audit.
    pub fn save(&self, relative: &str, bytes: &[u8], artifacts: &mut Artifacts) -> Option<String> {
        let path = self.root.join(relative);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, bytes));
        match written {
            Ok(()) => Some(relative.to_string()),
            Err(e) => {
                artifacts.warnings.push(Problem::new(
                    "report",
                    None,
                    format!("could not save {}: {e}", path.display()),
                ));
                None
            }
        }
    }
}

/// User-Agent of plain HTTP requests (the browser sends its own with the same suffix).
pub fn http_user_agent() -> String {
    format!(
        "Mozilla/5.0 (compatible; plg-audit/{}; +https://github.com/plg-audit/plg-audit)",
        env!("CARGO_PKG_VERSION")
    )
}

/// Gathers artifacts for the product at `target`, saving page files under `out`.
pub async fn gather(
    target: &url::Url,
    options: &GatherOptions,
    out: &Path,
    progress: &Progress,
) -> Gathered {
    let mut artifacts = Artifacts {
        target: target.to_string(),
        ..Artifacts::default()
    };
    let store = ArtifactDir::new(out);
    let fail = |mut artifacts: Artifacts, stage: &str, url: Option<&str>, error: AuditError| {
        artifacts
            .errors
            .push(Problem::new(stage, url, error.to_string()));
        Gathered {
            artifacts,
            fatal: Some(error),
        }
    };

    let stop = options
        .max_time
        .map_or(Stop::on_signals(), Stop::with_budget);
    // Whatever stops the audit early is said once, in `errors`, and decides the exit.
    let stopped = |mut artifacts: Artifacts, reason: crate::stop::StopReason| {
        let error = AuditError::Stopped(reason);
        artifacts
            .errors
            .push(Problem::from_error("audit", None, &error));
        Gathered {
            artifacts,
            fatal: Some(error),
        }
    };

    // Chromium starts while the home page is fetched.
    let browser_config = options.browser.clone();
    let started = Instant::now();
    let launching = tokio::task::spawn_blocking(move || {
        let launched = Browser::launch_stopping(browser_config, stop);
        (launched, millis(started.elapsed()))
    });

    let timeout = options.browser.step_timeout.max(Duration::from_secs(5));
    let fetcher = match Fetcher::new(&http_user_agent(), timeout) {
        Ok(f) => f,
        Err(e) => return fail(artifacts, "home", None, e),
    };
    progress.stage(&format!("Fetching {target}"));
    let fetched = tokio::select! {
        fetched = fetcher.get(target) => fetched,
        reason = stop.stopped() => return stopped(artifacts, reason),
    };
    let home = match fetched {
        Ok(home) => home,
        Err(e) => return fail(artifacts, "home", Some(target.as_str()), e),
    };
    artifacts.timings.home_fetch_ms = millis(started.elapsed());
    if home.status >= 400 {
        artifacts.pages.push(bare_page(&home));
        let error = AuditError::HomeStatus {
            url: home.url.to_string(),
            status: home.status,
        };
        return fail(artifacts, "home", Some(home.url.as_str()), error);
    }
    if !home.is_html() {
        let error = AuditError::NotHtml {
            url: home.url.to_string(),
            content_type: if home.content_type.is_empty() {
                "none".into()
            } else {
                home.content_type.clone()
            },
        };
        return fail(artifacts, "home", Some(home.url.as_str()), error);
    }

    let site = Site::new(home.url.clone());
    progress.stage("Starting Chromium");
    let launched = tokio::select! {
        launched = launching => launched,
        reason = stop.stopped() => return stopped(artifacts, reason),
    };
    let (browser, browser_error) = match launched {
        Ok((Ok(b), ms)) => {
            artifacts.timings.browser_start_ms = ms;
            (Some(b), None)
        }
        Ok((Err(e), _)) => (None, Some(e)),
        Err(e) => (
            None,
            Some(AuditError::Browser {
                reason: e.to_string(),
            }),
        ),
    };
    let page = match &browser {
        Some(b) => {
            artifacts.browser_version = Some(b.version().to_string());
            artifacts.browser_endpoint = b.endpoint().map(|e| e.display());
            let opening = Instant::now();
            let tab = RenderTab::new(b, site.host_filter());
            let opened = tab.page();
            artifacts.timings.browser_start_ms += millis(opening.elapsed());
            match opened {
                Ok(_) => Some(tab),
                Err(e) => {
                    if !e.is_stop() {
                        artifacts
                            .errors
                            .push(Problem::from_error("browser", None, &e));
                    }
                    None
                }
            }
        }
        None => None,
    };
    if let Some(e) = &browser_error {
        // Discovery still runs on static HTML so nothing reachable is lost.
        artifacts
            .errors
            .push(Problem::new("browser", None, e.to_string()));
    }

    let mut crawl = Crawl {
        site: site.clone(),
        fetcher,
        page,
        max_pages: options.max_pages.max(1),
        store: &store,
        progress,
        stop,
    };
    let crawling = Instant::now();
    crawl.run(home, &mut artifacts).await;
    let crawl_tab = crawl.page.take();
    drop(crawl);
    // A site without a pricing page is read from the home page's plan section, in the
    // discovery's tab (a fresh one if its renderer was lost).
    let pricing_page = crawl_tab.as_ref().and_then(|t| t.page().ok());
    pricing::complete(&mut artifacts, pricing_page.as_ref(), &store);
    drop(pricing_page);
    if let Some(tab) = crawl_tab {
        tab.close();
    }
    artifacts.timings.crawl_ms = millis(crawling.elapsed());

    if let (Some(b), Some(journey_options), None) = (&browser, &options.journey, stop.reason()) {
        progress.stage("Walking the signup journey");
        let walking = Instant::now();
        artifacts.journey = walk_journey(b, &site, journey_options, &store, &mut artifacts).await;
        artifacts.timings.journey_ms = millis(walking.elapsed());
        for incident in b.take_incidents() {
            Problem::push_once(
                &mut artifacts.warnings,
                Problem {
                    stage: "journey".into(),
                    ..incident
                },
            );
        }
    }
    if let Some(b) = &browser {
        artifacts.dialogs = b.dialogs();
        artifacts.popups = b.popups();
        for incident in b.take_incidents() {
            Problem::push_once(&mut artifacts.warnings, incident);
        }
    }
    artifacts.third_party_hosts.sort();
    if let Some(reason) = stop.reason() {
        let mut gathered = stopped(artifacts, reason);
        if let Some(e) = browser_error {
            gathered.fatal = Some(e);
        }
        return gathered;
    }
    Gathered {
        artifacts,
        fatal: browser_error,
    }
}

/// Walks the journey in its own tab. A journey that fails keeps its steps; one that
/// cannot start at all is an error in the report, never a lost audit.
async fn walk_journey(
    browser: &Browser,
    site: &Site,
    options: &journey::JourneyOptions,
    store: &ArtifactDir,
    artifacts: &mut Artifacts,
) -> Option<crate::artifacts::JourneyArtifact> {
    let home = url::Url::parse(artifacts.home_url.as_deref()?).ok()?;
    let pricing = artifacts
        .pages
        .iter()
        .find(|p| p.role == PageRole::Pricing)
        .and_then(|p| url::Url::parse(&p.url).ok());
    let page = match browser.open_page(site.host_filter()) {
        Ok(p) => p,
        Err(e) => {
            // A stop is said once, by the audit.
            if !e.is_stop() {
                artifacts
                    .errors
                    .push(Problem::new("journey", None, e.to_string()));
            }
            return None;
        }
    };
    page.keep_request_journal();
    // The browser is synchronous; the walk runs on this worker thread, which may block.
    let journey = tokio::task::block_in_place(|| {
        journey::walk(
            &page,
            site,
            &home,
            pricing.as_ref(),
            options,
            store,
            artifacts,
        )
    });
    // The journey's own error entry says what happened in words; the kind says it for
    // scripts (a renderer lost). A stop is given its kind once, in the audit's own error.
    let loss = page.loss().filter(|e| !e.is_stop());
    if let Some(kind) = loss.and_then(|e| e.problem_kind()) {
        if let Some(entry) = artifacts
            .errors
            .iter_mut()
            .rev()
            .find(|p| p.stage == "journey" && p.kind.is_none())
        {
            entry.kind = Some(kind);
        }
    }
    page.close();
    // The journey's third-party hosts join the site map's: tools loaded only on the
    // signup or billing screens count.
    for r in journey.requests.iter().map(|r| &r.request) {
        if !r.first_party && !artifacts.third_party_hosts.contains(&r.host) {
            artifacts.third_party_hosts.push(r.host.clone());
        }
    }
    Some(journey)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A page known only by its response (e.g. a home page answering 404).
fn bare_page(fetched: &fetch::Fetched) -> PageArtifact {
    let doc = document::PageDocument::parse(&fetched.body, &fetched.url);
    PageArtifact {
        url: fetched.url.to_string(),
        requested_url: None,
        role: PageRole::Home,
        roles: vec![PageRole::Home],
        role_reason: "the site's home page".into(),
        status: fetched.status,
        title: doc.title.clone(),
        rendered: false,
        text_chars: doc.text_chars(),
        links: doc.links,
        scripts: doc.scripts,
        requests: Vec::new(),
        html_file: None,
        screenshot: None,
        load_ms: u64::try_from(fetched.elapsed.as_millis()).unwrap_or(u64::MAX),
        settle_ms: None,
        globals: Vec::new(),
        content_type: Some(fetched.content_type.clone()),
    }
}
