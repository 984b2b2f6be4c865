//! Growth mechanics: which loops a product uses to bring new users in — invites, share
//! links, embeds, "Powered by" badges, referrals, a template gallery, an integrations
//! directory, a public API, a community, a status page — each with the evidence a
//! consultant can click.
//!
//! Judged here, in `audit`, from saved artifacts only (the site's pages with their links
//! and saved HTML, the journey's screens), so a saved run can be judged again. The words
//! are data (`checks/signals/mechanics.toml`). Links to the product's own pages are
//! confirmed with discovery's visit of them rather than fetched again: a "Templates" link
//! answering 404 shows no gallery. What could not be checked is said in `notes`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use url::Url;

use super::SavedHtml;
use crate::artifacts::{Artifacts, LinkLocation, Outcome, PageArtifact, PageRole};
use crate::gather::document::PageDocument;
use crate::text::{collapse_whitespace, normalize};

const WORDS: &str = include_str!("../../checks/signals/mechanics.toml");

/// Evidence items kept per mechanic: enough to show, few enough to read.
const MAX_EVIDENCE: usize = 5;
/// A control's text (a link, a button, a label) has at most this many words…
const MAX_CONTROL_WORDS: usize = 6;
/// …and a heading at most this many.
const MAX_HEADING_WORDS: usize = 9;
/// Evidence texts are cut to this many characters.
const MAX_TEXT_CHARS: usize = 160;

/// A growth mechanic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanic {
    Invite,
    Share,
    Embed,
    PoweredBy,
    Referral,
    Templates,
    Integrations,
    ApiDocs,
    Community,
    StatusPage,
}

impl Mechanic {
    pub const ALL: [Mechanic; 10] = [
        Mechanic::Invite,
        Mechanic::Share,
        Mechanic::Embed,
        Mechanic::PoweredBy,
        Mechanic::Referral,
        Mechanic::Templates,
        Mechanic::Integrations,
        Mechanic::ApiDocs,
        Mechanic::Community,
        Mechanic::StatusPage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mechanic::Invite => "invite",
            Mechanic::Share => "share",
            Mechanic::Embed => "embed",
            Mechanic::PoweredBy => "powered_by",
            Mechanic::Referral => "referral",
            Mechanic::Templates => "templates",
            Mechanic::Integrations => "integrations",
            Mechanic::ApiDocs => "api_docs",
            Mechanic::Community => "community",
            Mechanic::StatusPage => "status_page",
        }
    }

    /// Seen in the app itself, so only a journey that reached it can show them.
    fn lives_in_the_app(self) -> bool {
        matches!(
            self,
            Mechanic::Invite | Mechanic::Share | Mechanic::Embed | Mechanic::PoweredBy
        )
    }

    pub fn title(self) -> &'static str {
        &words(self).title
    }
}

/// Where on the product evidence was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// The site's header and navigation.
    Nav,
    /// The site's footer.
    Footer,
    /// The body of a page of the public site.
    Page,
    /// A screen of the app, seen during the journey.
    App,
}

impl From<LinkLocation> for Place {
    fn from(l: LinkLocation) -> Place {
        match l {
            LinkLocation::Nav => Place::Nav,
            LinkLocation::Footer => Place::Footer,
            LinkLocation::Hero | LinkLocation::Main => Place::Page,
        }
    }
}

/// One thing that shows a mechanic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MechanicEvidence {
    /// Where it leads (a link's target) or where it was seen (the page or screen).
    pub url: String,
    /// The words a visitor reads: the link or button, the heading, the sentence, the page title.
    pub text: String,
    #[serde(rename = "where")]
    pub place: Place,
}

/// What the audit found about one mechanic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MechanicFinding {
    /// True when there is evidence; false when none was found (see `notes` for what could
    /// not be checked).
    pub present: bool,
    pub evidence: Vec<MechanicEvidence>,
    /// What was not counted and why (a link answering 404, a page not visited, an app the
    /// journey never reached).
    pub notes: Vec<String>,
}

