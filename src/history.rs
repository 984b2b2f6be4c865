//! History: every audit recorded in an embedded SQLite database, so a product's runs can
//! be compared over time (`plg-audit history URL`, the trend chart in report.html).
//!
//! The database lives under the user's data directory by default ([`default_path`]); one
//! row per run holds the figures a reader follows (outcome, steps, fields, times, scores,
//! failed checks) and where the full report was written. Runs are grouped by a product
//! [`key`], so `https://Acme.com/` and `https://acme.com` are one product. Everything
//! here is plain data in, plain data out: the caller decides when to record and what to
//! print.
//!
//! The schema is versioned with `PRAGMA user_version`: [`SCHEMA_VERSION`] is bumped with
//! each change and [`History::open`] migrates older files forward. Several audits (a
//! batch) may write at once: SQLite's locks serialise them and a busy timeout makes a
//! writer wait its turn instead of failing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, TransactionBehavior};
use serde::{Deserialize, Serialize};

use crate::artifacts::Outcome;
use crate::audit::checklist::judge::Status;
use crate::audit::checklist::Pillar;
use crate::error::AuditError;
use crate::report::Report;

/// The version of the database's schema, kept in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 1;

/// How long a run waits for another run's write before giving up. A write takes
/// milliseconds; the margin covers a batch of audits finishing together.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Schema version 1. `product` is [`key`] of the home page after redirects (else of the
/// target); `target_key` is [`key`] of the URL as given, so a product found by either
/// address is found again. Times are RFC 3339 in UTC, which sort as text.
const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS runs (
    id                INTEGER PRIMARY KEY,
    product           TEXT    NOT NULL,
    target_key        TEXT    NOT NULL,
    target            TEXT    NOT NULL,
    started_at        TEXT    NOT NULL,
    outcome           TEXT,
    reached_value     INTEGER,
    steps             INTEGER,
    required_fields   INTEGER,
    total_fields      INTEGER,
    machine_ms        INTEGER,
    human_seconds     REAL,
    overall           REAL,
    activation        REAL,
    monetisation      REAL,
    virality          REAL,
    instrumentation   REAL,
    trust             REAL,
    failed_checks     TEXT    NOT NULL,
    checklist_version TEXT,
    tool_version      TEXT    NOT NULL,
    report_dir        TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_product ON runs (product, started_at);
CREATE INDEX IF NOT EXISTS runs_by_target ON runs (target_key, started_at);
";

/// `<data dir>/plg-audit/history.sqlite3` (on Linux `$XDG_DATA_HOME`, else
/// `~/.local/share`), or None when the platform has no data directory.
pub fn default_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("plg-audit").join("history.sqlite3"))
}

/// The product a URL stands for: scheme and host lowercased, default port, credentials,
/// fragment and a trailing `/` dropped (`https://Acme.com:443/#top` → `https://acme.com`).
/// The query is kept; `www.` is not folded (it may be another site). Text that is not a
/// URL is only trimmed, lowercased and stripped of a trailing `/`.
pub fn key(url: &str) -> String {
    let trimmed = url.trim();
    let Ok(parsed) = url::Url::parse(trimmed) else {
        return trimmed.trim_end_matches('/').to_lowercase();
    };
    // The url crate already lowercases scheme and host and hides a default port.
    let mut key = format!("{}://", parsed.scheme());
    if let Some(host) = parsed.host_str() {
        key.push_str(host);
    }
    if let Some(port) = parsed.port() {
        key.push_str(&format!(":{port}"));
    }
    key.push_str(parsed.path().trim_end_matches('/'));
    if let Some(query) = parsed.query() {
        key.push('?');
        key.push_str(query);
    }
    key
}

