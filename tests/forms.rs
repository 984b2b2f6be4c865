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
        remote: None,
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
            // Nothing is marked required: the credentials every signup needs are.
            row("email", "email", true, true),
            row("password", "password", true, true),
        ]
    );
    // The app posts JSON with fetch() and routes to /app on the client. Its server also
    // wants the name, which a form marking nothing leaves empty until a refusal says so.
    let mut learned = signup.clone();
    learned.fields[0].required = true;
    assert_eq!(
        fill_and_submit(&page, &learned),
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

#[test]
fn a_react_style_controlled_form_labelled_only_by_placeholders_keeps_the_filled_values() {
    let server = common::fixture("forms-react");
    let b = browser();
    let (page, forms) = live_forms(&b, &server, "/signup");
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].kind, FormKind::Signup);
    assert_eq!(
        rows(&forms[0]),
        vec![
            row("name", "full_name", true, true),
            row("email", "email", true, true),
            row("password", "password", true, true),
        ]
    );
    assert_eq!(
        forms[0]
            .fields
            .iter()
            .map(|f| f.label.as_str())
            .collect::<Vec<_>>(),
        vec!["Full name", "Work email", "Password (8+ characters)"]
    );
    // The component posts its state, not the DOM: only values it saw arrive.
    assert_eq!(
        fill_and_submit(&page, &forms[0]),
        format!("{}/welcome", server.url())
    );
}

#[test]
fn a_german_form_marks_required_fields_only_with_an_asterisk() {
    let server = common::fixture("forms-de");
    let b = browser();
    let (page, forms) = live_forms(&b, &server, "/registrieren");
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].kind, FormKind::Signup);
    assert_eq!(
        rows(&forms[0]),
        vec![
            row("vorname", "first_name", true, true),
            row("nachname", "last_name", true, true),
            row("email", "email", true, true),
            row("passwort", "password", true, true),
            row("passwort_wiederholen", "password_confirm", true, true),
            row("firma", "company", false, true),
            row("telefon", "phone", false, true),
            row("agb", "terms", true, true),
            row("newsletter", "marketing_opt_in", false, true),
        ]
    );
    // The password must satisfy pattern="(?=.*\d).{10,}" and be repeated exactly.
    assert_eq!(
        fill_and_submit(&page, &forms[0]),
        format!("{}/willkommen", server.url())
    );
}

#[test]
fn a_spanish_form_with_placeholder_options_a_css_honeypot_and_an_alphanumeric_password() {
    let server = common::fixture("forms-es");
    let b = browser();
    let (page, forms) = live_forms(&b, &server, "/registro");
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].kind, FormKind::Signup);
    assert_eq!(
        rows(&forms[0]),
        vec![
            row("nombre", "full_name", true, true),
            row("email", "email", true, true),
            row("password", "password", true, true),
            row("tamano", "company_size", true, true),
            row("pais", "country", true, true),
            row("sitio_web", "honeypot", false, false),
            row("terminos", "terms", true, true),
        ]
    );
    // "Elige…" and "Selecciona tu país" are never chosen; the honeypot stays empty.
    assert_eq!(
        fill_and_submit(&page, &forms[0]),
        format!("{}/bienvenida", server.url())
    );
}

#[test]
fn login_signup_and_newsletter_forms_on_one_page_are_told_apart() {
    let server = common::fixture("forms-combo");
    let b = browser();
    let (page, forms) = live_forms(&b, &server, "/");
    let kinds: Vec<(Option<usize>, FormKind)> = forms.iter().map(|f| (f.index, f.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (Some(0), FormKind::Login),
            (Some(1), FormKind::Signup),
            (Some(2), FormKind::Newsletter)
        ]
    );
    assert_eq!(
        rows(&forms[0]),
        vec![
            row("session[email]", "email", true, true),
            row("session[password]", "password", true, true),
            row("session[remember_me]", "remember_me", false, true),
        ]
    );
    assert_eq!(
        rows(&forms[1]),
        vec![
            row("account[company]", "company", true, true),
            row("account[email]", "email", true, true),
            row("account[email_confirmation]", "email_confirm", true, true),
            row("account[password]", "password", true, true),
            row(
                "account[password_confirmation]",
                "password_confirm",
                true,
                true
            ),
            row("account[referral]", "other", false, true),
            row("account[terms]", "terms", true, true),
        ]
    );
    assert_eq!(
        rows(&forms[2]),
        vec![row("newsletter[email]", "email", true, true)]
    );
    // Confirmations repeat exactly what was typed first.
    assert_eq!(
        fill_and_submit(&page, &forms[1]),
        format!("{}/dashboard", server.url())
    );
}

#[test]
fn filling_without_the_framework_events_would_lose_the_values() {
    // The specification behind fill(): a plain value assignment is invisible to a
    // controlled component, so the server rejects the post.
    let server = common::fixture("forms-react");
    let b = browser();
    let (page, _forms) = live_forms(&b, &server, "/signup");
    page.evaluate::<bool>(
        "(() => { for (const [n, v] of [['name','Ada Lovelace'],['email','ada@example.com'],['password','Plg-Audit-7q!']]) \
           document.querySelector(`[name=${n}]`).value = v; \
           document.querySelector('button[type=submit], button').click(); return true; })()",
    )
    .unwrap();
    page.settle();
    assert_eq!(page.url(), format!("{}/signup", server.url()));
}
