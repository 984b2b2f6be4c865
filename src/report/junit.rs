//! report.junit.xml: the checklist's results as a JUnit test report, so a CI system
//! (Jenkins, GitLab, GitHub test reporters) shows a failed check the way it shows a failed
//! test. One test suite per pillar, one test case per check.
//!
//! The format is the common one those tools read (the Ant/Jenkins schema): a failed or
//! partial check is a `<failure>`, a check that could not be judged an `<error>`, one that
//! does not apply `<skipped>`; informative checks pass and carry their finding in
//! `<system-out>`. Text from the audited site reaches attributes and bodies, so every value
//! is escaped, and characters XML 1.0 forbids are dropped.

use std::fmt::Write;

use crate::audit::checklist::judge::{CheckResult, Status};
use crate::audit::checklist::Pillar;

use super::Report;

/// The whole report.junit.xml for `report`.
pub fn render(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let all = Counts::of(report.checks.iter());
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" {} time=\"{}\">",
        attr(&format!("plg-audit: {}", report.product_name)),
        all.attributes(),
        seconds(report.duration_ms),
    );
    // The Ant schema's timestamp has no time zone; report.json's is UTC.
    let timestamp = report.started_at.trim_end_matches('Z');
    for pillar in Pillar::ALL {
        let checks: Vec<&CheckResult> = report
            .checks
            .iter()
            .filter(|c| c.pillar == pillar)
            .collect();
        let counts = Counts::of(checks.iter().copied());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{pillar}\" {} time=\"0\" timestamp=\"{}\">",
            counts.attributes(),
            attr(timestamp),
        );
        for check in checks {
            test_case(&mut out, check);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Test counts as the JUnit attributes name them.
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of<'a>(checks: impl Iterator<Item = &'a CheckResult>) -> Counts {
        let mut counts = Counts {
            tests: 0,
            failures: 0,
            errors: 0,
            skipped: 0,
        };
        for check in checks {
            counts.tests += 1;
            match check.status {
                Status::Fail | Status::Partial => counts.failures += 1,
                Status::Error => counts.errors += 1,
                Status::NotApplicable => counts.skipped += 1,
                Status::Pass | Status::Informative => {}
            }
        }
        counts
    }

    fn attributes(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

fn test_case(out: &mut String, check: &CheckResult) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
        attr(&format!("plg-audit.{}", check.pillar)),
        attr(&check.id),
    );
    match check.status {
        Status::Pass => out.push_str("/>\n"),
        Status::Fail | Status::Partial => {
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                attr(&check.failure_title),
                check.status.as_str(),
                text(&finding(check, true)),
            );
        }
        Status::Error => {
            let _ = writeln!(
                out,
                ">\n      <error message=\"{}\" type=\"error\">{}</error>\n    </testcase>",
                attr(&check.reason),
                text(&finding(check, false)),
            );
        }
        Status::NotApplicable => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                attr(&check.reason),
            );
        }
        Status::Informative => {
            let _ = writeln!(
                out,
                ">\n      <system-out>{}</system-out>\n    </testcase>",
                text(&finding(check, true)),
            );
        }
    }
}

/// The reason, one line per piece of evidence (`fact = value`) and, when asked, the fix.
fn finding(check: &CheckResult, with_fix: bool) -> String {
    let mut lines = vec![check.reason.clone()];
    for e in &check.evidence {
        lines.push(format!("{} = {}", e.name(), e.value));
    }
    if with_fix {
        lines.push(format!("Fix: {}", check.recommendation));
    }
    lines.join("\n")
}

