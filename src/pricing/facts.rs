//! The product-level facts a consultant reads off a pricing page, derived from the plans
//! and from what the page states: free plan, free trial and its length, reverse trial,
//! contact-sales only, the monthly/annual switch and its discount, the value metric,
//! self-serve upgrade and an enterprise tier. Each fact keeps its reason; a fact the page
//! does not settle is `None`, and the reason says why.

use std::collections::HashMap;

use super::page::{PageReading, Sentence};
use super::signals::SIGNALS;
use super::{Amount, FactReasons, Pricing, PricingPlan, PricingSource, SwitchedReading, Unit};
use crate::text::{has_phrase, normalize};

/// The pricing of a page from its plans and what it states.
pub fn derive(
    url: &str,
    source: PricingSource,
    first: &PageReading,
    switched: Option<&SwitchedReading>,
    plans: Vec<PricingPlan>,
) -> Pricing {
    let mut reasons = FactReasons {
        plans: match switched {
            Some(s) => format!(
                "{}; the monthly/annual switch was pressed (\"{}\") and the prices read both ways",
                first.found, s.pressed
            ),
            None => first.found.clone(),
        },
        ..FactReasons::default()
    };
    let statements: Vec<&Sentence> = first.sentences.iter().filter(|s| !s.question).collect();
    let any = !plans.is_empty();
    let paid: Vec<&PricingPlan> = plans
        .iter()
        .filter(|p| p.price.is_some_and(|a| !a.is_zero()))
        .collect();

    let free_plan = if !any {
        reasons.free_plan = "no plans were read".into();
        None
    } else if let Some(free) = plans.iter().find(|p| p.price.is_some_and(Amount::is_zero)) {
        reasons.free_plan = format!("{} costs nothing ({})", free.name, free.why.price);
        Some(true)
    } else {
        reasons.free_plan = "every plan costs money or asks for a quote".into();
        Some(false)
    };

    let (trial_days, days_said) = trial_length(&statements);
    let trial_cta = plans
        .iter()
        .find(|p| p.cta_kind == Some(super::CtaKind::Trial));
    let trial_said = statements.iter().find(|s| offers_trial(s));
    let free_trial = trial_days.is_some() || trial_cta.is_some() || trial_said.is_some();
    reasons.free_trial = if let Some(said) = &days_said {
        format!("\"{said}\"")
    } else if let Some(p) = trial_cta {
        format!(
            "{}'s button \"{}\"",
            p.name,
            p.cta.clone().unwrap_or_default()
        )
    } else if let Some(s) = trial_said {
        format!("\"{}\"", s.written)
    } else {
        "the page offers no free trial".into()
    };
    reasons.trial_days = match (&days_said, free_trial) {
        (Some(said), _) => format!("\"{said}\""),
        (None, true) => "a free trial is offered, but its length is not stated".into(),
        (None, false) => "no free trial".into(),
    };

    let reverse_said = statements
        .iter()
        .find(|s| SIGNALS.reverse_trial.iter().any(|r| r.is_match(&s.text)));
    let reverse_trial = match (reverse_said, free_plan) {
        (Some(s), Some(true)) => {
            reasons.reverse_trial =
                format!("\"{}\", and the free plan stays afterwards", s.written);
            Some(true)
        }
        (Some(s), _) => {
            reasons.reverse_trial = format!(
                "\"{}\", but there is no free plan to drop to: an ordinary trial",
                s.written
            );
            Some(false)
        }
        (None, _) if !free_trial => {
            reasons.reverse_trial = "no trial".into();
            Some(false)
        }
        (None, _) => {
            reasons.reverse_trial = "nothing says new accounts start on a paid plan".into();
            Some(false)
        }
    };

    let contact_sales_only = if !any {
        reasons.contact_sales_only = "no plans were read".into();
        None
    } else if plans.iter().all(|p| p.price.is_none()) {
        reasons.contact_sales_only = format!("none of the {} plans shows a price", plans.len());
        Some(true)
    } else {
        let shown: Vec<&str> = plans
            .iter()
            .filter(|p| p.price.is_some())
            .map(|p| p.name.as_str())
            .collect();
        reasons.contact_sales_only = format!("prices shown for {}", shown.join(", "));
        Some(false)
    };

    let annual_toggle = match &first.switch {
        Some(s) => {
            reasons.annual_toggle =
                format!("the page has a monthly/annual switch: {}", s.describe());
            Some(true)
        }
        None => {
            reasons.annual_toggle = "no monthly/annual switch on the page".into();
            Some(false)
        }
    };

    let annual_discount_percent = discount(&plans, &statements, &mut reasons);
    let value_metric = value_metric(&plans, &first.plans, &mut reasons);

    let self_serve_upgrade = if paid.is_empty() {
        reasons.self_serve_upgrade = if any {
            "no plan shows a price to pay".into()
        } else {
            "no plans were read".into()
        };
        if any {
            Some(false)
        } else {
            None
        }
    } else if let Some(p) = paid
        .iter()
        .find(|p| p.cta_kind.is_some_and(super::CtaKind::is_self_serve))
    {
        reasons.self_serve_upgrade = format!(
            "{}'s button \"{}\" is a {}",
            p.name,
            p.cta.clone().unwrap_or_default(),
            p.cta_kind.map(super::CtaKind::as_str).unwrap_or_default()
        );
        Some(true)
    } else if let Some(p) = paid.iter().find(|p| p.cta_kind.is_none()) {
        reasons.self_serve_upgrade = format!(
            "no paid plan's button is a signup, trial or purchase, and {}'s button ({}) says nothing",
            p.name,
            p.cta.clone().map_or("none".to_string(), |c| format!("\"{c}\""))
        );
        None
    } else {
        let buttons: Vec<String> = paid
            .iter()
            .map(|p| format!("{}: \"{}\"", p.name, p.cta.clone().unwrap_or_default()))
            .collect();
        reasons.self_serve_upgrade = format!(
            "every paid plan goes through sales or a waitlist ({})",
            buttons.join(", ")
        );
        Some(false)
    };

    let enterprise_tier = if !any {
        reasons.enterprise_tier = "no plans were read".into();
        None
    } else if let Some(p) = plans.iter().find(|p| {
        let name = normalize(&p.name);
        SIGNALS
            .enterprise_names
            .iter()
            .any(|w| has_phrase(&name, w))
    }) {
        reasons.enterprise_tier = format!("a plan named \"{}\"", p.name);
        Some(true)
    } else if let Some(p) = plans.iter().find(|p| {
        p.price.is_none() && p.cta_kind == Some(super::CtaKind::ContactSales) && !paid.is_empty()
    }) {
        reasons.enterprise_tier = format!(
            "{} has no price and a contact-sales button, above plans with prices",
            p.name
        );
        Some(true)
    } else {
        reasons.enterprise_tier = "no enterprise plan and no plan sold only through sales".into();
        Some(false)
    };

    Pricing {
        url: url.to_string(),
        source,
        screenshot: None,
        plans,
        free_plan,
        free_trial: Some(free_trial),
        trial_days,
        reverse_trial,
        contact_sales_only,
        annual_toggle,
        annual_discount_percent,
        value_metric,
        self_serve_upgrade,
        enterprise_tier,
        reasons,
    }
}

