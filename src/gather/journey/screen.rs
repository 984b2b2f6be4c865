//! One screen of the journey as a new user sees it: its links and buttons, its forms,
//! its words — and the walls in it (blockers), each with the evidence that shows it.

use std::sync::LazyLock;

use scraper::{Html, Selector};
use url::Url;

use crate::artifacts::{Link, Outcome};
use crate::error::AuditError;
use crate::forms::{FieldType, FormKind, FormRegion};
use crate::gather::browser::Page;
use crate::gather::document::PageDocument;
use crate::text::{has_phrase, normalize};

/// A screen, read once.
pub struct Screen {
    pub url: Url,
    pub doc: PageDocument,
    pub forms: Vec<FormRegion>,
    /// Normalized visible text.
    pub text: String,
    /// CAPTCHA and payment widgets found in the markup: (what, selector-ish description).
    pub widgets: Vec<(Widget, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Widget {
    Captcha,
    Payment,
}

static CAPTCHA_WIDGETS: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(
        ".g-recaptcha, .h-captcha, .cf-turnstile, [data-sitekey], iframe[src*='recaptcha'], iframe[src*='hcaptcha'], iframe[src*='turnstile']",
    )
    .expect("valid selector")
});
static PAYMENT_WIDGETS: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(
        "iframe[src*='js.stripe.com'], iframe[name^='__privateStripeFrame'], iframe[src*='braintreegateway'], iframe[src*='adyen'], iframe[src*='checkout.com'], iframe[src*='paddle.com']",
    )
    .expect("valid selector")
});

impl Screen {
    /// Reads the page as it is now (annotated live, so visibility is the browser's).
    pub fn read(page: &Page) -> Result<Screen, AuditError> {
        let started = std::time::Instant::now();
        page.evaluate::<u32>(crate::forms::LIVE_ANNOTATOR)?;
        let html = page.html()?;
        let url = Url::parse(&page.url()).map_err(|e| AuditError::Browser {
            reason: format!("the page's address is not a URL: {e}"),
        })?;
        let screen = Screen::from_html(&html, url);
        tracing::debug!(url = %screen.url, elapsed = ?started.elapsed(), "read the screen");
        Ok(screen)
    }

    pub fn from_html(html: &str, url: Url) -> Screen {
        let doc = PageDocument::parse(html, &url);
        let forms = crate::forms::read_forms(html, &url);
        let parsed = Html::parse_document(html);
        let hidden = |e: &scraper::ElementRef| e.value().attr("data-plg-visible") == Some("0");
        let mut widgets: Vec<(Widget, String)> = parsed
            .select(&CAPTCHA_WIDGETS)
            .filter(|e| !hidden(e))
            .map(|e| (Widget::Captcha, describe(&e)))
            .collect();
        widgets.extend(
            parsed
                .select(&PAYMENT_WIDGETS)
                .map(|e| (Widget::Payment, describe(&e))),
        );
        let text = normalize(&doc.text);
        Screen {
            url,
            doc,
            forms,
            text,
            widgets,
        }
    }

    /// The first form of one of `kinds`, in the order given.
    pub fn form(&self, kinds: &[FormKind]) -> Option<&FormRegion> {
        kinds.iter().find_map(|k| {
            self.forms
                .iter()
                .find(|f| f.kind == *k && has_visible_fields(f))
        })
    }

