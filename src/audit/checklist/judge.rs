//! Judging: each enabled check of the checklist against the facts of one run, to a
//! status, a score and the evidence it used. Pure: the same facts give the same results.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::facts::Facts;
use super::{builtins, Check, Checklist, Evaluation, Expr, Pillar, CEL};

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// Part of the practice is there (score strictly between 0 and 1).
    Partial,
    /// The check does not apply to this product, or a fact it needs is unknown
    /// (`unknown` is then true and says why).
    NotApplicable,
    /// Reported for the reader, never scored.
    Informative,
    /// The check could not be evaluated (its expression failed on these facts).
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Partial => "partial",
            Status::NotApplicable => "not_applicable",
            Status::Informative => "informative",
            Status::Error => "error",
        }
    }

    /// Whether the result counts toward its pillar's score.
    pub fn is_scored(self) -> bool {
        matches!(self, Status::Pass | Status::Fail | Status::Partial)
    }
}

/// One fact a check used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The fact, as the check names it (a path such as `signup.fields.required`).
    pub fact: String,
    /// What a reader sees for it ("Required fields").
    #[serde(default)]
    pub label: String,
    pub value: Value,
}

/// One check's result in report.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: String,
    pub pillar: Pillar,
    /// What passing means.
    pub title: String,
    /// The finding's headline when it fails.
    pub failure_title: String,
    pub status: Status,
    /// 0–1 for scored results, null otherwise.
    pub score: Option<f64>,
    pub weight: f64,
    /// Why it got this status, in one sentence.
    pub reason: String,
    /// A fact it needs is unknown (status not_applicable): its pillar is incomplete.
    pub unknown: bool,
    /// The threshold in words, when the check has one.
    pub threshold: Option<String>,
    pub evidence: Vec<Evidence>,
    pub recommendation: String,
    /// Why the practice matters (the check's description).
    #[serde(default)]
    pub description: String,
    /// Sources for the practice.
    #[serde(default)]
    pub references: Vec<String>,
}

impl Evidence {
    /// The words a reader sees for the fact: its label, else the fact itself.
    pub fn name(&self) -> &str {
        if self.label.is_empty() {
            &self.fact
        } else {
            &self.label
        }
    }
}

/// A verdict before it is dressed as a result.
pub struct Verdict {
    pub status: Status,
    pub score: Option<f64>,
    pub reason: String,
    pub unknown: bool,
    pub evidence: Vec<Evidence>,
}

impl Verdict {
    pub fn scored(score: f64, reason: impl Into<String>, evidence: Vec<Evidence>) -> Verdict {
        let score = score.clamp(0.0, 1.0);
        Verdict {
            status: if score >= 1.0 {
                Status::Pass
            } else if score <= 0.0 {
                Status::Fail
            } else {
                Status::Partial
            },
            score: Some(score),
            reason: reason.into(),
            unknown: false,
            evidence,
        }
    }

    pub fn unknown(reason: impl Into<String>, evidence: Vec<Evidence>) -> Verdict {
        Verdict {
            status: Status::NotApplicable,
            score: None,
            reason: reason.into(),
            unknown: true,
            evidence,
        }
    }

    pub fn not_applicable(reason: impl Into<String>, evidence: Vec<Evidence>) -> Verdict {
        Verdict {
            status: Status::NotApplicable,
            score: None,
            reason: reason.into(),
            unknown: false,
            evidence,
        }
    }

    fn error(reason: String) -> Verdict {
        Verdict {
            status: Status::Error,
            score: None,
            reason,
            unknown: false,
            evidence: Vec::new(),
        }
    }
}

/// Judges every enabled check of `checklist`, in checklist order.
pub fn judge_all(checklist: &Checklist, facts: &Facts) -> Vec<CheckResult> {
    let context = context(facts);
    checklist
        .enabled()
        .map(|check| judge(check, facts, &context))
        .collect()
}

/// A CEL context holding every top-level fact as a variable.
fn context(facts: &Facts) -> cel::Context<'static, 'static> {
    let mut context = cel::Context::with_env(CEL.clone());
    for (name, value) in &facts.root {
        context.add_variable_from_value(name.clone(), to_cel(value));
    }
    context
}

