//! The named built-ins: checks whose logic is real code rather than one expression.
//! A check names one with `builtin = "…"`; each reads only the facts.

use serde_json::{json, Value};

use super::facts::{Facts, TRACKING_CATEGORIES};
use super::judge::{Evidence, Verdict};

/// The built-ins a check file may name.
pub const NAMES: [&str; 3] = [
    "signup_cta_in_hero_above_fold",
    "tracking_after_consent",
    "plan_buttons_lead_to_signup",
];

pub fn evaluate(name: &str, facts: &Facts, evidence: Vec<Evidence>) -> Verdict {
    match name {
        "signup_cta_in_hero_above_fold" => cta_in_hero_above_fold(facts, evidence),
        "tracking_after_consent" => tracking_after_consent(facts, evidence),
        "plan_buttons_lead_to_signup" => plan_buttons_lead_to_signup(facts, evidence),
        // Names are checked when the checklist loads.
        other => Verdict::unknown(format!("unknown built-in {other}"), evidence),
    }
}

fn ev(fact: &str, label: &str, value: Value) -> Evidence {
    Evidence {
        fact: fact.to_string(),
        label: label.to_string(),
        value,
    }
}

/// The signup call to action sits in the home page's hero and shows without scrolling:
/// pass; one of the two: partial; neither (a nav link below a long page, a footer link):
/// fail; no signup entry: fail; the fold not measured: unknown.
fn cta_in_hero_above_fold(facts: &Facts, mut evidence: Vec<Evidence>) -> Verdict {
    if let Some(why) = facts.unknown_reason("signup") {
        return Verdict::unknown(format!("unknown: {why}"), evidence);
    }
    let entry = facts.lookup("signup.entry").cloned().unwrap_or(Value::Null);
    if entry.is_null() {
        return Verdict::scored(0.0, "the home page offers no signup entry", evidence);
    }
    let location = entry["location"].as_str().map(str::to_string);
    evidence.push(ev(
        "signup.entry.text",
        "Signup button",
        entry["text"].clone(),
    ));
    evidence.push(ev(
        "signup.entry.location",
        "Where it sits",
        entry["location"].clone(),
    ));
    evidence.push(ev(
        "signup.entry.above_fold",
        "Visible without scrolling",
        entry["above_fold"].clone(),
    ));
    evidence.push(ev(
        "signup.entry.url",
        "Where it leads",
        entry["url"].clone(),
    ));
    let Some(location) = location else {
        return Verdict::unknown(
            "unknown: the journey began on a signup form, not from the home page",
            evidence,
        );
    };
    let Some(above) = entry["above_fold"].as_bool() else {
        return Verdict::unknown(
            "unknown: whether the signup button shows without scrolling was not measured",
            evidence,
        );
    };
    let in_hero = location == "hero";
    let text = entry["text"].as_str().unwrap_or("");
    match (in_hero, above) {
        (true, true) => Verdict::scored(
            1.0,
            format!("\"{text}\" is in the hero and shows without scrolling"),
            evidence,
        ),
        (true, false) => Verdict::scored(
            0.5,
            format!("\"{text}\" is in the hero but below the fold of a 1280×900 window"),
            evidence,
        ),
        (false, true) => Verdict::scored(
            0.5,
            format!("\"{text}\" shows without scrolling, but in the {location}, not the hero"),
            evidence,
        ),
        (false, false) => Verdict::scored(
            0.0,
            format!("\"{text}\" sits in the {location}, below the fold"),
            evidence,
        ),
    }
}