/// The URL without its user name and password, which have no place in a history file.
fn without_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() || !parsed.username().is_empty() => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// One recorded run, as `plg-audit history` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    pub id: i64,
    /// The product's [`key`].
    pub product: String,
    /// The URL as the user gave it (without credentials).
    pub target: String,
    /// When the audit started, RFC 3339 in UTC.
    pub started_at: String,
    /// How the signup journey ended; null when it was not walked.
    pub outcome: Option<Outcome>,
    pub reached_value: Option<bool>,
    pub steps: Option<usize>,
    pub required_fields: Option<usize>,
    pub total_fields: Option<usize>,
    pub machine_ms: Option<u64>,
    /// Keystroke-Level-Model time for a person (time to value when the value was reached).
    pub human_seconds: Option<f64>,
    /// 0–100, null when nothing could be scored.
    pub overall: Option<f64>,
    /// The pillars that were scored, 0–100.
    pub pillars: BTreeMap<Pillar, f64>,
    /// Ids of the checks that failed or passed only in part.
    pub failed_checks: Vec<String>,
    pub checklist_version: Option<String>,
    /// The plg-audit version that ran the audit.
    pub tool_version: String,
    /// The folder holding report.json and the other formats.
    pub report_dir: PathBuf,
}

/// The series for the report's trend chart, oldest run first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub points: Vec<TrendPoint>,
}

/// One run on the trend chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// When the audit started, RFC 3339 in UTC.
    pub started_at: String,
    /// Human seconds of the journey; time to value only when `reached_value`.
    pub human_seconds: Option<f64>,
    pub reached_value: bool,
    pub overall: Option<f64>,
}

/// The run history: one SQLite database.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl History {
    /// Opens the database at `path`, creating its folder and schema (or migrating an
    /// older schema) as needed.
    pub fn open(path: &Path) -> Result<History, AuditError> {
        let fail = |reason: String| open_error(path, reason);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Some(file) = parent.ancestors().find(|a| a.is_file()) {
                return Err(fail(format!(
                    "{} is a file, not a folder; give --history another path or pass --no-history",
                    file.display()
                )));
            }
            std::fs::create_dir_all(parent).map_err(|e| {
                fail(format!(
                    "its folder {} cannot be created ({e})",
                    parent.display()
                ))
            })?;
        }
        let mut conn = Connection::open(path).map_err(|e| fail(sqlite_reason(&e)))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| fail(sqlite_reason(&e)))?;
        migrate(&mut conn).map_err(|e| match e {
            Migration::Newer(version) => fail(format!(
                "it was written by a newer plg-audit (schema {version}, this one knows {SCHEMA_VERSION}); upgrade plg-audit or give --history another path"
            )),
            Migration::Sqlite(e) => fail(sqlite_reason(&e)),
        })?;
        Ok(History {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Where the database is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records one run whose reports were written to `report_dir`; returns its id.
    pub fn record(&self, report: &Report, report_dir: &Path) -> Result<i64, AuditError> {
        let product = key(report.home_url.as_deref().unwrap_or(&report.target));
        let signup = report.signup.as_ref();
        let scores = report.scores.as_ref();
        let pillar = |p: Pillar| scores.and_then(|s| s.pillars.get(&p)).and_then(|s| s.score);
        let failed: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| matches!(c.status, Status::Fail | Status::Partial))
            .map(|c| c.id.as_str())
            .collect();
        let failed = serde_json::to_string(&failed).expect("a list of ids always serialises");
        // Absolute, so the row still points at the report from another working folder.
        let report_dir = std::path::absolute(report_dir).unwrap_or(report_dir.to_path_buf());
        self.conn
            .execute(
                "INSERT INTO runs (product, target_key, target, started_at, outcome,
                    reached_value, steps, required_fields, total_fields, machine_ms,
                    human_seconds, overall, activation, monetisation, virality,
                    instrumentation, trust, failed_checks, checklist_version,
                    tool_version, report_dir)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                    ?16, ?17, ?18, ?19, ?20, ?21)",
                params![
                    product,
                    key(&report.target),
                    without_credentials(&report.target),
                    report.started_at,
                    signup.map(|s| s.outcome.as_str()),
                    signup.map(|s| s.reached_value),
                    signup.map(|s| to_i64(s.steps)),
                    signup.map(|s| to_i64(s.fields.required)),
                    signup.map(|s| to_i64(s.fields.total)),
                    signup.map(|s| i64::try_from(s.machine_ms).unwrap_or(i64::MAX)),
                    signup.map(|s| s.human_seconds),
                    scores.and_then(|s| s.overall),
                    pillar(Pillar::Activation),
                    pillar(Pillar::Monetisation),
                    pillar(Pillar::Virality),
                    pillar(Pillar::Instrumentation),
                    pillar(Pillar::Trust),
                    failed,
                    report.checklist_version,
                    report.tool.version,
                    report_dir.to_string_lossy(),
                ],
            )
            .map_err(|e| AuditError::Output {
                path: self.path.clone(),
                reason: format!(
                    "the run could not be added to the history ({})",
                    sqlite_reason(&e)
                ),
            })?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The product's last `limit` runs, newest first. `url` is matched by [`key`]
    /// against both the home page the runs reached and the address they were given.
    pub fn runs(&self, url: &str, limit: usize) -> Result<Vec<RunRow>, AuditError> {
        let wanted = key(url);
        let read = || -> rusqlite::Result<Vec<RunRow>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT id, product, target, started_at, outcome, reached_value, steps,
                    required_fields, total_fields, machine_ms, human_seconds, overall,
                    activation, monetisation, virality, instrumentation, trust,
                    failed_checks, checklist_version, tool_version, report_dir
                 FROM runs WHERE product = ?1 OR target_key = ?1
                 ORDER BY started_at DESC, id DESC LIMIT ?2",
            )?;
            let rows = statement.query_map(params![wanted, to_i64(limit)], row_from_sql)?;
            rows.collect()
        };
        read().map_err(|e| open_error(&self.path, sqlite_reason(&e)))
    }
}

