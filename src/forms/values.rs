//! What a careful new user types into each field: a test identity that passes
//! validation (a unique plus-addressed email, a password that satisfies the field's
//! pattern and length, matching confirmations, a phone number the pattern accepts, real
//! options rather than placeholders), and the fields left alone (optional marketing
//! opt-ins, honeypots, CAPTCHAs).

use serde::{Deserialize, Serialize};

use super::{Choice, Control, Field, FieldType, FormKind, FormRegion};
use crate::text::normalize;

/// The identity used for one audit run. Its password is a [`Secret`]: it is never
/// serialised, never printed by `Debug`, and can be derived from nothing in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub email: String,
    pub password: Secret,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub company: String,
    pub job_title: String,
    pub phone: String,
    pub website: String,
}

/// The default e-mail template: plus-addressed on example.com, which never delivers.
pub const DEFAULT_EMAIL: &str = "plg-audit+{id}@example.com";

impl Identity {
    /// An identity unique to `run_id`. `email` is a template with `{id}`, a plain address
    /// (`me@acme.com` → `me+<id>@acme.com`) or a domain (`acme.com` → `plg-audit+<id>@acme.com`).
    pub fn new(run_id: &str, email: &str) -> Identity {
        let id: String = run_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let email = if email.contains("{id}") {
            email.replace("{id}", &id)
        } else if let Some((local, domain)) = email.split_once('@') {
            if local.is_empty() {
                format!("plg-audit+{id}@{domain}")
            } else {
                format!("{local}+{id}@{domain}")
            }
        } else {
            format!("plg-audit+{id}@{}", email.trim_start_matches('@'))
        };
        let tail: String = id
            .chars()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        Identity {
            email,
            password: Secret::password(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            username: format!("plgaudit{tail}"),
            company: "Analytical Engines Ltd".into(),
            job_title: "Product Manager".into(),
            phone: "+14155550123".into(),
            website: "https://example.com".into(),
        }
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// A generated password. `Debug` and `Display` print `[redacted]`; only
/// [`Secret::expose`] gives the value, for the one place that types it into the page.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A fresh password from the operating system's secure random source: 16 letters and
    /// digits with at least one of each class, then "!" and a digit, so it satisfies the
    /// usual rules (length, upper, lower, digit, symbol) at once.
    pub fn password() -> Secret {
        const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
        const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
        const DIGIT: &[u8] = b"23456789";
        let mut bytes = [0u8; 18];
        // Without an OS random source nothing here can be trusted to be secret.
        getrandom::fill(&mut bytes).expect("the operating system's random source works");
        let pick = |set: &[u8], b: u8| char::from(set[usize::from(b) % set.len()]);
        let mut s = String::with_capacity(18);
        for (i, b) in bytes[..16].iter().enumerate() {
            s.push(match i % 3 {
                0 => pick(UPPER, *b),
                1 => pick(LOWER, *b),
                _ => pick(DIGIT, *b),
            });
        }
        s.push('!');
        s.push(pick(DIGIT, bytes[16]));
        Secret(s)
    }

    /// A secret with a given value (a refusal asked for another password).
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// One thing to do to one control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Type text (one insert plus the input/change/blur events).
    Text { selector: String, value: String },
    /// Choose an option of a select by value.
    Select { selector: String, value: String },
    /// Tick or untick a checkbox, or pick a radio button, by clicking it.
    Check { selector: String, checked: bool },
}

/// What will be done to a field, or why it is left alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Do(Action),
    Leave(&'static str),
}

/// Whether a field gets a value: every required one, plus — on account forms (signup,
/// contact, anything asking for an e-mail or a password) — the identity fields sites often
/// require without saying so. Optional extras (phone, job title, marketing) stay empty; so
/// do unmarked fields of in-app forms: a server that needs them says so, and the journey
/// learns it from the refusal (that is how an unmarked requirement is counted).
fn worth_filling(f: &Field, account: bool) -> bool {
    f.required
        || account
            && matches!(
                f.field_type,
                FieldType::Email
                    | FieldType::EmailConfirm
                    | FieldType::Password
                    | FieldType::PasswordConfirm
                    | FieldType::Username
                    | FieldType::FullName
                    | FieldType::FirstName
                    | FieldType::LastName
                    | FieldType::Company
                    | FieldType::Terms
            )
}

/// Decides what to do with every field of `form`. Confirmations repeat exactly the value
/// chosen for the field they confirm.
pub fn plan(form: &FormRegion, identity: &Identity) -> Vec<(usize, Plan)> {
    // An account form whose page marks some fields required is filled as a person fills
    // it, identity extras included. One that marks nothing leaves its unmarked extras
    // empty at first: the server says what it needs, and that is how its requirements
    // are counted.
    let marks_something = form.fields.iter().any(|f| {
        f.required && f.required_reason.as_deref() != Some(super::classify::CREDENTIALS_REASON)
    });
    let account = marks_something
        && (form.kind != FormKind::Other
            || form.has(FieldType::Email)
            || form.has(FieldType::Password));
    let mut chosen: Vec<(FieldType, String)> = Vec::new();
    form.fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let original = match f.field_type {
                FieldType::PasswordConfirm => Some(FieldType::Password),
                FieldType::EmailConfirm => Some(FieldType::Email),
                _ => None,
            };
            let mut p = plan_field(f, identity, account);
            if let (Some(t), Plan::Do(Action::Text { value, .. })) = (original, &mut p) {
                if let Some((_, v)) = chosen.iter().find(|(ct, _)| *ct == t) {
                    *value = v.clone();
                }
            }
            if let Plan::Do(Action::Text { value, .. }) = &p {
                chosen.push((f.field_type, value.clone()));
            }
            (i, p)
        })
        .collect()
}

