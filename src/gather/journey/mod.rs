//! The signup journey: behave like a new user from the home page's call to action to the
//! first moment of real value, and measure every step.
//!
//! Each screen is read once ([`screen::Screen`]) as a person sees it — when a dialog
//! blocks the page, the dialog is the screen. Then the journey decides like a person: a
//! wall (blocker) ends it with its evidence; a form is filled and submitted (a refused
//! submission is read and adapted to once); an onboarding screen is continued — or
//! skipped when it only offers extras such as invites; in the app, the empty state's
//! primary action is taken and whatever it opens (a dialog, a form, an editor) is
//! completed with its Save, until the result is proven to exist ([`value`]). Controls are
//! pressed with the mouse, and only when nothing covers them; an action that changed
//! nothing is never repeated. Cookie banners are answered on the way (rejecting when
//! allowed, [`consent`]) and are not steps. A journey file can script what heuristics
//! cannot guess ([`script`]). Every step records its action, label, URLs, fields, machine
//! time and a screenshot; a failure keeps all earlier steps. With `-v`, every decision is
//! logged with what was seen and why.

pub mod consent;
pub mod intent;
pub mod screen;
pub mod script;
pub mod upload;
pub mod value;
pub mod words;

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use regex::Regex;
use url::Url;

use crate::artifacts::{
    Artifacts, Blocker, ConsentBanner, EmptyState, Entry, FieldCount, FilledField, Input,
    JourneyArtifact, Link, OptIn, Outcome, PlannedField, PlannedForm, Problem, StepAction,
    StepRecord, ValueKind, ValueProof,
};
use crate::error::AuditError;
use crate::forms::values::{plan, Action, Identity, Plan};
use crate::forms::{Control, FieldType, FormKind, FormRegion};
use crate::gather::browser::{Page, Pressed, VIEWPORT};
use crate::gather::fill::{fill, submit};
use crate::gather::site::Site;
use crate::gather::ArtifactDir;
use crate::text::{collapse_whitespace, normalize};
use intent::Intent;
use screen::Screen;
use script::{JourneyScript, ScriptStep};
use value::Creation;
use words::words;

/// Steps walked at most: a wizard longer than this is reported as stuck.
const MAX_STEPS: usize = 25;
/// How many times one form is filled again after a refusal that says something new.
const MAX_ADAPTATIONS: usize = 3;

/// What the user stated the value moment is; None for each means "find it".
#[derive(Debug, Clone, Default)]
pub struct ValueGoal {
    pub text: Option<String>,
    pub selector: Option<String>,
    pub url: Option<Regex>,
}

impl ValueGoal {
    fn is_stated(&self) -> bool {
        self.text.is_some() || self.selector.is_some() || self.url.is_some()
    }

    /// What the user asked to see, in words: `the text "Saved"`.
    fn target(&self) -> String {
        if let Some(t) = &self.text {
            return format!("the text \"{t}\"");
        }
        if let Some(s) = &self.selector {
            return format!("an element matching {s}");
        }
        if let Some(u) = &self.url {
            return format!("an address matching {u}");
        }
        String::new()
    }
}

/// How to walk the journey.
#[derive(Debug, Clone)]
pub struct JourneyOptions {
    pub goal: ValueGoal,
    pub script: Option<JourneyScript>,
    /// Stop before the first submission and report the form instead.
    pub no_submit: bool,
    pub identity: Identity,
    /// `--save-credentials`: where to write the account's e-mail and password (0600).
    pub save_credentials: Option<std::path::PathBuf>,
}

/// Walks the journey in `page`, starting at `home`. `pricing` is tried for plan
/// buttons when the home page has no call to action.
pub fn walk(
    page: &Page,
    site: &Site,
    home: &Url,
    pricing: Option<&Url>,
    options: &JourneyOptions,
    store: &ArtifactDir,
    artifacts: &mut Artifacts,
) -> JourneyArtifact {
    let mut walker = Walker {
        page,
        site,
        options,
        store,
        identity: options.identity.clone(),
        journey: JourneyArtifact {
            outcome: Outcome::Failed,
            reason: String::new(),
            entry: None,
            sso_providers: Vec::new(),
            steps: Vec::new(),
            reached_value: false,
            blocker: None,
            email: options.identity.email.clone(),
            offered: Vec::new(),
            would_submit: None,
            overlay_ms: 0,
            navigation_ms: 0,
            value: None,
            prechecked_opt_in: None,
            empty_state: None,
            requests: Vec::new(),
        },
        signed_up: false,
        submitted: false,
        adapted: HashSet::new(),
        pending_inputs: Vec::new(),
        scripted_fields: HashSet::new(),
        stalled_at: None,
        revealed_email: false,
        passwords_tried: 0,
        creation: None,
        in_vain: HashMap::new(),
        typed: HashSet::new(),
        consent: None,
    };
    let result = walker.run(home, pricing);
    if let Some(path) = &options.save_credentials {
        if walker.signed_up {
            if let Err(e) = save_credentials(path, &walker.identity, &page.url()) {
                artifacts.warnings.push(Problem::new(
                    "journey",
                    None,
                    format!("could not write the credentials to {}: {e}", path.display()),
                ));
            }
        }
    }
    if artifacts.consent_banner.is_none() {
        artifacts.consent_banner = walker.consent.take();
    }
    let mut journey = walker.journey;
    let last = journey.steps.len();
    journey
        .requests
        .extend(crate::gather::evidence::take_requests(page, last));
    if let Err(e) = result {
        journey.outcome = Outcome::Failed;
        journey.reason = e.to_string();
        artifacts
            .errors
            .push(Problem::new("journey", Some(&page.url()), e.to_string()));
    }
    tracing::info!(outcome = journey.outcome.as_str(), reason = %journey.reason, "the journey ended");
    journey
}

/// Writes the test account's credentials, readable by the owner only.
fn save_credentials(path: &std::path::Path, identity: &Identity, url: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // An existing file keeps its mode through open(): narrow it as well.
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    writeln!(
        file,
        "# plg-audit test account (keep this file private)\nurl = {url}\nemail = {}\npassword = {}",
        identity.email,
        identity.password.expose()
    )
}

/// Where and when a step began.
struct Began {
    url: String,
    /// The heading of the screen the step was taken on (its dialog's, its form's, or the
    /// page's), as a person reads it; None when the screen has none.
    screen: Option<String>,
    at: Instant,
}

/// One control a step filled or ticked: what it cost a person and how they read it.
#[derive(Debug, Clone)]
struct Typed {
    input: Input,
    field: FilledField,
}

/// What one submission of a form came to.
enum Attempt {
    /// The next screen never arrived within the step timeout.
    Stalled(Vec<Typed>),
    /// The user moved on; the screen it led to.
    Accepted(Vec<Typed>, Box<Screen>),
    /// The same form came back; what it says.
    Refused(Vec<Typed>, String),
    /// The server answered with an error status and the form is gone (an error page).
    ServerError(Vec<Typed>, String),
}

impl Attempt {
    /// This attempt, counting the fields an earlier refused attempt of the same step
    /// filled (the user typed them once; they stay filled).
    fn after(mut self, earlier: Vec<Typed>) -> Attempt {
        let inputs = match &mut self {
            Attempt::Stalled(i)
            | Attempt::Accepted(i, _)
            | Attempt::Refused(i, _)
            | Attempt::ServerError(i, _) => i,
        };
        let mut all: Vec<Typed> = earlier
            .into_iter()
            .filter(|e| !inputs.iter().any(|t| t.field.label == e.field.label))
            .collect();
        all.append(inputs);
        *inputs = all;
        self
    }
}

/// How a step ended, as the walk needs to know it.
enum Moved {
    /// The journey is over (outcome and reason set).
    Done,
    /// Go on reading the next screen.
    On,
}

