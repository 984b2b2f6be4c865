//! What a link or button offers to do, read from its words the way a new user reads
//! them: start a signup, log in, book a demo, join a waitlist, continue, skip, create
//! the first thing in an empty app, accept or reject cookies, close a pop-up.
//!
//! This is the one home of link scoring. Phrase tables are normalized (see
//! [`crate::text`]) and cover English, German, French, Spanish and Portuguese.

use crate::artifacts::{Link, LinkLocation};
use crate::text::{has_phrase, normalize};

/// Phrases that start a signup, strongest first (scores 100 down to 70).
const SIGNUP: &[&str] = &[
    "start free",
    "start for free",
    "start free trial",
    "start your free trial",
    "start my free trial",
    "try it free",
    "try for free",
    "try free",
    "get started free",
    "get started for free",
    "get started",
    "sign up free",
    "sign up",
    "signup",
    "create account",
    "create an account",
    "create free account",
    "create your account",
    "join free",
    "join now",
    "register",
    "try it now",
    "get started it s free",
    "start now",
    "free trial",
    "try now",
    "kostenlos testen",
    "kostenlos starten",
    "jetzt starten",
    "jetzt registrieren",
    "kostenlos registrieren",
    "registrieren",
    "konto erstellen",
    "essai gratuit",
    "essayer gratuitement",
    "commencer gratuitement",
    "commencer",
    "s inscrire",
    "inscription",
    "creer un compte",
    "prueba gratis",
    "empieza gratis",
    "comenzar gratis",
    "registrate",
    "crear cuenta",
    "empezar",
    "teste gratis",
    "comece gratis",
    "comecar gratis",
    "criar conta",
    "cadastre se",
    "comecar",
];
/// Weaker: single verbs that start something on a marketing site.
const SIGNUP_WEAK: &[&str] = &["start", "try", "join", "get access"];
/// Paths signups usually live at: a link to one promises a signup, and the journey tries
/// them when no page links to a signup.
pub const SIGNUP_PATHS: [&str; 6] = [
    "/signup",
    "/sign-up",
    "/register",
    "/join",
    "/start",
    "/get-started",
];
const LOGIN: &[&str] = &[
    "log in",
    "login",
    "sign in",
    "signin",
    "anmelden",
    "einloggen",
    "se connecter",
    "connexion",
    "iniciar sesion",
    "entrar",
    "acessar",
];
const DEMO: &[&str] = &[
    "book a demo",
    "request a demo",
    "get a demo",
    "schedule a demo",
    "request demo",
    "book demo",
    "watch demo",
    "talk to sales",
    "contact sales",
    "talk to us",
    "get a quote",
    "demo anfordern",
    "demo vereinbaren",
    "demander une demo",
    "solicitar demo",
    "agendar demo",
];
const WAITLIST: &[&str] = &[
    "join the waitlist",
    "join waitlist",
    "join the wait list",
    "get early access",
    "request access",
    "request early access",
    "request an invite",
    "get on the list",
    "join the list",
    "warteliste",
    "liste d attente",
    "lista de espera",
];
const CONTINUE: &[&str] = &[
    "continue",
    "next",
    "next step",
    "save and continue",
    "save continue",
    "get started",
    "let s go",
    "lets go",
    "start",
    "done",
    "finish",
    "go to dashboard",
    "go to app",
    "take me to",
    "open",
    "weiter",
    "fortfahren",
    "continuer",
    "suivant",
    "continuar",
    "siguiente",
    "proximo",
    "avancar",
    "los geht s",
];
const SKIP: &[&str] = &[
    "skip",
    "skip for now",
    "skip this step",
    "not now",
    "maybe later",
    "later",
    "i ll do this later",
    "do it later",
    "no thanks",
    "uberspringen",
    "spater",
    "passer",
    "plus tard",
    "omitir",
    "saltar",
    "mas tarde",
    "pular",
    "mais tarde",
];
const CREATE: &[&str] = &[
    "create your first",
    "create first",
    "create a",
    "create",
    "new",
    "add your first",
    "add a",
    "add",
    "start a",
    "start your first",
    "send",
    "upload",
    "build your first",
    "make your first",
    "erstellen",
    "neu",
    "anlegen",
    "hinzufugen",
    "creer",
    "nouveau",
    "nouvelle",
    "ajouter",
    "crear",
    "nuevo",
    "nueva",
    "anadir",
    "agregar",
    "criar",
    "novo",
    "nova",
    "adicionar",
];
const REJECT_COOKIES: &[&str] = &[
    "reject all",
    "reject",
    "decline",
    "decline all",
    "deny",
    "necessary only",
    "only necessary",
    "use necessary cookies only",
    "essential only",
    "only essential",
    "refuse",
    "alle ablehnen",
    "ablehnen",
    "nur notwendige",
    "nur erforderliche",
    "tout refuser",
    "refuser",
    "continuer sans accepter",
    "rechazar",
    "rechazar todo",
    "solo necesarias",
    "rejeitar",
    "recusar",
];
const ACCEPT_COOKIES: &[&str] = &[
    "accept all",
    "accept",
    "allow all",
    "allow",
    "agree",
    "i agree",
    "ok",
    "got it",
    "understood",
    "alle akzeptieren",
    "akzeptieren",
    "zustimmen",
    "tout accepter",
    "accepter",
    "j accepte",
    "aceptar",
    "aceptar todo",
    "aceitar",
    "aceitar todos",
];
const CLOSE: &[&str] = &[
    "close",
    "dismiss",
    "no thanks",
    "x",
    "schliessen",
    "fermer",
    "cerrar",
    "fechar",
];

