//! Reading one page's pricing as a person reads it: the plan cards (or, with no cards, the
//! columns of a plan table), each card's name, prices with what follows them, button,
//! badge and bullet list; the monthly/annual switch; and the sentences the page states
//! its offers in.
//!
//! The page is read once into *lines*, as they show on screen: text of inline elements
//! runs together (`<sup>$</sup>29<span>/mo</span>` is "$29/mo"), block elements start a
//! new line, hidden elements and struck-through old prices are not read. Cards are the
//! repeated siblings of one container that each carry a name and a price (or "Custom", or
//! a contact-sales button): the cards a person sees, so a comparison table repeating the
//! plans below them, or prices in an FAQ, never make plans. Visibility is the browser's
//! when the page was annotated live (`data-plg-visible`), else the markup's (hidden,
//! inline styles, hiding classes, the page's own `<style>` rules).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node, Selector};
use url::Url;

use super::amount::{find_prices, WrittenPrice};
use super::signals::{longest_prefix, starts_with, tokens, Phrase, SIGNALS};
use super::{CtaKind, Period, Unit};
use crate::forms::extract::{
    hiding_declaration, hiding_rules, selector_of, HidingRule, HIDING_CLASSES,
};
use crate::text::{collapse_whitespace, has_phrase, normalize};

/// Set on `<html>` by the live annotator: visibility was computed by the browser.
pub const COMPUTED_VISIBILITY: &str = "data-plg-visibility";

/// What one page says about pricing.
#[derive(Debug, Clone, Default)]
pub struct PageReading {
    pub plans: Vec<PlanReading>,
    /// How the plans were found, or why none were.
    pub found: String,
    pub switch: Option<BillingSwitch>,
    /// The page's sentences in reading order.
    pub sentences: Vec<Sentence>,
    /// The currency the page names ("Prices in USD").
    pub stated_currency: Option<String>,
    /// Prices written anywhere on the page.
    pub prices_on_page: usize,
}

/// A sentence as read, normalised ("%" read as " percent ").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub text: String,
    /// As written, for reasons.
    pub written: String,
    pub question: bool,
}

/// One plan card (or plan-table column) as read, before its values are decided.
#[derive(Debug, Clone, Default)]
pub struct PlanReading {
    pub name: String,
    pub name_why: String,
    /// Every price in the card, in reading order.
    pub prices: Vec<PriceLine>,
    /// The card's main price, an index into `prices`.
    pub headline: Option<usize>,
    /// A price in words when the card shows no amount.
    pub word_price: Option<WordPrice>,
    pub cta: Option<Cta>,
    /// Why the card is the one the page pushes, if it is.
    pub highlighted: Option<String>,
    pub features: Vec<String>,
    /// Quantities the card includes ("Up to 1,500 contacts").
    pub limits: Vec<Limit>,
}

impl PlanReading {
    pub fn headline(&self) -> Option<&PriceLine> {
        self.headline.and_then(|i| self.prices.get(i))
    }
}

/// A price line's amount in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordPrice {
    /// "Free", "Kostenlos": it costs nothing.
    Free(String),
    /// "Custom", "Contact us", "Sur devis": ask for it.
    Custom(String),
}

/// Whether a price is paid monthly or yearly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    Monthly,
    Annual,
}

impl Billing {
    pub fn as_str(self) -> &'static str {
        match self {
            Billing::Monthly => "monthly",
            Billing::Annual => "annual",
        }
    }

    pub fn other(self) -> Billing {
        match self {
            Billing::Monthly => Billing::Annual,
            Billing::Annual => Billing::Monthly,
        }
    }
}

/// One price in a card with what the words around it say.
#[derive(Debug, Clone)]
pub struct PriceLine {
    pub price: WrittenPrice,
    pub period: Option<Period>,
    pub unit: Option<Unit>,
    pub billing: Option<Billing>,
    /// "Starting at", "ab", "à partir de" before it.
    pub starting_at: bool,
    /// Inside the card's bullet list.
    pub in_list: bool,
    /// The price with the words after it, as written ("$12 per user/month").
    pub shown: String,
    /// The words that gave the period, the unit and the billing.
    pub period_words: Option<String>,
    pub unit_words: Option<String>,
    pub billing_words: Option<String>,
}

/// A plan's button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cta {
    pub text: String,
    pub href: Option<String>,
    pub kind: Option<CtaKind>,
    pub why: String,
}

/// A quantity a plan includes.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub quantity: f64,
    pub noun: String,
    pub unit: Unit,
}

/// The page's monthly/annual switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingSwitch {
    pub control: SwitchControl,
    /// The view the page shows now, when the switch says.
    pub current: Option<Billing>,
}

/// How the switch is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SwitchControl {
    /// Two options to press: "Monthly" and "Yearly".
    Pair {
        monthly: SwitchOption,
        annual: SwitchOption,
    },
    /// One switch between two words; `on` is the view it shows when on.
    Toggle { control: SwitchOption, on: Billing },
}

/// Something to press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchOption {
    pub text: String,
    pub selector: String,
    pub active: Option<bool>,
}

impl BillingSwitch {
    /// What to press to see the other view.
    pub fn to_press(&self) -> &SwitchOption {
        match &self.control {
            SwitchControl::Pair { monthly, annual } => match self.current {
                Some(Billing::Annual) => monthly,
                _ => annual,
            },
            SwitchControl::Toggle { control, .. } => control,
        }
    }

    /// The switch's words, for reasons ("Monthly / Yearly · save 20%").
    pub fn describe(&self) -> String {
        match &self.control {
            SwitchControl::Pair { monthly, annual } => {
                format!("\"{}\" / \"{}\"", monthly.text, annual.text)
            }
            SwitchControl::Toggle { control, on } => {
                format!("a switch ({}) for {} billing", control.text, on.as_str())
            }
        }
    }
}

macro_rules! selector {
    ($name:ident, $css:expr) => {
        static $name: LazyLock<Selector> =
            LazyLock::new(|| Selector::parse($css).expect("static selector is valid"));
    };
}

selector!(BODY, "body");
selector!(
    CLICKABLE,
    r#"a[href], button, [role="button"], input[type="submit"], input[type="button"]"#
);
selector!(LIST_ITEM, "li");
selector!(TABLE, "table");
selector!(ROW, "tr");
selector!(CELL, "th, td");
selector!(
    SWITCH_PART,
    r##"button, [role="tab"], [role="radio"], [role="switch"], [role="button"], label, input[type="radio"], input[type="checkbox"], a[href^="#"], [aria-pressed], [aria-checked], [aria-selected]"##
);
selector!(LABEL_FOR, "label[for]");