fn row_from_sql(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    let count = |i: usize| -> rusqlite::Result<Option<usize>> {
        Ok(row
            .get::<_, Option<i64>>(i)?
            .map(|n| usize::try_from(n).unwrap_or(0)))
    };
    let mut pillars = BTreeMap::new();
    for (i, pillar) in (12..).zip(Pillar::ALL) {
        if let Some(score) = row.get::<_, Option<f64>>(i)? {
            pillars.insert(pillar, score);
        }
    }
    let outcome: Option<String> = row.get(4)?;
    let failed: String = row.get(17)?;
    let report_dir: String = row.get(20)?;
    Ok(RunRow {
        id: row.get(0)?,
        product: row.get(1)?,
        target: row.get(2)?,
        started_at: row.get(3)?,
        // An outcome a later version added reads as unknown rather than failing the list.
        outcome: outcome.and_then(|o| serde_json::from_value(serde_json::Value::String(o)).ok()),
        reached_value: row.get(5)?,
        steps: count(6)?,
        required_fields: count(7)?,
        total_fields: count(8)?,
        machine_ms: row
            .get::<_, Option<i64>>(9)?
            .map(|n| u64::try_from(n).unwrap_or(0)),
        human_seconds: row.get(10)?,
        overall: row.get(11)?,
        pillars,
        failed_checks: serde_json::from_str(&failed).unwrap_or_default(),
        checklist_version: row.get(18)?,
        tool_version: row.get(19)?,
        report_dir: PathBuf::from(report_dir),
    })
}

enum Migration {
    Newer(i64),
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for Migration {
    fn from(e: rusqlite::Error) -> Migration {
        Migration::Sqlite(e)
    }
}

/// Brings the schema to [`SCHEMA_VERSION`]. The write lock is taken first, so two runs
/// opening a new database together create it once.
fn migrate(conn: &mut Connection) -> Result<(), Migration> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    if version > SCHEMA_VERSION {
        return Err(Migration::Newer(version));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the lock: another run may have migrated meanwhile.
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Migration::Newer(version));
    }
    if version < 1 {
        tx.execute_batch(SCHEMA_V1)?;
    }
    // Later versions: `if version < 2 { ALTER TABLE … }`, and so on.
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

fn open_error(path: &Path, reason: String) -> AuditError {
    AuditError::Input {
        what: format!("the run history {}", path.display()),
        reason,
    }
}

/// SQLite's own words, without the error-code noise rusqlite adds.
fn sqlite_reason(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(code, Some(message)) => {
            format!("{message} ({:?})", code.code)
        }
        other => other.to_string(),
    }
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Figures that are better when they go down (steps, fields, times) or up (score).
#[derive(Clone, Copy)]
enum Better {
    Lower,
    Higher,
}