struct Walker<'a> {
    page: &'a Page,
    site: &'a Site,
    options: &'a JourneyOptions,
    store: &'a ArtifactDir,
    identity: Identity,
    journey: JourneyArtifact,
    /// A signup form was submitted and accepted.
    signed_up: bool,
    /// Any form was submitted.
    submitted: bool,
    /// Forms (by selector and URL) already adapted to once.
    adapted: HashSet<String>,
    /// Inputs made by scripted fills, counted into the next scripted step.
    pending_inputs: Vec<Typed>,
    /// Fields the journey file filled: a submission keeps their values.
    scripted_fields: HashSet<String>,
    /// The URL a step was still loading when its settle-wait ran out.
    stalled_at: Option<String>,
    /// "Continue with email" was pressed (once is enough).
    revealed_email: bool,
    passwords_tried: usize,
    /// What the user is making, from the empty state's action until it is shown.
    creation: Option<Creation>,
    /// Actions (screen address and words) that changed nothing, with how often: pressed
    /// once more at most, as a person tries a button twice.
    in_vain: HashMap<String, (String, usize)>,
    /// Normalised values the journey typed, to tell them from what the product pre-filled.
    typed: HashSet<String>,
    /// The consent banner answered on the home page.
    consent: Option<ConsentBanner>,
}

