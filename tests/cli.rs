//! The command-line contract: the demo, report files, --json, schema and doctor.

mod common;

use common::{audit, fixture, out_dir, plg_audit, report};

#[test]
fn the_demo_audits_the_built_in_product_and_writes_both_reports() {
    let out = out_dir();
    let o = plg_audit(&["demo", "--out", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        13,
        "six summary lines, the scores, motion and top fixes, and the report path: {stdout}"
    );
    assert!(
        lines[0].starts_with("Audited http://127.0.0.1:"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[4],
        "Growth: 7 of 10 mechanics (invite, share, templates, integrations, api docs, community, status page) · stack: Appcues, Intercom, Segment"
    );
    assert_eq!(
        lines[5],
        "Score 90/100 · activation 91 · monetisation 100 · virality 78 · instrumentation 73 · trust 100"
    );
    assert_eq!(
        lines[6],
        "Motion: product-led (a new user can sign up alone; prices are shown; a free plan or trial lets a user start without paying)"
    );
    assert_eq!(lines[7], "Top fixes:");
    assert!(
        lines[8].starts_with(
            "  1. No \"powered by\" badge on shared work [virality.powered_by_badge] — "
        ),
        "{}",
        lines[8]
    );
    assert_eq!(lines[11], "Problems: 0 errors, 0 warnings");
    assert_eq!(
        lines[12],
        format!("Report: {}", out.path().join("report.html").display())
    );

    let r = report(out.path());
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["tool"]["name"], "plg-audit");
    let roles: Vec<&str> = r["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["role"].as_str().unwrap())
        .collect();
    for role in [
        "home",
        "pricing",
        "signup",
        "login",
        "docs",
        "api",
        "integrations",
        "templates",
        "security",
        "legal",
        "blog",
    ] {
        assert!(roles.contains(&role), "demo has no {role} page: {roles:?}");
    }
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    // Named after the product, with the site's host and port.
    assert!(
        html.contains("<title>PLG teardown — Tasklane (127.0.0.1:"),
        "the report is titled after the product"
    );
    assert_eq!(r["product_name"], "Tasklane");
    assert!(
        html.contains(
            "<a href=\"screenshots&#x2F;journey-01.png\"><img src=\"data:image/jpeg;base64,"
        ),
        "screenshots are embedded as thumbnails linking the full-size PNG"
    );
}

#[test]
fn report_json_satisfies_the_shipped_schema() {
    let site = fixture("spa");
    let out = out_dir();
    let o = audit(site.url(), out.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert_eq!(
        common::schema_errors(&report(out.path())),
        Vec::<String>::new()
    );
}

#[test]
fn a_failed_audit_report_satisfies_the_schema_too() {
    let site = fixture("outage");
    let out = out_dir();
    let o = audit(&format!("{}/", site.url()), out.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    let schema: serde_json::Value = serde_json::from_str(plg_audit::report::JSON_SCHEMA).unwrap();
    assert!(jsonschema::is_valid(&schema, &report(out.path())));
}

#[test]
fn json_prints_the_report_on_stdout_and_nothing_else() {
    let site = fixture("freemium");
    let out = out_dir();
    let o = audit(site.url(), out.path(), &["--json", "--max-pages", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let printed: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("stdout is the report");
    assert_eq!(printed, report(out.path()));
}

#[test]
fn schema_prints_the_json_schema() {
    let o = plg_audit(&["schema"]);
    assert_eq!(o.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(schema["properties"]["schema_version"]["const"], 1);
}

#[test]
fn doctor_finds_and_starts_chromium() {
    let out = out_dir();
    let o = plg_audit(&["doctor", "--out", out.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("ok   Chromium starts: Chrome/"), "{stdout}");
    assert!(stdout.lines().last() == Some("Ready to audit."), "{stdout}");
}

#[test]
fn doctor_without_chromium_says_how_to_install_it() {
    let empty = out_dir();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_plg-audit"))
        .args(["doctor", "--out"])
        .arg(empty.path())
        .env("PATH", empty.path())
        .env_remove("CHROME")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.starts_with(
            "FAIL Chromium: no Chromium found: install it (apt-get install chromium), set $CHROME, or pass --chrome PATH\n     fix: as root: apt-get update && apt-get install -y chromium"
        ),
        "{stdout}"
    );
    assert_eq!(
        common::stderr(&o),
        "plg-audit: this machine is not ready to audit; see the fixes above"
    );
}

#[test]
fn an_out_of_range_flag_is_invalid_configuration() {
    let o = plg_audit(&["audit", "https://example.com", "--step-timeout", "0"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        common::stderr(&o),
        "plg-audit: --step-timeout must be a number of seconds between 0.5 and 600, got 0"
    );
}
