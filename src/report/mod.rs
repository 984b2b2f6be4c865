//! Report: what an audit tells its reader, in the formats they read. `report.json` is the
//! stable, versioned contract (its schema ships as `report.schema.json` and is printed by
//! `plg-audit schema`); `report.html` is the teardown rendered from `templates/`.
//!
//! The report knows nothing about browsers: it is built from artifacts and audit results.

pub mod checks;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod pricing;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::artifacts::{
    Artifacts, Blocker, ConsentBanner, DialogRecord, EmptyState, Entry, FieldCount, FilledField,
    JourneyArtifact, OptIn, Outcome, PageRole, PlannedForm, PopupRecord, Problem, StepAction,
    ValueProof,
};
use crate::audit::checklist::judge::CheckResult;
use crate::audit::checklist::scores::{Scores, Summary};
use crate::audit::mechanics::{Mechanic, Mechanics};
use crate::audit::stack::StackVendor;
use crate::audit::{klm, SiteSummary};
use crate::error::AuditError;

/// Bumped whenever a field of report.json changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema of report.json.
pub const JSON_SCHEMA: &str = include_str!("report.schema.json");

/// report.json, version 1. Every field is documented in the README and the schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    /// The URL as the user gave it.
    pub target: String,
    /// The product's name as its pages title themselves (else its host and port).
    pub product_name: String,
    /// The home page after redirects, or null when it could not be reached.
    pub home_url: Option<String>,
    /// When the audit started, RFC 3339 in UTC.
    pub started_at: String,
    pub duration_ms: u64,
    /// Browser product and version, or null when no browser ran.
    pub browser: Option<String>,
    /// The remote browser's DevTools address (`--browser-ws`), without token or password;
    /// absent when the browser was launched on this machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_endpoint: Option<String>,
    pub pages: Vec<ReportPage>,
    /// Pages per role, and expected roles not found.
    pub site: SiteSummary,
    /// The signup journey, or null when it was not walked.
    pub signup: Option<Signup>,
    /// Hosts outside the product's site that its pages requested.
    pub third_party_hosts: Vec<String>,
    pub dialogs: Vec<DialogRecord>,
    pub warnings: Vec<Problem>,
    pub errors: Vec<Problem>,
    /// Growth mechanics (invite, share, embed…), each present or not, with evidence.
    #[serde(default)]
    pub mechanics: Mechanics,
    /// The tools the product runs, with evidence, by category.
    #[serde(default)]
    pub stack: Vec<StackVendor>,
    /// A cookie or consent banner on the home page and how the journey answered it.
    pub consent_banner: Option<ConsentBanner>,
    /// The product's pricing as read from its pricing page (or the home page's plan
    /// section); null when the site shows neither.
    pub pricing: Option<crate::pricing::Pricing>,
    /// Why `pricing` is null (null when it is not).
    pub pricing_reason: Option<String>,
    /// Windows the pages opened, all closed (one the journey's own action opened on the
    /// product's site is followed).
    #[serde(default)]
    pub popups: Vec<PopupRecord>,
    /// The version of the checklist the checks were judged by (`+custom` with `--checks`).
    #[serde(default)]
    pub checklist_version: Option<String>,
    /// Every enabled check's result, in checklist order.
    #[serde(default)]
    pub checks: Vec<CheckResult>,
    /// The pillars' scores and the overall score.
    #[serde(default)]
    pub scores: Option<Scores>,
    /// The product's motion and the fixes that matter most.
    #[serde(default)]
    pub summary: Option<Summary>,
    /// With `--runs N`: the journey's figures over N runs (the signup's times are then
    /// their medians); null for a single run.
    #[serde(default)]
    pub stability: Option<crate::compare::stability::Stability>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// One page in report.json.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportPage {
    pub url: String,
    pub role: PageRole,
    /// Every role the page plays, `role` first.
    pub roles: Vec<PageRole>,
    pub status: u16,
    pub title: String,
    /// Why the page got its role.
    pub role_reason: String,
    /// Whether the page was rendered in the browser (else read from its static HTML).
    pub rendered: bool,
    /// Relative path of the viewport screenshot, if one was taken.
    pub screenshot: Option<String>,
    /// The Content-Type the server declared, or null when only the browser saw the page.
    #[serde(default)]
    pub content_type: Option<String>,
}