impl Walker<'_> {
    fn end(&mut self, outcome: Outcome, reason: impl Into<String>) -> Result<Moved, AuditError> {
        self.journey.outcome = outcome;
        self.journey.reason = reason.into();
        Ok(Moved::Done)
    }

    fn blocked(
        &mut self,
        outcome: Outcome,
        text: String,
        element: Option<String>,
        fields: Vec<FilledField>,
    ) -> Result<Moved, AuditError> {
        let screenshot = self.shot("blocker");
        self.journey.blocker = Some(Blocker {
            outcome,
            text: text.clone(),
            url: self.page.url(),
            element,
            screenshot,
            fields,
        });
        tracing::info!(outcome = outcome.as_str(), "blocked: {text}");
        self.end(outcome, text)
    }

    fn shot(&mut self, name: &str) -> Option<String> {
        let started = Instant::now();
        let png = self.page.screenshot(false).ok()?;
        tracing::debug!(name, elapsed = ?started.elapsed(), bytes = png.len(), "screenshot");
        let mut scratch = Artifacts::default();
        self.store.save(
            &format!("screenshots/journey-{name}.png"),
            &png,
            &mut scratch,
        )
    }

    /// Whether the user is past the account: in onboarding or in the app.
    fn in_app(&self) -> bool {
        self.signed_up || self.submitted
    }

    fn run(&mut self, home: &Url, pricing: Option<&Url>) -> Result<(), AuditError> {
        self.navigate(home.as_str())?;
        self.dismiss_overlays()?;
        if let Some(script) = self.options.script.clone() {
            if let Moved::Done = self.run_script(&script)? {
                return Ok(());
            }
        } else if let Moved::Done = self.enter(pricing)? {
            return Ok(());
        }
        for _ in 0..MAX_STEPS {
            if let Moved::Done = self.next_screen()? {
                return Ok(());
            }
        }
        self.end(
            Outcome::Failed,
            format!("still no value moment after {MAX_STEPS} steps"),
        )?;
        Ok(())
    }

    /// Finds where the signup begins: the home page's own signup form, else the call to
    /// action (step 1) — or ends the journey saying why there is none.
    fn enter(&mut self, pricing: Option<&Url>) -> Result<Moved, AuditError> {
        let home = Screen::read(self.page)?;
        // The home page is itself the signup form (an owner set-up, a signup-first app):
        // its submission is the first step, and no button of it is a call to action.
        if let Some(form) = home.form(&[FormKind::Signup]) {
            let text = form
                .heading
                .clone()
                .or_else(|| home.doc.h1.first().cloned())
                .unwrap_or_else(|| home.doc.title.clone());
            tracing::info!(url = %home.url, "the home page is a signup form (\"{text}\"): it is the entry");
            self.journey.entry = Some(Entry {
                url: home.url.to_string(),
                text,
                location: None,
                above_fold: None,
            });
            return Ok(Moved::On);
        }
        let ranked = intent::ranked(&home.doc.links);
        let best = ranked
            .iter()
            .find(|c| c.intent == Intent::Signup)
            .or_else(|| ranked.iter().find(|c| c.intent == Intent::Waitlist))
            .cloned();
        if let Some(cta) = best {
            let link = cta.link.clone();
            tracing::info!(
                score = cta.score,
                "call to action: \"{}\" ({:?})",
                link.text,
                link.location
            );
            return self.click_step(StepAction::CtaClick, &home, &link, true);
        }
        // No call to action on the home page: the pricing page's plan buttons.
        if let Some(pricing) = pricing {
            self.navigate(pricing.as_str())?;
            self.dismiss_overlays()?;
            let plans = Screen::read(self.page)?;
            if let Some(cta) = intent::ranked(&plans.doc.links)
                .into_iter()
                .find(|c| c.intent == Intent::Signup)
            {
                let link = cta.link.clone();
                tracing::info!(
                    "no call to action on the home page; the pricing page's \"{}\"",
                    link.text
                );
                return self.click_step(StepAction::CtaClick, &plans, &link, true);
            }
        }
        // Then the paths signups usually live at.
        for path in intent::signup_paths() {
            let Ok(url) = self.site.home().join(path) else {
                continue;
            };
            let visit = self.navigate(url.as_str())?;
            let ok = visit.document.as_ref().is_none_or(|d| d.status < 400);
            if !ok {
                continue;
            }
            let s = Screen::read(self.page)?;
            if s.form(&[FormKind::Signup]).is_some() || !s.sso_providers().is_empty() {
                tracing::info!("no call to action anywhere; a signup lives at {path}");
                self.journey.entry = Some(Entry {
                    url: visit.url.clone(),
                    text: s
                        .form(&[FormKind::Signup])
                        .and_then(|f| f.heading.clone())
                        .unwrap_or_else(|| format!("the page at {path}")),
                    location: None,
                    above_fold: None,
                });
                return Ok(Moved::On);
            }
        }
        if let Some(demo) = ranked.iter().find(|c| c.intent == Intent::Demo) {
            let text = format!(
                "no self-serve signup; the site offers \"{}\"",
                demo.link.text
            );
            let element = demo.link.href.clone();
            self.navigate(self.site.home().as_str())?;
            return self.blocked(Outcome::SalesGated, text, element, Vec::new());
        }
        self.navigate(self.site.home().as_str())?;
        self.blocked(
            Outcome::NotFound,
            "no link, button or common path leads to a signup".into(),
            None,
            Vec::new(),
        )
    }

    /// The journey's end when the last action's page never arrived within the step timeout.
    fn stalled(&mut self) -> Option<Result<Moved, AuditError>> {
        if !self.page.stalled() {
            return None;
        }
        let after = self.journey.steps.last().map_or(0, |s| s.n);
        let url = self.stalled_at.take().unwrap_or_else(|| self.page.url());
        Some(self.end(
            Outcome::Failed,
            format!(
                "step {after} timed out: {url} was still loading after {} s (--step-timeout)",
                self.page.step_timeout().as_secs_f64()
            ),
        ))
    }

    /// Reads the current screen and takes the one action a new user would.
    fn next_screen(&mut self) -> Result<Moved, AuditError> {
        if let Some(end) = self.stalled() {
            return end;
        }
        self.dismiss_overlays()?;
        let screen = Screen::read(self.page)?;
        tell(&screen);
        for p in screen.sso_providers() {
            if !self.signed_up && !self.journey.sso_providers.contains(&p) {
                self.journey.sso_providers.push(p);
            }
        }
        if let Some(moved) = self.value_shown(&screen)? {
            return Ok(moved);
        }
        if let Some(moved) = self.signed_out(&screen)? {
            return Ok(moved);
        }
        if let Some((outcome, text, element)) = screen.blocker(self.in_app(), !self.submitted) {
            let fields = match (outcome, screen.form(&[FormKind::Signup])) {
                // The fields a person fills before meeting the CAPTCHA count.
                (Outcome::Captcha, Some(form)) => self.planned_fields(form),
                _ => Vec::new(),
            };
            return self.blocked(outcome, text, element, fields);
        }
        // E-mail signup behind social sign-in buttons: reveal it.
        if !self.signed_up && !self.revealed_email && screen.form(&[FormKind::Signup]).is_none() {
            if let Some(link) = screen.email_signup_button() {
                let link = link.clone();
                self.revealed_email = true;
                tracing::info!(
                    "e-mail signup hides behind social sign-in: \"{}\"",
                    link.text
                );
                return self.click_step(StepAction::Continue, &screen, &link, false);
            }
        }
        if let Some(form) = self.form_to_fill(&screen) {
            let form = form.clone();
            // An optional screen (nothing required) that offers to skip: skip it.
            if form.required_fields().count() == 0
                && form.kind != FormKind::Signup
                && self.creation.is_none()
            {
                let controls = screen.controls();
                let links: Vec<&Link> = controls.iter().map(|(l, _)| *l).collect();
                if let Some((link, true)) = intent::continue_or_skip(&links) {
                    let link = link.clone();
                    self.journey.offered.push(screen_title(&screen, &form));
                    tracing::info!("an optional screen: skipping with \"{}\"", link.text);
                    return self.click_step(StepAction::Skip, &screen, &link, false);
                }
            }
            return self.submit_step(&screen, &form);
        }
        // Two presses that changed nothing end the journey; a button is tried twice at most.
        if let Some((label, _)) = self.in_vain.values().find(|(_, n)| *n >= 2) {
            let label = label.clone();
            return self.end(
                Outcome::Failed,
                format!(
                    "pressing \"{label}\" twice changed nothing on {}",
                    screen.url
                ),
            );
        }
        let controls: Vec<intent::Seen> = screen.controls();
        let links: Vec<&Link> = controls.iter().map(|(l, _)| *l).collect();
        if self.creation.is_some() {
            // Complete what the create action opened: its Save, Create, Done.
            if let Some(link) = intent::commit_button(&controls) {
                let link = link.clone();
                tracing::info!(
                    "completing \"{}\" with \"{}\"",
                    self.creation.as_ref().map_or("", |c| &c.action),
                    link.text
                );
                return self.commit_click(&screen, &link);
            }
        }
        if screen.layer.is_some() {
            // A dialog in the way is a screen of the journey: its own way on.
            let heading = screen.layer.as_ref().and_then(|l| l.heading.clone());
            let way_on = intent::continue_or_skip(&links)
                .or_else(|| intent::commit_button(&controls).map(|l| (l, false)));
            if let Some((link, skip)) = way_on {
                let link = link.clone();
                tracing::info!(dialog = ?heading, "a dialog is in the way: \"{}\"", link.text);
                if skip {
                    self.journey
                        .offered
                        .push(heading.unwrap_or_else(|| link.text.clone()));
                }
                let action = if skip {
                    StepAction::Skip
                } else {
                    StepAction::Continue
                };
                return self.click_step(action, &screen, &link, false);
            }
        }
        if self.in_app() && self.creation.is_none() {
            let uploads = upload::targets(self.page)?;
            if let Some((link, why)) = intent::empty_state_action(&controls) {
                let link = link.clone();
                // A button that opens the file dialog: the upload is the action.
                let words_of = normalize(&link.text);
                if let Some(target) = uploads
                    .iter()
                    .find(|t| !words_of.is_empty() && normalize(&t.text).contains(&words_of))
                {
                    return self.upload_step(&screen, &target.clone());
                }
                tracing::info!("the empty state's action: \"{}\" ({why})", link.text);
                return self.value_click(&screen, &link);
            }
            if let Some(target) = uploads.into_iter().find(|t| intent::creates(&t.text)) {
                return self.upload_step(&screen, &target);
            }
        }
        if let Some((link, skip)) = intent::continue_or_skip(&links) {
            let link = link.clone();
            let action = if skip {
                StepAction::Skip
            } else {
                StepAction::Continue
            };
            if skip {
                self.journey.offered.push(
                    screen
                        .doc
                        .h1
                        .first()
                        .cloned()
                        .unwrap_or_else(|| screen.doc.title.clone()),
                );
            }
            tracing::info!("onboarding: \"{}\"", link.text);
            return self.click_step(action, &screen, &link, false);
        }
        let in_vain = self
            .in_vain
            .values()
            .map(|(l, _)| format!("\"{l}\""))
            .collect::<Vec<_>>();
        let tried = if in_vain.is_empty() {
            String::new()
        } else {
            format!("; pressing {} changed nothing", in_vain.join(", "))
        };
        if self.options.goal.is_stated() && self.signed_up {
            return self.end(
                Outcome::Failed,
                format!(
                    "reached {} but not the stated value moment (waiting for {}){tried}",
                    screen.url,
                    self.options.goal.target()
                ),
            );
        }
        if let Some(c) = &self.creation {
            return self.end(
                Outcome::Failed,
                format!(
                    "\"{}\" was pressed on the way to a first result, but nothing it made shows on {}{tried}",
                    c.action, screen.url
                ),
            );
        }
        self.end(
            Outcome::Failed,
            format!(
                "nothing to do on {}: no form, no continue button, no create action{tried}",
                screen.url
            ),
        )
    }

    /// The value moment on `screen`: the stated one, else the result of the creation
    /// under way, proven. Ends the journey `completed` with what proved it.
    fn value_shown(&mut self, screen: &Screen) -> Result<Option<Moved>, AuditError> {
        let (kind, evidence) = if self.options.goal.is_stated() {
            if !self.goal_reached(screen)? {
                return Ok(None);
            }
            (
                ValueKind::Stated,
                format!("{} appeared on {}", self.options.goal.target(), screen.url),
            )
        } else {
            match self.creation.as_ref().and_then(|c| c.proof(screen)) {
                Some(evidence) => (ValueKind::Created, evidence),
                None => return Ok(None),
            }
        };
        self.journey.reached_value = true;
        self.journey.value = Some(ValueProof {
            kind,
            evidence: evidence.clone(),
            screenshot: self.journey.steps.last().and_then(|s| s.screenshot.clone()),
        });
        tracing::info!("the value moment: {evidence}");
        self.end(Outcome::Completed, format!("the value moment: {evidence}"))
            .map(Some)
    }

    /// The form a new user would fill on this screen: a signup, else an onboarding or
    /// in-app form — inside the dialog when one blocks the page. Login, newsletter,
    /// search and contact forms are never the way on.
    fn form_to_fill<'s>(&self, screen: &'s Screen) -> Option<&'s FormRegion> {
        if let Some(f) = screen.form(&[FormKind::Signup]) {
            return Some(f);
        }
        if !(self.in_app() || self.journey.entry.is_some()) {
            return None;
        }
        // What the create action opened is filled whatever its words suggest (a project's
        // name and description read like a contact form).
        let making = self.creation.is_some();
        screen.reachable_forms().find(|f| {
            (matches!(f.kind, FormKind::Other | FormKind::Signup)
                || (making && matches!(f.kind, FormKind::Contact | FormKind::DemoRequest))
                || is_composer(f))
                && (f.submit.is_some() || screen.layer.is_some() || making)
                && f.fields.iter().any(|x| {
                    x.visible
                        && screen.reachable(&x.selector)
                        && x.field_type != FieldType::Honeypot
                        && x.field_type != FieldType::Search
                })
        })
    }

    fn goal_reached(&self, screen: &Screen) -> Result<bool, AuditError> {
        let g = &self.options.goal;
        if let Some(t) = &g.text {
            // The screen's text is what a person sees: a dialog's, when one blocks the page.
            if screen.text.contains(&normalize(t)) {
                return Ok(true);
            }
        }
        if let Some(s) = &g.selector {
            let js = format!(
                "(() => {{ const el = document.querySelector({}); if (!el) return false; \
                 const r = el.getBoundingClientRect(); if (r.width < 1 || r.height < 1) return false; \
                 const layer = document.querySelector('[data-plg-layer]'); return !layer || layer.contains(el); }})()",
                serde_json::to_string(s).unwrap_or_default()
            );
            if self.page.evaluate::<bool>(&js).unwrap_or(false) {
                return Ok(true);
            }
        }
        if let Some(u) = &g.url {
            if u.is_match(screen.url.as_str()) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Clicks a link or button as one step.
    fn click_step(
        &mut self,
        action: StepAction,
        screen: &Screen,
        link: &Link,
        is_entry: bool,
    ) -> Result<Moved, AuditError> {
        let began = self.begin(screen.heading());
        let before = began.url.clone();
        let changed = self.press(screen, link)?;
        if is_entry {
            let look = screen.look(link);
            self.journey.entry = Some(Entry {
                url: link.href.clone().unwrap_or_else(|| before.clone()),
                text: link.text.clone(),
                location: Some(link.location),
                above_fold: look
                    .rect
                    .map(|r| r[1] >= 0.0 && r[1] + r[3] / 2.0 <= f64::from(VIEWPORT.1)),
            });
        }
        self.record(action, &link.text, began, Vec::new(), unchanged(changed));
        Ok(Moved::On)
    }

    /// Presses `link` as a person would and says whether the screen changed. A banner in
    /// the way is answered first; a dialog in the way is an error naming it (the next
    /// screen deals with the dialog).
    fn press(&mut self, screen: &Screen, link: &Link) -> Result<bool, AuditError> {
        let before = self.page.fingerprint()?;
        self.click(link)?;
        // A screen that cannot be read after the press (its renderer hangs or crashed)
        // was reached by it: the step is recorded, and the next read names the trouble.
        let changed = self.page.fingerprint().map_or(true, |now| now != before);
        if !changed {
            tracing::info!("pressing \"{}\" changed nothing", link.text);
            self.in_vain
                .entry(vain_key(screen, link))
                .or_insert_with(|| (link.text.clone(), 0))
                .1 += 1;
        }
        Ok(changed)
    }

    fn click(&mut self, link: &Link) -> Result<(), AuditError> {
        let mut pressed = match &link.selector {
            Some(sel) => self.page.click(sel)?,
            None => Pressed::Gone,
        };
        if let Pressed::Covered(_) = &pressed {
            // A banner that came up late is answered, then the press is tried once more.
            if self.dismiss_overlays()? {
                if let Some(sel) = &link.selector {
                    pressed = self.page.click(sel)?;
                }
            }
        }
        match pressed {
            Pressed::Done => {
                self.page.settle_after_action();
            }
            Pressed::Covered(by) => {
                return Err(AuditError::StepFailed {
                    reason: format!(
                        "\"{}\" is covered by {by}, so nobody can press it",
                        link.text
                    ),
                })
            }
            Pressed::Hidden | Pressed::Gone => match &link.href {
                // The link's element went away or shows no box: follow its address.
                Some(href) => {
                    self.page.visit(href)?;
                }
                None => {
                    return Err(AuditError::StepFailed {
                        reason: format!("the button \"{}\" is gone from the page", link.text),
                    })
                }
            },
        }
        self.page.follow_popups(self.site)?;
        Ok(())
    }

    /// Where and when a step begins: the URL, and the screen as its heading names it.
    fn begin(&self, screen: Option<String>) -> Began {
        Began {
            url: self.page.url(),
            screen,
            at: Instant::now(),
        }
    }

    /// Records a finished step: its timing, fields and screenshot.
    fn record(
        &mut self,
        action: StepAction,
        label: &str,
        began: Began,
        inputs: Vec<Typed>,
        notes: Vec<String>,
    ) {
        let ms = u64::try_from(began.at.elapsed().as_millis()).unwrap_or(u64::MAX);
        if self.page.stalled() {
            self.stalled_at = Some(self.page.pending_url());
            self.page.stop_loading();
        }
        let n = self.journey.steps.len() + 1;
        let screenshot = self.shot(&format!("{n:02}"));
        tracing::info!(n, action = ?action, ms, "step {n}: \"{label}\"");
        let kept = crate::gather::evidence::keep_screen(self.page, self.store, n);
        self.journey
            .requests
            .extend(crate::gather::evidence::take_requests(self.page, n));
        self.journey.steps.push(StepRecord {
            n,
            action,
            label: collapse_whitespace(label),
            url_before: began.url,
            screen: began.screen,
            url_after: self.page.url(),
            fields: FieldCount {
                total: inputs.len(),
                required: inputs.iter().filter(|t| t.field.required).count(),
            },
            filled: inputs.iter().map(|t| t.field.clone()).collect(),
            inputs: inputs.into_iter().map(|t| t.input).collect(),
            ms,
            screenshot,
            notes,
            html_file: kept.html_file,
            globals: kept.globals,
        });
    }

    /// Whether submitting `form` on `screen` makes something in the app (rather than
    /// creating the account or answering onboarding questions).
    fn makes_something(&self, screen: &Screen, form: &FormRegion) -> bool {
        if self.creation.is_some() {
            return true;
        }
        // Creating the account (a signup, anything asking for a password) never is.
        if !self.in_app() || form.kind == FormKind::Signup || form.has(FieldType::Password) {
            return false;
        }
        let submit_text = form.submit.as_ref().map_or("", |s| s.text.as_str());
        // What the screen is about, as its headings say it.
        let headings = normalize(
            &[
                form.heading.as_deref().unwrap_or(""),
                &screen.doc.h1.join(" "),
                &screen.doc.h2.join(" "),
            ]
            .join(" "),
        );
        // An empty state ("No projects yet", "Create your first document") asks for the
        // first thing whatever else the page says; otherwise a form under onboarding
        // headings ("Tell us about your team") is onboarding.
        let empty = words().create.empty_state.any_in(&screen.text)
            || words().create.first.any_in(&headings);
        let onboarding = words().onboarding.cues.any_in(&headings);
        empty || (!onboarding && intent::creates(submit_text))
    }

    /// Fills and submits a form as one step, adapting once to a refusal.
    fn submit_step(&mut self, screen: &Screen, form: &FormRegion) -> Result<Moved, AuditError> {
        if self.options.no_submit && !self.submitted {
            self.journey.would_submit = Some(planned(form, &self.identity, &self.page.url()));
            return self.end(
                Outcome::NotSubmitted,
                format!(
                    "stopped before submitting the {} form (--no-submit)",
                    form.kind.as_str()
                ),
            );
        }
        let makes = self.makes_something(screen, form);
        if makes && self.creation.is_none() {
            let label = form
                .submit
                .as_ref()
                .map(|s| s.text.clone())
                .unwrap_or_default();
            self.creation = Some(Creation::begin(&label, screen));
        }
        // In a dialog or an editor, the button that completes it may sit outside the
        // form's own group: Save wherever it is.
        let commit = if makes || screen.layer.is_some() {
            let own_is_commit = form
                .submit
                .as_ref()
                .is_some_and(|s| words().commit.words.leads(&normalize(&s.text)).is_some());
            if own_is_commit {
                None
            } else {
                intent::commit_button(&screen.controls()).cloned()
            }
        } else {
            None
        };
        let submit_text = commit
            .as_ref()
            .map(|l| l.text.clone())
            .or_else(|| form.submit.as_ref().map(|s| s.text.clone()))
            .unwrap_or_default();
        let action = if form.kind == FormKind::Signup && !self.signed_up {
            StepAction::Submit
        } else if makes {
            StepAction::ValueAction
        } else if intent::is_skip(&submit_text) {
            StepAction::Skip
        } else if self.submitted {
            StepAction::Continue
        } else {
            StepAction::Submit
        };
        tracing::info!(kind = form.kind.as_str(), action = ?action, "filling the {} form and pressing \"{submit_text}\"", form.kind.as_str());
        let began = self.begin(form.heading.clone().or_else(|| screen.heading()));
        let before = began.url.clone();
        let mut notes = Vec::new();
        let mut attempt = self.attempt(form, commit.as_ref(), &before)?;
        // A person reads what a refusal says, fixes it and tries again, as long as each
        // refusal teaches something new (servers often name one field at a time). The
        // refused attempts moved nobody forward: they are part of this one step, whose time
        // covers them all.
        let mut refusals = 0;
        let key = format!("{}#{}", before, form.selector);
        let first_time = self.adapted.insert(key);
        let mut heard: Vec<String> = Vec::new();
        while let Attempt::Refused(inputs, refusal) = &attempt {
            if !first_time
                || screen::mentions_captcha(refusal)
                || refusals >= MAX_ADAPTATIONS
                || heard.contains(refusal)
            {
                break;
            }
            heard.push(refusal.clone());
            let earlier = inputs.clone();
            let again = Screen::read(self.page)?;
            let Some(form_again) = same_form(&again, form) else {
                let note = vec![format!("refused: {refusal}")];
                self.record(action, &submit_text, began, inputs.clone(), note);
                return Ok(Moved::On);
            };
            let refusal = refusal.clone();
            let flagged: HashSet<String> = self
                .page
                .evaluate::<Vec<String>>(FIELD_ERRORS)?
                .into_iter()
                .collect();
            let adapted = self.adapt(&form_again, &refusal, &flagged);
            tracing::info!("refused (\"{refusal}\"): {adapted}");
            notes.push(format!("refused (\"{refusal}\"), then {adapted}"));
            attempt = self
                .attempt(
                    &adapted_form(&form_again, &refusal, &flagged),
                    commit.as_ref(),
                    &before,
                )?
                .after(earlier);
            refusals += 1;
        }
        match attempt {
            Attempt::Stalled(inputs) => {
                self.record(action, &submit_text, began, inputs, notes);
                self.stalled().unwrap_or(Ok(Moved::On))
            }
            Attempt::Accepted(inputs, _after) => {
                self.after_submit(form, action);
                self.record(action, &submit_text, began, inputs, notes);
                Ok(Moved::On)
            }
            Attempt::ServerError(inputs, answer) => {
                notes.push(answer.clone());
                self.record(action, &submit_text, began, inputs, notes);
                self.end(
                    Outcome::Failed,
                    format!(
                        "the {} form's submission failed: {answer}",
                        form.kind.as_str()
                    ),
                )
            }
            Attempt::Refused(inputs, refusal) => {
                notes.push(format!("refused: {refusal}"));
                self.record(action, &submit_text, began, inputs, notes);
                if screen::mentions_captcha(&refusal) {
                    return self.blocked(Outcome::Captcha, refusal, None, Vec::new());
                }
                let how = match refusals {
                    0 => "refused".to_string(),
                    1 => "refused twice".to_string(),
                    n => format!("refused {} times", n + 1),
                };
                self.end(
                    Outcome::Failed,
                    format!("the {} form was {how}: {refusal}", form.kind.as_str()),
                )
            }
        }
    }

    /// Fills `form` and submits it once (with `commit` when the button that completes it
    /// sits outside the form), and reads where that led.
    fn attempt(
        &mut self,
        form: &FormRegion,
        commit: Option<&Link>,
        before: &str,
    ) -> Result<Attempt, AuditError> {
        let mut inputs = self.fill_form(form)?;
        let button = commit
            .and_then(|l| l.selector.clone())
            .or_else(|| form.submit.as_ref().map(|b| b.selector.clone()));
        if let Some(button) = button {
            inputs.extend(self.enable(form, &button)?);
        }
        match commit {
            Some(link) => self.click(link)?,
            None => {
                submit(self.page, form)?;
            }
        }
        if self.page.stalled() {
            return Ok(Attempt::Stalled(inputs));
        }
        // A 4xx/5xx to the post (or to the page it led to) is named, whatever the screen says.
        let failed = self.page.failed_answers();
        self.page.follow_popups(self.site)?;
        let after = Screen::read(self.page)?;
        if still_there(form, &after, before) {
            let refusal = refusal_text(self.page)?;
            return Ok(Attempt::Refused(
                inputs,
                match failed.first() {
                    Some(a) => format!("{refusal} (HTTP {})", a.status),
                    None => refusal,
                },
            ));
        }
        if let Some(answer) = failed.first() {
            return Ok(Attempt::ServerError(inputs, answer.to_string()));
        }
        Ok(Attempt::Accepted(inputs, Box::new(after)))
    }

    /// A button that stays disabled until fields are filled says those fields are
    /// required: the empty ones a person can type into are filled, and counted so.
    fn enable(&mut self, form: &FormRegion, button: &str) -> Result<Vec<Typed>, AuditError> {
        if !self.page.evaluate::<bool>(&disabled_js(button))? {
            return Ok(Vec::new());
        }
        let mut needed = form.clone();
        let mut only = HashSet::new();
        for f in needed.fields.iter_mut() {
            if needs_filling_after_refusal(f) {
                f.required = true;
                f.required_reason = Some("its button stays disabled until it is filled".into());
                only.insert(f.selector.clone());
            }
        }
        tracing::info!(
            "the button is disabled until the form is filled: filling {} more field(s)",
            only.len()
        );
        self.fill_fields(&needed, Some(&only))
    }

    fn after_submit(&mut self, form: &FormRegion, action: StepAction) {
        self.submitted = true;
        if form.kind == FormKind::Signup || action == StepAction::Submit {
            self.signed_up = true;
        }
        if action == StepAction::ValueAction {
            if let Some(c) = self.creation.as_mut() {
                c.committed = true;
            }
        }
    }

    /// An upload as the value action: a sample file the input accepts, chosen as in the
    /// file dialog; the value moment is its name (or the result) on the page.
    fn upload_step(
        &mut self,
        screen: &Screen,
        target: &upload::UploadTarget,
    ) -> Result<Moved, AuditError> {
        let file = upload::sample_for(&target.accept, || self.page.screenshot(false).ok());
        let mut scratch = Artifacts::default();
        let relative = self
            .store
            .save(&format!("uploads/{}", file.name), &file.bytes, &mut scratch)
            .ok_or_else(|| AuditError::StepFailed {
                reason: format!("could not write the sample file {} to upload", file.name),
            })?;
        tracing::info!(
            "the empty state asks for a file (\"{}\"): uploading {relative}",
            target.text
        );
        let mut creation = Creation::begin(&target.text, screen);
        creation.name(&file.name);
        creation.committed = true;
        self.creation = Some(creation);
        self.note_empty_state(screen, &target.text);
        let began = self.begin(screen.heading());
        self.page
            .upload(&target.selector, &self.store.absolute(&relative))?;
        self.page.settle_after_action();
        self.record(
            StepAction::ValueAction,
            &target.text,
            began,
            vec![Typed {
                input: Input::File,
                field: FilledField {
                    label: target.text.clone(),
                    field_type: FieldType::Other,
                    required: false,
                },
            }],
            vec![format!("uploaded {relative}")],
        );
        Ok(Moved::On)
    }

    /// After signing up, a screen asking to log in means the app let the user go: that
    /// ends the journey (it is no result of a create action).
    fn signed_out(&mut self, now: &Screen) -> Result<Option<Moved>, AuditError> {
        let asks_to_log_in =
            now.form(&[FormKind::Login]).is_some() && now.form(&[FormKind::Signup]).is_none();
        if !(self.signed_up && asks_to_log_in) {
            return Ok(None);
        }
        self.end(
            Outcome::Failed,
            format!(
                "the app signed the new user out: {} asks to log in",
                now.url
            ),
        )
        .map(Some)
    }

    /// The empty state's action: pressed as a step; what it makes is proven later.
    fn value_click(&mut self, screen: &Screen, link: &Link) -> Result<Moved, AuditError> {
        self.creation = Some(Creation::begin(&link.text, screen));
        self.note_empty_state(screen, &link.text);
        let began = self.begin(screen.heading());
        let changed = self.press(screen, link)?;
        self.record(
            StepAction::ValueAction,
            &link.text,
            began,
            Vec::new(),
            unchanged(changed),
        );
        if !changed {
            // Nothing began: the next screen looks for another way.
            self.creation = None;
        }
        Ok(Moved::On)
    }

    /// The button that completes what the create action opened (Save in a dialog or an
    /// editor), pressed as a step.
    fn commit_click(&mut self, screen: &Screen, link: &Link) -> Result<Moved, AuditError> {
        let began = self.begin(screen.heading());
        let changed = self.press(screen, link)?;
        if let Some(c) = self.creation.as_mut() {
            c.committed = true;
        }
        self.record(
            StepAction::ValueAction,
            &link.text,
            began,
            Vec::new(),
            unchanged(changed),
        );
        Ok(Moved::On)
    }

    /// Records the app's empty state the first value began on (once).
    fn note_empty_state(&mut self, screen: &Screen, action: &str) {
        if self.journey.empty_state.is_some() {
            return;
        }
        let create = &words().create;
        let offers = |table: &words::Phrases| {
            screen
                .controls()
                .iter()
                .any(|(l, _)| table.any_in(&normalize(&l.text)))
        };
        self.journey.empty_state = Some(EmptyState {
            url: screen.url.to_string(),
            heading: screen
                .doc
                .h1
                .first()
                .or_else(|| screen.doc.h2.first())
                .cloned(),
            action: collapse_whitespace(action),
            templates: offers(&create.templates),
            sample_data: offers(&create.sample_data),
        });
    }

    /// What a person fills on `form` before submitting it.
    fn planned_fields(&self, form: &FormRegion) -> Vec<FilledField> {
        plan(form, &self.identity)
            .into_iter()
            .filter_map(|(i, p)| match p {
                Plan::Do(_) => Some(filled_field(&form.fields[i])),
                Plan::Leave(_) => None,
            })
            .collect()
    }

    /// Fills a form in one round trip; returns each input. What the product pre-filled
    /// itself (a project name) is kept, and remembered as the new thing's name.
    fn fill_form(&mut self, form: &FormRegion) -> Result<Vec<Typed>, AuditError> {
        self.fill_fields(form, None)
    }

    /// Fills the fields of `form` (only those selected by `only`, when given).
    fn fill_fields(
        &mut self,
        form: &FormRegion,
        only: Option<&HashSet<String>>,
    ) -> Result<Vec<Typed>, AuditError> {
        let mut actions = Vec::new();
        let mut inputs = Vec::new();
        let url = self.page.url();
        for (i, p) in plan(form, &self.identity) {
            let f = &form.fields[i];
            if self.scripted_fields.contains(&f.selector)
                || only.is_some_and(|o| !o.contains(&f.selector))
            {
                continue;
            }
            let prefilled = f
                .value
                .as_deref()
                .filter(|v| !self.typed.contains(&normalize(v)));
            let typing = matches!(f.control, Control::Text | Control::TextArea);
            if let Some(v) = prefilled.filter(|_| typing && f.visible) {
                if !matches!(
                    f.field_type,
                    FieldType::Email | FieldType::EmailConfirm | FieldType::Password
                ) {
                    // The product named the thing already (a dialog's "New Project #1"):
                    // a person keeps that name, and it is the name to look for afterwards.
                    tracing::info!("\"{}\" is pre-filled with \"{v}\": kept", f.label);
                    if let Some(c) = self.creation.as_mut() {
                        c.name(v);
                    }
                    continue;
                }
            }
            if let Plan::Do(a) = p {
                if let Action::Check { checked: false, .. } = a {
                    tracing::info!("\"{}\" was ticked for the user: unticked", f.label);
                    self.journey.prechecked_opt_in.get_or_insert(OptIn {
                        label: f.label.clone(),
                        url: url.clone(),
                    });
                }
                if let Action::Text { value, .. } = &a {
                    if !matches!(
                        f.field_type,
                        FieldType::Password | FieldType::PasswordConfirm
                    ) {
                        self.typed.insert(normalize(value));
                        if let Some(c) = self.creation.as_mut() {
                            c.name(value);
                        }
                    }
                }
                inputs.push(Typed {
                    input: input_of(&a),
                    field: filled_field(f),
                });
                actions.push(a);
            }
        }
        inputs.append(&mut self.pending_inputs);
        self.scripted_fields.clear();
        let filled = fill(self.page, &actions)?;
        if let Some(bad) = filled.iter().find(|f| !f.ok) {
            tracing::warn!(selector = %bad.selector, problem = ?bad.problem, "a field did not keep its value");
        }
        Ok(inputs)
    }

    /// Changes what the refusal points at: a password rule → another password; fields
    /// named in the message → now required; a message naming no field while optional
    /// fields were left empty (a server refusing every empty field) → all filled.
    fn adapt(&mut self, form: &FormRegion, refusal: &str, flagged: &HashSet<String>) -> String {
        let words = normalize(refusal);
        let about_password = [
            "password",
            "passwort",
            "mot de passe",
            "contrasena",
            "senha",
            "kennwort",
        ]
        .iter()
        .any(|w| crate::text::has_phrase(&words, w));
        if about_password && form.has(FieldType::Password) {
            self.passwords_tried += 1;
            self.identity.password = crate::forms::values::Secret::new(alternative_password(
                self.identity.password.expose(),
                self.passwords_tried,
            ));
            return "tried another password".into();
        }
        let named: Vec<String> = form
            .fields
            .iter()
            .filter(|f| {
                !f.required
                    && f.visible
                    && (flagged.contains(&f.selector) || mentions_field(&words, f))
            })
            .map(|f| f.label.clone())
            .collect();
        if !named.is_empty() {
            return format!("now filling {}", named.join(", "));
        }
        let empty: Vec<String> = form
            .fields
            .iter()
            .filter(|f| needs_filling_after_refusal(f))
            .map(|f| f.label.clone())
            .collect();
        if empty.is_empty() {
            "filled the form again".into()
        } else {
            format!("now filling every empty field: {}", empty.join(", "))
        }
    }

    /// Opens `url` outside any step (the home page, the pricing page, common signup paths)
    /// and counts the wait as the site's time.
    fn navigate(&mut self, url: &str) -> Result<crate::gather::browser::Visit, AuditError> {
        let started = Instant::now();
        let visit = self.page.visit(url);
        self.journey.navigation_ms += u64::try_from(started.elapsed().as_millis()).unwrap_or(0);
        visit
    }

    /// Answers cookie and consent banners (rejecting when allowed). Not a step. Returns
    /// whether one was answered.
    fn dismiss_overlays(&mut self) -> Result<bool, AuditError> {
        let started = Instant::now();
        let mut answered = false;
        for _ in 0..3 {
            let Some(banner) = consent::answer_banner(self.page)? else {
                break;
            };
            tracing::info!(why = %banner.why, "answered a consent banner with \"{}\"", banner.pressed);
            if self.consent.is_none() && self.journey.steps.is_empty() {
                self.consent = Some(ConsentBanner {
                    url: self.page.url(),
                    text: banner.banner.clone(),
                    pressed: banner.pressed.clone(),
                });
            }
            answered = true;
            self.page.settle_after_action();
        }
        self.journey.overlay_ms += u64::try_from(started.elapsed().as_millis()).unwrap_or(0);
        Ok(answered)
    }

    fn run_script(&mut self, script: &JourneyScript) -> Result<Moved, AuditError> {
        for (i, step) in script.steps.iter().enumerate() {
            if let Moved::Done = self.scripted(i, step)? {
                return Ok(Moved::Done);
            }
        }
        if script.stop_after {
            let screen = Screen::read(self.page)?;
            if let Some(moved) = self.value_shown(&screen)? {
                return Ok(moved);
            }
            return self.end(
                Outcome::Failed,
                "the journey file ended before the value moment",
            );
        }
        Ok(Moved::On)
    }

    fn scripted(&mut self, i: usize, step: &ScriptStep) -> Result<Moved, AuditError> {
        let screen = Screen::read(self.page)?;
        match step {
            ScriptStep::Click { text } => {
                let link = screen
                    .doc
                    .links
                    .iter()
                    .find(|l| normalize(&l.text) == normalize(text))
                    .or_else(|| {
                        screen
                            .doc
                            .links
                            .iter()
                            .find(|l| normalize(&l.text).contains(&normalize(text)))
                    })
                    .cloned()
                    .ok_or_else(|| {
                        script::missing(i, &format!("no link or button says \"{text}\""))
                    })?;
                self.scripted_click(&screen, &link)
            }
            ScriptStep::ClickSelector { selector } => {
                // Annotate the element the selector names so it is pressed like any other.
                let link = Link {
                    text: selector.clone(),
                    href: None,
                    kind: crate::artifacts::LinkKind::Button,
                    location: crate::artifacts::LinkLocation::Main,
                    selector: Some(selector.clone()),
                };
                self.scripted_click(&screen, &link)
            }
            ScriptStep::Fill { field, value } => {
                let f = find_field(&screen, field).ok_or_else(|| {
                    script::missing(i, &format!("no field is labelled \"{field}\""))
                })?;
                let value = value
                    .replace("{email}", &self.identity.email)
                    .replace("{password}", self.identity.password.expose());
                let filled = fill(
                    self.page,
                    &[Action::Text {
                        selector: f.selector.clone(),
                        value: value.clone(),
                    }],
                )?;
                if filled.iter().any(|x| !x.ok) {
                    return Err(script::missing(
                        i,
                        &format!("the field \"{field}\" did not keep the value"),
                    ));
                }
                self.pending_inputs.push(Typed {
                    input: Input::Text {
                        chars: value.chars().count(),
                    },
                    field: filled_field(f),
                });
                self.scripted_fields.insert(f.selector.clone());
                Ok(Moved::On)
            }
            ScriptStep::Choose { field, option } => {
                let f = find_field(&screen, field).ok_or_else(|| {
                    script::missing(i, &format!("no field is labelled \"{field}\""))
                })?;
                let choice = f
                    .constraints
                    .options
                    .iter()
                    .find(|o| normalize(&o.text) == normalize(option) || o.value == *option)
                    .ok_or_else(|| {
                        script::missing(i, &format!("\"{field}\" has no option \"{option}\""))
                    })?;
                let action = match &choice.selector {
                    Some(radio) => Action::Check {
                        selector: radio.clone(),
                        checked: true,
                    },
                    None => Action::Select {
                        selector: f.selector.clone(),
                        value: choice.value.clone(),
                    },
                };
                fill(self.page, &[action])?;
                self.pending_inputs.push(Typed {
                    input: Input::Select,
                    field: filled_field(f),
                });
                self.scripted_fields.insert(f.selector.clone());
                Ok(Moved::On)
            }
            ScriptStep::Submit => {
                let form = self
                    .form_to_fill(&screen)
                    .or_else(|| screen.forms.first())
                    .cloned()
                    .ok_or_else(|| script::missing(i, "there is no form to submit"))?;
                self.submit_step(&screen, &form)
            }
            ScriptStep::WaitForText { text } => {
                let wanted = normalize(text);
                let deadline = Instant::now() + self.page.step_timeout();
                loop {
                    let s = Screen::read(self.page)?;
                    if s.text.contains(&wanted) {
                        return Ok(Moved::On);
                    }
                    if Instant::now() >= deadline {
                        return Err(script::missing(
                            i,
                            &format!("the text \"{text}\" did not appear"),
                        ));
                    }
                    // Wait for the page to change again before looking once more.
                    self.page.settle_after_action();
                }
            }
        }
    }

    fn scripted_click(&mut self, screen: &Screen, link: &Link) -> Result<Moved, AuditError> {
        let began = self.begin(screen.heading());
        let before = began.url.clone();
        let first = self.journey.steps.is_empty();
        let changed = self.press(screen, link)?;
        if first {
            self.journey.entry = Some(Entry {
                url: link.href.clone().unwrap_or_else(|| before.clone()),
                text: link.text.clone(),
                location: Some(link.location),
                above_fold: None,
            });
        }
        let inputs = std::mem::take(&mut self.pending_inputs);
        self.scripted_fields.clear();
        // A click that sends what was filled counts as a submission.
        self.submitted |= !inputs.is_empty();
        let action = if first {
            StepAction::CtaClick
        } else {
            StepAction::Click
        };
        self.record(action, &link.text, began, inputs, unchanged(changed));
        Ok(Moved::On)
    }
}

/// With `-v`: what the screen shows, as the journey read it.
fn tell(screen: &Screen) {
    if !tracing::enabled!(tracing::Level::INFO) {
        return;
    }
    let forms: Vec<&str> = screen.reachable_forms().map(|f| f.kind.as_str()).collect();
    let dialog = screen
        .layer
        .as_ref()
        .map(|l| {
            format!(
                ", a dialog in front: \"{}\"",
                l.heading.as_deref().unwrap_or("")
            )
        })
        .unwrap_or_default();
    tracing::info!(
        "screen {}: \"{}\", forms {:?}, {} controls{dialog}",
        screen.url,
        screen.doc.h1.first().unwrap_or(&screen.doc.title),
        forms,
        screen.controls().len()
    );
}

/// The note a step gets when the screen did not change.
fn unchanged(changed: bool) -> Vec<String> {
    if changed {
        Vec::new()
    } else {
        vec!["nothing changed on the screen".into()]
    }
}

/// The key of an action on a screen, to never take an action that changed nothing again.
fn vain_key(screen: &Screen, link: &Link) -> String {
    format!("{}|{}", screen.url, normalize(&link.text))
}

fn filled_field(f: &crate::forms::Field) -> FilledField {
    FilledField {
        label: collapse_whitespace(&f.label),
        field_type: f.field_type,
        required: f.required,
    }
}

/// Whether the element `selector` finds is a disabled button.
fn disabled_js(selector: &str) -> String {
    format!(
        "(() => {{ const b = document.querySelector({}); return !!b && (b.disabled || b.getAttribute('aria-disabled') === 'true'); }})()",
        serde_json::to_string(selector).unwrap_or_else(|_| "''".into())
    )
}

/// The fields of a refused form that show an error beside them: `aria-invalid`, an
/// `aria-describedby` message, or an error list or message in the field's own row (a
/// Django "errorlist" under each box). Returns their `data-plg-id` selectors.
const FIELD_ERRORS: &str = r#"(() => {
  const shown = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
  const ERR = '.errorlist li, .error, .errors, .field-error, .form-error, .invalid-feedback, .help-block.error, [class*="error-message"], [class*="errorMessage"], [role="alert"]';
  const out = [];
  for (const el of document.querySelectorAll('input[data-plg-id], select[data-plg-id], textarea[data-plg-id]')) {
    if (el.type === 'hidden' || !shown(el)) continue;
    let flagged = el.getAttribute('aria-invalid') === 'true';
    for (const id of (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)) {
      const d = document.getElementById(id);
      if (d && shown(d) && (d.innerText || '').trim() && /error|invalid|required|fehler|erreur/i.test(d.className + ' ' + d.innerText)) flagged = true;
    }
    // The field's own row: the nearest ancestor holding this control and no other.
    let row = el.parentElement;
    while (row && row.parentElement && row.querySelectorAll('input, select, textarea').length <= 1
           && row.parentElement.querySelectorAll('input, select, textarea').length <= 1) row = row.parentElement;
    if (row && row.querySelectorAll('input, select, textarea').length <= 1) {
      for (const e of row.querySelectorAll(ERR)) if (shown(e) && (e.innerText || '').trim()) flagged = true;
    }
    if (flagged) out.push(`[data-plg-id="${el.getAttribute('data-plg-id')}"]`);
  }
  return out;
})()"#;

