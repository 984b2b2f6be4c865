//! `plg-audit.toml`: the settings of `audit` (every flag, by its long name) and the
//! assertions a scheduled run must meet, like Lighthouse CI's. Found in the working
//! directory or given with `--config FILE`.
//!
//! ```toml
//! max_pages = 30
//! offline = true
//! checks = ["team-checks"]
//!
//! [assert]
//! min_score = { overall = 70, activation = 60 }
//! max_steps = 5
//! max_required_fields = { value = 4, level = "warn" }
//! outcome = ["completed"]
//! checks."activation.no_card_before_value" = "error"
//! ```
//!
//! Settings become command-line flags placed before the user's own, so a flag given on the
//! command line wins. A wrong file is invalid configuration naming `file:line`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::audit::checklist::judge::Status;
use crate::audit::checklist::{Checklist, Pillar};
use crate::error::AuditError;
use crate::report::Report;
use crate::text::line_at;

/// The file looked for in the working directory.
pub const FILE_NAME: &str = "plg-audit.toml";

/// How much a broken assertion matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Breaks the run: exit 1.
    Error,
    /// Printed; the run still exits 0.
    Warn,
    /// Not checked.
    Off,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s {
            "error" => Some(Level::Error),
            "warn" => Some(Level::Warn),
            "off" => Some(Level::Off),
            _ => None,
        }
    }
}

/// A limit and how much breaking it matters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub value: f64,
    pub level: Level,
}

/// The `[assert]` table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assertions {
    pub min_score: BTreeMap<String, Limit>,
    pub max_steps: Option<Limit>,
    pub max_required_fields: Option<Limit>,
    pub max_human_seconds: Option<Limit>,
    pub max_machine_seconds: Option<Limit>,
    /// Accepted outcomes.
    pub outcome: Option<(Vec<String>, Level)>,
    /// Check id → level.
    pub checks: BTreeMap<String, Level>,
}

impl Assertions {
    pub fn is_empty(&self) -> bool {
        *self == Assertions::default()
    }
}

/// A loaded configuration file.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    /// The settings as command-line arguments (`--max-pages`, `30`, …).
    pub args: Vec<String>,
    pub assert: Assertions,
    /// Where each assertion check id was written, for `file:line` messages.
    check_lines: BTreeMap<String, usize>,
}

/// One assertion the run broke.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    pub level: Level,
    /// `max_steps: expected ≤ 5, got 7 (step 6 "Tell us about your team" was added)`.
    pub line: String,
}

/// How an `audit` flag takes its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FlagKind {
    /// A switch (`--offline`).
    Switch,
    /// One value (`--max-pages 30`).
    Value,
    /// Repeatable (`--checks a --checks b`).
    List,
}

impl Config {
    /// Reads `explicit`, or `plg-audit.toml` in the working directory when it exists.
    /// `flags` maps each `audit` flag's long name to how it takes its value.
    pub fn load(
        explicit: Option<&Path>,
        flags: &BTreeMap<String, FlagKind>,
    ) -> Result<Config, AuditError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from(FILE_NAME);
                if !p.is_file() {
                    return Ok(Config::default());
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            AuditError::Config(format!(
                "cannot read the config file {}: {e}",
                path.display()
            ))
        })?;
        let mut config =
            parse(&text, &path.display().to_string(), flags).map_err(AuditError::Config)?;
        config.path = Some(path);
        Ok(config)
    }

    /// Checks that every check id the assertions name is in `checklist`.
    pub fn validate_checks(&self, checklist: &Checklist) -> Result<(), AuditError> {
        let name = self
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        for id in self.assert.checks.keys() {
            if checklist.get(id).is_none() {
                let line = self.check_lines.get(id).copied().unwrap_or(0);
                return Err(AuditError::Config(format!(
                    "{name}:{line}: there is no check \"{id}\" (`plg-audit checks list` shows them)"
                )));
            }
        }
        Ok(())
    }
}

