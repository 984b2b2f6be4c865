//! Headless Chromium: finding it, launching it the way this environment needs, and the
//! page operations every gatherer uses (visit, settle, read, screenshot).
//!
//! Each audit gets a fresh temporary profile — or, on a remote browser (`--browser-ws`),
//! a fresh browser context, disposed of at the end. Every tab is wired to a
//! [`PageActivity`](super::settle::PageActivity), so [`Page::settle`] is the one settle-wait
//! used after every navigation and every action. JavaScript dialogs are answered as they
//! open and recorded; windows a page opens are closed, and followed in the page's own tab
//! when they stay on the product's site (they carry the flow).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::browser::{CallTimedOut, ConnectionClosed};
use headless_chrome::protocol::cdp::types::{Event, Method};
use headless_chrome::protocol::cdp::{
    Browser as BrowserDomain, Emulation, Network, Page as Cdp, Runtime, Target,
};
use headless_chrome::{Browser as Chrome, LaunchOptions, Tab};
use serde::de::DeserializeOwned;

use super::browser_process;
use super::remote::RemoteEndpoint;
use super::settle::{
    DocumentResponse, FailedAnswer, OpenedWindow, PageActivity, SettleCut, SettlePolicy, Settled,
};
use crate::artifacts::{DialogRecord, PopupRecord, Problem, ProblemKind, RequestRecord};
use crate::error::AuditError;
use crate::stop::Stop;

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
    /// `--browser-ws URL`: drive the Chromium there instead of launching one.
    pub remote: Option<RemoteEndpoint>,
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

/// How long any DevTools call may take, navigations aside (they get the step timeout): a
/// renderer that has not answered in this long is not going to (a script that never
/// yields, a dialog loop, a crash) — the page is then left and its tab closed.
pub const DEVTOOLS_DEADLINE: Duration = Duration::from_secs(10);

/// How long a remote browser whose connection closed may take to answer again before the
/// audit gives it up.
const RECONNECT_PATIENCE: Duration = Duration::from_secs(10);

/// Deadline of the calls that free or close a tab already known to be in trouble.
const RESCUE_DEADLINE: Duration = Duration::from_secs(2);

/// JavaScript dialogs one visit or action may open before the page is taken for hostile
/// (a dialog loop) and left.
pub const MAX_DIALOGS: usize = 10;

/// Characters of a rendered page's HTML read at most (as JavaScript counts them), like the
/// static fetch's [`super::fetch::MAX_BODY_BYTES`]: a page building a gigantic DOM cannot
/// flood plg-audit's memory.
pub const MAX_RENDERED_HTML: usize = super::fetch::MAX_BODY_BYTES;

/// Windows recorded per audit at most (a page opening windows in a loop).
const MAX_POPUP_RECORDS: usize = 100;

/// One connection to a browser and what the audit owns there. Dropping it kills a launched
/// browser's whole process group, or disposes of the audit's context on a remote one.
struct Session {
    chrome: Chrome,
    // Dropped after `chrome` (fields drop in order), so the profile outlives the process.
    owned: Owned,
    /// 0 for the first browser of the audit, 1 for its replacement.
    generation: usize,
    /// The connection to it closed without our asking: it died or was killed.
    gone: std::sync::atomic::AtomicBool,
}

/// What an audit owns of the browser it drives.
enum Owned {
    /// A Chromium launched here: its PID (leader of its process group) and its profile.
    Process {
        leader: u32,
        _profile: tempfile::TempDir,
    },
    /// A browser context (an incognito-like profile) in a remote browser other clients
    /// may share: every tab of the audit opens in it. `endpoint` is the browser's address
    /// as messages show it.
    Context { id: String, endpoint: String },
}

impl Drop for Session {
    fn drop(&mut self) {
        match &self.owned {
            Owned::Process { leader, .. } => browser_process::kill_and_forget(*leader),
            Owned::Context { id, .. } => {
                // Closes the audit's tabs and forgets its cookies and storage; the browser
                // itself belongs to someone else and stays.
                if !self.is_gone() {
                    let _ = self.chrome.call_method_with_timeout(
                        Target::DisposeBrowserContext {
                            browser_context_id: id.clone(),
                        },
                        RESCUE_DEADLINE,
                    );
                }
            }
        }
    }
}

impl Session {
    /// A new blank tab: in the audit's own context on a remote browser.
    fn new_tab(&self) -> anyhow::Result<Arc<Tab>> {
        match &self.owned {
            Owned::Process { .. } => self.chrome.new_tab(),
            Owned::Context { id, .. } => self.chrome.new_tab_with_options(Target::CreateTarget {
                url: "about:blank".to_string(),
                left: None,
                top: None,
                // A window of its own, of the viewport's size, for every tab: a tab behind
                // another in a shared window counts as in the background, and a remote
                // browser was not started with plg-audit's flags against throttling those.
                width: Some(VIEWPORT.0),
                height: Some(VIEWPORT.1),
                window_state: None,
                browser_context_id: Some(id.clone()),
                enable_begin_frame_control: None,
                new_window: Some(true),
                background: None,
                for_tab: None,
                hidden: None,
            }),
        }
    }