/// Elements whose text a visitor never reads.
const UNREAD: [&str; 11] = [
    "script", "style", "noscript", "template", "svg", "head", "iframe", "select", "del", "s",
    "strike",
];
/// Elements that start a new line.
const BLOCKS: [&str; 38] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tr",
    "td",
    "th",
    "ul",
    "caption",
    "br",
];
/// Children that are never plan cards: disclosure and definition items, table parts.
const NEVER_CARDS: [&str; 12] = [
    "details", "summary", "dt", "dd", "tr", "td", "th", "thead", "tbody", "table", "nav", "footer",
];
/// More text than this is a section, not a card.
const MAX_CARD_CHARS: usize = 3000;
/// A name longer than this is a sentence, not a plan's name.
const MAX_NAME_WORDS: usize = 8;
/// Class-name parts of a card's name element.
const NAME_CLASSES: [&str; 3] = ["name", "title", "heading"];
/// Class names an active switch option carries.
const ACTIVE_CLASSES: [&str; 9] = [
    "active",
    "is-active",
    "selected",
    "is-selected",
    "current",
    "is-current",
    "on",
    "checked",
    "is-checked",
];
/// Texts of table cells that mean "included".
const INCLUDED: [&str; 6] = ["✓", "✔", "✅", "yes", "included", "ja"];

/// A line of text as it shows on screen.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    /// Position of its first text in document order (see [`Layout::spans`]).
    pos: usize,
    li: Option<NodeId>,
    heading: bool,
    control: Option<NodeId>,
    block: NodeId,
}

/// The page laid out in lines, with each visible element's span of positions.
struct Layout {
    lines: Vec<Line>,
    /// Element → [first, last) position of its subtree; only visible elements are here.
    spans: HashMap<NodeId, (usize, usize)>,
}

impl Layout {
    fn visible(&self, e: ElementRef) -> bool {
        self.spans.contains_key(&e.id())
    }

    fn within(&self, outer: NodeId, pos: usize) -> bool {
        self.spans
            .get(&outer)
            .is_some_and(|(start, end)| *start <= pos && pos < *end)
    }

    /// Lines inside `e`.
    fn lines_in(&self, e: NodeId) -> Vec<&Line> {
        match self.spans.get(&e) {
            Some(&(start, end)) => {
                let first = self.lines.partition_point(|l| l.pos < start);
                self.lines[first..]
                    .iter()
                    .take_while(|l| l.pos < end)
                    .collect()
            }
            None => Vec::new(),
        }
    }

    /// The text of `e` line by line (for blocks: cards, list items, cells).
    fn text_of(&self, e: NodeId) -> String {
        self.lines_in(e)
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The visible text inside `e`, whatever its display (for buttons and links).
    fn words_of(&self, e: ElementRef) -> String {
        let mut out = String::new();
        for node in e.descendants() {
            if let Node::Text(t) = node.value() {
                if node
                    .parent()
                    .is_some_and(|p| self.spans.contains_key(&p.id()))
                {
                    out.push_str(t);
                }
            }
        }
        collapse_whitespace(&out)
    }
}

#[derive(Clone, Copy)]
struct Context {
    block: NodeId,
    li: Option<NodeId>,
    heading: bool,
    control: Option<NodeId>,
}

struct Walker<'a> {
    rules: &'a [HidingRule],
    computed: bool,
    counter: usize,
    spans: HashMap<NodeId, (usize, usize)>,
    lines: Vec<Line>,
    buf: String,
    started: Option<(usize, Context)>,
}

impl Walker<'_> {
    fn flush(&mut self) {
        let text = collapse_whitespace(&self.buf);
        self.buf.clear();
        if let Some((pos, cx)) = self.started.take() {
            if !text.is_empty() {
                self.lines.push(Line {
                    text,
                    pos,
                    li: cx.li,
                    heading: cx.heading,
                    control: cx.control,
                    block: cx.block,
                });
            }
        }
    }

    fn hidden(&self, e: ElementRef) -> bool {
        let v = e.value();
        if self.computed {
            return v.attr("data-plg-visible") == Some("0");
        }
        if v.attr("hidden").is_some() {
            return true;
        }
        if v.attr("style").and_then(hiding_declaration).is_some() {
            return true;
        }
        if v.attr("class").is_some_and(|c| {
            c.split_whitespace()
                .any(|c| HIDING_CLASSES.contains(&c.to_ascii_lowercase().as_str()))
        }) {
            return true;
        }
        self.rules.iter().any(|r| r.selector.matches(&e))
    }

    fn walk(&mut self, node: ego_tree::NodeRef<'_, Node>, cx: Context) {
        match node.value() {
            Node::Text(t) => {
                // Every text has its own position, inside its element's span.
                if self.started.is_none() && !t.trim().is_empty() {
                    self.started = Some((self.counter, cx));
                }
                self.counter += 1;
                self.buf.push_str(t);
            }
            Node::Element(el) => {
                let Some(e) = ElementRef::wrap(node) else {
                    return;
                };
                let name = el.name();
                if UNREAD.contains(&name) || self.hidden(e) {
                    return;
                }
                let start = self.counter;
                self.counter += 1;
                // Buttons, labels and tabs are boxes of their own, even when inline.
                let block = BLOCKS.contains(&name)
                    || matches!(name, "button" | "label")
                    || el
                        .attr("role")
                        .is_some_and(|r| matches!(r, "tab" | "radio" | "switch" | "button"));
                if block {
                    self.flush();
                }
                if name == "sup" && self.cents(e) {
                    self.spans.insert(node.id(), (start, self.counter));
                    return;
                }
                let inner = Context {
                    block: if block { node.id() } else { cx.block },
                    li: if matches!(name, "li" | "dd") {
                        Some(node.id())
                    } else {
                        cx.li
                    },
                    heading: cx.heading || matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6"),
                    control: if matches!(name, "a" | "button") || el.attr("role") == Some("button")
                    {
                        Some(node.id())
                    } else {
                        cx.control
                    },
                };
                if name == "input" {
                    // A button made of an input shows its value.
                    let kind = el.attr("type").unwrap_or("").to_ascii_lowercase();
                    if matches!(kind.as_str(), "submit" | "button") {
                        if let Some(value) = el.attr("value") {
                            self.flush();
                            self.started = Some((self.counter, inner));
                            self.counter += 1;
                            self.buf.push_str(value);
                            self.flush();
                        }
                    }
                }
                for child in node.children() {
                    self.walk(child, inner);
                }
                if block {
                    self.flush();
                }
                self.spans.insert(node.id(), (start, self.counter));
            }
            _ => {}
        }
    }

    /// `29<sup>99</sup>` is 29.99: two digits raised after an amount are its cents.
    fn cents(&mut self, sup: ElementRef) -> bool {
        let text: String = sup.text().collect::<String>().trim().to_string();
        let digits = text.trim_start_matches(['.', ',']);
        let is_cents = (1..=2).contains(&digits.len())
            && digits.chars().all(|c| c.is_ascii_digit())
            && self.buf.trim_end().ends_with(|c: char| c.is_ascii_digit());
        if is_cents {
            let trimmed = self.buf.trim_end().to_string();
            self.buf = trimmed;
            self.buf.push('.');
            self.buf.push_str(digits);
        }
        is_cents
    }
}

fn layout(doc: &Html) -> Layout {
    let rules = hiding_rules(doc);
    let computed = doc
        .root_element()
        .value()
        .attr(COMPUTED_VISIBILITY)
        .is_some();
    let mut walker = Walker {
        rules: &rules,
        computed,
        counter: 0,
        spans: HashMap::new(),
        lines: Vec::new(),
        buf: String::new(),
        started: None,
    };
    if let Some(body) = doc.select(&BODY).next() {
        let cx = Context {
            block: body.id(),
            li: None,
            heading: false,
            control: None,
        };
        walker.walk(*body, cx);
        walker.flush();
    }
    Layout {
        lines: walker.lines,
        spans: walker.spans,
    }
}

