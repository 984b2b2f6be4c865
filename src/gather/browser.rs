//! Headless Chromium: finding it, launching it the way this environment needs, and the
//! page operations every gatherer uses (visit, settle, read, screenshot).
//!
//! Each audit gets a fresh temporary profile. Every tab is wired to a
//! [`PageActivity`](super::settle::PageActivity), so [`Page::settle`] is the one settle-wait
//! used after every navigation and every action. JavaScript dialogs are answered as they
//! open and recorded; windows a page opens are closed, and followed in the page's own tab
//! when they stay on the product's site (they carry the flow).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Network, Page as Cdp, Runtime, Target};
use headless_chrome::{Browser as Chrome, LaunchOptions, Tab};
use serde::de::DeserializeOwned;

use super::settle::{DocumentResponse, PageActivity, SettlePolicy, Settled};
use crate::artifacts::{DialogRecord, RequestRecord};
use crate::error::AuditError;

/// Browser names looked up on PATH, in order, when neither `--chrome` nor `$CHROME` is set.
const BROWSER_NAMES: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// Viewport of every page: a common laptop size, so layouts render as on a desktop.
pub const VIEWPORT: (u32, u32) = (1280, 900);

/// Full-page screenshots stop at this height (pixels), so endless feeds stay reasonable.
const MAX_SCREENSHOT_HEIGHT: f64 = 12_000.0;

/// How to launch and drive the browser.
#[derive(Debug, Clone)]
pub struct BrowserConfig {
    /// `--chrome PATH`, if given.
    pub chrome: Option<PathBuf>,
    /// Resolve no host but 127.0.0.1 (offline runs and tests): outside requests fail at once.
    pub offline: bool,
    /// Bound of every settle-wait.
    pub step_timeout: Duration,
    pub settle: SettlePolicy,
}

/// Where the browser binary came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChromiumLocation {
    pub path: PathBuf,
    /// "--chrome", "$CHROME" or "PATH".
    pub source: &'static str,
}

/// Finds Chromium: `--chrome PATH`, then `$CHROME`, then well-known names on PATH.
pub fn find_chromium(explicit: Option<&Path>) -> Result<ChromiumLocation, AuditError> {
    let env = std::env::var_os("CHROME").filter(|v| !v.is_empty());
    locate(explicit, env.as_deref().map(Path::new), |name| {
        which::which(name).ok()
    })
}

