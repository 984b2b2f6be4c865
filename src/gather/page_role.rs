//! Which role a page plays — pricing, signup, docs… — judged as a visitor would: from
//! the words on the links that lead to it, its URL path, and its content.
//!
//! Each role has a keyword table (English, German, French, Spanish, Portuguese, written
//! normalized: see [`crate::text`]) and content tests. Every signal adds evidence to its
//! role; the role with the most evidence wins if it has enough, else the page is `other`.
//! The reason names the signals, so a surprising answer can be explained.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::document::PageDocument;
use crate::artifacts::PageRole;
use crate::text::{has_phrase, normalize};

/// Evidence a role needs before a page is given it.
const MIN_SCORE: u32 = 2;

struct RoleWords {
    role: PageRole,
    /// Whole URL path segments.
    path: &'static [&'static str],
    /// Phrases in link texts and headings.
    words: &'static [&'static str],
}

const TABLE: &[RoleWords] = &[
    RoleWords {
        role: PageRole::Pricing,
        path: &[
            "pricing",
            "plans",
            "plan",
            "prices",
            "price",
            "preise",
            "tarife",
            "tarifs",
            "prix",
            "precios",
            "planes",
            "precos",
            "planos",
            "pricing-plans",
            "plans-pricing",
            "buy",
            "upgrade",
        ],
        words: &[
            "pricing",
            "plans",
            "plans and pricing",
            "plans pricing",
            "prices",
            "see pricing",
            "view pricing",
            "compare plans",
            "preise",
            "tarife",
            "tarifs",
            "prix",
            "precios",
            "planes",
            "precos",
            "planos",
        ],
    },
    RoleWords {
        role: PageRole::Signup,
        path: &[
            "signup",
            "sign-up",
            "sign_up",
            "register",
            "registration",
            "join",
            "start",
            "get-started",
            "getstarted",
            "trial",
            "free-trial",
            "create-account",
            "registrieren",
            "registrierung",
            "inscription",
            "registro",
            "registrarse",
            "cadastro",
            "onboarding",
        ],
        words: &[
            "sign up",
            "signup",
            "create account",
            "create an account",
            "create your account",
            "create my account",
            "get started",
            "start free",
            "start for free",
            "try free",
            "try it free",
            "start free trial",
            "start your free trial",
            "free trial",
            "join",
            "join free",
            "register",
            "registrieren",
            "kostenlos registrieren",
            "konto erstellen",
            "jetzt starten",
            "kostenlos testen",
            "s inscrire",
            "inscription",
            "creer un compte",
            "essai gratuit",
            "essayer gratuitement",
            "registrate",
            "registrarse",
            "crear cuenta",
            "crear una cuenta",
            "prueba gratis",
            "empezar gratis",
            "cadastre se",
            "criar conta",
            "comece gratis",
            "teste gratis",
        ],
    },
    RoleWords {
        role: PageRole::Login,
        path: &[
            "login",
            "log-in",
            "signin",
            "sign-in",
            "sign_in",
            "auth",
            "session",
            "sessions",
            "anmelden",
            "connexion",
            "iniciar-sesion",
            "entrar",
        ],
        words: &[
            "log in",
            "login",
            "sign in",
            "signin",
            "welcome back",
            "anmelden",
            "einloggen",
            "se connecter",
            "connexion",
            "iniciar sesion",
            "entrar",
            "acessar",
        ],
    },
    RoleWords {
        role: PageRole::Api,
        path: &[
            "api",
            "apis",
            "developers",
            "developer",
            "dev",
            "reference",
            "api-reference",
            "api-docs",
        ],
        words: &[
            "api",
            "api docs",
            "api reference",
            "api documentation",
            "developers",
            "developer",
            "developer docs",
            "rest api",
            "graphql api",
        ],
    },
    RoleWords {
        role: PageRole::Docs,
        path: &[
            "docs",
            "doc",
            "documentation",
            "help",
            "guide",
            "guides",
            "support",
            "kb",
            "knowledge-base",
            "learn",
            "manual",
            "hilfe",
            "aide",
            "ayuda",
            "ajuda",
        ],
        words: &[
            "docs",
            "documentation",
            "help",
            "help center",
            "help centre",
            "guides",
            "support",
            "knowledge base",
            "user guide",
            "hilfe",
            "dokumentation",
            "aide",
            "ayuda",
            "documentacion",
            "ajuda",
            "documentacao",
        ],
    },
    RoleWords {
        role: PageRole::Integrations,
        path: &[
            "integrations",
            "integration",
            "apps",
            "marketplace",
            "app-directory",
            "connectors",
            "extensions",
            "plugins",
            "integrationen",
        ],
        words: &[
            "integrations",
            "apps",
            "app directory",
            "marketplace",
            "connectors",
            "integrationen",
            "integraciones",
            "integracoes",
        ],
    },
    RoleWords {
        role: PageRole::Templates,
        path: &[
            "templates",
            "template",
            "gallery",
            "vorlagen",
            "modeles",
            "plantillas",
            "modelos",
        ],
        words: &[
            "templates",
            "template gallery",
            "vorlagen",
            "modeles",
            "plantillas",
            "modelos",
        ],
    },
    RoleWords {
        role: PageRole::Security,
        path: &[
            "security",
            "trust",
            "trust-center",
            "compliance",
            "gdpr",
            "soc2",
            "sicherheit",
            "securite",
            "seguridad",
            "seguranca",
        ],
        words: &[
            "security",
            "trust",
            "trust center",
            "compliance",
            "sicherheit",
            "securite",
            "seguridad",
            "seguranca",
        ],
    },
    RoleWords {
        role: PageRole::Legal,
        path: &[
            "legal",
            "privacy",
            "privacy-policy",
            "terms",
            "tos",
            "terms-of-service",
            "terms-of-use",
            "terms-and-conditions",
            "cookies",
            "cookie-policy",
            "imprint",
            "impressum",
            "datenschutz",
            "agb",
            "dpa",
            "mentions-legales",
            "confidentialite",
            "cgu",
            "privacidad",
            "terminos",
            "aviso-legal",
            "privacidade",
            "termos",
        ],
        words: &[
            "privacy",
            "privacy policy",
            "terms",
            "terms of service",
            "terms of use",
            "terms and conditions",
            "legal",
            "cookie policy",
            "cookies",
            "imprint",
            "impressum",
            "datenschutz",
            "agb",
            "mentions legales",
            "confidentialite",
            "politique de confidentialite",
            "privacidad",
            "terminos",
            "aviso legal",
            "privacidade",
            "termos de uso",
        ],
    },
    RoleWords {
        role: PageRole::Blog,
        path: &[
            "blog",
            "news",
            "articles",
            "posts",
            "newsroom",
            "changelog",
            "updates",
        ],
        words: &[
            "blog",
            "news",
            "articles",
            "newsroom",
            "changelog",
            "neuigkeiten",
            "actualites",
            "noticias",
        ],
    },
];

static PRICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:[$€£¥₹]\s?\d[\d.,]*|\d[\d.,]*\s?(?:[$€£¥₹]|usd|eur|gbp|chf))")
        .expect("valid regex")
});
static PRICE_PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(/\s?(mo|month|yr|year|user|seat|member)\b|per (month|year|user|seat|member)|monthly|annually|billed|pro monat|par mois|al mes|por mes|ao mes|mensal)")
        .expect("valid regex")
});

const SIGNUP_INTENT: &[&str] = &[
    "sign up",
    "create account",
    "create an account",
    "create your account",
    "create my account",
    "get started",
    "start free",
    "start for free",
    "start free trial",
    "start my free trial",
    "start your free trial",
    "try free",
    "try it free",
    "join",
    "join now",
    "register",
    "registrieren",
    "konto erstellen",
    "creer un compte",
    "s inscrire",
    "crear cuenta",
    "registrarse",
    "criar conta",
    "cadastrar",
];
const LOGIN_INTENT: &[&str] = &[
    "log in",
    "login",
    "sign in",
    "welcome back",
    "anmelden",
    "einloggen",
    "se connecter",
    "connexion",
    "iniciar sesion",
    "entrar",
];
const SECURITY_TERMS: &[&str] = &[
    "soc 2",
    "soc2",
    "iso 27001",
    "gdpr",
    "hipaa",
    "encryption",
    "encrypted",
    "penetration test",
    "pen test",
    "vulnerability",
    "sso",
    "saml",
    "data processing",
    "subprocessors",
];
const API_TERMS: &[&str] = &[
    "endpoint",
    "endpoints",
    "rest api",
    "api key",
    "authentication",
    "curl",
    "request",
    "response",
    "webhook",
    "webhooks",
    "rate limit",
    "sdk",
];
const LEGAL_HEADINGS: &[&str] = &[
    "privacy policy",
    "privacy notice",
    "terms of service",
    "terms of use",
    "terms and conditions",
    "cookie policy",
    "legal",
    "imprint",
    "impressum",
    "datenschutz",
    "datenschutzerklarung",
    "agb",
    "mentions legales",
    "politique de confidentialite",
    "politica de privacidad",
    "terminos",
    "termos de uso",
    "politica de privacidade",
    "data processing agreement",
];

