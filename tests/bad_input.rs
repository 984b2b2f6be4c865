//! Inputs that keep an audit from running: each exits 2 with one sentence, and whatever
//! was gathered before the failure is still written.

mod common;

use common::{audit, fixture, out_dir, report, stderr};

fn exit_code(o: &std::process::Output) -> i32 {
    o.status.code().expect("exited normally")
}

#[test]
fn an_invalid_url_exits_2_and_writes_nothing() {
    let out = out_dir();
    let o = audit("http://exa mple.com", out.path(), &[]);
    assert_eq!(exit_code(&o), 2);
    assert!(
        stderr(&o).starts_with("plg-audit: 'http://exa mple.com' is not a valid URL ("),
        "{}",
        stderr(&o)
    );
    assert!(!out.path().join("report.json").exists());
}

#[test]
fn an_unsupported_scheme_exits_2_with_its_name() {
    let out = out_dir();
    let o = audit("ftp://files.example.com/", out.path(), &[]);
    assert_eq!(exit_code(&o), 2);
    assert_eq!(
        stderr(&o),
        "plg-audit: 'ftp://files.example.com/' uses the unsupported scheme 'ftp'; plg-audit audits http:// and https:// sites"
    );
}

#[test]
fn an_unreachable_host_exits_2_and_still_writes_the_report() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let out = out_dir();
    let o = audit(&url, out.path(), &[]);
    assert_eq!(exit_code(&o), 2);
    assert_eq!(
        stderr(&o),
        format!("plg-audit: could not reach {url}: the connection was refused (is the site up?)")
    );
    let r = report(out.path());
    assert_eq!(r["errors"][0]["stage"], "home");
    assert_eq!(r["pages"].as_array().unwrap().len(), 0);
}

#[test]
fn a_home_page_answering_503_exits_2_and_keeps_the_page() {
    let site = fixture("outage");
    let url = format!("{}/", site.url());
    let out = out_dir();
    let o = audit(&url, out.path(), &[]);
    assert_eq!(exit_code(&o), 2);
    assert_eq!(
        stderr(&o),
        format!("plg-audit: the home page {url} answered HTTP 503, so there is nothing to audit")
    );
    let r = report(out.path());
    assert_eq!(r["pages"][0]["status"], 503);
    assert_eq!(r["pages"][0]["title"], "Orbitly is down for maintenance");
}

#[test]
fn a_home_page_answering_404_exits_2() {
    let site = fixture("outage");
    let url = format!("{}/en/", site.url());
    let out = out_dir();
    let o = audit(&url, out.path(), &[]);
    assert_eq!(exit_code(&o), 2);
    assert_eq!(
        stderr(&o),
        format!("plg-audit: the home page {url} answered HTTP 404, so there is nothing to audit")
    );
}

#[test]
fn a_home_page_that_is_not_html_exits_2() {
    let site = fixture("outage");
    let url = format!("{}/api/status", site.url());
    let out = out_dir();
    let o = audit(&url, out.path(), &[]);
    assert_eq!(exit_code(&o), 2);
    assert_eq!(
        stderr(&o),
        format!(
            "plg-audit: the home page {url} is not an HTML page (Content-Type: application/json)"
        )
    );
    assert!(out.path().join("report.html").exists());
}

#[test]
fn a_redirect_loop_exits_2() {
    let site = fixture("outage");
    let url = format!("{}/start", site.url());
    let out = out_dir();
    let o = audit(&url, out.path(), &[]);
    assert_eq!(exit_code(&o), 2);
    assert_eq!(
        stderr(&o),
        format!(
            "plg-audit: {url} redirects in a loop (or more than 10 times) and never reaches a page"
        )
    );
}

#[test]
fn no_chromium_exits_2_but_keeps_the_pages_read_without_it() {
    let site = fixture("freemium");
    let empty_path = out_dir();
    let out = out_dir();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_plg-audit"))
        .args(["audit", site.url(), "--out"])
        .arg(out.path())
        .args(["--offline", "--quiet"])
        .env("PATH", empty_path.path())
        .env_remove("CHROME")
        .output()
        .unwrap();
    assert_eq!(exit_code(&o), 2);
    assert_eq!(
        stderr(&o),
        "plg-audit: no Chromium found: install it (apt-get install chromium), set $CHROME, or pass --chrome PATH"
    );
    let r = report(out.path());
    assert_eq!(r["errors"][0]["stage"], "browser");
    assert!(r["browser"].is_null());
    // Discovery went on over plain HTTP: the static pages are all there.
    let roles: Vec<&str> = r["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["role"].as_str().unwrap())
        .collect();
    assert!(roles.contains(&"pricing"), "{roles:?}");
    assert!(roles.contains(&"signup"), "{roles:?}");
}

#[test]
fn a_browser_path_that_does_not_exist_is_named() {
    let site = fixture("freemium");
    let out = out_dir();
    let o = audit(site.url(), out.path(), &["--chrome", "/opt/nowhere/chrome"]);
    assert_eq!(exit_code(&o), 2);
    assert_eq!(
        stderr(&o),
        "plg-audit: the browser given by --chrome (/opt/nowhere/chrome) does not exist or is not executable"
    );
}
