//! Finding form regions in HTML and reading each control the way a person would: its
//! label (label[for], a wrapping label, aria-labelledby, aria-label, placeholder, title,
//! nearby text), its constraints and whether it is visible and required.
//!
//! A region is a `<form>` (with the controls that name it in `form=`), or, for controls
//! outside any form, the smallest container that also holds a button — how single-page
//! apps build their forms. Visibility comes from `data-plg-visible` when the page was
//! annotated live (`gather::live::ANNOTATOR`); otherwise from markup: `hidden`,
//! `aria-hidden`, inline styles, and class names that hide.

use std::collections::HashMap;
use std::sync::LazyLock;

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node, Selector};
use url::Url;

use super::{Choice, Constraints, Control, Submit};
use crate::text::collapse_whitespace;

/// A page's forms before classification.
#[derive(Debug, Clone)]
pub struct RawPage {
    pub title: String,
    pub forms: Vec<RawForm>,
}

#[derive(Debug, Clone)]
pub struct RawForm {
    pub index: Option<usize>,
    pub action: Option<String>,
    pub method: String,
    pub heading: Option<String>,
    /// id, class and name of the form element (developers name forms after their purpose).
    pub attributes: String,
    pub submit: Option<Submit>,
    /// Texts of every button in the region.
    pub buttons: Vec<String>,
    pub fields: Vec<RawField>,
    pub selector: String,
}

#[derive(Debug, Clone)]
pub struct RawField {
    pub name: Option<String>,
    pub id: Option<String>,
    pub control: Control,
    /// Text of label[for], a wrapping label or aria-labelledby.
    pub label: String,
    pub aria_label: String,
    pub placeholder: String,
    pub title: String,
    /// Text just before (or, for checkboxes, after) the control when it has no label.
    pub nearby: String,
    pub autocomplete: String,
    /// class attributes of the control and its close ancestors.
    pub classes: String,
    pub tabindex: Option<i32>,
    pub required_attr: bool,
    pub aria_required: bool,
    /// readonly or disabled: shown, but nobody types into it.
    pub readonly: bool,
    pub visible: bool,
    /// Why the field is not visible (None when it is).
    pub hidden_because: Option<String>,
    /// The element whose markup or style hides the field (the field itself or a wrapper).
    pub hidden_by: Option<NodeId>,
    /// A challenge-like image (CAPTCHA picture) right before or after the control, with
    /// no other control in between.
    pub beside_image: Option<ChallengeImage>,
    pub constraints: Constraints,
    pub selector: String,
    pub checked: bool,
    /// Text the product put in the box itself (a pre-filled name), when known.
    pub value: Option<String>,
    /// Its label's style draws a required mark (a red asterisk in `::before`).
    pub drawn_mark: bool,
}

/// An image that may be a CAPTCHA picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeImage {
    /// `img src="…"`, for the reason.
    pub description: String,
    /// Its attributes say so ("captcha", "seccode", "verify"…); otherwise it is only
    /// generated per visit by a script, which a product photo can be too.
    pub named: bool,
}

impl RawField {
    /// The words a person reads for the field, best source first.
    pub fn human_label(&self) -> &str {
        [
            &self.label,
            &self.aria_label,
            &self.placeholder,
            &self.title,
            &self.nearby,
        ]
        .into_iter()
        .find(|s| !s.is_empty())
        .map_or("", String::as_str)
    }
}

macro_rules! selector {
    ($name:ident, $css:expr) => {
        static $name: LazyLock<Selector> =
            LazyLock::new(|| Selector::parse($css).expect("static selector is valid"));
    };
}

selector!(TITLE, "title");
selector!(FORM, "form");
selector!(CONTROLS, "input, select, textarea");
selector!(
    BUTTONS,
    r#"button, input[type="submit"], input[type="button"], input[type="image"], [role="button"]"#
);
selector!(OPTIONS, "option");
selector!(LABEL, "label");
selector!(HEADINGS, "h1, h2, h3, h4, legend");

