//! What gathering records: the raw evidence an audit is judged on.
//!
//! Artifacts are plain serde data so that a run can be saved (`artifacts.json`) and
//! re-audited or re-rendered later without opening a browser or signing up again.
//! Nothing here knows how it was gathered or how it will be judged.

use serde::{Deserialize, Serialize};

/// Everything one audit gathered about one product.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Artifacts {
    /// The URL the user asked for, as given.
    pub target: String,
    /// The home page URL after redirects (None when the site could not be reached).
    pub home_url: Option<String>,
    /// Every page visited, home first, in the order they were discovered.
    pub pages: Vec<PageArtifact>,
    /// Browser the pages were rendered in, e.g. "Chrome/156.0.8078.79".
    pub browser_version: Option<String>,
    /// The DevTools address of a remote browser (`--browser-ws`), token and password left
    /// out; None for a browser launched here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_endpoint: Option<String>,
    /// Dialogs (alert, confirm, prompt, beforeunload) the pages opened; all were answered.
    pub dialogs: Vec<DialogRecord>,
    /// Hosts other than the product's own that any rendered page requested.
    pub third_party_hosts: Vec<String>,
    /// The signup journey, when it was walked.
    #[serde(default)]
    pub journey: Option<JourneyArtifact>,
    /// A cookie or consent banner seen on the home page, and how the journey answered it
    /// (discovery never answers it, so the home page's requests came before consent).
    #[serde(default)]
    pub consent_banner: Option<ConsentBanner>,
    /// How long each phase of gathering took (the tool's own time included).
    #[serde(default)]
    pub timings: PhaseTimings,
    /// Things that went wrong without stopping the audit.
    pub warnings: Vec<Problem>,
    /// Things that stopped a stage of the audit.
    pub errors: Vec<Problem>,
    /// The product's pricing, read from its pricing page (or the home page's plan
    /// section when the site has no pricing page).
    #[serde(default)]
    pub pricing: Option<crate::pricing::Pricing>,
    /// Why `pricing` is None, when it is.
    #[serde(default)]
    pub pricing_reason: Option<String>,
    /// Windows the pages opened (all were closed).
    #[serde(default)]
    pub popups: Vec<PopupRecord>,
}

/// Wall time of each gathering phase, in milliseconds. Chromium starts while the home
/// page is fetched, so `browser_start_ms` overlaps `home_fetch_ms`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseTimings {
    pub home_fetch_ms: u64,
    /// Chromium's launch and its first tab made ready.
    pub browser_start_ms: u64,
    /// Discovery: rendering the home page and visiting the rest of the site.
    pub crawl_ms: u64,
    pub journey_ms: u64,
    /// Reading the pricing: the pricing page's render, screenshot and reading, the switch
    /// pressed and the other view read (part of `crawl_ms`).
    #[serde(default)]
    pub pricing_ms: u64,
    /// Of `pricing_ms`: pressing the monthly/annual switch and reading the other view.
    #[serde(default)]
    pub pricing_switch_ms: u64,
}

/// The role a page plays in the product's public site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageRole {
    Home,
    Pricing,
    Signup,
    Login,
    Docs,
    Api,
    Integrations,
    Templates,
    Security,
    Legal,
    Blog,
    Other,
}

impl PageRole {
    pub const ALL: [PageRole; 12] = [
        PageRole::Home,
        PageRole::Pricing,
        PageRole::Signup,
        PageRole::Login,
        PageRole::Docs,
        PageRole::Api,
        PageRole::Integrations,
        PageRole::Templates,
        PageRole::Security,
        PageRole::Legal,
        PageRole::Blog,
        PageRole::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PageRole::Home => "home",
            PageRole::Pricing => "pricing",
            PageRole::Signup => "signup",
            PageRole::Login => "login",
            PageRole::Docs => "docs",
            PageRole::Api => "api",
            PageRole::Integrations => "integrations",
            PageRole::Templates => "templates",
            PageRole::Security => "security",
            PageRole::Legal => "legal",
            PageRole::Blog => "blog",
            PageRole::Other => "other",
        }
    }
}

impl PageArtifact {
    /// Every role the page plays (runs saved before pages had several roles: `role`).
    pub fn all_roles(&self) -> Vec<PageRole> {
        if self.roles.is_empty() {
            vec![self.role]
        } else {
            self.roles.clone()
        }
    }
}