/// Every mechanic, in the order of [`Mechanic::ALL`].
pub type Mechanics = BTreeMap<Mechanic, MechanicFinding>;

/// The words of one mechanic (see the data file's header).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MechanicWords {
    title: String,
    #[serde(default)]
    controls: Vec<String>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    ignore_hosts: Vec<String>,
    #[serde(default)]
    role: Option<PageRole>,
    #[serde(default)]
    badges: Vec<String>,
    #[serde(default)]
    not_after: Vec<String>,
    /// `phrases` and `not_after` padded with spaces, for whole-word search.
    #[serde(skip)]
    padded_phrases: Vec<String>,
    #[serde(skip)]
    padded_not_after: Vec<String>,
}

impl MechanicWords {
    fn compiled(mut self) -> MechanicWords {
        let pad = |w: &String| format!(" {w} ");
        self.padded_phrases = self.phrases.iter().map(pad).collect();
        self.padded_not_after = self.not_after.iter().map(pad).collect();
        self
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WordFile {
    invite: MechanicWords,
    share: MechanicWords,
    embed: MechanicWords,
    powered_by: MechanicWords,
    referral: MechanicWords,
    templates: MechanicWords,
    integrations: MechanicWords,
    api_docs: MechanicWords,
    community: MechanicWords,
    status_page: MechanicWords,
}

static TABLE: LazyLock<HashMap<Mechanic, MechanicWords>> = LazyLock::new(|| {
    // The file is compiled in and checked by the unit tests; should it ever not parse,
    // no mechanic is recognised rather than the audit failing.
    let file: Option<WordFile> = toml::from_str(WORDS)
        .map_err(|e| tracing::error!("checks/signals/mechanics.toml: {e}"))
        .ok();
    let Some(f) = file else {
        return HashMap::new();
    };
    HashMap::from([
        (Mechanic::Invite, f.invite.compiled()),
        (Mechanic::Share, f.share.compiled()),
        (Mechanic::Embed, f.embed.compiled()),
        (Mechanic::PoweredBy, f.powered_by.compiled()),
        (Mechanic::Referral, f.referral.compiled()),
        (Mechanic::Templates, f.templates.compiled()),
        (Mechanic::Integrations, f.integrations.compiled()),
        (Mechanic::ApiDocs, f.api_docs.compiled()),
        (Mechanic::Community, f.community.compiled()),
        (Mechanic::StatusPage, f.status_page.compiled()),
    ])
});

static EMPTY: LazyLock<MechanicWords> = LazyLock::new(MechanicWords::default);

fn words(m: Mechanic) -> &'static MechanicWords {
    TABLE.get(&m).unwrap_or(&EMPTY)
}

/// Judges every mechanic from the artifacts; `saved` reads the HTML files they name.
pub fn detect(artifacts: &Artifacts, saved: SavedHtml<'_>) -> Mechanics {
    let site = SiteView::new(artifacts);
    let mut found: Mechanics = Mechanic::ALL
        .iter()
        .map(|m| (*m, MechanicFinding::default()))
        .collect();
    let mut add = |m: Mechanic, e: MechanicEvidence| {
        if let Some(f) = found.get_mut(&m) {
            if !f.evidence.contains(&e) {
                f.evidence.push(e);
            }
        }
    };
    let mut notes: BTreeMap<Mechanic, Vec<String>> = BTreeMap::new();

    // 1. Pages discovery gave the mechanic's own role.
    for page in artifacts.pages.iter().filter(|p| p.status < 400) {
        for m in Mechanic::ALL {
            if words(m).role == Some(page.role) {
                add(
                    m,
                    MechanicEvidence {
                        url: page.url.clone(),
                        text: page_title(page),
                        place: Place::Page,
                    },
                );
            }
        }
    }

    // 2. The public site: links, then texts.
    for page in &artifacts.pages {
        let readable = page.status < 400 && !matches!(page.role, PageRole::Legal);
        if !readable {
            continue;
        }
        // A blog post's own links are its story, not the product's; its menus still count.
        let links = page.links.iter().filter(|l| {
            page.role != PageRole::Blog
                || matches!(l.location, LinkLocation::Nav | LinkLocation::Footer)
        });
        for link in links {
            for m in Mechanic::ALL {
                match site.judge_link(m, link, &page.url, false) {
                    LinkVerdict::Evidence(url) => add(
                        m,
                        MechanicEvidence {
                            url,
                            text: cut(&link.text),
                            place: link.location.into(),
                        },
                    ),
                    LinkVerdict::Unconfirmed(note) => push_note(&mut notes, m, note),
                    LinkVerdict::Nothing => {}
                }
            }
        }
        if page.role == PageRole::Blog {
            continue;
        }
        let Some(html) = page.html_file.as_deref().and_then(saved) else {
            continue;
        };
        // Links were judged above (with their targets); a gallery, directory or API
        // reference is shown by its page, not by words about it.
        for block in PageDocument::text_blocks(&html)
            .into_iter()
            .filter(|b| !b.control)
        {
            // On the public site a bare word counts only as a heading ("Templates");
            // elsewhere a sentence must use a phrase.
            for sentence in sentences(&block.text) {
                for m in block_mechanics(sentence, block.heading, false, &site.badges)
                    .into_iter()
                    .filter(|m| words(*m).role.is_none())
                {
                    add(
                        m,
                        MechanicEvidence {
                            url: page.url.clone(),
                            text: cut(sentence),
                            place: block.location.into(),
                        },
                    );
                }
            }
        }
    }

    // 3. The app, as the journey saw it (screens that are not pages of the public site).
    if let Some(journey) = &artifacts.journey {
        for step in &journey.steps {
            let Ok(url) = Url::parse(&step.url_after) else {
                continue;
            };
            if site.visited(&url).is_some() {
                continue;
            }
            let Some(html) = step.html_file.as_deref().and_then(saved) else {
                continue;
            };
            let doc = PageDocument::parse(&html, &url);
            for link in &doc.links {
                for m in Mechanic::ALL {
                    if let LinkVerdict::Evidence(target) =
                        site.judge_link(m, link, &step.url_after, true)
                    {
                        add(
                            m,
                            MechanicEvidence {
                                url: target,
                                text: cut(&link.text),
                                place: Place::App,
                            },
                        );
                    }
                }
            }
            for block in PageDocument::text_blocks(&html)
                .into_iter()
                .filter(|b| !b.control)
            {
                for sentence in sentences(&block.text) {
                    for m in block_mechanics(sentence, block.heading, true, &site.badges) {
                        add(
                            m,
                            MechanicEvidence {
                                url: step.url_after.clone(),
                                text: cut(sentence),
                                place: Place::App,
                            },
                        );
                    }
                }
            }
        }
    }

    for (m, finding) in found.iter_mut() {
        finding.evidence = pick_evidence(std::mem::take(&mut finding.evidence));
        finding.present = !finding.evidence.is_empty();
        if finding.present {
            continue;
        }
        finding.notes = notes.remove(m).unwrap_or_default();
        if m.lives_in_the_app() {
            if let Some(note) = app_not_seen(artifacts) {
                finding.notes.push(note);
            }
        }
        if *m == Mechanic::PoweredBy && site.product_name.is_none() {
            finding.notes.push(
                "the product's name could not be read from its home page, so \"Powered by …\" badges were not looked for".into(),
            );
        }
    }
    found
}

/// Why the app could not show a mechanic, when the journey never got there.
fn app_not_seen(artifacts: &Artifacts) -> Option<String> {
    match &artifacts.journey {
        None => Some("the signup journey was not walked, so the app was not seen".into()),
        Some(j) if j.outcome != Outcome::Completed => Some(format!(
            "the signup journey ended {} before the app's first value, so the app could not be checked in full",
            j.outcome.as_str()
        )),
        Some(_) => None,
    }
}

fn push_note(notes: &mut BTreeMap<Mechanic, Vec<String>>, m: Mechanic, note: String) {
    let list = notes.entry(m).or_default();
    if !list.contains(&note) {
        list.push(note);
    }
}

/// Evidence to show, strongest place first (the app, then the site's menus, then its
/// pages): the first of each place, then the rest in order, up to the cap.
fn pick_evidence(mut all: Vec<MechanicEvidence>) -> Vec<MechanicEvidence> {
    let rank = |p: Place| match p {
        Place::App => 0,
        Place::Nav => 1,
        Place::Footer => 2,
        Place::Page => 3,
    };
    all.sort_by_key(|e| rank(e.place));
    let mut chosen: Vec<MechanicEvidence> = Vec::new();
    let mut places = HashSet::new();
    for e in &all {
        if places.insert(e.place) {
            chosen.push(e.clone());
        }
    }
    for e in all {
        if chosen.len() >= MAX_EVIDENCE {
            break;
        }
        if !chosen.contains(&e) {
            chosen.push(e);
        }
    }
    chosen.truncate(MAX_EVIDENCE);
    chosen.sort_by_key(|e| rank(e.place));
    chosen
}

/// The mechanics a block of text shows (see [`names`]); `labels` lets a short text that
/// is no heading count as a control (in the app, a label or a menu entry).
fn block_mechanics(text: &str, heading: bool, labels: bool, badges: &[String]) -> Vec<Mechanic> {
    let said = Said::new(text);
    Mechanic::ALL
        .into_iter()
        .filter(|m| names(*m, &said, heading || labels, heading, badges))
        .collect()
}

/// Text made comparable once: normalized, and padded with spaces for whole-word search.
struct Said {
    norm: String,
    padded: String,
    words: usize,
}

impl Said {
    fn new(text: &str) -> Said {
        let norm = normalize(text);
        Said {
            padded: format!(" {norm} "),
            words: norm.split(' ').filter(|w| !w.is_empty()).count(),
            norm,
        }
    }
}

/// Whether text names mechanic `m`: as a control (when `control` — a link, a button, a
/// heading — is short and starts or ends with the words: "Invite members", "Browse
/// templates"), by a phrase anywhere, or — for "Powered by" — one of `badges` (the badge
/// words followed by the product's own name, padded).
fn names(m: Mechanic, said: &Said, control: bool, heading: bool, badges: &[String]) -> bool {
    let w = words(m);
    let limit = if heading {
        MAX_HEADING_WORDS
    } else {
        MAX_CONTROL_WORDS
    };
    let norm = said.norm.as_str();
    let as_control = control
        && said.words <= limit
        && w.controls.iter().any(|c| {
            norm == c
                || (norm.starts_with(c.as_str()) && norm[c.len()..].starts_with(' '))
                || (norm.ends_with(c.as_str()) && norm[..norm.len() - c.len()].ends_with(' '))
        });
    let as_phrase = w
        .padded_phrases
        .iter()
        .any(|p| says(&said.padded, p, &w.padded_not_after));
    let as_badge =
        m == Mechanic::PoweredBy && badges.iter().any(|b| said.padded.contains(b.as_str()));
    as_control || as_phrase || as_badge
}

/// Whether `padded` text contains the padded `phrase`, not right after one of the padded
/// `not_after` words ("we'll invite your team" is the product inviting, not its users).
fn says(padded: &str, phrase: &str, not_after: &[String]) -> bool {
    padded.match_indices(phrase).any(|(i, _)| {
        // Up to and including the space that starts the phrase.
        let before = &padded[..=i];
        !not_after.iter().any(|w| before.ends_with(w.as_str()))
    })
}

/// A long text's sentences (so evidence quotes the sentence that says it); a short text
/// as it is.
fn sentences(text: &str) -> Vec<&str> {
    if text.chars().count() <= MAX_TEXT_CHARS {
        return vec![text];
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends = matches!(c, '.' | '!' | '?' | ';')
            && chars.peek().is_some_and(|(_, next)| next.is_whitespace());
        if ends {
            out.push(text[start..=i].trim());
            start = i + c.len_utf8();
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// "Template gallery" → "template gallery", "Public API reference" → "public API reference".
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn cut(text: &str) -> String {
    let t = collapse_whitespace(text);
    if t.chars().count() <= MAX_TEXT_CHARS {
        return t;
    }
    let mut s: String = t.chars().take(MAX_TEXT_CHARS - 1).collect();
    s.push('…');
    s
}

fn page_title(page: &PageArtifact) -> String {
    if page.title.is_empty() {
        page.url.clone()
    } else {
        cut(&page.title)
    }
}

/// What a link says about a mechanic.
enum LinkVerdict {
    Nothing,
    /// It shows the mechanic; the URL to cite.
    Evidence(String),
    /// It names the mechanic but could not be confirmed: why.
    Unconfirmed(String),
}

/// The site as discovery saw it: which pages were visited and how they answered.
struct SiteView<'a> {
    home_host: Option<String>,
    /// Page key → the page visited under it (its final URL or the one requested).
    pages: HashMap<String, &'a PageArtifact>,
    /// The product's name, normalized, as its home page titles it.
    product_name: Option<String>,
    /// "Powered by <product>" and its kin, padded for whole-word search.
    badges: Vec<String>,
}

impl<'a> SiteView<'a> {
    fn new(artifacts: &'a Artifacts) -> SiteView<'a> {
        let mut pages = HashMap::new();
        for p in &artifacts.pages {
            for u in std::iter::once(&p.url).chain(p.requested_url.as_ref()) {
                if let Ok(url) = Url::parse(u) {
                    pages.entry(page_key(&url)).or_insert(p);
                }
            }
        }
        let home_url = artifacts
            .home_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok());
        let product_name = product_name(artifacts, home_url.as_ref());
        let badges = product_name
            .iter()
            .flat_map(|name| {
                words(Mechanic::PoweredBy)
                    .badges
                    .iter()
                    .map(move |b| format!(" {b} {name} "))
            })
            .collect();
        SiteView {
            home_host: home_url
                .as_ref()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase)),
            pages,
            product_name,
            badges,
        }
    }

    fn visited(&self, url: &Url) -> Option<&'a PageArtifact> {
        self.pages.get(&page_key(url)).copied()
    }