/// Input types that are not fields a person fills.
const NOT_FIELDS: [&str; 5] = ["hidden", "submit", "button", "image", "reset"];
/// Class names that hide an element in common CSS frameworks and hand-written honeypots.
pub(crate) const HIDING_CLASSES: [&str; 15] = [
    "hidden",
    "d-none",
    "hide",
    "is-hidden",
    "invisible",
    "visually-hidden",
    "visuallyhidden",
    "sr-only",
    "screen-reader-text",
    "honeypot",
    "hp",
    "ohnohoney",
    "hidden-field",
    "none",
    "offscreen",
];
/// An offset at least this far negative (in px) puts an element off-screen; smaller
/// negative margins are layout (centring a box with `margin-left: -380px`).
const OFF_SCREEN_PX: f32 = -500.0;
/// Parts of words in an image's src, alt, id, class or title that mark a CAPTCHA picture.
const CHALLENGE_IMAGE_PARTS: [&str; 13] = [
    "captcha",
    "seccode",
    "secimg",
    "secuimg",
    "securitycode",
    "verifycode",
    "verificationcode",
    "humanverif",
    "vvc",
    "imgval",
    "antispam",
    "antibot",
    "bebot",
];
/// Whole words in those attributes that mark a CAPTCHA picture.
const CHALLENGE_IMAGE_WORDS: [&str; 6] =
    ["code", "codes", "kod", "robot", "verify", "verification"];
/// Script extensions: an image served by one is generated per visit.
const SCRIPT_EXTENSIONS: [&str; 6] = [".php", ".asp", ".aspx", ".cgi", ".jsp", ".pl"];