    /// Social sign-in providers offered on this screen.
    pub fn sso_providers(&self) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for provider in self.doc.links.iter().flat_map(providers_of) {
            if !found.iter().any(|f| f == provider) {
                found.push(provider.to_string());
            }
        }
        found
    }

    /// Whether the screen asks for an email or a password anywhere.
    pub fn has_email_signup(&self) -> bool {
        self.forms.iter().any(|f| {
            f.fields.iter().any(|x| {
                x.visible
                    && matches!(
                        x.field_type,
                        FieldType::Email | FieldType::Password | FieldType::Username
                    )
            })
        }) || self.email_signup_button().is_some()
    }

    /// A button that reveals the e-mail signup behind social sign-in buttons:
    /// "Continue with email", "Sign up with email".
    pub fn email_signup_button(&self) -> Option<&Link> {
        self.doc.links.iter().find(|l| {
            let t = normalize(&l.text);
            WITH_EMAIL.iter().any(|w| has_phrase(&t, w))
        })
    }

    /// A blocker this screen shows, given where the journey is.
    pub fn blocker(
        &self,
        after_signup: bool,
        before_first_submit: bool,
    ) -> Option<(Outcome, String, Option<String>)> {
        if let Some((_, element)) = self.widgets.iter().find(|(w, _)| *w == Widget::Payment) {
            return Some((
                Outcome::CardRequired,
                "a payment card form".into(),
                Some(element.clone()),
            ));
        }
        if let Some(f) = self.forms.iter().find(|f| {
            f.fields
                .iter()
                .any(|x| x.visible && x.field_type == FieldType::CardNumber)
        }) {
            let field = f
                .fields
                .iter()
                .find(|x| x.field_type == FieldType::CardNumber);
            return Some((
                Outcome::CardRequired,
                field.map_or("card number".to_string(), |x| x.label.clone()),
                field.map(|x| x.selector.clone()),
            ));
        }
        let signup_form = self.form(&[FormKind::Signup]);
        if before_first_submit {
            if let Some(f) = signup_form {
                if let Some(c) = f
                    .fields
                    .iter()
                    .find(|x| x.field_type == FieldType::Captcha && x.visible)
                {
                    return Some((
                        Outcome::Captcha,
                        format!("a CAPTCHA on the signup form ({})", c.reason),
                        Some(c.selector.clone()),
                    ));
                }
                if let Some((_, element)) = self.widgets.iter().find(|(w, _)| *w == Widget::Captcha)
                {
                    return Some((
                        Outcome::Captcha,
                        "a CAPTCHA widget on the signup form".into(),
                        Some(element.clone()),
                    ));
                }
            }
            if let Some(f) = self.form(&[FormKind::Waitlist]) {
                if signup_form.is_none() {
                    return Some((
                        Outcome::Waitlist,
                        format!("a waitlist form: {}", f.kind_reason),
                        Some(f.selector.clone()),
                    ));
                }
            }
            if signup_form.is_none() && !self.has_email_signup() && !self.sso_providers().is_empty()
            {
                return Some((
                    Outcome::SsoOnly,
                    format!("only social sign-in: {}", self.sso_providers().join(", ")),
                    None,
                ));
            }
        }
        if let Some(w) = ON_THE_LIST.iter().find(|w| has_phrase(&self.text, w)) {
            return Some((Outcome::Waitlist, format!("the page says \"{w}\""), None));
        }
        if after_signup && signup_form.is_none() && self.form(&[FormKind::Login]).is_none() {
            if let Some(w) = CHECK_INBOX.iter().find(|w| has_phrase(&self.text, w)) {
                return Some((
                    Outcome::EmailVerification,
                    format!("the page says \"{w}\""),
                    None,
                ));
            }
        }
        None
    }
}

fn has_visible_fields(f: &FormRegion) -> bool {
    f.fields
        .iter()
        .any(|x| x.visible && !matches!(x.field_type, FieldType::Honeypot))
        || f.fields.is_empty()
}

fn describe(e: &scraper::ElementRef) -> String {
    let v = e.value();
    let mut s = v.name().to_string();
    if let Some(c) = v.attr("class") {
        s.push('.');
        s.push_str(&c.split_whitespace().collect::<Vec<_>>().join("."));
    }
    if let Some(src) = v.attr("src") {
        s.push_str(&format!(
            "[src=\"{}\"]",
            src.chars().take(80).collect::<String>()
        ));
    }
    s
}

/// Providers and the hosts their sign-in links go to.
/// Words of a button that chooses e-mail over social sign-in.
const WITH_EMAIL: &[&str] = &[
    "continue with email",
    "continue with e mail",
    "sign up with email",
    "sign up with e mail",
    "use email",
    "with email",
    "with e mail",
    "mit e mail",
    "avec l e mail",
    "avec votre e mail",
    "con correo",
    "con email",
    "com e mail",
    "com email",
];

/// Whether a link is a social sign-in button (by its words or where it leads).
pub fn is_sso(link: &Link) -> bool {
    !providers_of(link).is_empty()
}

/// The sign-in providers a link offers: "Continue with GitHub", or an href to an OAuth
/// endpoint.
fn providers_of(link: &Link) -> Vec<&'static str> {
    let text = normalize(&link.text);
    let target = link
        .href
        .as_deref()
        .and_then(|h| Url::parse(h).ok())
        .map(|u| format!("{}{}", u.host_str().unwrap_or(""), u.path()))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let offers = [
        "with", "continue", "sign up", "sign in", "log in", "mit", "avec", "con", "com",
    ]
    .iter()
    .any(|w| has_phrase(&text, w));
    SSO_PROVIDERS
        .iter()
        .filter(|(provider, hosts)| {
            (offers && has_phrase(&text, provider)) || hosts.iter().any(|h| target.contains(h))
        })
        .map(|(provider, _)| *provider)
        .collect()
}

