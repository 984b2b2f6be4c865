//! The settle-wait against real Chromium and requests that stay open: a response whose
//! body the page never reads, long-polls with and without telling names — which must not
//! be waited for — and a slow form post and a slow data request behind a spinner — which
//! must. Each test asserts what the page showed once settled and how the settle-wait
//! treated each request (`settle` on its record), never how long it took.
//!
//! The step timeout of the browser tests is 4 s, below the 5 s after which any open
//! request used to be ignored: a request still holding the wait shows as a timeout.

mod common;

use std::time::Duration;

use plg_audit::artifacts::{RequestRecord, SettleTreatment};
use plg_audit::demo::server::ProductServer;
use plg_audit::gather::browser::{Browser, BrowserConfig, Page};
use plg_audit::gather::settle::SettlePolicy;
use plg_audit::gather::site::Site;

fn browser(step_timeout: Duration) -> Browser {
    Browser::launch(BrowserConfig {
        chrome: None,
        remote: None,
        offline: true,
        step_timeout,
        settle: SettlePolicy::default(),
    })
    .expect("Chromium starts (run scripts/setup to install it)")
}

/// A one-page product with `routes` (site.toml `[[route]]` tables) beside it.
fn product(index: &str, routes: &str) -> (tempfile::TempDir, ProductServer) {
    let dir = common::out_dir();
    std::fs::write(
        dir.path().join("site.toml"),
        format!("name = \"Pulseboard\"\n{routes}"),
    )
    .unwrap();
    std::fs::write(dir.path().join("index.html"), index).unwrap();
    let server = ProductServer::serve_dir(dir.path()).unwrap();
    (dir, server)
}

fn open(b: &Browser, server: &ProductServer) -> Page {
    let site = Site::new(server.url().parse().unwrap());
    b.open_page(site.host_filter()).unwrap()
}

fn record<'a>(requests: &'a [RequestRecord], path: &str) -> &'a RequestRecord {
    requests
        .iter()
        .find(|r| r.url.contains(path))
        .unwrap_or_else(|| panic!("no request to {path}: {requests:#?}"))
}

fn text_of(page: &Page, selector: &str) -> String {
    page.evaluate(&format!(
        "document.querySelector({}).textContent.trim()",
        serde_json::to_string(selector).unwrap()
    ))
    .unwrap()
}

const KEEPALIVE: &str = r#"
[[route]]
path = "/api/session/keepalive"
content_type = "text/event-stream"
body = "retry: 15000\n\ndata: {\"alive\": true}\n\n"
stall_body = true
"#;

#[test]
fn a_response_whose_body_the_page_never_reads_does_not_hold_the_settle_wait() {
    let (_dir, server) = product(
        r#"<!doctype html><html><head><title>Pulseboard</title></head><body>
        <main><h1>Boards</h1><p id="state">Connecting…</p></main>
        <script>
          // The page only wants to know the session is alive: it never reads the body.
          fetch('/api/session/keepalive').then(function () {
            document.getElementById('state').textContent = 'Connected';
          });
        </script></body></html>"#,
        KEEPALIVE,
    );
    let b = browser(Duration::from_secs(4));
    let page = open(&b, &server);
    let visit = page.visit(server.url()).unwrap();
    assert!(visit.settled.quiet, "{visit:?}");
    assert_eq!(text_of(&page, "#state"), "Connected");
    let requests = page.requests();
    let keepalive = record(&requests, "/api/session/keepalive");
    assert_eq!(keepalive.status, Some(200));
    assert_eq!(keepalive.settle, Some(SettleTreatment::HeadersOnly));
}

#[test]
fn a_long_poll_named_as_one_never_holds_the_settle_wait() {
    let (_dir, server) = product(
        r#"<!doctype html><html><head><title>Pulseboard</title></head><body>
        <main><h1>Boards</h1><p>No boards yet.</p></main>
        <script>
          (function listen() {
            fetch('/api/notifications/poll').then(function (r) { return r.json(); }).then(listen);
          })();
        </script></body></html>"#,
        r#"
[[route]]
path = "/api/notifications/poll"
content_type = "application/json"
body = '{"notifications": []}'
delay_ms = 25000
"#,
    );
    let b = browser(Duration::from_secs(4));
    let page = open(&b, &server);
    let visit = page.visit(server.url()).unwrap();
    assert!(visit.settled.quiet, "{visit:?}");
    let requests = page.requests();
    let poll = record(&requests, "/api/notifications/poll");
    assert_eq!(poll.status, None, "still open");
    assert_eq!(poll.settle, Some(SettleTreatment::LongPoll));
}