/// Reads the pricing of the page `html` (served at `url`).
pub fn read_page(html: &str, url: &Url) -> PageReading {
    let doc = Html::parse_document(html);
    let layout = layout(&doc);
    let s = &*SIGNALS;

    let sentences = sentences(&layout.lines);
    let stated_currency = sentences.iter().find_map(|sentence| {
        s.currency_statements
            .iter()
            .find_map(|r| r.captures(&sentence.text))
            .map(|c| c["code"].to_ascii_uppercase())
    });
    let dollar = stated_currency
        .as_deref()
        .filter(|c| s.dollars.iter().any(|d| d == c));
    let prices_on_page = layout
        .lines
        .iter()
        .map(|l| find_prices(&l.text, dollar).len())
        .sum();

    let mut reading = PageReading {
        sentences,
        stated_currency: stated_currency.clone(),
        prices_on_page,
        ..PageReading::default()
    };
    let reader = CardReader {
        doc: &doc,
        layout: &layout,
        dollar,
        base: url,
    };
    let mut card_ids: Vec<NodeId> = Vec::new();
    if let Some(group) = reader.find_cards() {
        reading.found = group.why.clone();
        card_ids = group.cards.clone();
        let all: Vec<ElementRef> = group
            .cards
            .iter()
            .filter_map(|id| doc.tree.get(*id).and_then(ElementRef::wrap))
            .collect();
        reading.plans = all.iter().map(|c| reader.read_card(*c, &all)).collect();
    } else if let Some((plans, why)) = reader.read_table() {
        reading.found = why;
        reading.plans = plans;
    } else {
        reading.found = if prices_on_page == 0 {
            "no plan cards and no prices on the page".to_string()
        } else {
            format!(
                "{prices_on_page} price{} on the page, but no plan cards or plan table hold them",
                if prices_on_page == 1 { "" } else { "s" }
            )
        };
    }
    reading.switch = reader.find_switch(&card_ids);
    reading
}

/// Sentences of the page's lines, in order.
fn sentences(lines: &[Line]) -> Vec<Sentence> {
    let mut out = Vec::new();
    for line in lines {
        let mut start = 0;
        let text = &line.text;
        for (i, c) in text.char_indices() {
            let ends = matches!(c, '?' | '!' | '.')
                && text[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace);
            if ends {
                push_sentence(&mut out, &text[start..i + c.len_utf8()]);
                start = i + c.len_utf8();
            }
        }
        push_sentence(&mut out, &text[start..]);
    }
    out
}

fn push_sentence(out: &mut Vec<Sentence>, written: &str) {
    let written = written.trim();
    let text = normalize(&written.replace('%', " percent "));
    if !text.is_empty() {
        out.push(Sentence {
            text,
            written: written.to_string(),
            question: written.ends_with('?'),
        });
    }
}

/// A group of plan cards: siblings of one container.
struct CardGroup {
    cards: Vec<NodeId>,
    why: String,
}

struct CardReader<'a> {
    doc: &'a Html,
    layout: &'a Layout,
    dollar: Option<&'a str>,
    base: &'a Url,
}

/// Whether `text` (normalised) is one of `words`, or starts with one and stays short.
fn is_word_price(text: &str, words: &[String], max_words: usize) -> bool {
    words.iter().any(|w| {
        text == w.as_str()
            || (text.starts_with(&format!("{w} ")) && text.split(' ').count() <= max_words)
    })
}