pub fn extract(html: &str, _url: &Url) -> RawPage {
    let doc = Html::parse_document(html);
    let title = doc
        .select(&TITLE)
        .next()
        .map(|t| collapse_whitespace(&t.text().collect::<String>()))
        .unwrap_or_default();
    let labels_for = labels_by_target(&doc);
    let ids = elements_by_id(&doc);

    let forms: Vec<ElementRef> = doc.select(&FORM).collect();
    let form_ids: HashMap<String, usize> = forms
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.value().attr("id").map(|id| (id.to_string(), i)))
        .collect();

    // Every control belongs to a <form> (by nesting or form=) or to a form-less region.
    let mut in_form: Vec<Vec<ElementRef>> = vec![Vec::new(); forms.len()];
    let mut orphans: Vec<(NodeId, ElementRef)> = Vec::new();
    for control in doc.select(&CONTROLS).filter(|c| is_field(*c)) {
        let owner = control
            .value()
            .attr("form")
            .and_then(|id| form_ids.get(id).copied())
            .or_else(|| {
                control
                    .ancestors()
                    .filter_map(ElementRef::wrap)
                    .find(|a| a.value().name() == "form")
                    .and_then(|f| forms.iter().position(|x| x.id() == f.id()))
            });
        match owner {
            Some(i) => in_form[i].push(control),
            None => orphans.push((region_root(control), control)),
        }
    }

    let hiding_rules = hiding_rules(&doc);
    let marked = marked_targets(&doc);
    let context = Context {
        marked: &marked,
        labels_for: &labels_for,
        ids: &ids,
        hiding_rules: &hiding_rules,
        images: &challenge_images(&doc),
    };
    let mut regions = Vec::new();
    for (i, form) in forms.iter().enumerate() {
        let v = form.value();
        regions.push(RawForm {
            index: Some(i),
            action: v.attr("action").map(str::to_string),
            method: v.attr("method").unwrap_or("get").to_ascii_lowercase(),
            heading: heading_for(*form),
            attributes: [
                v.attr("id"),
                v.attr("class"),
                v.attr("name"),
                v.attr("aria-label"),
                in_search_landmark(*form).then_some("role search"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
            submit: submit_of(*form),
            buttons: button_texts(*form),
            fields: read_fields(&in_form[i], &context),
            selector: selector_of(*form),
        });
    }
    // Form-less regions, in document order of their first control.
    let mut order: Vec<NodeId> = Vec::new();
    let mut grouped: HashMap<NodeId, Vec<ElementRef>> = HashMap::new();
    for (root, control) in orphans {
        if !grouped.contains_key(&root) {
            order.push(root);
        }
        grouped.entry(root).or_default().push(control);
    }
    for root_id in order {
        let Some(root) = doc.tree.get(root_id).and_then(ElementRef::wrap) else {
            continue;
        };
        let controls = grouped.remove(&root_id).unwrap_or_default();
        regions.push(RawForm {
            index: None,
            action: None,
            method: "post".into(),
            heading: heading_for(root),
            attributes: [
                root.value().attr("id"),
                root.value().attr("class"),
                root.value().attr("aria-label"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
            submit: submit_of(root),
            buttons: button_texts(root),
            fields: read_fields(&controls, &context),
            selector: selector_of(root),
        });
    }
    RawPage {
        title,
        forms: regions,
    }
}

fn is_field(control: ElementRef) -> bool {
    let v = control.value();
    v.name() != "input"
        || !v
            .attr("type")
            .is_some_and(|t| NOT_FIELDS.contains(&t.to_ascii_lowercase().as_str()))
}

/// The smallest ancestor of a form-less control that also holds a button.
fn region_root(control: ElementRef) -> NodeId {
    let mut fallback = None;
    for a in control.ancestors().filter_map(ElementRef::wrap) {
        if matches!(a.value().name(), "body" | "html") {
            break;
        }
        fallback.get_or_insert(a.id());
        if a.select(&BUTTONS).next().is_some() {
            return a.id();
        }
    }
    fallback.unwrap_or_else(|| control.id())
}

struct Context<'a> {
    /// `for` targets of labels that draw a required mark.
    marked: &'a std::collections::HashSet<String>,
    labels_for: &'a HashMap<String, String>,
    ids: &'a HashMap<String, String>,
    hiding_rules: &'a [HidingRule],
    /// Controls with a challenge-like image beside them (see [`challenge_images`]).
    images: &'a HashMap<NodeId, ChallengeImage>,
}

/// Whether the form, or a landmark around it, has `role="search"`.
fn in_search_landmark(form: ElementRef) -> bool {
    std::iter::once(form)
        .chain(form.ancestors().filter_map(ElementRef::wrap))
        .any(|e| e.value().attr("role") == Some("search"))
}

/// A rule of the page's own `<style>` sheets whose declarations hide what it selects.
pub(crate) struct HidingRule {
    pub(crate) selector: Selector,
    /// The selector as written, for the reason.
    text: String,
    /// The declaration that hides.
    why: String,
}

/// The page's `<style>` rules that hide (display: none, off-screen…), at top level only:
/// rules inside `@media` and other at-rules apply to some screens, not all.
pub(crate) fn hiding_rules(doc: &Html) -> Vec<HidingRule> {
    let style = Selector::parse("style").expect("valid selector");
    let mut rules = Vec::new();
    for sheet in doc.select(&style) {
        let css = without_comments(&sheet.text().collect::<String>());
        let mut rest = css.as_str();
        while let Some(open) = rest.find('{') {
            let prelude = rest[..open].trim();
            let after = &rest[open + 1..];
            if prelude.starts_with('@') {
                // Skip the whole at-rule block, nested braces included.
                let mut depth = 1;
                let mut end = after.len();
                for (i, c) in after.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                rest = &after[end.min(after.len())..];
                continue;
            }
            let close = after.find('}').unwrap_or(after.len());
            if let Some(why) = hiding_declaration(&after[..close]) {
                for part in prelude.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    if let Ok(selector) = Selector::parse(part) {
                        rules.push(HidingRule {
                            selector,
                            text: part.to_string(),
                            why: why.clone(),
                        });
                    }
                }
            }
            rest = &after[(close + 1).min(after.len())..];
        }
    }
    rules
}

fn without_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// The declaration of a CSS block that hides its element from sight, if any:
/// `display: none`, `visibility: hidden`, `opacity: 0`, an off-screen offset, or a box
/// clipped to nothing.
pub(crate) fn hiding_declaration(block: &str) -> Option<String> {
    let declarations: Vec<(String, String)> = block
        .split(';')
        .filter_map(|d| d.split_once(':'))
        .map(|(p, v)| {
            (
                p.trim().to_ascii_lowercase(),
                v.replace("!important", "").trim().to_ascii_lowercase(),
            )
        })
        .collect();
    let value = |prop: &str| {
        declarations
            .iter()
            .rev()
            .find(|(p, _)| p == prop)
            .map(|(_, v)| v.as_str())
    };
    if value("display") == Some("none") {
        return Some("display: none".into());
    }
    if let Some(v @ ("hidden" | "collapse")) = value("visibility") {
        return Some(format!("visibility: {v}"));
    }
    if value("opacity").and_then(|v| v.parse::<f32>().ok()) == Some(0.0) {
        return Some("opacity: 0".into());
    }
    let px = |v: &str| v.trim_end_matches("px").trim().parse::<f32>().ok();
    for prop in [
        "left",
        "top",
        "right",
        "margin-left",
        "margin-top",
        "text-indent",
    ] {
        if let Some(v) = value(prop).filter(|v| px(v).is_some_and(|n| n <= OFF_SCREEN_PX)) {
            if prop != "text-indent" {
                return Some(format!("off-screen ({prop}: {v})"));
            }
        }
    }
    if let Some(v) = value("margin") {
        if v.split_whitespace()
            .any(|m| px(m).is_some_and(|n| n <= OFF_SCREEN_PX))
        {
            return Some(format!("off-screen (margin: {v})"));
        }
    }
    let zero = |prop: &str| value(prop).and_then(px) == Some(0.0);
    if (zero("height") || zero("width") || zero("max-height"))
        && value("overflow") == Some("hidden")
    {
        return Some("a box of zero size with overflow hidden".into());
    }
    if value("clip").is_some_and(|v| v.replace(' ', "").starts_with("rect(0")) {
        return Some("clipped to nothing".into());
    }
    None
}

/// Controls that sit beside a challenge-like image, with no other control in between:
/// the text box right after the image, else the control right before it — how CAPTCHA
/// pictures are laid out.
fn challenge_images(doc: &Html) -> HashMap<NodeId, ChallengeImage> {
    enum Item {
        Control { id: NodeId, text_box: bool },
        Image(ChallengeImage),
        FormStart,
    }
    let mut items = Vec::new();
    for e in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        match e.value().name() {
            "img" => items.extend(challenge_image(e).map(Item::Image)),
            "input" | "select" | "textarea" if is_field(e) => {
                let text_box = e.value().name() == "input"
                    && e.value().attr("type").is_none_or(|t| {
                        matches!(t.to_ascii_lowercase().as_str(), "text" | "number")
                    });
                items.push(Item::Control {
                    id: e.id(),
                    text_box,
                })
            }
            "form" => items.push(Item::FormStart),
            _ => {}
        }
    }
    let mut out = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let Item::Image(image) = item else { continue };
        let next = items[i + 1..].iter().find(|x| !matches!(x, Item::Image(_)));
        let previous = items[..i]
            .iter()
            .rev()
            .find(|x| !matches!(x, Item::Image(_)));
        let owner = match (next, previous) {
            (Some(Item::Control { id, text_box: true }), _) => Some(*id),
            (_, Some(Item::Control { id, .. })) => Some(*id),
            _ => None,
        };
        if let Some(id) = owner {
            out.entry(id).or_insert_with(|| image.clone());
        }
    }
    out
}