/// When the home page shows a consent banner, no tracking tool may be requested before the
/// visitor answers it: the home page's own requests (made before the journey answered the
/// banner) must not reach a tracking vendor.
fn tracking_after_consent(facts: &Facts, mut evidence: Vec<Evidence>) -> Verdict {
    let banner = facts
        .lookup("consent_banner")
        .cloned()
        .unwrap_or(Value::Null);
    if banner.is_null() {
        return Verdict::not_applicable("the home page shows no consent banner", evidence);
    }
    let Some(home) = facts.lookup("facts.home.url").and_then(Value::as_str) else {
        return Verdict::unknown("unknown: the home page could not be read", evidence);
    };
    evidence.push(ev(
        "consent_banner.text",
        "Consent banner",
        banner["text"].clone(),
    ));
    let stack = facts
        .lookup("stack")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut before: Vec<String> = Vec::new();
    let mut requests = Vec::new();
    for vendor in &stack {
        let category = vendor["category"].as_str().unwrap_or("");
        if !TRACKING_CATEGORIES.contains(&category) {
            continue;
        }
        let early: Vec<&Value> = vendor["evidence"]
            .as_array()
            .map(|e| {
                e.iter()
                    .filter(|e| {
                        e["kind"] == json!("request")
                            && e["page"] == json!(home)
                            && e["step"].is_null()
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let Some(first) = early.first() {
            before.push(vendor["name"].as_str().unwrap_or("").to_string());
            requests.push(first["url"].clone());
        }
    }
    evidence.push(ev(
        "tracking requested before consent",
        "Tracking requested before consent",
        json!(requests),
    ));
    if before.is_empty() {
        Verdict::scored(
            1.0,
            "no tracking tool was requested before the consent banner was answered",
            evidence,
        )
    } else {
        Verdict::scored(
            0.0,
            format!(
                "{} requested on the home page before the consent banner was answered",
                before.join(", ")
            ),
            evidence,
        )
    }
}

/// The pricing page's plan buttons lead to a signup, a trial or a checkout, not to a
/// sales call — except the top (enterprise) plan, where talking to sales is expected.
/// Score: the share of the other plans that are self-serve.
fn plan_buttons_lead_to_signup(facts: &Facts, mut evidence: Vec<Evidence>) -> Verdict {
    if let Some(why) = facts.unknown_reason("pricing") {
        return Verdict::unknown(format!("unknown: {why}"), evidence);
    }
    let plans = facts
        .lookup("pricing.plans")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let enterprise = facts.lookup("pricing.enterprise_tier") == Some(&json!(true));
    let mut judged: Vec<&Value> = plans.iter().collect();
    // The last sales-led plan is the enterprise tier when there is one.
    if enterprise {
        if let Some(i) = judged
            .iter()
            .rposition(|p| p["cta_kind"] == json!("contact_sales"))
        {
            judged.remove(i);
        }
    }
    let known: Vec<&Value> = judged
        .iter()
        .copied()
        .filter(|p| !p["cta_kind"].is_null())
        .collect();
    evidence.push(ev(
        "plan buttons",
        "Plan buttons",
        json!(plans
            .iter()
            .map(|p| json!({"plan": p["name"], "cta": p["cta"], "cta_kind": p["cta_kind"]}))
            .collect::<Vec<_>>()),
    ));
    if known.is_empty() {
        return Verdict::unknown(
            "unknown: no plan button (below the enterprise tier) was read",
            evidence,
        );
    }
    let self_serve = known
        .iter()
        .filter(|p| matches!(p["cta_kind"].as_str(), Some("signup" | "trial" | "buy")))
        .count();
    let score = self_serve as f64 / known.len() as f64;
    let reason = if self_serve == known.len() {
        "every plan below the enterprise tier starts with a signup, a trial or a checkout"
            .to_string()
    } else {
        let sales: Vec<&str> = known
            .iter()
            .filter(|p| !matches!(p["cta_kind"].as_str(), Some("signup" | "trial" | "buy")))
            .filter_map(|p| p["name"].as_str())
            .collect();
        format!(
            "{} of {} plans lead to sales or a waitlist, not a signup: {}",
            sales.len(),
            known.len(),
            sales.join(", ")
        )
    };
    Verdict::scored(score, reason, evidence)
}