/// A JSON fact as a CEL value. Whole numbers become CEL's `int` (never `uint`), so
/// `signup.steps <= 5` and `2000 * signup.steps` compare and multiply like with like.
fn to_cel(value: &Value) -> cel::Value {
    match value {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => cel::Value::Int(i),
            (None, Some(f)) => cel::Value::Float(f),
            (None, None) => cel::Value::Null,
        },
        Value::String(s) => cel::Value::String(s.clone().into()),
        Value::Array(a) => cel::Value::List(a.iter().map(to_cel).collect::<Vec<_>>().into()),
        Value::Object(m) => cel::Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), to_cel(v)))
                .collect::<std::collections::HashMap<String, cel::Value>>()
                .into(),
        ),
    }
}

/// Runs one expression; Ok(Null) for a null result.
pub fn run(expr: &Expr, context: &cel::Context) -> Result<Value, String> {
    let value = expr
        .program
        .execute(context)
        .map_err(|e| format!("`{}` failed: {e}", expr.source))?;
    value
        .json()
        .map_err(|e| format!("`{}` gave a value that is not data: {e}", expr.source))
}

fn judge(check: &Check, facts: &Facts, context: &cel::Context) -> CheckResult {
    let evidence: Vec<Evidence> = check
        .evidence
        .iter()
        .map(|e| Evidence {
            fact: e.expr.source.clone(),
            label: e.label.clone(),
            value: run(&e.expr, context).unwrap_or(Value::Null),
        })
        .collect();
    let verdict = verdict(check, facts, context, evidence);
    let status = if check.informative && verdict.status.is_scored() {
        Status::Informative
    } else {
        verdict.status
    };
    CheckResult {
        id: check.id.clone(),
        pillar: check.pillar,
        title: check.title.clone(),
        failure_title: check.failure_title.clone(),
        status,
        score: if status.is_scored() {
            verdict.score
        } else {
            None
        },
        weight: check.weight,
        reason: verdict.reason,
        unknown: verdict.unknown,
        threshold: check.threshold.clone(),
        evidence: verdict.evidence,
        recommendation: check.recommendation.clone(),
        description: check.description.clone(),
        references: check.references.clone(),
    }
}

fn verdict(
    check: &Check,
    facts: &Facts,
    context: &cel::Context,
    evidence: Vec<Evidence>,
) -> Verdict {
    for path in &check.requires {
        if let Some(why) = facts.unknown_reason(path) {
            return Verdict::unknown(format!("unknown: {why}"), evidence);
        }
    }
    if let Some(applies) = &check.applies {
        match run(applies, context) {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => {
                return Verdict::not_applicable(&check.not_applicable, evidence)
            }
            Ok(Value::Null) => {
                return Verdict::unknown(
                    format!("unknown: {}", null_reason(check, facts, &applies.source)),
                    evidence,
                )
            }
            Ok(other) => {
                return Verdict::error(format!("`applies` gave {other}, not true or false"))
            }
            Err(e) => return Verdict::error(e),
        }
    }
    match &check.evaluation {
        Evaluation::Builtin(name) => builtins::evaluate(name, facts, evidence),
        Evaluation::Expression(expr) => match run(expr, context) {
            Ok(Value::Bool(b)) => {
                let reason = if b {
                    check.title.clone()
                } else {
                    check.failure_title.clone()
                };
                Verdict::scored(if b { 1.0 } else { 0.0 }, reason, evidence)
            }
            Ok(Value::Number(n)) => match n.as_f64() {
                Some(x) if (0.0..=1.0).contains(&x) => {
                    let reason = if x >= 1.0 {
                        check.title.clone()
                    } else {
                        check.failure_title.clone()
                    };
                    Verdict::scored(x, reason, evidence)
                }
                _ => Verdict::error(format!(
                    "`{}` gave {n}, outside the scores 0 to 1",
                    expr.source
                )),
            },
            Ok(Value::Null) => Verdict::unknown(
                format!("unknown: {}", null_reason(check, facts, &expr.source)),
                evidence,
            ),
            Ok(other) => Verdict::error(format!(
                "`{}` gave {other}, not true, false or a score from 0 to 1",
                expr.source
            )),
            Err(e) => Verdict::error(e),
        },
    }
}

/// Why an expression gave null: the reason of the first evidence fact (a plain path) that
/// is unknown, else the expression itself.
fn null_reason(check: &Check, facts: &Facts, source: &str) -> String {
    if let Some(why) = &check.unknown_when_null {
        return why.clone();
    }
    let is_path = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
    };
    check
        .evidence
        .iter()
        .filter(|e| is_path(&e.expr.source))
        .find_map(|e| facts.unknown_reason(&e.expr.source))
        .unwrap_or_else(|| format!("`{source}` has no value on these facts"))
}