    /// Whether `link` shows mechanic `m`, and how sure that is. Links to the product's own
    /// pages need discovery's visit to confirm them, except in the app (`in_app`), whose
    /// screens themselves are the evidence.
    fn judge_link(
        &self,
        m: Mechanic,
        link: &crate::artifacts::Link,
        page_url: &str,
        in_app: bool,
    ) -> LinkVerdict {
        let w = words(m);
        let by_text = names(m, &Said::new(&link.text), true, false, &self.badges);
        let target = link.href.as_deref().and_then(|h| Url::parse(h).ok());
        let Some(target) = target.filter(|t| matches!(t.scheme(), "http" | "https")) else {
            // A button, or a mailto:/javascript: link: its words are the evidence.
            return if by_text && link.href.is_none() {
                LinkVerdict::Evidence(page_url.to_string())
            } else {
                LinkVerdict::Nothing
            };
        };
        let host = target.host_str().unwrap_or_default().to_ascii_lowercase();
        if w.ignore_hosts.iter().any(|h| host_matches(&host, h)) {
            return LinkVerdict::Nothing;
        }
        let by_host = w.hosts.iter().any(|h| host_matches(&host, h));
        let by_path = target
            .path_segments()
            .into_iter()
            .flatten()
            .any(|s| w.paths.iter().any(|p| s.eq_ignore_ascii_case(p)));
        if !(by_text || by_host || by_path) {
            return LinkVerdict::Nothing;
        }
        let url = target.to_string();
        let said = format!("the link \"{}\" → {url}", cut(&link.text));
        match self.visited(&target) {
            Some(p) if p.status >= 400 => LinkVerdict::Unconfirmed(format!(
                "{said} answered HTTP {}, so it was not counted",
                p.status
            )),
            Some(p) if matches!(p.role, PageRole::Login | PageRole::Signup) => {
                LinkVerdict::Unconfirmed(format!(
                    "{said} leads to the {} page, so it was not counted",
                    p.role
                ))
            }
            // A gallery, directory or reference is a page of its own kind, not a section
            // of another page (`/#templates`).
            Some(p) if w.role.is_some_and(|r| r != p.role) => LinkVerdict::Unconfirmed(format!(
                "{said} leads to a page read as {}, not a {}, so it was not counted",
                p.role,
                lowercase_first(&w.title)
            )),
            Some(_) => LinkVerdict::Evidence(url),
            None if in_app || self.home_host.as_deref() != Some(host.as_str()) => {
                // Another host (a status page, a forum) is taken at its word: it is not
                // the product's page to visit.
                LinkVerdict::Evidence(url)
            }
            None => LinkVerdict::Unconfirmed(format!(
                "{said} was not visited (the page budget, --max-pages, ran out first), so it is unconfirmed"
            )),
        }
    }
}

