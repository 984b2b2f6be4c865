//! What a page's HTML says, read once: title, headings, visible text, links and buttons
//! with where they sit, scripts, and the shape of its forms.
//!
//! The same reader serves HTML fetched over HTTP and HTML serialised from the browser
//! after rendering, so a page is understood the same way whichever way it arrived.
//! Selectors are compiled once per process.

use std::collections::HashSet;
use std::sync::LazyLock;

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node, Selector};
use url::Url;

use crate::artifacts::{Link, LinkKind, LinkLocation};
use crate::text::collapse_whitespace;

/// A page's HTML, reduced to what plg-audit reasons about.
#[derive(Debug, Clone, Default)]
pub struct PageDocument {
    pub title: String,
    pub h1: Vec<String>,
    pub h2: Vec<String>,
    /// Visible body text, whitespace-collapsed.
    pub text: String,
    pub links: Vec<Link>,
    pub scripts: Vec<String>,
    pub forms: FormShape,
}

/// Just enough about a page's inputs to tell a signup page from a login page.
/// (The full form model lives with the form filler.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormShape {
    pub password_inputs: usize,
    pub email_inputs: usize,
    pub text_inputs: usize,
    /// Texts of submit buttons, in order.
    pub submit_texts: Vec<String>,
}

macro_rules! selector {
    ($name:ident, $css:expr) => {
        static $name: LazyLock<Selector> =
            LazyLock::new(|| Selector::parse($css).expect("static selector is valid"));
    };
}

