//! Scoring the checklist's results: a 0–100 score per pillar (the weighted mean of its
//! scored checks) and overall (the weighted mean of the pillars), the product's go-to-
//! market motion, and the fixes that would raise the score most.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::facts::Facts;
use super::judge::{CheckResult, Status};
use super::{Checklist, Pillar};

/// One pillar's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PillarScore {
    /// 0–100, or null when none of its checks could be scored.
    pub score: Option<f64>,
    /// Some checks could not be judged (a fact unknown, an error): the score rests on the
    /// others.
    pub incomplete: bool,
    /// Why it is incomplete (null when it is not).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// 0–100: the pillars' scores, weighted by the checklist's pillar weights.
    pub overall: Option<f64>,
    pub pillars: BTreeMap<Pillar, PillarScore>,
}

/// Rounded to one decimal, as reports show scores.
fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn score(checklist: &Checklist, results: &[CheckResult]) -> Scores {
    let mut pillars = BTreeMap::new();
    let mut total = 0.0;
    let mut total_weight = 0.0;
    for pillar in Pillar::ALL {
        let mine: Vec<&CheckResult> = results.iter().filter(|r| r.pillar == pillar).collect();
        let scored: Vec<&CheckResult> = mine
            .iter()
            .copied()
            .filter(|r| r.status.is_scored() && r.weight > 0.0)
            .collect();
        let weight: f64 = scored.iter().map(|r| r.weight).sum();
        let score = (weight > 0.0).then(|| {
            round1(
                100.0
                    * scored
                        .iter()
                        .map(|r| r.weight * r.score.unwrap_or(0.0))
                        .sum::<f64>()
                    / weight,
            )
        });
        let missing: Vec<String> = mine
            .iter()
            .filter(|r| r.unknown || r.status == Status::Error)
            .map(|r| {
                let why = r.reason.strip_prefix("unknown: ").unwrap_or(&r.reason);
                format!("{} ({why})", r.id)
            })
            .collect();
        let reason = if score.is_none() {
            Some(if mine.is_empty() {
                "no check of this pillar is enabled".to_string()
            } else if missing.is_empty() {
                "none of its checks applies to this product".to_string()
            } else {
                format!("no check could be judged: {}", missing.join("; "))
            })
        } else if !missing.is_empty() {
            Some(format!(
                "{} of {} checks could not be judged: {}",
                missing.len(),
                mine.len(),
                missing.join("; ")
            ))
        } else {
            None
        };
        if let Some(s) = score {
            let w = checklist
                .pillar_weights
                .get(&pillar)
                .copied()
                .unwrap_or(1.0);
            total += w * s;
            total_weight += w;
        }
        pillars.insert(
            pillar,
            PillarScore {
                score,
                incomplete: reason.is_some(),
                reason,
            },
        );
    }
    Scores {
        overall: (total_weight > 0.0).then(|| round1(total / total_weight)),
        pillars,
    }
}

/// The product's go-to-market motion, as its public site and signup show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotionKind {
    /// A new user signs up alone, sees prices and can start free.
    ProductLed,
    /// Self-serve signup beside a sales path (no free start, sales-only plans, hidden
    /// prices).
    Hybrid,
    /// No self-serve way in: demos, sales contact.
    SalesLed,
    /// Not open yet: a waitlist.
    PreLaunch,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Motion {
    pub kind: MotionKind,
    /// The facts that decided it, one sentence each.
    pub reasons: Vec<String>,
}

/// One fix, ranked by what it would add to the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    pub id: String,
    pub pillar: Pillar,
    /// The finding (the check's failure title).
    pub title: String,
    /// weight × (1 − score): the points of weight the fix would win back.
    pub impact: f64,
    /// Points the overall score would rise by if the check passed (the other results
    /// unchanged).
    #[serde(default)]
    pub gain: f64,
    pub recommendation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub motion: Motion,
    /// Failed and partial checks, highest impact first.
    pub top_fixes: Vec<Fix>,
}