pub fn plan_field(f: &Field, who: &Identity, account: bool) -> Plan {
    match f.field_type {
        FieldType::Honeypot => {
            return Plan::Leave("a honeypot: people never see it, so it stays empty")
        }
        FieldType::Captcha => return Plan::Leave("a CAPTCHA: plg-audit never solves one"),
        // A careful new user unticks a marketing box the product ticked for them.
        FieldType::MarketingOptIn if !f.required && f.checked && f.visible => {
            return Plan::Do(Action::Check {
                selector: f.selector.clone(),
                checked: false,
            })
        }
        FieldType::MarketingOptIn | FieldType::RememberMe if !f.required => {
            return Plan::Leave("optional, and a careful new user leaves it unticked")
        }
        _ => {}
    }
    if !f.visible {
        return Plan::Leave("not visible");
    }
    if !worth_filling(f, account) {
        return Plan::Leave("optional");
    }
    let selector = f.selector.clone();
    match f.control {
        Control::Checkbox => Plan::Do(Action::Check {
            selector,
            checked: true,
        }),
        Control::Radio => match real_choice(&f.constraints.options, f.field_type) {
            Some(choice) => Plan::Do(Action::Check {
                selector: choice.selector.clone().unwrap_or(selector),
                checked: true,
            }),
            None => Plan::Leave("no option can be chosen"),
        },
        Control::Select => match real_choice(&f.constraints.options, f.field_type) {
            Some(choice) => Plan::Do(Action::Select {
                selector,
                value: choice.value.clone(),
            }),
            None => Plan::Leave("no real option to choose"),
        },
        Control::File => Plan::Leave("a file upload"),
        Control::Text | Control::TextArea => match text_for(f, who) {
            Some(value) => Plan::Do(Action::Text { selector, value }),
            None => Plan::Leave("no value fits its constraints"),
        },
    }
}

/// Placeholder options: "Choose…", "Select one", "-- Please select --".
fn is_placeholder(choice: &Choice) -> bool {
    let text = normalize(&choice.text);
    const WORDS: [&str; 14] = [
        "choose",
        "select",
        "please",
        "pick",
        "none",
        "auswahlen",
        "bitte",
        "wahlen",
        "choisir",
        "selectionner",
        "elige",
        "selecciona",
        "escolha",
        "selecione",
    ];
    choice.value.trim().is_empty()
        || text.is_empty()
        || WORDS.iter().any(|w| text.split(' ').any(|t| t == *w))
}

fn real_choice(options: &[Choice], t: FieldType) -> Option<&Choice> {
    let real: Vec<&Choice> = options
        .iter()
        .filter(|o| !o.disabled && !is_placeholder(o))
        .collect();
    if t == FieldType::Country {
        let home = ["united states", "us", "usa", "united states of america"];
        if let Some(c) = real.iter().find(|o| {
            home.contains(&normalize(&o.text).as_str())
                || home.contains(&normalize(&o.value).as_str())
        }) {
            return Some(c);
        }
    }
    real.first().copied()
}

