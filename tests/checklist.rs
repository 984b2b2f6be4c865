//! The checklist from the command line: listing and explaining checks, user checklist
//! directories (added, overridden, disabled checks; each kind of wrong file), `rescore`,
//! and the contract ids' results on the fixture products.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{audit, fixture, out_dir, plg_audit, report};
use serde_json::Value;

/// A directory of check files written by the test.
fn checks_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = out_dir();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// `plg-audit checks validate DIR`: (exit code, stderr).
fn validate(dir: &Path) -> (Option<i32>, String) {
    let o = plg_audit(&["checks", "validate", dir.to_str().unwrap()]);
    (o.status.code(), common::stderr(&o))
}

/// The freemium fixture audited once for every test that judges a saved run; each test
/// copies it so rescoring never touches another test's run.
fn saved_freemium() -> tempfile::TempDir {
    static RUN: OnceLock<PathBuf> = OnceLock::new();
    let original = RUN.get_or_init(|| {
        let site = fixture("freemium");
        let dir =
            std::env::temp_dir().join(format!("plg-audit-test-freemium-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let o = audit(site.url(), &dir, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
        dir
    });
    let copy = out_dir();
    copy_dir(original, copy.path());
    copy
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn check<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

#[test]
fn checks_list_shows_every_built_in_check_by_pillar() {
    let o = plg_audit(&["checks", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out.lines().last(),
        Some("62 checks (62 enabled), checklist 1.0.0")
    );
    let headings: Vec<&str> = out.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        headings[..5],
        [
            "activation (pillar weight 30, 17 checks)",
            "monetisation (pillar weight 25, 16 checks)",
            "virality (pillar weight 20, 10 checks)",
            "instrumentation (pillar weight 10, 10 checks)",
            "trust (pillar weight 15, 9 checks)",
        ]
    );
}

#[test]
fn checks_list_filters_by_pillar() {
    let o = plg_audit(&["checks", "list", "--pillar", "trust"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out.lines().last(),
        Some("9 checks (9 enabled), checklist 1.0.0")
    );
    assert!(out.contains("  trust.security_page "), "{out}");
    assert!(!out.contains("activation."), "{out}");
}

#[test]
fn checks_show_explains_one_check() {
    let o = plg_audit(&["checks", "show", "activation.no_card_before_value"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "activation.no_card_before_value");
    assert_eq!(lines[1], "  No payment card is demanded before value");
    assert!(lines.contains(&"Weight:          4"), "{out}");
    assert!(lines.contains(&"When it fails:   A payment card is demanded before value"));
    assert!(lines.contains(
        &"  passes when    signup.outcome != 'card_required' && !('card_number' in facts.required_field_types)"
    ));
    assert!(lines.contains(&"What to change:"));
    let file = std::fs::read_to_string(common::repo_path("checks/activation.toml")).unwrap();
    let line = file
        .lines()
        .position(|l| l == "id = \"activation.no_card_before_value\"")
        .unwrap()
        + 1;
    assert!(
        lines.contains(&format!("Defined in checks/activation.toml:{line}").as_str()),
        "{out}"
    );
}

#[test]
fn checks_show_of_an_unknown_id_is_invalid_configuration() {
    let o = plg_audit(&["checks", "show", "activation.nope"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        common::stderr(&o),
        "plg-audit: there is no check \"activation.nope\"; `plg-audit checks list` shows them"
    );
}

const NEW_CHECK: &str = r#"# Our team's additions.

[[check]]
id = "activation.value_in_three_steps"
pillar = "activation"
title = "Value is at most 3 steps away"
failure_title = "Value is more than 3 steps away"
description = "Our onboarding target for this year."
weight = 2
requires = ["signup.value"]
expr = "signup.steps <= 3"
evidence = ["signup.steps"]
recommendation = "Drop the workspace screen."

[[check]]
id = "virality.powered_by_badge"
enabled = false

[[check]]
id = "activation.max_required_fields"
weight = 8
"#;

#[test]
fn a_valid_directory_is_reported_file_by_file() {
    let dir = checks_dir(&[("team.toml", NEW_CHECK)]);
    let o = plg_audit(&["checks", "validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!(
            "ok  {}: 3 checks\n{} is a valid checklist directory\n",
            dir.path().join("team.toml").display(),
            dir.path().display()
        )
    );
}

#[test]
fn a_user_directory_adds_overrides_and_disables_checks() {
    let dir = checks_dir(&[("team.toml", NEW_CHECK)]);
    let o = plg_audit(&["checks", "list", "--checks", dir.path().to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out.lines().last(),
        Some("63 checks (62 enabled), checklist 1.0.0+custom")
    );
    let line = |id: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("{id} not listed: {out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("activation.value_in_three_steps"),
        "activation.value_in_three_steps w2 Value is at most 3 steps away"
    );
    assert_eq!(
        line("activation.max_required_fields"),
        "activation.max_required_fields w8 Signup asks for at most 4 required fields before value"
    );
    assert!(line("virality.powered_by_badge").ends_with("[disabled]"));
}

#[test]
fn an_unknown_field_is_named_with_its_line() {
    let dir = checks_dir(&[(
        "extra.toml",
        "[[check]]\nid = \"activation.quick\"\npillar = \"activation\"\ntitle = \"x\"\ndescription = \"y\"\nweight = 1\nexpr = \"true\"\nrecomendation = \"typo\"\n",
    )]);
    let (code, err) = validate(dir.path());
    assert_eq!(code, Some(3));
    assert!(
        err.starts_with(&format!(
            "plg-audit: invalid configuration: {}:8: unknown field `recomendation`, expected one of",
            dir.path().join("extra.toml").display()
        )),
        "{err}"
    );
}

#[test]
fn an_unknown_pillar_is_named_with_its_line() {
    let dir = checks_dir(&[(
        "extra.toml",
        "[[check]]\nid = \"growth.quick\"\npillar = \"growth\"\ntitle = \"x\"\ndescription = \"y\"\nweight = 1\nexpr = \"true\"\nrecommendation = \"z\"\n",
    )]);
    let (code, err) = validate(dir.path());
    assert_eq!(code, Some(3));
    assert_eq!(
        err,
        format!(
            "plg-audit: invalid configuration: {}:3: unknown pillar \"growth\" (the pillars are activation, monetisation, virality, instrumentation, trust)",
            dir.path().join("extra.toml").display()
        )
    );
}

#[test]
fn an_expression_that_does_not_parse_is_named_with_its_line() {
    let dir = checks_dir(&[(
        "extra.toml",
        "[[check]]\nid = \"activation.quick\"\npillar = \"activation\"\ntitle = \"x\"\ndescription = \"y\"\nweight = 1\nexpr = \"signup.steps <= \"\nrecommendation = \"z\"\n",
    )]);
    let (code, err) = validate(dir.path());
    assert_eq!(code, Some(3));
    assert!(
        err.starts_with(&format!(
            "plg-audit: invalid configuration: {}:7: expr `signup.steps <= ` is not valid CEL: ",
            dir.path().join("extra.toml").display()
        )),
        "{err}"
    );
}

#[test]
fn an_id_defined_twice_is_named_with_its_line() {
    let dir = checks_dir(&[(
        "extra.toml",
        "[[check]]\nid = \"trust.cookie_policy\"\npillar = \"trust\"\ntitle = \"x\"\ndescription = \"y\"\nweight = 1\nexpr = \"true\"\nrecommendation = \"z\"\n\n[[check]]\nid = \"trust.cookie_policy\"\nweight = 2\n",
    )]);
    let (code, err) = validate(dir.path());
    assert_eq!(code, Some(3));
    assert_eq!(
        err,
        format!(
            "plg-audit: invalid configuration: {}:11: check \"trust.cookie_policy\" is defined twice in this file",
            dir.path().join("extra.toml").display()
        )
    );
}

#[test]
fn a_requirement_that_names_no_fact_is_refused() {
    let dir = checks_dir(&[(
        "extra.toml",
        "[[check]]\nid = \"activation.max_required_fields\"\nrequires = [\"sigup.value\"]\n",
    )]);
    let (code, err) = validate(dir.path());
    assert_eq!(code, Some(3));
    assert_eq!(
        err,
        format!(
            "plg-audit: invalid configuration: {}:2: check \"activation.max_required_fields\" requires \"sigup.value\", which names no fact (a fact is a field of report.json or of `facts`, e.g. signup.value)",
            dir.path().join("extra.toml").display()
        )
    );
}

#[test]
fn a_missing_checks_directory_is_one_sentence() {
    let (code, err) = validate(Path::new("/nonexistent/team-checks"));
    assert_eq!(code, Some(3));
    assert_eq!(
        err,
        "plg-audit: invalid configuration: the checks directory /nonexistent/team-checks does not exist or is not a directory"
    );
}

#[test]
fn a_wrong_checks_directory_stops_an_audit_before_it_starts() {
    let dir = checks_dir(&[("extra.toml", "[[check]]\nid = \"Bad Id\"\n")]);
    let out = out_dir();
    let o = audit(
        "http://127.0.0.1:9/",
        out.path(),
        &["--checks", dir.path().to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        common::stderr(&o),
        format!(
            "plg-audit: invalid configuration: {}:2: check id \"Bad Id\" must read pillar.name (lowercase letters, digits and underscores)",
            dir.path().join("extra.toml").display()
        )
    );
    assert!(!out.path().join("report.json").exists());
}

#[test]
fn rescore_reproduces_the_same_report() {
    let run = saved_freemium();
    let before = report(run.path());
    let o = plg_audit(&["rescore", run.path().to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert_eq!(report(run.path()), before);
}

#[test]
fn rescore_with_a_user_directory_judges_by_it() {
    let run = saved_freemium();
    let dir = checks_dir(&[("team.toml", NEW_CHECK)]);
    let o = plg_audit(&[
        "rescore",
        run.path().to_str().unwrap(),
        "--checks",
        dir.path().to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = report(run.path());
    assert_eq!(printed, r, "--json prints the rewritten report");
    assert_eq!(r["checklist_version"], "1.0.0+custom");
    let added = check(&r, "activation.value_in_three_steps");
    assert_eq!(added["weight"], 2.0);
    assert_eq!(
        added["evidence"][0],
        serde_json::json!({"fact": "signup.steps", "label": "signup.steps", "value": r["signup"]["steps"]})
    );
    assert_eq!(check(&r, "activation.max_required_fields")["weight"], 8.0);
    assert!(r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"] != "virality.powered_by_badge"));
}

#[test]
fn rescore_of_a_directory_that_is_no_run_says_so() {
    let empty = out_dir();
    let o = plg_audit(&["rescore", empty.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        common::stderr(&o),
        format!(
            "plg-audit: cannot read {}: it does not exist, so {} is not a saved run",
            empty.path().join("artifacts.json").display(),
            empty.path().display()
        )
    );
}

/// The contract ids, in the order the expectations below list them.
const CONTRACT: [&str; 14] = [
    "activation.self_serve_signup",
    "activation.no_card_before_value",
    "activation.no_captcha_before_value",
    "activation.no_email_wall_before_value",
    "activation.value_in_first_session",
    "activation.max_required_fields",
    "monetisation.public_pricing",
    "monetisation.prices_visible",
    "monetisation.free_plan_or_trial",
    "virality.invite_teammates",
    "virality.templates",
    "virality.integrations",
    "instrumentation.product_analytics",
    "trust.security_page",
];

/// Audits a fixture product and returns each contract id's status, `unknown` appended
/// as "?" (`not_applicable?`).
fn contract_results(name: &str) -> Vec<String> {
    let site = fixture(name);
    let out = out_dir();
    let o = audit(site.url(), out.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{name}: {}", common::stderr(&o));
    let r = report(out.path());
    CONTRACT
        .iter()
        .map(|id| {
            let c = check(&r, id);
            format!(
                "{id}: {}{}",
                c["status"].as_str().unwrap(),
                if c["unknown"] == true { "?" } else { "" }
            )
        })
        .collect()
}

/// The expected statuses, one letter per contract id: P pass, F fail, - not applicable,
/// ? unknown (not applicable because a fact is missing).
fn expected(codes: &str) -> Vec<String> {
    let statuses: Vec<&str> = codes
        .split_whitespace()
        .map(|c| match c {
            "P" => "pass",
            "F" => "fail",
            "-" => "not_applicable",
            "?" => "not_applicable?",
            other => panic!("unknown code {other}"),
        })
        .collect();
    assert_eq!(statuses.len(), CONTRACT.len());
    CONTRACT
        .iter()
        .zip(statuses)
        .map(|(id, s)| format!("{id}: {s}"))
        .collect()
}

#[test]
fn freemium_passes_every_contract_check() {
    assert_eq!(
        contract_results("freemium"),
        expected("P P P P P P P P P P P P P P")
    );
}

#[test]
fn a_card_wall_fails_no_card_and_value_in_first_session() {
    assert_eq!(
        contract_results("journey-card"),
        expected("P F P P F P P P P F F F F F")
    );
}

#[test]
fn a_captcha_fails_no_captcha_and_value_in_first_session() {
    assert_eq!(
        contract_results("journey-captcha"),
        expected("P P F P F P P P P F F F F F")
    );
}

#[test]
fn an_email_wall_fails_no_email_wall_and_value_in_first_session() {
    assert_eq!(
        contract_results("journey-verify"),
        expected("P P P F F P P P P F F F F F")
    );
}

#[test]
fn a_waitlist_has_no_self_serve_signup_to_judge() {
    assert_eq!(
        contract_results("journey-waitlist"),
        expected("F - - - - - P P P F F F F F")
    );
}

#[test]
fn a_sales_led_product_fails_self_serve_and_shows_no_prices() {
    assert_eq!(
        contract_results("saleslead"),
        expected("F - - - - - P F F F F P F P")
    );
}

#[test]
fn sign_up_with_google_only_leaves_value_unknown() {
    assert_eq!(
        contract_results("journey-sso"),
        expected("P P P P ? P P P P F F F F F")
    );
}

#[test]
fn a_journey_that_fails_leaves_its_checks_unknown_not_failed() {
    assert_eq!(
        contract_results("journey-noop"),
        expected("P ? ? ? ? ? P F ? F F F F F")
    );
}