/// Milliseconds as the seconds JUnit's `time` holds.
fn seconds(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

/// Whether XML 1.0 allows `c` in a document at all (even escaped, it may not appear).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// Character data: markup characters escaped, forbidden characters dropped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A bare CR would be read back as a newline.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// An attribute value in double quotes: also quotes escaped, and tab, newline and CR as
/// references, since a parser turns them into spaces otherwise.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::checklist::judge::Evidence;

    fn fixture(name: &str) -> Report {
        let path = format!(
            "{}/tests/fixtures/reports/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let json = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn count(report: &Report, pillar: Option<Pillar>, statuses: &[Status]) -> String {
        report
            .checks
            .iter()
            .filter(|c| pillar.is_none_or(|p| c.pillar == p) && statuses.contains(&c.status))
            .count()
            .to_string()
    }

    const ALL: [Status; 6] = [
        Status::Pass,
        Status::Fail,
        Status::Partial,
        Status::NotApplicable,
        Status::Informative,
        Status::Error,
    ];

    /// (tests, failures, errors, skipped) as the statuses of report.json count them.
    fn expected(report: &Report, pillar: Option<Pillar>) -> [String; 4] {
        [
            count(report, pillar, &ALL),
            count(report, pillar, &[Status::Fail, Status::Partial]),
            count(report, pillar, &[Status::Error]),
            count(report, pillar, &[Status::NotApplicable]),
        ]
    }

    fn counted(node: roxmltree::Node) -> [String; 4] {
        ["tests", "failures", "errors", "skipped"]
            .map(|a| node.attribute(a).unwrap_or("missing").to_string())
    }

    #[test]
    fn the_root_counts_every_check_by_status() {
        let report = fixture("journey-card");
        let xml = render(&report);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(root.attribute("name"), Some("plg-audit: Tracefield"));
        assert_eq!(counted(root), expected(&report, None));
        assert_eq!(
            counted(root),
            ["62", "23", "0", "7"].map(String::from),
            "the fixture's own counts"
        );
    }

    #[test]
    fn each_pillar_is_a_suite_counting_its_checks_by_status() {
        let report = fixture("journey-card");
        let xml = render(&report);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let suites: Vec<roxmltree::Node> = doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name("testsuite"))
            .collect();
        let names: Vec<&str> = suites.iter().filter_map(|s| s.attribute("name")).collect();
        assert_eq!(
            names,
            [
                "activation",
                "monetisation",
                "virality",
                "instrumentation",
                "trust"
            ]
        );
        for (suite, pillar) in suites.iter().zip(Pillar::ALL) {
            assert_eq!(counted(*suite), expected(&report, Some(pillar)), "{pillar}");
            let cases = suite.children().filter(|n| n.has_tag_name("testcase"));
            assert_eq!(
                cases.count().to_string(),
                expected(&report, Some(pillar))[0]
            );
        }
    }

    #[test]
    fn a_failed_check_is_a_failure_with_its_reason_evidence_and_fix() {
        let xml = render(&fixture("journey-card"));
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let case = doc
            .descendants()
            .find(|n| n.attribute("name") == Some("activation.no_card_before_value"))
            .expect("the check's test case");
        assert_eq!(case.attribute("classname"), Some("plg-audit.activation"));
        let children: Vec<roxmltree::Node> = case.children().filter(|n| n.is_element()).collect();
        assert_eq!(children.len(), 1);
        let failure = children[0];
        assert_eq!(failure.tag_name().name(), "failure");
        assert_eq!(
            failure.attribute("message"),
            Some("A payment card is demanded before value")
        );
        assert_eq!(failure.attribute("type"), Some("fail"));
        assert_eq!(
            failure.text(),
            Some(
                "A payment card is demanded before value\n\
                 Journey outcome = \"card_required\"\n\
                 The wall that stopped the journey = {\"element\":\"[data-plg-id=\\\"3\\\"]\",\"fields\":[],\
                 \"outcome\":\"card_required\",\"screenshot\":\"screenshots/journey-blocker.png\",\
                 \"text\":\"Card number\",\"url\":\"http://127.0.0.1:44539/billing\"}\n\
                 Fix: Start the trial without a card and ask for payment at the upgrade or \
                 when the trial ends."
            )
        );
    }

    #[test]
    fn a_partial_check_is_a_failure_of_type_partial() {
        let xml = render(&fixture("demo"));
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let case = doc
            .descendants()
            .find(|n| n.attribute("name") == Some("activation.max_required_fields"))
            .expect("the check's test case");
        let failure = case.first_element_child().expect("a failure");
        assert_eq!(failure.tag_name().name(), "failure");
        assert_eq!(failure.attribute("type"), Some("partial"));
    }

    #[test]
    fn a_check_that_does_not_apply_is_skipped_with_its_reason() {
        let xml = render(&fixture("demo"));
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let case = doc
            .descendants()
            .find(|n| n.attribute("name") == Some("trust.tracking_after_consent"))
            .expect("the check's test case");
        let skipped = case.first_element_child().expect("a skipped element");
        assert_eq!(skipped.tag_name().name(), "skipped");
        assert_eq!(
            skipped.attribute("message"),
            Some("the home page shows no consent banner")
        );
    }

    #[test]
    fn an_informative_check_passes_with_its_finding_in_system_out() {
        let xml = render(&fixture("demo"));
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let case = doc
            .descendants()
            .find(|n| n.attribute("name") == Some("instrumentation.session_replay"))
            .expect("the check's test case");
        let out = case.first_element_child().expect("system-out");
        assert_eq!(out.tag_name().name(), "system-out");
        assert_eq!(
            out.text(),
            Some(
                "No session replay\n\
                 Session-replay tools = []\n\
                 Fix: If you record sessions, mask inputs and ask for consent where the law \
                 requires it."
            )
        );
    }

    #[test]
    fn a_check_that_could_not_be_judged_is_an_error() {
        let mut report = fixture("demo");
        report.checks[0].status = Status::Error;
        report.checks[0].score = None;
        report.checks[0].reason = "no such key: signup.steps".to_string();
        let xml = render(&report);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let error = doc
            .descendants()
            .find(|n| n.has_tag_name("error"))
            .expect("an error element");
        assert_eq!(
            error.parent().and_then(|p| p.attribute("name")),
            Some(report.checks[0].id.as_str())
        );
        assert_eq!(
            error.attribute("message"),
            Some("no such key: signup.steps")
        );
        assert_eq!(doc.root_element().attribute("errors"), Some("1"));
    }

    #[test]
    fn site_text_with_markup_quotes_and_control_characters_survives_as_text() {
        let mut report = fixture("journey-card");
        let hostile = "<a href=\"x\">'Tom & Jerry'</a>\u{0}\u{1b}\u{b}]]>\ttab\r\nline";
        report.product_name = hostile.to_string();
        let check = report
            .checks
            .iter_mut()
            .find(|c| c.id == "activation.no_card_before_value")
            .expect("the check");
        check.failure_title = hostile.to_string();
        check.reason = hostile.to_string();
        check.evidence = vec![Evidence {
            fact: "signup.blocker.text".to_string(),
            label: String::new(),
            value: serde_json::Value::String(hostile.to_string()),
        }];
        let xml = render(&report);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let cleaned = "<a href=\"x\">'Tom & Jerry'</a>]]>\ttab\r\nline";
        assert_eq!(
            doc.root_element().attribute("name"),
            Some(format!("plg-audit: {cleaned}").as_str())
        );
        let failure = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("failure")
                    && n.parent().and_then(|p| p.attribute("name"))
                        == Some("activation.no_card_before_value")
            })
            .expect("the failure");
        assert_eq!(failure.attribute("message"), Some(cleaned));
        assert_eq!(
            failure.text(),
            Some(
                "<a href=\"x\">'Tom & Jerry'</a>]]>\ttab\r\nline\n\
                 signup.blocker.text = \"<a href=\\\"x\\\">'Tom & Jerry'</a>\\u0000\\u001b\\u000b]]>\\ttab\\r\\nline\"\n\
                 Fix: Start the trial without a card and ask for payment at the upgrade or \
                 when the trial ends."
            )
        );
    }
}
