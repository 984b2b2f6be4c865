//! The value moment, proven. A journey is `completed` only when something the new user
//! made exists and is shown: opening a dialog, switching views, navigating, creating the
//! account or answering onboarding questions never is.
//!
//! A [`Creation`] begins with the empty state's action (or an in-app form that makes
//! something) and remembers the screen it began on. Each later screen is compared with
//! that beginning ([`Creation::proof`]); the result counts when the dialog or form the
//! action opened is closed and one of these shows:
//!
//! - a name the user typed or the product pre-filled ("New Project #1") appears on the
//!   page more often than before;
//! - the new item's own page: the address gained an id (`/projects/3/data`,
//!   `/workflow/Xy12Ab9C`) after the creation was committed (Save pressed) or announced;
//! - a success notice ("Project created", "Saved") in a status, alert or toast region;
//! - the list that was empty shows an item (same view, the empty-state words gone).
//!
//! An editor that still says "0 words" or "unsaved" proves nothing.

use std::collections::HashSet;

use url::Url;

use super::screen::Screen;
use super::words::words;
use crate::text::normalize;

/// Something the user set out to make, from the action that began it.
#[derive(Debug, Clone)]
pub struct Creation {
    /// The words on the action that began it ("Create Project").
    pub action: String,
    before_url: Url,
    before_text: String,
    before_notices: String,
    before_items: usize,
    before_empty: bool,
    /// Names typed or pre-filled on the way (as typed, normalised), to recognise the result.
    names: Vec<(String, String)>,
    /// Its Save/Create/Done was pressed or its form submitted.
    pub committed: bool,
}

impl Creation {
    /// A creation beginning on `screen` with the action `action`.
    pub fn begin(action: &str, screen: &Screen) -> Creation {
        Creation {
            action: action.to_string(),
            before_url: screen.url.clone(),
            before_text: screen.text.clone(),
            before_notices: screen.notices.clone(),
            before_items: screen.items,
            before_empty: words().create.empty_state.any_in(&screen.text),
            names: Vec::new(),
            committed: false,
        }
    }

    /// Remembers a name typed or pre-filled for the new thing (short words are too common
    /// to recognise it by).
    pub fn name(&mut self, name: &str) {
        let n = normalize(name);
        if n.chars().count() >= 3 && !self.names.iter().any(|(_, x)| *x == n) {
            self.names.push((crate::text::collapse_whitespace(name), n));
        }
    }

    /// What on `now` proves the thing was made, in words; None while it is not.
    pub fn proof(&self, now: &Screen) -> Option<String> {
        let result = &words().result;
        if now.layer.is_some() {
            // A dialog still open is not done, unless it announces the result.
            return result
                .success
                .first_in(&now.notices)
                .filter(|_| self.committed && !self.before_notices.contains(&now.notices))
                .map(|(_, w)| format!("the dialog says \"{w}\""));
        }
        if result.unsaved.any_in(&now.text) {
            return None;
        }
        for (name, words) in &self.names {
            if count(&now.text, words) > count(&self.before_text, words) {
                return Some(format!("\"{name}\" is shown on {}", now.url));
            }
        }
        let announced = result
            .success
            .first_in(&now.notices)
            .filter(|_| result.success.first_in(&self.before_notices).is_none());
        if let Some((_, w)) = announced {
            return Some(format!("the page says \"{w}\" ({})", now.url));
        }
        if self.committed {
            if let Some(id) = new_id(&self.before_url, &now.url) {
                return Some(format!(
                    "the new item's own page opened ({id} in {})",
                    now.url
                ));
            }
        }
        let same_view = self.before_url.path() == now.url.path()
            && self.before_url.fragment() == now.url.fragment();
        if self.before_empty
            && same_view
            && now.items > self.before_items
            && !words().create.empty_state.any_in(&now.text)
        {
            return Some(format!(
                "the empty list now shows {} item(s) ({})",
                now.items, now.url
            ));
        }
        None
    }
}

/// Whole-word occurrences of `phrase` in `text` (both normalised).
fn count(text: &str, phrase: &str) -> usize {
    let padded = format!(" {text} ");
    padded.matches(&format!(" {phrase} ")).count()
}

/// A path (or hash-route) segment of `now` that names a new item: an id that was not in
/// `before` — digits, a UUID or a random-looking token with letters and digits.
fn new_id(before: &Url, now: &Url) -> Option<String> {
    let segments = |u: &Url| -> Vec<String> {
        let mut s: Vec<String> = u
            .path_segments()
            .map(|p| p.map(str::to_string).collect())
            .unwrap_or_default();
        if let Some(route) = u.fragment() {
            s.extend(route.split(['/', '?']).map(str::to_string));
        }
        s.retain(|x| !x.is_empty());
        s
    };
    let old: HashSet<String> = segments(before).into_iter().collect();
    let new = segments(now);
    if new.last().is_some_and(|last| {
        matches!(
            last.to_ascii_lowercase().as_str(),
            "new" | "create" | "draft" | "untitled"
        )
    }) {
        return None;
    }
    new.into_iter()
        .filter(|s| !old.contains(s))
        .find(|s| looks_like_id(s))
}

