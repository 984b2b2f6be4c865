//! A plan's values from its card — and, when the page's monthly/annual switch was pressed,
//! from both views of it. `price` is the month-to-month price when the page shows one,
//! `price_annual` the per-month price when billed yearly.
//!
//! Which view is which comes from the switch's own state after the press, else from the
//! cards' words ("billed yearly", "/year"), else — said in the reason — the cheaper view
//! is taken for the yearly one, as pricing pages discount yearly billing, never the
//! reverse.

use super::page::{Billing, PageReading, PlanReading, PriceLine, WordPrice};
use super::{Amount, CtaKind, Period, PlanReasons, PricingPlan, SwitchedReading, Unit};
use crate::text::normalize;

/// The two views of the page, once told apart.
struct Views<'a> {
    monthly: &'a PageReading,
    annual: &'a PageReading,
    /// How the monthly view was reached ("as first shown", "after pressing …").
    monthly_how: String,
    annual_how: String,
}

/// The plans of the page as first shown, completed by the other view when there is one.
pub fn plans(first: &PageReading, switched: Option<&SwitchedReading>) -> Vec<PricingPlan> {
    let views = switched.and_then(|s| tell_apart(first, s));
    first
        .plans
        .iter()
        .enumerate()
        .map(|(i, card)| match &views {
            Some(v) => {
                let (monthly, annual) = if std::ptr::eq(v.monthly, first) {
                    (Some(card), counterpart(card, i, first, v.annual))
                } else {
                    (counterpart(card, i, first, v.monthly), Some(card))
                };
                both_views(card, monthly, annual, v)
            }
            None => one_view(card),
        })
        .collect()
}

/// The same plan in the other view: by name, else by position when the cards line up.
fn counterpart<'a>(
    card: &PlanReading,
    index: usize,
    first: &PageReading,
    other: &'a PageReading,
) -> Option<&'a PlanReading> {
    let name = normalize(&card.name);
    other
        .plans
        .iter()
        .find(|p| normalize(&p.name) == name)
        .or_else(|| {
            (other.plans.len() == first.plans.len())
                .then(|| other.plans.get(index))
                .flatten()
        })
}

/// Which reading is the monthly view and which the yearly one.
fn tell_apart<'a>(first: &'a PageReading, switched: &'a SwitchedReading) -> Option<Views<'a>> {
    let second = &switched.reading;
    let pressed = format!("after pressing \"{}\"", switched.pressed);
    let shown = "as first shown".to_string();
    let by_switch = |r: &PageReading| r.switch.as_ref().and_then(|s| s.current);
    let by_words = |r: &PageReading| -> Option<Billing> {
        let (mut annual, mut monthly) = (0, 0);
        for p in r.plans.iter().filter_map(PlanReading::headline) {
            match (p.billing, p.period) {
                (Some(Billing::Annual), _) | (_, Some(Period::Year)) => annual += 1,
                (Some(Billing::Monthly), _) => monthly += 1,
                _ => {}
            }
        }
        match annual.cmp(&monthly) {
            std::cmp::Ordering::Greater => Some(Billing::Annual),
            std::cmp::Ordering::Less => Some(Billing::Monthly),
            std::cmp::Ordering::Equal => None,
        }
    };
    let first_view = by_switch(second)
        .map(Billing::other)
        .or_else(|| by_switch(first).filter(|b| Some(*b) != by_switch(second)))
        .or_else(|| by_words(first))
        .or_else(|| by_words(second).map(Billing::other))
        .or_else(|| {
            // Neither says: the cheaper view is the yearly one.
            let total = |r: &PageReading| -> f64 {
                r.plans
                    .iter()
                    .filter_map(|p| per_month(p.headline()?))
                    .map(Amount::value)
                    .sum()
            };
            let (a, b) = (total(first), total(second));
            if a < b {
                Some(Billing::Annual)
            } else if b < a {
                Some(Billing::Monthly)
            } else {
                None
            }
        })?;
    Some(match first_view {
        Billing::Monthly => Views {
            monthly: first,
            annual: second,
            monthly_how: shown,
            annual_how: pressed,
        },
        Billing::Annual => Views {
            monthly: second,
            annual: first,
            monthly_how: pressed,
            annual_how: shown,
        },
    })
}

/// The per-month amount of a price line: a yearly amount divided by twelve.
fn per_month(p: &PriceLine) -> Option<Amount> {
    match p.period {
        Some(Period::Month) | None => Some(p.price.amount),
        Some(Period::Year) => Some(Amount::cents(p.price.amount.value() / 12.0)),
        Some(Period::OneTime) => None,
    }
}

/// Values read from one view of a card.
struct Read {
    price: Option<Amount>,
    currency: Option<String>,
    period: Option<Period>,
    unit: Option<Unit>,
    price_annual: Option<Amount>,
    starting_at: bool,
    metered: Vec<String>,
    why: PlanReasons,
}