/// Parses a config file's text; errors read `NAME:LINE: what is wrong`.
pub fn parse(text: &str, name: &str, flags: &BTreeMap<String, FlagKind>) -> Result<Config, String> {
    let table: BTreeMap<String, toml::Spanned<toml::Value>> =
        toml::from_str(text).map_err(|e| match e.span() {
            Some(span) => format!(
                "{name}:{}: {}",
                line_at(text, span.start),
                e.message().trim()
            ),
            None => format!("{name}: {}", e.message().trim()),
        })?;
    // Keys' lines: toml gives the values' spans; the key sits on the same line.
    let mut config = Config::default();
    for (key, value) in &table {
        let line = line_at(text, value.span().start);
        let at = format!("{name}:{line}");
        if key == "assert" {
            config.assert = assertions(value, text, name, &mut config.check_lines)?;
            continue;
        }
        let flag = key.replace('_', "-");
        let Some(kind) = flags.get(&flag) else {
            return Err(format!(
                "{at}: unknown setting \"{key}\" (a setting is an `audit` flag's long name, e.g. max_pages, or the [assert] table)"
            ));
        };
        let scalar = |v: &toml::Value| -> Result<String, String> {
            match v {
                toml::Value::String(s) => Ok(s.clone()),
                toml::Value::Integer(i) => Ok(i.to_string()),
                toml::Value::Float(f) => Ok(f.to_string()),
                _ => Err(format!("{at}: \"{key}\" must be a string or a number")),
            }
        };
        match (kind, value.get_ref()) {
            (FlagKind::Switch, toml::Value::Boolean(true)) => config.args.push(format!("--{flag}")),
            (FlagKind::Switch, toml::Value::Boolean(false)) => {}
            (FlagKind::Switch, _) => return Err(format!("{at}: \"{key}\" must be true or false")),
            (FlagKind::List, toml::Value::Array(items)) => {
                for item in items {
                    config.args.push(format!("--{flag}"));
                    config.args.push(scalar(item)?);
                }
            }
            (_, v) => {
                config.args.push(format!("--{flag}"));
                config.args.push(scalar(v)?);
            }
        }
    }
    Ok(config)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssert {
    min_score: Option<BTreeMap<String, toml::Value>>,
    max_steps: Option<toml::Value>,
    max_required_fields: Option<toml::Value>,
    max_human_seconds: Option<toml::Value>,
    max_machine_seconds: Option<toml::Value>,
    outcome: Option<toml::Value>,
    checks: Option<toml::Value>,
}

/// The keys of the `[assert]` table, as [`RawAssert`] names them.
const ASSERT_KEYS: [&str; 7] = [
    "min_score",
    "max_steps",
    "max_required_fields",
    "max_human_seconds",
    "max_machine_seconds",
    "outcome",
    "checks",
];

/// The line of the first line of `text` that sets `key` (`key =`, `key.` or `[assert.key]`),
/// else `fallback`.
fn key_line(text: &str, key: &str, fallback: usize) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(&format!("{key} "))
                || l.starts_with(&format!("{key}="))
                || l.starts_with(&format!("{key}."))
                || l.starts_with(&format!("[assert.{key}"))
                || l.contains(&format!("\"{key}\""))
        })
        .map(|i| i + 1)
        .unwrap_or(fallback)
}

const OUTCOMES: [&str; 10] = [
    "completed",
    "email_verification",
    "captcha",
    "card_required",
    "sales_gated",
    "waitlist",
    "sso_only",
    "not_found",
    "not_submitted",
    "failed",
];

