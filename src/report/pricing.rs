//! The pricing section of the HTML report: the product-level facts as rows a reader scans
//! (fact, value, why), so the template stays a layout and the wording lives in one place.

use serde::Serialize;

use crate::pricing::Pricing;

/// One fact as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FactRow {
    pub fact: &'static str,
    pub value: String,
    pub why: String,
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => "unknown".into(),
    }
}

/// The facts of `pricing`, in the order a consultant reads them.
pub fn facts(pricing: &Pricing) -> Vec<FactRow> {
    let r = &pricing.reasons;
    let row = |fact, value, why: &String| FactRow {
        fact,
        value,
        why: why.clone(),
    };
    vec![
        row("Free plan", yes_no(pricing.free_plan), &r.free_plan),
        row("Free trial", yes_no(pricing.free_trial), &r.free_trial),
        row(
            "Trial length",
            pricing
                .trial_days
                .map_or("—".into(), |d| format!("{d} days")),
            &r.trial_days,
        ),
        row(
            "Reverse trial",
            yes_no(pricing.reverse_trial),
            &r.reverse_trial,
        ),
        row(
            "Contact sales only",
            yes_no(pricing.contact_sales_only),
            &r.contact_sales_only,
        ),
        row(
            "Monthly/annual switch",
            yes_no(pricing.annual_toggle),
            &r.annual_toggle,
        ),
        row(
            "Annual discount",
            pricing
                .annual_discount_percent
                .map_or("—".into(), |d| format!("{d} %")),
            &r.annual_discount_percent,
        ),
        row(
            "Value metric",
            pricing
                .value_metric
                .map_or("—".into(), |u| u.as_str().to_string()),
            &r.value_metric,
        ),
        row(
            "Self-serve upgrade",
            yes_no(pricing.self_serve_upgrade),
            &r.self_serve_upgrade,
        ),
        row(
            "Enterprise tier",
            yes_no(pricing.enterprise_tier),
            &r.enterprise_tier,
        ),
    ]
}