impl std::fmt::Display for PageRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One page of the product's site as plg-audit saw it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageArtifact {
    /// Final URL after redirects.
    pub url: String,
    /// The URL that was requested, when redirects changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_url: Option<String>,
    pub role: PageRole,
    /// Every role the page plays, `role` first (a home page that is the login form:
    /// home, login).
    #[serde(default)]
    pub roles: Vec<PageRole>,
    /// Why the classifier chose `role` (and any other role), in words.
    pub role_reason: String,
    /// HTTP status of the final response (0 when only the browser saw the page and it reported none).
    pub status: u16,
    pub title: String,
    /// True when the content came from the browser (the home page, and pages whose
    /// static HTML carried almost no text).
    pub rendered: bool,
    /// Characters of visible text in the content that was classified.
    pub text_chars: usize,
    /// Links and buttons on the page, in document order.
    pub links: Vec<Link>,
    /// `src` of every external script on the page.
    pub scripts: Vec<String>,
    /// Network requests the rendered page made (empty for statically fetched pages).
    pub requests: Vec<RequestRecord>,
    /// Path of the saved HTML, relative to the output directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_file: Option<String>,
    /// Path of the viewport screenshot, relative to the output directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screenshot: Option<String>,
    /// Time to fetch or render and settle the page.
    pub load_ms: u64,
    /// For rendered pages: time spent in the settle-wait after navigation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settle_ms: Option<u64>,
    /// For rendered pages: the JavaScript globals the page's own scripts defined (see
    /// [`crate::gather::globals`]), for recognising the tools it runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub globals: Vec<String>,
    /// The Content-Type the server declared for the page ("" when it sent none), None
    /// when only the browser saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// Where on a page a link or button sits, as a visitor reads the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkLocation {
    /// Site header and navigation menus.
    Nav,
    /// The first, headline section of the page.
    Hero,
    /// Body content.
    Main,
    /// The site footer.
    Footer,
}

/// A link or button with the text a visitor reads on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Visible text (or aria-label / title / image alt when it has no text), whitespace-collapsed.
    pub text: String,
    /// Absolute URL the link points to; None for buttons and script-only links.
    pub href: Option<String>,
    /// `a` or `button` (an `input type=submit|button` counts as a button).
    pub kind: LinkKind,
    pub location: LinkLocation,
    /// On a live page: the selector that finds the element again to click it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Link,
    Button,
}

/// One network request a rendered page made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub url: String,
    pub host: String,
    /// Resource type as Chromium reports it (Document, Script, XHR, Fetch, Image…).
    pub resource: String,
    /// HTTP status, or None when the request failed or had not finished.
    pub status: Option<u16>,
    /// Why it failed (e.g. net::ERR_NAME_NOT_RESOLVED), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// True when the host belongs to the product's own site.
    pub first_party: bool,
    /// For a first-party request still open when a settle-wait ended: why the wait did not
    /// wait for it. None when it was waited for (or finished in time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settle: Option<SettleTreatment>,
}

/// Why the settle-wait did not wait for a request of the product's own site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettleTreatment {
    /// Its response headers had arrived; its body (a stream, or one the page never reads)
    /// was not waited for.
    HeadersOnly,
    /// Taken for a long-poll or push channel: by its address, or because it stayed open
    /// with nothing else going on and no loading indicator showing.
    LongPoll,
    /// A script, style or image open longer than the long-request limit (5 s): given up on.
    TooSlow,
}

/// A JavaScript dialog a page opened, and how it was answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DialogRecord {
    pub kind: String,
    pub message: String,
    pub url: String,
    /// "dismissed" or "accepted" (beforeunload is accepted so the visit can go on).
    pub answer: String,
}

/// A window a page opened, and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopupRecord {
    /// The address the window was opened with.
    pub url: String,
    /// The page that opened it.
    pub opener: String,
    /// Opened in answer to the journey's own click or key press (else by the page on its own).
    pub by_user: bool,
    /// "closed", or "followed" when it showed a page of the product the journey went on with.
    pub answer: String,
}

/// A named failure or oddity, attributed to the stage and page it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// The part of the audit it came from: "home", "browser", "crawl", "render", "report".
    pub stage: String,
    #[serde(default)]
    pub url: Option<String>,
    pub message: String,
    /// What kind of trouble it is, when it is one of [`ProblemKind`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ProblemKind>,
}

impl Problem {
    pub fn new(stage: &str, url: Option<&str>, message: impl Into<String>) -> Self {
        Problem {
            stage: stage.to_string(),
            url: url.map(str::to_string),
            message: message.into(),
            kind: None,
        }
    }

