//! Shared helpers for the integration tests: fixture products served on 127.0.0.1 and
//! the plg-audit binary run against them offline.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use plg_audit::demo::server::ProductServer;

/// Serves `tests/fixtures/<name>` on a free port of 127.0.0.1 until dropped.
pub fn fixture(name: &str) -> ProductServer {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    ProductServer::serve_dir(&dir).unwrap_or_else(|e| panic!("fixture {name} did not start: {e:#}"))
}

/// A fresh output directory, removed when the test ends.
pub fn out_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("plg-audit-test-")
        .tempdir()
        .expect("temp dir")
}

/// Runs `plg-audit` with `args`, offline, quietly.
pub fn plg_audit(args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_plg-audit"));
    cmd.args(args)
        .env_remove("RUST_LOG")
        .env_remove("PLG_AUDIT_NO_HISTORY")
        // Runs are recorded in a history of this test process, never the user's.
        .env("PLG_AUDIT_HISTORY", test_history());
    cmd.output().expect("plg-audit runs")
}

/// The run history the tests' runs are recorded in (one per test process).
pub fn test_history() -> PathBuf {
    std::env::temp_dir().join(format!(
        "plg-audit-test-history-{}.sqlite3",
        std::process::id()
    ))
}

/// `plg-audit audit URL --out DIR --offline --quiet` plus `extra`.
pub fn audit(url: &str, out: &Path, extra: &[&str]) -> Output {
    let out = out.to_string_lossy().to_string();
    let mut args = vec!["audit", url, "--out", &out, "--offline", "--quiet"];
    args.extend_from_slice(extra);
    plg_audit(&args)
}

pub fn report(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("report.json")).expect("report.json was written");
    serde_json::from_str(&text).expect("report.json is JSON")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim().to_string()
}

/// (path, role) of every page in a report, paths relative to `origin`.
pub fn page_roles(report: &serde_json::Value, origin: &str) -> Vec<(String, String)> {
    report["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|p| {
            let url = p["url"].as_str().unwrap_or_default();
            let path = url.strip_prefix(origin).unwrap_or(url).to_string();
            (path, p["role"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Every way `report` breaks the shipped JSON Schema (empty when it conforms).
pub fn schema_errors(report: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(plg_audit::report::JSON_SCHEMA).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}