/// The arrow for `now` against `before` as shown (`decimals` places), with `!` when the
/// change is a worsening: `" ↑!"`, `" ↓ "`, `" → "`, or three spaces without a previous
/// figure.
fn arrow(before: Option<f64>, now: Option<f64>, decimals: usize, better: Better) -> &'static str {
    let (Some(before), Some(now)) = (before, now) else {
        return "   ";
    };
    let scale = 10f64.powi(decimals as i32);
    // Compared as displayed, so the arrow never contradicts the figures beside it.
    let (before, now) = ((before * scale).round(), (now * scale).round());
    match (now.partial_cmp(&before), better) {
        (Some(std::cmp::Ordering::Greater), Better::Higher) => " ↑ ",
        (Some(std::cmp::Ordering::Greater), Better::Lower) => " ↑!",
        (Some(std::cmp::Ordering::Less), Better::Higher) => " ↓!",
        (Some(std::cmp::Ordering::Less), Better::Lower) => " ↓ ",
        _ => " → ",
    }
}

/// `2026-12-06 02:39` from an RFC 3339 time (the text as it is when it is not one).
fn short_date(started_at: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::parse(started_at, &Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&format).ok())
        .unwrap_or_else(|| started_at.to_string())
}

fn oldest_first(rows: &[RunRow]) -> Vec<&RunRow> {
    let mut sorted: Vec<&RunRow> = rows.iter().collect();
    sorted.sort_by(|a, b| (&a.started_at, a.id).cmp(&(&b.started_at, b.id)));
    sorted
}