fn currency_reason(p: &PriceLine) -> String {
    match &p.price.currency {
        Some(code) => format!("\"{}\" is {code}", p.price.sign),
        None => format!("\"{}\" names no currency known", p.price.sign),
    }
}

/// A card read on its own: its headline price, and the other prices beside it.
fn read_card(card: &PlanReading) -> Read {
    let mut why = PlanReasons {
        name: card.name_why.clone(),
        ..PlanReasons::default()
    };
    let metered: Vec<String> = card
        .prices
        .iter()
        .enumerate()
        .filter(|(i, p)| Some(*i) != card.headline && p.unit == Some(Unit::Usage))
        .map(|(_, p)| p.shown.clone())
        .collect();
    let Some(headline) = card.headline() else {
        let (price, said) = match &card.word_price {
            Some(WordPrice::Free(w)) => (Some(Amount(0.0)), format!("\"{w}\": it costs nothing")),
            Some(WordPrice::Custom(w)) => (None, format!("\"{w}\" instead of a price")),
            None => (None, "no price in the card".to_string()),
        };
        why.price = said;
        why.currency = "no amount to read a currency from".into();
        why.period = "no amount, so no period".into();
        why.unit = if price.is_some() {
            "a free plan charges for nothing".into()
        } else {
            "no price, so nothing it scales with".into()
        };
        why.price_annual = "no price".into();
        return Read {
            price,
            currency: None,
            period: None,
            unit: None,
            price_annual: None,
            starting_at: false,
            metered,
            why,
        };
    };

    let others: Vec<&PriceLine> = card
        .prices
        .iter()
        .enumerate()
        .filter(|(i, p)| Some(*i) != card.headline && !p.in_list && p.unit != Some(Unit::Usage))
        .map(|(_, p)| p)
        .collect();
    let monthly_beside = others
        .iter()
        .find(|p| p.billing == Some(Billing::Monthly) && p.price.amount > headline.price.amount);
    let annual_beside = others.iter().find(|p| p.billing == Some(Billing::Annual));

    let (main, main_why) = match (headline.billing, monthly_beside) {
        (Some(Billing::Annual), Some(m)) => (
            *m,
            format!(
                "\"{}\" beside the yearly-billed \"{}\": the month-to-month price",
                m.shown, headline.shown
            ),
        ),
        _ => (headline, format!("\"{}\"", headline.shown)),
    };
    let price = main.price.amount;
    why.price = main_why;
    why.currency = currency_reason(main);
    let period = if std::ptr::eq(main, headline) {
        headline.period
    } else {
        Some(Period::Month)
    };
    why.period = match (&main.period_words, period) {
        (Some(w), Some(_)) => format!("\"{w}\""),
        (None, Some(_)) => "\"monthly\" beside the price".into(),
        (_, None) => "no billing period after the price".into(),
    };
    let unit = match headline.unit {
        Some(u) => {
            why.unit = format!("\"{}\"", headline.unit_words.clone().unwrap_or_default());
            Some(u)
        }
        None if price.is_zero() => {
            why.unit = "a free plan charges for nothing".into();
            None
        }
        None => {
            why.unit = "no per-seat or usage words after the price: one price for the plan".into();
            Some(Unit::Flat)
        }
    };
    let price_annual = if headline.billing == Some(Billing::Annual) {
        why.price_annual = format!(
            "\"{}\" beside \"{}\"",
            headline.billing_words.clone().unwrap_or_default(),
            headline.shown
        );
        per_month(headline)
    } else if let Some(a) = annual_beside {
        why.price_annual = format!("\"{}\" beside the price", a.shown);
        per_month(a)
    } else if price.is_zero() {
        why.price_annual = "a free plan".into();
        None
    } else {
        why.price_annual = "the page shows no yearly price".into();
        None
    };
    Read {
        price: Some(price),
        currency: main.price.currency.clone(),
        period,
        unit,
        price_annual,
        starting_at: headline.starting_at,
        metered,
        why,
    }
}

fn finish(card: &PlanReading, read: Read) -> PricingPlan {
    let mut why = read.why;
    let (cta, mut cta_kind) = match &card.cta {
        Some(c) => {
            why.cta = c.why.clone();
            (Some(c.text.clone()), c.kind)
        }
        None => {
            why.cta = "the card has no button".into();
            (None, None)
        }
    };
    if cta_kind == Some(CtaKind::Trial) && read.price.is_some_and(Amount::is_zero) {
        cta_kind = Some(CtaKind::Signup);
        why.cta
            .push_str("; a free plan has nothing to trial, so it is a signup");
    }
    why.highlighted = card
        .highlighted
        .clone()
        .unwrap_or_else(|| "no badge or distinct card".into());
    PricingPlan {
        name: card.name.clone(),
        price: read.price,
        currency: read.currency,
        period: read.period,
        unit: read.unit,
        price_annual: read.price_annual,
        cta,
        cta_kind,
        highlighted: card.highlighted.is_some(),
        features: card.features.clone(),
        starting_at: read.starting_at,
        metered: read.metered,
        why,
    }
}

