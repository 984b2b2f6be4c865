//! Why an audit could not run, and which exit code says so.
//!
//! Every variant's message is one sentence written for a person at a terminal: what
//! happened and, where it helps, what to do. `main` prints it and exits with
//! [`AuditError::exit_code`]; the same text lands in `report.json`'s `errors`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status: the audit ran, whatever it found.
pub const EXIT_OK: u8 = 0;
/// Exit status: a threshold or regression check failed.
pub const EXIT_CHECK_FAILED: u8 = 1;
/// Exit status: the audit could not run (bad URL, unreachable site, no browser).
pub const EXIT_CANNOT_RUN: u8 = 2;
/// Exit status: invalid configuration or checklist.
pub const EXIT_BAD_CONFIG: u8 = 3;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(
        "'{input}' is not a valid URL ({reason}); give a full address such as https://example.com"
    )]
    InvalidUrl { input: String, reason: String },

    #[error("'{input}' uses the unsupported scheme '{scheme}'; plg-audit audits http:// and https:// sites")]
    UnsupportedScheme { input: String, scheme: String },

    #[error("could not reach {url}: {reason}")]
    Unreachable { url: String, reason: String },

    /// The site's TLS certificate was refused.
    #[error("the certificate of {url} is not trusted: {reason}")]
    Certificate { url: String, reason: String },

    #[error("the home page {url} answered HTTP {status}, so there is nothing to audit")]
    HomeStatus { url: String, status: u16 },

    #[error("the home page {url} is not an HTML page (Content-Type: {content_type})")]
    NotHtml { url: String, content_type: String },

    #[error("{url} redirects in a loop (or more than {limit} times) and never reaches a page")]
    RedirectLoop { url: String, limit: usize },

    #[error("no Chromium found: install it (apt-get install chromium), set $CHROME, or pass --chrome PATH")]
    NoBrowser,

    #[error("the browser given by {source_name} ({path}) does not exist or is not executable")]
    BrowserPathInvalid { source_name: String, path: PathBuf },

    #[error("Chromium at {path} failed to start: {reason}")]
    BrowserLaunch { path: PathBuf, reason: String },

    #[error("cannot drive the remote Chromium at {endpoint}: {reason}")]
    BrowserConnect { endpoint: String, reason: String },

    #[error("the browser stopped responding: {reason}")]
    Browser { reason: String },

    /// A journey step that could not be carried out on the page (a button gone, a
    /// journey-file step that matches nothing); the journey ends `failed` with it.
    #[error("{reason}")]
    StepFailed { reason: String },

    #[error("cannot write the report to {path}: {reason}")]
    Output { path: PathBuf, reason: String },

    #[error("the page {url} answered HTTP {status}")]
    PageStatus { url: String, status: u16 },

    #[error("cannot read {what}: {reason}")]
    Input { what: String, reason: String },

    #[error("invalid configuration: {0}")]
    Config(String),

    #[error("{what} shows no pricing plans: {why}")]
    NoPricing { what: String, why: String },
    /// A signal or the `--max-time` budget stopped the audit; what was gathered is written.
    #[error("{0}; the report holds what was gathered until then")]
    Stopped(crate::stop::StopReason),

    /// A page's renderer stopped answering DevTools within the deadline.
    #[error("the page {url} stopped responding ({doing} got no answer within {} s: a script that never yields or a blocked renderer); it was left", deadline.as_secs())]
    RendererUnresponsive {
        url: String,
        doing: String,
        deadline: std::time::Duration,
    },

    #[error("the page {url} crashed its renderer (out of memory, or a browser bug); it was left")]
    RendererCrashed { url: String },

    #[error("the page {url} opened {dialogs} JavaScript dialogs in a row; it was treated as hostile and left")]
    DialogLoop { url: String, dialogs: usize },

    /// The browser itself went away (killed, crashed; for a remote one, its connection
    /// closed) and could not be replaced.
    #[error("{}", browser_died(remote.as_deref(), *restarted))]
    BrowserDied {
        restarted: bool,
        /// The remote browser's address (`--browser-ws`); None for one launched here.
        remote: Option<String>,
    },
}

fn browser_died(remote: Option<&str>, restarted: bool) -> String {
    match (remote, restarted) {
        (None, false) => "Chromium exited unexpectedly".into(),
        (None, true) => "Chromium exited unexpectedly again after being restarted once".into(),
        (Some(at), false) => format!("the connection to the remote Chromium at {at} closed (the browser was stopped or crashed, or the network dropped it)"),
        (Some(at), true) => format!("the connection to the remote Chromium at {at} closed again after plg-audit connected once more"),
    }
}

impl AuditError {
    /// The process exit status this error maps to (see the README's exit codes).
    pub fn exit_code(&self) -> u8 {
        match self {
            AuditError::Config(_) => EXIT_BAD_CONFIG,
            AuditError::Stopped(crate::stop::StopReason::Signal(s)) => s.exit_code(),
            _ => EXIT_CANNOT_RUN,
        }
    }

    /// Whether this error means the audit must stop (so nothing more should be tried).
    pub fn is_stop(&self) -> bool {
        matches!(self, AuditError::Stopped(_))
    }

    /// The report's machine-readable kind for this error, when it has one.
    pub fn problem_kind(&self) -> Option<crate::artifacts::ProblemKind> {
        use crate::artifacts::ProblemKind;
        use crate::stop::StopReason;
        Some(match self {
            AuditError::Stopped(StopReason::Signal(_)) => ProblemKind::Interrupted,
            AuditError::Stopped(StopReason::OutOfTime { .. }) => ProblemKind::OutOfTime,
            AuditError::RendererUnresponsive { .. } => ProblemKind::RendererUnresponsive,
            AuditError::RendererCrashed { .. } => ProblemKind::RendererCrashed,
            AuditError::DialogLoop { .. } => ProblemKind::DialogLoop,
            _ => return None,
        })
    }

    /// Whether the page this error came from is lost (its tab must be replaced).
    pub fn page_lost(&self) -> bool {
        matches!(
            self,
            AuditError::RendererUnresponsive { .. }
                | AuditError::RendererCrashed { .. }
                | AuditError::DialogLoop { .. }
                | AuditError::BrowserDied { .. }
        )
    }

    pub fn exit(&self) -> ExitCode {
        ExitCode::from(self.exit_code())
    }
}