const SSO_PROVIDERS: &[(&str, &[&str])] = &[
    (
        "google",
        &["accounts.google.com", "/auth/google", "/oauth/google"],
    ),
    (
        "github",
        &["github.com/login/oauth", "/auth/github", "/oauth/github"],
    ),
    ("gitlab", &["gitlab.com/oauth", "/auth/gitlab"]),
    (
        "microsoft",
        &[
            "login.microsoftonline.com",
            "login.live.com",
            "/auth/microsoft",
            "/auth/azure",
        ],
    ),
    ("apple", &["appleid.apple.com", "/auth/apple"]),
    ("linkedin", &["linkedin.com/oauth", "/auth/linkedin"]),
    (
        "slack",
        &["slack.com/oauth", "slack.com/openid", "/auth/slack"],
    ),
    (
        "facebook",
        &[
            "facebook.com/dialog/oauth",
            "facebook.com/v",
            "/auth/facebook",
        ],
    ),
    ("okta", &["okta.com/oauth2", "/auth/okta"]),
    ("atlassian", &["auth.atlassian.com", "/auth/atlassian"]),
];

/// Words of a "check your inbox" wall.
const CHECK_INBOX: &[&str] = &[
    "check your inbox",
    "check your email",
    "check your e mail",
    "verify your email",
    "verify your email address",
    "confirm your email",
    "confirm your email address",
    "we sent you an email",
    "we ve sent",
    "we have sent",
    "sent a confirmation",
    "sent you a confirmation",
    "confirmation link",
    "verification link",
    "activation link",
    "activate your account",
    "uberprufe dein postfach",
    "prufen sie ihr postfach",
    "bestatige deine e mail",
    "bestatigen sie ihre e mail",
    "verifiez votre boite",
    "consultez votre boite",
    "confirmez votre adresse",
    "verifiez votre adresse",
    "revisa tu correo",
    "revisa tu bandeja",
    "confirma tu correo",
    "verifica tu correo",
    "verifique seu email",
    "confirme seu email",
    "verifique sua caixa",
];
/// Words of a waitlist confirmation.
const ON_THE_LIST: &[&str] = &[
    "you re on the list",
    "you are on the list",
    "you re on the waitlist",
    "you are on the waitlist",
    "added to the waitlist",
    "thanks for joining the waitlist",
    "we ll email you when",
    "auf der warteliste",
    "sur la liste d attente",
    "en la lista de espera",
];

/// Whether words on a refused submission speak of a CAPTCHA.
pub fn mentions_captcha(text: &str) -> bool {
    let t = normalize(text);
    [
        "captcha",
        "recaptcha",
        "not a robot",
        "are you human",
        "verify you are human",
        "human verification",
    ]
    .iter()
    .any(|w| has_phrase(&t, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(html: &str) -> Screen {
        Screen::from_html(html, Url::parse("https://app.test/signup").unwrap())
    }

    #[test]
    fn social_buttons_name_their_providers() {
        let s = screen(
            r#"<a href="https://accounts.google.com/o/oauth2/auth?x=1">Continue with Google</a>
               <a href="https://github.com/login/oauth/authorize">Continue with GitHub</a>
               <a href="/pricing">Google Sheets integration</a>"#,
        );
        assert_eq!(s.sso_providers(), vec!["google", "github"]);
        assert!(!s.has_email_signup());
        assert_eq!(s.blocker(false, true).map(|b| b.0), Some(Outcome::SsoOnly));
    }

    #[test]
    fn a_check_your_inbox_screen_after_signup_is_a_verification_wall() {
        let s = screen(
            "<h1>Check your inbox</h1><p>We sent a confirmation link to ada@example.com.</p>",
        );
        assert_eq!(
            s.blocker(true, false).map(|b| b.0),
            Some(Outcome::EmailVerification)
        );
        assert_eq!(s.blocker(false, true).map(|b| b.0), None);
    }

    #[test]
    fn a_recaptcha_widget_on_the_signup_form_blocks_before_submitting() {
        let s = screen(
            r#"<form><input type=email name=email><input type=password name=password>
               <div class="g-recaptcha" data-sitekey="6Lc"></div><button>Sign up</button></form>"#,
        );
        let b = s.blocker(false, true).unwrap();
        assert_eq!(b.0, Outcome::Captcha);
    }
}