/// A message box alone with its button, inside the app (a chat's composer, a comment
/// box): what is sent there is made there. A contact form always asks who is writing.
fn is_composer(form: &FormRegion) -> bool {
    let boxes: Vec<&crate::forms::Field> = form
        .fields
        .iter()
        .filter(|f| f.visible && f.field_type != FieldType::Honeypot)
        .collect();
    form.kind == FormKind::Contact
        && form.submit.is_some()
        && boxes.len() == 1
        && boxes[0].field_type == FieldType::Message
}

/// Whether a field left empty may be why a server refused a form that marked nothing
/// required: visible, optional, not a trap, not an opt-in.
fn needs_filling_after_refusal(f: &crate::forms::Field) -> bool {
    f.visible
        && !f.required
        && f.value.is_none()
        && !matches!(
            f.field_type,
            FieldType::Honeypot
                | FieldType::Captcha
                | FieldType::MarketingOptIn
                | FieldType::RememberMe
        )
        && !matches!(
            f.control,
            crate::forms::Control::Checkbox | crate::forms::Control::File
        )
}

/// What filling `form` would do to each field (the password itself is never shown).
fn planned(form: &FormRegion, identity: &Identity, url: &str) -> PlannedForm {
    let mut fields: Vec<PlannedField> = form
        .fields
        .iter()
        .map(|f| PlannedField {
            label: f.label.clone(),
            name: f.name.clone(),
            field_type: f.field_type,
            required: f.required,
            visible: f.visible,
            plan: String::new(),
        })
        .collect();
    for (i, p) in plan(form, identity) {
        fields[i].plan = match p {
            Plan::Do(Action::Text { value, .. }) => {
                format!("type {} characters", value.chars().count())
            }
            Plan::Do(Action::Select { .. }) => "choose an option".into(),
            Plan::Do(Action::Check { checked: true, .. }) => "tick".into(),
            Plan::Do(Action::Check { checked: false, .. }) => "untick".into(),
            Plan::Leave(why) => format!("leave: {why}"),
        };
    }
    PlannedForm {
        url: url.to_string(),
        kind: form.kind,
        submit: form.submit.as_ref().map(|s| s.text.clone()),
        fields,
    }
}

