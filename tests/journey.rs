//! The signup journey on fixture products: each product's `labels.toml` states the true
//! outcome, steps, required fields, SSO providers and whether the value moment was reached;
//! the audit must report exactly that.

mod common;

use std::path::Path;

use common::{audit, fixture, out_dir, report};
use serde::Deserialize;

/// What a fixture's `labels.toml` says about its signup journey.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labels {
    outcome: String,
    steps: u64,
    fields_required: u64,
    sso_providers: Vec<String>,
    reached_value: bool,
}

fn labels(name: &str) -> Labels {
    let path = common::repo_path(&format!("tests/fixtures/{name}/labels.toml"));
    let text = std::fs::read_to_string(&path).expect("the fixture has a labels.toml");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The journey as the report states it, in the labels' terms.
fn measured(signup: &serde_json::Value) -> Labels {
    Labels {
        outcome: signup["outcome"].as_str().unwrap_or_default().to_string(),
        steps: signup["steps"].as_u64().unwrap_or(u64::MAX),
        fields_required: signup["fields"]["required"].as_u64().unwrap_or(u64::MAX),
        sso_providers: signup["sso_providers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| p.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default(),
        reached_value: signup["reached_value"].as_bool().unwrap_or(false),
    }
}

/// Audits the fixture (few pages: the journey is what is under test) and returns its
/// `signup` section.
fn journey_of(name: &str, out: &Path, extra: &[&str]) -> serde_json::Value {
    let site = fixture(name);
    let mut args = vec!["--max-pages", "2"];
    args.extend_from_slice(extra);
    let o = audit(site.url(), out, &args);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    report(out)["signup"].clone()
}

fn assert_labels_hold(name: &str) {
    let out = out_dir();
    let signup = journey_of(name, out.path(), &[]);
    assert_eq!(
        measured(&signup),
        labels(name),
        "{name}: reason {:?}, journey {:#}",
        signup["reason"],
        signup["journey"]
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
    onboarding_wizard_with_a_skippable_invite_step => "journey-wizard",
    signup_modal_in_a_single_page_app => "journey-modal",
    cookie_banner_covering_the_page => "journey-cookie",
    email_verification_wall => "journey-verify",
    server_rendered_freemium_with_a_welcome_question => "freemium",
    sales_led_product_with_demo_requests_only => "saleslead",
    client_rendered_app_with_a_json_signup => "spa",
    recaptcha_on_the_signup_form => "journey-captcha",
    payment_card_before_the_app => "journey-card",
    private_beta_with_a_waitlist => "journey-waitlist",
    social_sign_in_only => "journey-sso",
    tricky_form_with_server_side_password_rules => "journey-tricky",
    app_on_another_origin => "journey-crossorigin",
    french_product_with_a_cookie_banner => "journey-fr",
    upload_as_the_first_value => "journey-upload",
    email_signup_behind_social_sign_in => "journey-reveal",
}

#[test]
fn no_submit_stops_in_front_of_the_signup_form_and_shows_the_plan() {
    let out = out_dir();
    let signup = journey_of("journey-tricky", out.path(), &["--no-submit"]);
    assert_eq!(
        common::schema_errors(&report(out.path())),
        Vec::<String>::new()
    );
    assert_eq!(signup["outcome"], "not_submitted");
    assert_eq!(signup["steps"], 1, "only the call to action was taken");
    let form = &signup["would_submit"];
    assert_eq!(form["kind"], "signup");
    assert_eq!(form["submit"], "Create my account");
    let plans: Vec<(&str, &str, bool, &str)> = form["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or_default(),
                f["type"].as_str().unwrap_or_default(),
                f["required"].as_bool().unwrap_or_default(),
                f["plan"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    let email = format!(
        "type {} characters",
        signup["identity"]["email"]
            .as_str()
            .unwrap()
            .chars()
            .count()
    );
    assert_eq!(
        plans,
        vec![
            ("name", "full_name", true, "type 12 characters"),
            ("email", "email", true, email.as_str()),
            ("email_confirm", "email_confirm", true, email.as_str()),
            (
                "website",
                "honeypot",
                false,
                "leave: a honeypot: people never see it, so it stays empty"
            ),
            ("team_size", "company_size", true, "choose an option"),
            ("password", "password", true, "type 18 characters"),
            (
                "password_confirm",
                "password_confirm",
                true,
                "type 18 characters"
            ),
            ("terms", "terms", true, "tick"),
            (
                "newsletter",
                "marketing_opt_in",
                false,
                "leave: optional, and a careful new user leaves it unticked"
            ),
        ]
    );
}

/// Writes a journey file into `dir` and returns its path as an argument.
fn journey_file(dir: &Path, toml: &str) -> String {
    let path = dir.join("journey.toml");
    std::fs::write(&path, toml).unwrap();
    path.to_string_lossy().to_string()
}

#[test]
fn a_journey_file_is_walked_and_its_steps_measured() {
    let out = out_dir();
    let script = journey_file(
        out.path(),
        r#"
stop_after = true

[[step]]
click = "Get started free"
[[step]]
fill = { field = "Full name", value = "Grace Hopper" }
[[step]]
submit = true
"#,
    );
    // The onboarding greets the user by the name the file typed.
    let signup = journey_of(
        "journey-wizard",
        out.path(),
        &["--journey", &script, "--value-text", "Hi Grace Hopper!"],
    );
    assert_eq!(signup["outcome"], "completed", "{}", signup["reason"]);
    assert_eq!(signup["reached_value"], true);
    let steps: Vec<(&str, &str, u64)> = signup["journey"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["action"].as_str().unwrap(),
                s["label"].as_str().unwrap(),
                s["fields"]["required"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("cta_click", "Get started free", 0),
            ("submit", "Create account", 4),
        ]
    );
}

#[test]
fn a_failing_step_keeps_the_steps_before_it_and_the_rest_of_the_audit() {
    let out = out_dir();
    let script = journey_file(
        out.path(),
        r#"
[[step]]
click = "Get started free"
[[step]]
click = "Take the product tour"
"#,
    );
    let site = fixture("journey-wizard");
    let o = audit(site.url(), out.path(), &["--journey", &script]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let r = report(out.path());
    let signup = &r["signup"];
    assert_eq!(signup["outcome"], "failed");
    assert_eq!(
        signup["reason"],
        "journey file step 2: no link or button says \"Take the product tour\""
    );
    assert_eq!(signup["steps"], 1);
    let shot = signup["journey"][0]["screenshot"].as_str().unwrap();
    assert!(out.path().join(shot).is_file(), "{shot} was written");
    let roles = common::page_roles(&r, site.url().trim_end_matches('/'));
    assert!(
        roles.contains(&("/pricing".to_string(), "pricing".to_string())),
        "{roles:?}"
    );
}

#[test]
fn a_journey_file_that_does_not_parse_exits_3_naming_its_line() {
    let out = out_dir();
    let script = journey_file(
        out.path(),
        "[[step]]\nclick = \"Start free\"\n\n[[step]]\ntap = \"Next\"\n",
    );
    let o = audit("http://127.0.0.1:9/", out.path(), &["--journey", &script]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        common::stderr(&o),
        format!("plg-audit: invalid configuration: journey file {script}: line 5: unknown field `tap`, expected one of `click`, `click_selector`, `fill`, `choose`, `wait_for_text`, `submit`")
    );
}

/// Copies fixture `name` into a temporary directory, with `extra` appended to its site.toml.
fn fixture_variant(name: &str, extra: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(
        &common::repo_path(&format!("tests/fixtures/{name}")),
        dir.path(),
    );
    let toml = dir.path().join("site.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str(extra);
    std::fs::write(&toml, text).unwrap();
    dir
}

#[test]
fn a_step_whose_page_never_arrives_ends_the_journey_and_keeps_the_audit() {
    // The backend hangs on the first onboarding screen, right after the signup.
    let variant = fixture_variant(
        "journey-wizard",
        "\n[[route]]\npath = \"/onboarding/1\"\nhang = true\n",
    );
    let site = plg_audit::demo::server::ProductServer::serve_dir(variant.path()).unwrap();
    let out = out_dir();
    let o = audit(site.url(), out.path(), &["--step-timeout", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let r = report(out.path());
    assert_eq!(common::schema_errors(&r), Vec::<String>::new());
    let signup = &r["signup"];
    assert_eq!(signup["outcome"], "failed");
    let reason = signup["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("step 2 timed out: http://127.0.0.1:")
            && reason.ends_with("/onboarding/1 was still loading after 2 s (--step-timeout)"),
        "{reason}"
    );
    let actions: Vec<&str> = signup["journey"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["cta_click", "submit"]);
    let roles = common::page_roles(&r, site.url().trim_end_matches('/'));
    assert!(
        roles.contains(&("/pricing".to_string(), "pricing".to_string())),
        "{roles:?}"
    );
}