/// The image when it looks like a CAPTCHA picture: a telling word in its attributes, or
/// generated by a script with a query (`seccode.php?imageid=…`).
fn challenge_image(img: ElementRef) -> Option<ChallengeImage> {
    let v = img.value();
    let src = v.attr("src").unwrap_or("");
    let attributes = ["src", "alt", "id", "class", "title", "name"]
        .iter()
        .filter_map(|a| v.attr(a))
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<String> = crate::text::normalize(&attributes)
        .split(' ')
        .map(str::to_string)
        .collect();
    let path = src.split('?').next().unwrap_or("").to_ascii_lowercase();
    let generated = src.contains('?') && SCRIPT_EXTENSIONS.iter().any(|x| path.ends_with(x));
    let named = words.iter().any(|w| {
        CHALLENGE_IMAGE_PARTS.iter().any(|p| w.contains(p))
            || CHALLENGE_IMAGE_WORDS.contains(&w.as_str())
    });
    (named || generated).then(|| ChallengeImage {
        description: format!("img src=\"{src}\""),
        named,
    })
}

/// Targets (`for`) of labels whose style draws a required mark.
fn marked_targets(doc: &Html) -> std::collections::HashSet<String> {
    doc.select(&LABEL)
        .filter(|l| has_drawn_mark(*l))
        .filter_map(|l| l.value().attr("for").map(str::to_string))
        .collect()
}