fn input_of(a: &Action) -> Input {
    match a {
        Action::Text { value, .. } => Input::Text {
            chars: value.chars().count(),
        },
        Action::Select { .. } => Input::Select,
        Action::Check { .. } => Input::Check,
    }
}

/// The refused form as the page shows it again: the same element, else a form of the same
/// kind with the same fields (never another form of that kind, such as a log-out button).
fn same_form(screen: &Screen, form: &FormRegion) -> Option<FormRegion> {
    let names = |f: &FormRegion| -> Vec<Option<String>> {
        f.fields.iter().map(|x| x.name.clone()).collect()
    };
    screen
        .forms
        .iter()
        .find(|f| f.selector == form.selector && f.kind == form.kind)
        .or_else(|| {
            screen
                .forms
                .iter()
                .find(|f| f.kind == form.kind && names(f) == names(form))
        })
        .cloned()
}

/// Whether a submission left the user where they were: same URL and the same form.
fn still_there(form: &FormRegion, after: &Screen, before_url: &str) -> bool {
    let same_url = strip_query(after.url.as_str()) == strip_query(before_url);
    let same_form = after
        .forms
        .iter()
        .any(|f| f.kind == form.kind && f.fields.len() == form.fields.len());
    // A server that re-renders a refused form answers on the POST path: same form, other URL.
    same_form
        && (same_url
            || after.text.contains("error")
            || form
                .action
                .as_deref()
                .is_some_and(|a| after.url.path() == a))
}