fn locate(
    explicit: Option<&Path>,
    env: Option<&Path>,
    on_path: impl Fn(&str) -> Option<PathBuf>,
) -> Result<ChromiumLocation, AuditError> {
    let given = [(explicit, "--chrome"), (env, "$CHROME")];
    if let Some((path, source)) = given.iter().find_map(|(p, s)| p.map(|p| (p, *s))) {
        // A bare name given by the user is looked up on PATH like a command would be.
        let resolved = if path.components().count() == 1 {
            on_path(&path.to_string_lossy()).unwrap_or_else(|| path.to_path_buf())
        } else {
            path.to_path_buf()
        };
        return if is_executable(&resolved) {
            Ok(ChromiumLocation {
                path: resolved,
                source,
            })
        } else {
            Err(AuditError::BrowserPathInvalid {
                source_name: source.to_string(),
                path: path.to_path_buf(),
            })
        };
    }
    BROWSER_NAMES
        .iter()
        .find_map(|name| on_path(name))
        .map(|path| ChromiumLocation {
            path,
            source: "PATH",
        })
        .ok_or(AuditError::NoBrowser)
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Chromium refuses to run sandboxed as root.
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// One running Chromium with its own throw-away profile.
pub struct Browser {
    chrome: Chrome,
    location: ChromiumLocation,
    version: String,
    user_agent: String,
    config: BrowserConfig,
    dialogs: Arc<Mutex<Vec<DialogRecord>>>,
    // Dropped after `chrome` (fields drop in order), so the profile outlives the process.
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Finds and starts Chromium headless with a fresh profile.
    pub fn launch(config: BrowserConfig) -> Result<Browser, AuditError> {
        let location = find_chromium(config.chrome.as_deref())?;
        let launch_error = |reason: String| AuditError::BrowserLaunch {
            path: location.path.clone(),
            reason,
        };
        let profile = tempfile::Builder::new()
            .prefix("plg-audit-profile-")
            .tempdir()
            .map_err(|e| launch_error(format!("cannot create a temporary profile: {e}")))?;

        let mut args: Vec<String> = [
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-gpu",
            "--disable-quic",
            "--mute-audio",
            "--hide-scrollbars",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if config.offline {
            args.push(
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
                    .into(),
            );
        }
        let arg_refs: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let options = LaunchOptions {
            headless: true,
            sandbox: !running_as_root(),
            path: Some(location.path.clone()),
            user_data_dir: Some(profile.path().to_path_buf()),
            window_size: Some(VIEWPORT),
            args: arg_refs,
            // The transport gives up on a silent browser after this; static crawling can
            // leave the browser idle for a while, so allow well beyond one step.
            idle_browser_timeout: (config.step_timeout * 4).max(Duration::from_secs(60)),
            ..LaunchOptions::default()
        };
        let chrome = Chrome::new(options).map_err(|e| launch_error(first_line(&e.to_string())))?;
        let version = chrome
            .get_version()
            .map_err(|e| launch_error(format!("it did not answer: {e}")))?;
        let user_agent = format!(
            "{} plg-audit/{} (+https://github.com/plg-audit/plg-audit)",
            version.user_agent.replace("HeadlessChrome", "Chrome"),
            env!("CARGO_PKG_VERSION")
        );
        Ok(Browser {
            chrome,
            location,
            version: version.product,
            user_agent,
            config,
            dialogs: Arc::new(Mutex::new(Vec::new())),
            _profile: profile,
        })
    }

    /// E.g. "Chrome/156.0.8078.79".
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn location(&self) -> &ChromiumLocation {
        &self.location
    }

    /// The User-Agent pages see: the browser's own, plus plg-audit's name and version.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Dialogs answered so far, in every tab.
    pub fn dialogs(&self) -> Vec<DialogRecord> {
        self.dialogs.lock().map(|d| d.clone()).unwrap_or_default()
    }

    /// Opens a new tab; `is_first_party` tells which hosts belong to the audited product.
    pub fn open_page(
        &self,
        is_first_party: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> Result<Page, AuditError> {
        let started = Instant::now();
        let tab = self.chrome.new_tab().map_err(browser_error)?;
        tracing::debug!(elapsed = ?started.elapsed(), "new tab");
        let page = Page::attach(tab, Arc::new(PageActivity::new(is_first_party)), self);
        tracing::debug!(elapsed = ?started.elapsed(), "tab ready");
        page
    }
}

fn browser_error(e: impl std::fmt::Display) -> AuditError {
    AuditError::Browser {
        reason: first_line(&e.to_string()),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}

/// What became of the windows a page opened.
#[derive(Debug)]
pub struct Popups {
    /// The visit to the product page one of them showed, made in the opener's tab.
    pub followed: Option<Visit>,
    /// New windows closed.
    pub closed: usize,
}

/// What a visit found once the page settled.
#[derive(Debug, Clone)]
pub struct Visit {
    /// URL in the address bar after redirects and client-side routing.
    pub url: String,
    /// The main document's response, if the browser saw one.
    pub document: Option<DocumentResponse>,
    pub settled: Settled,
    /// From the start of navigation to settled.
    pub elapsed: Duration,
}

/// Reports DOM changes to the settle-wait, coalesced per 50 ms: whether content (nodes,
/// text) changed — attribute churn from animations does not count — and whether a loading
/// indicator is visible (aria-busy, skeletons, spinners, an indeterminate progress bar, or a
/// status line such as "Uploading plan.pdf…").
const DOM_OBSERVER: &str = r#"(() => {
  if (window.__plgObserving) return;
  window.__plgObserving = true;
  const BUSY = '[aria-busy="true"], [class*="skeleton"], [class*="spinner"], [role="progressbar"]:not([aria-valuenow])';
  // A status line saying work is under way: "Uploading plan.pdf…", "Saving...".
  const WORKING = /\b(loading|uploading|saving|processing|creating|importing|sending|wird geladen|chargement|cargando|carregando)\b.*(…|\.\.\.)\s*$/i;
  const shown = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
  const busyNow = () => {
    for (const el of document.querySelectorAll(BUSY)) {
      if (shown(el)) return true;
    }
    for (const el of document.querySelectorAll('[role="status"], [aria-live="polite"], [aria-live="assertive"]')) {
      const text = (el.textContent || '').trim();
      if (text.length < 120 && WORKING.test(text) && shown(el)) return true;
    }
    return false;
  };
  let pending = false, content = false;
  const report = () => {
    pending = false;
    const payload = (content ? 'content ' : '') + (busyNow() ? 'busy' : 'idle');
    content = false;
    try { window.__plgDomChanged(payload); } catch (e) {}
  };
  new MutationObserver((records) => {
    if (records.some((r) => r.type !== 'attributes')) content = true;
    if (!pending) { pending = true; setTimeout(report, 50); }
  }).observe(document, { subtree: true, childList: true, characterData: true,
                         attributes: true, attributeFilter: ['aria-busy', 'class', 'hidden', 'style'] });
})();"#;

/// What became of a press on an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pressed {
    /// Clicked with the mouse at its centre.
    Done,
    /// Something else is on top of it there: what (e.g. `div.modal-backdrop`).
    Covered(String),
    /// It has no size on the screen.
    Hidden,
    /// No element matches any more.
    Gone,
}

#[derive(serde::Deserialize)]
struct Aim {
    state: String,
    #[serde(default)]
    x: f64,
    #[serde(default)]
    y: f64,
    #[serde(default)]
    by: String,
}

/// Scrolls an element into view and finds the point a person would click: its centre,
/// if the element (or its own content) is what is on top there.
const AIM: &str = r#"((sel) => {
  const el = document.querySelector(sel);
  if (!el) return { state: 'gone' };
  el.scrollIntoView({ block: 'center', inline: 'center' });
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return { state: 'hidden' };
  const W = window.innerWidth, H = window.innerHeight;
  const points = [[r.left + r.width / 2, r.top + r.height / 2], [r.left + Math.min(8, r.width / 2), r.top + r.height / 2],
                  [r.right - Math.min(8, r.width / 2), r.top + r.height / 2]];
  let hit = null;
  for (const [px, py] of points) {
    const x = Math.min(Math.max(px, 1), W - 2), y = Math.min(Math.max(py, 1), H - 2);
    hit = document.elementFromPoint(x, y);
    if (hit && (hit === el || el.contains(hit) || (hit.tagName === 'LABEL' && hit.control === el))) {
      return { state: 'ok', x, y };
    }
  }
  if (!hit) return { state: 'hidden' };
  const cover = hit.closest('dialog, [role="dialog"], [role="alertdialog"], [aria-modal="true"]') || hit;
  const cls = (cover.getAttribute('class') || '').trim().split(/\s+/).filter(Boolean).slice(0, 2).join('.');
  const words = (cover.innerText || '').trim().replace(/\s+/g, ' ').slice(0, 60);
  return { state: 'covered', by: cover.tagName.toLowerCase() + (cls ? '.' + cls : '') + (words ? ` ("${words}")` : '') };
})"#;

