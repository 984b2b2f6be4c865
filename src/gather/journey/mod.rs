//! The signup journey: behave like a new user from the home page's call to action to the
//! first moment of real value, and measure every step.
//!
//! Each screen is read once ([`screen::Screen`]); then the journey decides like a person:
//! a wall (blocker) ends it with its evidence; a form is filled and submitted (a refused
//! submission is read and adapted to once); an onboarding screen is continued — or
//! skipped when it only offers extras such as invites; in the app, the empty state's
//! create action is completed until its result appears. Cookie banners are dismissed on
//! the way (rejecting when allowed) and are not steps. A journey file can script what
//! heuristics cannot guess ([`script`]). Every step records its action, label, URLs,
//! fields, machine time and a screenshot; a failure keeps all earlier steps.

pub mod intent;
pub mod screen;
pub mod script;
pub mod upload;

use std::collections::HashSet;
use std::time::Instant;

use regex::Regex;
use url::Url;

use crate::artifacts::{
    Artifacts, Blocker, Entry, FieldCount, Input, JourneyArtifact, Outcome, PlannedField,
    PlannedForm, Problem, StepAction, StepRecord,
};
use crate::error::AuditError;
use crate::forms::values::{plan, Action, Identity, Plan};
use crate::forms::{FieldType, FormKind, FormRegion};
use crate::gather::browser::Page;
use crate::gather::fill::{fill, submit};
use crate::gather::site::Site;
use crate::gather::ArtifactDir;
use crate::text::normalize;
use intent::Intent;
use screen::Screen;
use script::{JourneyScript, ScriptStep};

/// Steps walked at most: a wizard longer than this is reported as stuck.
const MAX_STEPS: usize = 25;

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
}

/// How to walk the journey.
#[derive(Debug, Clone)]
pub struct JourneyOptions {
    pub goal: ValueGoal,
    pub script: Option<JourneyScript>,
    /// Stop before the first submission and report the form instead.
    pub no_submit: bool,
    pub identity: Identity,
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
        },
        signed_up: false,
        submitted: false,
        adapted: HashSet::new(),
        pending_inputs: Vec::new(),
        scripted_fields: HashSet::new(),
        stalled_at: None,
        revealed_email: false,
        passwords_tried: 0,
    };
    let result = walker.run(home, pricing);
    let mut journey = walker.journey;
    if let Err(e) = result {
        journey.outcome = Outcome::Failed;
        journey.reason = e.to_string();
        artifacts
            .errors
            .push(Problem::new("journey", Some(&page.url()), e.to_string()));
    }
    journey
}