#[test]
fn a_long_poll_without_a_telling_name_is_recognised_once_nothing_else_goes_on() {
    let (_dir, server) = product(
        r#"<!doctype html><html><head><title>Pulseboard</title></head><body>
        <main><h1>Boards</h1><p>No boards yet.</p></main>
        <script>fetch('/api/activity?since=0');</script></body></html>"#,
        r#"
[[route]]
path = "/api/activity"
content_type = "application/json"
body = '{"events": []}'
delay_ms = 25000
"#,
    );
    let b = browser(Duration::from_secs(4));
    let page = open(&b, &server);
    let visit = page.visit(server.url()).unwrap();
    assert!(visit.settled.quiet, "{visit:?}");
    let requests = page.requests();
    assert_eq!(
        record(&requests, "/api/activity").settle,
        Some(SettleTreatment::LongPoll)
    );
}

#[test]
fn a_slow_form_post_is_waited_for() {
    let (_dir, server) = product(
        r#"<!doctype html><html><head><title>Pulseboard</title></head><body>
        <main><h1>New board</h1><p id="state">Not saved</p>
        <button type="button">Save board</button></main>
        <script>
          document.querySelector('button').addEventListener('click', function () {
            fetch('/api/boards', { method: 'POST', body: '{"name":"Growth"}' })
              .then(function (r) { return r.json(); })
              .then(function () { document.getElementById('state').textContent = 'Board saved'; });
          });
        </script></body></html>"#,
        r#"
[[route]]
path = "/api/boards"
method = "POST"
content_type = "application/json"
body = '{"id": 7}'
delay_ms = 3000
"#,
    );
    let b = browser(Duration::from_secs(10));
    let page = open(&b, &server);
    page.visit(server.url()).unwrap();
    assert_eq!(
        page.click("main button").unwrap(),
        plg_audit::gather::browser::Pressed::Done
    );
    let settled = page.settle_after_action();
    assert!(settled.quiet, "{settled:?}");
    assert_eq!(text_of(&page, "#state"), "Board saved");
    let requests = page.requests();
    let post = record(&requests, "/api/boards");
    assert_eq!(post.status, Some(200));
    assert_eq!(post.settle, None, "waited for");
}

#[test]
fn a_slow_data_request_behind_a_spinner_is_waited_for() {
    let (_dir, server) = product(
        r#"<!doctype html><html><head><title>Pulseboard</title>
        <style>.spinner{width:24px;height:24px;border:3px solid #ccc;border-top-color:#333;border-radius:50%}</style>
        </head><body>
        <main><h1>Boards</h1>
          <div class="spinner" role="progressbar" aria-label="Loading boards"></div>
          <p id="state" hidden></p></main>
        <script>
          fetch('/api/boards').then(function (r) { return r.json(); }).then(function (data) {
            document.querySelector('.spinner').remove();
            var state = document.getElementById('state');
            state.textContent = data.boards.length ? data.boards.length + ' boards' : 'No boards yet';
            state.hidden = false;
          });
        </script></body></html>"#,
        r#"
[[route]]
path = "/api/boards"
content_type = "application/json"
body = '{"boards": []}'
delay_ms = 2000
"#,
    );
    let b = browser(Duration::from_secs(10));
    let page = open(&b, &server);
    let visit = page.visit(server.url()).unwrap();
    assert!(visit.settled.quiet, "{visit:?}");
    assert_eq!(text_of(&page, "#state"), "No boards yet");
    let requests = page.requests();
    let boards = record(&requests, "/api/boards");
    assert_eq!(boards.status, Some(200));
    assert_eq!(boards.settle, None, "waited for");
}

fn journey_through_an_app_with_open_connections(step_timeout: &str) {
    let site = common::fixture("journey-longpoll");
    let out = common::out_dir();
    let o = common::audit(site.url(), out.path(), &["--step-timeout", step_timeout]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let r = common::report(out.path());
    assert_eq!(common::schema_errors(&r), Vec::<String>::new());
    let signup = &r["signup"];
    assert_eq!(signup["outcome"], "completed", "{}", signup["reason"]);
    assert_eq!(signup["steps"], 3);
    assert_eq!(signup["fields"]["required"], 4);
    let warnings: Vec<&serde_json::Value> = r["warnings"].as_array().unwrap().iter().collect();
    assert_eq!(warnings, Vec::<&serde_json::Value>::new());
}

#[test]
fn a_journey_with_a_long_poll_slow_post_and_spinner_completes_with_a_5_second_step_timeout() {
    journey_through_an_app_with_open_connections("5");
}

#[test]
fn a_journey_with_a_long_poll_slow_post_and_spinner_completes_with_a_15_second_step_timeout() {
    journey_through_an_app_with_open_connections("15");
}