fn assertions(
    value: &toml::Spanned<toml::Value>,
    text: &str,
    name: &str,
    check_lines: &mut BTreeMap<String, usize>,
) -> Result<Assertions, String> {
    let table_line = line_at(text, value.span().start);
    let at = |key: &str| format!("{name}:{}", key_line(text, key, table_line));
    // An unknown key is named at its own line (serde's error only knows the table's).
    if let toml::Value::Table(t) = value.get_ref() {
        if let Some(unknown) = t.keys().find(|k| !ASSERT_KEYS.contains(&k.as_str())) {
            return Err(format!(
                "{}: [assert]: unknown assertion \"{unknown}\" (the assertions are {})",
                at(unknown),
                ASSERT_KEYS.join(", ")
            ));
        }
    }
    let raw: RawAssert = value
        .get_ref()
        .clone()
        .try_into()
        .map_err(|e: toml::de::Error| {
            format!("{name}:{table_line}: [assert]: {}", e.message().trim())
        })?;
    let limit = |v: &toml::Value, key: &str, line_key: &str| -> Result<Limit, String> {
        let at = at(line_key);
        let number = |v: &toml::Value| match v {
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::Float(f) => Some(*f),
            _ => None,
        };
        match v {
            toml::Value::Table(t) => {
                let value = t.get("value").and_then(number).ok_or_else(|| {
                    format!("{at}: {key} needs a number `value` (e.g. {{ value = 5, level = \"warn\" }})")
                })?;
                let level = match t.get("level") {
                    None => Level::Error,
                    Some(toml::Value::String(s)) => Level::parse(s).ok_or_else(|| {
                        format!("{at}: the level of {key} must be \"error\", \"warn\" or \"off\", got \"{s}\"")
                    })?,
                    Some(_) => return Err(format!("{at}: the level of {key} must be a string")),
                };
                if let Some(extra) = t.keys().find(|k| *k != "value" && *k != "level") {
                    return Err(format!(
                        "{at}: {key} has an unknown field \"{extra}\" (it takes value and level)"
                    ));
                }
                Ok(Limit { value, level })
            }
            v => number(v)
                .map(|value| Limit {
                    value,
                    level: Level::Error,
                })
                .ok_or_else(|| format!("{at}: {key} must be a number")),
        }
    };
    let mut a = Assertions::default();
    if let Some(ms) = &raw.min_score {
        for (k, v) in ms {
            if k != "overall" && Pillar::parse(k).is_none() {
                return Err(format!(
                    "{}: min_score.{k} names no score (overall, activation, monetisation, virality, instrumentation, trust)",
                    at("min_score")
                ));
            }
            a.min_score
                .insert(k.clone(), limit(v, &format!("min_score.{k}"), "min_score")?);
        }
    }
    let single = |v: &Option<toml::Value>, key: &str| -> Result<Option<Limit>, String> {
        v.as_ref().map(|v| limit(v, key, key)).transpose()
    };
    a.max_steps = single(&raw.max_steps, "max_steps")?;
    a.max_required_fields = single(&raw.max_required_fields, "max_required_fields")?;
    a.max_human_seconds = single(&raw.max_human_seconds, "max_human_seconds")?;
    a.max_machine_seconds = single(&raw.max_machine_seconds, "max_machine_seconds")?;
    if let Some(o) = &raw.outcome {
        let at = at("outcome");
        let list = match o {
            toml::Value::String(s) => vec![s.clone()],
            toml::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| format!("{at}: outcome must be a list of outcomes"))?,
            _ => return Err(format!("{at}: outcome must be a list of outcomes")),
        };
        if let Some(bad) = list.iter().find(|o| !OUTCOMES.contains(&o.as_str())) {
            return Err(format!(
                "{at}: \"{bad}\" is no outcome (the outcomes are {})",
                OUTCOMES.join(", ")
            ));
        }
        a.outcome = Some((list, Level::Error));
    }
    if let Some(c) = &raw.checks {
        let toml::Value::Table(t) = c else {
            return Err(format!(
                "{}: checks must be a table of check id = \"error\" | \"warn\" | \"off\"",
                at("checks")
            ));
        };
        // `checks.activation.no_card = "error"` nests; `checks."activation.no_card"` does not.
        fn flatten(prefix: &str, t: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
            for (k, v) in t {
                let id = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match v {
                    toml::Value::Table(inner) => flatten(&id, inner, out),
                    v => out.push((id, v.clone())),
                }
            }
        }
        let mut entries = Vec::new();
        flatten("", t, &mut entries);
        for (id, v) in entries {
            // The id's own line (its last part is unique enough in a config file).
            let line = text
                .lines()
                .position(|l| l.contains(id.rsplit('.').next().unwrap_or(&id)))
                .map(|i| i + 1)
                .unwrap_or(table_line);
            let level = v.as_str().and_then(Level::parse).ok_or_else(|| {
                format!("{name}:{line}: checks.{id} must be \"error\", \"warn\" or \"off\"")
            })?;
            check_lines.insert(id.clone(), line);
            a.checks.insert(id, level);
        }
    }
    Ok(a)
}