fn text_for(f: &Field, who: &Identity) -> Option<String> {
    let candidates: Vec<String> = match f.field_type {
        FieldType::Email | FieldType::EmailConfirm => vec![who.email.clone()],
        FieldType::Password | FieldType::PasswordConfirm => {
            password_candidates(who.password.expose())
        }
        FieldType::Username => vec![who.username.clone()],
        FieldType::FullName => vec![who.full_name()],
        FieldType::FirstName => vec![who.first_name.clone()],
        FieldType::LastName => vec![who.last_name.clone()],
        FieldType::Company => vec![who.company.clone()],
        FieldType::JobTitle => vec![who.job_title.clone()],
        FieldType::Phone => phone_candidates(&who.phone),
        FieldType::Website => vec![who.website.clone(), "example.com".into()],
        FieldType::CompanySize => vec!["10".into()],
        FieldType::Country => vec!["United States".into()],
        FieldType::Message => vec!["Evaluating the product for our team.".into()],
        FieldType::Search => vec!["pricing".into()],
        _ => generic_candidates(f, who),
    };
    candidates.into_iter().find(|c| fits(f, c))
}

/// Passwords from strongest to plainest, so one satisfies almost any rule.
fn password_candidates(base: &str) -> Vec<String> {
    let alnum: String = base.chars().filter(char::is_ascii_alphanumeric).collect();
    let digits: String = "7391582046".into();
    vec![
        base.to_string(),
        alnum.clone(),
        format!("{alnum}9x"),
        alnum.to_ascii_lowercase(),
        format!("{}Aa1!", &alnum[..alnum.len().min(8)]),
        digits,
    ]
}

fn phone_candidates(base: &str) -> Vec<String> {
    let digits: String = base.chars().filter(char::is_ascii_digit).collect();
    let national = digits.strip_prefix('1').unwrap_or(&digits).to_string();
    vec![
        base.to_string(),
        national.clone(),
        format!(
            "({}) {}-{}",
            &national[0..3],
            &national[3..6],
            &national[6..]
        ),
        format!("{}-{}-{}", &national[0..3], &national[3..6], &national[6..]),
        format!(
            "+1 {} {} {}",
            &national[0..3],
            &national[3..6],
            &national[6..]
        ),
        "+4930123456".into(),
        "030123456".into(),
    ]
}

/// Values for fields nothing names: numbers within bounds, dates, else a short word.
fn generic_candidates(f: &Field, who: &Identity) -> Vec<String> {
    match f.constraints.input_type.as_str() {
        "number" | "range" => {
            let min = f
                .constraints
                .min
                .as_deref()
                .and_then(|m| m.parse::<i64>().ok())
                .unwrap_or(1);
            vec![min.max(1).to_string(), min.to_string()]
        }
        "date" => vec!["1990-01-15".into()],
        "month" => vec!["2027-01".into()],
        "time" => vec!["09:30".into()],
        _ if asks_for_a_number(f) => vec!["450".into(), "450.00".into(), "1".into()],
        _ if names_an_address(f) => {
            // "Address … .pagewell.site", "Workspace URL", "Subdomain": a part of a web
            // address the product will host, typed as people type them (lowercase, no
            // spaces), and unique to this audit as such names must be.
            let slug: String = who
                .username
                .to_ascii_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            vec![slug, "analytical".into()]
        }
        _ => {
            let label = normalize(&f.label);
            let word = if label.contains("workspace")
                || label.contains("team")
                || label.contains("project")
            {
                format!("{} Team", who.company.split(' ').next().unwrap_or("Audit"))
            } else {
                "Analytical".to_string()
            };
            vec![word, "Test".into(), "1".into()]
        }
    }
}

/// Words of a box that asks for part of a web address: the words of an address on the web
/// (see `classify::ADDRESS`) and those naming the part itself.
const ADDRESS_PART: &[&str] = &["subdomain", "slug", "handle"];

fn names_an_address(f: &Field) -> bool {
    let label = normalize(&f.label);
    label
        .split(' ')
        .any(|w| super::classify::ADDRESS.contains(&w) || ADDRESS_PART.contains(&w))
}

/// Words on a text box that wants a number: an amount, a price, a quantity.
const NUMBER_WORDS: &[&str] = &[
    "amount",
    "price",
    "total",
    "quantity",
    "qty",
    "budget",
    "rate",
    "cost",
    "fee",
    "montant",
    "prix",
    "quantite",
    "betrag",
    "preis",
    "menge",
    "importe",
    "precio",
    "cantidad",
    "valor",
    "quantidade",
    "preco",
];

/// A text box that wants a number: `inputmode="numeric|decimal"`, or labelled as an amount.
fn asks_for_a_number(f: &Field) -> bool {
    matches!(
        f.constraints.inputmode.as_deref(),
        Some("numeric" | "decimal")
    ) || NUMBER_WORDS
        .iter()
        .any(|w| crate::text::has_phrase(&normalize(&f.label), w))
}