/// Whether a sentence offers a free trial (and does not deny one).
fn offers_trial(s: &Sentence) -> bool {
    SIGNALS.trial_words.iter().any(|w| has_phrase(&s.text, w))
        && !SIGNALS
            .trial_negations
            .iter()
            .any(|n| has_phrase(&s.text, n))
}

/// The trial's length in days the page states most often, with the sentence saying it.
fn trial_length(statements: &[&Sentence]) -> (Option<u32>, Option<String>) {
    let s = &*SIGNALS;
    let mut found: Vec<(u32, &str)> = Vec::new();
    for sentence in statements {
        if s.trial_negations
            .iter()
            .any(|n| has_phrase(&sentence.text, n))
        {
            continue;
        }
        for re in &s.trial_lengths {
            if let Some(c) = re.captures(&sentence.text) {
                let n = c.name("n").and_then(|n| s.number(n.as_str()));
                let per = c
                    .name("unit")
                    .and_then(|u| s.time_units.get(u.as_str()).copied())
                    .unwrap_or(1);
                if let Some(n) = n {
                    found.push((n * per, &sentence.written));
                    break;
                }
            }
        }
    }
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for (days, _) in &found {
        *counts.entry(*days).or_default() += 1;
    }
    // Most often stated; on a tie, the first stated. Quoted where first stated.
    let most = counts.values().copied().max().unwrap_or(0);
    match found.iter().find(|(days, _)| counts[days] == most) {
        Some((days, said)) => (Some(*days), Some(said.to_string())),
        None => (None, None),
    }
}

