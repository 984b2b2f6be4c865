//! The browser layer against real Chromium: the settle-wait, dialogs, pop-ups and
//! screenshots, on small sites served from the test itself.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::time::Duration;

use plg_audit::demo::server::ProductServer;
use plg_audit::gather::browser::{Browser, BrowserConfig};
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
    .expect("Chromium starts (run scripts/setup to install it)")
}

/// A one-page product written by the test, for markup that must name a live address.
fn one_page_site(html: &str) -> (tempfile::TempDir, ProductServer) {
    let dir = common::out_dir();
    std::fs::write(dir.path().join("site.toml"), "name = \"Brightwave\"\n").unwrap();
    std::fs::write(dir.path().join("index.html"), html).unwrap();
    std::fs::write(
        dir.path().join("pricing.html"),
        "<!doctype html><title>Pricing · Brightwave</title><h1>Pricing</h1><p>Team $12/mo</p>",
    )
    .unwrap();
    let server = ProductServer::serve_dir(dir.path()).unwrap();
    (dir, server)
}

fn site_of(server: &ProductServer) -> Site {
    Site::new(server.url().parse().unwrap())
}

#[test]
fn a_hanging_third_party_script_does_not_hold_the_settle_wait_but_is_recorded() {
    // An analytics host that accepts the connection and never answers.
    let tracker = TcpListener::bind("127.0.0.2:0").expect("loopback alias 127.0.0.2");
    let tracker_addr = tracker.local_addr().unwrap();
    let holder = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in tracker.incoming().take(2).flatten() {
            held.push(stream);
        }
        // Keep the connections open until the test process ends.
        for mut s in held {
            let mut buf = [0u8; 1];
            let _ = s.read(&mut buf);
        }
    });
    let (_dir, server) = one_page_site(&format!(
        r#"<!doctype html><html><head><title>Brightwave — Email for growing teams</title>
        <script async src="http://{tracker_addr}/analytics.js"></script></head>
        <body><header><nav><a href="/pricing">Pricing</a></nav></header>
        <main><h1>Email your customers love</h1><a href="/signup">Start free</a></main></body></html>"#
    ));
    let b = browser();
    let page = b.open_page(site_of(&server).host_filter()).unwrap();
    let visit = page.visit(server.url()).unwrap();
    assert!(
        visit.settled.quiet,
        "the hanging tracker held the wait: {visit:?}"
    );
    let requests = page.requests();
    let tracker_request = requests
        .iter()
        .find(|r| r.host == "127.0.0.2")
        .expect("tracker request recorded");
    assert!(!tracker_request.first_party);
    assert_eq!(tracker_request.status, None);
    drop(holder);
}

#[test]
fn content_rendered_after_a_fetch_is_there_when_the_page_has_settled() {
    let (_dir, server) = one_page_site(
        r#"<!doctype html><html><head><title>Brightwave</title></head><body><main id="app"></main>
        <script>
          fetch('/pricing').then(r => r.text()).then(() => {
            document.getElementById('app').innerHTML = '<h1>Welcome to Brightwave</h1><a href="/pricing">See plans</a>';
          });
        </script></body></html>"#,
    );
    let b = browser();
    let page = b.open_page(site_of(&server).host_filter()).unwrap();
    let visit = page.visit(server.url()).unwrap();
    assert!(visit.settled.quiet);
    let html = page.html().unwrap();
    assert!(html.contains("<h1>Welcome to Brightwave</h1>"), "{html}");
}

#[test]
fn a_status_line_saying_work_is_under_way_holds_the_settle_wait_after_an_action() {
    // No request and no DOM change for 600 ms after "Saving…" appears: only the status
    // line tells that the result is still to come.
    let (_dir, server) = one_page_site(
        r#"<!doctype html><html><head><title>Brightwave</title></head><body><main>
        <h1>Campaigns</h1><p id="state">No campaigns yet.</p>
        <button type="button">New campaign</button></main>
        <script>
          document.querySelector('button').addEventListener('click', () => {
            const state = document.getElementById('state');
            state.setAttribute('role', 'status');
            state.textContent = 'Saving "Spring launch"…';
            setTimeout(() => { state.textContent = 'Spring launch — draft saved'; }, 600);
          });
        </script></body></html>"#,
    );
    let b = browser();
    let page = b.open_page(site_of(&server).host_filter()).unwrap();
    page.visit(server.url()).unwrap();
    assert_eq!(
        page.click("main button").unwrap(),
        plg_audit::gather::browser::Pressed::Done
    );
    let settled = page.settle_after_action();
    assert!(settled.quiet);
    let state: String = page
        .evaluate("document.getElementById('state').textContent")
        .unwrap();
    assert_eq!(state, "Spring launch — draft saved");
}

