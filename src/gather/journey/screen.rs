//! One screen of the journey as a new user sees it: its links and buttons, its forms,
//! its words — and the walls in it (blockers), each with the evidence that shows it.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::words::words;
use crate::artifacts::{Link, Outcome};
use crate::error::AuditError;
use crate::forms::{FieldType, FormKind, FormRegion};
use crate::gather::browser::Page;
use crate::gather::document::{visible_text, PageDocument};
use crate::text::{has_phrase, normalize};

/// A screen, read once.
pub struct Screen {
    pub url: Url,
    pub doc: PageDocument,
    pub forms: Vec<FormRegion>,
    /// Normalized text a person sees: the dialog's when a dialog blocks the page.
    pub text: String,
    /// CAPTCHA and payment widgets found in the markup: (what, selector-ish description).
    pub widgets: Vec<(Widget, String)>,
    /// How each clickable thing shows, by its selector (live pages only).
    pub looks: HashMap<String, Look>,
    /// The dialog that blocks the page behind it, if one does.
    pub layer: Option<Layer>,
    /// Normalised words of status, alert and toast regions ("Project created").
    pub notices: String,
    /// Items of the lists, tables and grids in the page's content (not its navigation).
    pub items: usize,
}

/// How a clickable thing shows on the live screen (all false/None on a saved page).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Look {
    /// It has a background of its own: a primary-looking button.
    pub filled: bool,
    pub bold: bool,
    /// Whether it is the topmost element at its centre (None when off-screen).
    pub topmost: Option<bool>,
    /// A `<div>` or card a person clicks although it is no button.
    pub pointer_only: bool,
    /// `x y width height` in viewport pixels when read.
    pub rect: Option<[f64; 4]>,
    /// The icon's name, for a control without words.
    pub icon: Option<String>,
    /// Normalised words of the card or section it sits in (its heading and text).
    pub context: String,
}

/// A dialog that blocks the page behind it: while it shows, it is the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Its heading, if it has one.
    pub heading: Option<String>,
    /// Selectors of the controls inside it.
    selectors: HashSet<String>,
}

static DEFAULT_LOOK: LazyLock<Look> = LazyLock::new(Look::default);

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

static NOTICES: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(
        r#"[role="status"], [role="alert"], [aria-live="polite"], [aria-live="assertive"], [class*="toast"], [class*="Toast"], [class*="snackbar"], [class*="notification"], [class*="flash"], .alert, .notice"#,
    )
    .expect("valid selector")
});
static ITEMS: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(r#"li, tbody tr, [role="row"], [role="listitem"], article"#)
        .expect("valid selector")
});

/// The words of status, alert and toast regions, and of short standalone texts such as
/// a "Saved" or "All changes saved" beside an editor's title.
fn notices_of(doc: &Html) -> String {
    static ANY: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("body *").expect("valid selector"));
    const INLINE: [&str; 8] = ["svg", "i", "img", "br", "b", "strong", "em", "small"];
    let mut out: Vec<String> = doc
        .select(&NOTICES)
        .filter(|e| crate::gather::document::is_visible(*e))
        .map(visible_text)
        .collect();
    for e in doc.select(&ANY) {
        let leaf = e
            .children()
            .filter_map(ElementRef::wrap)
            .all(|c| INLINE.contains(&c.value().name()));
        if !leaf || matches!(e.value().name(), "script" | "style" | "title" | "option") {
            continue;
        }
        let text = visible_text(e);
        if !text.is_empty()
            && text.split_whitespace().count() <= 6
            && crate::gather::document::is_visible(e)
        {
            out.push(text);
        }
    }
    normalize(&out.join(" "))
}

/// Whether an element sits in the page's chrome (navigation, sidebar, header, footer)
/// rather than its content.
fn in_chrome(e: ElementRef) -> bool {
    e.ancestors().filter_map(ElementRef::wrap).any(|a| {
        matches!(a.value().name(), "nav" | "aside" | "header" | "footer")
            || matches!(
                a.value().attr("role"),
                Some("navigation" | "complementary" | "banner" | "contentinfo" | "menu")
            )
    })
}