impl<'a> CardReader<'a> {
    fn element(&self, id: NodeId) -> Option<ElementRef<'a>> {
        self.doc.tree.get(id).and_then(ElementRef::wrap)
    }

    fn prices(&self, text: &str) -> Vec<WrittenPrice> {
        find_prices(text, self.dollar)
    }

    /// The amount in words of a line that shows no number, if it has one.
    fn word_price(&self, line: &Line) -> Option<WordPrice> {
        if line.control.is_some() {
            return None;
        }
        let text = normalize(&line.text);
        let s = &*SIGNALS;
        if is_word_price(&text, &s.free_price, 3) {
            return Some(WordPrice::Free(line.text.clone()));
        }
        is_word_price(&text, &s.custom_price, 5).then(|| WordPrice::Custom(line.text.clone()))
    }

    /// What a button leads to, from its words, else its link.
    fn cta_kind(text: &str, href: Option<&str>) -> (Option<CtaKind>, String) {
        let s = &*SIGNALS;
        let said = normalize(text);
        if s.trial_lengths.iter().any(|re| re.is_match(&said)) {
            return (
                Some(CtaKind::Trial),
                "the button states a trial's length".to_string(),
            );
        }
        for (kind, words, _) in &s.cta {
            if let Some(w) = words.iter().find(|w| has_phrase(&said, w)) {
                return (Some(*kind), format!("the button says \"{w}\""));
            }
        }
        if let Some(href) = href {
            if href.to_ascii_lowercase().starts_with("mailto:") {
                return (
                    Some(CtaKind::ContactSales),
                    "the button writes an e-mail".to_string(),
                );
            }
            if let Ok(url) = Url::parse(href) {
                let path = url.path().to_ascii_lowercase();
                for (kind, _, paths) in &s.cta {
                    if let Some(p) = paths
                        .iter()
                        .find(|p| path.split('/').any(|segment| segment == p.as_str()))
                    {
                        return (Some(*kind), format!("the button leads to /{p}"));
                    }
                }
            }
        }
        (
            None,
            format!("\"{text}\" says neither signup, trial, contact sales, buy nor waitlist"),
        )
    }

    fn is_contact_button(&self, line: &Line) -> bool {
        line.control.is_some()
            && matches!(
                Self::cta_kind(&line.text, None).0,
                Some(CtaKind::ContactSales)
            )
    }

    /// Lines that make a card: a price, a price in words, or a contact-sales button.
    fn anchors(&self, line: &Line) -> bool {
        !self.prices(&line.text).is_empty()
            || self.word_price(line).is_some()
            || self.is_contact_button(line)
    }

    /// The container whose children are the plan cards, if the page has one.
    fn find_cards(&self) -> Option<CardGroup> {
        let mut anchored: HashMap<NodeId, HashSet<NodeId>> = HashMap::new();
        for line in self.layout.lines.iter().filter(|l| self.anchors(l)) {
            let mut node = self.doc.tree.get(line.block)?;
            while let Some(parent) = node.parent() {
                let name = ElementRef::wrap(parent).map(|p| p.value().name().to_string());
                if name.as_deref().is_none_or(|n| n == "html") {
                    break;
                }
                anchored.entry(parent.id()).or_default().insert(node.id());
                node = parent;
            }
        }
        // Every container whose children are mostly cards.
        let mut groups: Vec<(NodeId, Vec<NodeId>, usize)> = Vec::new();
        for (parent, children) in &anchored {
            if children.len() < 2 {
                continue;
            }
            let Some(p) = self.element(*parent) else {
                continue;
            };
            if std::iter::once(p)
                .chain(p.ancestors().filter_map(ElementRef::wrap))
                .any(|a| a.value().name() == "table")
            {
                continue;
            }
            let with_text: Vec<ElementRef> = p
                .children()
                .filter_map(ElementRef::wrap)
                .filter(|c| !self.layout.lines_in(c.id()).is_empty())
                .collect();
            let cards: Vec<NodeId> = with_text
                .iter()
                .filter(|c| self.is_card(**c))
                .map(|c| c.id())
                .collect();
            if cards.len() < 2 || cards.len() * 2 < with_text.len() {
                continue;
            }
            let priced = cards
                .iter()
                .filter(|c| {
                    self.layout
                        .lines_in(**c)
                        .iter()
                        .any(|l| !self.prices(&l.text).is_empty())
                })
                .count();
            groups.push((*parent, cards, priced));
        }
        // A "card" holding a whole group of cards is a section: the inner group wins.
        let holds_a_group = |cards: &[NodeId]| {
            groups.iter().any(|(inner, _, _)| {
                let at = self.layout.spans.get(inner).map_or(usize::MAX, |s| s.0);
                cards.iter().any(|c| self.layout.within(*c, at))
            })
        };
        groups
            .iter()
            .filter(|(_, cards, _)| !holds_a_group(cards))
            .max_by_key(|(parent, cards, priced)| {
                let start = self.layout.spans.get(parent).map_or(usize::MAX, |s| s.0);
                (cards.len(), *priced, std::cmp::Reverse(start))
            })
            .and_then(|(parent, cards, _)| {
                let p = self.element(*parent)?;
                Some(CardGroup {
                    cards: cards.clone(),
                    why: format!("{} plan cards side by side in {}", cards.len(), describe(p)),
                })
            })
    }

    fn is_card(&self, c: ElementRef) -> bool {
        if NEVER_CARDS.contains(&c.value().name()) {
            return false;
        }
        if c.select(&TABLE).next().is_some() {
            return false;
        }
        let lines = self.layout.lines_in(c.id());
        let chars: usize = lines.iter().map(|l| l.text.len()).sum();
        chars <= MAX_CARD_CHARS
            && lines.iter().any(|l| self.anchors(l))
            && self.name_of(c).is_some()
    }

    /// The plan's name: its heading, else an element named like one, else its first short
    /// line — never a badge, a price or a question.
    fn name_of(&self, card: ElementRef) -> Option<(String, String, usize)> {
        let lines = self.layout.lines_in(card.id());
        let usable = |l: &Line| {
            self.prices(&l.text).is_empty() && l.control.is_none() && !is_only_badge(&l.text)
        };
        let pick = |i: usize, l: &Line, why: &str| -> Option<(String, String, usize)> {
            let name = strip_badges(&l.text);
            let words = name.split_whitespace().count();
            (words > 0 && words <= MAX_NAME_WORDS && !name.ends_with('?'))
                .then(|| (name, why.to_string(), i))
        };
        if let Some((i, l)) = lines
            .iter()
            .enumerate()
            .find(|(_, l)| l.heading && self.prices(&l.text).is_empty() && !is_only_badge(&l.text))
        {
            return pick(i, l, "the card's heading");
        }
        let named = |l: &Line| {
            self.element(l.block).is_some_and(|b| {
                b.value().attr("class").is_some_and(|c| {
                    c.split_whitespace().any(|t| {
                        let t = t.to_ascii_lowercase();
                        NAME_CLASSES.iter().any(|n| t.contains(n))
                    })
                })
            })
        };
        if let Some((i, l)) = lines
            .iter()
            .enumerate()
            .find(|(_, l)| named(l) && usable(l) && !self.in_list(card, l))
        {
            return pick(i, l, "the card's name element");
        }
        lines
            .iter()
            .enumerate()
            .find(|(_, l)| {
                usable(l) && l.text.split_whitespace().count() <= 5 && !self.in_list(card, l)
            })
            .and_then(|(i, l)| pick(i, l, "the card's first line"))
    }

    /// Whether `line` sits in a bullet list inside `card` (not the card being a list item).
    fn in_list(&self, card: ElementRef, line: &Line) -> bool {
        line.li.is_some_and(|li| {
            li != card.id()
                && self.layout.within(
                    card.id(),
                    self.layout.spans.get(&li).map_or(usize::MAX, |s| s.0),
                )
        })
    }

    fn read_card(&self, card: ElementRef, siblings: &[ElementRef]) -> PlanReading {
        let lines = self.layout.lines_in(card.id());
        let (name, name_why, name_line) = self
            .name_of(card)
            .unwrap_or_else(|| (String::new(), "no name found".to_string(), usize::MAX));
        let mut plan = PlanReading {
            name,
            name_why,
            ..PlanReading::default()
        };

        // Prices, each with the words after it (up to the next price), and the next line's
        // words when the price ends its line ("$8" above "per member / month").
        for (i, line) in lines.iter().enumerate() {
            if i == name_line || line.control.is_some() || line.heading {
                continue;
            }
            let found = self.prices(&line.text);
            for (k, p) in found.iter().enumerate() {
                let end = found.get(k + 1).map_or(line.text.len(), |n| n.start);
                let mut after = line.text[p.end..end].to_string();
                if k + 1 == found.len() {
                    if let Some(next) = lines.get(i + 1) {
                        if next.control.is_none() && !next.heading && !self.in_list(card, next) {
                            let cut = self
                                .prices(&next.text)
                                .first()
                                .map_or(next.text.len(), |n| n.start);
                            after.push(' ');
                            after.push_str(&next.text[..cut]);
                        }
                    }
                }
                let before_start = if k == 0 { 0 } else { found[k - 1].end };
                let before = tokens(&line.text[before_start..p.start]);
                let previous_line = i
                    .checked_sub(1)
                    .and_then(|j| lines.get(j))
                    .filter(|_| k == 0 && before.is_empty())
                    .map(|l| tokens(&l.text));
                let s = &*SIGNALS;
                let ends_with_floor = |words: &[String]| {
                    s.starting_at
                        .iter()
                        .any(|p| words.len() >= p.len() && words[words.len() - p.len()..] == p[..])
                };
                let starting_at = ends_with_floor(&before)
                    || previous_line.is_some_and(|w| s.starting_at.contains(&w));
                let read = read_after(&tokens(&after));
                // Shown as a person would quote it: the price with the words on its own
                // line, or with the next line's when it stands alone ("$8" / "per member").
                let same_line = &line.text[p.end..end];
                let quoted = if same_line.chars().any(char::is_alphabetic) {
                    same_line
                } else {
                    after.as_str()
                };
                plan.prices.push(PriceLine {
                    shown: collapse_whitespace(&format!(
                        "{} {}",
                        p.text,
                        quoted.trim_end_matches(['(', ' '])
                    )),
                    price: p.clone(),
                    period: read.period,
                    unit: read.unit,
                    billing: read.billing,
                    starting_at,
                    in_list: self.in_list(card, line),
                    period_words: read.period_words,
                    unit_words: read.unit_words,
                    billing_words: read.billing_words,
                });
            }
        }
        let leads = |p: &&PriceLine| !p.in_list;
        plan.headline = plan
            .prices
            .iter()
            .position(|p| leads(&p) && p.unit != Some(Unit::Usage))
            .or_else(|| plan.prices.iter().position(|p| leads(&p)));
        if plan.headline.is_none() {
            plan.word_price = lines
                .iter()
                .enumerate()
                .filter(|(i, l)| *i != name_line && !self.in_list(card, l))
                .find_map(|(_, l)| self.word_price(l));
        }

        // The button: the first whose words say what it does, else the first.
        let buttons: Vec<Cta> = card
            .select(&CLICKABLE)
            .filter(|b| self.layout.visible(*b))
            .filter(|b| {
                !b.ancestors()
                    .filter_map(ElementRef::wrap)
                    .take_while(|a| a.id() != card.id())
                    .any(|a| a.value().name() == "li")
            })
            .filter_map(|b| {
                let text = self.control_text(b);
                if text.is_empty() {
                    return None;
                }
                let href = b
                    .value()
                    .attr("href")
                    .and_then(|h| self.base.join(h.trim()).ok())
                    .map(|u| u.to_string());
                let (kind, why) = Self::cta_kind(&text, href.as_deref());
                Some(Cta {
                    text,
                    href,
                    kind,
                    why,
                })
            })
            .collect();
        plan.cta = buttons
            .iter()
            .find(|b| b.kind.is_some())
            .or(buttons.first())
            .cloned();

        plan.highlighted = self.highlight(card, &lines, siblings);
        plan.features = card
            .select(&LIST_ITEM)
            .filter(|li| self.layout.visible(*li))
            .filter(|li| {
                !li.ancestors()
                    .filter_map(ElementRef::wrap)
                    .take_while(|a| a.id() != card.id())
                    .any(|a| a.value().name() == "li")
            })
            .map(|li| self.layout.text_of(li.id()))
            .filter(|t| !t.is_empty())
            .collect();
        plan.limits = lines.iter().flat_map(|l| limits(&l.text)).collect();
        plan
    }

    fn control_text(&self, b: ElementRef) -> String {
        let text = self.layout.words_of(b);
        if !text.is_empty() {
            return text;
        }
        let v = b.value();
        collapse_whitespace(
            v.attr("aria-label")
                .or(v.attr("value"))
                .or(v.attr("title"))
                .unwrap_or(""),
        )
    }

    /// Why the card is the one the page pushes: a badge, or a class the others lack.
    fn highlight(
        &self,
        card: ElementRef,
        lines: &[&Line],
        siblings: &[ElementRef],
    ) -> Option<String> {
        let s = &*SIGNALS;
        for line in lines
            .iter()
            .filter(|l| l.control.is_none() && !self.in_list(card, l))
        {
            let said = normalize(&line.text);
            if said.split(' ').count() <= 6
                && s.highlight_words.iter().any(|w| has_phrase(&said, w))
            {
                return Some(format!("\"{}\" on the card", line.text));
            }
        }
        let classes = |e: ElementRef| -> Vec<String> {
            let mut out = Vec::new();
            let mut current = Some(e);
            while let Some(el) = current {
                if let Some(c) = el.value().attr("class") {
                    out.extend(c.split_whitespace().map(str::to_ascii_lowercase));
                }
                let mut kids = el.children().filter_map(ElementRef::wrap);
                current = match (kids.next(), kids.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                };
            }
            out
        };
        let own = classes(card);
        let others: Vec<Vec<String>> = siblings
            .iter()
            .filter(|x| x.id() != card.id())
            .map(|x| classes(*x))
            .collect();
        // "plan--featured", "tier-hot", "highlight": a part of the class name, whole.
        let singles_out = |token: &str| {
            token
                .split(['-', '_'])
                .any(|part| s.highlight_classes.iter().any(|h| h == part))
        };
        own.iter()
            .find(|token| singles_out(token) && others.iter().any(|o| !o.contains(token)))
            .map(|token| format!("its class \"{token}\" sets it apart from the other cards"))
    }

    /// Plans from the columns of a table whose header names them and one row prices them.
    fn read_table(&self) -> Option<(Vec<PlanReading>, String)> {
        for table in self.doc.select(&TABLE).filter(|t| self.layout.visible(*t)) {
            let rows: Vec<Vec<ElementRef>> = table
                .select(&ROW)
                .filter(|r| self.layout.visible(*r))
                .map(|r| r.select(&CELL).collect())
                .collect();
            let Some(header) = rows.iter().find(|r| {
                r.len() >= 3
                    && r[1..]
                        .iter()
                        .all(|c| !self.layout.text_of(c.id()).is_empty())
            }) else {
                continue;
            };
            let columns = header.len();
            let price_row = rows.iter().find(|r| {
                r.len() == columns
                    && r[1..]
                        .iter()
                        .filter(|c| {
                            self.layout.lines_in(c.id()).iter().any(|l| {
                                !self.prices(&l.text).is_empty() || self.word_price(l).is_some()
                            })
                        })
                        .count()
                        >= 2
            })?;
            let mut plans = Vec::new();
            for col in 1..columns {
                let head = header[col];
                let mut plan = PlanReading {
                    name: strip_badges(&self.layout.text_of(head.id())),
                    name_why: "the plan table's column heading".to_string(),
                    ..PlanReading::default()
                };
                let cell = price_row[col];
                let lines = self.layout.lines_in(cell.id());
                for line in &lines {
                    let found = self.prices(&line.text);
                    for (k, p) in found.iter().enumerate() {
                        let end = found.get(k + 1).map_or(line.text.len(), |n| n.start);
                        let read = read_after(&tokens(&line.text[p.end..end]));
                        plan.prices.push(PriceLine {
                            shown: collapse_whitespace(&line.text[p.start..end]),
                            price: p.clone(),
                            period: read.period,
                            unit: read.unit,
                            billing: read.billing,
                            starting_at: false,
                            in_list: false,
                            period_words: read.period_words,
                            unit_words: read.unit_words,
                            billing_words: read.billing_words,
                        });
                    }
                }
                plan.headline = (!plan.prices.is_empty()).then_some(0);
                if plan.headline.is_none() {
                    plan.word_price = lines.iter().find_map(|l| self.word_price(l));
                }
                let head_text = normalize(&self.layout.text_of(head.id()));
                plan.highlighted = SIGNALS
                    .highlight_words
                    .iter()
                    .find(|w| has_phrase(&head_text, w))
                    .map(|w| format!("\"{w}\" in the column heading"));
                plan.cta = rows
                    .iter()
                    .filter(|r| r.len() == columns)
                    .flat_map(|r| r[col].select(&CLICKABLE))
                    .find(|b| self.layout.visible(*b))
                    .map(|b| {
                        let text = self.control_text(b);
                        let href = b
                            .value()
                            .attr("href")
                            .and_then(|h| self.base.join(h.trim()).ok())
                            .map(|u| u.to_string());
                        let (kind, why) = Self::cta_kind(&text, href.as_deref());
                        Cta {
                            text,
                            href,
                            kind,
                            why,
                        }
                    });
                plan.features = rows
                    .iter()
                    .filter(|r| r.len() == columns)
                    .filter(|r| {
                        let cell = r[col];
                        let text = normalize(&self.layout.text_of(cell.id()));
                        let mark = cell
                            .descendants()
                            .filter_map(ElementRef::wrap)
                            .filter_map(|d| d.value().attr("aria-label"))
                            .any(|a| normalize(a) == "included");
                        mark || INCLUDED.iter().any(|w| {
                            normalize(w) == text || self.layout.text_of(cell.id()).trim() == *w
                        })
                    })
                    .map(|r| self.layout.text_of(r[0].id()))
                    .filter(|t| !t.is_empty())
                    .collect();
                plans.push(plan);
            }
            return Some((
                plans,
                format!("{} plans in the columns of a plan table", columns - 1),
            ));
        }
        None
    }

    /// The monthly/annual switch outside the cards: two options, or one switch between
    /// two words.
    fn find_switch(&self, cards: &[NodeId]) -> Option<BillingSwitch> {
        let s = &*SIGNALS;
        let in_card = |e: ElementRef| {
            let pos = self.layout.spans.get(&e.id()).map_or(usize::MAX, |p| p.0);
            cards.iter().any(|c| self.layout.within(*c, pos))
        };
        let billing_of = |text: &str| -> Option<Billing> {
            let said = normalize(text);
            if said.is_empty() || said.split(' ').count() > 6 {
                return None;
            }
            let starts = |words: &[String]| {
                words
                    .iter()
                    .any(|w| said == *w || said.starts_with(&format!("{w} ")))
            };
            if starts(&s.switch_annual) {
                Some(Billing::Annual)
            } else if starts(&s.switch_monthly) {
                Some(Billing::Monthly)
            } else {
                None
            }
        };
        let labelled: HashSet<String> = self
            .doc
            .select(&LABEL_FOR)
            .filter_map(|l| l.value().attr("for").map(str::to_string))
            .collect();
        let mut monthly: Option<SwitchOption> = None;
        let mut annual: Option<SwitchOption> = None;
        let mut toggles: Vec<ElementRef> = Vec::new();
        for e in self.doc.select(&SWITCH_PART) {
            let v = e.value();
            let is_input = v.name() == "input";
            // A styled input hides behind its label: the label is what a person presses.
            if is_input
                && (v.attr("id").is_some_and(|id| labelled.contains(id))
                    || e.ancestors()
                        .filter_map(ElementRef::wrap)
                        .any(|a| a.value().name() == "label"))
            {
                if v.attr("type") == Some("checkbox") || v.attr("role") == Some("switch") {
                    toggles.push(e);
                }
                continue;
            }
            if (!self.layout.visible(e) && !is_input) || in_card(e) {
                continue;
            }
            let text = self.control_text(e);
            match billing_of(&text) {
                Some(billing) => {
                    let option = SwitchOption {
                        text: text.clone(),
                        selector: self.pressable(e),
                        active: active(e),
                    };
                    let slot = match billing {
                        Billing::Monthly => &mut monthly,
                        Billing::Annual => &mut annual,
                    };
                    if slot.is_none() {
                        *slot = Some(option);
                    }
                }
                None => {
                    let switch_like = v.attr("role") == Some("switch")
                        || v.attr("type") == Some("checkbox")
                        || v.attr("aria-checked").is_some()
                        || v.attr("aria-pressed").is_some();
                    if switch_like && text.split_whitespace().count() <= 3 {
                        toggles.push(e);
                    }
                }
            }
        }
        if let (Some(monthly), Some(annual)) = (monthly, annual) {
            let current = match (monthly.active, annual.active) {
                (Some(true), _) | (_, Some(false)) => Some(Billing::Monthly),
                (_, Some(true)) | (Some(false), _) => Some(Billing::Annual),
                _ => None,
            };
            return Some(BillingSwitch {
                control: SwitchControl::Pair { monthly, annual },
                current,
            });
        }
        for control in toggles {
            if in_card(control) {
                continue;
            }
            // The words on either side: lines of a close ancestor saying monthly and annual.
            let Some(holder) = control
                .ancestors()
                .filter_map(ElementRef::wrap)
                .take(3)
                .find(|a| {
                    let lines = self.layout.lines_in(a.id());
                    lines
                        .iter()
                        .any(|l| billing_of(&l.text) == Some(Billing::Monthly))
                        && lines
                            .iter()
                            .any(|l| billing_of(&l.text) == Some(Billing::Annual))
                })
            else {
                continue;
            };
            let at = self.position_of(control);
            let lines = self.layout.lines_in(holder.id());
            let on = lines
                .iter()
                .filter(|l| l.pos >= at)
                .find_map(|l| billing_of(&l.text))
                .unwrap_or(Billing::Annual);
            let label = control
                .ancestors()
                .filter_map(ElementRef::wrap)
                .find(|a| a.value().name() == "label")
                .filter(|l| self.layout.visible(*l));
            let pressed = label.unwrap_or(control);
            let state = active(control);
            return Some(BillingSwitch {
                control: SwitchControl::Toggle {
                    control: SwitchOption {
                        text: lines
                            .iter()
                            .map(|l| l.text.as_str())
                            .collect::<Vec<_>>()
                            .join(" / "),
                        selector: self.pressable(pressed),
                        active: state,
                    },
                    on,
                },
                current: state.map(|checked| if checked { on } else { on.other() }),
            });
        }
        None
    }

    fn position_of(&self, e: ElementRef) -> usize {
        if let Some(span) = self.layout.spans.get(&e.id()) {
            return span.0;
        }
        // A hidden input: the position of the next visible element after it.
        e.next_siblings()
            .filter_map(ElementRef::wrap)
            .find_map(|n| self.layout.spans.get(&n.id()).map(|s| s.0))
            .unwrap_or(0)
    }

    fn pressable(&self, e: ElementRef) -> String {
        selector_of(e)
    }
}

