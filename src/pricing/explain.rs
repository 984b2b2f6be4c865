//! `plg-audit pricing`: a page's pricing explained plan by plan, each value with the reason
//! it was read so (or why it was not), then the product-level facts — so a user can see
//! why a price was or was not understood.

use super::{Amount, Pricing, PricingPlan};

/// The text of a saved page, or why it is not an HTML page.
pub fn html_text(bytes: &[u8]) -> Result<String, String> {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err("it is not an HTML page (it holds binary data)".into());
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let start = text.trim_start();
    if start.is_empty() {
        return Err("it is empty".into());
    }
    if start.starts_with('{') || start.starts_with('[') {
        return Err("it is not an HTML page (it holds JSON)".into());
    }
    let lower = text.to_ascii_lowercase();
    let tags = [
        "<!doctype html",
        "<html",
        "<body",
        "<div",
        "<main",
        "<section",
        "<p>",
        "<p ",
        "<table",
        "<article",
        "<span",
        "<h1",
        "<h2",
        "<h3",
        "<ul",
    ];
    if !tags.iter().any(|t| lower.contains(t)) {
        return Err("it is not an HTML page (no HTML elements in it)".into());
    }
    Ok(text.to_string())
}

fn money(amount: Option<Amount>, currency: Option<&str>) -> String {
    match (amount, currency) {
        (Some(a), Some(c)) => format!("{a} {c}"),
        (Some(a), None) => a.to_string(),
        (None, _) => "—".to_string(),
    }
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => "unknown".into(),
    }
}

/// Rows of (label, value, why), aligned.
fn block(rows: &[(&str, String, String)]) -> String {
    let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let w1 = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .min(34);
    rows.iter()
        .map(|(label, value, why)| {
            let line = format!("  {label:<w0$}  {value:<w1$}  {why}");
            line.trim_end().to_string() + "\n"
        })
        .collect()
}

fn plan_block(n: usize, plan: &PricingPlan) -> String {
    let mut out = format!(
        "Plan {n} — {}{}\n",
        if plan.name.is_empty() {
            "(no name)"
        } else {
            &plan.name
        },
        if plan.highlighted {
            " (highlighted)"
        } else {
            ""
        }
    );
    let why = &plan.why;
    let price = match plan.price {
        Some(_) if plan.starting_at => {
            format!("from {}", money(plan.price, plan.currency.as_deref()))
        }
        _ => money(plan.price, plan.currency.as_deref()),
    };
    let mut rows = vec![
        ("name", plan.name.clone(), why.name.clone()),
        ("price", price, why.price.clone()),
        (
            "currency",
            plan.currency.clone().unwrap_or_else(|| "—".into()),
            why.currency.clone(),
        ),
        (
            "period",
            plan.period.map_or("—".into(), |p| p.as_str().to_string()),
            why.period.clone(),
        ),
        (
            "unit",
            plan.unit.map_or("—".into(), |u| u.as_str().to_string()),
            why.unit.clone(),
        ),
        (
            "price_annual",
            plan.price_annual
                .map_or("—".into(), |a| format!("{a} per month")),
            why.price_annual.clone(),
        ),
        (
            "cta",
            match (&plan.cta, plan.cta_kind) {
                (Some(c), Some(k)) => format!("\"{c}\" → {}", k.as_str()),
                (Some(c), None) => format!("\"{c}\" → ?"),
                (None, _) => "—".into(),
            },
            why.cta.clone(),
        ),
        (
            "highlighted",
            if plan.highlighted { "yes" } else { "no" }.into(),
            why.highlighted.clone(),
        ),
    ];
    if !plan.metered.is_empty() {
        rows.push((
            "metered",
            plan.metered.join("; "),
            "usage charged on top".into(),
        ));
    }
    rows.push((
        "features",
        plan.features.len().to_string(),
        plan.features.join(" · "),
    ));
    out.push_str(&block(&rows));
    out
}

/// The readable explanation: how the plans were found, each plan, then the facts.
pub fn to_table(pricing: &Pricing) -> String {
    let mut out = format!(
        "Pricing of {}\n  plans: {}\n\n",
        pricing.url, pricing.reasons.plans
    );
    for (i, plan) in pricing.plans.iter().enumerate() {
        out.push_str(&plan_block(i + 1, plan));
        out.push('\n');
    }
    let r = &pricing.reasons;
    out.push_str("Product\n");
    out.push_str(&block(&[
        ("free_plan", yes_no(pricing.free_plan), r.free_plan.clone()),
        (
            "free_trial",
            yes_no(pricing.free_trial),
            r.free_trial.clone(),
        ),
        (
            "trial_days",
            pricing.trial_days.map_or("—".into(), |d| d.to_string()),
            r.trial_days.clone(),
        ),
        (
            "reverse_trial",
            yes_no(pricing.reverse_trial),
            r.reverse_trial.clone(),
        ),
        (
            "contact_sales_only",
            yes_no(pricing.contact_sales_only),
            r.contact_sales_only.clone(),
        ),
        (
            "annual_toggle",
            yes_no(pricing.annual_toggle),
            r.annual_toggle.clone(),
        ),
        (
            "annual_discount_percent",
            pricing
                .annual_discount_percent
                .map_or("—".into(), |d| format!("{d} %")),
            r.annual_discount_percent.clone(),
        ),
        (
            "value_metric",
            pricing
                .value_metric
                .map_or("—".into(), |u| u.as_str().to_string()),
            r.value_metric.clone(),
        ),
        (
            "self_serve_upgrade",
            yes_no(pricing.self_serve_upgrade),
            r.self_serve_upgrade.clone(),
        ),
        (
            "enterprise_tier",
            yes_no(pricing.enterprise_tier),
            r.enterprise_tier.clone(),
        ),
    ]));
    out
}

/// The pricing as JSON, reasons included.
pub fn to_json(pricing: &Pricing) -> String {
    serde_json::to_string_pretty(pricing).expect("pricing always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_binary_files_are_not_html() {
        assert_eq!(
            html_text(b"{\"plans\": []}").unwrap_err(),
            "it is not an HTML page (it holds JSON)"
        );
        assert_eq!(
            html_text(b"\x89PNG\r\n\x1a\n\0\0\0").unwrap_err(),
            "it is not an HTML page (it holds binary data)"
        );
        assert_eq!(
            html_text(b"just some words").unwrap_err(),
            "it is not an HTML page (no HTML elements in it)"
        );
        assert!(html_text(b"<!doctype html><title>x</title>").is_ok());
    }
}