/// One browser tab, wired to its settle-wait.
pub struct Page {
    tab: Arc<Tab>,
    activity: Arc<PageActivity>,
    config: BrowserConfig,
    /// How the latest settle-wait ended.
    last_settle: std::sync::Mutex<Option<Settled>>,
}

impl Page {
    fn attach(
        tab: Arc<Tab>,
        activity: Arc<PageActivity>,
        browser: &Browser,
    ) -> Result<Page, AuditError> {
        let listener_activity = activity.clone();
        let dialogs = browser.dialogs.clone();
        let dialog_tab = tab.clone();
        tab.add_event_listener(Arc::new(move |event: &Event| {
            on_event(&listener_activity, &dialogs, &dialog_tab, event)
        }))
        .map_err(browser_error)?;

        let binding_activity = activity.clone();
        tab.expose_function(
            "__plgDomChanged",
            Arc::new(move |payload: serde_json::Value| {
                // The binding wrapper sends {"name":…,"seq":…,"args":["content busy"]} as a string.
                let text = payload.as_str().unwrap_or_default();
                binding_activity.dom_changed(text.contains("content"), text.contains("busy"));
            }),
        )
        .map_err(browser_error)?;
        tab.call_method(Cdp::AddScriptToEvaluateOnNewDocument {
            source: DOM_OBSERVER.to_string(),
            world_name: None,
            include_command_line_api: None,
            run_immediately: None,
        })
        .map_err(browser_error)?;
        tab.call_method(Network::Enable {
            max_total_buffer_size: None,
            max_resource_buffer_size: None,
            max_post_data_size: None,
            report_direct_socket_traffic: None,
            enable_durable_messages: None,
        })
        .map_err(browser_error)?;
        tab.enable_runtime().map_err(browser_error)?;
        // The window size includes no browser chrome in every mode only if the viewport is
        // set explicitly; screenshots are then exactly VIEWPORT.
        tab.call_method(Emulation::SetDeviceMetricsOverride {
            width: VIEWPORT.0,
            height: VIEWPORT.1,
            device_scale_factor: 1.0,
            mobile: false,
            scale: None,
            screen_width: None,
            screen_height: None,
            position_x: None,
            position_y: None,
            dont_set_visible_size: None,
            screen_orientation: None,
            viewport: None,
            display_feature: None,
            device_posture: None,
        })
        .map_err(browser_error)?;
        tab.set_user_agent(&browser.user_agent, Some("en-US,en;q=0.9"), None)
            .map_err(browser_error)?;
        Ok(Page {
            tab,
            activity,
            config: browser.config.clone(),
            last_settle: std::sync::Mutex::new(None),
        })
    }

