//! Issue 8, "journey truth": the signup journey must never claim a value moment that did not
//! happen. Each fixture product reproduces a pattern seen on real products (a create dialog
//! whose Save sits outside any form, a "New chat" that creates nothing, a release-notes dialog
//! that mentions cookies, a value text under a modal, verbs no word list has, a home page that
//! is the signup form, a hash-routed app, a button that does nothing…). Its `labels.toml`
//! states how a person walks it; the tests below check the report against that walk and, where
//! it matters, against the product's own state: the form posts its server accepted.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{fixture, out_dir, report};
use plg_audit::demo::server::ProductServer;
use serde::Deserialize;

/// What a fixture's `labels.toml` says about its journey (the keys of `tests/journey.rs`, plus
/// the steps as (action, label) pairs and the kind of value proof).
#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labels {
    outcome: String,
    steps: u64,
    fields_required: u64,
    sso_providers: Vec<String>,
    reached_value: bool,
    steps_detail: Vec<[String; 2]>,
    #[serde(default)]
    value_kind: Option<String>,
}

fn labels(name: &str) -> Labels {
    let path = common::repo_path(&format!("tests/fixtures/{name}/labels.toml"));
    let text = std::fs::read_to_string(&path).expect("the fixture has a labels.toml");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One audit of a fixture product: the server (still running, so its state can be read), the
/// output directory and the report.
struct Walk {
    site: ProductServer,
    out: tempfile::TempDir,
    report: serde_json::Value,
}

impl Walk {
    fn signup(&self) -> &serde_json::Value {
        &self.report["signup"]
    }

    /// The journey's steps as (action, label).
    fn steps(&self) -> Vec<(String, String)> {
        steps_of(self.signup())
    }

    /// The fields of every post the product accepted at `path`, oldest first.
    fn posts_to(&self, path: &str) -> Vec<BTreeMap<String, String>> {
        self.site
            .accepted_posts()
            .into_iter()
            .filter(|p| p.path == path)
            .map(|p| p.fields)
            .collect()
    }

    /// `url` without the product's origin, e.g. `/app/#/signup`.
    fn path_of<'a>(&self, url: &'a str) -> &'a str {
        url.strip_prefix(self.site.url().trim_end_matches('/'))
            .unwrap_or(url)
    }

    /// Where each step settled, relative to the product's origin.
    fn step_paths(&self) -> Vec<String> {
        self.signup()["journey"]
            .as_array()
            .expect("journey")
            .iter()
            .map(|s| {
                self.path_of(s["url"].as_str().unwrap_or_default())
                    .to_string()
            })
            .collect()
    }

    /// The reason and steps, for failure messages.
    fn story(&self) -> String {
        format!(
            "outcome {}, reason {:?}, steps {:?}",
            self.signup()["outcome"],
            self.signup()["reason"],
            self.steps()
        )
    }
}

