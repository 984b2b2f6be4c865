//! Growth mechanics and the growth stack on fixture products. Each product's `growth.toml`
//! states which mechanics a person finds on it and which tools it runs; the audit must
//! report exactly that — every mechanic present on one product and absent on another, and
//! each tool likewise — with evidence of the kind that shows it (a plain script tag, a
//! loader snippet, a global, a screen seen only during the journey).
//!
//! Each product is audited once (full discovery and journey) and shared by the tests that
//! look at it.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use common::{fixture, plg_audit, report, stderr};
use serde::Deserialize;
use serde_json::Value;

/// What a product's `growth.toml` says.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrowthLabels {
    mechanics: Vec<String>,
    vendors: Vec<String>,
    journey_only: Vec<String>,
}

/// One audit's output directory and its two JSON files.
struct Audited {
    dir: PathBuf,
    report: Value,
    artifacts: Value,
}

/// The product's audit, run once per test binary.
fn audited(name: &str) -> Arc<OnceLock<Audited>> {
    static RUNS: LazyLock<Mutex<HashMap<String, Arc<OnceLock<Audited>>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    let slot = RUNS
        .lock()
        .unwrap()
        .entry(name.to_string())
        .or_default()
        .clone();
    slot.get_or_init(|| run(name));
    slot
}

