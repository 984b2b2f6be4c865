//! The facts a check is judged on: report.json's own fields (`signup`, `pricing`,
//! `mechanics`, `stack`, `pages`…, as the README documents them) plus `facts`, a few
//! figures derived from them and from the saved home page that expressions would
//! otherwise repeat (the journey's verdict, fields before value, pages by role, the home
//! page's links, social proof).
//!
//! A fact can be unknown (null). [`Facts::unknown_reason`] says why, so a check that
//! needs it is reported as unknown with that reason rather than guessed.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::artifacts::{Artifacts, Outcome, PageRole};
use crate::audit::SavedHtml;
use crate::gather::document::PageDocument;
use crate::report::Report;
use crate::text::{has_phrase, normalize};

const SIGNALS: &str = include_str!("../../../checks/signals/trust.toml");

/// Words that show social proof on a home page (see the data file's header).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustSignals {
    social_proof: Words,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Words {
    phrases: Vec<String>,
}

static TRUST: LazyLock<TrustSignals> = LazyLock::new(|| {
    let mut signals: TrustSignals = toml::from_str(SIGNALS).unwrap_or_default();
    for p in &mut signals.social_proof.phrases {
        *p = normalize(p);
    }
    signals
});

/// The facts of one run, as the JSON object expressions read.
#[derive(Debug, Clone)]
pub struct Facts {
    pub root: Map<String, Value>,
    /// Why a derived fact is null, by its path (`facts.journey`…).
    unknown: BTreeMap<String, String>,
}

/// Report fields that are the checklist's own output, never its input.
const OUTPUT_FIELDS: [&str; 4] = ["checklist_version", "checks", "scores", "summary"];

impl Facts {
    /// The facts of `report`, with derived ones read from `artifacts` and the saved home
    /// page.
    pub fn gather(report: &Report, artifacts: &Artifacts, saved: SavedHtml) -> Facts {
        let mut root = match serde_json::to_value(report) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for field in OUTPUT_FIELDS {
            root.remove(field);
        }
        let mut unknown = BTreeMap::new();
        let derived = derive(report, artifacts, saved, &mut unknown);
        root.insert("facts".to_string(), derived);
        Facts { root, unknown }
    }

    /// Facts given as a JSON object (report.json's fields plus `facts`), with no derived
    /// reasons: for judging hand-built facts, as the checklist's tests do.
    pub fn from_json(root: Map<String, Value>) -> Facts {
        Facts {
            root,
            unknown: BTreeMap::new(),
        }
    }