fn labels_by_target(doc: &Html) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for label in doc.select(&LABEL) {
        if let Some(target) = label.value().attr("for") {
            let text = text_without_controls(label);
            out.entry(target.to_string())
                .and_modify(|t| {
                    t.push(' ');
                    t.push_str(&text)
                })
                .or_insert(text);
        }
    }
    out
}

fn elements_by_id(doc: &Html) -> HashMap<String, String> {
    let any = Selector::parse("[id]").expect("valid selector");
    doc.select(&any)
        .filter_map(|e| {
            e.value()
                .attr("id")
                .map(|id| (id.to_string(), text_without_controls(e)))
        })
        .collect()
}

/// Whether a label's style draws a required mark (`::before { content: "*" }`), which the
/// live annotator records in `data-plg-marks`.
fn has_drawn_mark(label: ElementRef) -> bool {
    label
        .value()
        .attr("data-plg-marks")
        .is_some_and(|m| m.contains('*'))
}

/// Text of an element, leaving out select options and other controls' content.
fn text_without_controls(root: ElementRef) -> String {
    let mut out = String::new();
    let mut stack = vec![*root];
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(t) => {
                out.push_str(t);
                out.push(' ');
            }
            Node::Element(el) => {
                if node.id() != root.id()
                    && matches!(
                        el.name(),
                        "select" | "option" | "textarea" | "script" | "style" | "button"
                    )
                {
                    continue;
                }
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev());
            }
            _ => {}
        }
    }
    collapse_whitespace(&out)
}

fn read_fields(controls: &[ElementRef], cx: &Context) -> Vec<RawField> {
    let mut fields: Vec<RawField> = Vec::new();
    let mut radio_groups: HashMap<String, usize> = HashMap::new();
    for control in controls {
        let field = read_field(*control, cx);
        if field.control == Control::Radio {
            let key = field.name.clone().unwrap_or_else(|| field.selector.clone());
            let choice = Choice {
                value: control.value().attr("value").unwrap_or("on").to_string(),
                text: field.label.clone(),
                disabled: control.value().attr("disabled").is_some(),
                selector: Some(field.selector.clone()),
            };
            if let Some(&at) = radio_groups.get(&key) {
                let group = &mut fields[at];
                group.constraints.options.push(choice);
                group.visible |= field.visible;
                group.required_attr |= field.required_attr;
                continue;
            }
            radio_groups.insert(key, fields.len());
            let mut group = field;
            // The group's label is the question (legend or preceding text), not an option's.
            group.label = group_question(*control).unwrap_or_default();
            group.constraints.options = vec![choice];
            fields.push(group);
            continue;
        }
        fields.push(field);
    }
    fields
}

/// The question a radio group answers: its fieldset's legend, or the text before it.
fn group_question(radio: ElementRef) -> Option<String> {
    let fieldset = radio
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|a| a.value().name() == "fieldset")?;
    let legend = Selector::parse("legend").expect("valid selector");
    fieldset
        .select(&legend)
        .next()
        .map(text_without_controls)
        .filter(|t| !t.is_empty())
}

