//! Comparing runs: what got better and what got worse between a baseline and a new run of
//! the same product (`plg-audit diff`, `audit --baseline`). Pure: two reports in, a list
//! of changes out; [`render`] writes them for people.

pub mod products;
pub mod render;
pub mod stability;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::audit::checklist::judge::Status;
use crate::error::AuditError;
use crate::report::{Report, Signup};

/// How far a time may move before it counts: both the share and the absolute amount must
/// be exceeded (timings are noisy).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tolerance {
    pub percent: f64,
    pub ms: u64,
}

impl Default for Tolerance {
    fn default() -> Tolerance {
        Tolerance {
            percent: 20.0,
            ms: 500,
        }
    }
}

impl Tolerance {
    /// `20%`, `500ms`, `2s` or both, comma-separated (`20%,500ms`); a part left out keeps
    /// its default.
    pub fn parse(text: &str) -> Result<Tolerance, String> {
        let wrong = || "must be a share and/or a time, e.g. 20%, 500ms or 20%,500ms".to_string();
        let mut t = Tolerance::default();
        for part in text.split(',').map(str::trim) {
            if let Some(p) = part.strip_suffix('%') {
                t.percent = p.trim().parse::<f64>().map_err(|_| wrong())?;
                if !(0.0..=1000.0).contains(&t.percent) {
                    return Err(wrong());
                }
            } else if let Some(ms) = part.strip_suffix("ms") {
                t.ms = ms.trim().parse::<u64>().map_err(|_| wrong())?;
            } else if let Some(s) = part.strip_suffix('s') {
                let secs = s.trim().parse::<f64>().map_err(|_| wrong())?;
                if !(0.0..=86_400.0).contains(&secs) {
                    return Err(wrong());
                }
                t.ms = (secs * 1000.0).round() as u64;
            } else {
                return Err(wrong());
            }
        }
        Ok(t)
    }

    /// Whether going from `old` to `new` milliseconds is beyond the tolerance.
    fn exceeded(&self, old: f64, new: f64) -> bool {
        let delta = (new - old).abs();
        delta > self.ms as f64 && delta > old.abs() * self.percent / 100.0
    }
}

/// Whether a change helps, hurts, or just is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Worse,
    Better,
    Changed,
}

/// What part of the audit changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Outcome,
    Steps,
    Fields,
    Time,
    Checks,
    Scores,
    Pricing,
    Stack,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub area: Area,
    pub direction: Direction,
    /// One sentence: what changed, from what to what.
    pub text: String,
}

/// One side of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The run's directory (screenshots are relative to it).
    pub dir: PathBuf,
    pub started_at: String,
    pub target: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub old: Side,
    pub new: Side,
    pub tolerance: Tolerance,
    /// Worse first, then better, then neutral changes.
    pub changes: Vec<Change>,
    /// Whether the journey's steps differ (the HTML shows both filmstrips then).
    pub journey_changed: bool,
}

impl Diff {
    pub fn regressions(&self) -> usize {
        self.count(Direction::Worse)
    }

    pub fn count(&self, d: Direction) -> usize {
        self.changes.iter().filter(|c| c.direction == d).count()
    }
}

/// A saved run's report: a run directory (its report.json) or a report.json file.
pub fn load(path: &Path) -> Result<(Report, PathBuf), AuditError> {
    let (file, dir) = if path.is_dir() {
        (path.join("report.json"), path.to_path_buf())
    } else {
        (
            path.to_path_buf(),
            path.parent().map(Path::to_path_buf).unwrap_or_default(),
        )
    };
    let text = std::fs::read_to_string(&file).map_err(|e| AuditError::Input {
        what: file.display().to_string(),
        reason: if e.kind() == std::io::ErrorKind::NotFound {
            "it does not exist (give a run directory or its report.json)".to_string()
        } else {
            e.to_string()
        },
    })?;
    let report = serde_json::from_str(&text).map_err(|e| AuditError::Input {
        what: file.display().to_string(),
        reason: format!("it is not a plg-audit report.json ({e})"),
    })?;
    Ok((report, dir))
}