    /// The same problem, with a machine-readable kind.
    pub fn kind(mut self, kind: ProblemKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Adds an incident to `list` unless the same kind of trouble on the same page is
    /// already there: a page that keeps navigating, met again while its pricing is read,
    /// is one loop, reported once.
    pub fn push_once(list: &mut Vec<Problem>, problem: Problem) {
        let known = problem.kind.is_some()
            && list
                .iter()
                .any(|p| p.kind == problem.kind && p.url == problem.url);
        if !known {
            list.push(problem);
        }
    }

    /// A problem told by an error, with the error's kind when it has one.
    pub fn from_error(stage: &str, url: Option<&str>, error: &crate::error::AuditError) -> Self {
        Problem {
            kind: error.problem_kind(),
            ..Problem::new(stage, url, error.to_string())
        }
    }
}

/// What kind of trouble a problem is, for scripts that read the report (hostile sites,
/// interruptions). Problems of other kinds carry none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A page's renderer stopped answering DevTools (a script that never yields, a
    /// dialog loop that blocks it); the page was left and its tab closed.
    RendererUnresponsive,
    /// A page's renderer crashed (out of memory, or a browser bug); its tab was closed.
    RendererCrashed,
    /// A page opened JavaScript dialogs in a loop; it was treated as hostile and left.
    DialogLoop,
    /// A page kept navigating by itself (a script or meta-refresh loop); it was read as
    /// it stood after the navigation budget.
    NavigationLoop,
    /// Chromium itself exited; it was restarted (once).
    BrowserRestarted,
    /// A linked page is not a web page (a PDF, an image, JSON); it is recorded with its type.
    NotHtml,
    /// A page's HTML came with another Content-Type (text/plain, application/octet-stream)
    /// and was read from its static HTML.
    MislabelledHtml,
    /// A response body was larger than the cap; the rest was not read.
    Truncated,
    /// The audit was stopped by a signal.
    Interrupted,
    /// The `--max-time` budget ran out.
    OutOfTime,
}

/// How the signup journey ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The value moment was reached.
    Completed,
    /// A "check your inbox" wall (or the app sending the user back to it).
    EmailVerification,
    /// A CAPTCHA widget or the server's CAPTCHA message.
    Captcha,
    /// Payment details demanded before the app can be used.
    CardRequired,
    /// Only demo or contact-sales paths: no self-serve signup.
    SalesGated,
    /// A waitlist instead of a signup.
    Waitlist,
    /// Only social sign-in: no email signup.
    SsoOnly,
    /// No way to sign up was found.
    NotFound,
    /// Stopped before the first submission, as asked (`--no-submit`).
    NotSubmitted,
    /// Anything else, with the reason.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::EmailVerification => "email_verification",
            Outcome::Captcha => "captcha",
            Outcome::CardRequired => "card_required",
            Outcome::SalesGated => "sales_gated",
            Outcome::Waitlist => "waitlist",
            Outcome::SsoOnly => "sso_only",
            Outcome::NotFound => "not_found",
            Outcome::NotSubmitted => "not_submitted",
            Outcome::Failed => "failed",
        }
    }
}

/// What a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    /// The call to action that starts the signup.
    CtaClick,
    /// A form submitted.
    Submit,
    /// Continue / Next on an onboarding screen.
    Continue,
    /// Skip on an optional screen (invites, integrations…).
    Skip,
    /// The empty state's create action: the value moment's last step.
    ValueAction,
    /// A click a journey file asked for.
    Click,
}

/// One value a step put into a control, for the human-time estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Input {
    /// Typed text of this many characters.
    Text { chars: usize },
    /// A checkbox ticked or a radio button chosen.
    Check,
    /// An option chosen from a list.
    Select,
    /// A file chosen in the file dialog.
    File,
}

/// Fields on a screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldCount {
    /// Visible fields filled or ticked.
    pub total: usize,
    /// Of those, the ones the user must fill (required by markup or by the server).
    pub required: usize,
}

/// One user action that moved the journey forward, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub n: usize,
    pub action: StepAction,
    /// The words on what was clicked.
    pub label: String,
    pub url_before: String,
    /// The heading of the screen the step was taken on (its dialog's, its form's, or the
    /// page's first h1), e.g. "Tell us about your team"; None when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen: Option<String>,
    pub url_after: String,
    pub fields: FieldCount,
    pub inputs: Vec<Input>,
    /// Machine time from the action to the page settled.
    pub ms: u64,
    /// Viewport screenshot after the step, relative to the output directory.
    pub screenshot: Option<String>,
    /// What the step noticed: a validation error adapted to, optional steps offered…
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The screen's HTML after the step, relative to the output directory
    /// (`pages/journey-NN.html`), so what the app showed can be judged offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_file: Option<String>,
    /// JavaScript globals the screen's own scripts defined (see [`crate::gather::globals`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub globals: Vec<String>,
    /// Every control the step filled or ticked, as a person read it.
    #[serde(default)]
    pub filled: Vec<FilledField>,
}