/// What a control offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Signup,
    Login,
    Demo,
    Waitlist,
}

fn first_match(text: &str, table: &[&'static str]) -> Option<(usize, &'static str)> {
    table
        .iter()
        .enumerate()
        .find(|(_, w)| has_phrase(text, w))
        .map(|(i, w)| (i, *w))
}

/// A scored call to action.
#[derive(Debug, Clone)]
pub struct Cta<'a> {
    pub link: &'a Link,
    pub intent: Intent,
    pub score: i32,
}

/// Scores one link for what it offers. Location matters as it does to a visitor: a
/// hero or header button is the product's main offer; a footer link is not.
pub fn score(link: &Link) -> Option<Cta<'_>> {
    let text = normalize(&link.text);
    if text.is_empty() || text.split(' ').count() > 8 {
        return None;
    }
    let path = link
        .href
        .as_deref()
        .and_then(|h| url::Url::parse(h).ok())
        .map(|u| u.path().to_ascii_lowercase())
        .unwrap_or_default();
    let (intent, base) = if let Some((_, _)) = first_match(&text, WAITLIST) {
        (Intent::Waitlist, 80)
    } else if let Some((rank, _)) = first_match(&text, SIGNUP) {
        (Intent::Signup, 100 - (rank as i32 / 6))
    } else if let Some((_, _)) = first_match(&text, LOGIN) {
        (Intent::Login, 30)
    } else if let Some((_, _)) = first_match(&text, DEMO) {
        (Intent::Demo, 25)
    } else if first_match(&text, SIGNUP_WEAK).is_some() && text.split(' ').count() <= 3 {
        (Intent::Signup, 55)
    } else {
        if SIGNUP_PATHS
            .iter()
            .chain(&["/trial"])
            .any(|p| path.starts_with(p))
        {
            (Intent::Signup, 50)
        } else {
            return None;
        }
    };
    let place = match link.location {
        LinkLocation::Hero => 15,
        LinkLocation::Nav => 10,
        LinkLocation::Main => 5,
        LinkLocation::Footer => -20,
    };
    Some(Cta {
        link,
        intent,
        score: base + place,
    })
}

/// The best call to action of each intent on a page, strongest first.
pub fn ranked(links: &[Link]) -> Vec<Cta<'_>> {
    let mut all: Vec<Cta> = links.iter().filter_map(score).collect();
    all.sort_by_key(|c| std::cmp::Reverse(c.score));
    all
}

/// The control to press to move on from an onboarding screen, and whether it skips.
pub fn continue_or_skip(links: &[Link]) -> Option<(&Link, bool)> {
    // "Continue with Google" is no way on: social sign-in is never taken.
    let buttons = || {
        links.iter().filter(|l| {
            l.location != LinkLocation::Footer
                && l.location != LinkLocation::Nav
                && !super::screen::is_sso(l)
        })
    };
    let exact = |table: &[&'static str]| {
        buttons().find(|l| {
            let t = normalize(&l.text);
            table
                .iter()
                .any(|w| t == *w || t.starts_with(&format!("{w} ")))
        })
    };
    if let Some(l) = exact(SKIP) {
        return Some((l, true));
    }
    exact(CONTINUE).map(|l| (l, false))
}