/// Whether an option or switch shows as on, when its markup says.
fn active(e: ElementRef) -> Option<bool> {
    let v = e.value();
    if let Some(checked) = v.attr("data-plg-checked") {
        return Some(checked == "1");
    }
    for attr in ["aria-pressed", "aria-selected", "aria-checked"] {
        if let Some(value) = v.attr(attr) {
            return Some(value == "true");
        }
    }
    if v.name() == "input" {
        return Some(v.attr("checked").is_some());
    }
    let classes: Vec<String> = v
        .attr("class")
        .map(|c| c.split_whitespace().map(str::to_ascii_lowercase).collect())
        .unwrap_or_default();
    if classes.iter().any(|c| ACTIVE_CLASSES.contains(&c.as_str())) {
        return Some(true);
    }
    None
}

/// "div.plans", "<section> "Plans"" — a container as a reader can find it.
fn describe(e: ElementRef) -> String {
    let v = e.value();
    match v
        .attr("class")
        .map(collapse_whitespace)
        .filter(|c| !c.is_empty())
    {
        Some(class) => format!("<{} class=\"{class}\">", v.name()),
        None => format!("<{}>", v.name()),
    }
}

/// Whether the whole text is a highlight badge ("Most popular").
fn is_only_badge(text: &str) -> bool {
    let said = normalize(text);
    !said.is_empty() && SIGNALS.highlight_words.contains(&said)
}