/// Whether a headline names the page as `phrase`: a phrase of several words anywhere, a
/// single word only at the headline's start or end ("Pricing that scales", "Notebloom
/// Help") — and "Help us build the future" is a careers page, not help.
fn names_the_page(headline: &str, phrase: &str) -> bool {
    if phrase.len() <= 3 || !has_phrase(headline, phrase) {
        return false;
    }
    // Words that are verbs as often as names open many headlines ("Help us build…").
    const ALSO_VERBS: [&str; 7] = [
        "help", "support", "join", "register", "trust", "learn", "plan",
    ];
    let opens = headline.starts_with(&format!("{phrase} ")) && !ALSO_VERBS.contains(&phrase);
    phrase.contains(' ') || headline == phrase || opens || headline.ends_with(&format!(" {phrase}"))
}

/// A role decision and its reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleJudgement {
    pub role: PageRole,
    pub reason: String,
    /// Other roles the page plays, with why: a home page that is the login form.
    pub also: Vec<(PageRole, String)>,
}

impl RoleJudgement {
    /// Every role, the primary one first.
    pub fn roles(&self) -> Vec<PageRole> {
        std::iter::once(self.role)
            .chain(self.also.iter().map(|(r, _)| *r))
            .collect()
    }
}

#[derive(Default)]
struct Evidence {
    score: u32,
    reasons: Vec<String>,
}