impl Screen {
    /// What the screen is about as its heading says: the blocking dialog's heading, else
    /// the page's first h1, else its first h2 (whitespace collapsed, at most 120 chars).
    pub fn heading(&self) -> Option<String> {
        fn first(list: &[String]) -> Option<&str> {
            list.iter().map(|h| h.trim()).find(|h| !h.is_empty())
        }
        let heading = match &self.layer {
            Some(layer) => layer.heading.as_deref().map(str::trim),
            None => first(&self.doc.h1).or_else(|| first(&self.doc.h2)),
        }?;
        let words = heading.split_whitespace().collect::<Vec<_>>().join(" ");
        (!words.is_empty()).then(|| words.chars().take(120).collect())
    }

    /// Reads the page as it is now (annotated live, so visibility is the browser's).
    pub fn read(page: &Page) -> Result<Screen, AuditError> {
        let started = std::time::Instant::now();
        page.evaluate::<u32>(crate::gather::live::ANNOTATOR)?;
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
        let (looks, layer, layer_text) = read_looks(&parsed);
        let text = normalize(layer_text.as_deref().unwrap_or(&doc.text));
        let notices = notices_of(&parsed);
        let items = parsed
            .select(&ITEMS)
            .filter(|e| crate::gather::document::is_visible(*e) && !in_chrome(*e))
            .count();
        Screen {
            url,
            doc,
            forms,
            text,
            widgets,
            looks,
            layer,
            notices,
            items,
        }
    }

    /// How `link` shows (a default look on saved pages and for unannotated links).
    pub fn look(&self, link: &Link) -> &Look {
        link.selector
            .as_ref()
            .and_then(|s| self.looks.get(s))
            .unwrap_or(&DEFAULT_LOOK)
    }

    /// Whether a person can reach `selector` now: anything, unless a dialog blocks the
    /// page, then only what is inside it.
    pub fn reachable(&self, selector: &str) -> bool {
        self.layer
            .as_ref()
            .is_none_or(|l| l.selectors.contains(selector))
    }

    /// The links and buttons a person can reach now, with how they show.
    pub fn controls(&self) -> Vec<(&Link, &Look)> {
        self.doc
            .links
            .iter()
            .filter(|l| {
                self.layer.is_none() || l.selector.as_deref().is_some_and(|s| self.reachable(s))
            })
            .map(|l| (l, self.look(l)))
            .collect()
    }

    /// The forms a person can reach now (inside the blocking dialog, if one shows).
    pub fn reachable_forms(&self) -> impl Iterator<Item = &FormRegion> {
        self.forms.iter().filter(|f| {
            self.layer.is_none()
                || f.fields
                    .iter()
                    .any(|x| x.visible && self.reachable(&x.selector))
                || f.submit
                    .as_ref()
                    .is_some_and(|b| self.reachable(&b.selector))
        })
    }

