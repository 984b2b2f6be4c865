//! The forms model on realistic fixture pages: exact kinds, field types, required and
//! visible flags — and that filling then submitting is accepted by the product's server.

mod common;

use std::time::Duration;

use plg_audit::demo::server::ProductServer;
use plg_audit::forms::values::{plan, Identity, Plan, DEFAULT_EMAIL};
use plg_audit::forms::{FormKind, FormRegion};
use plg_audit::gather::browser::{Browser, BrowserConfig, Page};
use plg_audit::gather::fill::{fill, read_live_forms, submit};
use plg_audit::gather::settle::SettlePolicy;
use plg_audit::gather::site::Site;

fn browser() -> Browser {
    Browser::launch(BrowserConfig {
        chrome: None,
        offline: true,
        step_timeout: Duration::from_secs(10),
        settle: SettlePolicy::default(),
    })
    .expect("Chromium starts")
}

/// (name, type, required, visible) of every field.
type Row = (String, String, bool, bool);

fn rows(form: &FormRegion) -> Vec<Row> {
    form.fields
        .iter()
        .map(|f| {
            (
                f.name.clone().unwrap_or_default(),
                f.field_type.as_str().to_string(),
                f.required,
                f.visible,
            )
        })
        .collect()
}

fn row(name: &str, t: &str, required: bool, visible: bool) -> Row {
    (name.to_string(), t.to_string(), required, visible)
}

/// Opens `path` of the fixture live and reads its forms.
fn live_forms(b: &Browser, server: &ProductServer, path: &str) -> (Page, Vec<FormRegion>) {
    let site = Site::new(server.url().parse().unwrap());
    let page = b.open_page(site.host_filter()).unwrap();
    let visit = page.visit(&format!("{}{path}", server.url())).unwrap();
    assert!(visit.settled.quiet, "{path} did not settle");
    let forms = read_live_forms(&page).unwrap();
    (page, forms)
}

/// Fills `form` with a fresh identity, submits it, and returns the URL it led to.
fn fill_and_submit(page: &Page, form: &FormRegion) -> String {
    let who = Identity::new("t1", DEFAULT_EMAIL);
    let actions: Vec<_> = plan(form, &who)
        .into_iter()
        .filter_map(|(_, p)| match p {
            Plan::Do(a) => Some(a),
            Plan::Leave(_) => None,
        })
        .collect();
    let filled = fill(page, &actions).unwrap();
    assert!(filled.iter().all(|f| f.ok), "{filled:?}");
    submit(page, form).unwrap();
    page.url()
}

#[test]
fn a_signup_form_with_a_hidden_honeypot() {
    let server = common::fixture("freemium");
    let b = browser();
    let (page, forms) = live_forms(&b, &server, "/join");
    assert_eq!(forms.len(), 1);
    let signup = &forms[0];
    assert_eq!((signup.index, signup.kind), (Some(0), FormKind::Signup));
    assert_eq!(
        rows(signup),
        vec![
            row("email", "email", true, true),
            row("password", "password", true, true),
            row("website", "honeypot", false, false),
        ]
    );
    assert_eq!(
        fill_and_submit(&page, signup),
        format!("{}/welcome", server.url())
    );
}

#[test]
fn a_form_less_single_page_app_signup() {
    let server = common::fixture("spa");
    let b = browser();
    let (page, forms) = live_forms(&b, &server, "/signup");
    assert_eq!(forms.len(), 1);
    let signup = &forms[0];
    assert_eq!((signup.index, signup.kind), (None, FormKind::Signup));
    assert_eq!(
        rows(signup),
        vec![
            row("name", "full_name", false, true),
            row("email", "email", false, true),
            row("password", "password", false, true),
        ]
    );
    // The app posts JSON with fetch() and routes to /app on the client.
    assert_eq!(
        fill_and_submit(&page, signup),
        format!("{}/app", server.url())
    );
}

#[test]
fn a_login_form_with_remember_me_read_from_a_saved_file() {
    let o = common::plg_audit(&[
        "forms",
        common::repo_path("tests/fixtures/freemium/signin.html")
            .to_str()
            .unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"forms": [{"index": 0, "kind": "login", "fields": [
            {"name": "email", "type": "email", "required": true, "visible": true},
            {"name": "password", "type": "password", "required": true, "visible": true},
            {"name": "remember", "type": "remember_me", "required": false, "visible": true}
        ]}]})
    );
}

#[test]
fn a_demo_request_form_with_a_company_size_select() {
    let o = common::plg_audit(&[
        "forms",
        common::repo_path("src/demo/site/demo.html")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.starts_with("Form 1 — demo_request (<form> #0, POST /demo)\n"),
        "{table}"
    );
    assert!(table.contains("company_size  company_size  yes: required attribute  yes      \"Company size\" — 5 options are head-count ranges"), "{table}");
}

#[test]
fn a_missing_file_is_named() {
    let o = common::plg_audit(&["forms", "saved/signup-page.html"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        common::stderr(&o),
        "plg-audit: cannot read saved/signup-page.html: No such file or directory (os error 2)"
    );
}
