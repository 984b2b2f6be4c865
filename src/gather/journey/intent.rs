//! What a link or button offers to do, read from its words the way a new user reads
//! them: start a signup, log in, book a demo, join a waitlist, continue, skip, create
//! the first thing in an empty app, accept or reject cookies, close a pop-up.
//!
//! This is the one home of link scoring. The phrases are data, in
//! `checks/signals/journey.toml` ([`super::words`]), in English, German, French, Spanish,
//! Portuguese and a few more languages.

use super::words::{words, Phrases};
use crate::artifacts::{Link, LinkLocation};
use crate::text::normalize;

/// Paths signups usually live at: a link to one promises a signup, and the journey tries
/// them when no page links to a signup.
pub fn signup_paths() -> &'static [String] {
    &words().signup.paths
}

/// What a control offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Signup,
    Login,
    Demo,
    Waitlist,
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
    let w = words();
    let (intent, base) = if w.waitlist.phrases.any_in(&text) {
        (Intent::Waitlist, 80)
    } else if let Some((rank, _)) = w.signup.strong.first_in(&text) {
        (Intent::Signup, 100 - (rank as i32 / 6))
    } else if w.login.phrases.any_in(&text) {
        (Intent::Login, 30)
    } else if w.demo.phrases.any_in(&text) {
        (Intent::Demo, 25)
    } else if w.signup.weak.any_in(&text) && text.split(' ').count() <= 3 {
        (Intent::Signup, 55)
    } else if w
        .signup
        .paths
        .iter()
        .map(String::as_str)
        .chain(["/trial"])
        .any(|p| path.starts_with(p))
    {
        (Intent::Signup, 50)
    } else {
        return None;
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
pub fn continue_or_skip<'a>(links: &[&'a Link]) -> Option<(&'a Link, bool)> {
    // "Continue with Google" is no way on: social sign-in is never taken.
    let buttons = || {
        links.iter().copied().filter(|l| {
            l.location != LinkLocation::Footer
                && l.location != LinkLocation::Nav
                && !super::screen::is_sso(l)
        })
    };
    let leading = |table: &Phrases| buttons().find(|l| table.leads(&normalize(&l.text)).is_some());
    let w = &words().onboarding;
    if let Some(l) = leading(&w.skip) {
        return Some((l, true));
    }
    leading(&w.continue_).map(|l| (l, false))
}

/// Whether a button's words say "skip".
pub fn is_skip(text: &str) -> bool {
    words().onboarding.skip.leads(&normalize(text)).is_some()
}

/// Whether a control's words make something ("Create project", "Ersten Kunden anlegen",
/// "Launch your first site") — a verb anywhere, or "your first …".
pub fn creates(text: &str) -> bool {
    let t = normalize(text);
    let w = &words().create;
    !t.is_empty() && !w.never.any_in(&t) && (w.verbs.any_in(&t) || w.first.any_in(&t))
}

/// Icons that mean "make a new one".
const CREATE_ICONS: [&str; 8] = [
    "plus",
    "add",
    "new",
    "create",
    "circle plus",
    "square plus",
    "plus circle",
    "plus square",
];

/// A control of the screen as a person sees it: its words and where and how it shows.
pub type Seen<'a> = (&'a Link, &'a super::screen::Look);

/// The empty state's action, chosen the way a person sees it: the visually primary
/// button or link in the main content (filled, in an empty-state card, near "No projects
/// yet"), whose words make something — any verb, anywhere in the label, or "your first
/// …" — or whose icon is a "+". Navigation, settings, log out, upgrade, help and docs
/// never are. Returns the control and why it was chosen.
pub fn empty_state_action<'a>(controls: &[Seen<'a>]) -> Option<(&'a Link, String)> {
    let w = &words().create;
    let mut best: Option<(i32, &Link, String)> = None;
    for (link, look) in controls {
        if link.location == LinkLocation::Footer || super::screen::is_sso(link) {
            continue;
        }
        let t = normalize(&link.text);
        if t.is_empty() || t.split(' ').count() > 8 || w.never.any_in(&t) {
            continue;
        }
        let mut why = Vec::new();
        let mut score = 0;
        let icon = look
            .icon
            .as_deref()
            .map(normalize)
            .filter(|i| CREATE_ICONS.contains(&i.as_str()));
        let verb = w.verbs.first_in(&t).map(|(_, v)| v.to_string());
        let first = w.first.any_in(&t);
        if first {
            score += 40;
            why.push("says \"first\"".to_string());
        }
        if let Some(v) = &verb {
            score += 30;
            why.push(format!("a verb that makes something (\"{v}\")"));
        }
        if let Some(i) = &icon {
            score += 25;
            why.push(format!("a \"{i}\" icon"));
        }
        if look.filled {
            score += 20;
            why.push("a filled, primary-looking button".into());
        }
        if look.bold {
            score += 5;
        }
        let empty = w.empty_state.any_in(&look.context);
        if empty {
            score += 25;
            why.push("in an empty state".into());
        }
        score += match link.location {
            LinkLocation::Hero | LinkLocation::Main => 10,
            LinkLocation::Nav => -10,
            LinkLocation::Footer => -100,
        };
        let makes_something = first || verb.is_some() || icon.is_some();
        if !(makes_something || (look.filled && empty)) || score < 40 {
            continue;
        }
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, link, why.join(", ")));
        }
    }
    best.map(|(_, link, why)| (link, why))
}

/// The button that completes a dialog, a form or an editor the create action opened:
/// Save, Create, Done, OK, Confirm, Publish and their equivalents — the primary-looking
/// one when there are several — never Cancel or Close.
pub fn commit_button<'a>(controls: &[Seen<'a>]) -> Option<&'a Link> {
    let c = &words().commit;
    controls
        .iter()
        .filter(|(l, _)| l.location != LinkLocation::Footer && !super::screen::is_sso(l))
        .filter_map(|(l, look)| {
            let t = normalize(&l.text);
            if c.cancel.leads(&t).is_some() || words().create.never.any_in(&t) {
                return None;
            }
            let (rank, _) = c.words.leads(&t)?;
            // A filled button is the one the product wants pressed.
            let score = rank as i32 - if look.filled { 100 } else { 0 };
            Some((score, *l))
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, l)| l)
}

/// Which cookie-banner button a careful visitor presses: reject if offered, else accept.
pub fn cookie_choice(texts: &[String]) -> Option<usize> {
    let norm: Vec<String> = texts.iter().map(|t| normalize(t)).collect();
    let c = &words().consent;
    let find = |table: &Phrases| norm.iter().position(|t| table.leads(t).is_some());
    find(&c.reject)
        .or_else(|| find(&c.accept))
        .or_else(|| find(&c.close))
}

/// The consent words and platforms for the page-side banner finder.
pub fn consent_json() -> String {
    let c = &words().consent;
    serde_json::json!({
        "reject": c.reject.texts(),
        "accept": c.accept.texts(),
        "close": c.close.texts(),
        "topic": c.topic.texts(),
        "platforms": c.platforms,
        "max_text_chars": c.max_text_chars,
    })
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
        let links = [
            link("Send invites", "", LinkLocation::Main),
            link("Skip for now", "/app", LinkLocation::Main),
        ];
        let refs: Vec<&Link> = links.iter().collect();
        let (l, skip) = continue_or_skip(&refs).unwrap();
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
