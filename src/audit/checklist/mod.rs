//! The PLG checklist: checks kept as data in `checks/*.toml` (one file per pillar),
//! embedded in the binary, extended or overridden by the user's `--checks DIR`, and
//! judged by pure functions over the report's facts ([`judge`]), then scored per pillar
//! with the product's motion and the fixes that matter most ([`scores`]).
//!
//! A check is evaluated by a CEL expression over the facts (see `checks/README.md`) or by
//! one of a few named built-ins ([`builtins`]) where the logic is real code.

pub mod builtins;
pub mod facts;
pub mod judge;
pub mod scores;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Serialize};

use crate::error::AuditError;
use crate::text::line_at;

/// The built-in checklist files, as (file name, text), in pillar order.
const BUILTIN_FILES: [(&str, &str); 5] = [
    (
        "checks/activation.toml",
        include_str!("../../../checks/activation.toml"),
    ),
    (
        "checks/monetisation.toml",
        include_str!("../../../checks/monetisation.toml"),
    ),
    (
        "checks/virality.toml",
        include_str!("../../../checks/virality.toml"),
    ),
    (
        "checks/instrumentation.toml",
        include_str!("../../../checks/instrumentation.toml"),
    ),
    (
        "checks/trust.toml",
        include_str!("../../../checks/trust.toml"),
    ),
];

/// The built-in checklist's header: its version and the pillars' weights.
const BUILTIN_HEADER: (&str, &str) = (
    "checks/checklist.toml",
    include_str!("../../../checks/checklist.toml"),
);

/// The CEL environment every check expression is compiled and run in: the standard
/// library plus the strings, lists and math extensions (`lowerAscii`, `sort`, `greatest`…).
pub static CEL: LazyLock<Arc<cel::Env>> = LazyLock::new(|| {
    let mut env = cel::Env::stdlib();
    // The extensions are known-good declarations; a failure would be a bug in the crate.
    let _ = env.add_extension(cel::extensions::strings);
    let _ = env.add_extension(cel::extensions::lists);
    let _ = env.add_extension(cel::extensions::math);
    Arc::new(env)
});

/// The five PLG pillars, in the order reports show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pillar {
    Activation,
    Monetisation,
    Virality,
    Instrumentation,
    Trust,
}

impl Pillar {
    pub const ALL: [Pillar; 5] = [
        Pillar::Activation,
        Pillar::Monetisation,
        Pillar::Virality,
        Pillar::Instrumentation,
        Pillar::Trust,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Pillar::Activation => "activation",
            Pillar::Monetisation => "monetisation",
            Pillar::Virality => "virality",
            Pillar::Instrumentation => "instrumentation",
            Pillar::Trust => "trust",
        }
    }

    pub fn parse(s: &str) -> Option<Pillar> {
        Pillar::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for Pillar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a check is judged.
#[derive(Debug, Clone)]
pub enum Evaluation {
    /// A CEL expression over the facts: true/false, or a score from 0 to 1.
    Expression(Expr),
    /// A named built-in (see [`builtins::NAMES`]).
    Builtin(String),
}

/// A CEL expression kept with its source, compiled once.
#[derive(Debug, Clone)]
pub struct Expr {
    pub source: String,
    pub program: Arc<cel::Program>,
}

/// A fact a check shows as evidence.
#[derive(Debug, Clone)]
pub struct EvidenceFact {
    /// What a reader sees ("Required fields"); the expression when the file gives none.
    pub label: String,
    pub expr: Expr,
}

/// An evidence entry as written: an expression, or `{ label = "…", fact = "…" }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawEvidence {
    Fact(String),
    Labelled(LabelledEvidence),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelledEvidence {
    label: String,
    fact: String,
}

/// One check of the checklist, as loaded.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub pillar: Pillar,
    /// What passing means.
    pub title: String,
    /// What failing means, as a finding's headline.
    pub failure_title: String,
    /// Why it matters, with the figure or source from the PLG literature.
    pub description: String,
    pub weight: f64,
    /// Facts the check needs (paths into the facts, e.g. `pricing` or `facts.journey`);
    /// when one is unknown the check is unknown too and its pillar is incomplete.
    pub requires: Vec<String>,
    /// When false, the check does not apply to this product.
    pub applies: Option<Expr>,
    /// Why the check does not apply when `applies` is false.
    pub not_applicable: String,
    /// Why the check is unknown when `expr` gives null (else the first unknown evidence
    /// fact says why).
    pub unknown_when_null: Option<String>,
    pub evaluation: Evaluation,
    /// The threshold in words (e.g. "≤ 4 required fields; ≤ 6 is partial").
    pub threshold: Option<String>,
    /// Facts shown as evidence: CEL expressions (usually paths), each with the words a
    /// reader sees for it.
    pub evidence: Vec<EvidenceFact>,
    /// Reported, never scored.
    pub informative: bool,
    pub recommendation: String,
    pub references: Vec<String>,
    pub enabled: bool,
    /// Where it was defined (file:line), and where it was last overridden.
    pub source: String,
}