    /// Navigates to `url` and waits for the page to settle.
    pub fn visit(&self, url: &str) -> Result<Visit, AuditError> {
        let start = Instant::now();
        self.activity.begin_visit();
        self.activity.expect_document();
        if let Err(e) = self.tab.navigate_to(url) {
            self.activity.dom_content_loaded();
            return Err(AuditError::Unreachable {
                url: url.to_string(),
                reason: first_line(&e.to_string()),
            });
        }
        let settled = self.settle();
        Ok(Visit {
            url: self.url(),
            document: self.activity.document(),
            settled,
            elapsed: start.elapsed(),
        })
    }

    /// The settle-wait (see [`super::settle`]), bounded by the step timeout.
    pub fn settle(&self) -> Settled {
        let settled = self
            .activity
            .wait_settled(&self.config.settle, self.config.step_timeout);
        if let Ok(mut last) = self.last_settle.lock() {
            *last = Some(settled);
        }
        settled
    }

    /// Stops a navigation that never arrives (a person pressing Esc), so the page can be
    /// read and photographed as it stands.
    pub fn stop_loading(&self) {
        if let Err(e) = self.tab.call_method(Cdp::StopLoading(None)) {
            tracing::debug!(error = %e, "could not stop loading");
        }
        self.activity.dom_content_loaded();
    }