pub fn top_fixes(checklist: &Checklist, results: &[CheckResult]) -> Vec<Fix> {
    let scored = |r: &&CheckResult| r.status.is_scored() && r.weight > 0.0;
    let pillar_checks_weight = |p: Pillar| -> f64 {
        results
            .iter()
            .filter(scored)
            .filter(|r| r.pillar == p)
            .map(|r| r.weight)
            .sum()
    };
    let pillar_weight = |p: Pillar| checklist.pillar_weights.get(&p).copied().unwrap_or(1.0);
    // Pillars count in the overall score only when some of their checks are scored.
    let total_pillar_weight: f64 = Pillar::ALL
        .into_iter()
        .filter(|p| pillar_checks_weight(*p) > 0.0)
        .map(pillar_weight)
        .sum();
    let mut fixes: Vec<Fix> = results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Partial))
        .map(|r| {
            let missing = r.weight * (1.0 - r.score.unwrap_or(0.0));
            let within = pillar_checks_weight(r.pillar);
            let gain = if within > 0.0 && total_pillar_weight > 0.0 {
                100.0 * missing / within * pillar_weight(r.pillar) / total_pillar_weight
            } else {
                0.0
            };
            Fix {
                id: r.id.clone(),
                pillar: r.pillar,
                title: r.failure_title.clone(),
                impact: (missing * 100.0).round() / 100.0,
                gain: round1(gain),
                recommendation: r.recommendation.clone(),
            }
        })
        .collect();
    fixes.sort_by(|a, b| {
        b.impact
            .total_cmp(&a.impact)
            .then_with(|| b.gain.total_cmp(&a.gain))
            .then_with(|| a.pillar.cmp(&b.pillar))
            .then_with(|| a.id.cmp(&b.id))
    });
    fixes
}

/// Product-led, hybrid, sales-led or pre-launch, from the signup and the pricing page.
pub fn motion(facts: &Facts) -> Motion {
    let get = |p: &str| facts.lookup(p).cloned().unwrap_or(Value::Null);
    let outcome = get("signup.outcome");
    let outcome = outcome.as_str().unwrap_or("");
    let mut reasons = Vec::new();
    let plans = get("pricing.plans");
    let plans = plans.as_array().cloned().unwrap_or_default();
    let waitlist_plans = !plans.is_empty()
        && plans
            .iter()
            .all(|p| p["cta_kind"].as_str() == Some("waitlist"));
    if outcome == "waitlist" || waitlist_plans {
        reasons.push(if outcome == "waitlist" {
            "signing up puts a new user on a waitlist".to_string()
        } else {
            "every plan's button joins a waitlist".to_string()
        });
        return Motion {
            kind: MotionKind::PreLaunch,
            reasons,
        };
    }
    let self_serve = get("facts.self_serve");
    let contact_only = get("pricing.contact_sales_only") == Value::Bool(true);
    let pricing_known = !get("pricing").is_null();
    let prices_visible = plans.iter().any(|p| !p["price"].is_null());
    let free_on_pricing = get("pricing.free_plan") == Value::Bool(true)
        || get("pricing.free_trial") == Value::Bool(true)
        || get("pricing.reverse_trial") == Value::Bool(true);
    // Reaching value without a card wall is a free start, whatever the pricing page says.
    let free_in_journey = get("signup.reached_value") == Value::Bool(true);
    if self_serve == Value::Bool(false) {
        reasons.push(match outcome {
            "sales_gated" => "the way in is a demo or sales request, not a signup".to_string(),
            _ => "the site offers no self-serve signup".to_string(),
        });
        if contact_only {
            reasons.push("every plan says to contact sales".to_string());
        }
        return Motion {
            kind: MotionKind::SalesLed,
            reasons,
        };
    }
    let self_serve_known = self_serve == Value::Bool(true);
    reasons.push(if self_serve_known {
        "a new user can sign up alone".to_string()
    } else {
        facts
            .unknown_reason("facts.self_serve")
            .map(|r| format!("whether a new user can sign up alone is unknown: {r}"))
            .unwrap_or_default()
    });
    if contact_only {
        reasons.push("every plan says to contact sales".to_string());
    }
    if pricing_known {
        reasons.push(if prices_visible {
            "prices are shown".to_string()
        } else {
            "no price is shown".to_string()
        });
    } else {
        reasons.push("no pricing page was read".to_string());
    }
    let free_start = free_on_pricing || free_in_journey;
    reasons.push(if free_on_pricing {
        "a free plan or trial lets a user start without paying".to_string()
    } else if free_in_journey {
        "a new user reached value without paying".to_string()
    } else if pricing_known {
        "there is no free plan or trial".to_string()
    } else {
        "whether a user can start free is unknown".to_string()
    });
    let kind = if !self_serve_known {
        if contact_only {
            MotionKind::SalesLed
        } else {
            MotionKind::Hybrid
        }
    } else if contact_only || (pricing_known && !prices_visible) || !free_start {
        MotionKind::Hybrid
    } else {
        MotionKind::ProductLed
    };
    Motion { kind, reasons }
}