/// What one submission of a form came to.
enum Attempt {
    /// The next screen never arrived within the step timeout.
    Stalled(Vec<(Input, bool)>),
    /// The user moved on; the screen it led to.
    Accepted(Vec<(Input, bool)>, Box<Screen>),
    /// The same form came back; what it says.
    Refused(Vec<(Input, bool)>, String),
    /// The server answered with an error status and the form is gone (an error page).
    ServerError(Vec<(Input, bool)>, String),
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
    pending_inputs: Vec<(Input, bool)>,
    /// Fields the journey file filled: a submission keeps their values.
    scripted_fields: HashSet<String>,
    /// The URL a step was still loading when its settle-wait ran out.
    stalled_at: Option<String>,
    /// "Continue with email" was pressed (once is enough).
    revealed_email: bool,
    passwords_tried: usize,
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
    ) -> Result<Moved, AuditError> {
        let screenshot = self.shot("blocker");
        self.journey.blocker = Some(Blocker {
            outcome,
            text: text.clone(),
            url: self.page.url(),
            element,
            screenshot,
        });
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

    /// Finds and follows the call to action (step 1), or ends the journey saying why
    /// there is none.
    fn enter(&mut self, pricing: Option<&Url>) -> Result<Moved, AuditError> {
        let home = Screen::read(self.page)?;
        let ranked = intent::ranked(&home.doc.links);
        let best = ranked
            .iter()
            .find(|c| c.intent == Intent::Signup)
            .or_else(|| ranked.iter().find(|c| c.intent == Intent::Waitlist))
            .cloned();
        if let Some(cta) = best {
            let link = cta.link.clone();
            return self.click_step(StepAction::CtaClick, &link, true);
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
                return self.click_step(StepAction::CtaClick, &link, true);
            }
        }
        // Then the paths signups usually live at.
        for path in intent::SIGNUP_PATHS {
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
                self.journey.entry = Some(Entry {
                    url: visit.url.clone(),
                    text: String::new(),
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
            return self.blocked(Outcome::SalesGated, text, element);
        }
        self.navigate(self.site.home().as_str())?;
        self.blocked(
            Outcome::NotFound,
            "no link, button or common path leads to a signup".into(),
            None,
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
        for p in screen.sso_providers() {
            if !self.signed_up && !self.journey.sso_providers.contains(&p) {
                self.journey.sso_providers.push(p);
            }
        }
        if self.goal_reached(&screen)? {
            self.journey.reached_value = true;
            return self.end(
                Outcome::Completed,
                format!("the value moment: {}", self.goal_words()),
            );
        }
        if let Some(moved) = self.signed_out(&screen)? {
            return Ok(moved);
        }
        if let Some((outcome, text, element)) =
            screen.blocker(self.signed_up || self.submitted, !self.submitted)
        {
            return self.blocked(outcome, text, element);
        }
        // E-mail signup behind social sign-in buttons: reveal it.
        if !self.signed_up && !self.revealed_email && screen.form(&[FormKind::Signup]).is_none() {
            if let Some(link) = screen.email_signup_button() {
                let link = link.clone();
                self.revealed_email = true;
                return self.click_step(StepAction::Continue, &link, false);
            }
        }
        if let Some(form) = self.form_to_fill(&screen) {
            let form = form.clone();
            // An optional screen (nothing required) that offers to skip: skip it.
            if form.required_fields().count() == 0 && form.kind != FormKind::Signup {
                if let Some((link, true)) = intent::continue_or_skip(&screen.doc.links) {
                    let link = link.clone();
                    self.journey.offered.push(screen_title(&screen, &form));
                    return self.click_step(StepAction::Skip, &link, false);
                }
            }
            return self.submit_step(&screen, &form);
        }
        if self.signed_up || self.submitted {
            if let Some(link) = intent::create_action(&screen.doc.links) {
                let link = link.clone();
                return self.value_click(&screen, &link);
            }
            if let Some(target) = upload::targets(self.page)?
                .into_iter()
                .find(|t| intent::creates(&t.text))
            {
                return self.upload_step(&screen, &target);
            }
        }
        if let Some((link, skip)) = intent::continue_or_skip(&screen.doc.links) {
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
            return self.click_step(action, &link, false);
        }
        if self.options.goal.is_stated() && self.signed_up {
            return self.end(
                Outcome::Failed,
                format!(
                    "reached {} but not the stated value moment ({})",
                    screen.url,
                    self.goal_words()
                ),
            );
        }
        self.end(
            Outcome::Failed,
            format!(
                "nothing to do on {}: no form, no continue button, no create action",
                screen.url
            ),
        )
    }

    /// The form a new user would fill on this screen: a signup, else an onboarding or
    /// in-app form. Login, newsletter, search and contact forms are never the way on.
    fn form_to_fill<'s>(&self, screen: &'s Screen) -> Option<&'s FormRegion> {
        if let Some(f) = screen.form(&[FormKind::Signup]) {
            return Some(f);
        }
        if !(self.signed_up || self.submitted || self.journey.entry.is_some()) {
            return None;
        }
        screen.forms.iter().find(|f| {
            matches!(f.kind, FormKind::Other | FormKind::Signup)
                && f.submit.is_some()
                && f.fields.iter().any(|x| {
                    x.visible
                        && x.field_type != FieldType::Honeypot
                        && x.field_type != FieldType::Search
                })
        })
    }

    fn goal_words(&self) -> String {
        let g = &self.options.goal;
        if let Some(t) = &g.text {
            return format!("the text \"{t}\" appeared");
        }
        if let Some(s) = &g.selector {
            return format!("the element {s} appeared");
        }
        if let Some(u) = &g.url {
            return format!("the URL matched {u}");
        }
        "the empty state's create action produced its result".into()
    }

    fn goal_reached(&self, screen: &Screen) -> Result<bool, AuditError> {
        let g = &self.options.goal;
        if let Some(t) = &g.text {
            if screen.text.contains(&normalize(t)) {
                return Ok(true);
            }
        }
        if let Some(s) = &g.selector {
            let js = format!(
                "!!document.querySelector({})",
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
        link: &crate::artifacts::Link,
        is_entry: bool,
    ) -> Result<Moved, AuditError> {
        let before = self.page.url();
        let started = Instant::now();
        self.click(link)?;
        if is_entry {
            self.journey.entry = Some(Entry {
                url: link.href.clone().unwrap_or_else(|| before.clone()),
                text: link.text.clone(),
            });
        }
        self.record(action, &link.text, before, started, Vec::new(), Vec::new());
        Ok(Moved::On)
    }

    fn click(&mut self, link: &crate::artifacts::Link) -> Result<(), AuditError> {
        let clicked = match &link.selector {
            Some(sel) => self.page.click(sel)?,
            None => false,
        };
        if !clicked {
            match &link.href {
                Some(href) => {
                    self.page.visit(href)?;
                }
                None => {
                    return Err(AuditError::StepFailed {
                        reason: format!("the button \"{}\" is gone from the page", link.text),
                    })
                }
            }
        } else {
            self.page.settle_after_action();
        }
        self.page.follow_popups(self.site)?;
        Ok(())
    }

    /// Records a finished step: its timing, fields and screenshot.
    fn record(
        &mut self,
        action: StepAction,
        label: &str,
        before: String,
        started: Instant,
        inputs: Vec<(Input, bool)>,
        notes: Vec<String>,
    ) {
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if self.page.stalled() {
            self.stalled_at = Some(self.page.pending_url());
            self.page.stop_loading();
        }
        let n = self.journey.steps.len() + 1;
        let screenshot = self.shot(&format!("{n:02}"));
        self.journey.steps.push(StepRecord {
            n,
            action,
            label: label.to_string(),
            url_before: before,
            url_after: self.page.url(),
            fields: FieldCount {
                total: inputs.len(),
                required: inputs.iter().filter(|(_, r)| *r).count(),
            },
            inputs: inputs.into_iter().map(|(i, _)| i).collect(),
            ms,
            screenshot,
            notes,
        });
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
        let submit_text = form
            .submit
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        let action = if form.kind == FormKind::Signup && !self.signed_up {
            StepAction::Submit
        } else if (self.signed_up || self.submitted) && intent::creates(&submit_text) {
            StepAction::ValueAction
        } else if intent::is_skip(&submit_text) {
            StepAction::Skip
        } else if self.submitted {
            StepAction::Continue
        } else {
            StepAction::Submit
        };
        let before = self.page.url();
        let started = Instant::now();
        let typed = typed_values(form, &self.identity);
        let mut notes = Vec::new();
        let mut attempt = self.attempt(form, &before)?;
        let mut refused_twice = false;
        if let Attempt::Refused(inputs, refusal) = &attempt {
            let key = format!("{}#{}", before, form.selector);
            if !screen::mentions_captcha(refusal) && self.adapted.insert(key) {
                // One adaptation: learn what the refusal says, fill again, submit again.
                // The refused attempt moved nobody forward: it is part of this one step,
                // whose time covers both attempts.
                let again = Screen::read(self.page)?;
                let Some(form_again) = same_form(&again, form) else {
                    let note = vec![format!("refused: {refusal}")];
                    self.record(action, &submit_text, before, started, inputs.clone(), note);
                    return Ok(Moved::On);
                };
                let refusal = refusal.clone();
                let adapted = self.adapt(&form_again, &refusal);
                notes.push(format!("refused once (\"{refusal}\"), then {adapted}"));
                attempt = self.attempt(&adapted_form(&form_again, &refusal), &before)?;
                refused_twice = true;
            }
        }
        match attempt {
            Attempt::Stalled(inputs) => {
                self.record(action, &submit_text, before, started, inputs, notes);
                self.stalled().unwrap_or(Ok(Moved::On))
            }
            Attempt::Accepted(inputs, after) => {
                self.after_submit(form, action);
                self.record(action, &submit_text, before, started, inputs, notes);
                self.value_check(action, &typed, &screen.text, &after)
            }
            Attempt::ServerError(inputs, answer) => {
                notes.push(answer.clone());
                self.record(action, &submit_text, before, started, inputs, notes);
                self.end(
                    Outcome::Failed,
                    format!(
                        "the {} form's submission failed: {answer}",
                        form.kind.as_str()
                    ),
                )
            }
            Attempt::Refused(inputs, refusal) => {
                if !refused_twice {
                    notes.push(format!("refused: {refusal}"));
                }
                self.record(action, &submit_text, before, started, inputs, notes);
                if screen::mentions_captcha(&refusal) {
                    return self.blocked(Outcome::Captcha, refusal, None);
                }
                let how = if refused_twice {
                    "refused twice"
                } else {
                    "refused"
                };
                self.end(
                    Outcome::Failed,
                    format!("the {} form was {how}: {refusal}", form.kind.as_str()),
                )
            }
        }
    }

    /// Fills and submits `form` once and reads where that led.
    fn attempt(&mut self, form: &FormRegion, before: &str) -> Result<Attempt, AuditError> {
        let inputs = self.fill_form(form)?;
        submit(self.page, form)?;
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

    fn after_submit(&mut self, form: &FormRegion, action: StepAction) {
        self.submitted = true;
        if form.kind == FormKind::Signup || action == StepAction::Submit {
            self.signed_up = true;
        }
    }

    /// After a value action: did its result appear on `now`, the screen it led to? (The
    /// typed name on the page, a new page, or the empty state gone.)
    fn value_check(
        &mut self,
        action: StepAction,
        typed: &[String],
        before_text: &str,
        now: &Screen,
    ) -> Result<Moved, AuditError> {
        if action != StepAction::ValueAction || self.options.goal.is_stated() {
            return Ok(Moved::On);
        }
        if let Some(moved) = self.signed_out(now)? {
            return Ok(moved);
        }
        let shows_typed = typed
            .iter()
            .any(|t| t.len() >= 3 && now.text.contains(&normalize(t)));
        if shows_typed || now.text != before_text {
            self.journey.reached_value = true;
            let what = if shows_typed {
                "the created item appeared"
            } else {
                "the page changed to show the result"
            };
            return self.end(Outcome::Completed, format!("the value moment: {what}"));
        }
        Ok(Moved::On)
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
        let before = self.page.url();
        let started = Instant::now();
        self.page
            .upload(&target.selector, &self.store.absolute(&relative))?;
        self.page.settle_after_action();
        self.record(
            StepAction::ValueAction,
            &target.text,
            before,
            started,
            vec![(Input::File, false)],
            vec![format!("uploaded {relative}")],
        );
        if self.options.goal.is_stated() {
            return Ok(Moved::On);
        }
        let now = Screen::read(self.page)?;
        self.value_check(StepAction::ValueAction, &[file.name], &screen.text, &now)
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

    /// A create button in the app: click it; if it opens a form, the next screen fills it.
    fn value_click(
        &mut self,
        screen: &Screen,
        link: &crate::artifacts::Link,
    ) -> Result<Moved, AuditError> {
        let before_text = screen.text.clone();
        let before = self.page.url();
        let started = Instant::now();
        self.click(link)?;
        self.record(
            StepAction::ValueAction,
            &link.text,
            before.clone(),
            started,
            Vec::new(),
            Vec::new(),
        );
        if self.options.goal.is_stated() {
            return Ok(Moved::On);
        }
        let now = Screen::read(self.page)?;
        if let Some(moved) = self.signed_out(&now)? {
            return Ok(moved);
        }
        let opened_form = now
            .forms
            .iter()
            .any(|f| f.kind == FormKind::Other && f.required_fields().count() > 0);
        if !opened_form && (now.text != before_text || self.page.url() != before) {
            self.journey.reached_value = true;
            return self.end(
                Outcome::Completed,
                "the value moment: the create action produced its result",
            );
        }
        Ok(Moved::On)
    }

    /// Fills a form in one round trip; returns each input and whether it was required.
    fn fill_form(&mut self, form: &FormRegion) -> Result<Vec<(Input, bool)>, AuditError> {
        let mut actions = Vec::new();
        let mut inputs = Vec::new();
        for (i, p) in plan(form, &self.identity) {
            let f = &form.fields[i];
            if self.scripted_fields.contains(&f.selector) {
                continue;
            }
            if let Plan::Do(a) = p {
                inputs.push((input_of(&a), f.required));
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

    /// Changes what the refusal points at: a password rule → another password; a field
    /// named in the message → now required.
    fn adapt(&mut self, form: &FormRegion, refusal: &str) -> String {
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
            self.identity.password =
                alternative_password(&self.identity.password, self.passwords_tried);
            return "tried another password".into();
        }
        let named: Vec<String> = form
            .fields
            .iter()
            .filter(|f| !f.required && f.visible && mentions_field(&words, f))
            .map(|f| f.label.clone())
            .collect();
        if named.is_empty() {
            "filled the form again".into()
        } else {
            format!("now filling {}", named.join(", "))
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

    /// Dismisses cookie banners and similar overlays (rejecting when allowed). Not a step.
    fn dismiss_overlays(&mut self) -> Result<(), AuditError> {
        let started = Instant::now();
        for _ in 0..3 {
            let js = format!("{OVERLAY}({})", intent::cookie_words_json());
            let clicked: Option<serde_json::Value> = self.page.evaluate(&js)?;
            if clicked.is_none() {
                break;
            }
            tracing::info!(?clicked, "dismissed an overlay");
            self.page.settle_after_action();
        }
        self.journey.overlay_ms += u64::try_from(started.elapsed().as_millis()).unwrap_or(0);
        Ok(())
    }

    fn run_script(&mut self, script: &JourneyScript) -> Result<Moved, AuditError> {
        for (i, step) in script.steps.iter().enumerate() {
            if let Moved::Done = self.scripted(i, step)? {
                return Ok(Moved::Done);
            }
        }
        if script.stop_after {
            let screen = Screen::read(self.page)?;
            if self.goal_reached(&screen)? {
                self.journey.reached_value = true;
                return self.end(
                    Outcome::Completed,
                    format!("the value moment: {}", self.goal_words()),
                );
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
                self.scripted_click(&link)
            }
            ScriptStep::ClickSelector { selector } => {
                let link = crate::artifacts::Link {
                    text: selector.clone(),
                    href: None,
                    kind: crate::artifacts::LinkKind::Button,
                    location: crate::artifacts::LinkLocation::Main,
                    selector: Some(selector.clone()),
                };
                self.scripted_click(&link)
            }
            ScriptStep::Fill { field, value } => {
                let f = find_field(&screen, field).ok_or_else(|| {
                    script::missing(i, &format!("no field is labelled \"{field}\""))
                })?;
                let value = value
                    .replace("{email}", &self.identity.email)
                    .replace("{password}", &self.identity.password);
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
                self.pending_inputs.push((
                    Input::Text {
                        chars: value.chars().count(),
                    },
                    f.required,
                ));
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
                self.pending_inputs.push((Input::Select, f.required));
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

    fn scripted_click(&mut self, link: &crate::artifacts::Link) -> Result<Moved, AuditError> {
        let before = self.page.url();
        let started = Instant::now();
        let first = self.journey.steps.is_empty();
        self.click(link)?;
        if first {
            self.journey.entry = Some(Entry {
                url: link.href.clone().unwrap_or_else(|| before.clone()),
                text: link.text.clone(),
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
        self.record(action, &link.text, before, started, inputs, Vec::new());
        Ok(Moved::On)
    }
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

/// The short texts typed into a form (names, titles), to recognise the created item.
fn typed_values(form: &FormRegion, identity: &Identity) -> Vec<String> {
    plan(form, identity)
        .into_iter()
        .filter_map(|(i, p)| match p {
            Plan::Do(Action::Text { value, .. })
                if !matches!(
                    form.fields[i].field_type,
                    FieldType::Password | FieldType::PasswordConfirm
                ) =>
            {
                Some(value)
            }
            _ => None,
        })
        .collect()
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

/// The words a refused submission shows: alert regions, error texts, and the browser's
/// own validation messages.
fn refusal_text(page: &Page) -> Result<String, AuditError> {
    let js = r#"(() => {
      const shown = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
      const texts = [];
      for (const el of document.querySelectorAll('[role="alert"], [aria-live], .error, .errors, .form-error, .field-error, .invalid-feedback, .alert, .flash, .notice, .help-block.error')) {
        const t = (el.innerText || '').trim();
        if (t && shown(el) && !texts.includes(t)) texts.push(t);
      }
      for (const el of document.querySelectorAll('input, select, textarea')) {
        if (el.validationMessage && !texts.includes(el.validationMessage)) texts.push(el.validationMessage);
      }
      return texts.join(' ').slice(0, 400);
    })()"#;
    let t: String = page.evaluate(js)?;
    Ok(if t.is_empty() {
        "the same form came back without a message".into()
    } else {
        t
    })
}

fn mentions_field(words: &str, f: &crate::forms::Field) -> bool {
    let label = normalize(&f.label);
    let name = normalize(f.name.as_deref().unwrap_or(""));
    (!label.is_empty() && label.len() >= 3 && words.contains(&label))
        || (!name.is_empty() && name.len() >= 3 && crate::text::has_phrase(words, &name))
        || crate::text::has_phrase(words, f.field_type.as_str().replace('_', " ").as_str())
}

/// The form with the fields a refusal names marked required.
fn adapted_form(form: &FormRegion, refusal: &str) -> FormRegion {
    let words = normalize(refusal);
    let mut f = form.clone();
    for field in f.fields.iter_mut() {
        if !field.required && field.visible && mentions_field(&words, field) {
            field.required = true;
            field.required_reason = Some("the server asked for it".into());
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

/// Finds a cookie banner or consent overlay and presses the button a careful visitor
/// would (reject, else accept, else close). Returns what it pressed, or null.
const OVERLAY: &str = r#"((words) => {
  const norm = (s) => (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  const shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && parseFloat(s.opacity) > 0; };
  const boxes = [];
  for (const el of document.querySelectorAll('body *')) {
    const s = getComputedStyle(el);
    const floating = s.position === 'fixed' || s.position === 'sticky' || el.getAttribute('role') === 'dialog'
      || el.getAttribute('role') === 'alertdialog' || el.getAttribute('aria-modal') === 'true';
    if (!floating || !shown(el)) continue;
    if (boxes.some((b) => b.contains(el))) continue;
    const t = norm(el.innerText);
    if (!/\b(cookies?|consent|gdpr|tracking technologies|datenschutz|galletas|rastreamento)\b/.test(t)) continue;
    if (el.querySelector('input[type="password"], input[type="email"]')) continue;
    boxes.push(el);
  }
  for (const box of boxes) {
    const buttons = Array.from(box.querySelectorAll('button, a, [role="button"], input[type="button"], input[type="submit"]')).filter(shown);
    const texts = buttons.map((b) => norm(b.innerText || b.value || b.getAttribute('aria-label')));
    const pick = (list) => texts.findIndex((t) => list.some((w) => t === w || t.startsWith(w + ' ')));
    let i = pick(words.reject);
    if (i < 0) i = pick(words.accept);
    if (i < 0) i = pick(words.close);
    if (i >= 0) { buttons[i].click(); return { pressed: texts[i], banner: norm(box.innerText).slice(0, 120) }; }
  }
  return null;
})"#;
