//! Pricing: the one model of a product's pricing, read from a rendered pricing page (or the
//! plan section of a home page) the way a person reads it — plan cards, prices, billing
//! periods, units, buttons, the plan the page pushes — and the product-level facts a PLG
//! consultant derives from them (free plan, trial, value metric, self-serve upgrade…).
//!
//! Pure: everything here works on HTML strings, so the same reader serves the audit
//! (`gather::pricing` renders the page and presses the monthly/annual switch, then hands
//! both readings here), `plg-audit pricing` and the tests. Words live in
//! `checks/signals/pricing.toml` ([`signals`]); [`amount`] reads prices, [`page`] finds the
//! plans and what the page states, [`billing`] joins the two sides of the switch and
//! [`facts`] derives the product-level facts. Every value keeps the reason it was read,
//! and a value that was not understood is `None` with the reason saying why.

pub mod amount;
pub mod billing;
pub mod explain;
pub mod facts;
pub mod page;
pub mod signals;

use serde::{Deserialize, Serialize};

pub use amount::Amount;
pub use page::{read_page, PageReading};

/// Where the plans were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PricingSource {
    /// The site's pricing page.
    PricingPage,
    /// The plan section of the home page (the site has no pricing page).
    HomePage,
    /// A page given to `plg-audit pricing`.
    Page,
}

/// What a price is paid for, per billing period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Month,
    Year,
    OneTime,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Year => "year",
            Period::OneTime => "one_time",
        }
    }
}

/// What a price scales with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Per user, member, editor, seat…
    Seat,
    /// Metered consumption: per GB, per 1,000 events, per invocation…
    Usage,
    /// One price for the plan, whoever and however much uses it.
    Flat,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Seat => "seat",
            Unit::Usage => "usage",
            Unit::Flat => "flat",
        }
    }
}

/// What pressing a plan's button leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CtaKind {
    /// A free account ("Get started", "Sign up").
    Signup,
    /// A free trial of the plan ("Start 14-day trial").
    Trial,
    /// A conversation with sales ("Contact sales", "Book a demo", a mailto: link).
    ContactSales,
    /// Paying for the plan ("Buy", "Subscribe", "Upgrade").
    Buy,
    /// A place on a waitlist: nothing can be used or bought yet.
    Waitlist,
}

impl CtaKind {
    pub const ALL: [CtaKind; 5] = [
        CtaKind::ContactSales,
        CtaKind::Waitlist,
        CtaKind::Trial,
        CtaKind::Signup,
        CtaKind::Buy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CtaKind::Signup => "signup",
            CtaKind::Trial => "trial",
            CtaKind::ContactSales => "contact_sales",
            CtaKind::Buy => "buy",
            CtaKind::Waitlist => "waitlist",
        }
    }

    /// Whether the button lets a person start using or paying without talking to anyone.
    pub fn is_self_serve(self) -> bool {
        matches!(self, CtaKind::Signup | CtaKind::Trial | CtaKind::Buy)
    }
}

/// One plan as a person sees it on the page: a card (or a column of a plan table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricingPlan {
    pub name: String,
    /// Per `period`, as shown: the month-to-month price when the page shows one (after
    /// pressing the switch if need be), else the price as shown. 0 for a free plan, None for
    /// "Custom", "Contact us" or a price not understood.
    pub price: Option<Amount>,
    /// ISO 4217 code read from the price's sign or code.
    pub currency: Option<String>,
    pub period: Option<Period>,
    pub unit: Option<Unit>,
    /// The per-month price when billed yearly, if the page shows it.
    pub price_annual: Option<Amount>,
    /// The plan button's words.
    pub cta: Option<String>,
    pub cta_kind: Option<CtaKind>,
    /// The plan the page pushes: a "Most popular" badge, a ribbon, a card singled out.
    pub highlighted: bool,
    /// The plan's bullet list, as shown.
    pub features: Vec<String>,
    /// The price is a floor ("Starting at $29", "ab 9,99 €").
    pub starting_at: bool,
    /// Metered prices on top of the plan's price ("+ $0.10 per GB"), as shown.
    pub metered: Vec<String>,
    /// Why each value was read as it was.
    pub why: PlanReasons,
}

/// The reason behind each value of a plan, in words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanReasons {
    pub name: String,
    pub price: String,
    pub currency: String,
    pub period: String,
    pub unit: String,
    pub price_annual: String,
    pub cta: String,
    pub highlighted: String,
}

/// A product's pricing: its plans and the facts read from them and from the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pricing {
    /// The page the plans were read from.
    pub url: String,
    pub source: PricingSource,
    /// Screenshot of that page, relative to the output directory.
    pub screenshot: Option<String>,
    pub plans: Vec<PricingPlan>,
    /// A plan costs nothing.
    pub free_plan: Option<bool>,
    /// A free trial is offered (of any length).
    pub free_trial: Option<bool>,
    /// Length of the free trial of a paid plan, in days (reverse trials included).
    pub trial_days: Option<u32>,
    /// Every new account starts on a paid plan, then keeps the free plan.
    pub reverse_trial: Option<bool>,
    /// No plan shows a price.
    pub contact_sales_only: Option<bool>,
    /// The page has a monthly/annual switch.
    pub annual_toggle: Option<bool>,
    /// How much cheaper paying yearly is, from the prices both ways or as stated.
    pub annual_discount_percent: Option<u32>,
    /// What the price scales with; metered usage wins over seats.
    pub value_metric: Option<Unit>,
    /// A paid plan can be had without talking to sales.
    pub self_serve_upgrade: Option<bool>,
    /// A tier for large organisations.
    pub enterprise_tier: Option<bool>,
    /// Why each fact is what it is.
    pub reasons: FactReasons,
}

/// The reason behind each product-level fact, in words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactReasons {
    /// How the plans were found (cards, a plan table) or why none were.
    pub plans: String,
    pub free_plan: String,
    pub free_trial: String,
    pub trial_days: String,
    pub reverse_trial: String,
    pub contact_sales_only: String,
    pub annual_toggle: String,
    pub annual_discount_percent: String,
    pub value_metric: String,
    pub self_serve_upgrade: String,
    pub enterprise_tier: String,
}

/// The page's other billing view, read after pressing its monthly/annual switch.
#[derive(Debug, Clone)]
pub struct SwitchedReading {
    /// The words on the option pressed.
    pub pressed: String,
    pub reading: PageReading,
}

impl Pricing {
    /// The pricing of one page: its reading as first shown, and, when its switch was
    /// pressed, the reading of the other billing view.
    pub fn from_readings(
        url: &str,
        source: PricingSource,
        first: &PageReading,
        switched: Option<&SwitchedReading>,
    ) -> Pricing {
        let plans = billing::plans(first, switched);
        facts::derive(url, source, first, switched, plans)
    }

    /// Reads a page's pricing from its HTML alone (no switch pressed).
    pub fn from_html(html: &str, url: &url::Url, source: PricingSource) -> Pricing {
        let reading = read_page(html, url);
        Pricing::from_readings(url.as_str(), source, &reading, None)
    }
}