/// A control a step filled or ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilledField {
    /// The words a person reads for it.
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: crate::forms::FieldType,
    /// Whether the user had to fill it (by markup, or because the server said so).
    pub required: bool,
}

/// What proved the value moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueProof {
    pub kind: ValueKind,
    /// What was seen, in words: the new item's name on the page, its page, a success message.
    pub evidence: String,
    /// The screen that shows it.
    pub screenshot: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// Something the new user made exists and is shown.
    Created,
    /// The value moment the user stated (`--value-text`, `--value-selector`, `--value-url`).
    Stated,
}

/// A cookie or consent banner: where, its words, and the button pressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentBanner {
    pub url: String,
    pub text: String,
    pub pressed: String,
}

/// A marketing opt-in the product ticked for the user (the journey unticked it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptIn {
    pub label: String,
    pub url: String,
}

/// The app's first screen after signup and onboarding, as the journey found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmptyState {
    pub url: String,
    /// Its heading ("No projects yet").
    pub heading: Option<String>,
    /// The primary action the journey took ("Create Project").
    pub action: String,
    /// It offers templates to start from.
    pub templates: bool,
    /// It offers sample or demo data.
    pub sample_data: bool,
}

/// What kind of wall stopped the journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blocker {
    pub outcome: Outcome,
    /// The words on the page that show it.
    pub text: String,
    pub url: String,
    /// The element that shows it (a selector or a description), if one does.
    pub element: Option<String>,
    pub screenshot: Option<String>,
    /// The fields a person fills on the form the wall sits on before meeting it (a
    /// CAPTCHA under the signup form): they count toward the journey's fields.
    #[serde(default)]
    pub fields: Vec<FilledField>,
}

/// The signup journey from the home page to the value moment or a blocker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JourneyArtifact {
    pub outcome: Outcome,
    /// Why the journey ended where it did, in words.
    pub reason: String,
    /// The call to action followed from the home page.
    pub entry: Option<Entry>,
    pub sso_providers: Vec<String>,
    pub steps: Vec<StepRecord>,
    pub reached_value: bool,
    pub blocker: Option<Blocker>,
    /// The e-mail address used (the password is never recorded).
    pub email: String,
    /// Optional screens offered on the way (e.g. "invite teammates").
    pub offered: Vec<String>,
    /// With `--no-submit`: the form the journey would have filled.
    pub would_submit: Option<PlannedForm>,
    /// Time spent on cookie banners and overlays, which are no steps.
    pub overlay_ms: u64,
    /// Time spent loading pages outside any step (the home page, the pricing page,
    /// common signup paths tried).
    #[serde(default)]
    pub navigation_ms: u64,
    /// What proved the value moment (None when it was not reached).
    #[serde(default)]
    pub value: Option<ValueProof>,
    /// A pre-ticked marketing opt-in on the way, which the journey unticked.
    #[serde(default)]
    pub prechecked_opt_in: Option<OptIn>,
    /// The app's empty state where the first value began.
    #[serde(default)]
    pub empty_state: Option<EmptyState>,
    /// Every network request the journey's tab made, failed ones included, with the step
    /// it belongs to.
    #[serde(default)]
    pub requests: Vec<JourneyRequest>,
}

/// A request the journey made. `step` is the step it belongs to: made while walking to
/// that step's screen or by its action (requests after the last step count with the
/// last); 0 when the journey took no step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JourneyRequest {
    pub step: usize,
    #[serde(flatten)]
    pub request: RequestRecord,
}

/// A form the journey stopped in front of (`--no-submit`), with what it would have done
/// to each field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedForm {
    pub url: String,
    pub kind: crate::forms::FormKind,
    /// The submit control's words.
    pub submit: Option<String>,
    pub fields: Vec<PlannedField>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedField {
    pub label: String,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub field_type: crate::forms::FieldType,
    pub required: bool,
    pub visible: bool,
    /// "type N characters", "choose an option", "tick", or why it is left alone.
    pub plan: String,
}

/// A call to action: where it points and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub url: String,
    pub text: String,
    /// Where it sits on the home page (None when the journey began on a signup form).
    #[serde(default)]
    pub location: Option<LinkLocation>,
    /// Whether it shows without scrolling in a 1280×900 window (None when unknown).
    #[serde(default)]
    pub above_fold: Option<bool>,
}
