//! Forms: the one model of the forms on a page, used by the journey to fill and submit,
//! by the field counter, and by `plg-audit forms`.
//!
//! A page's forms are read from HTML ([`read_forms`]): HTML fetched or saved (visibility
//! from attributes and inline styles) or HTML serialised from the browser after
//! `gather::live::ANNOTATOR` marked every control with its computed visibility. The same
//! [`extract`] and [`classify`] run on both, and every decision keeps its reason.
//! [`values`] chooses what a careful new user would type into each field.

pub mod classify;
pub mod extract;
pub mod values;

use serde::{Deserialize, Serialize};

/// What a form is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    Signup,
    Login,
    PasswordReset,
    Newsletter,
    Contact,
    Search,
    Payment,
    Waitlist,
    DemoRequest,
    Other,
}

impl FormKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Signup => "signup",
            FormKind::Login => "login",
            FormKind::PasswordReset => "password_reset",
            FormKind::Newsletter => "newsletter",
            FormKind::Contact => "contact",
            FormKind::Search => "search",
            FormKind::Payment => "payment",
            FormKind::Waitlist => "waitlist",
            FormKind::DemoRequest => "demo_request",
            FormKind::Other => "other",
        }
    }
}

/// What a field asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Email,
    EmailConfirm,
    Password,
    PasswordConfirm,
    Username,
    FullName,
    FirstName,
    LastName,
    Company,
    JobTitle,
    CompanySize,
    Phone,
    Country,
    Website,
    Terms,
    MarketingOptIn,
    RememberMe,
    Captcha,
    Honeypot,
    CardNumber,
    CardExpiry,
    CardCvc,
    Search,
    Message,
    Other,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Email => "email",
            FieldType::EmailConfirm => "email_confirm",
            FieldType::Password => "password",
            FieldType::PasswordConfirm => "password_confirm",
            FieldType::Username => "username",
            FieldType::FullName => "full_name",
            FieldType::FirstName => "first_name",
            FieldType::LastName => "last_name",
            FieldType::Company => "company",
            FieldType::JobTitle => "job_title",
            FieldType::CompanySize => "company_size",
            FieldType::Phone => "phone",
            FieldType::Country => "country",
            FieldType::Website => "website",
            FieldType::Terms => "terms",
            FieldType::MarketingOptIn => "marketing_opt_in",
            FieldType::RememberMe => "remember_me",
            FieldType::Captcha => "captcha",
            FieldType::Honeypot => "honeypot",
            FieldType::CardNumber => "card_number",
            FieldType::CardExpiry => "card_expiry",
            FieldType::CardCvc => "card_cvc",
            FieldType::Search => "search",
            FieldType::Message => "message",
            FieldType::Other => "other",
        }
    }
}

/// The kind of control a person operates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    /// Any typed input: text, email, password, tel, url, number, date…
    Text,
    TextArea,
    Select,
    Checkbox,
    /// A group of radio buttons sharing a name.
    Radio,
    File,
}

/// One option of a select or radio group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub text: String,
    pub disabled: bool,
    /// Selector of the radio button itself (radio groups only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
}

/// The constraints a control declares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraints {
    /// The `type` attribute of an input ("text" when absent).
    pub input_type: String,
    pub maxlength: Option<usize>,
    pub minlength: Option<usize>,
    pub pattern: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    /// The `inputmode` attribute: "numeric" or "decimal" ask for a number in a text box.
    #[serde(default)]
    pub inputmode: Option<String>,
    pub options: Vec<Choice>,
}

/// One control a person sees (or a trap they must not see).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: Option<String>,
    pub id: Option<String>,
    pub control: Control,
    /// The words a person reads for it: its label, else aria-label, placeholder, title.
    pub label: String,
    pub field_type: FieldType,
    /// Why `field_type` was chosen.
    pub reason: String,
    pub required: bool,
    /// Why the field counts as required (or None when it is optional).
    pub required_reason: Option<String>,
    pub visible: bool,
    pub constraints: Constraints,
    /// CSS selector that finds the control again on the live page.
    pub selector: String,
    /// Checked state of a checkbox as the page set it.
    pub checked: bool,
    /// Text the product put in the box itself (a pre-filled name), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The button that submits a form, as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submit {
    pub text: String,
    pub selector: String,
}

/// A `<form>`, or a group of inputs with its own submit button outside any `<form>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormRegion {
    /// Position among the page's `<form>` elements; None for a form-less region.
    pub index: Option<usize>,
    pub kind: FormKind,
    /// Why `kind` was chosen.
    pub kind_reason: String,
    pub action: Option<String>,
    pub method: String,
    /// The heading or legend that introduces the form, if any.
    pub heading: Option<String>,
    pub submit: Option<Submit>,
    pub fields: Vec<Field>,
    /// Selector of the `<form>` or of the region's container.
    pub selector: String,
}

impl FormRegion {
    /// Visible fields a person must fill or tick (honeypots and captchas never count).
    pub fn required_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| {
            f.required
                && f.visible
                && !matches!(f.field_type, FieldType::Honeypot | FieldType::Captcha)
        })
    }

    pub fn has(&self, t: FieldType) -> bool {
        self.fields.iter().any(|f| f.field_type == t)
    }
}

/// Reads and classifies every form on a page. `title` and `url` are the page's, used
/// as context (a form on /signup is more likely a signup form).
pub fn read_forms(html: &str, url: &url::Url) -> Vec<FormRegion> {
    let page = extract::extract(html, url);
    page.forms
        .into_iter()
        .map(|raw| classify::classify(raw, &page.title, url))
        .collect()
}