/// Compares `new` with the baseline `old`.
pub fn diff(
    old: &Report,
    old_dir: &Path,
    new: &Report,
    new_dir: &Path,
    tolerance: Tolerance,
) -> Diff {
    let mut changes = Vec::new();
    let mut journey_changed = false;
    match (&old.signup, &new.signup) {
        (Some(a), Some(b)) => {
            outcome(a, b, &mut changes);
            journey_changed = steps(a, b, &mut changes);
            fields(a, b, &mut changes);
            times(a, b, tolerance, &mut changes);
        }
        (Some(_), None) => changes.push(Change {
            area: Area::Outcome,
            direction: Direction::Changed,
            text: "the signup journey was not walked this time".to_string(),
        }),
        (None, Some(_)) => changes.push(Change {
            area: Area::Outcome,
            direction: Direction::Changed,
            text: "the signup journey was walked this time (not in the baseline)".to_string(),
        }),
        (None, None) => {}
    }
    checks(old, new, &mut changes);
    scores(old, new, &mut changes);
    pricing(old, new, &mut changes);
    stack(old, new, &mut changes);
    changes.sort_by_key(|c| (c.direction, c.area));
    Diff {
        old: Side {
            dir: old_dir.to_path_buf(),
            started_at: old.started_at.clone(),
            target: old.target.clone(),
        },
        new: Side {
            dir: new_dir.to_path_buf(),
            started_at: new.started_at.clone(),
            target: new.target.clone(),
        },
        tolerance,
        changes,
        journey_changed,
    }
}

fn push(changes: &mut Vec<Change>, area: Area, direction: Direction, text: String) {
    changes.push(Change {
        area,
        direction,
        text,
    });
}

fn outcome(a: &Signup, b: &Signup, changes: &mut Vec<Change>) {
    if a.outcome == b.outcome {
        return;
    }
    let (from, to) = (a.outcome.as_str(), b.outcome.as_str());
    let direction = match (from == "completed", to == "completed") {
        (true, false) => Direction::Worse,
        (false, true) => Direction::Better,
        _ => Direction::Changed,
    };
    let why = if to == "completed" {
        String::new()
    } else {
        format!(" ({})", b.reason)
    };
    push(
        changes,
        Area::Outcome,
        direction,
        format!("outcome: {from} → {to}{why}"),
    );
}

/// A step as compared across runs: its action and label.
fn step_key(s: &crate::report::JourneyStep) -> String {
    format!("{} \"{}\"", s.action_name(), s.label)
}

/// Steps added and removed, by label (a longest common subsequence of the two journeys).
/// Returns whether the journeys differ.
fn steps(a: &Signup, b: &Signup, changes: &mut Vec<Change>) -> bool {
    let old: Vec<String> = a.journey.iter().map(step_key).collect();
    let new: Vec<String> = b.journey.iter().map(step_key).collect();
    let (removed, added) = sequence_diff(&old, &new);
    for i in &added {
        push(
            changes,
            Area::Steps,
            Direction::Worse,
            format!("step {} {} was added", i + 1, b.journey[*i].title()),
        );
    }
    for i in &removed {
        push(
            changes,
            Area::Steps,
            Direction::Better,
            format!("step {} {} was removed", i + 1, a.journey[*i].title()),
        );
    }
    if a.steps != b.steps && added.is_empty() && removed.is_empty() {
        let direction = if b.steps > a.steps {
            Direction::Worse
        } else {
            Direction::Better
        };
        push(
            changes,
            Area::Steps,
            direction,
            format!("steps: {} → {}", a.steps, b.steps),
        );
    }
    !added.is_empty() || !removed.is_empty()
}

/// The indexes of `new`'s steps that `old` did not have (by action and label).
pub fn diff_steps(old: &Signup, new: &Signup) -> Vec<usize> {
    let a: Vec<String> = old.journey.iter().map(step_key).collect();
    let b: Vec<String> = new.journey.iter().map(step_key).collect();
    sequence_diff(&a, &b).1
}