fn level_of(l: &Limit) -> Option<Level> {
    (l.level != Level::Off).then_some(l.level)
}

fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// The assertions `report` breaks. `baseline`, when given, explains added steps.
pub fn check(a: &Assertions, report: &Report, baseline: Option<&Report>) -> Vec<Broken> {
    let mut broken = Vec::new();
    let mut push = |level: Level, line: String| broken.push(Broken { level, line });
    let scores = report.scores.as_ref();
    for (key, limit) in &a.min_score {
        let Some(level) = level_of(limit) else {
            continue;
        };
        let got = if key == "overall" {
            scores.and_then(|s| s.overall)
        } else {
            Pillar::parse(key).and_then(|p| scores?.pillars.get(&p)?.score)
        };
        match got {
            Some(g) if g >= limit.value => {}
            Some(g) => push(
                level,
                format!(
                    "min_score.{key}: expected ≥ {}, got {}",
                    number(limit.value),
                    number(g)
                ),
            ),
            None => push(
                level,
                format!(
                    "min_score.{key}: expected ≥ {}, got no score",
                    number(limit.value)
                ),
            ),
        }
    }
    let signup = report.signup.as_ref();
    let not_walked = "the signup journey was not walked";
    if let Some(limit) = &a.max_steps {
        if let Some(level) = level_of(limit) {
            match signup {
                None => push(
                    level,
                    format!(
                        "max_steps: expected ≤ {}, got no journey ({not_walked})",
                        number(limit.value)
                    ),
                ),
                Some(s) if (s.steps as f64) > limit.value => {
                    let why = match baseline.and_then(|b| b.signup.as_ref()) {
                        Some(old) => {
                            let added: Vec<String> = added_steps(old, s);
                            if added.is_empty() {
                                format!("the baseline had {}", old.steps)
                            } else {
                                added.join("; ")
                            }
                        }
                        None => {
                            let over: Vec<String> = s
                                .journey
                                .iter()
                                .skip(limit.value.max(0.0) as usize)
                                .map(|st| format!("step {} \"{}\"", st.n, st.label))
                                .collect();
                            format!("beyond the limit: {}", over.join(", "))
                        }
                    };
                    push(
                        level,
                        format!(
                            "max_steps: expected ≤ {}, got {} ({why})",
                            number(limit.value),
                            s.steps
                        ),
                    );
                }
                Some(_) => {}
            }
        }
    }
    if let Some(limit) = &a.max_required_fields {
        if let Some(level) = level_of(limit) {
            match signup {
                None => push(
                    level,
                    format!(
                        "max_required_fields: expected ≤ {}, got no journey ({not_walked})",
                        number(limit.value)
                    ),
                ),
                Some(s) if (s.fields.required as f64) > limit.value => {
                    let labels = crate::compare::required_fields(s);
                    push(
                        level,
                        format!(
                            "max_required_fields: expected ≤ {}, got {} ({})",
                            number(limit.value),
                            s.fields.required,
                            labels.join(", ")
                        ),
                    );
                }
                Some(_) => {}
            }
        }
    }
    let times = [
        (
            "max_human_seconds",
            &a.max_human_seconds,
            signup.map(|s| s.human_seconds),
        ),
        (
            "max_machine_seconds",
            &a.max_machine_seconds,
            signup.map(|s| s.machine_ms as f64 / 1000.0),
        ),
    ];
    for (key, limit, got) in times {
        let Some(limit) = limit else { continue };
        let Some(level) = level_of(limit) else {
            continue;
        };
        match (got, signup) {
            (_, None) => push(
                level,
                format!(
                    "{key}: expected ≤ {} s, got no journey ({not_walked})",
                    number(limit.value)
                ),
            ),
            (Some(g), Some(s)) if g > limit.value => {
                let note = if s.reached_value {
                    String::new()
                } else {
                    format!(" (the journey ended {} before value)", s.outcome.as_str())
                };
                push(
                    level,
                    format!(
                        "{key}: expected ≤ {} s, got {g:.1} s{note}",
                        number(limit.value)
                    ),
                );
            }
            _ => {}
        }
    }
    if let Some((accepted, level)) = &a.outcome {
        let got = signup.map(|s| (s.outcome.as_str(), s.reason.as_str()));
        match got {
            Some((o, _)) if accepted.iter().any(|a| a == o) => {}
            Some((o, reason)) => push(
                *level,
                format!(
                    "outcome: expected {}, got {o} ({reason})",
                    accepted.join(" or ")
                ),
            ),
            None => push(
                *level,
                format!(
                    "outcome: expected {}, got no journey ({not_walked})",
                    accepted.join(" or ")
                ),
            ),
        }
    }
    for (id, level) in &a.checks {
        if *level == Level::Off {
            continue;
        }
        match report.checks.iter().find(|c| &c.id == id) {
            Some(c) if matches!(c.status, Status::Fail | Status::Partial | Status::Error) => push(
                *level,
                format!(
                    "checks.{id}: expected pass, got {} ({})",
                    c.status.as_str(),
                    if c.status == Status::Error {
                        &c.reason
                    } else {
                        &c.failure_title
                    }
                ),
            ),
            Some(c) if c.unknown => push(
                *level,
                format!(
                    "checks.{id}: expected pass, got unknown ({})",
                    c.reason.trim_start_matches("unknown: ")
                ),
            ),
            Some(_) => {}
            None => push(
                *level,
                format!("checks.{id}: expected pass, got no result (the check is disabled)"),
            ),
        }
    }
    broken
}