selector!(TITLE, "title");
selector!(OG_TITLE, r#"meta[property="og:title"]"#);
selector!(BASE, "base[href]");
selector!(H1, "h1");
selector!(H2, "h2");
selector!(BODY, "body");
selector!(
    CLICKABLE,
    r#"a[href], button, input[type="submit"], input[type="button"], [role="button"], [role="link"], [role="menuitem"], [data-plg-click]"#
);
selector!(SCRIPT_SRC, "script[src]");
selector!(INPUTS, "input, textarea");

/// Elements whose text a visitor never reads.
const INVISIBLE_TAGS: [&str; 7] = [
    "script", "style", "noscript", "template", "svg", "head", "iframe",
];

impl PageDocument {
    /// Reads `html`, resolving relative links against `url` (or the page's `<base href>`).
    pub fn parse(html: &str, url: &Url) -> PageDocument {
        let doc = Html::parse_document(html);
        let base = doc
            .select(&BASE)
            .next()
            .and_then(|b| b.value().attr("href"))
            .and_then(|href| url.join(href).ok())
            .unwrap_or_else(|| url.clone());

        let title = doc
            .select(&TITLE)
            .next()
            .map(|t| collapse_whitespace(&t.text().collect::<String>()))
            .filter(|t| !t.is_empty())
            .or_else(|| {
                doc.select(&OG_TITLE)
                    .next()
                    .and_then(|m| m.value().attr("content"))
                    .map(collapse_whitespace)
            })
            .unwrap_or_default();
        let headings = |sel: &Selector| -> Vec<String> {
            doc.select(sel)
                .filter(|e| is_visible(*e))
                .map(|e| visible_text(e))
                .filter(|t| !t.is_empty())
                .collect()
        };
        let h1 = headings(&H1);
        let h2 = headings(&H2);
        let text = doc
            .select(&BODY)
            .next()
            .map(visible_text)
            .unwrap_or_default();
        let hero = hero_container(&doc);
        let links = doc
            .select(&CLICKABLE)
            .filter(|e| is_visible(*e))
            .filter_map(|e| read_link(e, &base, hero))
            .collect();
        let scripts = doc
            .select(&SCRIPT_SRC)
            .filter_map(|s| s.value().attr("src"))
            .filter_map(|src| base.join(src).ok())
            .map(|u| u.to_string())
            .collect();
        PageDocument {
            title: if title.is_empty() {
                h1.first().cloned().unwrap_or_default()
            } else {
                title
            },
            h1,
            h2,
            text,
            links,
            scripts,
            forms: form_shape(&doc),
        }
    }

    /// Characters of visible text.
    pub fn text_chars(&self) -> usize {
        self.text.chars().count()
    }
}

/// Hidden by markup: the `hidden` attribute, aria-hidden, an inline display:none — or,
/// on an annotated live page, the browser's computed visibility.
fn hidden_by_markup(e: ElementRef) -> bool {
    let v = e.value();
    // Live pages carry the browser's computed answer (see gather::live).
    if v.attr("data-plg-visible") == Some("0") {
        return true;
    }
    if v.attr("hidden").is_some() || v.attr("aria-hidden") == Some("true") {
        return true;
    }
    if v.name() == "input"
        && v.attr("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("hidden"))
    {
        return true;
    }
    v.attr("style").is_some_and(|s| {
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

pub fn is_visible(e: ElementRef) -> bool {
    std::iter::once(e)
        .chain(e.ancestors().filter_map(ElementRef::wrap))
        .all(|a| !hidden_by_markup(a) && !INVISIBLE_TAGS.contains(&a.value().name()))
}

/// Visible text below `root`, skipping scripts, styles and hidden subtrees.
pub fn visible_text(root: ElementRef) -> String {
    let mut out = String::new();
    let mut stack = vec![*root];
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(t) => {
                out.push_str(t);
                out.push(' ');
            }
            Node::Element(el) => {
                let element = ElementRef::wrap(node).expect("element node");
                if INVISIBLE_TAGS.contains(&el.name()) || hidden_by_markup(element) {
                    continue;
                }
                // Children in reverse so the stack pops them in document order.
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev());
                if matches!(
                    el.name(),
                    "br" | "p" | "div" | "li" | "td" | "th" | "h1" | "h2" | "h3"
                ) {
                    out.push(' ');
                }
            }
            _ => {}
        }
    }
    collapse_whitespace(&out)
}

/// The text a visitor reads on a control, or its accessible name when it has none.
fn control_text(e: ElementRef) -> String {
    let v = e.value();
    if v.name() == "input" {
        return collapse_whitespace(v.attr("value").unwrap_or(""));
    }
    let text = visible_text(e);
    if !text.is_empty() {
        return text;
    }
    let alt = e
        .descendants()
        .filter_map(ElementRef::wrap)
        .find_map(|d| d.value().attr("alt").filter(|a| !a.trim().is_empty()));
    v.attr("aria-label")
        .or(v.attr("title"))
        .or(alt)
        .map(collapse_whitespace)
        .or_else(|| {
            // An icon-only control is read by its icon, as a person reads a "+".
            v.attr("data-plg-icon")
                .map(|icon| format!("{} (icon)", icon.replace(['-', '_'], " ")))
        })
        .unwrap_or_default()
}

fn read_link(e: ElementRef, base: &Url, hero: Option<NodeId>) -> Option<Link> {
    let v = e.value();
    let kind = if v.name() == "a" && v.attr("href").is_some() {
        LinkKind::Link
    } else {
        LinkKind::Button
    };
    let href = v
        .attr("href")
        .map(str::trim)
        .filter(|h| !h.is_empty() && !h.to_ascii_lowercase().starts_with("javascript:"))
        .and_then(|h| base.join(h).ok())
        .map(|mut u| {
            // "#/portal/" is a screen of a hash-routed app; "#pricing" only scrolls.
            if !u.fragment().is_some_and(is_route) {
                u.set_fragment(None);
            }
            u.to_string()
        });
    let text = control_text(e);
    if text.is_empty() && href.is_none() {
        return None;
    }
    Some(Link {
        text,
        href,
        kind,
        location: location_of(e, hero),
        selector: v
            .attr("data-plg-id")
            .map(|id| format!("[data-plg-id=\"{id}\"]")),
    })
}

/// Whether a URL fragment is a client-side route (`#/projects`, `#!/inbox`) rather than
/// an anchor on the page.
pub fn is_route(fragment: &str) -> bool {
    fragment.starts_with('/') || fragment.starts_with("!/")
}

fn has_role(e: ElementRef, role: &str) -> bool {
    e.value().attr("role") == Some(role)
}

/// Where a control sits: footer, then navigation, then the hero, then the site header
/// (which counts as navigation), else the main content.
fn location_of(e: ElementRef, hero: Option<NodeId>) -> LinkLocation {
    let ancestors: Vec<ElementRef> = e.ancestors().filter_map(ElementRef::wrap).collect();
    if ancestors
        .iter()
        .any(|a| a.value().name() == "footer" || has_role(*a, "contentinfo"))
    {
        return LinkLocation::Footer;
    }
    // An app's sidebar (`<aside>`) is its navigation.
    if ancestors.iter().any(|a| {
        matches!(a.value().name(), "nav" | "aside")
            || has_role(*a, "navigation")
            || has_role(*a, "complementary")
    }) {
        return LinkLocation::Nav;
    }
    if hero.is_some_and(|h| ancestors.iter().any(|a| a.id() == h)) {
        return LinkLocation::Hero;
    }
    let in_site_header = ancestors.iter().any(|a| {
        (a.value().name() == "header" || has_role(*a, "banner"))
            && !a
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|p| matches!(p.value().name(), "main" | "article" | "section"))
    });
    if in_site_header {
        LinkLocation::Nav
    } else {
        LinkLocation::Main
    }
}

/// The block holding the page's headline and its calls to action: the nearest ancestor
/// of the first visible h1 that contains a link or button, short of the whole page.
fn hero_container(doc: &Html) -> Option<NodeId> {
    let h1 = doc
        .select(&H1)
        .find(|h| is_visible(*h) && !visible_text(*h).is_empty())?;
    let mut candidate = h1.parent().and_then(ElementRef::wrap)?;
    loop {
        let name = candidate.value().name();
        if matches!(name, "body" | "html" | "main") {
            return None;
        }
        let holds_nav_or_footer = candidate
            .descendants()
            .filter_map(ElementRef::wrap)
            .any(|d| matches!(d.value().name(), "nav" | "footer"));
        if holds_nav_or_footer {
            return None;
        }
        if candidate.select(&CLICKABLE).next().is_some() {
            return Some(candidate.id());
        }
        candidate = candidate.parent().and_then(ElementRef::wrap)?;
    }
}

fn form_shape(doc: &Html) -> FormShape {
    let mut shape = FormShape::default();
    let mut seen_submit = HashSet::new();
    for input in doc.select(&INPUTS).filter(|e| is_visible(*e)) {
        let v = input.value();
        let kind = v.attr("type").unwrap_or("text").to_ascii_lowercase();
        match kind.as_str() {
            "password" => shape.password_inputs += 1,
            "email" => shape.email_inputs += 1,
            "text" | "tel" | "url" | "" => {
                let hint = format!(
                    "{} {} {}",
                    v.attr("name").unwrap_or(""),
                    v.attr("autocomplete").unwrap_or(""),
                    v.attr("placeholder").unwrap_or("")
                )
                .to_ascii_lowercase();
                if hint.contains("email") || hint.contains("e-mail") {
                    shape.email_inputs += 1;
                } else {
                    shape.text_inputs += 1;
                }
            }
            _ => {}
        }
    }
    for control in doc.select(&CLICKABLE).filter(|e| is_visible(*e)) {
        let v = control.value();
        let is_submit = match v.name() {
            "button" => v
                .attr("type")
                .is_none_or(|t| t.eq_ignore_ascii_case("submit")),
            "input" => v
                .attr("type")
                .is_some_and(|t| t.eq_ignore_ascii_case("submit")),
            _ => false,
        };
        if is_submit && seen_submit.insert(control.id()) {
            let text = control_text(control);
            if !text.is_empty() {
                shape.submit_texts.push(text);
            }
        }
    }
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(html: &str) -> PageDocument {
        PageDocument::parse(html, &Url::parse("https://acme.test/").unwrap())
    }

    const HOME: &str = r#"<!doctype html><html><head><title>Acme — Ship faster</title>
      <script src="/static/app.js"></script><script>window.x=1</script></head><body>
      <header class="top"><a href="/"><img src="/logo.svg" alt="Acme home"></a>
        <nav><a href="/pricing">Pricing</a><a href="/docs">Docs</a></nav>
        <a class="btn" href="/signup">Start free</a></header>
      <main><section class="hero"><div class="wrap"><h1>Ship faster</h1><p>Plan work.</p></div>
        <div class="ctas"><a href="/signup?plan=free">Get started</a><button>Watch video</button></div></section>
        <section><h2>Features</h2><p>Boards <span hidden>secret</span></p><a href="/integrations#slack">Slack and more</a></section></main>
      <footer><a href="/legal/privacy">Privacy</a><a href="javascript:void(0)">Cookie settings</a></footer>
      </body></html>"#;

    #[test]
    fn links_carry_text_absolute_href_and_location() {
        let d = parse(HOME);
        let summary: Vec<(String, Option<String>, LinkLocation)> = d
            .links
            .iter()
            .map(|l| (l.text.clone(), l.href.clone(), l.location))
            .collect();
        let s = |t: &str, h: Option<&str>, l| (t.to_string(), h.map(str::to_string), l);
        assert_eq!(
            summary,
            vec![
                s("Acme home", Some("https://acme.test/"), LinkLocation::Nav),
                s(
                    "Pricing",
                    Some("https://acme.test/pricing"),
                    LinkLocation::Nav
                ),
                s("Docs", Some("https://acme.test/docs"), LinkLocation::Nav),
                s(
                    "Start free",
                    Some("https://acme.test/signup"),
                    LinkLocation::Nav
                ),
                s(
                    "Get started",
                    Some("https://acme.test/signup?plan=free"),
                    LinkLocation::Hero
                ),
                s("Watch video", None, LinkLocation::Hero),
                s(
                    "Slack and more",
                    Some("https://acme.test/integrations"),
                    LinkLocation::Main
                ),
                s(
                    "Privacy",
                    Some("https://acme.test/legal/privacy"),
                    LinkLocation::Footer
                ),
                s("Cookie settings", None, LinkLocation::Footer),
            ]
        );
        assert_eq!(d.links[5].kind, LinkKind::Button);
    }

    #[test]
    fn visible_text_skips_scripts_and_hidden_elements() {
        let d = parse(HOME);
        assert!(d.text.contains("Plan work."));
        assert!(!d.text.contains("secret"));
        assert!(!d.text.contains("window.x"));
        assert_eq!(d.title, "Acme — Ship faster");
        assert_eq!(d.h1, vec!["Ship faster"]);
        assert_eq!(d.scripts, vec!["https://acme.test/static/app.js"]);
    }

    #[test]
    fn form_shape_counts_passwords_emails_and_submit_texts() {
        let d = parse(
            r#"<form><input type="email" name="email"><input name="user_email" type="text">
               <input type="password"><input type="hidden" name="csrf">
               <button>Create account</button><button type="button">Show</button></form>"#,
        );
        assert_eq!(
            d.forms,
            FormShape {
                password_inputs: 1,
                email_inputs: 2,
                text_inputs: 0,
                submit_texts: vec!["Create account".to_string()],
            }
        );
    }

    #[test]
    fn a_client_rendered_shell_has_almost_no_text() {
        let d = parse(
            r#"<html><head><title>Pixelcart</title></head><body><div id="root"></div>
               <noscript>You need to enable JavaScript to run this app.</noscript>
               <script src="/assets/app.js"></script></body></html>"#,
        );
        assert_eq!(d.text_chars(), 0);
        assert!(d.links.is_empty());
    }
}