#[test]
fn a_press_lands_on_a_button_below_the_fold_of_a_smooth_scrolling_page() {
    // `scroll-behavior: smooth` on the page: scrolling the button into view takes a while,
    // and a press aimed before it arrives would land on the empty section above it.
    let (_dir, server) = one_page_site(
        r#"<!doctype html><html><head><title>Brightwave</title>
        <style>html { scroll-behavior: smooth; } section { min-height: 2400px; }</style></head>
        <body><main><section><h1>Email for growing teams</h1></section>
        <p id="state">Plans start at $12.</p>
        <button type="button">Start for free</button></main>
        <script>
          document.querySelector('button').addEventListener('click', () => {
            document.getElementById('state').textContent = 'Create your account';
          });
        </script></body></html>"#,
    );
    let b = browser();
    let page = b.open_page(site_of(&server).host_filter()).unwrap();
    page.visit(server.url()).unwrap();
    assert_eq!(
        page.click("main button").unwrap(),
        plg_audit::gather::browser::Pressed::Done
    );
    page.settle_after_action();
    let state: String = page
        .evaluate("document.getElementById('state').textContent")
        .unwrap();
    assert_eq!(state, "Create your account");
}

#[test]
fn dialogs_are_dismissed_and_recorded() {
    let (_dir, server) = one_page_site(
        r#"<!doctype html><html><head><title>Brightwave</title></head><body>
        <h1>Brightwave</h1>
        <script>alert('Our site works best in a modern browser.');
          if (confirm('Stay signed in on this device?')) { document.body.dataset.kept = 'yes'; }</script>
        </body></html>"#,
    );
    let b = browser();
    let page = b.open_page(site_of(&server).host_filter()).unwrap();
    page.visit(server.url()).unwrap();
    let dialogs: Vec<(String, String, String)> = b
        .dialogs()
        .into_iter()
        .map(|d| (d.kind, d.message, d.answer))
        .collect();
    assert_eq!(
        dialogs,
        vec![
            (
                "alert".into(),
                "Our site works best in a modern browser.".into(),
                "dismissed".into()
            ),
            (
                "confirm".into(),
                "Stay signed in on this device?".into(),
                "dismissed".into()
            ),
        ]
    );
    // A dismissed confirm answers false to the page.
    assert_eq!(
        page.evaluate::<Option<String>>("document.body.dataset.kept ?? null")
            .unwrap(),
        None
    );
}

#[test]
fn a_popup_on_the_site_is_followed_and_every_new_window_is_closed() {
    // The partner's window opens by itself once the page has loaded; the plans open in
    // answer to the user's press (one window per press, as a browser's pop-up blocker
    // allows). Only the latter may carry the flow.
    let (_dir, server) = one_page_site(
        r#"<!doctype html><html><head><title>Brightwave</title></head><body><h1>Brightwave</h1>
        <button type="button">See plans</button>
        <script>
          window.open('https://partner.example/offer');
          document.querySelector('button').addEventListener('click', () => {
            window.open('/pricing');
          });
        </script></body></html>"#,
    );
    let b = browser();
    let site = site_of(&server);
    let page = b.open_page(site.host_filter()).unwrap();
    page.visit(server.url()).unwrap();
    assert_eq!(
        page.click("button").unwrap(),
        plg_audit::gather::browser::Pressed::Done
    );
    page.settle_after_action();
    let popups = page.follow_popups(&site).unwrap();
    assert_eq!(popups.closed, 2);
    let visit = popups
        .followed
        .expect("the same-site pop-up carries the flow");
    assert_eq!(visit.url, format!("{}/pricing", server.url()));
    assert_eq!(
        page.evaluate::<String>("document.title").unwrap(),
        "Pricing · Brightwave"
    );
}

#[test]
fn full_page_screenshots_are_taller_than_the_viewport() {
    let tall = "<p>Feature</p>".repeat(200);
    let (_dir, server) = one_page_site(&format!(
        "<!doctype html><html><head><title>Brightwave</title></head><body><h1>Brightwave</h1>{tall}</body></html>"
    ));
    let b = browser();
    let page = b.open_page(site_of(&server).host_filter()).unwrap();
    page.visit(server.url()).unwrap();
    let size = |png: &[u8]| {
        assert_eq!(&png[1..4], b"PNG");
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
        (w, h)
    };
    assert_eq!(size(&page.screenshot(false).unwrap()), (1280, 900));
    let (w, h) = size(&page.screenshot(true).unwrap());
    assert_eq!(w, 1280);
    assert!(h > 900 * 3, "full page height {h}");
}