fn strip_query(u: &str) -> &str {
    u.split(['?', '#']).next().unwrap_or(u)
}

/// The words a refused submission shows: alert regions and error texts — or, when the
/// page shows none (the browser itself held the form back), its own validation messages.
/// Those are the browser's words, not the site's: beside a site's message they would be
/// quoted as if the site had said them.
fn refusal_text(page: &Page) -> Result<String, AuditError> {
    let js = r#"(() => {
      const shown = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
      const texts = [];
      for (const el of document.querySelectorAll('[role="alert"], [aria-live], .error, .errors, .errorlist, .form-error, .field-error, .invalid-feedback, .alert, .flash, .notice, .help-block.error, [class*="error-message"]')) {
        const t = (el.innerText || '').trim();
        if (t && shown(el) && !texts.includes(t)) texts.push(t);
      }
      if (!texts.length) {
        for (const el of document.querySelectorAll('input, select, textarea')) {
          if (el.validationMessage && !texts.includes(el.validationMessage)) texts.push(el.validationMessage);
        }
      }
      return texts.join(' ').slice(0, 400);
    })()"#;
    let t: String = page.evaluate(js)?;
    Ok(if t.trim().is_empty() {
        "the same form came back without a message".into()
    } else {
        collapse_whitespace(&t)
    })
}

