//! Pricing on fixture products: each product's `pricing.labels.toml` states every
//! product-level fact and, for each plan, its name, price, currency, period, unit, yearly
//! price, button and what it leads to, badge, "starting at", metered prices and how many
//! bullets it lists — as a person reads the page. The audit must report exactly that.
//! Then `plg-audit pricing` on a saved page and on a URL, and its one-sentence refusals.

mod common;

use std::path::Path;

use common::{audit, fixture, out_dir, plg_audit, report};
use serde::Deserialize;
use serde_json::Value;

/// What a `pricing.labels.toml` says. A fact or value left out is null; `highlighted` and
/// `starting_at` left out are false, `metered` left out is empty.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labels {
    page: String,
    source: String,
    free_plan: Option<bool>,
    free_trial: Option<bool>,
    trial_days: Option<u64>,
    reverse_trial: Option<bool>,
    contact_sales_only: Option<bool>,
    annual_toggle: Option<bool>,
    annual_discount_percent: Option<u64>,
    value_metric: Option<String>,
    self_serve_upgrade: Option<bool>,
    enterprise_tier: Option<bool>,
    #[serde(rename = "plan", default)]
    plans: Vec<PlanLabels>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanLabels {
    name: String,
    price: Option<f64>,
    currency: Option<String>,
    period: Option<String>,
    unit: Option<String>,
    price_annual: Option<f64>,
    cta: Option<String>,
    cta_kind: Option<String>,
    #[serde(default)]
    highlighted: bool,
    #[serde(default)]
    starting_at: bool,
    #[serde(default)]
    metered: Vec<String>,
    features: usize,
}

