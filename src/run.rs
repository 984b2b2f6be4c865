//! One audit, end to end: gather → audit → report. Used by `plg-audit audit` and
//! `plg-audit demo` alike.

use std::path::{Path, PathBuf};
use std::time::Instant;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::audit;
use crate::audit::checklist::Checklist;
use crate::audit::vendors::VendorCatalogue;
use crate::error::AuditError;
use crate::gather::{self, site::parse_target, GatherOptions};
use crate::progress::Progress;
use crate::report::{self, RenderOptions, Report, Written};

/// What to audit and where to write it.
#[derive(Debug, Clone)]
pub struct AuditRequest {
    pub target: String,
    /// `--out`; None for `./plg-audit-report/<host>-<timestamp>/`.
    pub out: Option<PathBuf>,
    pub gather: GatherOptions,
    /// The vendor fingerprints the growth stack is recognised by (built-in plus `--vendors`).
    pub vendors: VendorCatalogue,
    /// The checks the product is judged by (built-in plus `--checks`).
    pub checklist: Checklist,
    /// The formats written and the brand they carry.
    pub render: RenderOptions,
}

/// A run id unique enough to plus-address one signup per run: the UTC time to the
/// millisecond, e.g. "20261123t104514123".
pub fn run_id() -> String {
    let now = OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}t{:02}{:02}{:02}{:03}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}

/// A finished audit: the report, where it was written, and what stopped it, if anything.
pub struct AuditRun {
    pub report: Report,
    pub dir: PathBuf,
    pub written: Option<Written>,
    /// The first error that kept the audit from running fully (exit 2).
    pub fatal: Option<AuditError>,
}

/// Runs one audit. Only an unusable target is an `Err`: then nothing was gathered and
/// nothing is written. Every later failure still writes what was gathered.
pub async fn run_audit(
    request: &AuditRequest,
    progress: &Progress,
) -> Result<AuditRun, AuditError> {
    let target = parse_target(&request.target)?;
    let now = OffsetDateTime::now_utc();
    let started = now.replace_nanosecond(0).unwrap_or(now);
    let clock = Instant::now();
    let dir = request
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&target, started));
    std::fs::create_dir_all(&dir).map_err(|e| AuditError::Output {
        path: dir.clone(),
        reason: e.to_string(),
    })?;

    let gathered = gather::gather(&target, &request.gather, &dir, progress).await;
    progress.stage("Writing the report");
    let site = audit::summarize(&gathered.artifacts);
    let duration_ms = u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX);
    let started_at = started
        .format(&Rfc3339)
        .unwrap_or_else(|_| started.to_string());
    let mut report = Report::new(&gathered.artifacts, site, started_at, duration_ms);
    // Mechanics, stack and checks are judged from the pages and screens saved in `dir`.
    let judging = Instant::now();
    let saved = |relative: &str| std::fs::read_to_string(dir.join(relative)).ok();
    audit::judge(
        &mut report,
        &gathered.artifacts,
        &request.vendors,
        &request.checklist,
        &saved,
    );
    tracing::info!(elapsed = ?judging.elapsed(), vendors = report.stack.len(), checks = report.checks.len(), "judged the product");
    let mut fatal = gathered.fatal;
    let written = match report::write_all(&dir, &report, &gathered.artifacts, &request.render) {
        Ok(w) => Some(w),
        Err(e) => {
            report.errors.push(crate::artifacts::Problem::new(
                "report",
                None,
                e.to_string(),
            ));
            fatal.get_or_insert(e);
            None
        }
    };
    progress.finish();
    Ok(AuditRun {
        report,
        dir,
        written,
        fatal,
    })
}

/// `./plg-audit-report/<host>-<YYYYMMDD-HHMMSS>/`.
fn default_out_dir(target: &url::Url, at: OffsetDateTime) -> PathBuf {
    let host = target.host_str().unwrap_or("site");
    let host = match target.port() {
        Some(port) => format!("{host}-{port}"),
        None => host.to_string(),
    };
    let stamp = format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    Path::new("plg-audit-report").join(format!("{host}-{stamp}"))
}

/// A saved run read back: its artifacts and its report rebuilt from them (not judged).
fn load_run(dir: &Path) -> Result<(crate::artifacts::Artifacts, Report), AuditError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|e| AuditError::Input {
            what: path.display().to_string(),
            reason: if e.kind() == std::io::ErrorKind::NotFound {
                format!("it does not exist, so {} is not a saved run", dir.display())
            } else {
                e.to_string()
            },
        })
    };
    let artifacts: crate::artifacts::Artifacts = serde_json::from_str(&read("artifacts.json")?)
        .map_err(|e| AuditError::Input {
            what: dir.join("artifacts.json").display().to_string(),
            reason: format!("it is not the artifacts of a plg-audit run ({e})"),
        })?;
    // The start time and duration are the run's own, kept in its report.json; a run whose
    // report.json was lost gets the epoch and 0, which read as unknown.
    let (started_at, duration_ms) = match read("report.json")
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    {
        Some(old) => (
            old["started_at"].as_str().unwrap_or_default().to_string(),
            old["duration_ms"].as_u64().unwrap_or(0),
        ),
        None => ("1970-01-01T00:00:00Z".to_string(), 0),
    };
    let site = audit::summarize(&artifacts);
    let report = Report::new(&artifacts, site, started_at, duration_ms);
    Ok((artifacts, report))
}

/// Judges a saved run again: reads `dir/artifacts.json` (and the pages and screens it
/// names), judges it with `vendors` and `checklist`, and rewrites report.json and the
/// formats `render` asks for. The run's start time and duration are kept from its
/// report.json. `plg-audit rescore` and `plg-audit report` both run this.
pub fn rescore(
    dir: &Path,
    vendors: &VendorCatalogue,
    checklist: &Checklist,
    render: &RenderOptions,
) -> Result<(Report, Written), AuditError> {
    let (artifacts, mut report) = load_run(dir)?;
    let saved = |relative: &str| std::fs::read_to_string(dir.join(relative)).ok();
    audit::judge(&mut report, &artifacts, vendors, checklist, &saved);
    let written = report::write_all(dir, &report, &artifacts, render)?;
    Ok((report, written))
}

/// The facts a check expression sees for a saved run, as a JSON object.
pub fn facts(dir: &Path, vendors: &VendorCatalogue) -> Result<serde_json::Value, AuditError> {
    let (artifacts, mut report) = load_run(dir)?;
    let saved = |relative: &str| std::fs::read_to_string(dir.join(relative)).ok();
    let empty = Checklist {
        version: String::new(),
        pillar_weights: Default::default(),
        checks: Vec::new(),
    };
    audit::judge(&mut report, &artifacts, vendors, &empty, &saved);
    let facts = audit::checklist::facts::Facts::gather(&report, &artifacts, &saved);
    Ok(serde_json::Value::Object(facts.root))
}