/// Whether a button's words say "skip".
pub fn is_skip(text: &str) -> bool {
    let t = normalize(text);
    SKIP.iter()
        .any(|w| t == *w || t.starts_with(&format!("{w} ")))
}

/// The empty state's create action: "Create your first board", "New note", "Add a client".
pub fn create_action(links: &[Link]) -> Option<&Link> {
    links
        .iter()
        .filter(|l| l.location != LinkLocation::Footer)
        .filter_map(|l| {
            let t = normalize(&l.text);
            if t.is_empty() || t.split(' ').count() > 6 {
                return None;
            }
            let (rank, _) = CREATE
                .iter()
                .enumerate()
                .find(|(_, w)| t == **w || t.starts_with(&format!("{w} ")))?;
            Some((rank, l))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, l)| l)
}

/// Whether a button's words create something.
pub fn creates(text: &str) -> bool {
    let t = normalize(text);
    CREATE
        .iter()
        .any(|w| t == *w || t.starts_with(&format!("{w} ")))
}

/// Which cookie-banner button a careful visitor presses: reject if offered, else accept.
pub fn cookie_choice(texts: &[String]) -> Option<usize> {
    let norm: Vec<String> = texts.iter().map(|t| normalize(t)).collect();
    let find = |table: &[&str]| {
        norm.iter().position(|t| {
            table
                .iter()
                .any(|w| t == w || t.starts_with(&format!("{w} ")))
        })
    };
    find(REJECT_COOKIES)
        .or_else(|| find(ACCEPT_COOKIES))
        .or_else(|| find(CLOSE))
}

/// The JavaScript twin of the tables above for banners, which are found in the page.
pub fn cookie_words_json() -> String {
    serde_json::json!({ "reject": REJECT_COOKIES, "accept": ACCEPT_COOKIES, "close": CLOSE })
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::LinkKind;

    fn link(text: &str, href: &str, location: LinkLocation) -> Link {
        Link {
            text: text.into(),
            href: if href.is_empty() {
                None
            } else {
                Some(format!("https://a.test{href}"))
            },
            kind: LinkKind::Link,
            location,
            selector: None,
        }
    }

    #[test]
    fn a_hero_start_free_beats_a_nav_log_in_and_a_demo() {
        let links = vec![
            link("Log in", "/login", LinkLocation::Nav),
            link("Book a demo", "/demo", LinkLocation::Hero),
            link("Start for free", "/signup", LinkLocation::Hero),
            link("Sign up", "/signup", LinkLocation::Footer),
        ];
        let r = ranked(&links);
        assert_eq!(r[0].link.text, "Start for free");
        assert_eq!(r[0].intent, Intent::Signup);
        assert_eq!(
            r.iter()
                .find(|c| c.intent == Intent::Login)
                .unwrap()
                .link
                .text,
            "Log in"
        );
    }

    #[test]
    fn other_languages_are_read() {
        for text in [
            "Kostenlos testen",
            "Essai gratuit",
            "Prueba gratis",
            "Comece grátis",
        ] {
            let l = link(text, "/x", LinkLocation::Hero);
            assert_eq!(score(&l).map(|c| c.intent), Some(Intent::Signup), "{text}");
        }
    }

    #[test]
    fn a_waitlist_is_not_a_signup() {
        let l = link("Join the waitlist", "/waitlist", LinkLocation::Hero);
        assert_eq!(score(&l).unwrap().intent, Intent::Waitlist);
    }

    #[test]
    fn skip_is_preferred_on_optional_screens() {
        let links = vec![
            link("Send invites", "", LinkLocation::Main),
            link("Skip for now", "/app", LinkLocation::Main),
        ];
        let (l, skip) = continue_or_skip(&links).unwrap();
        assert_eq!((l.text.as_str(), skip), ("Skip for now", true));
    }

    #[test]
    fn cookie_banners_are_rejected_when_they_allow_it() {
        let texts = vec![
            "Accept all".to_string(),
            "Reject all".to_string(),
            "Customize".to_string(),
        ];
        assert_eq!(cookie_choice(&texts), Some(1));
        assert_eq!(cookie_choice(&["Got it".to_string()]), Some(0));
    }
}