fn labels(path: &str) -> Labels {
    let path = common::repo_path(path);
    let text = std::fs::read_to_string(&path).expect("the fixture has a pricing.labels.toml");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// The report's `pricing`, in the labels' terms.
fn measured(pricing: &Value, origin: &str) -> Labels {
    let url = pricing["url"].as_str().unwrap_or_default();
    Labels {
        page: url.strip_prefix(origin).unwrap_or(url).to_string(),
        source: pricing["source"].as_str().unwrap_or_default().to_string(),
        free_plan: pricing["free_plan"].as_bool(),
        free_trial: pricing["free_trial"].as_bool(),
        trial_days: pricing["trial_days"].as_u64(),
        reverse_trial: pricing["reverse_trial"].as_bool(),
        contact_sales_only: pricing["contact_sales_only"].as_bool(),
        annual_toggle: pricing["annual_toggle"].as_bool(),
        annual_discount_percent: pricing["annual_discount_percent"].as_u64(),
        value_metric: string(&pricing["value_metric"]),
        self_serve_upgrade: pricing["self_serve_upgrade"].as_bool(),
        enterprise_tier: pricing["enterprise_tier"].as_bool(),
        plans: pricing["plans"]
            .as_array()
            .map(|plans| {
                plans
                    .iter()
                    .map(|p| PlanLabels {
                        name: p["name"].as_str().unwrap_or_default().to_string(),
                        price: p["price"].as_f64(),
                        currency: string(&p["currency"]),
                        period: string(&p["period"]),
                        unit: string(&p["unit"]),
                        price_annual: p["price_annual"].as_f64(),
                        cta: string(&p["cta"]),
                        cta_kind: string(&p["cta_kind"]),
                        highlighted: p["highlighted"].as_bool().unwrap_or(false),
                        starting_at: p["starting_at"].as_bool().unwrap_or(false),
                        metered: p["metered"]
                            .as_array()
                            .map(|m| m.iter().filter_map(string).collect())
                            .unwrap_or_default(),
                        features: p["features"].as_array().map_or(0, Vec::len),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Audits the fixture without the journey (pricing is what is under test).
fn pricing_of(name: &str, out: &Path) -> (Value, String) {
    let site = fixture(name);
    let o = audit(site.url(), out, &["--no-journey", "--max-pages", "4"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let r = report(out);
    assert_eq!(common::schema_errors(&r), Vec::<String>::new());
    (
        r["pricing"].clone(),
        site.url().trim_end_matches('/').to_string(),
    )
}

fn assert_labels_hold(name: &str) {
    let out = out_dir();
    let (pricing, origin) = pricing_of(name, out.path());
    assert!(
        pricing.is_object(),
        "{name}: no pricing: {}",
        report(out.path())["pricing_reason"]
    );
    assert_eq!(
        measured(&pricing, &origin),
        labels(&format!("tests/fixtures/{name}/pricing.labels.toml")),
        "{name}: reasons {:#}",
        pricing["reasons"]
    );
}

macro_rules! labelled {
    ($($test:ident => $fixture:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                assert_labels_hold($fixture);
            }
        )*
    };
}

labelled! {
    a_yearly_first_switch_is_pressed_for_the_monthly_prices => "freemium",
    contact_sales_only_packages_show_no_price => "saleslead",
    a_page_rendered_by_javascript_is_read_once_its_plans_arrive => "spa",
    flat_plans_with_a_stated_two_months_free => "journey-captcha",
    plans_stepping_with_events_are_priced_by_usage => "journey-card",
    prices_without_a_period_stay_without_one => "journey-cookie",
    a_yearly_price_with_its_monthly_price_beside_it => "journey-crossorigin",
    french_prices_units_and_trial => "journey-fr",
    try_free_for_14_days_is_a_trial => "journey-reveal",
    metered_minutes_on_a_flat_price_make_usage_the_value_metric => "journey-sso",
    different_discounts_report_the_largest => "journey-tricky",
    euro_per_sender_plans_and_no_enterprise_card => "journey-upload",
    plans_stepping_with_contacts_and_a_trial_of_unstated_length => "journey-verify",
    waitlist_buttons_are_no_self_serve_upgrade => "journey-waitlist",
    yearly_only_prices_give_no_discount => "journey-wizard",
    a_client_routed_pricing_page_of_a_single_page_app => "journey-modal",
    german_decimal_commas_starting_at_and_a_single_switch => "pricing-de",
    pounds_with_tabs_and_faq_prices_that_are_not_plans => "pricing-uk",
    a_reverse_trial_and_a_plan_singled_out_by_its_class => "pricing-reverse",
    a_per_gb_add_on_on_per_seat_plans_and_a_comparison_table => "pricing-usage",
    plans_only_on_the_home_page => "pricing-home",
    a_button_stating_a_trial_length_is_a_trial => "journey-chat",
}

#[test]
fn the_demo_pricing_with_its_switch_table_and_faq_is_read_as_labelled() {
    let out = out_dir();
    let dir = out.path().to_string_lossy().to_string();
    let o = plg_audit(&[
        "demo",
        "--out",
        &dir,
        "--quiet",
        "--no-journey",
        "--max-pages",
        "4",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let r = report(out.path());
    let url = r["home_url"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    assert_eq!(
        measured(&r["pricing"], &url),
        labels("tests/fixtures/demo.pricing.labels.toml"),
        "reasons {:#}",
        r["pricing"]["reasons"]
    );
}

#[test]
fn the_html_report_shows_the_plans_beside_the_pricing_screenshot() {
    let out = out_dir();
    pricing_of("pricing-uk", out.path());
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    let section = &html[html.find("<h2>Pricing</h2>").expect("a pricing section")..];
    let section = &section[..section.find("</section>").unwrap()];
    for shown in [
        "<strong>Small Business</strong> <span class=\"tag\">highlighted</span>",
        "26 GBP / month · flat",
        "21.5 / month",
        "“Start free trial”",
        "<td>Trial length</td><td>30 days</td>",
        "alt=\"The page the pricing was read from\"",
    ] {
        assert!(section.contains(shown), "{shown} missing from {section}");
    }
}

#[test]
fn artifacts_record_the_time_spent_on_pricing_and_its_switch() {
    let out = out_dir();
    pricing_of("freemium", out.path());
    let text = std::fs::read_to_string(out.path().join("artifacts.json")).unwrap();
    let artifacts: Value = serde_json::from_str(&text).unwrap();
    let timings = &artifacts["timings"];
    assert!(timings["pricing_ms"].as_u64().unwrap() > 0, "{timings}");
    assert!(
        timings["pricing_switch_ms"].as_u64().unwrap() > 0,
        "{timings}"
    );
    assert_eq!(
        artifacts["pricing"]["plans"][1]["why"]["price_annual"],
        "as first shown: \"$8 per member / month, billed yearly\""
    );
}

#[test]
fn a_site_without_pricing_page_or_plan_section_has_no_pricing_and_says_why() {
    let out = out_dir();
    let (pricing, _) = pricing_of("forms-de", out.path());
    assert_eq!(pricing, Value::Null);
    assert_eq!(
        report(out.path())["pricing_reason"],
        "no pricing page was found, and the home page shows no plan section"
    );
}

/// Lines of `text`, whitespace collapsed.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn pricing_explains_a_saved_page_plan_by_plan_with_reasons() {
    let page = common::repo_path("tests/fixtures/pricing-de/preise.html");
    let o = plg_audit(&["pricing", page.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let out = lines(&String::from_utf8_lossy(&o.stdout));
    for expected in [
        "plans: 4 plan cards side by side in <div class=\"inhalt tarife\">",
        "Plan 2 — Team (highlighted)",
        "price 12.99 EUR \"12,99 € pro Nutzer/Monat, monatlich kündbar\"",
        "unit seat \"pro nutzer\"",
        "highlighted yes \"Beliebt\" on the card",
        "Plan 3 — Business",
        "price from 29.99 EUR \"29,99 € pro Nutzer/Monat, monatlich kündbar\"",
        "price — \"Auf Anfrage\" instead of a price",
        "cta \"Vertrieb kontaktieren\" → contact_sales the button says \"vertrieb kontaktieren\"",
        "trial_days 14 \"Team und Business 14 Tage kostenlos testen – ohne Kreditkarte.\"",
        "annual_toggle yes the page has a monthly/annual switch: a switch (Monatlich / Jährlich 20 % sparen) for annual billing",
        "annual_discount_percent 20 % \"Jährlich 20 % sparen\"",
    ] {
        assert!(
            out.iter().any(|l| l == expected),
            "no line {expected:?} in:\n{}",
            out.join("\n")
        );
    }
}

#[test]
fn pricing_of_a_url_presses_the_switch_and_prints_json() {
    let site = fixture("freemium");
    let url = format!("{}/plans", site.url().trim_end_matches('/'));
    let o = plg_audit(&["pricing", &url, "--json", "--offline"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let pricing: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let plus = &pricing["plans"][1];
    assert_eq!(
        (&plus["name"], &plus["price"], &plus["price_annual"]),
        (&Value::from("Plus"), &Value::from(10), &Value::from(8))
    );
    assert_eq!(
        pricing["reasons"]["plans"],
        "4 plan cards side by side in <div class=\"wrap tiers\">; the monthly/annual switch was pressed (\"Monthly\") and the prices read both ways"
    );
}

#[test]
fn a_page_without_prices_gets_one_sentence() {
    let page = common::repo_path("tests/fixtures/freemium/features.html");
    let page = page.to_str().unwrap();
    let o = plg_audit(&["pricing", page]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        common::stderr(&o),
        format!(
            "plg-audit: {page} shows no pricing plans: no plan cards and no prices on the page"
        )
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn a_file_that_is_not_html_gets_one_sentence() {
    let file = common::repo_path("tests/fixtures/spa/api/plans.json");
    let file = file.to_str().unwrap();
    let o = plg_audit(&["pricing", file]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        common::stderr(&o),
        format!("plg-audit: cannot read {file}: it is not an HTML page (it holds JSON)")
    );
}