/// `entry` matches `host` itself or a subdomain; an entry ending in "." is a host prefix.
fn host_matches(host: &str, entry: &str) -> bool {
    if entry.ends_with('.') {
        return host.starts_with(entry);
    }
    host == entry || host.ends_with(&format!(".{entry}"))
}

/// Pages are the same when they differ only in query, fragment or a trailing slash.
fn page_key(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    u.set_query(None);
    let s = u.to_string();
    s.strip_suffix('/').map(str::to_string).unwrap_or(s)
}

/// The product's name, normalized: the home page title's first part ("Tasklane —
/// Task tracking for teams" → "tasklane") when it is short, else the site's domain name
/// ("notebloom" for www.notebloom.com); None when neither reads as a name.
fn product_name(artifacts: &Artifacts, home: Option<&Url>) -> Option<String> {
    let title = artifacts
        .pages
        .iter()
        .find(|p| p.role == PageRole::Home)
        .map(|p| p.title.as_str())
        .unwrap_or_default();
    let first = title
        .split(['—', '–', '|', ':', '·', '•'])
        .flat_map(|part| part.split(" - "))
        .next()
        .map(normalize)
        .unwrap_or_default();
    let words = first.split(' ').filter(|w| !w.is_empty()).count();
    if (1..=3).contains(&words) {
        return Some(first);
    }
    let host = home?.host_str()?;
    if host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let name = labels.len().checked_sub(2).and_then(|i| labels.get(i))?;
    Some(normalize(name)).filter(|n| n.len() >= 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{JourneyArtifact, Link, LinkKind, StepAction, StepRecord};

    fn page(url: &str, role: PageRole, status: u16, title: &str, links: Vec<Link>) -> PageArtifact {
        PageArtifact {
            url: url.into(),
            requested_url: None,
            role,
            roles: vec![role],
            role_reason: String::new(),
            status,
            title: title.into(),
            rendered: false,
            text_chars: 0,
            links,
            scripts: Vec::new(),
            requests: Vec::new(),
            html_file: Some(format!(
                "{}.html",
                url.trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or("home")
            )),
            screenshot: None,
            load_ms: 0,
            settle_ms: None,
            globals: Vec::new(),
            content_type: None,
        }
    }

    fn link(text: &str, href: Option<&str>, location: LinkLocation) -> Link {
        Link {
            text: text.into(),
            href: href.map(str::to_string),
            kind: if href.is_some() {
                LinkKind::Link
            } else {
                LinkKind::Button
            },
            location,
            selector: None,
        }
    }

    fn artifacts(pages: Vec<PageArtifact>) -> Artifacts {
        Artifacts {
            target: "https://acme.test/".into(),
            home_url: Some("https://acme.test/".into()),
            pages,
            ..Artifacts::default()
        }
    }

    fn no_html(_: &str) -> Option<String> {
        None
    }

    fn present(found: &Mechanics) -> Vec<&'static str> {
        found
            .iter()
            .filter(|(_, f)| f.present)
            .map(|(m, _)| m.as_str())
            .collect()
    }

    #[test]
    fn the_word_file_parses_and_names_every_mechanic() {
        let file: WordFile = toml::from_str(WORDS).expect("mechanics.toml is valid");
        assert_eq!(file.templates.role, Some(PageRole::Templates));
        for m in Mechanic::ALL {
            let w = words(m);
            assert!(!w.title.is_empty(), "{m:?} has a title");
            assert!(
                !(w.controls.is_empty() && w.phrases.is_empty()),
                "{m:?} has words"
            );
            for word in w.controls.iter().chain(&w.phrases).chain(&w.badges) {
                assert_eq!(&normalize(word), word, "{m:?}: write \"{word}\" normalized");
            }
        }
    }

    #[test]
    fn a_templates_link_that_answers_404_is_no_gallery() {
        let a = artifacts(vec![
            page(
                "https://acme.test/",
                PageRole::Home,
                200,
                "Acme — Boards",
                vec![link(
                    "Templates",
                    Some("https://acme.test/templates"),
                    LinkLocation::Footer,
                )],
            ),
            page(
                "https://acme.test/templates",
                PageRole::Other,
                404,
                "Not found",
                vec![],
            ),
        ]);
        let found = detect(&a, &no_html);
        let t = &found[&Mechanic::Templates];
        assert!(!t.present);
        assert_eq!(
            t.notes,
            vec!["the link \"Templates\" → https://acme.test/templates answered HTTP 404, so it was not counted"]
        );
    }

    #[test]
    fn a_gallery_page_and_the_link_to_it_are_the_evidence() {
        let a = artifacts(vec![
            page(
                "https://acme.test/",
                PageRole::Home,
                200,
                "Acme — Boards",
                vec![link(
                    "Templates",
                    Some("https://acme.test/templates"),
                    LinkLocation::Nav,
                )],
            ),
            page(
                "https://acme.test/templates",
                PageRole::Templates,
                200,
                "Board templates",
                vec![],
            ),
        ]);
        let found = detect(&a, &no_html);
        assert_eq!(present(&found), vec!["templates"]);
        assert_eq!(
            found[&Mechanic::Templates].evidence,
            vec![
                MechanicEvidence {
                    url: "https://acme.test/templates".into(),
                    text: "Templates".into(),
                    place: Place::Nav
                },
                MechanicEvidence {
                    url: "https://acme.test/templates".into(),
                    text: "Board templates".into(),
                    place: Place::Page
                },
            ]
        );
    }

    #[test]
    fn an_own_link_not_visited_is_unconfirmed_but_another_host_is_taken_at_its_word() {
        let a = artifacts(vec![page(
            "https://acme.test/",
            PageRole::Home,
            200,
            "Acme",
            vec![
                link(
                    "Community",
                    Some("https://acme.test/community"),
                    LinkLocation::Footer,
                ),
                link(
                    "Status",
                    Some("https://status.acme.test/"),
                    LinkLocation::Footer,
                ),
                link(
                    "Share on X",
                    Some("https://x.com/intent/post?url=acme"),
                    LinkLocation::Footer,
                ),
            ],
        )]);
        let found = detect(&a, &no_html);
        assert_eq!(present(&found), vec!["status_page"]);
        assert_eq!(
            found[&Mechanic::Community].notes,
            vec!["the link \"Community\" → https://acme.test/community was not visited (the page budget, --max-pages, ran out first), so it is unconfirmed"]
        );
        assert!(found[&Mechanic::Share]
            .notes
            .iter()
            .all(|n| !n.contains("x.com")));
    }

    #[test]
    fn powered_by_needs_the_products_own_name() {
        let html = |_: &str| -> Option<String> {
            Some(
                r#"<html><body><main><p>Payments powered by Stripe</p>
                   <div class="badge">Made with <strong>Acme</strong></div></main></body></html>"#
                    .into(),
            )
        };
        let a = artifacts(vec![page(
            "https://acme.test/",
            PageRole::Home,
            200,
            "Acme | Forms people finish",
            vec![],
        )]);
        let found = detect(&a, &html);
        let p = &found[&Mechanic::PoweredBy];
        assert!(p.present);
        assert_eq!(
            p.evidence
                .iter()
                .map(|e| e.text.as_str())
                .collect::<Vec<_>>(),
            vec!["Made with Acme"]
        );
    }

    #[test]
    fn the_apps_own_buttons_count_where_the_journey_saw_them() {
        let mut a = artifacts(vec![page(
            "https://acme.test/",
            PageRole::Home,
            200,
            "Acme",
            vec![],
        )]);
        a.journey = Some(JourneyArtifact {
            outcome: Outcome::Completed,
            reason: String::new(),
            entry: None,
            sso_providers: Vec::new(),
            steps: vec![StepRecord {
                n: 1,
                screen: None,
                action: StepAction::Submit,
                label: String::new(),
                url_before: String::new(),
                url_after: "https://acme.test/app".into(),
                fields: Default::default(),
                inputs: Vec::new(),
                ms: 0,
                screenshot: None,
                notes: Vec::new(),
                filled: Vec::new(),
                html_file: Some("pages/journey-01.html".into()),
                globals: Vec::new(),
            }],
            reached_value: true,
            blocker: None,
            email: String::new(),
            offered: Vec::new(),
            would_submit: None,
            overlay_ms: 0,
            navigation_ms: 0,
            requests: Vec::new(),
            value: None,
            prechecked_opt_in: None,
            empty_state: None,
        });
        let html = |f: &str| -> Option<String> {
            (f == "pages/journey-01.html").then(|| {
                r#"<html><body><header><button type="button">Invite</button></header>
                   <main><h1>Projects</h1><button>Share</button></main></body></html>"#
                    .into()
            })
        };
        let found = detect(&a, &html);
        assert_eq!(present(&found), vec!["invite", "share"]);
        assert_eq!(
            found[&Mechanic::Invite].evidence,
            vec![MechanicEvidence {
                url: "https://acme.test/app".into(),
                text: "Invite".into(),
                place: Place::App
            }]
        );
    }

    #[test]
    fn a_long_text_is_quoted_by_the_sentence_that_says_it() {
        let long = "Tasklane keeps every project in one place, from the first idea to the launch review. \
                    When the plan is ready, invite your team and assign the first tasks! Then ship.";
        assert_eq!(
            sentences(long),
            vec![
                "Tasklane keeps every project in one place, from the first idea to the launch review.",
                "When the plan is ready, invite your team and assign the first tasks!",
                "Then ship.",
            ]
        );
        assert_eq!(sentences("Invite your team."), vec!["Invite your team."]);
    }

    #[test]
    fn the_product_inviting_people_is_no_invite_mechanic() {
        let invite = |t: &str| names(Mechanic::Invite, &Said::new(t), false, false, &[]);
        assert!(!invite(
            "Leave your email and we'll invite your team as soon as a spot opens."
        ));
        assert!(invite("Create a board, then invite your team."));
    }

    #[test]
    fn the_product_name_is_the_titles_first_part_or_the_domain() {
        let named = |title: &str, home: &str| {
            let mut a = artifacts(vec![page(home, PageRole::Home, 200, title, vec![])]);
            a.home_url = Some(home.into());
            product_name(&a, Url::parse(home).ok().as_ref())
        };
        assert_eq!(
            named(
                "Tasklane — Task tracking for teams",
                "http://127.0.0.1:3000/"
            ),
            Some("tasklane".into())
        );
        assert_eq!(
            named(
                "The notes app your whole team will love",
                "https://www.notebloom.com/"
            ),
            Some("notebloom".into())
        );
        assert_eq!(
            named(
                "The notes app your whole team will love",
                "http://127.0.0.1:3000/"
            ),
            None
        );
    }
}