/// The checks in effect for a run: the built-ins plus the user's directories.
#[derive(Debug, Clone)]
pub struct Checklist {
    /// The built-in checklist's version; "+custom" is appended when user files change it.
    pub version: String,
    pub pillar_weights: BTreeMap<Pillar, f64>,
    /// In file order: built-ins by pillar, then the user's new checks.
    pub checks: Vec<Check>,
}

impl Checklist {
    /// The built-in checklist plus every `*.toml` of each user directory, in order: a
    /// check with a known id overrides the fields it gives, a new id adds a check. A wrong
    /// file is invalid configuration naming `file:line`.
    pub fn load(user_dirs: &[PathBuf]) -> Result<Checklist, AuditError> {
        let mut list = Checklist::builtin_result().map_err(AuditError::Config)?;
        for dir in user_dirs {
            for (name, text) in read_dir(dir)? {
                list.apply(&name, &text).map_err(AuditError::Config)?;
            }
        }
        if !user_dirs.is_empty() {
            list.version.push_str("+custom");
        }
        Ok(list)
    }

    /// The checklist shipped with the tool (its files are checked by the unit tests).
    pub fn builtin() -> Checklist {
        Checklist::builtin_result().unwrap_or_else(|e| panic!("the built-in checklist: {e}"))
    }

    fn builtin_result() -> Result<Checklist, String> {
        let (name, text) = BUILTIN_HEADER;
        let header: Header = parse_toml(text, name)?;
        let version = header
            .checklist_version
            .ok_or_else(|| format!("{name}: checklist_version is missing"))?;
        let mut list = Checklist {
            version,
            pillar_weights: BTreeMap::new(),
            checks: Vec::new(),
        };
        list.apply_pillars(&header.pillars, name, text)?;
        for pillar in Pillar::ALL {
            list.pillar_weights.entry(pillar).or_insert(1.0);
        }
        for (name, text) in BUILTIN_FILES {
            list.apply(name, text)?;
        }
        Ok(list)
    }