/// Whether `value` satisfies the field's declared length and pattern.
pub fn fits(f: &Field, value: &str) -> bool {
    let len = value.chars().count();
    if f.constraints.maxlength.is_some_and(|m| len > m)
        || f.constraints.minlength.is_some_and(|m| len < m)
    {
        return false;
    }
    match &f.constraints.pattern {
        // HTML patterns match the whole value, with JavaScript's syntax (lookaheads included).
        Some(p) => match fancy_regex::Regex::new(&format!("^(?:{p})$")) {
            Ok(re) => re.is_match(value).unwrap_or(false),
            Err(_) => true, // An invalid pattern is ignored by browsers too.
        },
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::Constraints;

    fn field(t: FieldType, c: Constraints) -> Field {
        Field {
            name: None,
            id: None,
            control: Control::Text,
            label: String::new(),
            field_type: t,
            reason: String::new(),
            required: true,
            required_reason: None,
            visible: true,
            constraints: c,
            selector: "#x".into(),
            checked: false,
            value: None,
        }
    }

    #[test]
    fn emails_are_plus_addressed_per_run() {
        assert_eq!(
            Identity::new("20261123-0951", DEFAULT_EMAIL).email,
            "plg-audit+202611230951@example.com"
        );
        assert_eq!(Identity::new("r1", "me@acme.io").email, "me+r1@acme.io");
        assert_eq!(Identity::new("r1", "acme.io").email, "plg-audit+r1@acme.io");
        assert_eq!(
            Identity::new("r1", "qa-{id}@acme.io").email,
            "qa-r1@acme.io"
        );
    }

    #[test]
    fn the_password_satisfies_lookahead_and_alphanumeric_patterns() {
        let who = Identity::new("abc123", DEFAULT_EMAIL);
        let strict = field(
            FieldType::Password,
            Constraints {
                pattern: Some(r"(?=.*\d)(?=.*[a-z])(?=.*[A-Z]).{10,}".into()),
                ..Constraints::default()
            },
        );
        let alnum = field(
            FieldType::Password,
            Constraints {
                pattern: Some("[A-Za-z0-9]{8,16}".into()),
                ..Constraints::default()
            },
        );
        let p1 = text_for(&strict, &who).unwrap();
        let p2 = text_for(&alnum, &who).unwrap();
        assert!(fits(&strict, &p1), "{p1}");
        assert!(
            p2.chars().all(|c| c.is_ascii_alphanumeric()) && (8..=16).contains(&p2.len()),
            "{p2}"
        );
    }

    #[test]
    fn phone_numbers_follow_the_pattern() {
        let who = Identity::new("r", DEFAULT_EMAIL);
        let f = field(
            FieldType::Phone,
            Constraints {
                pattern: Some(r"\(\d{3}\) \d{3}-\d{4}".into()),
                ..Constraints::default()
            },
        );
        assert_eq!(text_for(&f, &who).unwrap(), "(415) 555-0123");
    }

    #[test]
    fn a_pre_ticked_marketing_box_is_unticked_and_an_unticked_one_left_alone() {
        let who = Identity::new("r", DEFAULT_EMAIL);
        let mut f = field(FieldType::MarketingOptIn, Constraints::default());
        f.control = Control::Checkbox;
        f.required = false;
        f.checked = true;
        assert_eq!(
            plan_field(&f, &who, true),
            Plan::Do(Action::Check {
                selector: "#x".into(),
                checked: false
            })
        );
        f.checked = false;
        assert!(matches!(plan_field(&f, &who, true), Plan::Leave(_)));
    }

    #[test]
    fn passwords_are_random_and_never_printed() {
        let a = Secret::password();
        let b = Secret::password();
        assert_ne!(a, b);
        assert_eq!(format!("{a:?} {a}"), "[redacted] [redacted]");
        let p = a.expose();
        assert_eq!(p.len(), 18);
        assert!(p.chars().any(|c| c.is_ascii_uppercase()));
        assert!(p.chars().any(|c| c.is_ascii_lowercase()));
        assert!(p.chars().any(|c| c.is_ascii_digit()));
        assert!(p.contains('!'));
    }

    #[test]
    fn placeholder_options_are_never_chosen() {
        let opt = |v: &str, t: &str| Choice {
            value: v.into(),
            text: t.into(),
            disabled: false,
            selector: None,
        };
        let options = vec![
            opt("", "Choose…"),
            opt("x", "-- Please select --"),
            opt("s", "1–10"),
        ];
        assert_eq!(
            real_choice(&options, FieldType::CompanySize).unwrap().value,
            "s"
        );
    }
}
