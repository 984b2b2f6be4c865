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
        .args(["--offline", "--quiet", "--no-history"])
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

/// `plg-audit audit …` with `args` appended, offline and quiet, expecting one line on stderr.
fn refused(args: &[&str]) -> (i32, String) {
    let out = out_dir();
    let o = audit("http://127.0.0.1:9/", out.path(), args);
    (exit_code(&o), stderr(&o))
}

#[test]
fn a_page_budget_out_of_range_is_one_sentence_and_exit_3() {
    assert_eq!(
        refused(&["--max-pages", "0"]),
        (
            3,
            "plg-audit: --max-pages must be between 1 and 500, got 0".to_string()
        )
    );
}

#[test]
fn a_negative_step_timeout_is_one_sentence_and_exit_3() {
    assert_eq!(
        refused(&["--step-timeout", "-1"]),
        (
            3,
            "plg-audit: --step-timeout must be a number of seconds between 0.5 and 600, got -1"
                .to_string()
        )
    );
}

#[test]
fn a_time_budget_that_is_no_duration_is_one_sentence_and_exit_3() {
    assert_eq!(
        refused(&["--max-time", "soon"]),
        (
            3,
            "plg-audit: --max-time must be a duration between 10 s and 24 h, such as 600, 90s, 10m or 1h, got soon"
                .to_string()
        )
    );
}

#[test]
fn a_journey_file_that_cannot_be_read_is_invalid_configuration() {
    assert_eq!(
        refused(&["--journey", "/nonexistent/tasklane.journey.toml"]),
        (
            3,
            "plg-audit: invalid configuration: the journey file /nonexistent/tasklane.journey.toml cannot be read: it does not exist".to_string()
        )
    );
}

/// Serves TLS on 127.0.0.1 with a certificate authority's own certificate as the site's
/// certificate; answers nothing past the handshake.
fn tls_site_with_a_ca_certificate() -> u16 {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    use std::sync::Arc;
    let cert = CertificateDer::from(
        std::fs::read(common::repo_path("tests/fixtures/tls/ca-cert.der")).unwrap(),
    );
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        std::fs::read(common::repo_path("tests/fixtures/tls/ca-key.pk8.der")).unwrap(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let Ok(mut conn) = rustls::ServerConnection::new(config.clone()) else {
                continue;
            };
            // The client refuses the certificate and hangs up; that ends the handshake.
            while conn.is_handshaking() {
                if conn.complete_io(&mut stream).is_err() {
                    break;
                }
            }
        }
    });
    port
}

#[test]
fn a_ca_certificate_served_as_the_sites_certificate_is_named_in_words() {
    let port = tls_site_with_a_ca_certificate();
    let url = format!("https://127.0.0.1:{port}/");
    let out = out_dir();
    let o = audit(&url, out.path(), &[]);
    assert_eq!(exit_code(&o), 2);
    assert_eq!(
        stderr(&o),
        format!("plg-audit: the certificate of {url} is not trusted: it is a CA certificate used as a server certificate")
    );
}