    fn is_gone(&self) -> bool {
        self.gone.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn mark_gone(&self) {
        self.gone.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// The error for a browser (or a remote browser's connection) that went away.
    fn died(&self) -> AuditError {
        AuditError::BrowserDied {
            restarted: self.generation > 0,
            remote: match &self.owned {
                Owned::Process { .. } => None,
                Owned::Context { endpoint, .. } => Some(endpoint.clone()),
            },
        }
    }
}

/// Where the browser of an audit comes from.
#[derive(Debug, Clone)]
enum Origin {
    /// Launched here from this binary.
    Launched(ChromiumLocation),
    /// Driven over DevTools at this address (`--browser-ws`).
    Remote(RemoteEndpoint),
}

/// One Chromium — launched with its own throw-away profile, or remote with a context of its
/// own — restarted (or reconnected) once if it dies.
pub struct Browser {
    session: Mutex<Arc<Session>>,
    origin: Origin,
    version: String,
    user_agent: String,
    config: BrowserConfig,
    dialogs: Arc<Mutex<Vec<DialogRecord>>>,
    /// Windows pages opened, all closed.
    popups: Arc<Mutex<Vec<PopupRecord>>>,
    /// Problems met on the way (lost renderers, loops, a restart), for the report.
    incidents: Arc<Mutex<Vec<Problem>>>,
    stop: Stop,
}

impl Browser {
    /// Finds and starts Chromium headless with a fresh profile, or connects to the remote
    /// one the configuration names.
    pub fn launch(config: BrowserConfig) -> Result<Browser, AuditError> {
        Browser::launch_stopping(config, Stop::on_signals())
    }

    /// Like [`Browser::launch`]; every wait and call of its pages ends when `stop` says so.
    pub fn launch_stopping(config: BrowserConfig, stop: Stop) -> Result<Browser, AuditError> {
        let origin = match &config.remote {
            Some(endpoint) => Origin::Remote(endpoint.clone()),
            None => Origin::Launched(find_chromium(config.chrome.as_deref())?),
        };
        let session = start_session(&config, &origin, 0, &stop)?;
        let version = session
            .chrome
            .get_version()
            .map_err(|e| origin.error(format!("it did not answer: {e}")))?;
        let user_agent = format!(
            "{} plg-audit/{} (+https://github.com/plg-audit/plg-audit)",
            version.user_agent.replace("HeadlessChrome", "Chrome"),
            env!("CARGO_PKG_VERSION")
        );
        Ok(Browser {
            session: Mutex::new(Arc::new(session)),
            origin,
            version: version.product,
            user_agent,
            config,
            dialogs: Arc::new(Mutex::new(Vec::new())),
            popups: Arc::new(Mutex::new(Vec::new())),
            incidents: Arc::new(Mutex::new(Vec::new())),
            stop,
        })
    }

    /// E.g. "Chrome/156.0.8078.79".
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The DevTools address of a remote browser (`--browser-ws`).
    pub fn endpoint(&self) -> Option<&RemoteEndpoint> {
        match &self.origin {
            Origin::Launched(_) => None,
            Origin::Remote(endpoint) => Some(endpoint),
        }
    }

    /// The User-Agent pages see: the browser's own, plus plg-audit's name and version.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Dialogs answered so far, in every tab.
    pub fn dialogs(&self) -> Vec<DialogRecord> {
        self.dialogs.lock().map(|d| d.clone()).unwrap_or_default()
    }

    /// Windows the pages opened so far, in every tab.
    pub fn popups(&self) -> Vec<PopupRecord> {
        self.popups.lock().map(|d| d.clone()).unwrap_or_default()
    }

    /// Problems met since the last call: renderers lost, loops cut short, pages read in
    /// part, a browser restarted. Their stage is "browser"; callers restage them.
    pub fn take_incidents(&self) -> Vec<Problem> {
        self.incidents
            .lock()
            .map(|mut i| std::mem::take(&mut *i))
            .unwrap_or_default()
    }

    fn current(&self) -> Arc<Session> {
        match self.session.lock() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// A new browser in place of one that died, once per audit.
    fn restart(&self, dead: &Arc<Session>) -> Result<Arc<Session>, AuditError> {
        let mut slot = self
            .session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !Arc::ptr_eq(&slot, dead) {
            return Ok(slot.clone()); // Another tab restarted it already.
        }
        if dead.generation >= 1 {
            return Err(dead.died());
        }
        if let Some(reason) = self.stop.reason() {
            return Err(AuditError::Stopped(reason));
        }
        let what = match &self.origin {
            Origin::Launched(_) => {
                tracing::warn!("Chromium exited unexpectedly; starting it again");
                "Chromium exited unexpectedly (killed or crashed); it was restarted once and the audit went on".to_string()
            }
            Origin::Remote(endpoint) => {
                tracing::warn!("the connection to the remote Chromium closed; connecting again");
                format!("the connection to the remote Chromium at {endpoint} closed (the browser was restarted or crashed, or the network dropped it); plg-audit connected again once and the audit went on")
            }
        };
        let session = start_session(&self.config, &self.origin, dead.generation + 1, &self.stop)?;
        push_incident(
            &self.incidents,
            Problem::new("browser", None, what).kind(ProblemKind::BrowserRestarted),
        );
        *slot = Arc::new(session);
        Ok(slot.clone())
    }

    /// Opens a new tab; `is_first_party` tells which hosts belong to the audited product.
    /// A browser that died is restarted first (once per audit).
    pub fn open_page(
        &self,
        is_first_party: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> Result<Page, AuditError> {
        let started = Instant::now();
        if let Some(reason) = self.stop.reason() {
            return Err(AuditError::Stopped(reason));
        }
        let mut session = self.current();
        if session.is_gone() {
            session = self.restart(&session)?;
        }
        let tab = match session.new_tab() {
            Ok(tab) => tab,
            Err(e) if e.is::<ConnectionClosed>() => {
                session.mark_gone();
                if let Some(reason) = self.stop.reason() {
                    return Err(AuditError::Stopped(reason));
                }
                session = self.restart(&session)?;
                session.new_tab().map_err(browser_error)?
            }
            Err(e) => return Err(browser_error(e)),
        };
        tracing::debug!(elapsed = ?started.elapsed(), "new tab");
        let activity = Arc::new(PageActivity::new(is_first_party));
        activity.set_stop(self.stop);
        let waker: Arc<dyn crate::stop::Wake> = activity.clone();
        crate::stop::wake_on_signal(Arc::downgrade(&waker));
        let page = Page::attach(tab, activity, self, session);
        tracing::debug!(elapsed = ?started.elapsed(), "tab ready");
        page
    }
}

impl Origin {
    /// The error for a browser that cannot be started or reached.
    fn error(&self, reason: String) -> AuditError {
        match self {
            Origin::Launched(location) => AuditError::BrowserLaunch {
                path: location.path.clone(),
                reason,
            },
            Origin::Remote(endpoint) => remote_error(endpoint, reason),
        }
    }
}

/// Starts (or connects to) the browser the origin names, with downloads refused.
fn start_session(
    config: &BrowserConfig,
    origin: &Origin,
    generation: usize,
    stop: &Stop,
) -> Result<Session, AuditError> {
    let (chrome, owned) = match origin {
        Origin::Launched(location) => launch_process(config, location)?,
        // A remote browser restarting (under a supervisor, in a container) takes a moment
        // to listen again: the reconnection waits for it; the first connection does not.
        Origin::Remote(endpoint) if generation > 0 => {
            let deadline = Instant::now() + RECONNECT_PATIENCE;
            loop {
                match connect_remote(config, endpoint) {
                    Ok(connected) => break connected,
                    Err(e) if Instant::now() >= deadline => return Err(e),
                    Err(_) => {
                        if let Some(reason) = stop.pause(Duration::from_millis(250)) {
                            return Err(AuditError::Stopped(reason));
                        }
                    }
                }
            }
        }
        Origin::Remote(endpoint) => connect_remote(config, endpoint)?,
    };
    chrome.set_default_timeout(DEVTOOLS_DEADLINE);
    let context = match &owned {
        Owned::Context { id, .. } => Some(id.clone()),
        Owned::Process { .. } => None,
    };
    // A link that answers with a file must not write it anywhere.
    if let Err(e) = chrome.call_method(BrowserDomain::SetDownloadBehavior {
        behavior: BrowserDomain::SetDownloadBehaviorBehaviorOption::Deny,
        browser_context_id: context,
        download_path: None,
        events_enabled: None,
    }) {
        tracing::debug!("could not turn downloads off: {e}");
    }
    Ok(Session {
        chrome,
        owned,
        generation,
        gone: std::sync::atomic::AtomicBool::new(false),
    })
}

/// Connects to a remote browser and opens the audit's own browser context there, disposed
/// of when the connection drops (so a killed plg-audit leaves nothing open either).
fn connect_remote(
    config: &BrowserConfig,
    endpoint: &RemoteEndpoint,
) -> Result<(Chrome, Owned), AuditError> {
    let error = |reason: String| remote_error(endpoint, reason);
    let websocket = endpoint.websocket_url(DEVTOOLS_DEADLINE).map_err(error)?;
    let chrome = Chrome::connect_with_call_timeout(&websocket, idle(config), DEVTOOLS_DEADLINE)
        .map_err(|e| error(first_line(&e.to_string())))?;
    let context = chrome
        .call_method(Target::CreateBrowserContext {
            dispose_on_detach: Some(true),
            proxy_server: None,
            proxy_bypass_list: None,
            origins_with_universal_network_access: None,
        })
        .map_err(|e| {
            error(format!(
                "it would not open a browser context: {}",
                first_line(&e.to_string())
            ))
        })?
        .browser_context_id;
    chrome.attach_only_contexts(vec![context.clone()]);
    Ok((
        chrome,
        Owned::Context {
            id: context,
            endpoint: endpoint.display(),
        },
    ))
}

fn remote_error(endpoint: &RemoteEndpoint, reason: String) -> AuditError {
    AuditError::BrowserConnect {
        endpoint: endpoint.display(),
        reason,
    }
}

/// How often the DevTools transport's loops look up from waiting (patched: no longer a
/// limit on how long a browser may stay quiet).
fn idle(config: &BrowserConfig) -> Duration {
    (config.step_timeout * 4).max(Duration::from_secs(60))
}

/// Starts Chromium headless with a fresh profile, in its own process group, from the
/// launcher thread (see [`browser_process`]).
fn launch_process(
    config: &BrowserConfig,
    location: &ChromiumLocation,
) -> Result<(Chrome, Owned), AuditError> {
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
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost".into(),
        );
    }
    let path = location.path.clone();
    let user_data_dir = profile.path().to_path_buf();
    // Chromium's crash handler leaves the process group (it daemonizes); with its
    // database inside the profile, its command line names the profile like every other
    // Chromium process, so it can be found and killed with them.
    let crash_home = profile.path().join("config");
    let envs = std::collections::HashMap::from([(
        "XDG_CONFIG_HOME".to_string(),
        crash_home.to_string_lossy().to_string(),
    )]);
    let sandbox = !running_as_root();
    let idle = idle(config);
    let launched = browser_process::on_launcher_thread(move || {
        let arg_refs: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let options = LaunchOptions {
            headless: true,
            sandbox,
            path: Some(path),
            user_data_dir: Some(user_data_dir),
            window_size: Some(VIEWPORT),
            args: arg_refs,
            idle_browser_timeout: idle,
            call_timeout: Some(DEVTOOLS_DEADLINE),
            process_group: true,
            kill_on_parent_death: true,
            process_envs: Some(envs),
            ..LaunchOptions::default()
        };
        Chrome::new(options).map_err(|e| first_line(&e.to_string()))
    });
    let chrome = launched.map_err(launch_error)?;
    let leader = chrome.get_process_id().unwrap_or_default();
    browser_process::register(leader, profile.path());
    Ok((
        chrome,
        Owned::Process {
            leader,
            _profile: profile,
        },
    ))
}

fn push_incident(incidents: &Mutex<Vec<Problem>>, problem: Problem) {
    if let Ok(mut list) = incidents.lock() {
        list.push(problem);
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
  // 'instant': a site's `scroll-behavior: smooth` would still be moving the element when
  // the mouse comes down, and the press would land beside it.
  el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
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
/// Why a page was left: its renderer stopped answering, crashed, or looped on dialogs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Loss {
    Unresponsive { doing: &'static str },
    Crashed,
    DialogLoop { dialogs: usize },
}

/// What the tab's event listener shares with its page.
struct Shared {
    activity: Arc<PageActivity>,
    dialogs: Arc<Mutex<Vec<DialogRecord>>>,
    incidents: Arc<Mutex<Vec<Problem>>>,
    /// Why the page was left, with the URL it was at then.
    loss: Mutex<Option<(Loss, String)>>,
}

impl Shared {
    /// Records the first reason the page is lost (with the URL it happened on); later
    /// reasons are consequences of the first.
    fn lose(&self, loss: Loss, url: &str) {
        let Ok(mut slot) = self.loss.lock() else {
            return;
        };
        if slot.is_some() {
            return;
        }
        tracing::warn!("{}", loss_error(&loss, url));
        let cut = match loss {
            Loss::Crashed => Some(SettleCut::Crashed),
            Loss::DialogLoop { .. } => Some(SettleCut::DialogLoop),
            Loss::Unresponsive { .. } => None,
        };
        *slot = Some((loss, url.to_string()));
        drop(slot);
        if let Some(cut) = cut {
            self.activity.cut(cut);
        }
    }

    fn loss(&self) -> Option<AuditError> {
        let slot = self.loss.lock().ok()?;
        slot.as_ref().map(|(loss, url)| loss_error(loss, url))
    }
}

fn loss_error(loss: &Loss, url: &str) -> AuditError {
    let url = url.to_string();
    match loss {
        Loss::Unresponsive { doing } => AuditError::RendererUnresponsive {
            url,
            doing: doing.to_string(),
            deadline: DEVTOOLS_DEADLINE,
        },
        Loss::Crashed => AuditError::RendererCrashed { url },
        Loss::DialogLoop { dialogs } => AuditError::DialogLoop {
            url,
            dialogs: *dialogs,
        },
    }
}

/// One browser tab, wired to its settle-wait.
pub struct Page {
    tab: Arc<Tab>,
    activity: Arc<PageActivity>,
    config: BrowserConfig,
    /// How the latest settle-wait ended.
    last_settle: std::sync::Mutex<Option<Settled>>,
    /// Requests of earlier visits, kept for a caller that wants every request the tab
    /// made (the journey); None until [`Page::keep_request_journal`].
    journal: Mutex<Option<RequestJournal>>,
    /// The browser this tab lives in.
    session: Arc<Session>,
    shared: Arc<Shared>,
    stop: Stop,
    popups: Arc<Mutex<Vec<PopupRecord>>>,
    /// Windows opened by the user's action since the last [`Page::follow_popups`]: the
    /// flow may go on in one of them.
    flow_windows: Mutex<Vec<String>>,
    /// Windows closed since the last [`Page::follow_popups`].
    closed_windows: std::sync::atomic::AtomicUsize,
    /// Scripts were switched off to hold a looping page still for reading.
    scripts_off: std::sync::atomic::AtomicBool,
}

/// Requests not yet handed out by [`Page::take_new_requests`].
#[derive(Debug, Default)]
struct RequestJournal {
    /// From visits that have ended.
    earlier: Vec<RequestRecord>,
    /// Of the current visit's requests, how many were handed out already.
    taken: usize,
}

/// Requests a journal keeps between two takes, so an endless beacon loop cannot eat memory.
const MAX_JOURNAL_REQUESTS: usize = 5000;

impl Page {
    fn attach(
        tab: Arc<Tab>,
        activity: Arc<PageActivity>,
        browser: &Browser,
        session: Arc<Session>,
    ) -> Result<Page, AuditError> {
        let shared = Arc::new(Shared {
            activity: activity.clone(),
            dialogs: browser.dialogs.clone(),
            incidents: browser.incidents.clone(),
            loss: Mutex::new(None),
        });
        let listener = shared.clone();
        // Weak: the tab owns its listeners, so a strong reference would keep it forever.
        let listener_tab = Arc::downgrade(&tab);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            on_event(&listener, &listener_tab, event)
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
        tab.call_method(Cdp::AddScriptToEvaluateOnNewDocument {
            source: super::globals::BASELINE.to_string(),
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
        if browser.endpoint().is_some() {
            // A remote browser was not started with --hide-scrollbars: screenshots would
            // show them. (Experimental in the protocol: a browser without it keeps them.)
            if let Err(e) = tab.call_method(Emulation::SetScrollbarsHidden { hidden: true }) {
                tracing::debug!("could not hide the scrollbars: {e}");
            }
        }
        tab.set_user_agent(&browser.user_agent, Some("en-US,en;q=0.9"), None)
            .map_err(browser_error)?;
        Ok(Page {
            tab,
            activity,
            config: browser.config.clone(),
            last_settle: std::sync::Mutex::new(None),
            journal: Mutex::new(None),
            session,
            shared,
            stop: browser.stop,
            popups: browser.popups.clone(),
            flow_windows: Mutex::new(Vec::new()),
            closed_windows: std::sync::atomic::AtomicUsize::new(0),
            scripts_off: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The error that made this page unusable, if one did (for the report's `kind`).
    pub fn loss(&self) -> Option<AuditError> {
        self.check().err()
    }

    /// Whether the page can still be used: false once its renderer was lost (hung,
    /// crashed, a dialog loop) or its browser died. Its owner then opens a new one.
    pub fn is_usable(&self) -> bool {
        self.check().is_ok()
    }

    /// Fails at once when the audit must stop or the page was already lost, so that no
    /// call waits on a renderer known not to answer.
    fn check(&self) -> Result<(), AuditError> {
        if let Some(reason) = self.stop.reason() {
            return Err(AuditError::Stopped(reason));
        }
        if let Some(lost) = self.shared.loss() {
            return Err(lost);
        }
        if self.session.is_gone() {
            return Err(self.session.died());
        }
        Ok(())
    }

    /// What a failed DevTools call means: the audit stopping, the browser gone, or — a
    /// call that got no answer within its deadline — a renderer that stopped responding,
    /// which is then freed (its script terminated) and left.
    fn failed(&self, e: anyhow::Error, doing: &'static str) -> AuditError {
        if let Some(reason) = self.stop.reason() {
            return AuditError::Stopped(reason);
        }
        if e.is::<ConnectionClosed>() {
            self.session.mark_gone();
            return self.session.died();
        }
        if let Some(lost) = self.shared.loss() {
            return lost;
        }
        if e.is::<CallTimedOut>() {
            let url = self.tab.get_url();
            self.shared.lose(Loss::Unresponsive { doing }, &url);
            // A spinning script burns a core until it is stopped.
            let _ = self
                .tab
                .call_method_with_timeout(Runtime::TerminateExecution(None), RESCUE_DEADLINE);
            return self.shared.loss().unwrap_or_else(|| browser_error(e));
        }
        browser_error(e)
    }

    /// One DevTools call on this tab, bounded by [`DEVTOOLS_DEADLINE`].
    fn call<C>(&self, method: C) -> Result<C::ReturnObject, AuditError>
    where
        C: Method + serde::Serialize + std::fmt::Debug,
    {
        self.check()?;
        self.tab
            .call_method(method)
            .map_err(|e| self.failed(e, C::NAME))
    }

    /// Navigates to `url` and waits for the page to settle.
    pub fn visit(&self, url: &str) -> Result<Visit, AuditError> {
        let start = Instant::now();
        self.check()?;
        self.journal_visit_ending();
        self.scripts_back_on();
        self.activity.begin_visit();
        self.activity.expect_document();
        // Page.navigate answers once the server has: a server that never does is a page
        // that never arrives (stalled), not a renderer in trouble.
        let navigated = self.tab.call_method_with_timeout(
            Cdp::Navigate {
                url: url.to_string(),
                referrer: None,
                transition_Type: None,
                frame_id: None,
                referrer_policy: None,
            },
            self.config.step_timeout.max(Duration::from_secs(1)),
        );
        match navigated {
            Ok(answer) => {
                if let Some(error_text) = answer.error_text {
                    self.activity.dom_content_loaded();
                    return Err(AuditError::Unreachable {
                        url: url.to_string(),
                        reason: first_line(&error_text),
                    });
                }
            }
            Err(e) if e.is::<CallTimedOut>() && self.check().is_ok() => {
                self.stop_loading();
                let settled = Settled {
                    elapsed: start.elapsed(),
                    quiet: false,
                    stalled: true,
                    cut: None,
                };
                if let Ok(mut last) = self.last_settle.lock() {
                    *last = Some(settled);
                }
                return Ok(Visit {
                    url: self.tab.get_url(),
                    document: None,
                    settled,
                    elapsed: start.elapsed(),
                });
            }
            Err(e) => {
                self.activity.dom_content_loaded();
                return Err(match self.failed(e, "Page.navigate") {
                    AuditError::Browser { reason } => AuditError::Unreachable {
                        url: url.to_string(),
                        reason,
                    },
                    other => other,
                });
            }
        }
        let settled = self.settle();
        if let Some(reason) = self.stop.reason() {
            return Err(AuditError::Stopped(reason));
        }
        if settled.stalled && self.activity.document().is_none() {
            // Reading now would wait for the navigation (DevTools holds page calls until it
            // commits): stop it and report where the tab stands.
            self.stop_loading();
            return Ok(Visit {
                url: self.tab.get_url(),
                document: None,
                settled,
                elapsed: start.elapsed(),
            });
        }
        Ok(Visit {
            url: self.url(),
            document: self.activity.document(),
            settled,
            elapsed: start.elapsed(),
        })
    }

    /// The settle-wait (see [`super::settle`]), bounded by the step timeout. Windows the
    /// page opened meanwhile are closed and recorded; a page that kept navigating by
    /// itself is stopped and held still to be read as it stands.
    pub fn settle(&self) -> Settled {
        let settled = self
            .activity
            .wait_settled(&self.config.settle, self.config.step_timeout);
        if let Ok(mut last) = self.last_settle.lock() {
            *last = Some(settled);
        }
        if settled.cut == Some(SettleCut::NavigationLoop) {
            self.hold_still(settled.elapsed);
        }
        // Only a page that has fully arrived: while a document's body is still coming,
        // DevTools holds page calls until it commits, which is no sign of a busy script.
        if !settled.quiet
            && settled.cut.is_none()
            && self.activity.document().is_some()
            && !self.activity.document_in_flight()
        {
            self.probe_renderer();
        }
        if self.activity.has_opened_windows() {
            self.close_windows();
        }
        settled
    }

    /// After a settle-wait that ran out of time on a page whose document arrived: a page
    /// still "loading" may be a script that never yields (it blocks the parser, so
    /// DOMContentLoaded never comes). A renderer that cannot evaluate `1` within
    /// [`RESCUE_DEADLINE`] is recorded as unresponsive and its script terminated.
    fn probe_renderer(&self) {
        if self.check().is_err() {
            return;
        }
        let probe = self.tab.call_method_with_timeout(
            Runtime::Evaluate {
                expression: "1".to_string(),
                object_group: None,
                include_command_line_api: None,
                silent: Some(true),
                context_id: None,
                return_by_value: Some(true),
                generate_preview: None,
                user_gesture: None,
                await_promise: None,
                throw_on_side_effect: None,
                timeout: None,
                disable_breaks: None,
                repl_mode: None,
                allow_unsafe_eval_blocked_by_csp: None,
                unique_context_id: None,
                serialization_options: None,
            },
            RESCUE_DEADLINE,
        );
        if let Err(e) = probe {
            if e.is::<CallTimedOut>() {
                let _ = self.failed(e, "Runtime.evaluate");
            }
        }
    }

    /// A page in a redirect or refresh loop: stop the navigation under way and switch its
    /// scripts off (until the next visit), so it can be read as it stands.
    fn hold_still(&self, after: Duration) {
        let url = self.tab.get_url();
        tracing::warn!(%url, "the page keeps navigating by itself; reading it as it stands");
        self.stop_loading();
        let off = self.call(Emulation::SetScriptExecutionDisabled { value: true });
        self.scripts_off
            .store(off.is_ok(), std::sync::atomic::Ordering::SeqCst);
        push_incident(
            &self.shared.incidents,
            Problem::new(
                "browser",
                Some(&url),
                format!(
                    "the page kept navigating by itself (more than {} navigations in {:.1} s, a script or meta-refresh loop); it was read as it stood",
                    self.config.settle.navigation_budget,
                    after.as_secs_f64()
                ),
            )
            .kind(ProblemKind::NavigationLoop),
        );
    }

    fn scripts_back_on(&self) {
        if self
            .scripts_off
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            let _ = self.call(Emulation::SetScriptExecutionDisabled { value: false });
        }
    }

    /// Closes every window this page opened (they are recorded), keeping the addresses of
    /// those the user's own action opened: the flow may go on there.
    fn close_windows(&self) {
        let opened = self.activity.take_opened_windows();
        let opener = self.tab.get_url();
        let own_id = self.tab.get_target_id().clone();
        if let Ok(mut popups) = self.popups.lock() {
            for OpenedWindow { url, by_user } in &opened {
                if popups.len() < MAX_POPUP_RECORDS {
                    popups.push(PopupRecord {
                        url: url.clone(),
                        opener: opener.clone(),
                        by_user: *by_user,
                        answer: "closed".into(),
                    });
                }
            }
        }
        if let Ok(mut flow) = self.flow_windows.lock() {
            flow.extend(opened.iter().filter(|w| w.by_user).map(|w| w.url.clone()));
        }
        // Asked of the browser itself: it answers whatever the windows' pages are doing.
        let targets = match self
            .session
            .chrome
            .call_method(Target::GetTargets { filter: None })
        {
            Ok(t) => t.target_infos,
            Err(e) => {
                tracing::debug!("cannot list the windows to close: {e}");
                return;
            }
        };
        for t in targets
            .into_iter()
            .filter(|t| t.opener_id.as_ref() == Some(&own_id))
        {
            tracing::info!(url = %t.url, "closing a window the page opened");
            let done = self.session.chrome.call_method_with_timeout(
                Target::CloseTarget {
                    target_id: t.target_id,
                },
                RESCUE_DEADLINE,
            );
            if done.map(|r| r.success).unwrap_or(false) {
                self.closed_windows
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
    }

    /// Stops a navigation that never arrives (a person pressing Esc), so the page can be
    /// read and photographed as it stands.
    pub fn stop_loading(&self) {
        // Handled by the browser, so it works whatever the page's renderer is doing.
        if let Err(e) = self
            .tab
            .call_method_with_timeout(Cdp::StopLoading(None), RESCUE_DEADLINE)
        {
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
        // A page whose renderer was lost did not stall: it is said as lost.
        if self.shared.loss().is_some() {
            return false;
        }
        self.last_settle
            .lock()
            .ok()
            .and_then(|l| *l)
            .is_some_and(|s| s.stalled)
    }

    /// An action is about to be dispatched by a script (a form's `requestSubmit`): what
    /// the page requests from now on answers it. (`click` and `upload` mark their own.)
    pub fn action_starting(&self) {
        self.activity.action_starting();
    }

    /// The settle-wait after a user action: the quiet windows start at the action, so
    /// a navigation or fetch the action sets off a moment later is waited for.
    pub fn settle_after_action(&self) -> Settled {
        self.activity.action_taken();
        self.settle()
    }

    /// First-party answers with an error status (4xx, 5xx) to the latest action: the
    /// form post itself, or the document it led to. Empty when the server accepted it.
    pub fn failed_answers(&self) -> Vec<FailedAnswer> {
        self.activity.failed_answers_since_action()
    }

    /// Presses the element `selector` finds as a person would: scrolled into view, then a
    /// real mouse click at its centre — only when it is the topmost element there. A
    /// covered element is not pressed (a dialog or banner is in the way: deal with that
    /// first), nor is an invisible one. The caller settles.
    pub fn click(&self, selector: &str) -> Result<Pressed, AuditError> {
        self.check()?;
        let sel = serde_json::to_string(selector).map_err(browser_error)?;
        let aim: Aim = self.evaluate(&format!("{AIM}({sel})"))?;
        match aim.state.as_str() {
            "ok" => {
                self.activity.action_starting();
                self.tab
                    .click_point(headless_chrome::browser::tab::point::Point { x: aim.x, y: aim.y })
                    .map_err(|e| self.failed(e, "Input.dispatchMouseEvent"))?;
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
        self.check()?;
        let path = path.to_string_lossy();
        self.activity.action_starting();
        self.tab
            .find_element(selector)
            .and_then(|input| input.set_input_files(&[path.as_ref()]).map(|_| ()))
            .map_err(|e| self.failed(e, "DOM.setFileInputFiles"))?;
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

    /// The rendered document as HTML, its first [`MAX_RENDERED_HTML`] characters at most
    /// (a longer page is recorded with a warning).
    pub fn html(&self) -> Result<String, AuditError> {
        let js = format!(
            "(() => {{ const h = document.documentElement ? document.documentElement.outerHTML : ''; \
               return h.length > {MAX_RENDERED_HTML} ? [h.length, h.slice(0, {MAX_RENDERED_HTML})] : [h.length, h]; }})()"
        );
        // Returned by value as it is (not through JSON.stringify), so the page's HTML
        // crosses the DevTools connection once and is held once.
        let value = self.evaluate_value(&js)?;
        let serde_json::Value::Array(mut parts) = value else {
            return Err(AuditError::Browser {
                reason: "unexpected answer from the page when reading its HTML".into(),
            });
        };
        let html = match parts.pop() {
            Some(serde_json::Value::String(h)) => h,
            _ => String::new(),
        };
        let length = parts
            .first()
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if length > html.encode_utf16().count() as u64 {
            push_incident(
                &self.shared.incidents,
                Problem::new(
                    "browser",
                    Some(&self.tab.get_url()),
                    format!(
                        "the rendered page is {:.1} million characters long; its first {} MB were read",
                        length as f64 / 1e6,
                        MAX_RENDERED_HTML / (1024 * 1024)
                    ),
                )
                .kind(ProblemKind::Truncated),
            );
        }
        Ok(html)
    }

    /// Evaluates a JavaScript expression and returns its value as the browser sends it.
    fn evaluate_value(&self, expression: &str) -> Result<serde_json::Value, AuditError> {
        let result = self.call(Runtime::Evaluate {
            expression: expression.to_string(),
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
        })?;
        if let Some(exception) = result.exception_details {
            let detail = exception
                .exception
                .and_then(|e| e.description)
                .unwrap_or(exception.text);
            return Err(AuditError::Browser {
                reason: format!("a page script failed: {}", first_line(&detail)),
            });
        }
        Ok(result.result.value.unwrap_or(serde_json::Value::Null))
    }

    /// Evaluates a JavaScript expression and decodes its JSON-serialisable value.
    pub fn evaluate<T: DeserializeOwned>(&self, expression: &str) -> Result<T, AuditError> {
        let wrapped = format!("JSON.stringify(({expression}) ?? null)");
        let value = self.evaluate_value(&wrapped)?;
        let json = value.as_str().unwrap_or("null");
        serde_json::from_str(json).map_err(|e| AuditError::Browser {
            reason: format!("unexpected answer from the page: {e}"),
        })
    }

    /// A PNG of the viewport, or of the whole page when `full_page`.
    pub fn screenshot(&self, full_page: bool) -> Result<Vec<u8>, AuditError> {
        let clip = if full_page {
            let metrics = self.call(Cdp::GetLayoutMetrics(None))?;
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
            .call(Cdp::CaptureScreenshot {
                format: Some(Cdp::CaptureScreenshotFormatOption::Png),
                quality: None,
                clip,
                from_surface: Some(true),
                capture_beyond_viewport: Some(full_page),
                optimize_for_speed: None,
            })?
            .data;
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(browser_error)
    }

    /// Deals with the windows this page opened (window.open, target=_blank): every one
    /// is closed, and if the user's own action opened one for a page of the product, it
    /// carries the flow, so this tab goes there instead and the settled visit is returned.
    /// Windows the page opened by itself (on load, on a timer) never take over. Call it
    /// after an action's settle-wait.
    pub fn follow_popups(&self, site: &super::site::Site) -> Result<Popups, AuditError> {
        // A page whose renderer was lost opens nothing more; the step that led there is
        // still recorded, and the next read names the loss.
        if self.shared.loss().is_some() && self.stop.reason().is_none() {
            return Ok(Popups {
                followed: None,
                closed: 0,
            });
        }
        self.check()?;
        self.close_windows();
        let flow = self
            .flow_windows
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default();
        let closed = self
            .closed_windows
            .swap(0, std::sync::atomic::Ordering::SeqCst);
        let carries_flow = flow
            .iter()
            .filter_map(|u| url::Url::parse(u).ok())
            .find(|u| site.owns(u));
        let followed = match carries_flow {
            Some(url) => {
                if let Ok(mut popups) = self.popups.lock() {
                    if let Some(r) = popups
                        .iter_mut()
                        .rev()
                        .find(|r| r.by_user && r.url == url.as_str())
                    {
                        r.answer = "followed".into();
                    }
                }
                Some(self.visit(url.as_str())?)
            }
            None => None,
        };
        Ok(Popups { followed, closed })
    }

    /// Requests made since the last visit began.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.activity.requests()
    }

    /// From now on, keep every request the tab makes (not only the current visit's) until
    /// it is taken with [`Page::take_new_requests`].
    pub fn keep_request_journal(&self) {
        if let Ok(mut journal) = self.journal.lock() {
            journal.get_or_insert_with(RequestJournal::default);
        }
    }

    /// Requests made since the last take (across visits), in the order they started;
    /// empty unless [`Page::keep_request_journal`] was called. A request still in flight
    /// is handed out as it stands (no status yet).
    pub fn take_new_requests(&self) -> Vec<RequestRecord> {
        let Ok(mut guard) = self.journal.lock() else {
            return Vec::new();
        };
        let Some(journal) = guard.as_mut() else {
            return Vec::new();
        };
        let current = self.activity.requests();
        let mut taken = std::mem::take(&mut journal.earlier);
        taken.extend(current.iter().skip(journal.taken).cloned());
        journal.taken = current.len();
        taken
    }

    /// A visit is about to start a fresh request record: keep what the journal has not
    /// handed out yet.
    fn journal_visit_ending(&self) {
        let Ok(mut guard) = self.journal.lock() else {
            return;
        };
        let Some(journal) = guard.as_mut() else {
            return;
        };
        let current = self.activity.requests();
        let room = MAX_JOURNAL_REQUESTS.saturating_sub(journal.earlier.len());
        journal
            .earlier
            .extend(current.into_iter().skip(journal.taken).take(room));
        journal.taken = 0;
    }

    /// How many documents the tab has loaded; a change after an action means it navigated.
    pub fn documents(&self) -> u64 {
        self.activity.documents()
    }

    /// Closes the tab, through the browser itself (so a tab whose renderer hangs closes too).
    pub fn close(self) {
        let _ = self.session.chrome.call_method_with_timeout(
            Target::CloseTarget {
                target_id: self.tab.get_target_id().clone(),
            },
            RESCUE_DEADLINE,
        );
    }
}

/// One tab for a sequence of visits (discovery's renders), replaced by a fresh one when
/// its renderer is lost — hung, crashed, looping on dialogs — or its browser restarted.
pub struct RenderTab<'b> {
    browser: &'b Browser,
    is_first_party: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    page: Mutex<Option<Arc<Page>>>,
}

impl<'b> RenderTab<'b> {
    /// A tab in `browser` opened when first needed.
    pub fn new(
        browser: &'b Browser,
        is_first_party: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> RenderTab<'b> {
        RenderTab {
            browser,
            is_first_party: Arc::new(is_first_party),
            page: Mutex::new(None),
        }
    }

    /// The tab to use now: the current one while it is usable, else a new one (the lost
    /// one is closed).
    pub fn page(&self) -> Result<Arc<Page>, AuditError> {
        let mut slot = self
            .page
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(page) = slot.as_ref() {
            if page.is_usable() {
                return Ok(page.clone());
            }
        }
        if let Some(lost) = slot.take() {
            if let Ok(page) = Arc::try_unwrap(lost) {
                page.close();
            }
        }
        let filter = self.is_first_party.clone();
        let page = Arc::new(self.browser.open_page(move |h| filter(h))?);
        *slot = Some(page.clone());
        Ok(page)
    }

    /// The bound of every settle-wait.
    pub fn step_timeout(&self) -> Duration {
        self.browser.config.step_timeout
    }

    /// The browser's incidents since the last call (see [`Browser::take_incidents`]).
    pub fn take_incidents(&self) -> Vec<Problem> {
        self.browser.take_incidents()
    }

    /// Closes the tab.
    pub fn close(self) {
        let page = self
            .page
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(page) = page.and_then(|p| Arc::try_unwrap(p).ok()) {
            page.close();
        }
    }
}

fn resource_name(resource: Option<&Network::ResourceType>) -> String {
    resource
        .and_then(|r| serde_json::to_value(r).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "Other".to_string())
}

fn on_event(shared: &Shared, tab: &std::sync::Weak<Tab>, event: &Event) {
    let activity = &shared.activity;
    match event {
        Event::NetworkRequestWillBeSent(e) => {
            let p = &e.params;
            activity.request_started(
                &p.request_id,
                &p.request.url,
                &resource_name(p.Type.as_ref()),
                &p.request.method,
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
        Event::PageWindowOpen(e) => activity.window_opened(&e.params.url, e.params.user_gesture),
        Event::InspectorTargetCrashed(_) => {
            let url = tab.upgrade().map(|t| t.get_url()).unwrap_or_default();
            shared.lose(Loss::Crashed, &url);
        }
        Event::PageJavascriptDialogOpening(e) => {
            let Some(tab) = tab.upgrade() else { return };
            let p = &e.params;
            let kind = serde_json::to_value(&p.Type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "dialog".to_string());
            let opened = activity.dialog_opened();
            if opened > MAX_DIALOGS {
                // A dialog loop: stop the script that keeps opening them before closing
                // this one, so it cannot open the next.
                shared.lose(Loss::DialogLoop { dialogs: opened }, &p.url);
                let _ = tab
                    .call_method_with_timeout(Runtime::TerminateExecution(None), RESCUE_DEADLINE);
            }
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
            if opened <= MAX_DIALOGS {
                if let Ok(mut list) = shared.dialogs.lock() {
                    list.push(DialogRecord {
                        kind,
                        message: p.message.clone(),
                        url: p.url.clone(),
                        answer: if accept { "accepted" } else { "dismissed" }.to_string(),
                    });
                }
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