/// The signup journey in report.json.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signup {
    pub outcome: Outcome,
    /// Why the journey ended there.
    pub reason: String,
    pub entry: Option<Entry>,
    pub sso_providers: Vec<String>,
    /// User actions that moved forward.
    pub steps: usize,
    pub fields: FieldCount,
    pub reached_value: bool,
    /// Machine time of all steps, action to settled.
    pub machine_ms: u64,
    /// Keystroke-Level-Model estimate for a person, waits included.
    pub human_seconds: f64,
    pub identity: SignupIdentity,
    pub blocker: Option<Blocker>,
    /// Optional screens offered and skipped (invites, integrations…).
    pub offered: Vec<String>,
    pub journey: Vec<JourneyStep>,
    /// With `--no-submit`: the form the journey stopped in front of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub would_submit: Option<PlannedForm>,
    /// What proved the value moment, or null when it was not reached.
    pub value: Option<ValueProof>,
    /// A marketing opt-in the product ticked for the user (the journey unticked it).
    pub prechecked_opt_in: Option<OptIn>,
    /// The app's empty state where the first value began.
    pub empty_state: Option<EmptyState>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignupIdentity {
    pub email: String,
}

/// One step in report.json.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JourneyStep {
    pub n: usize,
    pub action: StepAction,
    pub label: String,
    /// The heading of the screen the step was taken on, e.g. "Tell us about your team";
    /// absent when that screen had none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen: Option<String>,
    /// URL after the step settled.
    pub url: String,
    pub fields: FieldCount,
    pub ms: u64,
    /// Keystroke-Level-Model estimate of this step for a person, its wait included.
    #[serde(default)]
    pub human_seconds: f64,
    pub screenshot: Option<String>,
    pub notes: Vec<String>,
    /// Every control the step filled or ticked.
    pub filled: Vec<FilledField>,
}

impl JourneyStep {
    /// The action in words ("cta click", "value action").
    pub fn action_name(&self) -> String {
        serde_json::to_value(self.action)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default()
    }

    /// The step as a person would name it: the screen it was taken on, else its action
    /// and button — `"Tell us about your team"`, or `continue "Continue"`.
    pub fn title(&self) -> String {
        match &self.screen {
            Some(heading) => format!("\"{heading}\""),
            None => format!("{} \"{}\"", self.action_name(), self.label),
        }
    }
}

impl Signup {
    pub fn from_journey(j: &JourneyArtifact) -> Signup {
        Signup {
            outcome: j.outcome,
            reason: j.reason.clone(),
            entry: j.entry.clone(),
            sso_providers: j.sso_providers.clone(),
            steps: j.steps.len(),
            fields: {
                // The fields of a form a wall sits on count: a person fills them first.
                let at_wall = j.blocker.as_ref().map_or(&[][..], |b| &b.fields[..]);
                FieldCount {
                    total: j.steps.iter().map(|s| s.fields.total).sum::<usize>() + at_wall.len(),
                    required: j.steps.iter().map(|s| s.fields.required).sum::<usize>()
                        + at_wall.iter().filter(|f| f.required).count(),
                }
            },
            reached_value: j.reached_value,
            machine_ms: j.steps.iter().map(|s| s.ms).sum(),
            human_seconds: (klm::human_seconds(j) * 10.0).round() / 10.0,
            identity: SignupIdentity {
                email: j.email.clone(),
            },
            blocker: j.blocker.clone(),
            offered: j.offered.clone(),
            would_submit: j.would_submit.clone(),
            journey: j
                .steps
                .iter()
                .map(|s| JourneyStep {
                    n: s.n,
                    action: s.action,
                    label: s.label.clone(),
                    screen: s.screen.clone(),
                    url: s.url_after.clone(),
                    fields: s.fields,
                    ms: s.ms,
                    human_seconds: (klm::step_seconds(s) * 10.0).round() / 10.0,
                    screenshot: s.screenshot.clone(),
                    notes: s.notes.clone(),
                    filled: s.filled.clone(),
                })
                .collect(),
            value: j.value.clone(),
            prechecked_opt_in: j.prechecked_opt_in.clone(),
            empty_state: j.empty_state.clone(),
        }
    }
}

