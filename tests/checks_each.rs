//! Every built-in check judged on the demo product's facts (tests/fixtures/checklist/
//! demo-facts.json), patched one fact at a time: each check gets a passing and a failing
//! case (true and false for informative checks), a partial case where it scores partly, a
//! not-applicable case where `applies` can be false and an unknown case where it
//! `requires` a fact. Each case asserts the exact status, score and one evidence value.

use std::sync::LazyLock;

use plg_audit::audit::checklist::facts::Facts;
use plg_audit::audit::checklist::judge::{judge_all, CheckResult};
use plg_audit::audit::checklist::scores::{motion, score, top_fixes, MotionKind};
use plg_audit::audit::checklist::Checklist;
use serde_json::{json, Map, Value};

static CHECKLIST: LazyLock<Checklist> = LazyLock::new(Checklist::builtin);

static BASE: LazyLock<Value> = LazyLock::new(|| {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/checklist/demo-facts.json"
    );
    let text = std::fs::read_to_string(path).expect("demo facts");
    serde_json::from_str(&text).expect("demo facts are JSON")
});

/// The demo product's facts with `patch` applied.
fn facts(patch: impl Fn(&mut Value)) -> Facts {
    let mut value = BASE.clone();
    patch(&mut value);
    match value {
        Value::Object(map) => Facts::from_json(map),
        _ => Facts::from_json(Map::new()),
    }
}

/// The result of check `id` on the demo product's facts with `patch` applied.
fn judge(id: &str, patch: impl Fn(&mut Value)) -> CheckResult {
    judge_all(&CHECKLIST, &facts(patch))
        .into_iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

// ---- patches -------------------------------------------------------------------------

/// Sets the value at a JSON pointer, adding the last key when it is new.
fn set(v: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    match v.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.insert(key.to_string(), value);
        }
        Some(Value::Array(a)) => a[key.parse::<usize>().expect("an index")] = value,
        _ => panic!("no object or array at {parent}"),
    }
}

fn push(v: &mut Value, pointer: &str, value: Value) {
    v.pointer_mut(pointer)
        .and_then(Value::as_array_mut)
        .unwrap_or_else(|| panic!("no array at {pointer}"))
        .push(value);
}

fn bump(v: &mut Value, pointer: &str) {
    let n = v
        .pointer(pointer)
        .and_then(Value::as_i64)
        .expect("a number");
    set(v, pointer, json!(n + 1));
}

fn base(_: &mut Value) {}

/// The way in is a demo request: no self-serve signup, no entry.
fn sales_gated(v: &mut Value) {
    set(v, "/signup/outcome", json!("sales_gated"));
    set(
        v,
        "/signup/reason",
        json!("no self-serve signup; the site offers \"Book a demo\""),
    );
    set(v, "/signup/entry", Value::Null);
    set(v, "/signup/reached_value", json!(false));
    set(v, "/signup/value", Value::Null);
    set(v, "/facts/journey", json!("sales_gated"));
    set(v, "/facts/self_serve", json!(false));
}

/// The journey failed before a verdict: the journey's verdict is unknown.
fn journey_failed(v: &mut Value) {
    set(v, "/signup/outcome", json!("failed"));
    set(v, "/signup/reason", json!("the signup form did not answer"));
    set(v, "/signup/reached_value", json!(false));
    set(v, "/signup/value", Value::Null);
    set(v, "/facts/journey", Value::Null);
}

/// The signup journey was not walked at all.
fn no_signup(v: &mut Value) {
    set(v, "/signup", Value::Null);
    set(v, "/facts/journey", Value::Null);
    set(v, "/facts/self_serve", Value::Null);
    set(v, "/facts/fields_before_value", json!([]));
    set(v, "/facts/required_field_types", json!([]));
}

fn no_pricing(v: &mut Value) {
    set(v, "/pricing", Value::Null);
    set(v, "/pricing_reason", json!("no pricing page was found"));
}

fn no_home(v: &mut Value) {
    set(v, "/facts/home", Value::Null);
}

/// The journey stopped at a wall (`outcome`) before value.
fn walled(v: &mut Value, outcome: &str) {
    set(v, "/signup/outcome", json!(outcome));
    set(v, "/signup/reason", json!(format!("stopped by {outcome}")));
    set(v, "/signup/reached_value", json!(false));
    set(v, "/signup/value", Value::Null);
    set(v, "/signup/blocker", blocker(outcome));
    set(v, "/facts/journey", json!(outcome));
}

/// The wall that stopped the journey, as `signup.blocker`.
fn blocker(outcome: &str) -> Value {
    json!({"outcome": outcome, "text": "Stopped here", "url": "http://127.0.0.1:34287/wall",
           "element": null, "screenshot": null, "fields": []})
}

/// An entry of `facts.fields_before_value` filled at the signup form (step 2).
fn field(label: &str, ty: &str, required: bool) -> Value {
    json!({"label": label, "required": required, "step": 2, "type": ty})
}

/// The empty app screen the journey met, as `signup.empty_state`.
fn empty_state_of(action: &str, templates: bool, sample_data: bool) -> Value {
    json!({"url": "http://127.0.0.1:34287/app", "heading": "No projects yet", "action": action,
           "templates": templates, "sample_data": sample_data})
}

/// One more field before value, filled at the signup form (step 2).
fn add_field(v: &mut Value, label: &str, ty: &str, required: bool) {
    let filled = json!({"label": label, "required": required, "type": ty});
    push(v, "/signup/journey/1/filled", filled);
    push(v, "/facts/fields_before_value", field(label, ty, required));
    bump(v, "/signup/journey/1/fields/total");
    bump(v, "/signup/fields/total");
    if required {
        push(v, "/facts/required_field_types", json!(ty));
        bump(v, "/signup/journey/1/fields/required");
        bump(v, "/signup/fields/required");
    }
}

/// A vendor of the growth stack, seen once at `page` (`step` null: before the journey).
fn add_vendor(v: &mut Value, name: &str, category: &str, page: &str, step: Value) {
    let host = format!("cdn.{}.example", name.to_lowercase());
    push(
        v,
        "/stack",
        json!({"category": category, "name": name, "vendor": name.to_lowercase(), "journey_only": false,
               "evidence": [{"kind": "request", "match": host, "page": page, "step": step,
                             "url": format!("https://{host}/sdk.js")}],
               "journey_steps": if step.is_null() { json!([]) } else { json!([step]) }}),
    );
    let categories = v
        .pointer_mut("/facts/stack_categories")
        .and_then(Value::as_object_mut)
        .expect("stack categories");
    categories
        .entry(category)
        .or_insert(json!([]))
        .as_array_mut()
        .expect("a list")
        .push(json!(name));
}

fn remove_vendor(v: &mut Value, name: &str) {
    if let Some(stack) = v.pointer_mut("/stack").and_then(Value::as_array_mut) {
        stack.retain(|s| s["name"] != json!(name));
    }
    if let Some(categories) = v
        .pointer_mut("/facts/stack_categories")
        .and_then(Value::as_object_mut)
    {
        for names in categories.values_mut() {
            if let Some(a) = names.as_array_mut() {
                a.retain(|n| n != &json!(name));
            }
        }
        categories.retain(|_, names| names.as_array().is_some_and(|a| !a.is_empty()));
    }
}

/// A growth mechanic seen (or not) with one piece of evidence.
fn mechanic(v: &mut Value, name: &str, present: bool, text: &str, url: &str, place: &str) {
    let evidence = if present {
        json!([{"text": text, "url": url, "where": place}])
    } else {
        json!([])
    };
    set(v, &format!("/mechanics/{name}/present"), json!(present));
    set(v, &format!("/mechanics/{name}/evidence"), evidence);
}

const HOME: &str = "http://127.0.0.1:34287/";
const SEGMENT_JS: &str = "https://cdn.segment.com/analytics.js/v1/demo/analytics.min.js";

// ---- cases ---------------------------------------------------------------------------