    /// Validates every file of `dir` against the built-in checklist, as `--checks` would
    /// load it; returns how many checks each file adds or overrides.
    pub fn validate_dir(dir: &Path) -> Result<Vec<(String, usize)>, AuditError> {
        let mut list = Checklist::builtin_result().map_err(AuditError::Config)?;
        let mut counts = Vec::new();
        let files = read_dir(dir)?;
        if files.is_empty() {
            return Err(AuditError::Config(format!(
                "{} holds no .toml check files",
                dir.display()
            )));
        }
        for (name, text) in files {
            let n = list.apply(&name, &text).map_err(AuditError::Config)?;
            counts.push((name, n));
        }
        Ok(counts)
    }

    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    pub fn enabled(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.enabled)
    }

    /// Applies one checklist file; returns how many checks it defines or overrides.
    fn apply(&mut self, name: &str, text: &str) -> Result<usize, String> {
        let file: CheckFile = parse_toml(text, name)?;
        let line_of = |offset: usize| line_at(text, offset);
        if let Some(v) = &file.checklist_version {
            if !name.starts_with("checks/") {
                return Err(format!(
                    "{name}:{}: checklist_version belongs to the built-in checklist; a user file cannot set it",
                    line_of(v.span().start)
                ));
            }
        }
        self.apply_pillars(&file.pillars, name, text)?;
        let mut seen = HashSet::new();
        let count = file.check.len();
        for raw in file.check {
            let line = line_of(raw.id.span().start);
            let id = raw.id.get_ref().clone();
            let at = format!("{name}:{line}");
            if !seen.insert(id.clone()) {
                return Err(format!(
                    "{at}: check \"{id}\" is defined twice in this file"
                ));
            }
            match self.checks.iter().position(|c| c.id == id) {
                Some(i) if name.starts_with("checks/") => {
                    return Err(format!(
                        "{at}: check \"{id}\" is already defined in {}",
                        self.checks[i].source
                    ))
                }
                Some(i) => {
                    let mut check = self.checks[i].clone();
                    override_check(&mut check, raw, &at, text)?;
                    self.checks[i] = check;
                }
                None => self.checks.push(new_check(raw, &at, text)?),
            }
        }
        Ok(count)
    }

    fn apply_pillars(
        &mut self,
        pillars: &Option<toml::Spanned<BTreeMap<String, f64>>>,
        name: &str,
        text: &str,
    ) -> Result<(), String> {
        let Some(pillars) = pillars else {
            return Ok(());
        };
        let line = line_at(text, pillars.span().start);
        for (key, weight) in pillars.get_ref() {
            let pillar = Pillar::parse(key).ok_or_else(|| {
                format!(
                    "{name}:{line}: unknown pillar \"{key}\" (the pillars are {})",
                    pillar_names()
                )
            })?;
            if !weight.is_finite() || *weight < 0.0 {
                return Err(format!(
                    "{name}:{line}: the weight of pillar \"{key}\" must be a number ≥ 0"
                ));
            }
            self.pillar_weights.insert(pillar, *weight);
        }
        Ok(())
    }
}

fn pillar_names() -> String {
    Pillar::ALL.map(|p| p.as_str()).join(", ")
}

/// The `*.toml` files of a directory, sorted by name, as (path, text).
fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, AuditError> {
    let unreadable = |e: std::io::Error| {
        AuditError::Config(format!(
            "cannot read the checks directory {}: {e}",
            dir.display()
        ))
    };
    if !dir.is_dir() {
        return Err(AuditError::Config(format!(
            "the checks directory {} does not exist or is not a directory",
            dir.display()
        )));
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(|e| {
                AuditError::Config(format!("cannot read the check file {}: {e}", p.display()))
            })?;
            Ok((p.display().to_string(), text))
        })
        .collect()
}

fn parse_toml<T: serde::de::DeserializeOwned>(text: &str, name: &str) -> Result<T, String> {
    toml::from_str(text).map_err(|e| match e.span() {
        Some(span) => format!(
            "{name}:{}: {}",
            line_at(text, span.start),
            e.message().trim()
        ),
        None => format!("{name}: {}", e.message().trim()),
    })
}

/// The header of `checks/checklist.toml` (a user directory may hold one too, for
/// the pillars' weights).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    checklist_version: Option<String>,
    pillars: Option<toml::Spanned<BTreeMap<String, f64>>>,
}

/// One checklist file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    checklist_version: Option<toml::Spanned<String>>,
    pillars: Option<toml::Spanned<BTreeMap<String, f64>>>,
    #[serde(default)]
    check: Vec<RawCheck>,
}

/// A check as written: every field but `id` may be left out when overriding.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: toml::Spanned<String>,
    pillar: Option<toml::Spanned<String>>,
    title: Option<String>,
    failure_title: Option<String>,
    description: Option<String>,
    weight: Option<toml::Spanned<f64>>,
    requires: Option<Vec<String>>,
    applies: Option<toml::Spanned<String>>,
    not_applicable: Option<String>,
    unknown_when_null: Option<String>,
    expr: Option<toml::Spanned<String>>,
    builtin: Option<toml::Spanned<String>>,
    threshold: Option<String>,
    evidence: Option<toml::Spanned<Vec<RawEvidence>>>,
    informative: Option<bool>,
    recommendation: Option<String>,
    references: Option<Vec<String>>,
    enabled: Option<bool>,
}