impl Report {
    pub fn new(
        artifacts: &Artifacts,
        site: SiteSummary,
        started_at: String,
        duration_ms: u64,
    ) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            target: artifacts.target.clone(),
            product_name: crate::audit::product::product_name(artifacts),
            home_url: artifacts.home_url.clone(),
            started_at,
            duration_ms,
            browser: artifacts.browser_version.clone(),
            browser_endpoint: artifacts.browser_endpoint.clone(),
            pages: artifacts
                .pages
                .iter()
                .map(|p| ReportPage {
                    url: p.url.clone(),
                    role: p.role,
                    roles: p.all_roles(),
                    status: p.status,
                    title: p.title.clone(),
                    role_reason: p.role_reason.clone(),
                    rendered: p.rendered,
                    screenshot: p.screenshot.clone(),
                    content_type: p.content_type.clone(),
                })
                .collect(),
            site,
            signup: artifacts.journey.as_ref().map(Signup::from_journey),
            third_party_hosts: artifacts.third_party_hosts.clone(),
            dialogs: artifacts.dialogs.clone(),
            warnings: artifacts.warnings.clone(),
            errors: artifacts.errors.clone(),
            // Judged from saved files by the caller (see `run::run_audit`).
            mechanics: Mechanics::new(),
            stack: Vec::new(),
            consent_banner: artifacts.consent_banner.clone(),
            pricing: artifacts.pricing.clone(),
            pricing_reason: match &artifacts.pricing {
                Some(_) => None,
                None => Some(
                    artifacts
                        .pricing_reason
                        .clone()
                        .unwrap_or_else(|| "the site could not be read".to_string()),
                ),
            },
            popups: artifacts.popups.clone(),
            // Judged by the caller (see `audit::judge`).
            checklist_version: None,
            checks: Vec::new(),
            scores: None,
            summary: None,
            stability: None,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises")
    }
}

/// The formats written beside report.json (which is always written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub html: bool,
    pub md: bool,
    pub junit: bool,
}

impl Default for Formats {
    fn default() -> Formats {
        Formats {
            html: true,
            md: true,
            junit: true,
        }
    }
}

impl Formats {
    /// `html,json,md,junit` (any subset, in any order; json is always written).
    pub fn parse(list: &str) -> Result<Formats, String> {
        let mut f = Formats {
            html: false,
            md: false,
            junit: false,
        };
        for name in list.split(',').map(str::trim) {
            match name {
                "html" => f.html = true,
                "md" | "markdown" => f.md = true,
                "junit" => f.junit = true,
                "json" => {}
                _ => {
                    return Err(
                        "must list formats from html, json, md, junit, comma-separated".to_string(),
                    )
                }
            }
        }
        Ok(f)
    }
}

/// How the reports are written: which formats, under whose brand, with which pillar
/// weights (for the fixes' expected effect).
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub formats: Formats,
    pub brand: html::Brand,
    /// Earlier runs of the product with this one, for the report's trend chart.
    pub trend: Option<crate::history::Trend>,
}

/// Files written for one audit.
pub struct Written {
    pub json: PathBuf,
    pub html: Option<PathBuf>,
    pub md: Option<PathBuf>,
    pub junit: Option<PathBuf>,
}

/// Writes report.json, artifacts.json and the chosen formats (report.html, report.md,
/// report.junit.xml) into `dir`.
pub fn write_all(
    dir: &Path,
    report: &Report,
    artifacts: &Artifacts,
    options: &RenderOptions,
) -> Result<Written, AuditError> {
    let output_error = |path: &Path, e: &dyn std::fmt::Display| AuditError::Output {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let write = |name: &str, text: &str| -> Result<PathBuf, AuditError> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| output_error(&path, &e))?;
        Ok(path)
    };
    std::fs::create_dir_all(dir).map_err(|e| output_error(dir, &e))?;
    let json = write("report.json", &report.to_json())?;
    write(
        "artifacts.json",
        &serde_json::to_string_pretty(artifacts).expect("artifacts always serialise"),
    )?;
    let mut written = Written {
        json,
        html: None,
        md: None,
        junit: None,
    };
    if options.formats.html {
        let page = html::render(report, dir, &options.brand, options.trend.as_ref())
            .map_err(|e| output_error(&dir.join("report.html"), &tera_error(&e)))?;
        written.html = Some(write("report.html", &page)?);
    }
    if options.formats.md {
        written.md = Some(write("report.md", &markdown::render(report))?);
    }
    if options.formats.junit {
        written.junit = Some(write("report.junit.xml", &junit::render(report))?);
    }
    Ok(written)
}