    /// The value at a dotted path (`signup.entry.above_fold`); None when a step of the
    /// path is missing, Some(Null) when it is null.
    pub fn lookup(&self, path: &str) -> Option<&Value> {
        let mut parts = path.split('.');
        let mut value = self.root.get(parts.next()?)?;
        for part in parts {
            value = match value {
                Value::Object(m) => m.get(part)?,
                Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(value)
    }

    /// Why the fact at `path` is unknown, or None when it is known (present and not null).
    pub fn unknown_reason(&self, path: &str) -> Option<String> {
        if !matches!(self.lookup(path), None | Some(Value::Null)) {
            return None;
        }
        // The first null step of the path names the reason.
        let mut prefix = String::new();
        for part in path.split('.') {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(part);
            if matches!(self.lookup(&prefix), None | Some(Value::Null)) {
                return Some(self.reason_for(&prefix));
            }
        }
        Some(format!("{path} is unknown"))
    }

    fn reason_for(&self, path: &str) -> String {
        if let Some(r) = self.unknown.get(path) {
            return r.clone();
        }
        let text = |p: &str| self.lookup(p).and_then(Value::as_str).map(str::to_string);
        match path {
            "signup" => "the signup journey was not walked".to_string(),
            "pricing" => text("pricing_reason")
                .map(|r| format!("no pricing was read: {r}"))
                .unwrap_or_else(|| "no pricing was read".to_string()),
            "signup.value" => {
                let outcome = text("signup.outcome").unwrap_or_default();
                let reason = text("signup.reason").unwrap_or_default();
                format!("the journey did not reach the value moment (it ended {outcome}: {reason})")
            }
            "signup.entry.above_fold" => {
                "whether the signup button shows without scrolling was not measured".to_string()
            }
            p if p.starts_with("pricing.") => {
                let field = &p["pricing.".len()..];
                text(&format!("pricing.reasons.{field}"))
                    .map(|r| format!("pricing {}: {r}", field.replace('_', " ")))
                    .unwrap_or_else(|| format!("{p} is unknown"))
            }
            p => format!("{p} is unknown"),
        }
    }
}

/// Tracking tools: what a consent banner is meant to hold back.
pub const TRACKING_CATEGORIES: [&str; 6] = [
    "product_analytics",
    "web_analytics",
    "session_replay",
    "advertising",
    "cdp",
    "marketing_automation",
];

fn derive(
    report: &Report,
    artifacts: &Artifacts,
    saved: SavedHtml,
    unknown: &mut BTreeMap<String, String>,
) -> Value {
    let signup = report.signup.as_ref();
    // The journey's verdict: an outcome that says what a new user meets.
    let journey = match signup {
        None => {
            unknown.insert(
                "facts.journey".into(),
                "the signup journey was not walked".into(),
            );
            Value::Null
        }
        Some(s) => match s.outcome {
            Outcome::Failed => {
                unknown.insert(
                    "facts.journey".into(),
                    format!("the journey failed before a verdict: {}", s.reason),
                );
                Value::Null
            }
            Outcome::NotSubmitted => {
                unknown.insert(
                    "facts.journey".into(),
                    "the journey stopped before submitting (--no-submit)".into(),
                );
                Value::Null
            }
            o => json!(o.as_str()),
        },
    };
    // Whether a new user can sign up alone.
    let self_serve = match signup.map(|s| (s.outcome, s.entry.is_some())) {
        None => {
            unknown.insert(
                "facts.self_serve".into(),
                "the signup journey was not walked".into(),
            );
            Value::Null
        }
        Some((Outcome::NotFound | Outcome::SalesGated | Outcome::Waitlist, _)) => json!(false),
        Some((Outcome::Failed | Outcome::NotSubmitted, false)) => {
            unknown.insert(
                "facts.self_serve".into(),
                "the journey ended before it found a signup form".into(),
            );
            Value::Null
        }
        Some(_) => json!(true),
    };
    // Every field a person fills before the value moment, the wall's form included.
    let mut fields = Vec::new();
    if let Some(s) = signup {
        for step in &s.journey {
            for f in &step.filled {
                fields.push(json!({"label": f.label, "type": f.field_type, "required": f.required, "step": step.n}));
            }
        }
        if let Some(b) = &s.blocker {
            for f in &b.fields {
                fields.push(json!({"label": f.label, "type": f.field_type, "required": f.required, "step": Value::Null}));
            }
        }
    }
    let required_types: Vec<Value> = fields
        .iter()
        .filter(|f| f["required"] == json!(true))
        .map(|f| f["type"].clone())
        .collect();

    let mut pages_by_role: BTreeMap<&str, Vec<String>> = PageRole::ALL
        .iter()
        .map(|r| (r.as_str(), Vec::new()))
        .collect();
    for page in &report.pages {
        for role in &page.roles {
            if let Some(urls) = pages_by_role.get_mut(role.as_str()) {
                urls.push(page.url.clone());
            }
        }
    }
    let home_page = artifacts
        .pages
        .iter()
        .find(|p| p.all_roles().contains(&PageRole::Home));
    let home = match home_page {
        None => {
            unknown.insert(
                "facts.home".into(),
                "the home page could not be read".into(),
            );
            Value::Null
        }
        Some(p) => {
            let proof = p
                .html_file
                .as_deref()
                .and_then(saved)
                .and_then(|html| url::Url::parse(&p.url).ok().map(|u| (html, u)))
                .map(|(html, url)| social_proof(&PageDocument::parse(&html, &url).text));
            if proof.is_none() {
                unknown.insert(
                    "facts.home.social_proof".into(),
                    "the home page's HTML was not saved".into(),
                );
            }
            json!({
                "url": p.url,
                "title": p.title,
                "links": p.links.iter().map(|l| json!({
                    "text": l.text, "href": l.href, "kind": l.kind, "location": l.location,
                })).collect::<Vec<_>>(),
                "social_proof": proof,
            })
        }
    };
    let mut stack_categories: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for v in &report.stack {
        let category = serde_json::to_value(v.category)
            .ok()
            .and_then(|c| c.as_str().map(str::to_string))
            .unwrap_or_default();
        stack_categories
            .entry(category)
            .or_default()
            .push(v.name.clone());
    }
    json!({
        "journey": journey,
        "self_serve": self_serve,
        "fields_before_value": fields,
        "required_field_types": required_types,
        "pages_by_role": pages_by_role,
        "home": home,
        "stack_categories": stack_categories,
    })
}

/// The social-proof phrases the home page's text holds ("trusted by", "customers"…).
fn social_proof(text: &str) -> Vec<String> {
    let text = normalize(text);
    TRUST
        .social_proof
        .phrases
        .iter()
        .filter(|p| has_phrase(&text, p))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trust_signals_file_parses() {
        let parsed: Result<TrustSignals, _> = toml::from_str(SIGNALS);
        assert!(parsed.is_ok(), "{parsed:?}");
        assert!(TRUST.social_proof.phrases.len() >= 10);
    }

    #[test]
    fn social_proof_is_read_from_whole_phrases() {
        assert_eq!(
            social_proof("Trusted by 4,000 teams. Read our customers' stories"),
            vec!["trusted by".to_string(), "our customers".to_string()]
        );
        assert!(social_proof("We trust you will like it").is_empty());
    }
}
