//! `audit --runs N`: stable figures from N walks in fresh profiles, and a flow that does
//! not repeat itself called unstable, with how.

mod common;

use common::{audit, fixture, out_dir, report};

#[test]
fn three_runs_give_the_median_times_and_their_range() {
    let site = fixture("freemium");
    let out = out_dir();
    let o = audit(site.url(), out.path(), &["--max-pages", "2", "--runs", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let r = report(out.path());
    let st = &r["stability"];
    assert_eq!(st["runs"], 3);
    assert_eq!(st["stable"], true);
    assert_eq!(st["differences"], serde_json::json!([]));
    let dirs: Vec<&str> = st["per_run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["dir"].as_str().unwrap())
        .collect();
    assert_eq!(dirs, [".", "runs/2", "runs/3"]);
    for d in &dirs[1..] {
        assert!(out.path().join(d).join("report.json").is_file(), "{d}");
    }
    let human = &st["human_seconds"];
    let mut times: Vec<f64> = st["per_run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["human_seconds"].as_f64().unwrap())
        .collect();
    times.sort_by(f64::total_cmp);
    assert_eq!(human["median"].as_f64(), Some(times[1]));
    assert_eq!(human["min"].as_f64(), Some(times[0]));
    assert_eq!(human["max"].as_f64(), Some(times[2]));
    assert_eq!(
        r["signup"]["human_seconds"], human["median"],
        "the report gives the median"
    );
}

#[test]
fn a_flow_that_adds_a_step_on_some_runs_is_unstable_and_says_how() {
    // freemium-flaky sends its second signup through an extra "Tell us about your team"
    // screen with a required team name; the first and third go straight on.
    let site = fixture("freemium-flaky");
    let out = out_dir();
    let o = audit(site.url(), out.path(), &["--max-pages", "2", "--runs", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let st = &report(out.path())["stability"];
    assert_eq!(st["stable"], false);
    assert_eq!(
        st["differences"],
        serde_json::json!([
            "steps differ: 4 (\"Get started — it's free\", \"Create my account\", \"Skip for now\", \"Create your first page\") in runs 1, 3; 5 (\"Get started — it's free\", \"Create my account\", \"Skip for now\", \"Continue\", \"Create your first page\") in run 2",
            "required fields differ: 2 (Password, Work email) in runs 1, 3; 3 (Password, Team name, Work email) in run 2"
        ])
    );
}