/// `step 6 "Tell us about your team" was added`, one per step the baseline did not have.
fn added_steps(old: &crate::report::Signup, new: &crate::report::Signup) -> Vec<String> {
    let diff = crate::compare::diff_steps(old, new);
    diff.into_iter()
        .map(|i| {
            format!(
                "step {} {} was added",
                new.journey[i].n,
                new.journey[i].title()
            )
        })
        .collect()
}

/// The `audit` flags a config file may set, by long name, from the command line's own
/// definition (so the file and the flags never disagree).
pub fn audit_flags(command: &clap::Command) -> BTreeMap<String, FlagKind> {
    let Some(audit) = command.find_subcommand("audit") else {
        return BTreeMap::new();
    };
    audit
        .get_arguments()
        .filter_map(|a| {
            let long = a.get_long()?.to_string();
            if matches!(long.as_str(), "config" | "help" | "json") {
                return None;
            }
            let kind = match a.get_action() {
                clap::ArgAction::SetTrue | clap::ArgAction::SetFalse | clap::ArgAction::Count => {
                    FlagKind::Switch
                }
                clap::ArgAction::Append => FlagKind::List,
                _ => FlagKind::Value,
            };
            Some((long, kind))
        })
        .collect()
}

/// For `audit` and `demo`: loads the config file (`--config FILE`, else `plg-audit.toml`
/// in the working directory) and puts its settings into `argv` right after the
/// subcommand, before the user's own flags, which therefore win.
pub fn apply(
    argv: Vec<std::ffi::OsString>,
    command: &clap::Command,
) -> Result<(Vec<std::ffi::OsString>, Config), AuditError> {
    let words: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().to_string())
        .collect();
    let Some(at) = words
        .iter()
        .skip(1)
        .position(|w| !w.starts_with('-'))
        .map(|i| i + 1)
    else {
        return Ok((argv, Config::default()));
    };
    if !matches!(words[at].as_str(), "audit" | "demo") {
        return Ok((argv, Config::default()));
    }
    let mut explicit = None;
    for (i, w) in words.iter().enumerate().skip(at + 1) {
        if w == "--" {
            break;
        }
        if w == "--config" {
            explicit = words.get(i + 1).map(PathBuf::from);
        } else if let Some(v) = w.strip_prefix("--config=") {
            explicit = Some(PathBuf::from(v));
        }
    }
    let config = Config::load(explicit.as_deref(), &audit_flags(command))?;
    let mut out = argv;
    let tail = out.split_off(at + 1);
    out.extend(config.args.iter().map(std::ffi::OsString::from));
    out.extend(tail);
    Ok((out, config))
}