fn mentions_field(words: &str, f: &crate::forms::Field) -> bool {
    let label = normalize(&f.label);
    let name = normalize(f.name.as_deref().unwrap_or(""));
    (!label.is_empty() && label.len() >= 3 && words.contains(&label))
        || (!name.is_empty() && name.len() >= 3 && crate::text::has_phrase(words, &name))
        || crate::text::has_phrase(words, f.field_type.as_str().replace('_', " ").as_str())
}

/// The form with the fields a refusal names marked required — or, when it names none,
/// every visible field left empty (a server refusing every empty field while the page
/// marks none).
fn adapted_form(form: &FormRegion, refusal: &str, flagged: &HashSet<String>) -> FormRegion {
    let words = normalize(refusal);
    let mut f = form.clone();
    let named = |x: &crate::forms::Field| {
        !x.required && x.visible && (flagged.contains(&x.selector) || mentions_field(&words, x))
    };
    let names_one = f.fields.iter().any(named);
    for field in f.fields.iter_mut() {
        if names_one {
            if named(field) {
                field.required = true;
                field.required_reason = Some("the server asked for it".into());
            }
        } else if needs_filling_after_refusal(field) {
            field.required = true;
            field.required_reason = Some("the server refused the form while it was empty".into());
        }
    }
    f
}

/// Passwords tried after a refusal: longer, with every character class.
fn alternative_password(current: &str, attempt: usize) -> String {
    let core: String = current
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    match attempt {
        1 => format!("{core}Zx9!Qw7#"),
        2 => format!("{core}A1"),
        _ => format!("Aa1!{core}"),
    }
}

fn find_field<'s>(screen: &'s Screen, wanted: &str) -> Option<&'s crate::forms::Field> {
    let w = normalize(wanted);
    screen
        .forms
        .iter()
        .flat_map(|f| f.fields.iter())
        .filter(|f| f.visible)
        .find(|f| normalize(&f.label) == w || f.name.as_deref() == Some(wanted))
        .or_else(|| {
            screen
                .forms
                .iter()
                .flat_map(|f| f.fields.iter())
                .filter(|f| f.visible)
                .find(|f| normalize(&f.label).contains(&w))
        })
}

/// What an optional screen offered, in its own words: its headline.
fn screen_title(screen: &Screen, form: &FormRegion) -> String {
    screen
        .doc
        .h1
        .first()
        .cloned()
        .or_else(|| form.heading.clone())
        .unwrap_or_else(|| screen.doc.title.clone())
}