/// How much cheaper yearly billing is: from the plans' prices both ways, else as stated
/// beside yearly words ("save 20%", "two months free").
fn discount(
    plans: &[PricingPlan],
    statements: &[&Sentence],
    reasons: &mut FactReasons,
) -> Option<u32> {
    let computed: Vec<(String, u32)> = plans
        .iter()
        .filter_map(|p| {
            let monthly = p.price?.value();
            let annual = p.price_annual?.value();
            (monthly > 0.0
                && annual > 0.0
                && annual < monthly
                && p.period == Some(super::Period::Month))
            .then(|| {
                let pct = ((1.0 - annual / monthly) * 100.0).round() as u32;
                (p.name.clone(), pct)
            })
        })
        .collect();
    if let Some(max) = computed.iter().map(|(_, pct)| *pct).max() {
        let each: Vec<String> = computed
            .iter()
            .map(|(name, pct)| format!("{name} {pct} %"))
            .collect();
        reasons.annual_discount_percent = if computed.iter().all(|(_, p)| *p == max) {
            format!(
                "yearly billing costs {max} % less per month ({})",
                each.join(", ")
            )
        } else {
            format!(
                "up to {max} % less per month when billed yearly ({})",
                each.join(", ")
            )
        };
        return Some(max);
    }
    let s = &*SIGNALS;
    for sentence in statements {
        if !s.annual_words.iter().any(|w| has_phrase(&sentence.text, w)) {
            continue;
        }
        if let Some(p) = s
            .annual_percent
            .iter()
            .find_map(|re| re.captures(&sentence.text))
            .and_then(|c| c.name("p")?.as_str().parse::<u32>().ok())
        {
            reasons.annual_discount_percent = format!("\"{}\"", sentence.written);
            return Some(p);
        }
        if let Some(m) = s
            .annual_months
            .iter()
            .find_map(|re| re.captures(&sentence.text))
            .and_then(|c| s.number(c.name("m")?.as_str()))
        {
            let pct = (f64::from(m) / 12.0 * 100.0).round() as u32;
            reasons.annual_discount_percent =
                format!("\"{}\": {m} of 12 months free is {pct} %", sentence.written);
            return Some(pct);
        }
    }
    reasons.annual_discount_percent =
        "no yearly price beside a monthly one, and no stated yearly discount".into();
    None
}

/// What the paid plans' prices scale with: metered usage, then seats, then tiers that
/// step with a quantity, then one flat price.
fn value_metric(
    plans: &[PricingPlan],
    cards: &[super::page::PlanReading],
    reasons: &mut FactReasons,
) -> Option<Unit> {
    let paid: Vec<(&PricingPlan, &[super::page::Limit])> = plans
        .iter()
        .enumerate()
        .filter(|(_, p)| p.price.is_some_and(|a| !a.is_zero()))
        .map(|(i, p)| (p, cards.get(i).map_or(&[][..], |c| c.limits.as_slice())))
        .collect();
    if paid.is_empty() {
        reasons.value_metric = "no plan shows a price to scale".into();
        return None;
    }
    if let Some((p, _)) = paid.iter().find(|(p, _)| p.unit == Some(Unit::Usage)) {
        reasons.value_metric = format!("{} is priced {}", p.name, p.why.unit);
        return Some(Unit::Usage);
    }
    if let Some((p, _)) = paid.iter().find(|(p, _)| !p.metered.is_empty()) {
        reasons.value_metric = format!(
            "{} meters usage on top of its price ({}); metered usage wins",
            p.name,
            p.metered.join(", ")
        );
        return Some(Unit::Usage);
    }
    if let Some((p, _)) = paid.iter().find(|(p, _)| p.unit == Some(Unit::Seat)) {
        reasons.value_metric = format!("{} is priced {}", p.name, p.why.unit);
        return Some(Unit::Seat);
    }
    if let Some((unit, why)) = tiered_metric(&paid) {
        reasons.value_metric = why;
        return Some(unit);
    }
    if paid.iter().all(|(p, _)| p.unit == Some(Unit::Flat)) {
        reasons.value_metric = "one price per plan, whatever the use".into();
        return Some(Unit::Flat);
    }
    reasons.value_metric = "the prices' units were not understood".into();
    None
}