/// A Tera error with its causes (the template line at fault).
fn tera_error(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The five lines printed after an audit: what was audited, what was found, and what
/// went wrong.
pub fn summary(report: &Report) -> Vec<String> {
    let seconds = report.duration_ms as f64 / 1000.0;
    let roles: Vec<String> = report
        .site
        .pages_by_role
        .iter()
        .map(|(role, n)| {
            if *n > 1 {
                format!("{role} ×{n}")
            } else {
                role.to_string()
            }
        })
        .collect();
    let first = |role: PageRole| {
        report
            .pages
            .iter()
            .find(|p| p.roles.contains(&role))
            .map(|p| p.url.clone())
    };
    let key_pages = [PageRole::Pricing, PageRole::Signup, PageRole::Login]
        .iter()
        .map(|r| {
            format!(
                "{r} {}",
                first(*r).unwrap_or_else(|| "not found".to_string())
            )
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let hosts = if report.third_party_hosts.is_empty() {
        "none".to_string()
    } else {
        report.third_party_hosts.join(", ")
    };
    let signup = match &report.signup {
        None => "Signup: not walked".to_string(),
        Some(s) => {
            let head = match s.outcome {
                Outcome::Completed => format!("Signup: value reached in {} steps", s.steps),
                o => format!("Signup: {} after {} steps", o.as_str(), s.steps),
            };
            format!(
                "{head}, {} required fields, {:.1} s machine, ~{:.0} s for a person",
                s.fields.required,
                s.machine_ms as f64 / 1000.0,
                s.human_seconds
            )
        }
    };
    let mut lines = vec![
        format!(
            "Audited {} in {seconds:.1} s: {} pages ({})",
            report.home_url.as_deref().unwrap_or(&report.target),
            report.pages.len(),
            if roles.is_empty() {
                "none".to_string()
            } else {
                roles.join(", ")
            }
        ),
        signup,
        format!("Key pages: {key_pages}"),
        format!("Third-party hosts requested: {hosts}"),
        format!(
            "Problems: {} errors, {} warnings",
            report.errors.len(),
            report.warnings.len()
        ),
    ];
    if let Some(growth) = growth_summary(report) {
        lines.insert(lines.len() - 1, growth);
    }
    if let Some(st) = &report.stability {
        let at = lines.len() - 1;
        let human = st
            .human_seconds
            .map(|h| {
                format!(
                    "time to value median {:.0} s ({:.0}–{:.0} s)",
                    h.median, h.min, h.max
                )
            })
            .unwrap_or_else(|| "no journey times".to_string());
        let verdict = if st.stable {
            "the runs agree".to_string()
        } else {
            format!("UNSTABLE: {}", st.differences.join("; "))
        };
        lines.insert(at, format!("Runs: {} · {human} · {verdict}", st.runs));
    }
    if let (Some(scores), Some(summary)) = (&report.scores, &report.summary) {
        let at = lines.len() - 1;
        for (i, line) in checks::score_lines(scores, summary).into_iter().enumerate() {
            lines.insert(at + i, line);
        }
    }
    lines
}

/// "Growth: 5 of 10 mechanics (invite, templates, …) · stack: Intercom, Segment", or None
/// for a report that has no mechanics (an older one).
fn growth_summary(report: &Report) -> Option<String> {
    if report.mechanics.is_empty() {
        return None;
    }
    let present: Vec<String> = report
        .mechanics
        .iter()
        .filter(|(_, f)| f.present)
        .map(|(m, _)| m.as_str().replace('_', " "))
        .collect();
    let mechanics = if present.is_empty() {
        "none".to_string()
    } else {
        present.join(", ")
    };
    let stack = if report.stack.is_empty() {
        "no known tools".to_string()
    } else {
        report
            .stack
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(format!(
        "Growth: {} of {} mechanics ({mechanics}) · stack: {stack}",
        present.len(),
        Mechanic::ALL.len()
    ))
}