fn run(name: &str) -> Audited {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("growth-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.to_string_lossy().to_string();
    let o = if name == "demo" {
        plg_audit(&["demo", "--out", &out, "--quiet"])
    } else {
        let site = fixture(name);
        common::audit(site.url(), &dir, &[])
    };
    assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
    let artifacts = std::fs::read_to_string(dir.join("artifacts.json")).expect("artifacts.json");
    Audited {
        report: report(&dir),
        artifacts: serde_json::from_str(&artifacts).expect("artifacts.json is JSON"),
        dir,
    }
}

fn with<T>(name: &str, f: impl FnOnce(&Audited) -> T) -> T {
    let slot = audited(name);
    f(slot.get().expect("audited"))
}

fn labels(name: &str) -> GrowthLabels {
    let path = if name == "demo" {
        common::repo_path("src/demo/site/_growth.toml")
    } else {
        common::repo_path(&format!("tests/fixtures/{name}/growth.toml"))
    };
    let text = std::fs::read_to_string(&path).expect("the product has growth labels");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The report's growth facts in the labels' terms.
fn measured(report: &Value) -> GrowthLabels {
    let mechanics = report["mechanics"]
        .as_object()
        .expect("mechanics")
        .iter()
        .filter(|(_, f)| f["present"] == true)
        .map(|(m, _)| m.clone())
        .collect();
    let stack = report["stack"].as_array().expect("stack");
    let ids = |only_journey: bool| -> Vec<String> {
        stack
            .iter()
            .filter(|v| !only_journey || v["journey_only"] == true)
            .map(|v| v["vendor"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    GrowthLabels {
        mechanics: sorted(mechanics),
        vendors: sorted(ids(false)),
        journey_only: sorted(ids(true)),
    }
}

fn assert_labels_hold(name: &str) {
    with(name, |a| {
        let want = labels(name);
        let want = GrowthLabels {
            mechanics: sorted(want.mechanics),
            vendors: sorted(want.vendors),
            journey_only: sorted(want.journey_only),
        };
        assert_eq!(
            measured(&a.report),
            want,
            "{name}: mechanics {:#}\nstack {:#}",
            a.report["mechanics"],
            a.report["stack"]
        );
        assert_eq!(common::schema_errors(&a.report), Vec::<String>::new());
    });
}

macro_rules! labelled {
    ($($test:ident => $product:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                assert_labels_hold($product);
            }
        )*
    };
}

labelled! {
    demo_product_invites_shares_and_runs_appcues_in_the_app => "demo",
    freemium_notes_app_with_templates_share_menu_and_affiliates => "freemium",
    sales_led_product_with_tag_manager_and_ad_pixels => "saleslead",
    client_rendered_app_with_a_self_hosted_mixpanel => "spa",
    form_builder_with_share_embed_and_a_made_with_badge => "journey-cookie",
    kanban_onboarding_invites_and_a_broken_templates_link => "journey-wizard",
    waitlist_with_a_referral_link => "journey-waitlist",
    stripe_only_on_the_billing_screen => "journey-card",
    captcha_product_with_chat_and_analytics_only => "journey-captcha",
}

/// The evidence of one vendor: (kind, match, step).
fn evidence_of(report: &Value, vendor: &str) -> Vec<(String, String, Value)> {
    report["stack"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["vendor"] == vendor)
        .unwrap_or_else(|| panic!("{vendor} is in the stack: {:#}", report["stack"]))["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["match"].as_str().unwrap().to_string(),
                e["step"].clone(),
            )
        })
        .collect()
}

fn kinds(report: &Value, vendor: &str) -> Vec<String> {
    let mut k: Vec<String> = evidence_of(report, vendor)
        .into_iter()
        .map(|(kind, _, _)| kind)
        .collect();
    k.sort();
    k.dedup();
    k
}

#[test]
fn a_script_tag_that_never_loads_offline_is_recognised_by_its_request_and_its_src() {
    with("journey-waitlist", |a| {
        assert_eq!(kinds(&a.report, "fathom"), vec!["request", "script"]);
    });
}

#[test]
fn a_loader_snippet_shows_its_vendor_by_the_snippet_the_tag_it_injects_and_its_stub() {
    with("freemium", |a| {
        assert_eq!(
            kinds(&a.report, "segment"),
            vec!["global", "inline", "request", "script"]
        );
    });
}

#[test]
fn a_self_hosted_library_is_recognised_by_its_global_alone() {
    with("spa", |a| {
        let mut seen: Vec<(String, String)> = evidence_of(&a.report, "mixpanel")
            .into_iter()
            .map(|(kind, m, _)| (kind, m))
            .collect();
        seen.dedup();
        assert_eq!(
            seen,
            vec![("global".to_string(), "mixpanel.__SV".to_string())]
        );
    });
}

#[test]
fn a_proxied_tool_is_recognised_by_its_snippet_and_global_without_third_party_requests() {
    with("journey-wizard", |a| {
        assert_eq!(kinds(&a.report, "posthog"), vec!["global", "inline"]);
    });
}

#[test]
fn a_tool_loaded_only_on_the_billing_screen_counts_with_its_journey_step() {
    with("journey-card", |a| {
        let stripe = evidence_of(&a.report, "stripe");
        assert!(!stripe.is_empty());
        assert!(stripe.iter().all(|(_, _, step)| *step == 2), "{stripe:?}");
        assert_eq!(
            kinds(&a.report, "stripe"),
            vec!["inline", "request", "script"]
        );
    });
}

#[test]
fn journey_requests_are_recorded_per_step_and_their_hosts_join_the_third_party_hosts() {
    with("journey-card", |a| {
        let requests = a.artifacts["journey"]["requests"].as_array().unwrap();
        let stripe: Vec<&Value> = requests
            .iter()
            .filter(|r| r["host"] == "js.stripe.com")
            .collect();
        assert_eq!(stripe.len(), 1, "{requests:#?}");
        assert_eq!(stripe[0]["step"], 2);
        assert_eq!(stripe[0]["first_party"], false);
        assert_eq!(stripe[0]["failure"], "net::ERR_NAME_NOT_RESOLVED");
        let hosts = a.report["third_party_hosts"].as_array().unwrap();
        assert!(hosts.contains(&Value::from("js.stripe.com")), "{hosts:?}");
        // No page of the site loads Stripe: only the journey's record shows it.
        assert!(a.artifacts["pages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["requests"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["host"] != "js.stripe.com")));
    });
}

#[test]
fn every_journey_screen_is_saved_for_judging_offline() {
    with("journey-card", |a| {
        let steps = a.artifacts["journey"]["steps"].as_array().unwrap();
        let files: Vec<&str> = steps
            .iter()
            .map(|s| s["html_file"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(
            files,
            vec!["pages/journey-01.html", "pages/journey-02.html"]
        );
        let billing = std::fs::read_to_string(a.dir.join(files[1])).unwrap();
        assert!(billing.contains("Add a payment method"));
    });
}

#[test]
fn a_templates_link_that_answers_404_is_no_gallery_and_the_report_says_why() {
    with("journey-wizard", |a| {
        let t = &a.report["mechanics"]["templates"];
        assert_eq!(t["present"], false);
        let origin = a.report["home_url"].as_str().unwrap();
        assert_eq!(
            t["notes"],
            serde_json::json!([
                format!("the link \"Templates\" → {origin} leads to a page read as home, not a template gallery, so it was not counted"),
                format!("the link \"Templates\" → {origin}templates answered HTTP 404, so it was not counted"),
            ])
        );
    });
}

#[test]
fn a_made_with_badge_in_the_app_is_powered_by_evidence_where_the_journey_saw_it() {
    with("journey-cookie", |a| {
        let p = &a.report["mechanics"]["powered_by"];
        assert_eq!(
            p["evidence"],
            serde_json::json!([{
                "url": "https://formpilot.io/?utm_source=form-badge&utm_medium=referral",
                "text": "Made with Formpilot",
                "where": "app"
            }])
        );
    });
}

#[test]
fn in_app_mechanics_not_seen_because_the_journey_stopped_say_so() {
    with("journey-captcha", |a| {
        assert_eq!(
            a.report["mechanics"]["invite"]["notes"],
            serde_json::json!([
                "the signup journey ended captcha before the app's first value, so the app could not be checked in full"
            ])
        );
    });
}

#[test]
fn the_html_report_shows_the_mechanics_grid_and_the_stack_with_evidence() {
    with("journey-card", |a| {
        let html = std::fs::read_to_string(a.dir.join("report.html")).unwrap();
        assert!(html.contains("<h2>Growth loops and stack</h2>"));
        assert!(
            html.contains("<h3>Status page<span>found</span></h3>"),
            "status page is found"
        );
        assert!(html.contains("<h3>Template gallery<span>not found</span></h3>"));
        assert!(html.contains("<h3>Stack</h3>"));
        assert!(html.contains("<strong>Stripe</strong><br><span class=\"muted\">seen only during the signup journey</span>"));
    });
}

#[test]
fn a_vendor_file_adds_a_tool_and_replaces_one_by_id() {
    let dir = common::out_dir();
    let vendors = dir.path().join("vendors.toml");
    std::fs::write(
        &vendors,
        r#"
[[vendor]]
id = "data_layer"
name = "Google data layer"
category = "tag_management"
globals = ["dataLayer"]

[[vendor]]
id = "intercom"
name = "Intercom Messenger"
category = "chat_support"
globals = ["Intercom"]
"#,
    )
    .unwrap();
    let site = fixture("journey-card");
    let out = dir.path().join("run");
    let o = common::audit(
        site.url(),
        &out,
        &[
            "--no-journey",
            "--max-pages",
            "1",
            "--vendors",
            vendors.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = report(&out);
    let names: Vec<(&str, &str)> = r["stack"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["vendor"].as_str().unwrap(), v["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("google_analytics", "Google Analytics"),
            ("intercom", "Intercom Messenger"),
            ("data_layer", "Google data layer"),
        ]
    );
    // Replaced, not merged: only the override's global is left as evidence.
    assert_eq!(kinds(&r, "intercom"), vec!["global"]);
}

#[test]
fn a_wrong_vendor_file_exits_3_naming_the_file_and_line() {
    let dir = common::out_dir();
    let vendors = dir.path().join("vendors.toml");
    std::fs::write(
        &vendors,
        "[[vendor]]\nid = \"acme\"\nname = \"Acme\"\ncategory = \"analytics\"\nhosts = [\"a.acme.io\"]\n",
    )
    .unwrap();
    let o = plg_audit(&[
        "audit",
        "http://127.0.0.1:9/",
        "--offline",
        "--vendors",
        vendors.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let message = stderr(&o);
    let expected = format!(
        "plg-audit: invalid configuration: {}:4: unknown variant `analytics`, expected one of",
        vendors.display()
    );
    assert!(message.starts_with(&expected), "{message}");
    assert_eq!(message.lines().count(), 1, "{message}");
}