    /// What a page that never arrived is waiting for: the URL of its open request to the
    /// product's site, else the tab's address as the browser reports it (asked without
    /// JavaScript, which cannot answer while a navigation is pending).
    pub fn pending_url(&self) -> String {
        self.activity
            .pending_url()
            .unwrap_or_else(|| self.tab.get_url())
    }

    /// Whether the latest settle-wait ran out of time with the page never arriving
    /// (still loading, or waiting on the product's own server).
    pub fn stalled(&self) -> bool {
        self.last_settle
            .lock()
            .ok()
            .and_then(|l| *l)
            .is_some_and(|s| s.stalled)
    }

    /// The settle-wait after a user action: the quiet windows start at the action, so
    /// a navigation or fetch the action sets off a moment later is waited for.
    pub fn settle_after_action(&self) -> Settled {
        self.activity.action_taken();
        self.settle()
    }

    /// Presses the element `selector` finds as a person would: scrolled into view, then a
    /// real mouse click at its centre — only when it is the topmost element there. A
    /// covered element is not pressed (a dialog or banner is in the way: deal with that
    /// first), nor is an invisible one. The caller settles.
    pub fn click(&self, selector: &str) -> Result<Pressed, AuditError> {
        let sel = serde_json::to_string(selector).map_err(browser_error)?;
        let aim: Aim = self.evaluate(&format!("{AIM}({sel})"))?;
        match aim.state.as_str() {
            "ok" => {
                self.tab
                    .click_point(headless_chrome::browser::tab::point::Point { x: aim.x, y: aim.y })
                    .map_err(browser_error)?;
                self.activity.action_taken();
                Ok(Pressed::Done)
            }
            "covered" => Ok(Pressed::Covered(aim.by)),
            "hidden" => Ok(Pressed::Hidden),
            _ => Ok(Pressed::Gone),
        }
    }

    /// A digest of what the screen shows — address, title and visible text — to tell
    /// whether an action changed anything.
    pub fn fingerprint(&self) -> Result<String, AuditError> {
        self.evaluate(
            "(() => { const s = location.href + '\\n' + document.title + '\\n' +              (document.body ? document.body.innerText : ''); let h = 2166136261;              for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }              return s.length + ':' + h; })()",
        )
    }

    /// Gives the file input `selector` selects the file at `path` (absolute), as choosing
    /// it in the file dialog would; the page gets its input and change events. The caller
    /// settles.
    pub fn upload(&self, selector: &str, path: &std::path::Path) -> Result<(), AuditError> {
        let path = path.to_string_lossy();
        self.tab
            .find_element(selector)
            .and_then(|input| input.set_input_files(&[path.as_ref()]).map(|_| ()))
            .map_err(browser_error)?;
        self.activity.action_taken();
        Ok(())
    }

    /// The bound of every settle-wait.
    pub fn step_timeout(&self) -> Duration {
        self.config.step_timeout
    }

    /// URL in the address bar.
    pub fn url(&self) -> String {
        self.evaluate::<String>("location.href")
            .unwrap_or_else(|_| self.tab.get_url())
    }

    /// The rendered document as HTML.
    pub fn html(&self) -> Result<String, AuditError> {
        self.evaluate::<String>(
            "document.documentElement ? document.documentElement.outerHTML : ''",
        )
    }