fn looks_like_id(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let letters = s.chars().filter(char::is_ascii_alphabetic).count();
    let allowed = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    allowed
        && ((digits == s.len() && !s.is_empty())
            || (s.len() >= 8 && digits > 0 && letters > 0)
            || (s.len() >= 20 && letters > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(url: &str, html: &str) -> Screen {
        Screen::from_html(html, Url::parse(url).unwrap())
    }

    const EMPTY: &str = r#"<main><h1>Projects</h1><div class="empty"><h3>No projects yet</h3>
        <button>Create Project</button></div></main>"#;

    #[test]
    fn the_typed_name_on_the_page_proves_it() {
        let mut c = Creation::begin("Create Project", &screen("https://a.test/projects/", EMPTY));
        c.name("Churn analysis");
        c.committed = true;
        let now = screen(
            "https://a.test/projects/3/data",
            "<main><h1>Churn analysis</h1><p>Import data to start</p></main>",
        );
        assert_eq!(
            c.proof(&now).as_deref(),
            Some("\"Churn analysis\" is shown on https://a.test/projects/3/data")
        );
    }

    #[test]
    fn a_dialog_still_open_proves_nothing() {
        let mut c = Creation::begin("Create Project", &screen("https://a.test/projects/", EMPTY));
        c.name("New Project #1");
        let now = screen(
            "https://a.test/projects/",
            r#"<main><h1>Projects</h1></main><div role="dialog" data-plg-layer="modal"><h2>Create Project</h2>
               <p>New Project #1</p><button>Save</button></div>"#,
        );
        assert_eq!(c.proof(&now), None);
    }

    #[test]
    fn an_empty_editor_proves_nothing() {
        let c = Creation::begin("New post", &screen("https://a.test/posts", EMPTY));
        let now = screen(
            "https://a.test/editor/post",
            "<main><div>Post title</div><footer>0 words</footer><button>Publish</button></main>",
        );
        assert_eq!(c.proof(&now), None);
    }

    #[test]
    fn a_new_id_in_the_address_after_saving_proves_it() {
        let mut c = Creation::begin(
            "Start from scratch",
            &screen(
                "https://a.test/workflow/new",
                "<main><button>Save</button></main>",
            ),
        );
        c.committed = true;
        let now = screen(
            "https://a.test/workflow/Xy12AbCdEf",
            "<main>My workflow</main>",
        );
        assert_eq!(
            c.proof(&now).as_deref(),
            Some(
                "the new item's own page opened (Xy12AbCdEf in https://a.test/workflow/Xy12AbCdEf)"
            )
        );
        // Before Save, the same address would prove nothing.
        c.committed = false;
        assert_eq!(c.proof(&now), None);
    }

    #[test]
    fn navigating_to_a_new_view_proves_nothing() {
        let c = Creation::begin("New chat", &screen("https://a.test/c/", EMPTY));
        let now = screen(
            "https://a.test/c/",
            "<main><h1>How can I help you today?</h1><textarea></textarea><button>Send</button></main>",
        );
        assert_eq!(c.proof(&now), None);
    }

    #[test]
    fn a_success_notice_proves_it() {
        let c = Creation::begin("Add client", &screen("https://a.test/clients", EMPTY));
        let now = screen(
            "https://a.test/clients",
            r#"<main><div role="status">Client added</div><ul><li>Acme</li></ul></main>"#,
        );
        assert_eq!(
            c.proof(&now).as_deref(),
            Some("the page says \"added\" (https://a.test/clients)")
        );
    }

    #[test]
    fn an_item_in_the_empty_list_proves_it() {
        let before = screen(
            "https://a.test/app",
            r#"<main><h2>No notes yet</h2><ul class="notes"></ul><button>New note</button></main>"#,
        );
        let c = Creation::begin("New note", &before);
        let now = screen(
            "https://a.test/app",
            r#"<main><h2>Notes</h2><ul class="notes"><li>Untitled note</li></ul><button>New note</button></main>"#,
        );
        assert_eq!(
            c.proof(&now).as_deref(),
            Some("the empty list now shows 1 item(s) (https://a.test/app)")
        );
    }

    #[test]
    fn ids_look_like_ids() {
        assert!(looks_like_id("3"));
        assert!(looks_like_id("Xy12AbCdEf"));
        assert!(looks_like_id("0b6c1a2e-5d4f-4e1b-9c3a-7f2d8e9a1b0c"));
        assert!(!looks_like_id("settings"));
        assert!(!looks_like_id("data"));
    }
}