/// Indexes of `old` not in the common subsequence (removed) and of `new` (added).
fn sequence_diff(old: &[String], new: &[String]) -> (Vec<usize>, Vec<usize>) {
    let (n, m) = (old.len(), new.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    while i < n && j < m {
        if old[i] == new[j] {
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            removed.push(i);
            i += 1;
        } else {
            added.push(j);
            j += 1;
        }
    }
    removed.extend(i..n);
    added.extend(j..m);
    (removed, added)
}

/// The required fields a person fills before value, by label (the wall's form included).
pub fn required_fields(s: &Signup) -> Vec<String> {
    let mut out: Vec<String> = s
        .journey
        .iter()
        .flat_map(|st| st.filled.iter())
        .chain(s.blocker.iter().flat_map(|b| b.fields.iter()))
        .filter(|f| f.required)
        .map(|f| f.label.clone())
        .collect();
    out.sort();
    out
}

fn fields(a: &Signup, b: &Signup, changes: &mut Vec<Change>) {
    let (old, new) = (required_fields(a), required_fields(b));
    fn count(v: &[String]) -> BTreeMap<&str, usize> {
        let mut m: BTreeMap<&str, usize> = BTreeMap::new();
        for l in v {
            *m.entry(l.as_str()).or_default() += 1;
        }
        m
    }
    let (co, cn) = (count(&old), count(&new));
    for (label, n) in &cn {
        if co.get(label).copied().unwrap_or(0) < *n {
            push(
                changes,
                Area::Fields,
                Direction::Worse,
                format!("required field \"{label}\" was added"),
            );
        }
    }
    for (label, n) in &co {
        if cn.get(label).copied().unwrap_or(0) < *n {
            push(
                changes,
                Area::Fields,
                Direction::Better,
                format!("required field \"{label}\" is no longer asked for"),
            );
        }
    }
    if a.fields.required != b.fields.required {
        let direction = if b.fields.required > a.fields.required {
            Direction::Worse
        } else {
            Direction::Better
        };
        push(
            changes,
            Area::Fields,
            direction,
            format!(
                "required fields: {} → {}",
                a.fields.required, b.fields.required
            ),
        );
    }
}

fn times(a: &Signup, b: &Signup, t: Tolerance, changes: &mut Vec<Change>) {
    let mut compare = |what: &str, old_ms: f64, new_ms: f64| {
        if !t.exceeded(old_ms, new_ms) {
            return;
        }
        let direction = if new_ms > old_ms {
            Direction::Worse
        } else {
            Direction::Better
        };
        let pct = if old_ms > 0.0 {
            format!(" ({:+.0} %)", (new_ms - old_ms) / old_ms * 100.0)
        } else {
            String::new()
        };
        push(
            changes,
            Area::Time,
            direction,
            format!(
                "{what}: {:.1} s → {:.1} s{pct}",
                old_ms / 1000.0,
                new_ms / 1000.0
            ),
        );
    };
    compare(
        "time to value for a person",
        a.human_seconds * 1000.0,
        b.human_seconds * 1000.0,
    );
    compare("machine time", a.machine_ms as f64, b.machine_ms as f64);
}

fn is_failing(s: Status) -> bool {
    matches!(s, Status::Fail | Status::Partial)
}

fn checks(old: &Report, new: &Report, changes: &mut Vec<Change>) {
    let before: BTreeMap<&str, _> = old.checks.iter().map(|c| (c.id.as_str(), c)).collect();
    for c in &new.checks {
        let Some(o) = before.get(c.id.as_str()) else {
            continue;
        };
        if o.status == c.status && o.score == c.score {
            continue;
        }
        let (was, is) = (o.status.as_str(), c.status.as_str());
        let direction = match (is_failing(o.status), is_failing(c.status)) {
            (false, true) if o.status == Status::Pass => Direction::Worse,
            (true, false) if c.status == Status::Pass => Direction::Better,
            (true, true) => match (o.score, c.score) {
                (Some(x), Some(y)) if y < x => Direction::Worse,
                (Some(x), Some(y)) if y > x => Direction::Better,
                _ => Direction::Changed,
            },
            _ => Direction::Changed,
        };
        let title = if is_failing(c.status) {
            &c.failure_title
        } else {
            &c.title
        };
        push(
            changes,
            Area::Checks,
            direction,
            format!("{}: {was} → {is} ({title})", c.id),
        );
    }
}

fn scores(old: &Report, new: &Report, changes: &mut Vec<Change>) {
    let (Some(a), Some(b)) = (&old.scores, &new.scores) else {
        return;
    };
    let mut compare = |what: String, x: Option<f64>, y: Option<f64>| {
        if let (Some(x), Some(y)) = (x, y) {
            if (y - x).abs() >= 0.5 {
                let direction = if y > x {
                    Direction::Better
                } else {
                    Direction::Worse
                };
                push(
                    changes,
                    Area::Scores,
                    direction,
                    format!("{what}: {x:.0} → {y:.0}"),
                );
            }
        }
    };
    compare("overall score".to_string(), a.overall, b.overall);
    for (p, s) in &b.pillars {
        let before = a.pillars.get(p).and_then(|s| s.score);
        compare(format!("{p} score"), before, s.score);
    }
}

fn pricing(old: &Report, new: &Report, changes: &mut Vec<Change>) {
    let (a, b) = match (&old.pricing, &new.pricing) {
        (Some(a), Some(b)) => (a, b),
        (Some(_), None) => {
            push(
                changes,
                Area::Pricing,
                Direction::Worse,
                format!(
                    "pricing is no longer read: {}",
                    new.pricing_reason.as_deref().unwrap_or("no pricing page")
                ),
            );
            return;
        }
        (None, Some(_)) => {
            push(
                changes,
                Area::Pricing,
                Direction::Better,
                "pricing is now public".to_string(),
            );
            return;
        }
        (None, None) => return,
    };
    let mut flag = |what: &str, x: Option<bool>, y: Option<bool>| match (x, y) {
        (Some(true), Some(false)) => push(
            changes,
            Area::Pricing,
            Direction::Worse,
            format!("the {what} disappeared"),
        ),
        (Some(false), Some(true)) => push(
            changes,
            Area::Pricing,
            Direction::Better,
            format!("a {what} appeared"),
        ),
        _ => {}
    };
    flag("free plan", a.free_plan, b.free_plan);
    flag("free trial", a.free_trial, b.free_trial);
    let names = |p: &crate::pricing::Pricing| -> BTreeSet<String> {
        p.plans.iter().map(|pl| pl.name.clone()).collect()
    };
    let (na, nb) = (names(a), names(b));
    for n in nb.difference(&na) {
        push(
            changes,
            Area::Pricing,
            Direction::Changed,
            format!("plan \"{n}\" was added"),
        );
    }
    for n in na.difference(&nb) {
        push(
            changes,
            Area::Pricing,
            Direction::Changed,
            format!("plan \"{n}\" was removed"),
        );
    }
    for pb in &b.plans {
        let Some(pa) = a.plans.iter().find(|p| p.name == pb.name) else {
            continue;
        };
        let price = |p: &crate::pricing::PricingPlan| {
            p.price.map(|x| {
                format!(
                    "{}{}{}",
                    x,
                    p.currency
                        .as_deref()
                        .map(|c| format!(" {c}"))
                        .unwrap_or_default(),
                    p.period
                        .map(|per| format!(
                            " / {}",
                            serde_json::to_value(per)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default()
                        ))
                        .unwrap_or_default()
                )
            })
        };
        let (x, y) = (price(pa), price(pb));
        if x != y {
            push(
                changes,
                Area::Pricing,
                Direction::Changed,
                format!(
                    "plan \"{}\" price: {} → {}",
                    pb.name,
                    x.unwrap_or_else(|| "none".into()),
                    y.unwrap_or_else(|| "none".into())
                ),
            );
        }
    }
}

fn stack(old: &Report, new: &Report, changes: &mut Vec<Change>) {
    let names =
        |r: &Report| -> BTreeSet<String> { r.stack.iter().map(|v| v.name.clone()).collect() };
    let (a, b) = (names(old), names(new));
    for n in b.difference(&a) {
        push(
            changes,
            Area::Stack,
            Direction::Changed,
            format!("{n} was added to the stack"),
        );
    }
    for n in a.difference(&b) {
        push(
            changes,
            Area::Stack,
            Direction::Changed,
            format!("{n} is no longer in the stack"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_step_inserted_in_the_middle_is_the_only_addition() {
        let (removed, added) = sequence_diff(
            &s(&["cta", "submit", "continue", "value"]),
            &s(&["cta", "submit", "team", "continue", "value"]),
        );
        assert_eq!((removed, added), (vec![], vec![2]));
    }

    #[test]
    fn tolerance_needs_both_the_share_and_the_amount() {
        let t = Tolerance::default();
        assert!(!t.exceeded(1000.0, 1400.0), "400 ms is within 500 ms");
        assert!(!t.exceeded(10_000.0, 11_000.0), "10 % is within 20 %");
        assert!(t.exceeded(2000.0, 3000.0));
        assert!(t.exceeded(3000.0, 2000.0));
    }

    #[test]
    fn tolerance_reads_shares_and_times() {
        assert_eq!(
            Tolerance::parse("10%,2s"),
            Ok(Tolerance {
                percent: 10.0,
                ms: 2000
            })
        );
        assert_eq!(
            Tolerance::parse("750ms"),
            Ok(Tolerance {
                percent: 20.0,
                ms: 750
            })
        );
        assert!(Tolerance::parse("fast").is_err());
    }
}