    /// Evaluates a JavaScript expression and decodes its JSON-serialisable value.
    pub fn evaluate<T: DeserializeOwned>(&self, expression: &str) -> Result<T, AuditError> {
        let wrapped = format!("JSON.stringify(({expression}) ?? null)");
        let result = self
            .tab
            .call_method(Runtime::Evaluate {
                expression: wrapped,
                return_by_value: Some(true),
                generate_preview: None,
                silent: Some(true),
                await_promise: Some(true),
                include_command_line_api: None,
                user_gesture: Some(true),
                object_group: None,
                context_id: None,
                throw_on_side_effect: None,
                timeout: None,
                disable_breaks: None,
                repl_mode: None,
                allow_unsafe_eval_blocked_by_csp: None,
                unique_context_id: None,
                serialization_options: None,
            })
            .map_err(browser_error)?;
        if let Some(exception) = result.exception_details {
            let detail = exception
                .exception
                .and_then(|e| e.description)
                .unwrap_or(exception.text);
            return Err(AuditError::Browser {
                reason: format!("a page script failed: {}", first_line(&detail)),
            });
        }
        let json = result
            .result
            .value
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "null".to_string());
        serde_json::from_str(&json).map_err(|e| AuditError::Browser {
            reason: format!("unexpected answer from the page: {e}"),
        })
    }

    /// A PNG of the viewport, or of the whole page when `full_page`.
    pub fn screenshot(&self, full_page: bool) -> Result<Vec<u8>, AuditError> {
        let clip = if full_page {
            let metrics = self
                .tab
                .call_method(Cdp::GetLayoutMetrics(None))
                .map_err(browser_error)?;
            let size = metrics.css_content_size;
            Some(Cdp::Viewport {
                x: 0.0,
                y: 0.0,
                width: size.width.max(1.0),
                height: size.height.clamp(1.0, MAX_SCREENSHOT_HEIGHT),
                scale: 1.0,
            })
        } else {
            None
        };
        let data = self
            .tab
            .call_method(Cdp::CaptureScreenshot {
                format: Some(Cdp::CaptureScreenshotFormatOption::Png),
                quality: None,
                clip,
                from_surface: Some(true),
                capture_beyond_viewport: Some(full_page),
                optimize_for_speed: None,
            })
            .map_err(browser_error)?
            .data;
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(browser_error)
    }

    /// Deals with the windows this page opened (window.open, target=_blank): every one
    /// is closed, and if one was for a page of the product it carries the flow, so this
    /// tab goes there instead and the settled visit is returned. Call it after an
    /// action's settle-wait.
    pub fn follow_popups(&self, site: &super::site::Site) -> Result<Popups, AuditError> {
        let opened = self.activity.take_opened_windows();
        let own_id = self.tab.get_target_id().clone();
        let targets = self
            .tab
            .call_method(Target::GetTargets { filter: None })
            .map_err(browser_error)?
            .target_infos;
        let mut closed = 0;
        for t in targets
            .into_iter()
            .filter(|t| t.opener_id.as_ref() == Some(&own_id))
        {
            tracing::info!(url = %t.url, "closing a window the page opened");
            let done = self.tab.call_method(Target::CloseTarget {
                target_id: t.target_id,
            });
            if done.map(|r| r.success).unwrap_or(false) {
                closed += 1;
            }
        }
        let carries_flow = opened
            .iter()
            .filter_map(|u| url::Url::parse(u).ok())
            .find(|u| site.owns(u));
        let followed = match carries_flow {
            Some(url) => Some(self.visit(url.as_str())?),
            None => None,
        };
        Ok(Popups { followed, closed })
    }

    /// Requests made since the last visit began.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.activity.requests()
    }

    /// How many documents the tab has loaded; a change after an action means it navigated.
    pub fn documents(&self) -> u64 {
        self.activity.documents()
    }

    pub fn close(self) {
        let _ = self.tab.close(false);
    }
}

fn resource_name(resource: Option<&Network::ResourceType>) -> String {
    resource
        .and_then(|r| serde_json::to_value(r).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "Other".to_string())
}