fn read_field(control: ElementRef, cx: &Context) -> RawField {
    let v = control.value();
    let tag = v.name();
    let input_type = if tag == "input" {
        v.attr("type").unwrap_or("text").to_ascii_lowercase()
    } else {
        tag.to_string()
    };
    let control_kind = match (tag, input_type.as_str()) {
        ("select", _) => Control::Select,
        ("textarea", _) => Control::TextArea,
        (_, "checkbox") => Control::Checkbox,
        (_, "radio") => Control::Radio,
        (_, "file") => Control::File,
        _ => Control::Text,
    };
    let id = v.attr("id").map(str::to_string);
    let mut label = String::new();
    let mut drawn_mark = false;
    if let Some(ids) = v.attr("aria-labelledby") {
        label = ids
            .split_whitespace()
            .filter_map(|i| cx.ids.get(i))
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
    }
    if label.is_empty() {
        if let Some(t) = id.as_ref().and_then(|i| cx.labels_for.get(i)) {
            label = t.clone();
            drawn_mark |= id.as_ref().is_some_and(|i| cx.marked.contains(i));
        }
    }
    // `<label for>` naming the field's `name` while no element has that id: browsers do
    // not link them, but a person reads the label beside the field all the same.
    if label.is_empty() {
        if let Some((n, t)) = v
            .attr("name")
            .filter(|n| !cx.ids.contains_key(*n))
            .and_then(|n| cx.labels_for.get(n).map(|t| (n, t)))
        {
            label = t.clone();
            drawn_mark |= cx.marked.contains(n);
        }
    }
    if label.is_empty() {
        if let Some(wrapping) = control
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().name() == "label")
        {
            label = text_without_controls(wrapping);
            drawn_mark |= has_drawn_mark(wrapping);
        }
    }
    let attr = |name: &str| collapse_whitespace(v.attr(name).unwrap_or(""));
    let nearby = if label.is_empty() && v.attr("aria-label").is_none() {
        nearby_text(
            control,
            control_kind == Control::Checkbox || control_kind == Control::Radio,
        )
    } else {
        String::new()
    };
    let options = if control_kind == Control::Select {
        control
            .select(&OPTIONS)
            .map(|o| {
                let text = collapse_whitespace(&o.text().collect::<String>());
                Choice {
                    value: o
                        .value()
                        .attr("value")
                        .map(str::to_string)
                        .unwrap_or_else(|| text.clone()),
                    text,
                    disabled: o.value().attr("disabled").is_some(),
                    selector: None,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let classes = control
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(3)
        .chain(std::iter::once(control))
        .filter_map(|e| e.value().attr("class"))
        .collect::<Vec<_>>()
        .join(" ");
    let hidden = hidden(control, cx.hiding_rules);
    let number = |name: &str| v.attr(name).and_then(|s| s.trim().parse::<usize>().ok());
    RawField {
        name: v.attr("name").map(str::to_string).filter(|n| !n.is_empty()),
        id,
        control: control_kind,
        label,
        aria_label: attr("aria-label"),
        placeholder: attr("placeholder"),
        title: attr("title"),
        nearby,
        autocomplete: attr("autocomplete").to_ascii_lowercase(),
        classes,
        tabindex: v.attr("tabindex").and_then(|t| t.trim().parse().ok()),
        required_attr: v.attr("required").is_some(),
        aria_required: v.attr("aria-required") == Some("true"),
        readonly: v.attr("readonly").is_some() || v.attr("disabled").is_some(),
        visible: hidden.is_none(),
        hidden_by: hidden.as_ref().and_then(|h| h.by),
        hidden_because: hidden.map(|h| h.why),
        beside_image: cx.images.get(&control.id()).cloned(),
        constraints: Constraints {
            input_type,
            maxlength: number("maxlength"),
            minlength: number("minlength"),
            pattern: v.attr("pattern").map(str::to_string),
            min: v.attr("min").map(str::to_string),
            max: v.attr("max").map(str::to_string),
            inputmode: v.attr("inputmode").map(|m| m.trim().to_ascii_lowercase()),
            options,
        },
        selector: selector_of(control),
        // On a live page the annotator records the checked property (frameworks set it
        // without the attribute); a saved page has only the attribute.
        checked: match v.attr("data-plg-checked") {
            Some(c) => c == "1",
            None => v.attr("checked").is_some(),
        },
        drawn_mark,
        value: v
            .attr("data-plg-value")
            .or_else(|| {
                (matches!(control_kind, Control::Text)
                    && !v
                        .attr("type")
                        .is_some_and(|t| t.eq_ignore_ascii_case("password")))
                .then(|| v.attr("value"))
                .flatten()
            })
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string),
    }
}

/// Text right before the control in its parent (or right after, for checkboxes and
/// radios), for controls with no label at all.
fn nearby_text(control: ElementRef, after: bool) -> String {
    let Some(parent) = control.parent() else {
        return String::new();
    };
    let siblings: Vec<_> = parent.children().collect();
    let Some(pos) = siblings.iter().position(|s| s.id() == control.id()) else {
        return String::new();
    };
    let candidates: Vec<_> = if after {
        siblings[pos + 1..].iter().collect()
    } else {
        siblings[..pos].iter().rev().collect()
    };
    for node in candidates {
        let text = match node.value() {
            Node::Text(t) => collapse_whitespace(t),
            Node::Element(e) if matches!(e.name(), "input" | "select" | "textarea" | "button") => {
                break
            }
            Node::Element(_) => ElementRef::wrap(*node)
                .map(text_without_controls)
                .unwrap_or_default(),
            _ => String::new(),
        };
        if !text.is_empty() {
            return text.chars().take(120).collect();
        }
    }
    String::new()
}

/// Why a control is hidden, and which element hides it.
struct Hidden {
    why: String,
    /// None when the live page said so (no element to point at).
    by: Option<NodeId>,
}

/// Whether a control is hidden: live annotation wins; otherwise markup on the control and
/// its ancestors (hidden, aria-hidden, inline styles, hiding class names, the page's own
/// `<style>` rules).
fn hidden(control: ElementRef, rules: &[HidingRule]) -> Option<Hidden> {
    match control.value().attr("data-plg-visible") {
        Some("1") => return None,
        Some(_) => {
            return Some(Hidden {
                why: "not displayed on the rendered page".into(),
                by: None,
            })
        }
        None => {}
    }
    for e in std::iter::once(control).chain(control.ancestors().filter_map(ElementRef::wrap)) {
        if let Some(why) = hides(e, rules) {
            return Some(Hidden {
                why,
                by: Some(e.id()),
            });
        }
    }
    None
}

/// Why this element itself is hidden by its markup, if it is.
fn hides(e: ElementRef, rules: &[HidingRule]) -> Option<String> {
    let v = e.value();
    if v.attr("hidden").is_some() {
        return Some(format!("<{}> has the hidden attribute", v.name()));
    }
    if v.attr("aria-hidden") == Some("true") {
        return Some(format!("<{}> is aria-hidden", v.name()));
    }
    if let Some(style) = v.attr("style") {
        if let Some(why) = hiding_declaration(style) {
            return Some(format!("inline style {why}"));
        }
    }
    if let Some(class) = v.attr("class") {
        if let Some(c) = class
            .split_whitespace()
            .find(|c| HIDING_CLASSES.contains(&c.to_ascii_lowercase().as_str()))
        {
            return Some(format!("class \"{c}\""));
        }
    }
    rules
        .iter()
        .find(|r| r.selector.matches(&e))
        .map(|r| format!("the page's style rule \"{}\" ({})", r.text, r.why))
}

/// The heading or legend introducing a form: inside it, else just before it.
fn heading_for(root: ElementRef) -> Option<String> {
    if let Some(h) = root.select(&HEADINGS).next() {
        return Some(text_without_controls(h)).filter(|t| !t.is_empty());
    }
    let mut current = root;
    for _ in 0..4 {
        for sibling in current.prev_siblings().filter_map(ElementRef::wrap) {
            if HEADINGS.matches(&sibling) {
                return Some(text_without_controls(sibling)).filter(|t| !t.is_empty());
            }
            if let Some(h) = sibling.select(&HEADINGS).last() {
                return Some(text_without_controls(h)).filter(|t| !t.is_empty());
            }
        }
        current = current.parent().and_then(ElementRef::wrap)?;
        if matches!(current.value().name(), "body" | "main") {
            break;
        }
    }
    None
}

fn button_text(b: ElementRef) -> String {
    let v = b.value();
    if v.name() == "input" {
        return collapse_whitespace(v.attr("value").or(v.attr("alt")).unwrap_or(""));
    }
    let t = text_without_controls(b);
    if t.is_empty() {
        collapse_whitespace(v.attr("aria-label").or(v.attr("title")).unwrap_or(""))
    } else {
        t
    }
}

fn button_texts(root: ElementRef) -> Vec<String> {
    root.select(&BUTTONS)
        .map(button_text)
        .filter(|t| !t.is_empty())
        .collect()
}

/// Buttons that do something other than submit.
const NOT_SUBMIT: [&str; 8] = [
    "show", "hide", "toggle", "cancel", "back", "close", "clear", "reset",
];

/// The control that submits: a submit button, else the first button that does not
/// merely show, hide, cancel or go back.
fn submit_of(root: ElementRef) -> Option<Submit> {
    let buttons: Vec<ElementRef> = root.select(&BUTTONS).collect();
    let is_submit = |b: &ElementRef| {
        let v = b.value();
        match v.name() {
            "button" => v
                .attr("type")
                .is_none_or(|t| t.eq_ignore_ascii_case("submit")),
            "input" => v
                .attr("type")
                .is_some_and(|t| matches!(t.to_ascii_lowercase().as_str(), "submit" | "image")),
            _ => false,
        }
    };
    let secondary = |b: &ElementRef| {
        let t = crate::text::normalize(&button_text(*b));
        t.is_empty() || NOT_SUBMIT.iter().any(|w| t.split(' ').next() == Some(*w))
    };
    let chosen = buttons
        .iter()
        .find(|b| is_submit(b) && !secondary(b))
        .or_else(|| buttons.iter().find(|b| !secondary(b)))
        .or_else(|| buttons.first())?;
    Some(Submit {
        text: button_text(*chosen),
        selector: selector_of(*chosen),
    })
}

/// `[data-plg-id="N"]` on annotated pages; otherwise a structural path from the root.
pub fn selector_of(e: ElementRef) -> String {
    if let Some(id) = e.value().attr("data-plg-id") {
        return format!("[data-plg-id=\"{id}\"]");
    }
    let mut parts = Vec::new();
    let mut current = Some(e);
    while let Some(el) = current {
        let name = el.value().name();
        if name == "html" {
            parts.push("html".to_string());
            break;
        }
        let position = el
            .prev_siblings()
            .filter_map(ElementRef::wrap)
            .filter(|s| s.value().name() == name)
            .count()
            + 1;
        parts.push(format!("{name}:nth-of-type({position})"));
        current = el.parent().and_then(ElementRef::wrap);
    }
    parts.reverse();
    parts.join(" > ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_for_the_field_name_labels_it_when_no_id_matches() {
        let html = r#"<form><label for="firstName">First Name</label>
            <input name="firstName" type="text"><button>Next</button></form>"#;
        let page = extract(html, &Url::parse("https://example.com/setup").unwrap());
        assert_eq!(page.forms[0].fields[0].label, "First Name");
    }

    #[test]
    fn an_asterisk_drawn_by_the_label_style_marks_the_field_not_its_words() {
        let html = r#"<form><label for="email" data-plg-marks="*">Email</label>
            <input id="email" type="email"><button>Next</button></form>"#;
        let page = extract(html, &Url::parse("https://example.com/setup").unwrap());
        assert_eq!(page.forms[0].fields[0].label, "Email");
        assert!(page.forms[0].fields[0].drawn_mark);
    }

    #[test]
    fn declarations_that_hide() {
        assert_eq!(
            hiding_declaration("display: none !important"),
            Some("display: none".into())
        );
        assert!(hiding_declaration("position:absolute; margin: 0 0 0 -9999px").is_some());
        assert!(hiding_declaration("position:absolute; left:-5000px").is_some());
        assert!(hiding_declaration("opacity:0").is_some());
        // Centring a box with a negative margin is layout, not hiding.
        assert_eq!(
            hiding_declaration("width: 760px; margin-left: -380px;"),
            None
        );
        assert_eq!(hiding_declaration("float:none"), None);
    }

    #[test]
    fn style_rules_of_the_page_hide_fields() {
        let html = r#"<html><head><style>
            /* a honeypot */ .mc4wp-form input[name="trap"] { display: none; }
            @media (max-width: 400px) { .wide { display: none } }
            .offscreen-box { position: absolute; left: -9999px }
        </style></head><body><form class="mc4wp-form">
            <input name="email" type="email"><input name="trap">
            <div class="wide"><input name="wide"></div>
            <div class="offscreen-box"><input name="far"></div>
        </form></body></html>"#;
        let page = extract(html, &Url::parse("https://example.com/").unwrap());
        let visible: Vec<(String, bool)> = page.forms[0]
            .fields
            .iter()
            .map(|f| (f.name.clone().unwrap_or_default(), f.visible))
            .collect();
        assert_eq!(
            visible,
            [
                ("email".to_string(), true),
                ("trap".to_string(), false),
                ("wide".to_string(), true),
                ("far".to_string(), false),
            ]
        );
    }

    #[test]
    fn a_captcha_image_belongs_to_the_text_box_after_it() {
        let html = r#"<form><input name="skype"><img src="/wp-content/uploads/wpcf7_captcha/1.png">
            <input name="answer"><img src="/img/logo.png"><input name="city"></form>"#;
        let page = extract(html, &Url::parse("https://example.com/").unwrap());
        let images: Vec<bool> = page.forms[0]
            .fields
            .iter()
            .map(|f| f.beside_image.is_some())
            .collect();
        assert_eq!(images, [false, true, false]);
    }
}