/// Decides a page's role. `anchors` are the texts of the links that led to it;
/// `content` is None when only the URL is known (to rank links before fetching them).
pub fn classify(
    url: &Url,
    is_home: bool,
    anchors: &[String],
    content: Option<&PageDocument>,
) -> RoleJudgement {
    // A page's own form can give it a second role: the home page that is the login.
    let also = |role: PageRole| -> Vec<(PageRole, String)> {
        content
            .and_then(form_role)
            .filter(|(r, _, _)| *r != role)
            .map(|(r, _, why)| vec![(r, why)])
            .unwrap_or_default()
    };
    if is_home {
        return RoleJudgement {
            role: PageRole::Home,
            reason: "the site's home page".to_string(),
            also: also(PageRole::Home),
        };
    }
    let mut evidence: Vec<(PageRole, Evidence)> = TABLE
        .iter()
        .map(|t| (t.role, Evidence::default()))
        .collect();
    let mut add = |role: PageRole, score: u32, reason: String| {
        if let Some((_, e)) = evidence.iter_mut().find(|(r, _)| *r == role) {
            e.score += score;
            e.reasons.push(reason);
        }
    };

    // URL path: the last segment says most; earlier ones give context (/legal/privacy).
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| {
            s.filter(|p| !p.is_empty())
                .map(|p| p.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let stem = seg
            .trim_end_matches(".html")
            .trim_end_matches(".htm")
            .trim_end_matches(".php");
        for t in TABLE.iter().filter(|t| t.path.contains(&stem)) {
            add(
                t.role,
                if last { 3 } else { 2 },
                format!("URL path /{}", segments.join("/")),
            );
        }
    }
    // Subdomains such as docs. or developers. name the role too.
    if let Some(sub) = url.host_str().and_then(|h| h.split('.').next()) {
        for t in TABLE
            .iter()
            .filter(|t| matches!(t.role, PageRole::Docs | PageRole::Api | PageRole::Blog))
        {
            if t.path.contains(&sub) {
                add(
                    t.role,
                    2,
                    format!("host {}", url.host_str().unwrap_or_default()),
                );
            }
        }
    }

    // Link texts that lead here: an exact match is strong, a contained phrase weaker.
    let mut anchor_texts: Vec<String> = anchors
        .iter()
        .map(|a| normalize(a))
        .filter(|a| !a.is_empty())
        .collect();
    anchor_texts.sort();
    anchor_texts.dedup();
    for t in TABLE {
        let exact = anchor_texts.iter().find(|a| t.words.contains(&a.as_str()));
        let partial = anchor_texts
            .iter()
            .find(|a| t.words.iter().any(|w| has_phrase(a, w)));
        if let Some(a) = exact {
            add(t.role, 3, format!("linked as \"{a}\""));
        } else if let Some(a) = partial {
            add(t.role, 1, format!("linked as \"{a}\""));
        }
    }

    if let Some(doc) = content {
        judge_content(doc, &mut add);
    }

    let best = evidence
        .into_iter()
        .filter(|(_, e)| e.score >= MIN_SCORE)
        // Highest score wins; on a tie the earlier row of TABLE (more specific role) does.
        .fold(None::<(PageRole, Evidence)>, |best, (role, e)| match best {
            Some((_, ref b)) if b.score >= e.score => best,
            _ => Some((role, e)),
        });
    match best {
        Some((role, e)) => {
            let mut reasons = e.reasons;
            reasons.dedup();
            RoleJudgement {
                role,
                reason: reasons.join("; "),
                also: also(role),
            }
        }
        None => RoleJudgement {
            role: PageRole::Other,
            reason: "no role's signals were strong enough".to_string(),
            also: Vec::new(),
        },
    }
}

/// Signup and login pages are forms with a password field; their buttons say which.
fn form_role(doc: &PageDocument) -> Option<(PageRole, u32, String)> {
    let h1 = normalize(&doc.h1.join(" "));
    let form = &doc.forms;
    let buttons = normalize(&form.submit_texts.join(" | "));
    let intent = format!("{buttons} {h1}");
    if !(form.password_inputs > 0 || (form.email_inputs > 0 && form.text_inputs <= 3)) {
        return None;
    }
    let signup = SIGNUP_INTENT.iter().find(|w| has_phrase(&intent, w));
    let login = LOGIN_INTENT.iter().find(|w| has_phrase(&intent, w));
    let confirm = form.password_inputs >= 2;
    match (signup, login) {
        (Some(w), _) if form.password_inputs > 0 || has_phrase(&buttons, w) => Some((
            PageRole::Signup,
            4,
            format!("a form with a password field and \"{w}\""),
        )),
        (None, Some(w)) if form.password_inputs > 0 => Some((
            PageRole::Login,
            4,
            format!("a form with a password field and \"{w}\""),
        )),
        _ if confirm => Some((
            PageRole::Signup,
            3,
            "a form asking for the password twice".to_string(),
        )),
        _ => None,
    }
}

fn judge_content(doc: &PageDocument, add: &mut impl FnMut(PageRole, u32, String)) {
    let h1 = normalize(&doc.h1.join(" "));
    // "Pricing · Pixelcart", "Notebloom | Help Center": the title's parts name the page.
    let title_parts: Vec<String> = doc
        .title
        .split(['|', '·', '•', '—', '–', ':', '-'])
        .map(normalize)
        .filter(|p| !p.is_empty())
        .collect();
    let text = normalize(&doc.text);

    // Pricing: several prices with a billing period is what a pricing page is.
    let prices = PRICE.find_iter(&doc.text).count();
    let periods = PRICE_PERIOD.find_iter(&doc.text).count();
    if prices >= 2 && periods >= 1 {
        add(
            PageRole::Pricing,
            4,
            format!("{prices} prices with billing periods on the page"),
        );
    }
    for t in TABLE {
        if let Some(w) = t.words.iter().find(|w| names_the_page(&h1, w)) {
            add(t.role, 2, format!("headline mentions \"{w}\""));
        } else if let Some(w) = t
            .words
            .iter()
            .find(|w| title_parts.iter().any(|part| names_the_page(part, w)))
        {
            add(t.role, 1, format!("title mentions \"{w}\""));
        }
    }

    if let Some((role, score, why)) = form_role(doc) {
        add(role, score, why);
    }

    let security_terms: Vec<&str> = SECURITY_TERMS
        .iter()
        .copied()
        .filter(|w| has_phrase(&text, w))
        .collect();
    if security_terms.len() >= 3 {
        add(
            PageRole::Security,
            2,
            format!("mentions {}", security_terms[..3].join(", ")),
        );
    }
    let api_terms = API_TERMS.iter().filter(|w| has_phrase(&text, w)).count();
    if api_terms >= 4 {
        add(
            PageRole::Api,
            2,
            format!("{api_terms} API reference terms on the page"),
        );
    }
    if let Some(w) = LEGAL_HEADINGS.iter().find(|w| has_phrase(&h1, w)) {
        add(PageRole::Legal, 2, format!("headline \"{w}\""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(path: &str) -> Url {
        Url::parse("https://acme.test").unwrap().join(path).unwrap()
    }

    fn by_url(path: &str, anchor: &str) -> PageRole {
        let anchors = if anchor.is_empty() {
            vec![]
        } else {
            vec![anchor.to_string()]
        };
        classify(&url(path), false, &anchors, None).role
    }

    fn by_content(path: &str, html: &str) -> RoleJudgement {
        let u = url(path);
        classify(&u, false, &[], Some(&PageDocument::parse(html, &u)))
    }

    #[test]
    fn url_paths_name_roles() {
        assert_eq!(by_url("/pricing", ""), PageRole::Pricing);
        assert_eq!(by_url("/developers/api", ""), PageRole::Api);
        assert_eq!(by_url("/legal/privacy", ""), PageRole::Legal);
        assert_eq!(by_url("/resources/blog", ""), PageRole::Blog);
        assert_eq!(by_url("/de/preise", ""), PageRole::Pricing);
        assert_eq!(by_url("/careers", ""), PageRole::Other);
    }

    #[test]
    fn link_text_names_a_page_whose_path_does_not() {
        assert_eq!(by_url("/p/overview", "Pricing"), PageRole::Pricing);
        assert_eq!(by_url("/go", "Sign up"), PageRole::Signup);
        assert_eq!(by_url("/x", "Trust Center"), PageRole::Security);
    }

    #[test]
    fn prices_with_periods_make_a_pricing_page() {
        let j = by_content(
            "/compare",
            "<h1>Simple plans</h1><div>Free $0</div><div>Plus $8 per member / month</div><div>Business $15/mo</div>",
        );
        assert_eq!(j.role, PageRole::Pricing, "{}", j.reason);
    }

    #[test]
    fn a_password_form_is_signup_or_login_by_its_words() {
        let signup = by_content(
            "/start",
            r#"<h1>Create your account</h1><form><input type=email><input type=password><button>Continue</button></form>"#,
        );
        assert_eq!(signup.role, PageRole::Signup, "{}", signup.reason);
        let login = by_content(
            "/account",
            r#"<h1>Welcome back</h1><form><input type=email><input type=password><button>Sign in</button></form>"#,
        );
        assert_eq!(login.role, PageRole::Login, "{}", login.reason);
    }

    #[test]
    fn a_generic_word_inside_a_headline_is_no_evidence() {
        let j = by_content(
            "/careers",
            "<title>Careers | Tasklane</title><h1>Help us build calmer teamwork</h1>",
        );
        assert_eq!(j.role, PageRole::Other, "{}", j.reason);
        let j = by_content(
            "/x",
            "<title>Tasklane | Help Center</title><h1>How can we help?</h1>",
        );
        assert_eq!(j.role, PageRole::Docs, "{}", j.reason);
    }

    #[test]
    fn a_page_with_little_evidence_is_other() {
        let j = by_content("/about", "<h1>Our story</h1><p>We started in a garage.</p>");
        assert_eq!(j.role, PageRole::Other);
    }

    #[test]
    fn the_home_page_is_home_whatever_it_says() {
        assert_eq!(
            classify(&url("/pricing"), true, &[], None).role,
            PageRole::Home
        );
    }
}