/// A name without the badge written inside its heading ("Pro Most popular" → "Pro").
fn strip_badges(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let normalized: Vec<String> = words.iter().map(|w| normalize(w)).collect();
    for badge in &SIGNALS.highlight_words {
        let b: Vec<&str> = badge.split(' ').collect();
        let n = b.len();
        if words.len() > n {
            if normalized[words.len() - n..]
                .iter()
                .map(String::as_str)
                .eq(b.iter().copied())
            {
                return words[..words.len() - n].join(" ");
            }
            if normalized[..n]
                .iter()
                .map(String::as_str)
                .eq(b.iter().copied())
            {
                return words[n..].join(" ");
            }
        }
    }
    words.join(" ")
}

/// What the words after a price say.
#[derive(Debug, Default)]
struct After {
    period: Option<Period>,
    unit: Option<Unit>,
    billing: Option<Billing>,
    period_words: Option<String>,
    unit_words: Option<String>,
    billing_words: Option<String>,
}

fn is_number(word: &str) -> bool {
    let digits = word.trim_end_matches(['k', 'm']);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// Reads the period, unit and billing from the words after a price. Reading stops at a
/// number that no connector introduces ("$0 · 3,000 build minutes / month": the minutes
/// are not the price's period).
fn read_after(words: &[String]) -> After {
    let s = &*SIGNALS;
    let mut out = After::default();
    let mut i = 0;
    let join = |p: &[String]| p.join(" ").replace(" / ", "/").replace("/ ", "/");
    while i < words.len() && i < 16 {
        let rest = &words[i..];
        if is_number(&rest[0]) {
            break;
        }
        if let Some(b) = longest_prefix(rest, &s.billed_annually) {
            out.billing.get_or_insert(Billing::Annual);
            out.billing_words.get_or_insert_with(|| join(b));
            i += b.len();
            continue;
        }
        if let Some(b) = longest_prefix(rest, &s.billed_monthly) {
            out.billing.get_or_insert(Billing::Monthly);
            out.billing_words.get_or_insert_with(|| join(b));
            if out.period.is_none() {
                out.period = Some(Period::Month);
                out.period_words = Some(join(b));
            }
            i += b.len();
            continue;
        }
        if let Some(c) = longest_prefix(rest, &s.connectors) {
            let mut j = i + c.len();
            let mut quantity = 0;
            while j < words.len()
                && quantity < 2
                && (is_number(&words[j])
                    || s.quantities.iter().any(|q| starts_with(&words[j..], q)))
            {
                j += 1;
                quantity += 1;
            }
            let after = &words[j.min(words.len())..];
            let said = |p: &Phrase| join(&words[i..j + p.len()]);
            if let Some(u) = longest_prefix(after, &s.usage) {
                if out.unit != Some(Unit::Usage) {
                    out.unit = Some(Unit::Usage);
                    out.unit_words = Some(said(u));
                }
                i = j + u.len();
                continue;
            }
            if quantity == 0 {
                if let Some(u) = longest_prefix(after, &s.seat) {
                    if out.unit.is_none() {
                        out.unit = Some(Unit::Seat);
                        out.unit_words = Some(said(u));
                    }
                    i = j + u.len();
                    continue;
                }
                if let Some(p) = longest_prefix(after, &s.month) {
                    out.period.get_or_insert(Period::Month);
                    out.period_words.get_or_insert_with(|| said(p));
                    i = j + p.len();
                    continue;
                }
                if let Some(p) = longest_prefix(after, &s.year) {
                    out.period.get_or_insert(Period::Year);
                    out.period_words.get_or_insert_with(|| said(p));
                    i = j + p.len();
                    continue;
                }
            }
            i += 1;
            continue;
        }
        if let Some(p) = longest_prefix(rest, &s.one_time) {
            out.period.get_or_insert(Period::OneTime);
            out.period_words.get_or_insert_with(|| join(p));
            i += p.len();
            continue;
        }
        if let Some(p) = longest_prefix(rest, &s.monthly) {
            out.period.get_or_insert(Period::Month);
            out.period_words.get_or_insert_with(|| join(p));
            out.billing.get_or_insert(Billing::Monthly);
            out.billing_words.get_or_insert_with(|| join(p));
            i += p.len();
            continue;
        }
        if let Some(p) = longest_prefix(rest, &s.yearly) {
            out.billing.get_or_insert(Billing::Annual);
            out.billing_words.get_or_insert_with(|| join(p));
            i += p.len();
            continue;
        }
        i += 1;
    }
    if out.period.is_none() && out.billing == Some(Billing::Annual) {
        // "$96 billed yearly": the amount is the year's.
        out.period = Some(Period::Year);
        out.period_words = out.billing_words.clone();
    }
    out
}

/// Quantities a line says a plan includes: "Up to 1,500 contacts", "1M events per month".
fn limits(text: &str) -> Vec<Limit> {
    let s = &*SIGNALS;
    let words = tokens(text);
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if !is_number(w) {
            continue;
        }
        let quantity = match w.chars().last() {
            Some('k') => w.trim_end_matches('k').parse::<f64>().ok().map(|n| n * 1e3),
            Some('m') => w.trim_end_matches('m').parse::<f64>().ok().map(|n| n * 1e6),
            _ => w.parse::<f64>().ok(),
        };
        let Some(quantity) = quantity else { continue };
        let rest = &words[i + 1..];
        let (quantity, rest) = match rest.first().map(String::as_str) {
            Some("thousand") => (quantity * 1e3, &rest[1..]),
            Some("million") => (quantity * 1e6, &rest[1..]),
            _ => (quantity, rest),
        };
        if let Some(u) = longest_prefix(rest, &s.usage) {
            out.push(Limit {
                quantity,
                noun: u.join(" "),
                unit: Unit::Usage,
            });
        } else if let Some(u) = longest_prefix(rest, &s.seat) {
            out.push(Limit {
                quantity,
                noun: u.join(" "),
                unit: Unit::Seat,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(html: &str) -> PageReading {
        read_page(html, &Url::parse("https://acme.test/pricing").unwrap())
    }

    fn after(text: &str) -> After {
        read_after(&tokens(text))
    }

    #[test]
    fn periods_units_and_billing_after_a_price() {
        let a = after("per user / month, billed annually");
        assert_eq!(
            (a.period, a.unit, a.billing),
            (Some(Period::Month), Some(Unit::Seat), Some(Billing::Annual))
        );
        let a = after("/user/mo");
        assert_eq!((a.period, a.unit), (Some(Period::Month), Some(Unit::Seat)));
        let a = after("HT par utilisateur et par mois, facturé annuellement");
        assert_eq!(
            (a.period, a.unit, a.billing),
            (Some(Period::Month), Some(Unit::Seat), Some(Billing::Annual))
        );
        let a = after("pro Nutzer/Monat, bei jährlicher Zahlung");
        assert_eq!(
            (a.period, a.unit, a.billing),
            (Some(Period::Month), Some(Unit::Seat), Some(Billing::Annual))
        );
        let a = after("por usuario al mes");
        assert_eq!((a.period, a.unit), (Some(Period::Month), Some(Unit::Seat)));
        let a = after("por usuário/mês");
        assert_eq!((a.period, a.unit), (Some(Period::Month), Some(Unit::Seat)));
        let a = after("per 1,000 events");
        assert_eq!(a.unit, Some(Unit::Usage));
        let a = after("per GB");
        assert_eq!(a.unit, Some(Unit::Usage));
        let a = after("monthly)");
        assert_eq!(
            (a.period, a.billing),
            (Some(Period::Month), Some(Billing::Monthly))
        );
        let a = after("billed yearly");
        assert_eq!(a.period, Some(Period::Year));
        let a = after("one-time payment");
        assert_eq!(a.period, Some(Period::OneTime));
    }

    #[test]
    fn a_number_after_a_price_ends_its_words() {
        let a = after("3,000 build minutes / month");
        assert_eq!((a.period, a.unit), (None, None));
        let a = after("per month, 25,000 minutes included, then");
        assert_eq!((a.period, a.unit), (Some(Period::Month), None));
        let a = after("HT par mois, 1 utilisateur");
        assert_eq!((a.period, a.unit), (Some(Period::Month), None));
    }

    #[test]
    fn prices_split_over_elements_read_as_one() {
        let r = read(
            r#"<body><div class="grid">
            <div class="card"><h3>Basic</h3><p class="price"><sup>$</sup>29<span>/mo</span></p><a href="/signup">Start</a></div>
            <div class="card"><h3>Plus</h3><p class="price"><sup>$</sup>49<sup>99</sup><span>/mo</span></p><a href="/signup">Start</a></div>
            </div></body>"#,
        );
        let prices: Vec<(f64, Option<Period>)> = r
            .plans
            .iter()
            .map(|p| {
                (
                    p.headline().unwrap().price.amount.0,
                    p.headline().unwrap().period,
                )
            })
            .collect();
        assert_eq!(
            prices,
            vec![(29.0, Some(Period::Month)), (49.99, Some(Period::Month))]
        );
    }

    const CARDS_TABLE_FAQ: &str = r#"<html><body><main>
      <section><h1>Pricing</h1><div role="group"><button aria-pressed="true">Monthly</button><button aria-pressed="false">Annual <span>save 20%</span></button></div></section>
      <section><div class="plans">
        <article class="plan"><h2>Free</h2><div class="price">$0</div><a href="/signup">Get started</a><ul><li>3 projects</li></ul></article>
        <article class="plan plan--featured"><span class="badge">Most popular</span><h2>Pro</h2><div class="price"><span>$12</span><span>per user/month</span></div><a href="/signup?plan=pro">Start 14-day trial</a><ul><li>Unlimited projects</li><li>Guests</li></ul></article>
        <article class="plan"><h2>Enterprise</h2><div class="price">Custom</div><a href="/contact">Contact sales</a><ul><li>SSO</li></ul></article>
      </div></section>
      <section><table><thead><tr><th></th><th>Free</th><th>Pro</th><th>Enterprise</th></tr></thead>
        <tbody><tr><th>Price</th><td>$0</td><td>$12</td><td>Custom</td></tr></tbody></table></section>
      <section class="faq"><h2>FAQ</h2>
        <details><summary>How much is extra storage?</summary><p>Extra storage is $5 per 100 GB. <a href="/contact">Ask us</a></p></details>
        <details><summary>Do you have discounts?</summary><p>Nonprofits pay $6 per user. <a href="/contact">Contact us</a></p></details>
      </section></main></body></html>"#;

    #[test]
    fn cards_are_plans_and_the_table_and_faq_below_are_not() {
        let r = read(CARDS_TABLE_FAQ);
        let names: Vec<&str> = r.plans.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Free", "Pro", "Enterprise"]);
        assert_eq!(
            r.found,
            "3 plan cards side by side in <div class=\"plans\">"
        );
    }

    #[test]
    fn a_card_reads_its_badge_button_and_bullets() {
        let r = read(CARDS_TABLE_FAQ);
        let pro = &r.plans[1];
        assert_eq!(
            pro.highlighted.as_deref(),
            Some("\"Most popular\" on the card")
        );
        let cta = pro.cta.as_ref().unwrap();
        assert_eq!(
            (cta.text.as_str(), cta.kind),
            ("Start 14-day trial", Some(CtaKind::Trial))
        );
        assert_eq!(pro.features, vec!["Unlimited projects", "Guests"]);
        let h = pro.headline().unwrap();
        assert_eq!(
            (h.price.amount.0, h.unit, h.period),
            (12.0, Some(Unit::Seat), Some(Period::Month))
        );
        assert_eq!(
            r.plans[2].word_price,
            Some(WordPrice::Custom("Custom".into()))
        );
        assert_eq!(r.plans[0].highlighted, None);
    }

    #[test]
    fn a_button_stating_a_trial_length_is_a_trial() {
        for (button, href) in [
            ("Try Pro for 7 days", "/signup"),
            ("30 Tage testen", "/registrieren"),
            ("Start 14-day trial", "/signup"),
        ] {
            assert_eq!(
                CardReader::cta_kind(button, Some(href)).0,
                Some(CtaKind::Trial),
                "{button}"
            );
        }
        assert_eq!(
            CardReader::cta_kind("Start for free", Some("/signup")).0,
            Some(CtaKind::Signup)
        );
    }

    #[test]
    fn the_switch_is_found_with_the_view_it_shows() {
        let r = read(CARDS_TABLE_FAQ);
        let switch = r.switch.unwrap();
        assert_eq!(switch.current, Some(Billing::Monthly));
        assert_eq!(switch.to_press().text, "Annual save 20%");
    }

    #[test]
    fn a_plan_table_alone_gives_one_plan_per_column() {
        let r = read(
            r#"<body><table><tr><th>Plan</th><th>Starter</th><th>Team</th></tr>
               <tr><td>Price</td><td>€9 / month</td><td>€29 / month</td></tr>
               <tr><td>Projects</td><td>✓</td><td>✓</td></tr>
               <tr><td>SSO</td><td>—</td><td>✓</td></tr>
               <tr><td></td><td><a href="/signup">Sign up</a></td><td><a href="/contact">Contact sales</a></td></tr></table></body>"#,
        );
        let names: Vec<&str> = r.plans.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Starter", "Team"]);
        assert_eq!(r.plans[1].features, vec!["Projects", "SSO"]);
        assert_eq!(
            r.plans[1].cta.as_ref().unwrap().kind,
            Some(CtaKind::ContactSales)
        );
    }

    #[test]
    fn a_page_without_prices_says_so() {
        let r = read("<body><h1>About us</h1><p>We build tools.</p></body>");
        assert!(r.plans.is_empty());
        assert_eq!(r.found, "no plan cards and no prices on the page");
    }

    #[test]
    fn limits_read_quantities_of_usage_and_seats() {
        assert_eq!(
            limits("Up to 1,500 contacts"),
            vec![Limit {
                quantity: 1500.0,
                noun: "contacts".into(),
                unit: Unit::Usage
            }]
        );
        assert_eq!(
            limits("Up to 10M events per month")[0].quantity,
            10_000_000.0
        );
        assert!(limits("12 social accounts").is_empty());
    }

    #[test]
    fn badges_are_stripped_from_names() {
        assert_eq!(strip_badges("Pro Most popular"), "Pro");
        assert_eq!(strip_badges("Recommended Team"), "Team");
        assert_eq!(strip_badges("Popular"), "Popular");
    }
}