/// Flat-priced tiers that step with a quantity ("Up to 1,500 contacts" → "Up to 5,000
/// contacts") are priced by that quantity.
fn tiered_metric(paid: &[(&PricingPlan, &[super::page::Limit])]) -> Option<(Unit, String)> {
    if paid.len() < 2 || paid.iter().any(|(p, _)| p.unit != Some(Unit::Flat)) {
        return None;
    }
    let mut sorted: Vec<&(&PricingPlan, &[super::page::Limit])> = paid.iter().collect();
    sorted.sort_by(|a, b| {
        a.0.price
            .map(Amount::value)
            .partial_cmp(&b.0.price.map(Amount::value))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let first = sorted[0].1;
    for limit in first {
        let steps: Option<Vec<f64>> = sorted
            .iter()
            .map(|(_, limits)| {
                limits
                    .iter()
                    .find(|l| l.noun == limit.noun)
                    .map(|l| l.quantity)
            })
            .collect();
        if let Some(steps) = steps {
            if steps.windows(2).all(|w| w[1] > w[0]) {
                let shown: Vec<String> = steps.iter().map(|q| format_quantity(*q)).collect();
                return Some((
                    limit.unit,
                    format!(
                        "the plans step with {} ({}) as the price rises",
                        limit.noun,
                        shown.join(" → ")
                    ),
                ));
            }
        }
    }
    None
}

fn format_quantity(q: f64) -> String {
    if q >= 1e6 && (q / 1e6).fract() == 0.0 {
        format!("{}M", q / 1e6)
    } else if q.fract() == 0.0 {
        format!("{q:.0}")
    } else {
        q.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(written: &str) -> Sentence {
        Sentence {
            text: normalize(&written.replace('%', " percent ")),
            written: written.to_string(),
            question: written.ends_with('?'),
        }
    }

    fn days(written: &str) -> Option<u32> {
        let s = said(written);
        trial_length(&[&s]).0
    }

    #[test]
    fn trial_lengths_in_five_languages() {
        assert_eq!(
            days("Every plan starts with a 14-day free trial."),
            Some(14)
        );
        assert_eq!(days("Try Pro free for 14 days"), Some(14));
        assert_eq!(days("Your trial runs for 30 days."), Some(30));
        assert_eq!(days("Start a 2-week trial"), Some(14));
        assert_eq!(days("14 Tage kostenlos testen"), Some(14));
        assert_eq!(
            days("Tous les forfaits commencent par 14 jours d'essai gratuit."),
            Some(14)
        );
        assert_eq!(days("Prueba gratuita de 14 días, sin tarjeta."), Some(14));
        assert_eq!(days("Teste grátis por 7 dias"), Some(7));
    }

    #[test]
    fn months_free_for_yearly_billing_are_no_trial() {
        assert_eq!(days("Yes, yearly plans get two months free."), None);
    }

    fn stated_discount(written: &str) -> Option<u32> {
        let s = said(written);
        discount(&[], &[&s], &mut FactReasons::default())
    }

    #[test]
    fn stated_yearly_discounts_in_percent_and_in_months() {
        assert_eq!(stated_discount("Save 20% with annual billing"), Some(20));
        assert_eq!(stated_discount("Jährlich 20 % sparen"), Some(20));
        assert_eq!(
            stated_discount("Économisez 20 % avec la facturation annuelle"),
            Some(20)
        );
        assert_eq!(stated_discount("Ahorra 15% con el plan anual"), Some(15));
        assert_eq!(
            stated_discount("Save two months with yearly billing."),
            Some(17)
        );
        assert_eq!(stated_discount("Nonprofits get 50% off any plan."), None);
    }

    #[test]
    fn a_denied_trial_is_no_offer() {
        assert!(!offers_trial(&said("We don't offer self-serve trials.")));
        assert!(offers_trial(&said("Start your free trial today.")));
    }
}