    /// The first reachable form of one of `kinds`, in the order given.
    pub fn form(&self, kinds: &[FormKind]) -> Option<&FormRegion> {
        kinds.iter().find_map(|k| {
            self.reachable_forms()
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
        let with_email = &words().onboarding.with_email;
        self.doc
            .links
            .iter()
            .find(|l| with_email.any_in(&normalize(&l.text)))
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
        if let Some((_, w)) = words().walls.on_the_list.first_in(&self.text) {
            return Some((Outcome::Waitlist, format!("the page says \"{w}\""), None));
        }
        if after_signup && signup_form.is_none() && self.form(&[FormKind::Login]).is_none() {
            if let Some((_, w)) = words().walls.check_inbox.first_in(&self.text) {
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

/// Reads the live annotator's marks: how each clickable thing shows, with the words of
/// the card it sits in, and the blocking dialog with its text.
fn read_looks(doc: &Html) -> (HashMap<String, Look>, Option<Layer>, Option<String>) {
    static MARKED: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("[data-plg-box]").expect("valid selector"));
    static LAYER: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse(r#"[data-plg-layer="modal"]"#).expect("valid selector"));
    static IDS: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("[data-plg-id]").expect("valid selector"));
    static HEADINGS: LazyLock<Selector> = LazyLock::new(|| {
        Selector::parse(r#"h1, h2, h3, h4, h5, h6, [role="heading"]"#).expect("valid selector")
    });
    let mut contexts: HashMap<NodeId, String> = HashMap::new();
    let mut looks = HashMap::new();
    for e in doc.select(&MARKED) {
        let v = e.value();
        let Some(id) = v.attr("data-plg-id") else {
            continue;
        };
        let rect = v.attr("data-plg-box").and_then(|b| {
            let n: Vec<f64> = b.split(' ').filter_map(|x| x.parse().ok()).collect();
            (n.len() == 4).then(|| [n[0], n[1], n[2], n[3]])
        });
        let look_words = v.attr("data-plg-look").unwrap_or("");
        looks.insert(
            format!("[data-plg-id=\"{id}\"]"),
            Look {
                filled: look_words.split(' ').any(|w| w == "filled"),
                bold: look_words.split(' ').any(|w| w == "bold"),
                topmost: v.attr("data-plg-top").map(|t| t == "1"),
                pointer_only: v.attr("data-plg-click").is_some(),
                rect,
                icon: v.attr("data-plg-icon").map(str::to_string),
                context: card_words(e, &HEADINGS, &mut contexts),
            },
        );
    }
    let Some(layer) = doc.select(&LAYER).next() else {
        return (looks, None, None);
    };
    let selectors = layer
        .select(&IDS)
        .filter_map(|e| e.value().attr("data-plg-id"))
        .map(|id| format!("[data-plg-id=\"{id}\"]"))
        .collect();
    let heading = layer
        .select(&HEADINGS)
        .map(visible_text)
        .find(|t| !t.is_empty());
    let text = visible_text(layer);
    (looks, Some(Layer { heading, selectors }), Some(text))
}

/// The words of the card or section a control sits in: the nearest ancestor (up to five
/// levels) that holds a heading or more words than the control itself.
fn card_words(e: ElementRef, headings: &Selector, cache: &mut HashMap<NodeId, String>) -> String {
    let own = visible_text(e).len();
    for a in e.ancestors().filter_map(ElementRef::wrap).take(5) {
        if matches!(
            a.value().name(),
            "body" | "html" | "main" | "nav" | "header" | "footer"
        ) {
            break;
        }
        if let Some(words) = cache.get(&a.id()) {
            return words.clone();
        }
        let text = visible_text(a);
        if a.select(headings).next().is_some() || text.len() > own + 40 {
            let cut: String = text.chars().take(400).collect();
            let words = normalize(&cut);
            cache.insert(a.id(), words.clone());
            return words;
        }
    }
    String::new()
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

/// Whether words on a refused submission speak of a CAPTCHA.
pub fn mentions_captcha(text: &str) -> bool {
    words().walls.captcha.any_in(&normalize(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(html: &str) -> Screen {
        Screen::from_html(html, Url::parse("https://app.test/signup").unwrap())
    }

    #[test]
    fn a_screen_is_named_by_its_dialog_then_its_h1_then_its_h2() {
        let page = r#"<header><h2>Tasklane</h2></header>
            <main><h1>  Tell us about
                 your team </h1><form><input name="team"></form></main>"#;
        assert_eq!(
            screen(page).heading().as_deref(),
            Some("Tell us about your team")
        );
        let dialog = format!(
            r#"{page}<div data-plg-layer="modal" role="dialog"><h2>Before you start</h2>
               <button>Accept</button></div>"#
        );
        assert_eq!(
            screen(&dialog).heading().as_deref(),
            Some("Before you start")
        );
        let no_h1 = r#"<h1> </h1><section><h2>Invite your teammates</h2></section>"#;
        assert_eq!(
            screen(no_h1).heading().as_deref(),
            Some("Invite your teammates")
        );
        assert_eq!(screen("<p>Welcome back</p>").heading(), None);
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