fn steps_of(signup: &serde_json::Value) -> Vec<(String, String)> {
    signup["journey"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .map(|s| {
                    (
                        s["action"].as_str().unwrap_or_default().to_string(),
                        s["label"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn pairs(steps: &[(&str, &str)]) -> Vec<(String, String)> {
    steps
        .iter()
        .map(|(a, l)| (a.to_string(), l.to_string()))
        .collect()
}

/// Audits fixture `name` (two pages: the journey is under test) with `extra` flags.
fn walk(name: &str, extra: &[&str]) -> Walk {
    let site = fixture(name);
    let out = out_dir();
    let mut args = vec!["--max-pages", "2"];
    args.extend_from_slice(extra);
    let o = common::audit(site.url(), out.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let report = report(out.path());
    Walk { site, out, report }
}

/// A journey file in `dir` that presses the call to action `cta` and lets the heuristics walk
/// on: for tests about the app's screens, not about finding the entry.
fn entry_script(dir: &Path, cta: &str) -> String {
    let path = dir.join("entry.journey.toml");
    std::fs::write(&path, format!("[[step]]\nclick = {cta:?}\n")).expect("journey file");
    path.to_string_lossy().to_string()
}

// ------------------------------------------------------------------ every product, as labelled

/// The report says what `labels.toml` says, the value proof is of the labelled kind (and
/// absent when no value was reached), and the report conforms to the shipped schema.
fn assert_walked_as_labelled(name: &str) {
    let w = walk(name, &[]);
    let s = w.signup();
    let expected = labels(name);
    let measured = Labels {
        outcome: s["outcome"].as_str().unwrap_or_default().to_string(),
        steps: s["steps"].as_u64().unwrap_or(u64::MAX),
        fields_required: s["fields"]["required"].as_u64().unwrap_or(u64::MAX),
        sso_providers: s["sso_providers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| p.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default(),
        reached_value: s["reached_value"].as_bool().unwrap_or(false),
        steps_detail: w.steps().into_iter().map(|(a, l)| [a, l]).collect(),
        value_kind: s["value"]["kind"].as_str().map(str::to_string),
    };
    assert_eq!(measured, expected, "{name}: {}", w.story());
    if expected.reached_value {
        assert!(
            !s["value"]["evidence"]
                .as_str()
                .unwrap_or_default()
                .is_empty(),
            "{name}: the value moment says what proved it: {}",
            s["value"]
        );
    } else {
        assert_eq!(
            s["value"],
            serde_json::Value::Null,
            "{name}: no value, no proof"
        );
    }
    assert_eq!(common::schema_errors(&w.report), Vec::<String>::new());
}

macro_rules! labelled {
    ($($test:ident => $fixture:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                assert_walked_as_labelled($fixture);
            }
        )*
    };
}

labelled! {
    labelled_walk_create_dialog_with_save_outside_the_form => "journey-dialog",
    labelled_walk_chat_assistant_with_release_notes => "journey-chat",
    labelled_walk_invoicing_behind_a_welcome_tour => "journey-tour",
    labelled_walk_german_crm => "journey-de",
    labelled_walk_dutch_crm => "journey-nl",
    labelled_walk_website_builder => "journey-launch",
    labelled_walk_status_pages => "journey-publish",
    labelled_walk_owner_setup_and_workflow_editor => "journey-setup",
    labelled_walk_blog_editor => "journey-editor",
    labelled_walk_hash_routed_portal => "journey-hash",
    labelled_walk_broken_create_button => "journey-noop",
}

// ------------------------------------------------------------------ 1. a create dialog

#[test]
fn opening_a_create_dialog_is_not_the_value_moment_its_save_button_is() {
    let w = walk("journey-dialog", &[]);
    let s = w.signup();
    assert_eq!(s["outcome"], "completed", "{}", w.story());
    let steps = w.steps();
    assert_eq!(
        steps[steps.len().saturating_sub(2)..],
        pairs(&[("value_action", "Create Project"), ("value_action", "Save")]),
        "{}",
        w.story()
    );
    assert_eq!(s["value"]["kind"], "created");
    assert_eq!(
        w.step_paths().last().map(String::as_str),
        Some("/projects/1/data")
    );
}

#[test]
fn the_saved_project_keeps_its_prefilled_name_and_is_saved_once() {
    let w = walk("journey-dialog", &[]);
    let projects = w.posts_to("/api/projects");
    assert_eq!(projects.len(), 1, "{projects:?} — {}", w.story());
    assert_eq!(projects[0]["title"], "New Project #1");
    let evidence = w.signup()["value"]["evidence"].as_str().unwrap_or_default();
    assert!(
        evidence.contains("New Project #1"),
        "the proof is the project's name on the page: {evidence:?}"
    );
}

#[test]
fn a_value_screenshot_shows_the_proof() {
    let w = walk("journey-dialog", &[]);
    let shot = w.signup()["value"]["screenshot"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        !shot.is_empty() && w.out.path().join(&shot).is_file(),
        "value.screenshot names a file in the output directory: {:?}",
        w.signup()["value"]
    );
}

#[test]
fn a_pre_ticked_newsletter_box_is_posted_unticked() {
    let w = walk("journey-dialog", &[]);
    let signups = w.posts_to("/user/signup/");
    assert_eq!(signups.len(), 1, "{}", w.story());
    assert_eq!(
        signups[0].get("allow_newsletters"),
        None,
        "a checkbox posts its value only when ticked; posted: {:?}",
        signups[0].keys().collect::<Vec<_>>()
    );
}

#[test]
fn a_pre_ticked_opt_in_is_reported_with_its_label_and_page() {
    let w = walk("journey-dialog", &[]);
    assert_eq!(
        w.signup()["prechecked_opt_in"],
        serde_json::json!({
            "label": "Send me product news, tips and release announcements",
            "url": format!("{}/user/signup/", w.site.url().trim_end_matches('/')),
        })
    );
}

#[test]
fn a_product_without_a_pre_ticked_opt_in_reports_none() {
    let w = walk("journey-de", &[]);
    assert_eq!(
        w.signup()["prechecked_opt_in"],
        serde_json::Value::Null,
        "{}",
        w.signup()
    );
}

#[test]
fn no_submit_plans_to_untick_a_pre_ticked_opt_in() {
    let w = walk("journey-dialog", &["--no-submit"]);
    let fields = w.signup()["would_submit"]["fields"]
        .as_array()
        .expect("would_submit.fields")
        .clone();
    let opt_in = fields
        .iter()
        .find(|f| f["name"] == "allow_newsletters")
        .expect("the opt-in is planned");
    assert_eq!(opt_in["type"], "marketing_opt_in");
    assert!(
        opt_in["plan"]
            .as_str()
            .unwrap_or_default()
            .starts_with("untick"),
        "a careful new user unticks it: {opt_in}"
    );
}

#[test]
fn a_field_revealed_by_a_choice_is_conditional_not_a_honeypot() {
    let w = walk("journey-dialog", &["--no-submit"]);
    let fields = w.signup()["would_submit"]["fields"]
        .as_array()
        .expect("would_submit.fields")
        .clone();
    let specify = fields
        .iter()
        .find(|f| f["name"] == "how_find_us_details")
        .expect("the conditional field is planned");
    assert_eq!(specify["type"], "other", "{specify}");
    assert_eq!(specify["required"], false, "{specify}");
    let plan = specify["plan"].as_str().unwrap_or_default();
    assert!(
        plan.starts_with("leave:") && !plan.contains("honeypot"),
        "{specify}"
    );
}

#[test]
fn the_signup_step_lists_what_was_filled_and_no_honeypot() {
    let w = walk("journey-dialog", &[]);
    let step = w.signup()["journey"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["action"] == "submit"))
        .cloned()
        .expect("a submit step");
    let filled = step["filled"].as_array().cloned().unwrap_or_default();
    let required: Vec<(&str, &str)> = filled
        .iter()
        .filter(|f| f["required"] == true)
        .map(|f| {
            (
                f["label"].as_str().unwrap_or_default(),
                f["type"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        required,
        [("Email Address", "email"), ("Password", "password")],
        "{step}"
    );
    assert!(
        filled.iter().all(|f| f["type"] != "honeypot"),
        "nothing filled is a honeypot: {step}"
    );
    assert_eq!(step["fields"]["required"], 2);
}

#[test]
fn the_entry_says_where_the_call_to_action_sits() {
    let w = walk("journey-dialog", &[]);
    let entry = &w.signup()["entry"];
    assert_eq!(
        (
            w.path_of(entry["url"].as_str().unwrap_or_default()),
            &entry["text"],
            &entry["location"],
            &entry["above_fold"],
        ),
        (
            "/user/signup/",
            &serde_json::json!("Sign up"),
            &serde_json::json!("main"),
            &serde_json::json!(true),
        ),
        "{entry}"
    );
}

#[test]
fn the_empty_state_is_reported_with_its_heading_and_action() {
    let w = walk("journey-de", &[]);
    let empty = &w.signup()["empty_state"];
    assert_eq!(
        (
            w.path_of(empty["url"].as_str().unwrap_or_default()),
            &empty["heading"],
            &empty["action"],
        ),
        (
            "/app/kunden",
            &serde_json::json!("Noch keine Kunden"),
            &serde_json::json!("Ersten Kunden anlegen"),
        ),
        "{empty}"
    );
    assert!(
        empty.get("templates").is_some() && empty.get("sample_data").is_some(),
        "{empty}"
    );
}

// ------------------------------------------------------------------ 2. "New chat" creates nothing

#[test]
fn new_chat_creates_nothing_the_sent_message_is_the_value() {
    let w = walk("journey-chat", &[]);
    let s = w.signup();
    assert_eq!(s["outcome"], "completed", "{}", w.story());
    assert_eq!(s["value"]["kind"], "created");
    let steps = w.steps();
    assert_eq!(
        steps.last(),
        Some(&("value_action".to_string(), "Send".to_string())),
        "{}",
        w.story()
    );
    let chats = w.posts_to("/api/chats");
    assert_eq!(chats.len(), 1, "{chats:?}");
    let message = chats[0]["message"].clone();
    assert!(!message.trim().is_empty());
    let evidence = s["value"]["evidence"].as_str().unwrap_or_default();
    let start: String = message.chars().take(24).collect();
    assert!(
        evidence.contains(start.as_str()),
        "the proof is the message listed under Recent: {evidence:?} vs {message:?}"
    );
}

// ------------------------------------------------------------------ 3. dialogs vs cookie banners

#[test]
fn a_release_notes_dialog_that_mentions_cookies_is_a_step_of_the_journey() {
    let w = walk("journey-chat", &[]);
    let steps = w.steps();
    let signed_up = steps
        .iter()
        .position(|(a, _)| a == "submit")
        .expect("a signup step");
    assert_eq!(
        steps.get(signed_up + 1),
        Some(&("continue".to_string(), "Got it".to_string())),
        "{}",
        w.story()
    );
}

#[test]
fn a_genuine_cookie_banner_is_answered_and_is_no_step() {
    let w = walk("journey-chat", &[]);
    assert_eq!(
        w.posts_to("/api/consent")
            .iter()
            .map(|p| p["choice"].as_str())
            .collect::<Vec<_>>(),
        ["necessary"],
        "the banner was answered once, rejecting what it may"
    );
    assert!(
        w.steps()
            .iter()
            .all(|(_, label)| label != "Reject all" && label != "Accept all"),
        "{}",
        w.story()
    );
}

// ------------------------------------------------------------------ 4 and 12. modals

#[test]
fn a_value_text_under_a_modal_is_not_the_value_moment() {
    let w = walk("journey-tour", &["--value-text", "Invoice INV-0001"]);
    let s = w.signup();
    assert_eq!(s["outcome"], "completed", "{}", w.story());
    assert_eq!(s["value"]["kind"], "stated");
    assert_eq!(
        w.steps(),
        pairs(&[
            ("cta_click", "Start free"),
            ("submit", "Create account"),
            ("continue", "Start invoicing"),
            ("value_action", "Create invoice"),
            ("value_action", "Save invoice"),
        ]),
        "{}",
        w.story()
    );
    assert_eq!(w.posts_to("/app/invoices").len(), 1);
}

#[test]
fn a_dialog_covering_the_create_button_is_dealt_with_first_as_a_step() {
    let w = walk("journey-tour", &[]);
    let steps = w.steps();
    let create = steps
        .iter()
        .position(|s| *s == ("value_action".to_string(), "Create invoice".to_string()))
        .unwrap_or_else(|| panic!("the create button is pressed: {}", w.story()));
    assert_eq!(
        steps[create.saturating_sub(1)],
        ("continue".to_string(), "Start invoicing".to_string()),
        "{}",
        w.story()
    );
}

#[test]
fn a_create_button_that_changes_nothing_is_pressed_twice_at_most_and_named() {
    let w = walk("journey-noop", &[]);
    let s = w.signup();
    assert_eq!(s["outcome"], "failed", "{}", w.story());
    let presses = w
        .steps()
        .iter()
        .filter(|(_, label)| label == "Create dashboard")
        .count();
    assert_eq!(presses, 2, "{}", w.story());
    let reason = s["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("\"Create dashboard\"") && reason.contains("changed nothing"),
        "{reason}"
    );
}

// ------------------------------------------------------------------ 5. a login page as home

#[test]
fn a_home_page_that_is_the_login_page_has_both_roles() {
    let w = walk("journey-dialog", &[]);
    let home = &w.report["pages"][0];
    assert_eq!(
        w.path_of(home["url"].as_str().unwrap_or_default()),
        "/user/login/"
    );
    assert_eq!(
        home["roles"],
        serde_json::json!(["home", "login"]),
        "{home}"
    );
    assert_eq!(
        w.report["site"]["missing"],
        serde_json::json!(["pricing"]),
        "login was found: it is the home page"
    );
}

// ------------------------------------------------------------------ 6. verb-last empty states

#[test]
fn a_german_empty_state_with_the_verb_last_reaches_a_created_customer() {
    let w = walk("journey-de", &[]);
    let s = w.signup();
    assert_eq!(s["outcome"], "completed", "{}", w.story());
    assert_eq!(s["value"]["kind"], "created");
    assert!(
        w.steps().contains(&(
            "value_action".to_string(),
            "Ersten Kunden anlegen".to_string()
        )),
        "{}",
        w.story()
    );
    let customers = w.posts_to("/app/kunden");
    assert_eq!(customers.len(), 1, "{customers:?}");
    assert!(!customers[0]["firma"].trim().is_empty());
}

#[test]
fn a_dutch_empty_state_with_the_verb_last_reaches_a_created_client() {
    let out = out_dir();
    let script = entry_script(out.path(), "Gratis proberen");
    let w = walk("journey-nl", &["--journey", &script]);
    let s = w.signup();
    assert_eq!(s["outcome"], "completed", "{}", w.story());
    assert_eq!(s["value"]["kind"], "created");
    assert!(
        w.steps().contains(&(
            "value_action".to_string(),
            "Eerste klant toevoegen".to_string()
        )),
        "{}",
        w.story()
    );
    assert_eq!(w.posts_to("/api/klanten").len(), 1);
}

// ------------------------------------------------------------------ 7. verbs no list has

#[test]
fn launch_your_first_site_is_taken_as_the_create_action() {
    let w = walk("journey-launch", &[]);
    let s = w.signup();
    assert_eq!(s["outcome"], "completed", "{}", w.story());
    assert_eq!(s["value"]["kind"], "created");
    assert!(
        w.steps().contains(&(
            "value_action".to_string(),
            "Launch your first site".to_string()
        )),
        "{}",
        w.story()
    );
    assert_eq!(w.step_paths().last().map(String::as_str), Some("/sites/1/"));
}

#[test]
fn a_site_title_is_filled_with_a_name_not_a_web_address() {
    let w = walk("journey-launch", &[]);
    let sites = w.posts_to("/sites/new/");
    assert_eq!(sites.len(), 1, "{}", w.story());
    let title = sites[0]["site_title"].to_lowercase();
    assert!(
        !title.is_empty() && !title.contains("://") && !title.starts_with("www."),
        "{title:?}"
    );
}

#[test]
fn fields_a_server_requires_under_each_box_count_as_required() {
    let w = walk("journey-launch", &[]);
    let step = w.signup()["journey"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["label"] == "Launch site"))
        .cloned()
        .unwrap_or_else(|| panic!("a \"Launch site\" step: {}", w.story()));
    assert_eq!(step["fields"]["required"], 2, "{step}");
}

#[test]
fn publish_your_first_page_is_taken_as_the_create_action() {
    let w = walk("journey-publish", &[]);
    let s = w.signup();
    assert_eq!(s["outcome"], "completed", "{}", w.story());
    assert_eq!(s["value"]["kind"], "created");
    assert!(
        w.steps().contains(&(
            "value_action".to_string(),
            "Publish your first page".to_string()
        )),
        "{}",
        w.story()
    );
    let pages = w.posts_to("/api/pages");
    assert_eq!(pages.len(), 1, "{pages:?}");
    assert!(!pages[0]["name"].trim().is_empty());
}

// ------------------------------------------------------------------ 8. a CAPTCHA on the form

#[test]
fn fields_a_person_fills_before_meeting_a_captcha_count() {
    let w = walk("journey-captcha", &[]);
    let s = w.signup();
    assert_eq!(s["outcome"], "captcha", "{}", w.story());
    assert_eq!(s["fields"]["required"], 3, "name, e-mail and password");
    assert_eq!(s["steps"], 1);
    assert_eq!(w.site.accepted_posts(), Vec::new(), "nothing was sent");
}

// ------------------------------------------------------------------ 9. the home page is the signup form

#[test]
fn a_home_page_that_is_the_signup_form_is_submitted_without_a_cta_step() {
    let w = walk("journey-setup", &[]);
    let steps = w.steps();
    assert_eq!(
        steps.first(),
        Some(&("submit".to_string(), "Next".to_string())),
        "{}",
        w.story()
    );
    assert!(steps.iter().all(|(a, _)| a != "cta_click"), "{}", w.story());
    assert_eq!(w.signup()["entry"]["text"], "Set up owner account");
}

/// Copies fixture `name` into a temporary directory with `from` replaced by `to` in `file`.
fn fixture_variant(name: &str, file: &str, from: &str, to: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("a directory");
        for entry in std::fs::read_dir(from).expect("the fixture").flatten() {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).expect("a copy");
            }
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    copy(
        &common::repo_path(&format!("tests/fixtures/{name}")),
        dir.path(),
    );
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).expect("the file to vary");
    assert!(text.contains(from), "{file} says {from:?}");
    std::fs::write(&path, text.replace(from, to)).expect("the varied file");
    dir
}

#[test]
fn a_home_page_signup_form_whose_button_says_create_account_is_no_call_to_action() {
    let variant = fixture_variant(
        "journey-setup",
        "assets/app.js",
        r#"type="submit">Next</button>"#,
        r#"type="submit">Create account</button>"#,
    );
    let site = ProductServer::serve_dir(variant.path()).expect("the variant serves");
    let out = out_dir();
    let o = common::audit(site.url(), out.path(), &["--max-pages", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let signup = report(out.path())["signup"].clone();
    let steps = steps_of(&signup);
    assert_eq!(
        steps.first(),
        Some(&("submit".to_string(), "Create account".to_string())),
        "the form's own button is no call to action to press with empty fields: {steps:?}"
    );
    assert_eq!(signup["journey"][0]["fields"]["required"], 4);
}

#[test]
fn asterisks_drawn_by_css_and_labels_naming_the_field_by_name_mark_four_required() {
    let w = walk("journey-setup", &[]);
    let first = w.signup()["journey"][0].clone();
    let filled: Vec<(&str, bool)> = first["filled"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| {
                    (
                        f["label"].as_str().unwrap_or_default(),
                        f["required"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        filled,
        [
            ("Email", true),
            ("First Name", true),
            ("Last Name", true),
            ("Password", true)
        ],
        "{first}"
    );
    assert_eq!(w.signup()["fields"]["required"], 4);
}

#[test]
fn clickable_div_cards_are_create_actions_and_the_value_comes_after_save() {
    let w = walk("journey-setup", &[]);
    let s = w.signup();
    assert_eq!(s["outcome"], "completed", "{}", w.story());
    assert_eq!(s["value"]["kind"], "created");
    let steps = w.steps();
    assert_eq!(
        steps[steps.len().saturating_sub(2)..],
        pairs(&[
            ("value_action", "Start from scratch"),
            ("value_action", "Save")
        ]),
        "{}",
        w.story()
    );
    assert_eq!(
        w.step_paths().last().map(String::as_str),
        Some("/workflow/1")
    );
    assert_eq!(w.posts_to("/rest/workflows").len(), 1);
}

// ------------------------------------------------------------------ 10. an empty editor

#[test]
fn an_empty_editor_is_not_value_a_saved_post_is() {
    let w = walk("journey-editor", &[]);
    let s = w.signup();
    assert_eq!(s["outcome"], "completed", "{}", w.story());
    assert_eq!(s["value"]["kind"], "created");
    let last = w.steps().last().cloned().unwrap_or_default();
    assert!(
        last == ("value_action".to_string(), "Publish".to_string())
            || last == ("value_action".to_string(), "Save draft".to_string()),
        "{}",
        w.story()
    );
    let posts = w.posts_to("/api/posts");
    assert_eq!(posts.len(), 1, "{posts:?}");
    let title = posts[0]["title"].clone();
    assert!(!title.trim().is_empty());
    assert_eq!(w.step_paths().last().map(String::as_str), Some("/posts/1"));
    let evidence = s["value"]["evidence"].as_str().unwrap_or_default();
    assert!(
        evidence.contains(title.as_str()),
        "{evidence:?} vs {title:?}"
    );
}

// ------------------------------------------------------------------ 11. a hash-routed app

#[test]
fn links_keep_their_fragment_in_a_hash_routed_app() {
    let w = walk("journey-hash", &[]);
    assert_eq!(
        w.path_of(w.signup()["entry"]["url"].as_str().unwrap_or_default()),
        "/app/#/signup"
    );
    assert_eq!(
        w.step_paths(),
        [
            "/app/#/signup",
            "/app/#/portal/",
            "/app/#/projects/new",
            "/app/#/projects/1"
        ],
        "{}",
        w.story()
    );
    assert_eq!(w.signup()["outcome"], "completed");
    assert_eq!(w.posts_to("/api/projects").len(), 1);
}

// ------------------------------------------------------------------ 13. secrets

/// Every file below `dir`, recursively.
fn files_below(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("readable directory")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_below(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The `password = …` line of a `--save-credentials` file.
fn saved_password(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("the credentials file was written");
    text.lines()
        .find_map(|l| l.strip_prefix("password = "))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no password line in {text:?}"))
}

/// A signup of journey-wizard with `--save-credentials`; returns (output dir, stdout+stderr,
/// credentials file's directory and path).
fn signup_with_saved_credentials(
    verbosity: &[&str],
) -> (
    tempfile::TempDir,
    String,
    tempfile::TempDir,
    std::path::PathBuf,
) {
    let site = fixture("journey-wizard");
    let out = out_dir();
    let keep = out_dir();
    let credentials = keep.path().join("account.txt");
    let out_arg = out.path().to_string_lossy().to_string();
    let cred_arg = credentials.to_string_lossy().to_string();
    let mut args = vec![
        "audit",
        site.url(),
        "--out",
        &out_arg,
        "--offline",
        "--max-pages",
        "2",
        "--save-credentials",
        &cred_arg,
    ];
    args.extend_from_slice(verbosity);
    let o = common::plg_audit(&args);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (out, log, keep, credentials)
}

#[test]
fn the_password_is_in_no_output_file_and_no_trace_log() {
    let (out, log, _keep, credentials) = signup_with_saved_credentials(&["-vvv"]);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&credentials)
        .expect("credentials file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "only the owner may read it");
    let password = saved_password(&credentials);
    assert!(password.chars().count() >= 12, "{}", password.len());
    assert!(
        log.lines().count() > 20,
        "-vvv logs the journey's decisions"
    );
    assert!(!log.contains(&password), "the -vvv log shows the password");
    let files = files_below(out.path());
    assert!(files.iter().any(|f| f.ends_with("report.json")));
    for file in files {
        let bytes = std::fs::read(&file).expect("readable output file");
        assert!(
            !bytes
                .windows(password.len())
                .any(|w| w == password.as_bytes()),
            "{} holds the password",
            file.display()
        );
    }
}

/// Every `n`-character piece of `text`, lower-cased.
fn pieces(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    chars
        .windows(n)
        .map(|w| w.iter().collect::<String>())
        .collect()
}

#[test]
fn each_run_has_its_own_password_unrelated_to_the_email_and_run_id() {
    let (first_out, _, _k1, first_file) = signup_with_saved_credentials(&[]);
    let (_, _, _k2, second_file) = signup_with_saved_credentials(&[]);
    let first = saved_password(&first_file);
    let second = saved_password(&second_file);
    assert_ne!(first, second);
    let email = report(first_out.path())["signup"]["identity"]["email"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // The run id is the plus-address part of the generated e-mail.
    let run_id = email
        .split_once('+')
        .and_then(|(_, rest)| rest.split_once('@'))
        .map(|(id, _)| id.to_string())
        .unwrap_or_default();
    assert!(!run_id.is_empty(), "{email}");
    let password = first.to_lowercase();
    for piece in pieces(&email, 6).into_iter().chain(pieces(&run_id, 6)) {
        assert!(
            !password.contains(&piece),
            "the password shares {piece:?} with the e-mail {email}"
        );
    }
}