fn on_event(activity: &PageActivity, dialogs: &Mutex<Vec<DialogRecord>>, tab: &Tab, event: &Event) {
    match event {
        Event::NetworkRequestWillBeSent(e) => {
            let p = &e.params;
            activity.request_started(
                &p.request_id,
                &p.request.url,
                &resource_name(p.Type.as_ref()),
                p.frame_id.as_deref(),
            );
        }
        Event::NetworkResponseReceived(e) => {
            let p = &e.params;
            activity.response_received(
                &p.request_id,
                DocumentResponse {
                    url: p.response.url.clone(),
                    status: u16::try_from(p.response.status).unwrap_or(0),
                    mime_type: p.response.mime_type.clone(),
                },
                &resource_name(Some(&p.Type)),
                p.frame_id.as_deref(),
            );
        }
        Event::NetworkLoadingFinished(e) => activity.request_finished(&e.params.request_id, None),
        Event::NetworkLoadingFailed(e) => {
            activity.request_finished(&e.params.request_id, Some(&e.params.error_text))
        }
        Event::PageFrameNavigated(e) => {
            activity.frame_navigated(&e.params.frame.id, e.params.frame.parent_id.is_some())
        }
        Event::PageFrameStartedLoading(e) => activity.frame_started_loading(&e.params.frame_id),
        Event::PageFrameStoppedLoading(e) => activity.frame_stopped_loading(&e.params.frame_id),
        Event::PageDomContentEventFired(_) => activity.dom_content_loaded(),
        Event::PageWindowOpen(e) => activity.window_opened(&e.params.url),
        Event::PageJavascriptDialogOpening(e) => {
            let p = &e.params;
            let kind = serde_json::to_value(&p.Type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "dialog".to_string());
            // Leaving a page must stay possible; everything else is declined, as a
            // cautious visitor would.
            let accept = kind == "beforeunload";
            let dialog = tab.get_dialog();
            let answered = if accept {
                dialog.accept(None)
            } else {
                dialog.dismiss()
            };
            if let Err(e) = answered {
                tracing::warn!("could not answer a {kind} dialog: {e}");
            }
            if let Ok(mut list) = dialogs.lock() {
                list.push(DialogRecord {
                    kind,
                    message: p.message.clone(),
                    url: p.url.clone(),
                    answer: if accept { "accepted" } else { "dismissed" }.to_string(),
                });
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nothing_on_path(_: &str) -> Option<PathBuf> {
        None
    }

    #[test]
    fn the_chrome_flag_wins_over_the_environment_and_path() {
        let found = locate(
            Some(Path::new("/bin/sh")),
            Some(Path::new("/bin/ls")),
            |_| Some(PathBuf::from("/usr/bin/env")),
        )
        .unwrap();
        assert_eq!(
            found,
            ChromiumLocation {
                path: PathBuf::from("/bin/sh"),
                source: "--chrome"
            }
        );
    }

    #[test]
    fn the_environment_wins_over_path() {
        let found = locate(None, Some(Path::new("/bin/ls")), |_| {
            Some(PathBuf::from("/usr/bin/env"))
        })
        .unwrap();
        assert_eq!(
            found,
            ChromiumLocation {
                path: PathBuf::from("/bin/ls"),
                source: "$CHROME"
            }
        );
    }

    #[test]
    fn path_is_searched_in_the_documented_order() {
        let found = locate(None, None, |name| {
            (name == "chromium-browser" || name == "google-chrome")
                .then(|| PathBuf::from(format!("/opt/{name}")))
        })
        .unwrap();
        assert_eq!(found.path, PathBuf::from("/opt/chromium-browser"));
        assert_eq!(found.source, "PATH");
    }

    #[test]
    fn a_missing_explicit_browser_is_an_error_not_a_fallback() {
        let err = locate(Some(Path::new("/nonexistent/chrome")), None, |_| {
            Some(PathBuf::from("/bin/sh"))
        })
        .unwrap_err();
        assert!(
            matches!(err, AuditError::BrowserPathInvalid { .. }),
            "{err}"
        );
    }

    #[test]
    fn no_browser_anywhere_says_how_to_install_one() {
        let err = locate(None, None, nothing_on_path).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no Chromium found: install it (apt-get install chromium), set $CHROME, or pass --chrome PATH"
        );
    }
}