/// The top-level facts: report.json's fields (from its schema) and `facts`.
static FACT_ROOTS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let schema: serde_json::Value =
        serde_json::from_str(crate::report::JSON_SCHEMA).unwrap_or_default();
    let mut roots: Vec<String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    roots.push("facts".to_string());
    roots
});

/// Whether `path` (a dotted path such as `pricing.free_trial`) starts at a known fact.
fn is_fact_path(path: &str) -> bool {
    let root = path.split('.').next().unwrap_or("");
    FACT_ROOTS.iter().any(|r| r == root) && path.split('.').all(|part| !part.is_empty())
}

static ID: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^([a-z]+)\.[a-z0-9_]+$").expect("static regex"));

fn compile(source: &str, what: &str, at: &str) -> Result<Expr, String> {
    CEL.compile(source)
        .map(|p| Expr {
            source: source.to_string(),
            program: Arc::new(p),
        })
        .map_err(|e| {
            let why = e.to_string();
            let why = why.lines().next().unwrap_or("it does not parse").trim();
            format!("{at}: {what} `{source}` is not valid CEL: {why}")
        })
}

/// The line of a spanned value, for messages about that field.
fn at_field<T>(text: &str, at: &str, field: &toml::Spanned<T>) -> String {
    let file = at.rsplit_once(':').map_or(at, |(f, _)| f);
    format!("{file}:{}", line_at(text, field.span().start))
}

fn new_check(raw: RawCheck, at: &str, text: &str) -> Result<Check, String> {
    let id = raw.id.get_ref().clone();
    let Some(caps) = ID.captures(&id) else {
        return Err(format!(
            "{at}: check id \"{id}\" must read pillar.name (lowercase letters, digits and underscores)"
        ));
    };
    let prefix = caps.get(1).map_or("", |m| m.as_str()).to_string();
    let missing = |field: &str| format!("{at}: check \"{id}\" is new, so it needs `{field}`");
    let pillar_text = raw.pillar.as_ref().ok_or_else(|| missing("pillar"))?;
    let pillar = Pillar::parse(pillar_text.get_ref()).ok_or_else(|| {
        format!(
            "{}: unknown pillar \"{}\" (the pillars are {})",
            at_field(text, at, pillar_text),
            pillar_text.get_ref(),
            pillar_names()
        )
    })?;
    if prefix != pillar.as_str() {
        return Err(format!(
            "{at}: check id \"{id}\" must start with its pillar, \"{pillar}.\""
        ));
    }
    if raw.expr.is_none() && raw.builtin.is_none() {
        return Err(format!(
            "{at}: check \"{id}\" needs `expr` (a CEL expression) or `builtin`"
        ));
    }
    let mut check = Check {
        id: id.clone(),
        pillar,
        title: raw.title.clone().ok_or_else(|| missing("title"))?,
        failure_title: String::new(),
        description: raw
            .description
            .clone()
            .ok_or_else(|| missing("description"))?,
        weight: 1.0,
        requires: Vec::new(),
        applies: None,
        not_applicable: "it does not apply to this product".to_string(),
        unknown_when_null: None,
        evaluation: Evaluation::Builtin(String::new()),
        threshold: None,
        evidence: Vec::new(),
        informative: false,
        recommendation: raw
            .recommendation
            .clone()
            .ok_or_else(|| missing("recommendation"))?,
        references: Vec::new(),
        enabled: true,
        source: at.to_string(),
    };
    if raw.weight.is_none() && !raw.informative.unwrap_or(false) {
        return Err(missing("weight"));
    }
    check.failure_title = raw
        .failure_title
        .clone()
        .unwrap_or_else(|| format!("Not met: {}", check.title));
    override_check(&mut check, raw, at, text)?;
    check.source = at.to_string();
    Ok(check)
}