struct Case {
    id: &'static str,
    name: &'static str,
    patch: fn(&mut Value),
    status: &'static str,
    score: Option<f64>,
    unknown: bool,
    /// One evidence value that must be exactly this; None: the result shows no evidence.
    evidence: Option<(&'static str, Value)>,
    reason: Option<&'static str>,
}

type Ev = Option<(&'static str, Value)>;

fn ev(fact: &'static str, value: Value) -> Ev {
    Some((fact, value))
}

impl Case {
    fn reason(mut self, reason: &'static str) -> Case {
        self.reason = Some(reason);
        self
    }
}

fn case(
    id: &'static str,
    name: &'static str,
    patch: fn(&mut Value),
    status: &'static str,
    score: Option<f64>,
    unknown: bool,
    evidence: Ev,
) -> Case {
    Case {
        id,
        name,
        patch,
        status,
        score,
        unknown,
        evidence,
        reason: None,
    }
}

fn pass(id: &'static str, name: &'static str, patch: fn(&mut Value), evidence: Ev) -> Case {
    case(id, name, patch, "pass", Some(1.0), false, evidence)
}

fn fail(id: &'static str, name: &'static str, patch: fn(&mut Value), evidence: Ev) -> Case {
    case(id, name, patch, "fail", Some(0.0), false, evidence)
}

fn partial(
    id: &'static str,
    name: &'static str,
    score: f64,
    patch: fn(&mut Value),
    evidence: Ev,
) -> Case {
    case(id, name, patch, "partial", Some(score), false, evidence)
}

/// `applies` is false: not applicable, and nothing is unknown.
fn na(id: &'static str, name: &'static str, patch: fn(&mut Value), evidence: Ev) -> Case {
    case(id, name, patch, "not_applicable", None, false, evidence)
}

/// A fact the check needs is unknown.
fn unknown(id: &'static str, name: &'static str, patch: fn(&mut Value), evidence: Ev) -> Case {
    case(id, name, patch, "not_applicable", None, true, evidence)
}

fn info(id: &'static str, name: &'static str, patch: fn(&mut Value), evidence: Ev) -> Case {
    case(id, name, patch, "informative", None, false, evidence)
}

/// Judges every case; fails once, naming every wrong case by check and case.
fn run(cases: &[Case]) {
    let mut wrong = Vec::new();
    for c in cases {
        let r = judge(c.id, c.patch);
        let mut why = Vec::new();
        if r.status.as_str() != c.status {
            why.push(format!("status {} (want {})", r.status.as_str(), c.status));
        }
        let same_score = match (r.score, c.score) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            (a, b) => a == b,
        };
        if !same_score {
            why.push(format!("score {:?} (want {:?})", r.score, c.score));
        }
        if r.unknown != c.unknown {
            why.push(format!("unknown {} (want {})", r.unknown, c.unknown));
        }
        match &c.evidence {
            Some((fact, value)) => match r.evidence.iter().find(|e| e.fact == *fact) {
                Some(e) if e.value == *value => {}
                Some(e) => why.push(format!("evidence {fact} = {} (want {value})", e.value)),
                None => why.push(format!("no evidence {fact}")),
            },
            None if !r.evidence.is_empty() => {
                why.push(format!("evidence {:?} (want none)", r.evidence))
            }
            None => {}
        }
        if let Some(reason) = c.reason {
            if r.reason != reason {
                why.push(format!("reason {:?} (want {reason:?})", r.reason));
            }
        }
        if !why.is_empty() {
            wrong.push(format!(
                "{} / {}: {} [reason: {}]",
                c.id,
                c.name,
                why.join("; "),
                r.reason
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases are wrong:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

const JOURNEY_UNKNOWN: &str = "unknown: facts.journey is unknown";
const NO_SELF_SERVE: &str = "there is no self-serve signup to fill in";

fn activation_cases() -> Vec<Case> {
    let hero_below = "\"Start for free\" is in the hero but below the fold of a 1280×900 window";
    let nav_above = "\"Start for free\" shows without scrolling, but in the nav, not the hero";
    let fold_unknown =
        "unknown: whether the signup button shows without scrolling was not measured";
    let no_location = "unknown: the journey began on a signup form, not from the home page";
    let value_seen = "\"Analytical Team\" is shown on http://127.0.0.1:34287/app/project";
    let sso_only_unknown = "unknown: signing up needs a Google or Microsoft account, which the audit does not use, so whether a person reaches value is not known";
    let email_wall_unknown = "unknown: the journey did not reach the value moment (it ended email_verification: stopped by email_verification)";
    let captcha_unknown = "unknown: the journey did not reach the value moment (it ended captcha: stopped by captcha)";
    let unskippable =
        "signup.journey.filter(s, s.action == 'continue' && s.fields.required > 0).map(s, s.label)";
    let no_empty_state = "the journey met no empty app screen (value was reached without one)";
    let four_labels = json!([
        "Full name",
        "Work email",
        "Password",
        "I agree to the Terms of Service and Privacy Policy"
    ]);
    let phone = json!([field("Phone", "phone", true)]);
    vec![
        // activation.self_serve_signup
        pass(
            "activation.self_serve_signup",
            "a completed signup passes",
            base,
            ev("signup.outcome", json!("completed")),
        ),
        fail(
            "activation.self_serve_signup",
            "a demo request instead of a signup fails",
            sales_gated,
            ev("signup.outcome", json!("sales_gated")),
        )
        .reason("There is no self-serve signup"),
        unknown(
            "activation.self_serve_signup",
            "self-serve unknown is unknown",
            |v| {
                journey_failed(v);
                set(v, "/facts/self_serve", Value::Null)
            },
            ev("signup.outcome", json!("failed")),
        )
        .reason("unknown: facts.self_serve is unknown"),
        // activation.signup_cta_above_fold (built-in)
        pass(
            "activation.signup_cta_above_fold",
            "hero above the fold passes",
            base,
            ev("signup.entry.location", json!("hero")),
        )
        .reason("\"Start for free\" is in the hero and shows without scrolling"),
        partial(
            "activation.signup_cta_above_fold",
            "hero below the fold is partial",
            0.5,
            |v| set(v, "/signup/entry/above_fold", json!(false)),
            ev("signup.entry.above_fold", json!(false)),
        )
        .reason(hero_below),
        partial(
            "activation.signup_cta_above_fold",
            "nav above the fold is partial",
            0.5,
            |v| set(v, "/signup/entry/location", json!("nav")),
            ev("signup.entry.location", json!("nav")),
        )
        .reason(nav_above),
        fail(
            "activation.signup_cta_above_fold",
            "footer below the fold fails",
            |v| {
                set(v, "/signup/entry/location", json!("footer"));
                set(v, "/signup/entry/above_fold", json!(false))
            },
            ev("signup.entry.text", json!("Start for free")),
        )
        .reason("\"Start for free\" sits in the footer, below the fold"),
        fail(
            "activation.signup_cta_above_fold",
            "no signup entry fails",
            sales_gated,
            None,
        )
        .reason("the home page offers no signup entry"),
        unknown(
            "activation.signup_cta_above_fold",
            "fold not measured is unknown",
            |v| set(v, "/signup/entry/above_fold", Value::Null),
            ev("signup.entry.above_fold", Value::Null),
        )
        .reason(fold_unknown),
        unknown(
            "activation.signup_cta_above_fold",
            "journey begun on a signup form is unknown",
            |v| {
                set(v, "/signup/entry/location", Value::Null);
                set(v, "/signup/entry/above_fold", Value::Null)
            },
            ev("signup.entry.url", json!("http://127.0.0.1:34287/signup")),
        )
        .reason(no_location),
        unknown(
            "activation.signup_cta_above_fold",
            "no journey walked is unknown",
            no_signup,
            None,
        )
        .reason("unknown: the signup journey was not walked"),
        // activation.max_required_fields
        pass(
            "activation.max_required_fields",
            "four required fields pass",
            |v| {
                set(v, "/signup/fields/required", json!(4));
                set(v, "/facts/fields_before_value/4/required", json!(false));
                set(v, "/facts/fields_before_value/5/required", json!(false));
                set(
                    v,
                    "/facts/required_field_types",
                    json!(["full_name", "email", "password", "terms"]),
                );
            },
            ev(
                "facts.fields_before_value.filter(f, f.required).map(f, f.label)",
                four_labels,
            ),
        ),
        partial(
            "activation.max_required_fields",
            "six required fields are partial",
            0.5,
            base,
            ev("signup.fields.required", json!(6)),
        ),
        fail(
            "activation.max_required_fields",
            "seven required fields fail",
            |v| add_field(v, "Phone", "phone", true),
            ev("signup.fields.required", json!(7)),
        ),
        na(
            "activation.max_required_fields",
            "no self-serve signup is not applicable",
            sales_gated,
            ev("signup.fields.required", json!(6)),
        )
        .reason(NO_SELF_SERVE),
        unknown(
            "activation.max_required_fields",
            "journey unknown is unknown",
            journey_failed,
            ev("signup.fields.required", json!(6)),
        )
        .reason(JOURNEY_UNKNOWN),
        // activation.max_total_fields
        pass(
            "activation.max_total_fields",
            "six fields pass",
            base,
            ev("signup.fields.total", json!(6)),
        ),
        partial(
            "activation.max_total_fields",
            "ten fields are partial",
            0.5,
            |v| set(v, "/signup/fields/total", json!(10)),
            ev("signup.fields.total", json!(10)),
        ),
        fail(
            "activation.max_total_fields",
            "thirteen fields fail",
            |v| set(v, "/signup/fields/total", json!(13)),
            ev("signup.fields.total", json!(13)),
        ),
        na(
            "activation.max_total_fields",
            "no self-serve signup is not applicable",
            sales_gated,
            ev("signup.fields.total", json!(6)),
        )
        .reason(NO_SELF_SERVE),
        unknown(
            "activation.max_total_fields",
            "journey unknown is unknown",
            journey_failed,
            ev("signup.fields.total", json!(6)),
        )
        .reason(JOURNEY_UNKNOWN),
        // activation.no_phone_before_value
        pass(
            "activation.no_phone_before_value",
            "no phone field passes",
            base,
            ev(
                "facts.fields_before_value.filter(f, f.type == 'phone')",
                json!([]),
            ),
        ),
        pass(
            "activation.no_phone_before_value",
            "an optional phone field passes",
            |v| add_field(v, "Phone", "phone", false),
            ev(
                "facts.fields_before_value.filter(f, f.type == 'phone')",
                json!([field("Phone", "phone", false)]),
            ),
        ),
        fail(
            "activation.no_phone_before_value",
            "a required phone field fails",
            |v| add_field(v, "Phone", "phone", true),
            ev(
                "facts.fields_before_value.filter(f, f.type == 'phone')",
                phone,
            ),
        ),
        na(
            "activation.no_phone_before_value",
            "no self-serve signup is not applicable",
            sales_gated,
            ev(
                "facts.fields_before_value.filter(f, f.type == 'phone')",
                json!([]),
            ),
        )
        .reason(NO_SELF_SERVE),
        unknown(
            "activation.no_phone_before_value",
            "journey unknown is unknown",
            journey_failed,
            ev(
                "facts.fields_before_value.filter(f, f.type == 'phone')",
                json!([]),
            ),
        )
        .reason(JOURNEY_UNKNOWN),
        // activation.no_company_size_before_value
        pass(
            "activation.no_company_size_before_value",
            "no company size passes",
            base,
            ev(
                "facts.fields_before_value.filter(f, f.type == 'company_size')",
                json!([]),
            ),
        ),
        fail(
            "activation.no_company_size_before_value",
            "a required company size fails",
            |v| add_field(v, "Company size", "company_size", true),
            ev(
                "facts.fields_before_value.filter(f, f.type == 'company_size')",
                json!([field("Company size", "company_size", true)]),
            ),
        ),
        na(
            "activation.no_company_size_before_value",
            "no self-serve signup is not applicable",
            sales_gated,
            ev(
                "facts.fields_before_value.filter(f, f.type == 'company_size')",
                json!([]),
            ),
        )
        .reason(NO_SELF_SERVE),
        unknown(
            "activation.no_company_size_before_value",
            "journey unknown is unknown",
            journey_failed,
            ev(
                "facts.fields_before_value.filter(f, f.type == 'company_size')",
                json!([]),
            ),
        )
        .reason(JOURNEY_UNKNOWN),
        // activation.no_job_title_before_value
        pass(
            "activation.no_job_title_before_value",
            "an optional job title passes",
            |v| add_field(v, "Your role", "job_title", false),
            ev(
                "facts.fields_before_value.filter(f, f.type == 'job_title')",
                json!([field("Your role", "job_title", false)]),
            ),
        ),
        fail(
            "activation.no_job_title_before_value",
            "a required job title fails",
            |v| add_field(v, "Your role", "job_title", true),
            ev(
                "facts.fields_before_value.filter(f, f.type == 'job_title')",
                json!([field("Your role", "job_title", true)]),
            ),
        ),
        na(
            "activation.no_job_title_before_value",
            "no self-serve signup is not applicable",
            sales_gated,
            ev(
                "facts.fields_before_value.filter(f, f.type == 'job_title')",
                json!([]),
            ),
        )
        .reason(NO_SELF_SERVE),
        unknown(
            "activation.no_job_title_before_value",
            "journey unknown is unknown",
            journey_failed,
            ev(
                "facts.fields_before_value.filter(f, f.type == 'job_title')",
                json!([]),
            ),
        )
        .reason(JOURNEY_UNKNOWN),
        // activation.social_sign_on
        pass(
            "activation.social_sign_on",
            "google and github pass",
            base,
            ev("signup.sso_providers", json!(["google", "github"])),
        ),
        fail(
            "activation.social_sign_on",
            "no provider fails",
            |v| set(v, "/signup/sso_providers", json!([])),
            ev("signup.sso_providers", json!([])),
        ),
        na(
            "activation.social_sign_on",
            "no self-serve signup is not applicable",
            sales_gated,
            ev("signup.sso_providers", json!(["google", "github"])),
        )
        .reason("there is no self-serve signup"),
        unknown(
            "activation.social_sign_on",
            "no journey walked is unknown",
            no_signup,
            ev("signup.sso_providers", Value::Null),
        )
        .reason("unknown: the signup journey was not walked"),
        // activation.no_captcha_before_value
        pass(
            "activation.no_captcha_before_value",
            "a completed journey passes",
            base,
            ev("signup.outcome", json!("completed")),
        ),
        fail(
            "activation.no_captcha_before_value",
            "a captcha wall fails",
            |v| walled(v, "captcha"),
            ev("signup.outcome", json!("captcha")),
        ),
        fail(
            "activation.no_captcha_before_value",
            "a required captcha field fails",
            |v| add_field(v, "I am not a robot", "captcha", true),
            ev("signup.blocker", Value::Null),
        ),
        na(
            "activation.no_captcha_before_value",
            "no self-serve signup is not applicable",
            sales_gated,
            ev("signup.outcome", json!("sales_gated")),
        )
        .reason("there is no self-serve signup"),
        unknown(
            "activation.no_captcha_before_value",
            "journey unknown is unknown",
            journey_failed,
            ev("signup.outcome", json!("failed")),
        )
        .reason(JOURNEY_UNKNOWN),
        // activation.no_card_before_value
        pass(
            "activation.no_card_before_value",
            "a completed journey passes",
            base,
            ev("signup.blocker", Value::Null),
        ),
        fail(
            "activation.no_card_before_value",
            "a card wall fails",
            |v| walled(v, "card_required"),
            ev("signup.outcome", json!("card_required")),
        ),
        fail(
            "activation.no_card_before_value",
            "a required card number field fails",
            |v| add_field(v, "Card number", "card_number", true),
            ev("signup.outcome", json!("completed")),
        ),
        na(
            "activation.no_card_before_value",
            "no self-serve signup is not applicable",
            sales_gated,
            ev("signup.outcome", json!("sales_gated")),
        )
        .reason("there is no self-serve signup"),
        unknown(
            "activation.no_card_before_value",
            "journey unknown is unknown",
            journey_failed,
            ev("signup.outcome", json!("failed")),
        )
        .reason(JOURNEY_UNKNOWN),
        // activation.no_email_wall_before_value
        pass(
            "activation.no_email_wall_before_value",
            "a completed journey passes",
            base,
            ev("signup.outcome", json!("completed")),
        ),
        fail(
            "activation.no_email_wall_before_value",
            "an e-mail verification wall fails",
            |v| walled(v, "email_verification"),
            ev("signup.blocker", blocker("email_verification")),
        ),
        na(
            "activation.no_email_wall_before_value",
            "no self-serve signup is not applicable",
            sales_gated,
            ev("signup.outcome", json!("sales_gated")),
        )
        .reason("there is no self-serve signup"),
        unknown(
            "activation.no_email_wall_before_value",
            "journey unknown is unknown",
            journey_failed,
            ev("signup.outcome", json!("failed")),
        )
        .reason(JOURNEY_UNKNOWN),
        // activation.value_in_first_session
        pass(
            "activation.value_in_first_session",
            "value reached passes",
            base,
            ev(
                "signup.value",
                json!({"evidence": value_seen, "kind": "created", "screenshot": "screenshots/journey-05.png"}),
            ),
        ),
        fail(
            "activation.value_in_first_session",
            "an e-mail wall before value fails",
            |v| walled(v, "email_verification"),
            ev("signup.value", Value::Null),
        ),
        unknown(
            "activation.value_in_first_session",
            "sso-only signup is unknown, not failed",
            |v| {
                walled(v, "sso_only");
                set(v, "/signup/blocker", Value::Null)
            },
            ev("signup.outcome", json!("sso_only")),
        )
        .reason(sso_only_unknown),
        na(
            "activation.value_in_first_session",
            "no self-serve signup is not applicable",
            sales_gated,
            ev("signup.outcome", json!("sales_gated")),
        )
        .reason("there is no self-serve signup"),
        unknown(
            "activation.value_in_first_session",
            "journey unknown is unknown",
            journey_failed,
            ev("signup.reason", json!("the signup form did not answer")),
        )
        .reason(JOURNEY_UNKNOWN),
        // activation.steps_to_value
        pass(
            "activation.steps_to_value",
            "five steps pass",
            base,
            ev("signup.steps", json!(5)),
        ),
        partial(
            "activation.steps_to_value",
            "seven steps are partial",
            0.5,
            |v| set(v, "/signup/steps", json!(7)),
            ev("signup.steps", json!(7)),
        ),
        fail(
            "activation.steps_to_value",
            "nine steps fail",
            |v| set(v, "/signup/steps", json!(9)),
            ev("signup.steps", json!(9)),
        ),
        unknown(
            "activation.steps_to_value",
            "value not reached is unknown",
            |v| walled(v, "email_verification"),
            ev("signup.steps", json!(5)),
        )
        .reason(email_wall_unknown),
        // activation.human_time_to_value
        pass(
            "activation.human_time_to_value",
            "57 seconds pass",
            base,
            ev("signup.human_seconds", json!(57.4)),
        ),
        partial(
            "activation.human_time_to_value",
            "200 seconds are partial",
            0.5,
            |v| set(v, "/signup/human_seconds", json!(200.5)),
            ev("signup.human_seconds", json!(200.5)),
        ),
        fail(
            "activation.human_time_to_value",
            "301 seconds fail",
            |v| set(v, "/signup/human_seconds", json!(301.0)),
            ev("signup.human_seconds", json!(301.0)),
        ),
        unknown(
            "activation.human_time_to_value",
            "value not reached is unknown",
            |v| walled(v, "captcha"),
            ev("signup.steps", json!(5)),
        )
        .reason(captcha_unknown),
        // activation.fast_screens
        pass(
            "activation.fast_screens",
            "2.4 s over 5 steps passes",
            base,
            ev("signup.machine_ms", json!(2421)),
        ),
        partial(
            "activation.fast_screens",
            "15 s over 5 steps is partial",
            0.5,
            |v| set(v, "/signup/machine_ms", json!(15000)),
            ev("signup.machine_ms", json!(15000)),
        ),
        fail(
            "activation.fast_screens",
            "25 s over 5 steps fails",
            |v| set(v, "/signup/machine_ms", json!(25000)),
            ev("signup.machine_ms", json!(25000)),
        ),
        unknown(
            "activation.fast_screens",
            "value not reached is unknown",
            journey_failed,
            ev(
                "signup.journey.map(s, s.ms)",
                json!([436, 557, 504, 429, 495]),
            ),
        ),
        // activation.skippable_onboarding
        pass(
            "activation.skippable_onboarding",
            "a continue step asking nothing passes",
            |v| {
                set(
                    v,
                    "/signup/journey/2/fields",
                    json!({"required": 0, "total": 1}),
                );
            },
            ev(unskippable, json!([])),
        ),
        fail(
            "activation.skippable_onboarding",
            "a required workspace name with no skip fails",
            base,
            ev(unskippable, json!(["Continue"])),
        ),
        na(
            "activation.skippable_onboarding",
            "no onboarding screen is not applicable",
            |v| {
                set(v, "/signup/journey/2/action", json!("click"));
                set(v, "/signup/journey/3/action", json!("click"));
            },
            ev("signup.offered", json!(["Invite your teammates"])),
        )
        .reason("the journey met no onboarding screens"),
        unknown(
            "activation.skippable_onboarding",
            "journey unknown is unknown",
            journey_failed,
            ev("signup.offered", json!(["Invite your teammates"])),
        )
        .reason(JOURNEY_UNKNOWN),
        // activation.empty_state_guides
        pass(
            "activation.empty_state_guides",
            "templates pass",
            |v| empty_state(v, "Create project", true, false),
            ev(
                "signup.empty_state",
                empty_state_of("Create project", true, false),
            ),
        ),
        pass(
            "activation.empty_state_guides",
            "sample data passes",
            |v| empty_state(v, "", false, true),
            ev("signup.empty_state", empty_state_of("", false, true)),
        ),
        partial(
            "activation.empty_state_guides",
            "a primary action alone scores 0.75",
            0.75,
            |v| empty_state(v, "Create project", false, false),
            ev(
                "signup.empty_state",
                empty_state_of("Create project", false, false),
            ),
        ),
        fail(
            "activation.empty_state_guides",
            "a bare empty state fails",
            |v| empty_state(v, "", false, false),
            ev("signup.empty_state", empty_state_of("", false, false)),
        ),
        na(
            "activation.empty_state_guides",
            "no empty state is not applicable",
            base,
            ev("signup.empty_state", Value::Null),
        )
        .reason(no_empty_state),
        unknown(
            "activation.empty_state_guides",
            "journey unknown is unknown",
            |v| {
                empty_state(v, "Create project", true, false);
                journey_failed(v)
            },
            ev(
                "signup.empty_state",
                empty_state_of("Create project", true, false),
            ),
        )
        .reason(JOURNEY_UNKNOWN),
    ]
}

fn empty_state(v: &mut Value, action: &str, templates: bool, sample_data: bool) {
    set(
        v,
        "/signup/empty_state",
        empty_state_of(action, templates, sample_data),
    );
}

#[test]
fn activation_checks_pass_fail_and_score_partly_as_their_thresholds_say() {
    run(&activation_cases());
}

fn monetisation_cases() -> Vec<Case> {
    let prices = "pricing.plans.map(p, {'plan': p.name, 'price': p.price, 'currency': p.currency, 'period': p.period})";
    let length_unknown =
        "unknown: pricing trial days: a free trial is offered, but its length is not stated";
    let upgrade_unknown =
        "unknown: pricing self serve upgrade: Pro's button \"Start 14-day free trial\" is a trial";
    let all_self_serve =
        "every plan below the enterprise tier starts with a signup, a trial or a checkout";
    let enterprise_counted = "1 of 4 plans lead to sales or a waitlist, not a signup: Enterprise";
    let all_sales = "3 of 3 plans lead to sales or a waitlist, not a signup: Free, Pro, Business";
    let no_period = "pricing.plans.filter(p, p.price != null && double(p.price) > 0.0 && p.period == null).map(p, p.name)";
    let reverse_title = "A reverse trial: new users get the paid plan, then fall back to free";
    let reverse_unknown =
        "unknown: pricing reverse trial: nothing says new accounts start on a paid plan";
    let plan_buttons = |kinds: [&str; 4]| {
        let names = ["Free", "Pro", "Business", "Enterprise"];
        let ctas = [
            "Get started free",
            "Start 14-day free trial",
            "Start 14-day free trial",
            "Contact sales",
        ];
        json!((0..4)
            .map(|i| {
                let kind = if kinds[i].is_empty() {
                    Value::Null
                } else {
                    json!(kinds[i])
                };
                json!({"plan": names[i], "cta": ctas[i], "cta_kind": kind})
            })
            .collect::<Vec<_>>())
    };
    let no_pricing_unknown = "unknown: no pricing was read: no pricing page was found";
    vec![
        // monetisation.public_pricing
        pass(
            "monetisation.public_pricing",
            "a pricing page passes",
            base,
            ev(
                "facts.pages_by_role.pricing",
                json!(["http://127.0.0.1:34287/pricing"]),
            ),
        ),
        pass(
            "monetisation.public_pricing",
            "pricing read off another page passes",
            |v| set(v, "/facts/pages_by_role/pricing", json!([])),
            ev("facts.pages_by_role.pricing", json!([])),
        ),
        fail(
            "monetisation.public_pricing",
            "no pricing page and no pricing fails",
            |v| {
                no_pricing(v);
                set(v, "/facts/pages_by_role/pricing", json!([]))
            },
            ev("pricing_reason", json!("no pricing page was found")),
        )
        .reason("The site has no public pricing page"),
        // monetisation.pricing_in_navigation
        pass(
            "monetisation.pricing_in_navigation",
            "Pricing in the nav passes",
            base,
            ev(
                "facts.home.links.filter(l, l.location == 'nav').map(l, l.text)",
                json!([
                    "Tasklane",
                    "Open menu",
                    "Product",
                    "Pricing",
                    "Customers",
                    "Docs",
                    "Log in",
                    "Start free"
                ]),
            ),
        ),
        pass(
            "monetisation.pricing_in_navigation",
            "a nav link named Plans passes",
            |v| {
                set(v, "/facts/home/links/4/text", json!("Plans"));
                set(
                    v,
                    "/facts/home/links/4/href",
                    json!("http://127.0.0.1:34287/plans"),
                );
            },
            ev(
                "facts.home.links.filter(l, l.location == 'nav').map(l, l.text)",
                json!([
                    "Tasklane",
                    "Open menu",
                    "Product",
                    "Plans",
                    "Customers",
                    "Docs",
                    "Log in",
                    "Start free"
                ]),
            ),
        ),
        fail(
            "monetisation.pricing_in_navigation",
            "pricing only in the footer fails",
            |v| set(v, "/facts/home/links/4/location", json!("main")),
            ev(
                "facts.home.links.filter(l, l.location == 'nav').map(l, l.text)",
                json!([
                    "Tasklane",
                    "Open menu",
                    "Product",
                    "Customers",
                    "Docs",
                    "Log in",
                    "Start free"
                ]),
            ),
        ),
        na(
            "monetisation.pricing_in_navigation",
            "no pricing page is not applicable",
            |v| set(v, "/facts/pages_by_role/pricing", json!([])),
            ev("facts.pages_by_role.pricing", json!([])),
        )
        .reason("the site has no pricing page to link"),
        unknown(
            "monetisation.pricing_in_navigation",
            "home page unread is unknown",
            no_home,
            ev(
                "facts.pages_by_role.pricing",
                json!(["http://127.0.0.1:34287/pricing"]),
            ),
        )
        .reason("unknown: facts.home is unknown"),
        // monetisation.prices_visible
        pass(
            "monetisation.prices_visible",
            "three prices pass",
            base,
            ev("pricing_reason", Value::Null),
        ),
        fail(
            "monetisation.prices_visible",
            "no price on any plan fails",
            |v| {
                for i in 0..3 {
                    set(v, &format!("/pricing/plans/{i}/price"), Value::Null)
                }
            },
            ev(
                prices,
                json!([
                {"currency": "USD", "period": null, "plan": "Free", "price": null},
                {"currency": "USD", "period": "month", "plan": "Pro", "price": null},
                {"currency": "USD", "period": "month", "plan": "Business", "price": null},
                {"currency": null, "period": null, "plan": "Enterprise", "price": null}]),
            ),
        ),
        fail(
            "monetisation.prices_visible",
            "no pricing read fails",
            no_pricing,
            ev("pricing_reason", json!("no pricing page was found")),
        ),
        // monetisation.free_plan_or_trial
        pass(
            "monetisation.free_plan_or_trial",
            "free plan and trial pass",
            base,
            ev("pricing.free_plan", json!(true)),
        ),
        pass(
            "monetisation.free_plan_or_trial",
            "a trial alone passes",
            |v| set(v, "/pricing/free_plan", json!(false)),
            ev("pricing.free_trial", json!(true)),
        ),
        pass(
            "monetisation.free_plan_or_trial",
            "a reverse trial alone passes",
            |v| {
                set(v, "/pricing/free_plan", json!(false));
                set(v, "/pricing/free_trial", json!(false));
                set(v, "/pricing/reverse_trial", json!(true));
            },
            ev("pricing.free_plan", json!(false)),
        ),
        fail(
            "monetisation.free_plan_or_trial",
            "neither free plan nor trial fails",
            |v| {
                set(v, "/pricing/free_plan", json!(false));
                set(v, "/pricing/free_trial", json!(false));
                set(v, "/pricing/trial_days", Value::Null);
            },
            ev("pricing.trial_days", Value::Null),
        ),
        unknown(
            "monetisation.free_plan_or_trial",
            "free plan unknown and no trial is unknown",
            |v| {
                set(v, "/pricing/free_plan", Value::Null);
                set(v, "/pricing/free_trial", json!(false));
            },
            ev("pricing.free_plan", Value::Null),
        ),
        unknown(
            "monetisation.free_plan_or_trial",
            "no pricing read is unknown",
            no_pricing,
            ev("pricing.free_plan", Value::Null),
        )
        .reason(no_pricing_unknown),
        // monetisation.trial_without_card
        pass(
            "monetisation.trial_without_card",
            "a card-free trial passes",
            base,
            ev("pricing.trial_days", json!(14)),
        ),
        fail(
            "monetisation.trial_without_card",
            "a card wall fails",
            |v| walled(v, "card_required"),
            ev("signup.outcome", json!("card_required")),
        ),
        na(
            "monetisation.trial_without_card",
            "no trial is not applicable",
            |v| {
                set(v, "/pricing/free_trial", json!(false));
                set(v, "/pricing/trial_days", Value::Null);
            },
            ev("pricing.free_trial", json!(false)),
        )
        .reason("the product offers no free trial"),
        unknown(
            "monetisation.trial_without_card",
            "trial unknown is unknown",
            |v| {
                set(v, "/pricing/free_trial", Value::Null);
                set(
                    v,
                    "/pricing/reasons/free_trial",
                    json!("the pricing page could not be read"),
                );
            },
            ev("pricing.free_trial", Value::Null),
        )
        .reason("unknown: pricing free trial: the pricing page could not be read"),
        // monetisation.trial_length
        pass(
            "monetisation.trial_length",
            "14 days pass",
            base,
            ev("pricing.trial_days", json!(14)),
        ),
        partial(
            "monetisation.trial_length",
            "3 days are partial",
            0.5,
            |v| set(v, "/pricing/trial_days", json!(3)),
            ev("pricing.trial_days", json!(3)),
        ),
        fail(
            "monetisation.trial_length",
            "a 1-day trial fails",
            |v| set(v, "/pricing/trial_days", json!(1)),
            ev("pricing.trial_days", json!(1)),
        ),
        na(
            "monetisation.trial_length",
            "no trial (with a stray length) is not applicable",
            |v| set(v, "/pricing/free_trial", json!(false)),
            ev("pricing.trial_days", json!(14)),
        )
        .reason("the product offers no free trial"),
        unknown(
            "monetisation.trial_length",
            "a trial of unstated length is unknown",
            |v| {
                set(v, "/pricing/trial_days", Value::Null);
                set(
                    v,
                    "/pricing/reasons/trial_days",
                    json!("a free trial is offered, but its length is not stated"),
                );
            },
            ev("pricing.trial_days", Value::Null),
        )
        .reason(length_unknown),
        // monetisation.annual_discount
        pass(
            "monetisation.annual_discount",
            "a toggle with 20 % off passes",
            base,
            ev("pricing.annual_discount_percent", json!(20)),
        ),
        pass(
            "monetisation.annual_discount",
            "a fractional price with a discount passes",
            |v| set(v, "/pricing/plans/1/price", json!(12.5)),
            ev("pricing.annual_toggle", json!(true)),
        ),
        partial(
            "monetisation.annual_discount",
            "a toggle without a stated discount is partial",
            0.5,
            |v| set(v, "/pricing/annual_discount_percent", Value::Null),
            ev("pricing.annual_discount_percent", Value::Null),
        ),
        fail(
            "monetisation.annual_discount",
            "no toggle fails",
            |v| {
                set(v, "/pricing/annual_toggle", json!(false));
                set(v, "/pricing/annual_discount_percent", Value::Null);
            },
            ev("pricing.annual_toggle", json!(false)),
        ),
        na(
            "monetisation.annual_discount",
            "no priced paid plan is not applicable",
            |v| {
                set(v, "/pricing/plans/1/price", Value::Null);
                set(v, "/pricing/plans/2/price", Value::Null);
            },
            ev("pricing.annual_toggle", json!(true)),
        )
        .reason("no paid plan shows a price"),
        unknown(
            "monetisation.annual_discount",
            "toggle unknown is unknown",
            |v| {
                set(v, "/pricing/annual_toggle", Value::Null);
                set(
                    v,
                    "/pricing/reasons/annual_toggle",
                    json!("the switch could not be pressed"),
                );
            },
            ev("pricing.annual_toggle", Value::Null),
        )
        .reason("unknown: pricing annual toggle: the switch could not be pressed"),
        // monetisation.value_metric
        pass(
            "monetisation.value_metric",
            "per seat passes",
            base,
            ev("pricing.value_metric", json!("seat")),
        ),
        pass(
            "monetisation.value_metric",
            "usage passes",
            |v| set(v, "/pricing/value_metric", json!("usage")),
            ev("pricing.value_metric", json!("usage")),
        ),
        fail(
            "monetisation.value_metric",
            "a flat fee fails",
            |v| set(v, "/pricing/value_metric", json!("flat")),
            ev("pricing.value_metric", json!("flat")),
        ),
        unknown(
            "monetisation.value_metric",
            "metric unknown is unknown",
            |v| {
                set(v, "/pricing/value_metric", Value::Null);
                set(
                    v,
                    "/pricing/reasons/value_metric",
                    json!("no price says what it scales with"),
                );
            },
            ev(
                "pricing.reasons.value_metric",
                json!("no price says what it scales with"),
            ),
        )
        .reason("unknown: pricing value metric: no price says what it scales with"),
        // monetisation.highlighted_plan
        pass(
            "monetisation.highlighted_plan",
            "Pro highlighted passes",
            base,
            ev(
                "pricing.plans.filter(p, p.highlighted).map(p, p.name)",
                json!(["Pro"]),
            ),
        ),
        fail(
            "monetisation.highlighted_plan",
            "no highlighted plan fails",
            |v| set(v, "/pricing/plans/1/highlighted", json!(false)),
            ev(
                "pricing.plans.filter(p, p.highlighted).map(p, p.name)",
                json!([]),
            ),
        ),
        na(
            "monetisation.highlighted_plan",
            "one plan is not applicable",
            |v| {
                let first = v["pricing"]["plans"][0].clone();
                set(v, "/pricing/plans", json!([first]));
            },
            ev(
                "pricing.plans.filter(p, p.highlighted).map(p, p.name)",
                json!([]),
            ),
        )
        .reason("there are fewer than two plans to choose from"),
        unknown(
            "monetisation.highlighted_plan",
            "no pricing read is unknown",
            no_pricing,
            ev(
                "pricing.plans.filter(p, p.highlighted).map(p, p.name)",
                Value::Null,
            ),
        )
        .reason(no_pricing_unknown),
        // monetisation.plan_count
        pass(
            "monetisation.plan_count",
            "four plans pass",
            base,
            ev(
                "pricing.plans.map(p, p.name)",
                json!(["Free", "Pro", "Business", "Enterprise"]),
            ),
        ),
        partial(
            "monetisation.plan_count",
            "five plans are partial",
            0.5,
            |v| more_plans(v, &["Team"]),
            ev(
                "pricing.plans.map(p, p.name)",
                json!(["Free", "Pro", "Business", "Enterprise", "Team"]),
            ),
        ),
        fail(
            "monetisation.plan_count",
            "six plans fail",
            |v| more_plans(v, &["Team", "Scale"]),
            ev(
                "pricing.plans.map(p, p.name)",
                json!(["Free", "Pro", "Business", "Enterprise", "Team", "Scale"]),
            ),
        ),
        na(
            "monetisation.plan_count",
            "no plans read is not applicable",
            |v| set(v, "/pricing/plans", json!([])),
            ev("pricing.plans.map(p, p.name)", json!([])),
        )
        .reason("no plans were read"),
        unknown(
            "monetisation.plan_count",
            "no pricing read is unknown",
            no_pricing,
            ev("pricing.plans.map(p, p.name)", Value::Null),
        )
        .reason(no_pricing_unknown),
        // monetisation.self_serve_upgrade
        pass(
            "monetisation.self_serve_upgrade",
            "a self-serve upgrade passes",
            base,
            ev("pricing.self_serve_upgrade", json!(true)),
        ),
        fail(
            "monetisation.self_serve_upgrade",
            "no self-serve upgrade fails",
            |v| set(v, "/pricing/self_serve_upgrade", json!(false)),
            ev("pricing.self_serve_upgrade", json!(false)),
        ),
        unknown(
            "monetisation.self_serve_upgrade",
            "upgrade unknown is unknown",
            |v| set(v, "/pricing/self_serve_upgrade", Value::Null),
            ev("pricing.self_serve_upgrade", Value::Null),
        )
        .reason(upgrade_unknown),
        // monetisation.enterprise_tier
        pass(
            "monetisation.enterprise_tier",
            "an Enterprise plan passes",
            base,
            ev(
                "pricing.reasons.enterprise_tier",
                json!("a plan named \"Enterprise\""),
            ),
        ),
        fail(
            "monetisation.enterprise_tier",
            "no enterprise tier fails",
            |v| set(v, "/pricing/enterprise_tier", json!(false)),
            ev("pricing.enterprise_tier", json!(false)),
        ),
        unknown(
            "monetisation.enterprise_tier",
            "tier unknown is unknown",
            |v| set(v, "/pricing/enterprise_tier", Value::Null),
            ev("pricing.enterprise_tier", Value::Null),
        ),
        // monetisation.plan_buttons_lead_to_signup (built-in)
        pass(
            "monetisation.plan_buttons_lead_to_signup",
            "signup and trial buttons below Enterprise pass",
            base,
            ev(
                "plan buttons",
                plan_buttons(["signup", "trial", "trial", "contact_sales"]),
            ),
        )
        .reason(all_self_serve),
        partial(
            "monetisation.plan_buttons_lead_to_signup",
            "one sales-led plan of three is partial",
            2.0 / 3.0,
            |v| set(v, "/pricing/plans/2/cta_kind", json!("contact_sales")),
            ev(
                "plan buttons",
                plan_buttons(["signup", "trial", "contact_sales", "contact_sales"]),
            ),
        )
        .reason("1 of 3 plans lead to sales or a waitlist, not a signup: Business"),
        partial(
            "monetisation.plan_buttons_lead_to_signup",
            "without an enterprise tier its sales button counts",
            0.75,
            |v| set(v, "/pricing/enterprise_tier", json!(false)),
            ev(
                "plan buttons",
                plan_buttons(["signup", "trial", "trial", "contact_sales"]),
            ),
        )
        .reason(enterprise_counted),
        fail(
            "monetisation.plan_buttons_lead_to_signup",
            "sales and waitlist buttons fail",
            |v| {
                set(v, "/pricing/plans/0/cta_kind", json!("waitlist"));
                set(v, "/pricing/plans/1/cta_kind", json!("contact_sales"));
                set(v, "/pricing/plans/2/cta_kind", json!("contact_sales"));
            },
            ev(
                "plan buttons",
                plan_buttons([
                    "waitlist",
                    "contact_sales",
                    "contact_sales",
                    "contact_sales",
                ]),
            ),
        )
        .reason(all_sales),
        unknown(
            "monetisation.plan_buttons_lead_to_signup",
            "no button read below Enterprise is unknown",
            |v| {
                for i in 0..3 {
                    set(v, &format!("/pricing/plans/{i}/cta_kind"), Value::Null)
                }
            },
            ev("plan buttons", plan_buttons(["", "", "", "contact_sales"])),
        )
        .reason("unknown: no plan button (below the enterprise tier) was read"),
        unknown(
            "monetisation.plan_buttons_lead_to_signup",
            "no pricing read is unknown",
            no_pricing,
            None,
        )
        .reason("unknown: no pricing was read: no pricing page was found"),
        // monetisation.not_contact_sales_only
        pass(
            "monetisation.not_contact_sales_only",
            "prices shown pass",
            base,
            ev(
                "pricing.reasons.contact_sales_only",
                json!("prices shown for Free, Pro, Business"),
            ),
        ),
        fail(
            "monetisation.not_contact_sales_only",
            "contact sales only fails",
            |v| set(v, "/pricing/contact_sales_only", json!(true)),
            ev("pricing.contact_sales_only", json!(true)),
        ),
        unknown(
            "monetisation.not_contact_sales_only",
            "unknown is unknown",
            |v| set(v, "/pricing/contact_sales_only", Value::Null),
            ev("pricing.contact_sales_only", Value::Null),
        ),
        // monetisation.prices_with_period
        pass(
            "monetisation.prices_with_period",
            "monthly prices pass",
            base,
            ev(no_period, json!([])),
        ),
        fail(
            "monetisation.prices_with_period",
            "a price without period fails",
            |v| set(v, "/pricing/plans/1/period", Value::Null),
            ev(no_period, json!(["Pro"])),
        ),
        na(
            "monetisation.prices_with_period",
            "only a free plan priced is not applicable",
            |v| {
                set(v, "/pricing/plans/1/price", Value::Null);
                set(v, "/pricing/plans/2/price", Value::Null);
            },
            ev(no_period, json!([])),
        )
        .reason("no paid plan shows a price"),
        unknown(
            "monetisation.prices_with_period",
            "no pricing read is unknown",
            no_pricing,
            ev(no_period, Value::Null),
        )
        .reason(no_pricing_unknown),
        // monetisation.reverse_trial (informative)
        info(
            "monetisation.reverse_trial",
            "no reverse trial is reported",
            base,
            ev("pricing.reverse_trial", json!(false)),
        )
        .reason("No reverse trial"),
        info(
            "monetisation.reverse_trial",
            "a reverse trial is reported",
            |v| set(v, "/pricing/reverse_trial", json!(true)),
            ev("pricing.reverse_trial", json!(true)),
        )
        .reason(reverse_title),
        unknown(
            "monetisation.reverse_trial",
            "unknown is unknown",
            |v| set(v, "/pricing/reverse_trial", Value::Null),
            ev("pricing.reverse_trial", Value::Null),
        )
        .reason(reverse_unknown),
    ]
}

/// More plans after Enterprise, copies of Pro under other names.
fn more_plans(v: &mut Value, names: &[&str]) {
    for name in names {
        let mut plan = v["pricing"]["plans"][1].clone();
        plan["name"] = json!(name);
        plan["highlighted"] = json!(false);
        push(v, "/pricing/plans", plan);
    }
}

#[test]
fn monetisation_checks_pass_fail_and_score_partly_as_their_thresholds_say() {
    run(&monetisation_cases());
}

/// The pricing reader leaves `pricing.trial_days` null whenever there is no free trial:
/// the check does not apply then, rather than being unknown.
#[test]
fn trial_length_without_a_free_trial_is_not_applicable() {
    run(&[na(
        "monetisation.trial_length",
        "no free trial, so no trial length, is not applicable",
        |v| {
            set(v, "/pricing/free_trial", json!(false));
            set(v, "/pricing/trial_days", Value::Null);
            set(
                v,
                "/pricing/reasons/free_trial",
                json!("the page offers no free trial"),
            );
            set(v, "/pricing/reasons/trial_days", json!("no free trial"));
        },
        ev("pricing.trial_days", Value::Null),
    )
    .reason("the product offers no free trial")]);
}

fn virality_cases() -> Vec<Case> {
    let in_app =
        "mechanics.invite.evidence.filter(e, e.where == 'app').map(e, e.url + ' · ' + e.text)";
    vec![
        // virality.invite_teammates
        pass(
            "virality.invite_teammates",
            "an invite passes",
            |v| {
                mechanic(
                    v,
                    "invite",
                    true,
                    "Invite",
                    "http://127.0.0.1:34287/app/invite",
                    "app",
                )
            },
            ev(
                "mechanics.invite.evidence.map(e, e.url + ' · ' + e.text)",
                json!(["http://127.0.0.1:34287/app/invite · Invite"]),
            ),
        ),
        fail(
            "virality.invite_teammates",
            "no invite fails",
            |v| mechanic(v, "invite", false, "", "", ""),
            ev(
                "mechanics.invite.evidence.map(e, e.url + ' · ' + e.text)",
                json!([]),
            ),
        )
        .reason("Users cannot invite teammates"),
        // virality.invite_in_app
        pass(
            "virality.invite_in_app",
            "invites met in the app pass",
            base,
            ev(
                in_app,
                json!([
                    "http://127.0.0.1:34287/onboarding/workspace · You can invite your team next.",
                    "http://127.0.0.1:34287/onboarding/invite · Invite your teammates",
                    "http://127.0.0.1:34287/app/invite · Invite",
                    "http://127.0.0.1:34287/app/project · Invite your teammates"
                ]),
            ),
        ),
        fail(
            "virality.invite_in_app",
            "an invite only described on the site fails",
            |v| {
                mechanic(
                    v,
                    "invite",
                    true,
                    "Invite your team",
                    "http://127.0.0.1:34287/docs",
                    "page",
                )
            },
            ev(in_app, json!([])),
        ),
        na(
            "virality.invite_in_app",
            "no self-serve signup is not applicable",
            sales_gated,
            ev(
                in_app,
                json!([
                    "http://127.0.0.1:34287/onboarding/workspace · You can invite your team next.",
                    "http://127.0.0.1:34287/onboarding/invite · Invite your teammates",
                    "http://127.0.0.1:34287/app/invite · Invite",
                    "http://127.0.0.1:34287/app/project · Invite your teammates"
                ]),
            ),
        )
        .reason("there is no self-serve signup to walk into the product"),
        unknown(
            "virality.invite_in_app",
            "journey unknown is unknown",
            |v| {
                journey_failed(v);
                mechanic(v, "invite", false, "", "", "")
            },
            ev(in_app, json!([])),
        )
        .reason(JOURNEY_UNKNOWN),
        // virality.sharing
        pass(
            "virality.sharing",
            "a share button passes",
            base,
            ev(
                "mechanics.share.evidence.map(e, e.url + ' · ' + e.text)",
                json!(["http://127.0.0.1:34287/app/invite · Share"]),
            ),
        ),
        fail(
            "virality.sharing",
            "no sharing fails",
            |v| mechanic(v, "share", false, "", "", ""),
            ev(
                "mechanics.share.evidence.map(e, e.url + ' · ' + e.text)",
                json!([]),
            ),
        ),
        // virality.public_embeds
        pass(
            "virality.public_embeds",
            "an embed code passes",
            |v| {
                mechanic(
                    v,
                    "embed",
                    true,
                    "Embed this board",
                    "http://127.0.0.1:34287/app/project",
                    "app",
                )
            },
            ev(
                "mechanics.embed.evidence.map(e, e.url + ' · ' + e.text)",
                json!(["http://127.0.0.1:34287/app/project · Embed this board"]),
            ),
        ),
        fail(
            "virality.public_embeds",
            "no embed fails",
            base,
            ev(
                "mechanics.embed.evidence.map(e, e.url + ' · ' + e.text)",
                json!([]),
            ),
        )
        .reason("No embeds or public pages"),
        // virality.powered_by_badge
        pass(
            "virality.powered_by_badge",
            "a badge passes",
            |v| {
                mechanic(
                    v,
                    "powered_by",
                    true,
                    "Made with Tasklane",
                    "http://127.0.0.1:34287/share/board",
                    "page",
                )
            },
            ev(
                "mechanics.powered_by.evidence.map(e, e.url + ' · ' + e.text)",
                json!(["http://127.0.0.1:34287/share/board · Made with Tasklane"]),
            ),
        ),
        fail(
            "virality.powered_by_badge",
            "no badge fails",
            base,
            ev(
                "mechanics.powered_by.evidence.map(e, e.url + ' · ' + e.text)",
                json!([]),
            ),
        ),
        // virality.templates
        pass(
            "virality.templates",
            "a template gallery passes",
            base,
            ev(
                "mechanics.templates.evidence.map(e, e.url + ' · ' + e.text)",
                json!([
                    "http://127.0.0.1:34287/templates · project templates",
                    "http://127.0.0.1:34287/templates · Templates",
                    "http://127.0.0.1:34287/templates · Templates — Tasklane"
                ]),
            ),
        ),
        fail(
            "virality.templates",
            "no templates fail",
            |v| mechanic(v, "templates", false, "", "", ""),
            ev(
                "mechanics.templates.evidence.map(e, e.url + ' · ' + e.text)",
                json!([]),
            ),
        ),
        // virality.integrations
        pass(
            "virality.integrations",
            "an integrations page passes",
            |v| {
                mechanic(
                    v,
                    "integrations",
                    true,
                    "Integrations",
                    "http://127.0.0.1:34287/integrations",
                    "footer",
                )
            },
            ev(
                "mechanics.integrations.evidence.map(e, e.url + ' · ' + e.text)",
                json!(["http://127.0.0.1:34287/integrations · Integrations"]),
            ),
        ),
        fail(
            "virality.integrations",
            "no integrations fail",
            |v| mechanic(v, "integrations", false, "", "", ""),
            ev(
                "mechanics.integrations.evidence.map(e, e.url + ' · ' + e.text)",
                json!([]),
            ),
        ),
        // virality.public_api
        pass(
            "virality.public_api",
            "API docs pass",
            |v| {
                mechanic(
                    v,
                    "api_docs",
                    true,
                    "API",
                    "http://127.0.0.1:34287/developers/api",
                    "footer",
                )
            },
            ev(
                "mechanics.api_docs.evidence.map(e, e.url + ' · ' + e.text)",
                json!(["http://127.0.0.1:34287/developers/api · API"]),
            ),
        ),
        fail(
            "virality.public_api",
            "no API docs fail",
            |v| mechanic(v, "api_docs", false, "", "", ""),
            ev(
                "mechanics.api_docs.evidence.map(e, e.url + ' · ' + e.text)",
                json!([]),
            ),
        ),
        // virality.referral_programme
        pass(
            "virality.referral_programme",
            "a referral programme passes",
            |v| {
                mechanic(
                    v,
                    "referral",
                    true,
                    "Give a month, get a month",
                    "http://127.0.0.1:34287/referrals",
                    "page",
                )
            },
            ev(
                "mechanics.referral.evidence.map(e, e.url + ' · ' + e.text)",
                json!(["http://127.0.0.1:34287/referrals · Give a month, get a month"]),
            ),
        ),
        fail(
            "virality.referral_programme",
            "no referral programme fails",
            base,
            ev(
                "mechanics.referral.evidence.map(e, e.url + ' · ' + e.text)",
                json!([]),
            ),
        ),
        // virality.community
        pass(
            "virality.community",
            "a community passes",
            base,
            ev(
                "mechanics.community.evidence.map(e, e.url + ' · ' + e.text)",
                json!(["https://community.tasklane.example/ · Community"]),
            ),
        ),
        fail(
            "virality.community",
            "no community fails",
            |v| mechanic(v, "community", false, "", "", ""),
            ev(
                "mechanics.community.evidence.map(e, e.url + ' · ' + e.text)",
                json!([]),
            ),
        ),
    ]
}

#[test]
fn virality_checks_pass_when_the_mechanic_is_seen_and_fail_when_not() {
    run(&virality_cases());
}

fn instrumentation_cases() -> Vec<Case> {
    let analytics =
        "stack.filter(v, v.category == 'product_analytics' || v.category == 'cdp').map(v, v.name)";
    let in_app = "stack.filter(v, v.category == 'product_analytics' || v.category == 'cdp').map(v, {'vendor': v.name, 'steps': v.journey_steps})";
    let web = "stack.filter(v, v.category in ['web_analytics', 'cdp', 'product_analytics']).map(v, v.name)";
    let chat = "stack.filter(v, v.category == 'chat_support').map(v, v.name)";
    vec![
        // instrumentation.product_analytics
        pass(
            "instrumentation.product_analytics",
            "a CDP passes",
            base,
            ev(analytics, json!(["Segment"])),
        ),
        pass(
            "instrumentation.product_analytics",
            "product analytics passes",
            |v| {
                remove_vendor(v, "Segment");
                add_vendor(v, "Amplitude", "product_analytics", HOME, Value::Null)
            },
            ev(analytics, json!(["Amplitude"])),
        ),
        fail(
            "instrumentation.product_analytics",
            "no analytics fails",
            |v| remove_vendor(v, "Segment"),
            ev(analytics, json!([])),
        ),
        // instrumentation.analytics_in_app
        pass(
            "instrumentation.analytics_in_app",
            "analytics seen on the journey's screens passes",
            base,
            ev(
                in_app,
                json!([{"steps": [1, 2, 3, 4, 5], "vendor": "Segment"}]),
            ),
        ),
        pass(
            "instrumentation.analytics_in_app",
            "analytics first seen in the app passes",
            |v| {
                set(v, "/stack/2/journey_steps", json!([]));
                add_vendor(
                    v,
                    "PostHog",
                    "product_analytics",
                    "http://127.0.0.1:34287/app",
                    json!(4),
                )
            },
            ev(
                in_app,
                json!([{"steps": [], "vendor": "Segment"}, {"steps": [4], "vendor": "PostHog"}]),
            ),
        ),
        fail(
            "instrumentation.analytics_in_app",
            "analytics only on the public site fails",
            |v| set(v, "/stack/2/journey_steps", json!([])),
            ev(in_app, json!([{"steps": [], "vendor": "Segment"}])),
        ),
        na(
            "instrumentation.analytics_in_app",
            "no analytics is not applicable",
            |v| remove_vendor(v, "Segment"),
            ev(in_app, json!([])),
        )
        .reason("no product analytics to look for, or no self-serve signup to walk"),
        unknown(
            "instrumentation.analytics_in_app",
            "journey unknown is unknown",
            journey_failed,
            ev(
                in_app,
                json!([{"steps": [1, 2, 3, 4, 5], "vendor": "Segment"}]),
            ),
        )
        .reason(JOURNEY_UNKNOWN),
        // instrumentation.web_analytics
        pass(
            "instrumentation.web_analytics",
            "a CDP passes",
            base,
            ev(web, json!(["Segment"])),
        ),
        pass(
            "instrumentation.web_analytics",
            "web analytics passes",
            |v| {
                remove_vendor(v, "Segment");
                add_vendor(v, "Plausible", "web_analytics", HOME, Value::Null)
            },
            ev(web, json!(["Plausible"])),
        ),
        fail(
            "instrumentation.web_analytics",
            "no analytics fails",
            |v| remove_vendor(v, "Segment"),
            ev(web, json!([])),
        ),
        // instrumentation.onboarding_tooling
        pass(
            "instrumentation.onboarding_tooling",
            "Appcues passes",
            base,
            ev(
                "stack.filter(v, v.category == 'onboarding').map(v, v.name)",
                json!(["Appcues"]),
            ),
        ),
        fail(
            "instrumentation.onboarding_tooling",
            "no onboarding tool fails",
            |v| remove_vendor(v, "Appcues"),
            ev(
                "stack.filter(v, v.category == 'onboarding').map(v, v.name)",
                json!([]),
            ),
        ),
        // instrumentation.support
        pass(
            "instrumentation.support",
            "a chat and docs pass",
            base,
            ev(chat, json!(["Intercom"])),
        ),
        pass(
            "instrumentation.support",
            "a Help Center link alone passes",
            |v| {
                remove_vendor(v, "Intercom");
                set(v, "/facts/pages_by_role/docs", json!([]));
                set(v, "/facts/home/links/20/text", json!("Help Center"));
            },
            ev("facts.pages_by_role.docs", json!([])),
        ),
        fail(
            "instrumentation.support",
            "no chat, docs or help link fails",
            |v| {
                remove_vendor(v, "Intercom");
                set(v, "/facts/pages_by_role/docs", json!([]));
            },
            ev(chat, json!([])),
        ),
        fail(
            "instrumentation.support",
            "no chat, docs or home page fails",
            |v| {
                remove_vendor(v, "Intercom");
                set(v, "/facts/pages_by_role/docs", json!([]));
                no_home(v);
            },
            ev("facts.pages_by_role.docs", json!([])),
        ),
        // instrumentation.billing_provider
        pass(
            "instrumentation.billing_provider",
            "Stripe passes",
            |v| {
                add_vendor(
                    v,
                    "Stripe",
                    "billing",
                    "http://127.0.0.1:34287/pricing",
                    Value::Null,
                )
            },
            ev(
                "stack.filter(v, v.category == 'billing').map(v, v.name)",
                json!(["Stripe"]),
            ),
        ),
        fail(
            "instrumentation.billing_provider",
            "no billing provider fails",
            base,
            ev(
                "stack.filter(v, v.category == 'billing').map(v, v.name)",
                json!([]),
            ),
        ),
        // instrumentation.experimentation
        pass(
            "instrumentation.experimentation",
            "feature flags pass",
            |v| {
                add_vendor(
                    v,
                    "LaunchDarkly",
                    "ab_testing_feature_flags",
                    HOME,
                    Value::Null,
                )
            },
            ev(
                "stack.filter(v, v.category == 'ab_testing_feature_flags').map(v, v.name)",
                json!(["LaunchDarkly"]),
            ),
        ),
        fail(
            "instrumentation.experimentation",
            "no experimentation tool fails",
            base,
            ev(
                "stack.filter(v, v.category == 'ab_testing_feature_flags').map(v, v.name)",
                json!([]),
            ),
        ),
        // instrumentation.error_tracking
        pass(
            "instrumentation.error_tracking",
            "Sentry passes",
            |v| add_vendor(v, "Sentry", "error_tracking", HOME, Value::Null),
            ev(
                "stack.filter(v, v.category == 'error_tracking').map(v, v.name)",
                json!(["Sentry"]),
            ),
        ),
        fail(
            "instrumentation.error_tracking",
            "no error tracking fails",
            base,
            ev(
                "stack.filter(v, v.category == 'error_tracking').map(v, v.name)",
                json!([]),
            ),
        ),
        // instrumentation.lifecycle_messaging
        pass(
            "instrumentation.lifecycle_messaging",
            "Customer.io passes",
            |v| add_vendor(v, "Customer.io", "marketing_automation", HOME, Value::Null),
            ev(
                "stack.filter(v, v.category == 'marketing_automation').map(v, v.name)",
                json!(["Customer.io"]),
            ),
        ),
        fail(
            "instrumentation.lifecycle_messaging",
            "no lifecycle messaging fails",
            base,
            ev(
                "stack.filter(v, v.category == 'marketing_automation').map(v, v.name)",
                json!([]),
            ),
        ),
        // instrumentation.session_replay (informative)
        info(
            "instrumentation.session_replay",
            "no replay is reported",
            base,
            ev(
                "stack.filter(v, v.category == 'session_replay').map(v, v.name)",
                json!([]),
            ),
        )
        .reason("No session replay"),
        info(
            "instrumentation.session_replay",
            "Hotjar is reported",
            |v| add_vendor(v, "Hotjar", "session_replay", HOME, Value::Null),
            ev(
                "stack.filter(v, v.category == 'session_replay').map(v, v.name)",
                json!(["Hotjar"]),
            ),
        )
        .reason("Session replay records how users move through the product"),
    ]
}

#[test]
fn instrumentation_checks_read_the_growth_stack() {
    run(&instrumentation_cases());
}

fn trust_cases() -> Vec<Case> {
    let legal = "facts.home.links.filter(l, l.text.lowerAscii().matches('privacy|datenschutz|confidentialit|privacidad|privacidade|terms|agb|nutzungsbedingungen|conditions|terminos|términos|termos')).map(l, l.text)";
    let before = "tracking requested before consent";
    vec![
        // trust.security_page
        pass(
            "trust.security_page",
            "a security page passes",
            base,
            ev(
                "facts.pages_by_role.security",
                json!(["http://127.0.0.1:34287/security"]),
            ),
        ),
        fail(
            "trust.security_page",
            "no security page fails",
            |v| set(v, "/facts/pages_by_role/security", json!([])),
            ev("facts.pages_by_role.security", json!([])),
        ),
        // trust.status_page
        pass(
            "trust.status_page",
            "a status page passes",
            |v| {
                mechanic(
                    v,
                    "status_page",
                    true,
                    "Status",
                    "https://status.tasklane.example/",
                    "footer",
                )
            },
            ev(
                "mechanics.status_page.evidence.map(e, e.url + ' · ' + e.text)",
                json!(["https://status.tasklane.example/ · Status"]),
            ),
        ),
        fail(
            "trust.status_page",
            "no status page fails",
            |v| mechanic(v, "status_page", false, "", "", ""),
            ev(
                "mechanics.status_page.evidence.map(e, e.url + ' · ' + e.text)",
                json!([]),
            ),
        ),
        // trust.privacy_and_terms
        pass(
            "trust.privacy_and_terms",
            "privacy and terms pass",
            base,
            ev(legal, json!(["Privacy", "Terms"])),
        ),
        partial(
            "trust.privacy_and_terms",
            "privacy alone is partial",
            0.5,
            |v| set(v, "/facts/home/links/29/text", json!("Imprint")),
            ev(legal, json!(["Privacy"])),
        ),
        partial(
            "trust.privacy_and_terms",
            "terms alone are partial",
            0.5,
            |v| set(v, "/facts/home/links/28/text", json!("Imprint")),
            ev(legal, json!(["Terms"])),
        ),
        fail(
            "trust.privacy_and_terms",
            "neither fails",
            |v| {
                set(v, "/facts/home/links/28/text", json!("Imprint"));
                set(v, "/facts/home/links/29/text", json!("Legal"));
            },
            ev(legal, json!([])),
        ),
        unknown(
            "trust.privacy_and_terms",
            "home page unread is unknown",
            no_home,
            ev(legal, Value::Null),
        )
        .reason("unknown: facts.home is unknown"),
        // trust.social_proof_on_home
        pass(
            "trust.social_proof_on_home",
            "trusted by passes",
            base,
            ev("facts.home.social_proof", json!(["trusted by"])),
        ),
        fail(
            "trust.social_proof_on_home",
            "no social proof fails",
            |v| set(v, "/facts/home/social_proof", json!([])),
            ev("facts.home.social_proof", json!([])),
        ),
        unknown(
            "trust.social_proof_on_home",
            "home HTML unsaved is unknown",
            |v| set(v, "/facts/home/social_proof", Value::Null),
            ev("facts.home.social_proof", Value::Null),
        )
        .reason("unknown: facts.home.social_proof is unknown"),
        // trust.public_docs
        pass(
            "trust.public_docs",
            "a docs page passes",
            base,
            ev(
                "facts.pages_by_role.docs",
                json!(["http://127.0.0.1:34287/docs"]),
            ),
        ),
        pass(
            "trust.public_docs",
            "API docs alone pass",
            |v| set(v, "/facts/pages_by_role/docs", json!([])),
            ev("facts.pages_by_role.docs", json!([])),
        ),
        fail(
            "trust.public_docs",
            "no docs fail",
            |v| {
                set(v, "/facts/pages_by_role/docs", json!([]));
                mechanic(v, "api_docs", false, "", "", "");
            },
            ev("facts.pages_by_role.docs", json!([])),
        ),
        // trust.tracking_after_consent (built-in)
        pass(
            "trust.tracking_after_consent",
            "tracking loaded only during the journey passes",
            |v| {
                consent_banner(v);
                for e in v["stack"][2]["evidence"].as_array_mut().expect("evidence") {
                    e["step"] = json!(1);
                }
            },
            ev(before, json!([])),
        )
        .reason("no tracking tool was requested before the consent banner was answered"),
        pass(
            "trust.tracking_after_consent",
            "non-tracking tools before consent pass",
            |v| {
                consent_banner(v);
                remove_vendor(v, "Segment")
            },
            ev(
                "consent_banner.text",
                json!("We use cookies to improve Tasklane."),
            ),
        ),
        fail(
            "trust.tracking_after_consent",
            "Segment requested before the banner is answered fails",
            consent_banner,
            ev(before, json!([SEGMENT_JS])),
        )
        .reason("Segment requested on the home page before the consent banner was answered"),
        na(
            "trust.tracking_after_consent",
            "no consent banner is not applicable",
            base,
            None,
        )
        .reason("the home page shows no consent banner"),
        unknown(
            "trust.tracking_after_consent",
            "home page unread is unknown",
            |v| {
                consent_banner(v);
                no_home(v)
            },
            None,
        )
        .reason("unknown: the home page could not be read"),
        // trust.no_prechecked_opt_in
        pass(
            "trust.no_prechecked_opt_in",
            "no pre-ticked box passes",
            base,
            ev("signup.prechecked_opt_in", Value::Null),
        ),
        fail(
            "trust.no_prechecked_opt_in",
            "a pre-ticked newsletter box fails",
            |v| {
                set(
                    v,
                    "/signup/prechecked_opt_in",
                    json!({"label": "Send me product news", "url": "http://127.0.0.1:34287/signup"}),
                )
            },
            ev(
                "signup.prechecked_opt_in",
                json!({"label": "Send me product news", "url": "http://127.0.0.1:34287/signup"}),
            ),
        ),
        na(
            "trust.no_prechecked_opt_in",
            "no self-serve signup is not applicable",
            sales_gated,
            ev("signup.prechecked_opt_in", Value::Null),
        )
        .reason("there is no self-serve signup"),
        unknown(
            "trust.no_prechecked_opt_in",
            "journey unknown is unknown",
            journey_failed,
            ev("signup.prechecked_opt_in", Value::Null),
        )
        .reason(JOURNEY_UNKNOWN),
        // trust.login_link
        pass(
            "trust.login_link",
            "a login page passes",
            base,
            ev(
                "facts.pages_by_role.login",
                json!(["http://127.0.0.1:34287/login"]),
            ),
        ),
        fail(
            "trust.login_link",
            "no login page fails",
            |v| set(v, "/facts/pages_by_role/login", json!([])),
            ev("facts.pages_by_role.login", json!([])),
        ),
        // trust.no_broken_pages
        pass(
            "trust.no_broken_pages",
            "all pages answering 200 pass",
            base,
            ev(
                "pages.filter(p, p.status >= 400).map(p, p.url + ' · HTTP ' + string(p.status))",
                json!([]),
            ),
        ),
        fail(
            "trust.no_broken_pages",
            "a 404 fails",
            |v| set(v, "/pages/3/status", json!(404)),
            ev(
                "pages.filter(p, p.status >= 400).map(p, p.url + ' · HTTP ' + string(p.status))",
                json!(["http://127.0.0.1:34287/login · HTTP 404"]),
            ),
        ),
    ]
}

fn consent_banner(v: &mut Value) {
    set(
        v,
        "/consent_banner",
        json!({"url": HOME, "text": "We use cookies to improve Tasklane.", "pressed": "Accept all"}),
    );
}

#[test]
fn trust_checks_pass_fail_and_score_partly() {
    run(&trust_cases());
}

// ---- coverage ------------------------------------------------------------------------

#[test]
fn every_built_in_check_has_a_case_for_each_status_it_can_reach() {
    let cases: Vec<Case> = [
        activation_cases(),
        monetisation_cases(),
        virality_cases(),
        instrumentation_cases(),
        trust_cases(),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert_eq!(CHECKLIST.checks.len(), 62, "the built-in checklist's size");
    let mut missing = Vec::new();
    for check in &CHECKLIST.checks {
        let mine: Vec<&Case> = cases.iter().filter(|c| c.id == check.id).collect();
        let has = |status: &str, unknown: bool| {
            mine.iter()
                .any(|c| c.status == status && c.unknown == unknown)
        };
        let mut need = Vec::new();
        if check.informative {
            for reason in [&check.title, &check.failure_title] {
                if !mine
                    .iter()
                    .any(|c| c.status == "informative" && c.reason == Some(reason.as_str()))
                {
                    need.push(format!("an informative case with reason {reason:?}"));
                }
            }
        } else {
            // trial_length scores a short trial 0.5 at worst: it cannot fail.
            let statuses: &[&str] = if check.id == "monetisation.trial_length" {
                &["pass"]
            } else {
                &["pass", "fail"]
            };
            for &status in statuses {
                if !has(status, false) {
                    need.push(status.to_string());
                }
            }
        }
        if check
            .threshold
            .as_deref()
            .is_some_and(|t| t.contains("partial"))
            && !has("partial", false)
        {
            need.push("partial".to_string());
        }
        if check.applies.is_some() && !has("not_applicable", false) {
            need.push("not_applicable".to_string());
        }
        if !check.requires.is_empty() && !has("not_applicable", true) {
            need.push("unknown".to_string());
        }
        if !need.is_empty() {
            missing.push(format!("{}: {}", check.id, need.join(", ")));
        }
    }
    for c in &cases {
        if CHECKLIST.get(c.id).is_none() {
            missing.push(format!("{}: no such check (case {})", c.id, c.name));
        }
    }
    assert!(missing.is_empty(), "cases missing:\n{}", missing.join("\n"));
}

// ---- scores, motion, top fixes -------------------------------------------------------

#[test]
fn the_demo_product_scores_per_pillar_as_the_weighted_mean_of_its_checks() {
    let results = judge_all(&CHECKLIST, &facts(base));
    let scores = score(&CHECKLIST, &results);
    let pillars: Vec<(String, Option<f64>, bool)> = scores
        .pillars
        .iter()
        .map(|(p, s)| (p.as_str().to_string(), s.score, s.incomplete))
        .collect();
    assert_eq!(
        pillars,
        vec![
            ("activation".to_string(), Some(91.1), false),
            ("monetisation".to_string(), Some(100.0), false),
            ("virality".to_string(), Some(78.3), false),
            ("instrumentation".to_string(), Some(73.3), false),
            ("trust".to_string(), Some(100.0), false),
        ]
    );
    assert_eq!(scores.overall, Some(90.3));
}

#[test]
fn the_demo_product_is_product_led() {
    let m = motion(&facts(base));
    assert_eq!(m.kind, MotionKind::ProductLed);
    assert_eq!(
        m.reasons,
        vec![
            "a new user can sign up alone",
            "prices are shown",
            "a free plan or trial lets a user start without paying"
        ]
    );
}

#[test]
fn a_sales_gated_signup_is_sales_led() {
    let m = motion(&facts(sales_gated));
    assert_eq!(m.kind, MotionKind::SalesLed);
    assert_eq!(
        m.reasons,
        vec!["the way in is a demo or sales request, not a signup"]
    );
}

#[test]
fn a_waitlist_signup_is_pre_launch() {
    let m = motion(&facts(|v| {
        walled(v, "waitlist");
        set(v, "/facts/self_serve", json!(false));
    }));
    assert_eq!(m.kind, MotionKind::PreLaunch);
    assert_eq!(m.reasons, vec!["signing up puts a new user on a waitlist"]);
}

#[test]
fn a_self_serve_signup_without_a_free_plan_or_trial_is_hybrid() {
    // No free plan or trial on the pricing page, and the journey met a card wall.
    let m = motion(&facts(|v| {
        set(v, "/pricing/free_plan", json!(false));
        set(v, "/pricing/free_trial", json!(false));
        set(v, "/pricing/trial_days", Value::Null);
        walled(v, "card_required");
    }));
    assert_eq!(m.kind, MotionKind::Hybrid);
    assert_eq!(
        m.reasons,
        vec![
            "a new user can sign up alone",
            "prices are shown",
            "there is no free plan or trial"
        ]
    );
}

#[test]
fn reaching_value_without_paying_is_a_free_start_whatever_the_pricing_page_says() {
    let m = motion(&facts(|v| {
        set(v, "/pricing/free_plan", json!(false));
        set(v, "/pricing/free_trial", json!(false));
        set(v, "/pricing/trial_days", Value::Null);
    }));
    assert_eq!(m.kind, MotionKind::ProductLed);
    assert_eq!(
        m.reasons,
        vec![
            "a new user can sign up alone",
            "prices are shown",
            "a new user reached value without paying"
        ]
    );
}

#[test]
fn top_fixes_rank_by_weight_times_the_missing_score() {
    // (id, impact = weight × (1 − score), gain = overall points won back).
    let ranked = |patch: fn(&mut Value)| -> Vec<(String, f64, f64)> {
        top_fixes(&CHECKLIST, &judge_all(&CHECKLIST, &facts(patch)))
            .into_iter()
            .map(|f| (f.id, f.impact, f.gain))
            .collect()
    };
    let expect = |list: &[(&str, f64, f64)]| -> Vec<(String, f64, f64)> {
        list.iter()
            .map(|(id, i, g)| (id.to_string(), *i, *g))
            .collect()
    };
    // Impact 2.0 is 4 × (1 − 0.5) and 2 × 1; ties go by gain (a virality check is 2 of
    // 23 weight × 20 % of the overall score: 1.7; an activation one 2/45 × 30 %: 1.3),
    // then pillar, then id. Passes and not-applicable checks are no fixes.
    assert_eq!(
        ranked(base),
        expect(&[
            ("virality.powered_by_badge", 2.0, 1.7),
            ("virality.referral_programme", 2.0, 1.7),
            ("activation.max_required_fields", 2.0, 1.3),
            ("activation.skippable_onboarding", 2.0, 1.3),
            ("virality.public_embeds", 1.0, 0.9),
            ("instrumentation.billing_provider", 1.0, 0.7),
            ("instrumentation.error_tracking", 1.0, 0.7),
            ("instrumentation.experimentation", 1.0, 0.7),
            ("instrumentation.lifecycle_messaging", 1.0, 0.7),
        ])
    );
    // A seventh required field (a phone) fails max_required_fields outright: 4 × 1 puts it
    // first, and no_phone_before_value joins at 2 × 1; the signup button below the fold
    // is partial: 3 × (1 − 0.5).
    let worse = ranked(|v| {
        add_field(v, "Phone", "phone", true);
        set(v, "/signup/entry/above_fold", json!(false));
    });
    assert_eq!(
        worse[..5],
        expect(&[
            ("activation.max_required_fields", 4.0, 2.7),
            ("virality.powered_by_badge", 2.0, 1.7),
            ("virality.referral_programme", 2.0, 1.7),
            ("activation.no_phone_before_value", 2.0, 1.3),
            ("activation.skippable_onboarding", 2.0, 1.3),
        ])[..]
    );
    assert_eq!(
        worse[5],
        ("activation.signup_cta_above_fold".to_string(), 1.5, 1.0)
    );
}