fn one_view(card: &PlanReading) -> PricingPlan {
    finish(card, read_card(card))
}

/// A plan seen both ways: the monthly view gives the price, the yearly view `price_annual`.
fn both_views(
    card: &PlanReading,
    monthly: Option<&PlanReading>,
    annual: Option<&PlanReading>,
    views: &Views,
) -> PricingPlan {
    let base = monthly.unwrap_or(card);
    let mut read = read_card(base);
    if let Some(m) = monthly.and_then(PlanReading::headline) {
        read.why.price = format!("{}: \"{}\"", views.monthly_how, m.shown);
        // A monthly view that still says "billed yearly" has no month-to-month price.
        if m.billing != Some(Billing::Annual) {
            read.price_annual = None;
        }
    }
    match annual.and_then(PlanReading::headline) {
        Some(a) if read.price.is_some_and(|p| !p.is_zero()) => {
            read.price_annual = per_month(a);
            read.why.price_annual = format!("{}: \"{}\"", views.annual_how, a.shown);
            if a.period == Some(Period::Year) {
                read.why.price_annual.push_str(", divided by 12");
            }
        }
        _ if read.price.is_some_and(|p| !p.is_zero()) => {
            read.why.price_annual = format!("{} the card shows no price", views.annual_how);
        }
        _ => {}
    }
    finish(card, read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::read_page;

    fn page(html: &str) -> PageReading {
        read_page(html, &url::Url::parse("https://acme.test/pricing").unwrap())
    }

    const YEARLY_FIRST: &str = r#"<body><div class="plans">
        <div class="plan"><h3>Free</h3><p>$0</p><p>forever</p><a href="/join">Get started</a></div>
        <div class="plan"><h3>Team</h3><p>$8</p><p>per member / month, billed yearly ($10 monthly)</p><a href="/join?plan=team">Try Team free for 14 days</a></div>
        <div class="plan"><h3>Enterprise</h3><p>Custom</p><a href="mailto:sales@acme.test">Contact sales</a></div>
      </div></body>"#;

    #[test]
    fn a_yearly_price_with_its_monthly_price_beside_it_gives_both() {
        let plans = plans(&page(YEARLY_FIRST), None);
        let team = &plans[1];
        assert_eq!(team.price, Some(Amount(10.0)));
        assert_eq!(team.price_annual, Some(Amount(8.0)));
        assert_eq!(team.period, Some(Period::Month));
        assert_eq!(team.unit, Some(Unit::Seat));
        assert_eq!(team.cta_kind, Some(CtaKind::Trial));
    }

    #[test]
    fn free_and_custom_plans_read_as_zero_and_unknown() {
        let plans = plans(&page(YEARLY_FIRST), None);
        assert_eq!(
            (plans[0].price, plans[0].period, plans[0].unit),
            (Some(Amount(0.0)), None, None)
        );
        assert_eq!(plans[2].price, None);
        assert_eq!(plans[2].why.price, "\"Custom\" instead of a price");
        assert_eq!(plans[2].cta_kind, Some(CtaKind::ContactSales));
    }

    #[test]
    fn both_views_of_a_switch_give_price_and_price_annual() {
        let monthly = page(
            r#"<body><div role="group"><button aria-pressed="true">Monthly</button><button aria-pressed="false">Yearly</button></div>
            <div class="plans"><div><h3>Pro</h3><p>$12 per user/month</p><a href="/signup">Buy</a></div>
            <div><h3>Business</h3><p>$24 per user/month</p><a href="/signup">Buy</a></div></div></body>"#,
        );
        let yearly = page(
            r#"<body><div role="group"><button aria-pressed="false">Monthly</button><button aria-pressed="true">Yearly</button></div>
            <div class="plans"><div><h3>Pro</h3><p>$115.20 per user/year</p><a href="/signup">Buy</a></div>
            <div><h3>Business</h3><p>$230.40 per user/year</p><a href="/signup">Buy</a></div></div></body>"#,
        );
        let switched = SwitchedReading {
            pressed: "Yearly".into(),
            reading: yearly,
        };
        let plans = plans(&monthly, Some(&switched));
        assert_eq!(plans[0].price, Some(Amount(12.0)));
        assert_eq!(plans[0].price_annual, Some(Amount(9.6)));
        assert_eq!(plans[1].price_annual, Some(Amount(19.2)));
        assert_eq!(
            plans[0].why.price_annual,
            "after pressing \"Yearly\": \"$115.20 per user/year\", divided by 12"
        );
    }
}