/// What `plg-audit history URL` prints: a header, one line per run **oldest first** (so
/// each arrow compares a run with the line above it), then a summary line. Rows may come
/// in any order. Each figure carries ↑, ↓ or → against the previous run, and `!` when the
/// change is a worsening (more steps, fields or time; a lower score). Times are UTC;
/// `–` marks a figure the run did not measure.
pub fn table(rows: &[RunRow]) -> String {
    let runs = oldest_first(rows);
    let (Some(first), Some(last)) = (runs.first(), runs.last()) else {
        return "No runs recorded.\n".to_string();
    };
    type Figure = (fn(&RunRow) -> Option<f64>, usize, Better);
    let figures: [Figure; 5] = [
        (|r| r.steps.map(|n| n as f64), 0, Better::Lower),
        (|r| r.required_fields.map(|n| n as f64), 0, Better::Lower),
        (|r| r.human_seconds, 1, Better::Lower),
        (
            |r| r.machine_ms.map(|ms| ms as f64 / 1000.0),
            1,
            Better::Lower,
        ),
        (|r| r.overall, 1, Better::Higher),
    ];
    let header = [
        "date",
        "outcome",
        "steps",
        "required fields",
        "human s",
        "machine s",
        "score",
    ];
    let mut lines: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    let mut previous: Option<&RunRow> = None;
    for run in &runs {
        let mut cells = vec![
            short_date(&run.started_at),
            run.outcome.map_or("–", |o| o.as_str()).to_string(),
        ];
        for (value, decimals, better) in figures {
            let now = value(run);
            let shown = now.map_or("–".to_string(), |v| format!("{v:.decimals$}"));
            let mark = arrow(previous.and_then(value), now, decimals, better);
            cells.push(format!("{shown}{mark}"));
        }
        lines.push(cells);
        previous = Some(run);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in &lines {
        let padded: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| format!("{cell}{}", " ".repeat(w - cell.chars().count())))
            .collect();
        out.push_str(padded.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str(&summary(&runs, first, last));
    out.push('\n');
    out
}

/// `3 runs from 2026-12-01 to 2026-12-06: overall score 54.1 → 90.3 (+36.2), human time
/// 41.7 s → 57.5 s (+15.8 s)`.
fn summary(runs: &[&RunRow], first: &RunRow, last: &RunRow) -> String {
    let change = |value: fn(&RunRow) -> Option<f64>, unit: &str| -> String {
        let measured: Vec<f64> = runs.iter().filter_map(|r| value(r)).collect();
        match (measured.first(), measured.last()) {
            (Some(a), Some(b)) if measured.len() > 1 => {
                format!("{a:.1}{unit} → {b:.1}{unit} ({:+.1}{unit})", b - a)
            }
            (Some(a), _) => format!("{a:.1}{unit}"),
            _ => "not measured".to_string(),
        }
    };
    let day = |r: &RunRow| {
        short_date(&r.started_at)
            .chars()
            .take(10)
            .collect::<String>()
    };
    let period = match runs.len() {
        1 => format!("1 run on {}", day(first)),
        n => format!("{n} runs from {} to {}", day(first), day(last)),
    };
    format!(
        "{period}: overall score {}, human time {}",
        change(|r| r.overall, ""),
        change(|r| r.human_seconds, " s")
    )
}

/// The trend chart's series, oldest run first; None with fewer than two runs (a single
/// point is no trend). Rows may come in any order.
pub fn trend(rows: &[RunRow]) -> Option<Trend> {
    if rows.len() < 2 {
        return None;
    }
    Some(Trend {
        points: oldest_first(rows)
            .into_iter()
            .map(|r| TrendPoint {
                started_at: r.started_at.clone(),
                human_seconds: r.human_seconds,
                reached_value: r.reached_value.unwrap_or(false),
                overall: r.overall,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Report {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/reports")
            .join(name);
        let text = std::fs::read_to_string(&path).expect("the fixture report exists");
        serde_json::from_str(&text).expect("the fixture is a report")
    }

    /// A report for `url` started at `started_at`, from the card-wall fixture.
    fn card_run(url: &str, started_at: &str) -> Report {
        let mut r = fixture("journey-card.json");
        r.target = url.to_string();
        r.home_url = Some(url.to_string());
        r.started_at = started_at.to_string();
        r
    }

    /// A report for `url` started at `started_at`, from the completed demo journey.
    fn demo_run(url: &str, started_at: &str) -> Report {
        let mut r = fixture("demo.json");
        r.target = url.to_string();
        r.home_url = Some(url.to_string());
        r.started_at = started_at.to_string();
        r
    }

    fn temp_history() -> (tempfile::TempDir, History) {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(&dir.path().join("history.sqlite3")).unwrap();
        (dir, history)
    }

    #[test]
    fn key_folds_case_default_ports_fragments_and_trailing_slashes() {
        assert_eq!(key("https://Acme.com/"), "https://acme.com");
        assert_eq!(key("https://acme.com"), "https://acme.com");
        assert_eq!(key("HTTPS://ACME.COM:443/#pricing"), "https://acme.com");
        assert_eq!(key("http://acme.com:80"), "http://acme.com");
        assert_eq!(key("http://127.0.0.1:42109/"), "http://127.0.0.1:42109");
        assert_eq!(key("https://acme.com/App/"), "https://acme.com/App");
        assert_eq!(key("https://acme.com/?ref=x"), "https://acme.com?ref=x");
        assert_eq!(key("https://user:secret@acme.com/"), "https://acme.com");
        assert_eq!(key(" not a url/ "), "not a url");
    }

    #[test]
    fn a_recorded_run_keeps_its_figures() {
        let (dir, history) = temp_history();
        let report = demo_run("https://Acme.com/", "2026-12-06T02:39:12Z");
        let id = history.record(&report, &dir.path().join("out")).unwrap();
        let rows = history.runs("https://acme.com", 10).unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.id, id);
        assert_eq!(row.product, "https://acme.com");
        assert_eq!(row.target, "https://Acme.com/");
        assert_eq!(row.started_at, "2026-12-06T02:39:12Z");
        assert_eq!(row.outcome, Some(Outcome::Completed));
        assert_eq!(row.reached_value, Some(true));
        assert_eq!(row.steps, Some(5));
        assert_eq!(row.required_fields, Some(6));
        assert_eq!(row.total_fields, Some(6));
        assert_eq!(row.machine_ms, Some(2444));
        assert_eq!(row.human_seconds, Some(57.5));
        assert_eq!(row.overall, Some(90.3));
        assert_eq!(
            row.pillars,
            BTreeMap::from([
                (Pillar::Activation, 91.1),
                (Pillar::Monetisation, 100.0),
                (Pillar::Virality, 78.3),
                (Pillar::Instrumentation, 73.3),
                (Pillar::Trust, 100.0),
            ])
        );
        assert_eq!(
            row.failed_checks,
            [
                "activation.max_required_fields",
                "activation.skippable_onboarding",
                "virality.public_embeds",
                "virality.powered_by_badge",
                "virality.referral_programme",
                "instrumentation.billing_provider",
                "instrumentation.experimentation",
                "instrumentation.error_tracking",
                "instrumentation.lifecycle_messaging",
            ]
        );
        assert_eq!(row.checklist_version.as_deref(), Some("1.0.0"));
        assert_eq!(row.tool_version, "0.1.0");
        assert_eq!(row.report_dir, dir.path().join("out"));
    }

    #[test]
    fn a_run_without_journey_or_scores_records_nulls() {
        let (dir, history) = temp_history();
        let mut report = demo_run("https://acme.com", "2026-12-06T02:39:12Z");
        report.signup = None;
        report.scores = None;
        history.record(&report, dir.path()).unwrap();
        let row = &history.runs("https://acme.com", 10).unwrap()[0];
        assert_eq!(row.outcome, None);
        assert_eq!(row.steps, None);
        assert_eq!(row.human_seconds, None);
        assert_eq!(row.overall, None);
        assert!(row.pillars.is_empty());
    }

    #[test]
    fn runs_come_newest_first_and_only_for_the_product() {
        let (dir, history) = temp_history();
        let a = history
            .record(
                &card_run("https://acme.com/", "2026-12-01T10:00:00Z"),
                dir.path(),
            )
            .unwrap();
        let other = history
            .record(
                &demo_run("https://other.io", "2026-12-02T10:00:00Z"),
                dir.path(),
            )
            .unwrap();
        let c = history
            .record(
                &demo_run("https://ACME.com", "2026-12-06T02:39:12Z"),
                dir.path(),
            )
            .unwrap();
        let b = history
            .record(
                &demo_run("https://acme.com:443/", "2026-12-03T10:00:00Z"),
                dir.path(),
            )
            .unwrap();
        let ids = |url: &str, limit: usize| -> Vec<i64> {
            history
                .runs(url, limit)
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect()
        };
        assert_eq!(ids("https://acme.com", 10), [c, b, a]);
        assert_eq!(ids("https://acme.com", 2), [c, b]);
        assert_eq!(ids("https://other.io/", 10), [other]);
        assert_eq!(ids("https://nobody.example", 10), Vec::<i64>::new());
    }

    #[test]
    fn a_product_is_found_by_the_address_given_as_well_as_the_home_it_reached() {
        let (dir, history) = temp_history();
        let mut report = demo_run("https://acme.com", "2026-12-06T02:39:12Z");
        report.home_url = Some("https://www.acme.com/en/".to_string());
        let id = history.record(&report, dir.path()).unwrap();
        assert_eq!(history.runs("https://acme.com/", 10).unwrap()[0].id, id);
        assert_eq!(
            history.runs("https://www.acme.com/en", 10).unwrap()[0].id,
            id
        );
        assert_eq!(
            history.runs("https://acme.com", 10).unwrap()[0].product,
            "https://www.acme.com/en"
        );
    }

    #[test]
    fn credentials_in_the_target_are_not_stored() {
        let (dir, history) = temp_history();
        let mut report = demo_run("https://acme.com", "2026-12-06T02:39:12Z");
        report.target = "https://user:secret@acme.com/".to_string();
        history.record(&report, dir.path()).unwrap();
        assert_eq!(
            history.runs("https://acme.com", 1).unwrap()[0].target,
            "https://acme.com/"
        );
    }

    #[test]
    fn reopening_keeps_the_runs_and_the_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/deeper/history.sqlite3");
        let history = History::open(&path).unwrap();
        history
            .record(
                &demo_run("https://acme.com", "2026-12-06T02:39:12Z"),
                dir.path(),
            )
            .unwrap();
        drop(history);
        let history = History::open(&path).unwrap();
        assert_eq!(history.runs("https://acme.com", 10).unwrap().len(), 1);
        let version: i64 = history
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite3");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = History::open(&path)
            .err()
            .expect("a newer schema is refused");
        assert_eq!(
            error.to_string(),
            format!(
                "cannot read the run history {}: it was written by a newer plg-audit (schema 99, this one knows 1); upgrade plg-audit or give --history another path",
                path.display()
            )
        );
    }

    #[test]
    fn a_path_under_a_file_gives_a_one_sentence_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "not a folder").unwrap();
        let path = file.join("history.sqlite3");
        let error = History::open(&path).err().expect("a file is not a folder");
        assert_eq!(
            error.to_string(),
            format!(
                "cannot read the run history {}: {} is a file, not a folder; give --history another path or pass --no-history",
                path.display(),
                file.display()
            )
        );
    }

    #[test]
    fn concurrent_writers_both_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite3");
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let path = path.clone();
                std::thread::spawn(move || {
                    // Each writer opens its own connection, as two audits of a batch do,
                    // and both may find the database still to be created.
                    let history = History::open(&path).unwrap();
                    for i in 0..25 {
                        let at = format!("2026-12-0{}T10:00:{i:02}Z", w + 1);
                        history
                            .record(&demo_run("https://acme.com", &at), Path::new("/tmp"))
                            .unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("a writer succeeded");
        }
        let history = History::open(&path).unwrap();
        assert_eq!(history.runs("https://acme.com", 100).unwrap().len(), 50);
    }

    fn three_runs() -> Vec<RunRow> {
        let (dir, history) = temp_history();
        let mut slower = demo_run("https://acme.com", "2026-12-06T02:39:12Z");
        let signup = slower.signup.as_mut().unwrap();
        signup.human_seconds = 60.3;
        signup.machine_ms = 2460;
        slower.scores.as_mut().unwrap().overall = Some(88.0);
        for report in [
            card_run("https://acme.com", "2026-12-01T10:00:00Z"),
            demo_run("https://acme.com", "2026-12-03T10:00:00Z"),
            slower,
        ] {
            history.record(&report, dir.path()).unwrap();
        }
        history.runs("https://acme.com", 10).unwrap()
    }

    #[test]
    fn the_table_shows_runs_oldest_first_with_trends_and_a_summary() {
        let table = table(&three_runs());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines,
            [
                "date              outcome        steps  required fields  human s  machine s  score",
                "2026-12-01 10:00  card_required  2      4                41.7     0.9        54.1",
                "2026-12-03 10:00  completed      5 ↑!   6 ↑!             57.5 ↑!  2.4 ↑!     90.3 ↑",
                "2026-12-06 02:39  completed      5 →    6 →              60.3 ↑!  2.5 ↑!     88.0 ↓!",
                "3 runs from 2026-12-01 to 2026-12-06: overall score 54.1 → 88.0 (+33.9), human time 41.7 s → 60.3 s (+18.6 s)",
            ]
        );
    }

    #[test]
    fn the_table_of_one_run_has_no_arrows() {
        let rows = three_runs();
        let table = table(&rows[..1]);
        assert_eq!(
            table,
            "date              outcome    steps  required fields  human s  machine s  score\n\
             2026-12-06 02:39  completed  5      6                60.3     2.5        88.0\n\
             1 run on 2026-12-06: overall score 88.0, human time 60.3 s\n"
        );
    }

    #[test]
    fn the_table_of_no_runs_says_so() {
        assert_eq!(table(&[]), "No runs recorded.\n");
    }

    #[test]
    fn the_trend_is_oldest_first_and_needs_two_runs() {
        let rows = three_runs();
        assert_eq!(trend(&rows[..1]), None);
        let trend = trend(&rows).expect("three runs make a trend");
        let points: Vec<(&str, Option<f64>, bool, Option<f64>)> = trend
            .points
            .iter()
            .map(|p| {
                (
                    p.started_at.as_str(),
                    p.human_seconds,
                    p.reached_value,
                    p.overall,
                )
            })
            .collect();
        assert_eq!(
            points,
            [
                ("2026-12-01T10:00:00Z", Some(41.7), false, Some(54.1)),
                ("2026-12-03T10:00:00Z", Some(57.5), true, Some(90.3)),
                ("2026-12-06T02:39:12Z", Some(60.3), true, Some(88.0)),
            ]
        );
    }
}
