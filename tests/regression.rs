//! Regression checks for scheduled runs (issue 13): the assertions of `plg-audit.toml`,
//! its settings as flags, `diff` and `audit --baseline` between two runs of a product whose
//! onboarding grew a step, and the run history.
//!
//! `freemium` is Notebloom as it was; `freemium-grown` is the same product after its
//! onboarding grew a "Tell us about your team" step with one required field.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Writes `text` as a config file in `dir` and returns its path.
fn config_file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("plg-audit.toml");
    std::fs::write(&path, text).expect("the config file is written");
    path
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().to_string()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// The stderr lines that report broken assertions (`assertion failed:` or `warning:`).
fn assertion_lines(o: &std::process::Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| l.contains("assertion") || l.starts_with("plg-audit: warning:"))
        .map(str::to_string)
        .collect()
}

/// The bullet lines of one section (`## Worse (3)`) of a diff's Markdown.
fn section(markdown: &str, heading: &str) -> Vec<String> {
    let mut lines = markdown.lines().skip_while(|l| !l.starts_with(heading));
    lines.next();
    lines
        .skip_while(|l| l.is_empty())
        .take_while(|l| l.starts_with("- "))
        .map(str::to_string)
        .collect()
}

/// Audits `fixture_name` into a fresh directory below `parent`, expecting exit 0.
fn saved_run(fixture_name: &str, parent: &Path, name: &str) -> PathBuf {
    let site = fixture(fixture_name);
    let out = parent.join(name);
    let o = audit(site.url(), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    out
}

#[test]
fn assertions_that_hold_exit_0_without_a_failure() {
    let site = fixture("freemium");
    let dir = out_dir();
    let config = config_file(
        dir.path(),
        "[assert]\n\
         max_steps = 10\n\
         outcome = [\"completed\"]\n\
         min_score = { overall = 10 }\n",
    );
    let o = audit(
        site.url(),
        &dir.path().join("run"),
        &["--config", &path_str(&config)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("assertion failed"), "{}", stderr(&o));
}

#[test]
fn broken_assertions_are_each_one_line_and_exit_1() {
    let site = fixture("freemium");
    let dir = out_dir();
    // Notebloom's journey: 4 steps, 2 required fields (Work email, Password), activation
    // 91.1, and no "Powered by" badge; social sign-on fails too but is not asserted, and
    // the value-moment check passes.
    let config = config_file(
        dir.path(),
        "[assert]\n\
         max_steps = 2\n\
         max_required_fields = 1\n\
         min_score.activation = 99\n\
         checks.\"virality.powered_by_badge\" = \"error\"\n\
         checks.\"activation.value_in_first_session\" = \"error\"\n",
    );
    let o = audit(
        site.url(),
        &dir.path().join("run"),
        &["--config", &path_str(&config)],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).lines().collect::<Vec<_>>(),
        [
            "plg-audit: assertion failed: min_score.activation: expected ≥ 99, got 91.1",
            "plg-audit: assertion failed: max_steps: expected ≤ 2, got 4 (beyond the limit: step 3 \"Skip for now\", step 4 \"Create your first page\")",
            "plg-audit: assertion failed: max_required_fields: expected ≤ 1, got 2 (Password, Work email)",
            "plg-audit: assertion failed: checks.virality.powered_by_badge: expected pass, got fail (No \"powered by\" badge on shared work)",
            "plg-audit: 4 assertions failed",
        ]
    );
}

#[test]
fn a_warn_level_assertion_is_printed_and_exits_0() {
    let site = fixture("freemium");
    let dir = out_dir();
    let config = config_file(
        dir.path(),
        "[assert]\nmax_steps = { value = 2, level = \"warn\" }\n",
    );
    let o = audit(
        site.url(),
        &dir.path().join("run"),
        &["--config", &path_str(&config)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "plg-audit: warning: max_steps: expected ≤ 2, got 4 (beyond the limit: step 3 \"Skip for now\", step 4 \"Create your first page\")"
    );
}

#[test]
fn config_settings_are_flags_and_the_command_line_wins() {
    let site = fixture("freemium");
    let dir = out_dir();
    let config = config_file(dir.path(), "max_pages = 1\nno_journey = true\n");
    let config = path_str(&config);

    let from_file = dir.path().join("from-file");
    let o = audit(site.url(), &from_file, &["--config", &config]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        report(&from_file)["pages"].as_array().map(Vec::len),
        Some(1)
    );

    let overridden = dir.path().join("overridden");
    let o = audit(
        site.url(),
        &overridden,
        &["--config", &config, "--max-pages", "3"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pages = report(&overridden)["pages"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert!(
        pages > 1,
        "--max-pages 3 on the command line gave {pages} page(s)"
    );
}

/// Runs `audit` with a config file holding `text`; returns (exit code, stderr, file path).
fn audit_with_config(text: &str) -> (Option<i32>, String, String) {
    let dir = out_dir();
    let config = path_str(&config_file(dir.path(), text));
    // The configuration is refused before any page is opened: nothing listens here.
    let o = audit(
        "http://127.0.0.1:9/",
        &dir.path().join("run"),
        &["--config", &config],
    );
    (o.status.code(), stderr(&o), config)
}

#[test]
fn an_unknown_setting_is_invalid_configuration_at_its_line() {
    let (code, err, file) = audit_with_config("offline = true\nmax_page = 5\n");
    assert_eq!(code, Some(3));
    assert_eq!(
        err,
        format!(
            "plg-audit: invalid configuration: {file}:2: unknown setting \"max_page\" (a setting is an `audit` flag's long name, e.g. max_pages, or the [assert] table)"
        )
    );
}

#[test]
fn an_unknown_assertion_is_invalid_configuration_at_its_line() {
    let (code, err, file) = audit_with_config("[assert]\nmax_steps = 5\nmax_stepz = 4\n");
    assert_eq!(code, Some(3));
    assert_eq!(
        err,
        format!(
            "plg-audit: invalid configuration: {file}:3: [assert]: unknown assertion \"max_stepz\" (the assertions are min_score, max_steps, max_required_fields, max_human_seconds, max_machine_seconds, outcome, checks)"
        )
    );
}

#[test]
fn an_unknown_check_in_the_assertions_is_invalid_configuration_at_its_line() {
    let (code, err, file) = audit_with_config(
        "[assert]\nmax_steps = 5\nchecks.\"activation.no_such_check\" = \"error\"\n",
    );
    assert_eq!(code, Some(3));
    assert_eq!(
        err,
        format!(
            "plg-audit: invalid configuration: {file}:3: there is no check \"activation.no_such_check\" (`plg-audit checks list` shows them)"
        )
    );
}

#[test]
fn an_unknown_pillar_in_min_score_is_invalid_configuration_at_its_line() {
    let (code, err, file) =
        audit_with_config("[assert]\nmax_steps = 5\nmin_score = { overall = 50, growth = 60 }\n");
    assert_eq!(code, Some(3));
    assert_eq!(
        err,
        format!(
            "plg-audit: invalid configuration: {file}:3: min_score.growth names no score (overall, activation, monetisation, virality, instrumentation, trust)"
        )
    );
}

#[test]
fn a_wrong_level_is_invalid_configuration_at_its_line() {
    let (code, err, file) = audit_with_config(
        "[assert]\nmax_steps = 5\nmax_required_fields = { value = 3, level = \"fatal\" }\n",
    );
    assert_eq!(code, Some(3));
    assert_eq!(
        err,
        format!(
            "plg-audit: invalid configuration: {file}:3: the level of max_required_fields must be \"error\", \"warn\" or \"off\", got \"fatal\""
        )
    );
}

#[test]
fn diff_of_a_grown_onboarding_lists_the_added_step_and_field_as_worse() {
    let dir = out_dir();
    let old = saved_run("freemium", dir.path(), "old");
    let new = saved_run("freemium-grown", dir.path(), "new");
    // Machine time grows with the extra page by about 0.5 s, right at the default
    // tolerance (measured 1.8 s → 2.3 s), so it would come and go: a 2 s margin keeps it
    // out; the person's time moves by 11.5 s and stays in.
    let o = plg_audit(&[
        "diff",
        &path_str(&old),
        &path_str(&new),
        "--tolerance",
        "20%,2s",
    ]);
    let markdown = stdout(&o);
    let worse = section(&markdown, "## Worse");
    // A person's time (Keystroke-Level Model plus the product's answer times) moves by
    // about 11.5 s (measured 32.7–33.0 s → 44.3 s); its exact old figure varies by a
    // tenth, so only the line's start is compared.
    let person = "- **time**: time to value for a person: ";
    assert_eq!(
        worse.iter().filter(|l| l.starts_with(person)).count(),
        1,
        "{markdown}"
    );
    assert_eq!(
        worse
            .iter()
            .filter(|l| !l.starts_with(person))
            .map(String::as_str)
            .collect::<Vec<_>>(),
        [
            // The new screen: the journey skips /welcome, then must fill /team.
            "- **steps**: step 4 \"Tell us about your team\" was added",
            "- **fields**: required field \"Team name\" was added",
            "- **fields**: required fields: 2 → 3",
            // /team has no way to skip it.
            "- **checks**: activation.skippable\\_onboarding: pass → fail (Onboarding screens demand input with no way to skip)",
            // That failed check and the extra field, in the scores.
            "- **scores**: overall score: 84 → 83",
            "- **scores**: activation score: 91 → 87",
        ],
        "{markdown}"
    );
    assert!(markdown.contains("7 regressions, 0 improvements, 0 other changes."));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "plg-audit: 7 regressions against the baseline");
}

#[test]
fn audit_with_a_baseline_writes_the_diff_and_explains_the_added_step() {
    let dir = out_dir();
    let old = saved_run("freemium", dir.path(), "old");
    let config = config_file(dir.path(), "[assert]\nmax_steps = 4\n");
    let site = fixture("freemium-grown");
    let new = dir.path().join("new");
    let o = audit(
        site.url(),
        &new,
        &[
            "--baseline",
            &path_str(&old),
            "--config",
            &path_str(&config),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    for file in ["diff.md", "diff.html", "diff.json"] {
        assert!(new.join(file).is_file(), "{file} was not written");
    }
    assert_eq!(
        assertion_lines(&o)[0],
        "plg-audit: assertion failed: max_steps: expected ≤ 4, got 5 (step 4 \"Tell us about your team\" was added)"
    );
}

#[test]
fn diff_of_two_runs_of_an_unchanged_product_finds_no_change() {
    let dir = out_dir();
    let old = saved_run("freemium", dir.path(), "old");
    let new = saved_run("freemium", dir.path(), "new");
    // Nothing in the product changed. The other tests of this file audit in parallel on
    // the same cores, which can move a rerun's times by more than the default 500 ms
    // (seen once in three runs); 2 s keeps that load out of a test about the product.
    let o = plg_audit(&[
        "diff",
        &path_str(&old),
        &path_str(&new),
        "--tolerance",
        "20%,2s",
    ]);
    let markdown = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{markdown}\n{}", stderr(&o));
    assert!(
        markdown
            .lines()
            .any(|l| l == "No change beyond the tolerance."),
        "{markdown}"
    );
    assert!(!markdown.contains("## "), "{markdown}");
}

#[test]
fn history_records_each_audit_and_lists_them() {
    let site = fixture("freemium");
    let dir = out_dir();
    let history = path_str(&dir.path().join("h.sqlite3"));
    for run in ["first", "second"] {
        let o = audit(site.url(), &dir.path().join(run), &["--history", &history]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }

    let o = plg_audit(&["history", site.url(), "--history", &history]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(lines[0].starts_with("date "), "{table}");
    for run in &lines[1..3] {
        assert!(run.contains("  completed  "), "{table}");
    }
    assert!(lines[3].starts_with("2 runs from "), "{table}");
    assert!(lines[3].contains(" to "), "{table}");

    let o = plg_audit(&["history", site.url(), "--history", &history, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let runs: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(runs.as_array().map(Vec::len), Some(2));

    let second =
        std::fs::read_to_string(dir.path().join("second/report.html")).expect("report.html");
    assert!(second.contains("2 recorded runs"), "no trend section");
}

#[test]
fn no_history_records_nothing() {
    let site = fixture("freemium");
    let dir = out_dir();
    let history = dir.path().join("h.sqlite3");
    let o = audit(
        site.url(),
        &dir.path().join("run"),
        &[
            "--no-journey",
            "--history",
            &path_str(&history),
            "--no-history",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !history.exists(),
        "--no-history created {}",
        history.display()
    );
}