/// Applies the fields `raw` gives to `check`.
fn override_check(check: &mut Check, raw: RawCheck, at: &str, text: &str) -> Result<(), String> {
    let id = raw.id.get_ref().clone();
    if let Some(p) = &raw.pillar {
        if p.get_ref() != check.pillar.as_str() {
            return Err(match Pillar::parse(p.get_ref()) {
                None => format!(
                    "{}: unknown pillar \"{}\" (the pillars are {})",
                    at_field(text, at, p),
                    p.get_ref(),
                    pillar_names()
                ),
                Some(_) => format!(
                    "{}: check \"{id}\" belongs to pillar \"{}\"; an override cannot move it",
                    at_field(text, at, p),
                    check.pillar
                ),
            });
        }
    }
    if let Some(v) = raw.title {
        check.title = v;
    }
    if let Some(v) = raw.failure_title {
        check.failure_title = v;
    }
    if let Some(v) = raw.description {
        check.description = v;
    }
    if let Some(w) = &raw.weight {
        let value = *w.get_ref();
        if !value.is_finite() || value < 0.0 {
            return Err(format!(
                "{}: the weight of check \"{id}\" must be a number ≥ 0",
                at_field(text, at, w)
            ));
        }
        check.weight = value;
    }
    if let Some(v) = raw.requires {
        if let Some(bad) = v.iter().find(|path| !is_fact_path(path)) {
            return Err(format!(
                "{at}: check \"{id}\" requires \"{bad}\", which names no fact (a fact is a field of report.json or of `facts`, e.g. signup.value)"
            ));
        }
        check.requires = v;
    }
    if let Some(a) = &raw.applies {
        check.applies = Some(compile(a.get_ref(), "applies", &at_field(text, at, a))?);
    }
    if let Some(v) = raw.not_applicable {
        check.not_applicable = v;
    }
    if let Some(v) = raw.unknown_when_null {
        check.unknown_when_null = Some(v);
    }
    match (&raw.expr, &raw.builtin) {
        (Some(e), Some(_)) => {
            return Err(format!(
                "{}: check \"{id}\" gives both `expr` and `builtin`; keep one",
                at_field(text, at, e)
            ))
        }
        (Some(e), None) => {
            let expr = compile(e.get_ref(), "expr", &at_field(text, at, e))?;
            check.evaluation = Evaluation::Expression(expr);
        }
        (None, Some(b)) => {
            if !builtins::NAMES.contains(&b.get_ref().as_str()) {
                return Err(format!(
                    "{}: unknown built-in \"{}\" (the built-ins are {})",
                    at_field(text, at, b),
                    b.get_ref(),
                    builtins::NAMES.join(", ")
                ));
            }
            check.evaluation = Evaluation::Builtin(b.get_ref().clone());
        }
        (None, None) => {}
    }
    if let Some(v) = raw.threshold {
        check.threshold = Some(v);
    }
    if let Some(ev) = &raw.evidence {
        let here = at_field(text, at, ev);
        check.evidence = ev
            .get_ref()
            .iter()
            .map(|e| {
                let (label, fact) = match e {
                    RawEvidence::Fact(f) => (f.clone(), f),
                    RawEvidence::Labelled(l) => (l.label.clone(), &l.fact),
                };
                compile(fact, "evidence", &here).map(|expr| EvidenceFact { label, expr })
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(v) = raw.informative {
        check.informative = v;
    }
    if let Some(v) = raw.recommendation {
        check.recommendation = v;
    }
    if let Some(v) = raw.references {
        if let Some(bad) = v
            .iter()
            .find(|r| !(r.starts_with("https://") || r.starts_with("http://")))
        {
            return Err(format!(
                "{at}: reference \"{bad}\" of check \"{id}\" is not an http(s) link"
            ));
        }
        check.references = v;
    }
    if let Some(v) = raw.enabled {
        check.enabled = v;
    }
    if check.source != at {
        check.source = format!(
            "{} (overridden at {at})",
            check.source.split(" (").next().unwrap_or("")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids assertion files and CI name (see the README's Checklist).
    const CONTRACT: [&str; 14] = [
        "activation.self_serve_signup",
        "activation.no_card_before_value",
        "activation.no_captcha_before_value",
        "activation.no_email_wall_before_value",
        "activation.value_in_first_session",
        "activation.max_required_fields",
        "monetisation.public_pricing",
        "monetisation.prices_visible",
        "monetisation.free_plan_or_trial",
        "virality.invite_teammates",
        "virality.templates",
        "virality.integrations",
        "instrumentation.product_analytics",
        "trust.security_page",
    ];

    #[test]
    fn the_built_in_checklist_loads() {
        let list = Checklist::builtin_result();
        assert!(list.is_ok(), "{:?}", list.err());
    }

    #[test]
    fn the_built_in_checklist_holds_the_contract_ids() {
        let list = Checklist::builtin();
        let missing: Vec<&str> = CONTRACT
            .into_iter()
            .filter(|id| list.get(id).is_none())
            .collect();
        assert_eq!(missing, Vec::<&str>::new());
    }

    #[test]
    fn every_built_in_check_says_why_and_what_to_change_with_a_source() {
        let list = Checklist::builtin();
        assert!(list.checks.len() >= 45, "{} checks", list.checks.len());
        for c in &list.checks {
            assert!(c.description.len() > 40, "{}: description", c.id);
            assert!(c.recommendation.len() > 20, "{}: recommendation", c.id);
            assert!(!c.references.is_empty(), "{}: references", c.id);
            assert!(c.id.starts_with(&format!("{}.", c.pillar)), "{}", c.id);
            assert_ne!(c.failure_title, c.title, "{}", c.id);
        }
    }

    #[test]
    fn every_pillar_has_checks_and_a_weight() {
        let list = Checklist::builtin();
        for p in Pillar::ALL {
            assert!(
                list.checks.iter().filter(|c| c.pillar == p).count() >= 8,
                "{p}"
            );
            assert!(list.pillar_weights[&p] > 0.0, "{p}");
        }
    }

    #[test]
    fn a_built_in_file_cannot_define_an_id_twice() {
        let mut list = Checklist::builtin();
        let text = "[[check]]\nid = \"trust.security_page\"\nweight = 1\n";
        assert_eq!(
            list.apply("checks/extra.toml", text),
            Err("checks/extra.toml:2: check \"trust.security_page\" is already defined in checks/trust.toml:5".to_string())
        );
    }

    #[test]
    fn an_override_cannot_move_a_check_to_another_pillar() {
        let mut list = Checklist::builtin();
        let text = "[[check]]\nid = \"trust.security_page\"\npillar = \"virality\"\n";
        assert_eq!(
            list.apply("team/x.toml", text),
            Err("team/x.toml:3: check \"trust.security_page\" belongs to pillar \"trust\"; an override cannot move it".to_string())
        );
    }

    #[test]
    fn a_new_check_needs_a_way_to_be_judged() {
        let mut list = Checklist::builtin();
        let text = "[[check]]\nid = \"trust.x\"\npillar = \"trust\"\ntitle = \"t\"\ndescription = \"d\"\nweight = 1\nrecommendation = \"r\"\n";
        assert_eq!(
            list.apply("team/x.toml", text),
            Err(
                "team/x.toml:2: check \"trust.x\" needs `expr` (a CEL expression) or `builtin`"
                    .to_string()
            )
        );
    }

    #[test]
    fn an_unknown_built_in_is_refused() {
        let mut list = Checklist::builtin();
        let text = "[[check]]\nid = \"trust.security_page\"\nbuiltin = \"magic\"\n";
        assert_eq!(
            list.apply("team/x.toml", text),
            Err("team/x.toml:3: unknown built-in \"magic\" (the built-ins are signup_cta_in_hero_above_fold, tracking_after_consent, plan_buttons_lead_to_signup)".to_string())
        );
    }

    #[test]
    fn a_user_file_can_reweigh_the_pillars() {
        let mut list = Checklist::builtin();
        list.apply("team/x.toml", "[pillars]\ntrust = 40\n")
            .unwrap();
        assert_eq!(list.pillar_weights[&Pillar::Trust], 40.0);
        assert_eq!(
            list.apply("team/y.toml", "[pillars]\ngrowth = 1\n"),
            Err("team/y.toml:1: unknown pillar \"growth\" (the pillars are activation, monetisation, virality, instrumentation, trust)".to_string())
        );
    }
}
