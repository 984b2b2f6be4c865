//! report.md: the audit in a page of Markdown, short enough for a pull-request comment or
//! a CI job summary (GitHub cuts those at 65,536 characters, so long lists are capped and
//! say how many were left out).
//!
//! Much of what it shows was written by the audited site (step labels, plan names,
//! evidence), and a comment is rendered where people click: every such text is escaped so
//! it can add no markup, link, image, HTML, mention or table cell, and the only links are
//! ones this renderer makes to http(s) addresses.

use std::fmt::Write;

use crate::audit::checklist::judge::{CheckResult, Status};
use crate::audit::checklist::Pillar;

use super::checks::motion_name;
use super::{Report, Signup};

/// Top fixes shown (the report ranks them all).
const TOP_FIXES: usize = 3;
/// Journey steps shown before "… and N more".
const STEP_ROWS: usize = 20;
/// Failed checks shown per pillar.
const CHECKS_PER_PILLAR: usize = 10;
/// Evidence facts shown per check.
const EVIDENCE_PER_CHECK: usize = 3;
/// Characters of one evidence value, one fact, one label, one longer sentence.
const VALUE_CHARS: usize = 120;
const FACT_CHARS: usize = 120;
const LABEL_CHARS: usize = 80;
const SENTENCE_CHARS: usize = 300;
/// A hard stop well under GitHub's 65,536-character limit, whatever the report holds.
const MAX_CHARS: usize = 60_000;

/// The whole report.md for `report`.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    title(&mut out, report);
    summary_line(&mut out, report);
    pillar_table(&mut out, report);
    journey_line(&mut out, report.signup.as_ref());
    top_fixes(&mut out, report);
    if let Some(signup) = &report.signup {
        journey_table(&mut out, signup);
    }
    failed_checks(&mut out, report);
    cap(out)
}

fn title(out: &mut String, report: &Report) {
    let address = report.home_url.as_deref().unwrap_or(&report.target);
    let host = match url::Url::parse(address) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => link(&format!("{h}:{p}"), address),
            (Some(h), None) => link(h, address),
            (None, _) => text(&clip(address, LABEL_CHARS)),
        },
        Err(_) => text(&clip(address, LABEL_CHARS)),
    };
    let _ = writeln!(
        out,
        "# PLG audit: {} — {host}\n",
        text(&clip(&report.product_name, LABEL_CHARS))
    );
}

fn summary_line(out: &mut String, report: &Report) {
    let date = report
        .started_at
        .get(..10)
        .unwrap_or(&report.started_at)
        .to_string();
    let motion = match &report.summary {
        Some(s) if s.motion.reasons.is_empty() => format!("**{}**", motion_name(s.motion.kind)),
        Some(s) => format!(
            "**{}** ({})",
            motion_name(s.motion.kind),
            s.motion
                .reasons
                .iter()
                .map(|r| text(&clip(r, SENTENCE_CHARS)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        None => "motion not judged".to_string(),
    };
    let score = match report.scores.as_ref().and_then(|s| s.overall) {
        Some(x) => format!("overall score **{x:.1}**/100"),
        None => "no overall score".to_string(),
    };
    let _ = writeln!(out, "Audited {} · {motion} · {score}\n", text(&date));
}

fn pillar_table(out: &mut String, report: &Report) {
    let Some(scores) = &report.scores else {
        return;
    };
    out.push_str("| Pillar | Score | Note |\n|---|---:|---|\n");
    for pillar in Pillar::ALL {
        let Some(s) = scores.pillars.get(&pillar) else {
            continue;
        };
        let score = s.score.map_or("–".to_string(), |x| format!("{x:.1}"));
        let note = if s.incomplete {
            format!(
                "incomplete: {}",
                text(&clip(
                    s.reason.as_deref().unwrap_or("unknown"),
                    SENTENCE_CHARS
                ))
            )
        } else {
            String::new()
        };
        let _ = writeln!(out, "| {pillar} | {score} | {note} |");
    }
    out.push('\n');
}

fn journey_line(out: &mut String, signup: Option<&Signup>) {
    let Some(s) = signup else {
        out.push_str("**Signup journey:** not walked\n\n");
        return;
    };
    let _ = writeln!(
        out,
        "**Signup journey:** {} · {} steps · {} required fields · {:.1} s machine · \
         {:.1} s for a person\n",
        s.outcome.as_str(),
        s.steps,
        s.fields.required,
        s.machine_ms as f64 / 1000.0,
        s.human_seconds
    );
}

fn top_fixes(out: &mut String, report: &Report) {
    let Some(summary) = &report.summary else {
        return;
    };
    out.push_str("## Top fixes\n\n");
    if summary.top_fixes.is_empty() {
        out.push_str("None: every scored check passes.\n\n");
        return;
    }
    for (i, fix) in summary.top_fixes.iter().take(TOP_FIXES).enumerate() {
        let effect = format!(" *Expected effect: +{:.1} points overall.*", fix.gain);
        let _ = writeln!(
            out,
            "{}. **{}** ({}): {}{effect}",
            i + 1,
            text(&clip(&fix.title, SENTENCE_CHARS)),
            code(&fix.id),
            text(&clip(&fix.recommendation, SENTENCE_CHARS)),
        );
    }
    out.push('\n');
}

fn journey_table(out: &mut String, signup: &Signup) {
    if signup.journey.is_empty() && signup.blocker.is_none() {
        return;
    }
    out.push_str("## Journey\n\n");
    out.push_str("| # | Screen | Action | Label | Fields req/total | Seconds |\n");
    out.push_str("|---:|---|---|---|---:|---:|\n");
    for step in signup.journey.iter().take(STEP_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {}/{} | {:.1} |",
            step.n,
            text(&clip(step.screen.as_deref().unwrap_or(""), LABEL_CHARS)),
            action_name(step.action),
            text(&clip(&step.label, LABEL_CHARS)),
            step.fields.required,
            step.fields.total,
            step.ms as f64 / 1000.0
        );
    }
    if signup.journey.len() > STEP_ROWS {
        let _ = writeln!(
            out,
            "| … | | | and {} more steps | | |",
            signup.journey.len() - STEP_ROWS
        );
    }
    if let Some(b) = &signup.blocker {
        let required = b.fields.iter().filter(|f| f.required).count();
        let _ = writeln!(
            out,
            "| ⛔ | | blocked: {} | {} ({}) | {required}/{} | – |",
            b.outcome.as_str(),
            text(&clip(&b.text, LABEL_CHARS)),
            link("page", &b.url),
            b.fields.len()
        );
    }
    out.push('\n');
}

fn failed_checks(out: &mut String, report: &Report) {
    let failed =
        |c: &&CheckResult| matches!(c.status, Status::Fail | Status::Partial | Status::Error);
    let total = report.checks.iter().filter(failed).count();
    if report.checks.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Failed checks ({total})\n");
    if total == 0 {
        out.push_str("None.\n");
        return;
    }
    for pillar in Pillar::ALL {
        let mine: Vec<&CheckResult> = report
            .checks
            .iter()
            .filter(failed)
            .filter(|c| c.pillar == pillar)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {pillar} ({})\n", mine.len());
        for check in mine.iter().take(CHECKS_PER_PILLAR) {
            failed_check(out, check);
        }
        if mine.len() > CHECKS_PER_PILLAR {
            let _ = writeln!(out, "- … and {} more", mine.len() - CHECKS_PER_PILLAR);
        }
        out.push('\n');
    }
}

fn failed_check(out: &mut String, check: &CheckResult) {
    let status = match (check.status, check.score) {
        (Status::Error, _) => format!(
            "error: could not be judged ({})",
            text(&clip(&check.reason, SENTENCE_CHARS))
        ),
        (status, Some(score)) => format!("{}, score {score}", status.as_str()),
        (status, None) => status.as_str().to_string(),
    };
    let _ = writeln!(
        out,
        "- **{}** ({}) · {status}",
        text(&clip(&check.failure_title, SENTENCE_CHARS)),
        code(&check.id),
    );
    if !check.evidence.is_empty() {
        let mut facts: Vec<String> = check
            .evidence
            .iter()
            .take(EVIDENCE_PER_CHECK)
            .map(|e| {
                format!(
                    "{} = {}",
                    text(&clip(e.name(), FACT_CHARS)),
                    text(&clip(&e.value.to_string(), VALUE_CHARS))
                )
            })
            .collect();
        if check.evidence.len() > EVIDENCE_PER_CHECK {
            facts.push(format!(
                "… and {} more",
                check.evidence.len() - EVIDENCE_PER_CHECK
            ));
        }
        let _ = writeln!(out, "  - Evidence: {}", facts.join(" · "));
    }
    let _ = writeln!(
        out,
        "  - Fix: {}",
        text(&clip(&check.recommendation, SENTENCE_CHARS))
    );
}

fn action_name(action: crate::artifacts::StepAction) -> String {
    // The enum's report.json name (snake_case), which readers of the JSON already know.
    serde_json::to_value(action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `s` cut to `max` characters, an ellipsis marking the cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Text from the report, made inert for Markdown (GitHub's flavour): on one line, with
/// every character that could open markup escaped, and the autolinks, @-mentions and
/// #-references GitHub would make from plain text broken. Safe in a table cell.
/// Text from a report as Markdown that renders as that text: no markup, link, image,
/// mention or HTML can come out of it. Shared by every Markdown plg-audit writes.
pub(crate) fn text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        match c {
            // One line: a newline could start a heading, a list or a new table row.
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '!' | '~' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '#' => {
                out.push_str("\\#");
                // "#12" would link to issue 12 of the repository the comment is in.
                if next.is_some_and(|n| n.is_ascii_alphanumeric()) {
                    out.push_str("&#8203;");
                }
            }
            // "@name" would notify a GitHub user; "a@b.co" would become a mailto link.
            '@' => out.push_str("@&#8203;"),
            // "scheme://" and "www." would become links of their own.
            ':' if chars.get(i + 1..i + 3) == Some(&['/', '/']) => out.push_str("\\:"),
            '.' if i >= 3
                && chars[i - 3..i]
                    .iter()
                    .collect::<String>()
                    .eq_ignore_ascii_case("www") =>
            {
                out.push_str("\\.")
            }
            c => out.push(c),
        }
    }
    out
}

/// An identifier in a code span, or escaped text if it holds what a span cannot.
fn code(s: &str) -> String {
    if s.is_empty() || s.contains(['`', '|', '\n', '\r']) {
        text(s)
    } else {
        format!("`{s}`")
    }
}

/// `[label](url)` when `url` is http(s), else the label alone; the label is escaped and
/// the address encoded so it cannot end the link or the table cell early.
fn link(label: &str, address: &str) -> String {
    match url::Url::parse(address) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            let mut href = String::with_capacity(u.as_str().len());
            for c in u.as_str().chars() {
                match c {
                    '(' => href.push_str("%28"),
                    ')' => href.push_str("%29"),
                    '|' => href.push_str("%7C"),
                    '\\' => href.push_str("%5C"),
                    '`' => href.push_str("%60"),
                    c => href.push(c),
                }
            }
            format!("[{}]({href})", text(label))
        }
        _ => text(label),
    }
}

/// The page cut at a line before `MAX_CHARS`, saying so.
fn cap(mut out: String) -> String {
    if out.len() <= MAX_CHARS {
        return out;
    }
    let mut end = MAX_CHARS;
    while !out.is_char_boundary(end) {
        end -= 1;
    }
    let end = out[..end].rfind('\n').map_or(0, |i| i + 1);
    out.truncate(end);
    out.push_str("\n… the report is cut here; report.json holds all of it.\n");
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

    fn lines(md: &str) -> Vec<&str> {
        md.lines().collect()
    }

    const HOSTILE: [&str; 4] = [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "![i](http://evil/x.png)",
        "| pipe",
    ];

    #[test]
    fn the_title_names_the_product_and_links_its_host() {
        let md = render(&fixture("demo"));
        assert_eq!(
            lines(&md)[0],
            "# PLG audit: Tasklane — [127.0.0.1:42109](http://127.0.0.1:42109/)"
        );
    }

    #[test]
    fn the_summary_line_gives_date_motion_with_reasons_and_overall_score() {
        let md = render(&fixture("demo"));
        assert_eq!(
            lines(&md)[2],
            "Audited 2026-12-06 · **product-led** (a new user can sign up alone; prices are \
             shown; a free plan or trial lets a user start without paying) · overall score \
             **90.3**/100"
        );
    }

    #[test]
    fn the_pillar_table_marks_an_incomplete_pillar_with_its_reason() {
        let md = render(&fixture("journey-card"));
        let row = lines(&md)
            .into_iter()
            .find(|l| l.starts_with("| activation |"))
            .expect("the activation row");
        assert_eq!(
            row,
            "| activation | 69.4 | incomplete: 3 of 17 checks could not be judged: \
             activation.steps\\_to\\_value (the journey did not reach the value moment (it \
             ended card\\_required: Card number)); activation.human\\_time\\_to\\_value (the \
             journey did not reach the value moment (it ended card\\_required: Card number)); \
             activation.fast\\_screens (the journey d… |"
        );
    }

    #[test]
    fn the_journey_line_gives_outcome_steps_fields_and_times() {
        let md = render(&fixture("demo"));
        assert!(lines(&md).contains(
            &"**Signup journey:** completed · 5 steps · 6 required fields · 2.4 s machine · \
              57.5 s for a person"
        ));
    }

    #[test]
    fn a_report_without_a_journey_says_it_was_not_walked() {
        let mut report = fixture("demo");
        report.signup = None;
        let md = render(&report);
        assert!(lines(&md).contains(&"**Signup journey:** not walked"));
        assert!(!md.contains("## Journey"));
    }

    #[test]
    fn the_top_fixes_are_the_first_three_with_their_expected_effect() {
        let md = render(&fixture("demo"));
        let all = lines(&md);
        let at = all
            .iter()
            .position(|l| *l == "## Top fixes")
            .expect("the top fixes");
        assert_eq!(
            all[at + 2..at + 6],
            [
                "1. **No \"powered by\" badge on shared work** (`virality.powered_by_badge`): \
                 Add a small \"Made with …\" badge to public and shared output, removable on \
                 paid plans. *Expected effect: +1.7 points overall.*",
                "2. **No referral programme** (`virality.referral_programme`): Offer a \
                 two-sided reward (credit, storage, a free month) for referrals, from inside \
                 the product. *Expected effect: +1.7 points overall.*",
                "3. **Signup asks for too many required fields before value** \
                 (`activation.max_required_fields`): Cut signup to e-mail and password (or \
                 social sign-on); ask for name, company and role later, inside the product, \
                 when they are needed. *Expected effect: +1.3 points overall.*",
                "",
            ]
        );
    }

    #[test]
    fn the_journey_table_lists_each_step() {
        let md = render(&fixture("demo"));
        let all = lines(&md);
        let at = all
            .iter()
            .position(|l| *l == "## Journey")
            .expect("the journey");
        assert_eq!(
            all[at + 2..at + 9],
            [
                "| # | Screen | Action | Label | Fields req/total | Seconds |",
                "|---:|---|---|---|---:|---:|",
                "| 1 | Plan, track and ship work your team is proud of | cta_click | Start for free | 0/0 | 0.4 |",
                "| 2 | Create your Tasklane account | submit | Create account | 4/4 | 0.5 |",
                "| 3 | Name your workspace | continue | Continue | 1/1 | 0.5 |",
                "| 4 | Invite your teammates | skip | Skip for now | 0/0 | 0.4 |",
                "| 5 | No projects yet | value_action | Create project | 1/1 | 0.6 |",
            ]
        );
        assert_eq!(all[at + 9], "");
    }

    #[test]
    fn a_blocked_journey_ends_with_the_blocker_row() {
        let md = render(&fixture("journey-card"));
        let all = lines(&md);
        let at = all
            .iter()
            .position(|l| *l == "## Journey")
            .expect("the journey");
        assert_eq!(
            all[at + 4..at + 8],
            [
                "| 1 |  | cta_click | Start 14-day trial | 0/0 | 0.4 |",
                "| 2 |  | submit | Continue to billing | 4/5 | 0.5 |",
                "| ⛔ | | blocked: card_required | Card number \
                 ([page](http://127.0.0.1:44539/billing)) | 0/0 | – |",
                "",
            ]
        );
    }

    #[test]
    fn a_long_journey_is_capped_with_a_count_of_the_rest() {
        let mut report = fixture("demo");
        let signup = report.signup.as_mut().expect("a journey");
        let step = signup.journey[0].clone();
        signup.journey = (1..=25)
            .map(|n| {
                let mut s = step.clone();
                s.n = n;
                s
            })
            .collect();
        let md = render(&report);
        let rows = lines(&md)
            .into_iter()
            .filter(|l| l.starts_with("| ") && l.ends_with(" |") && !l.starts_with("| #"))
            .filter(|l| l.contains("cta_click") || l.starts_with("| … |"))
            .collect::<Vec<_>>();
        assert_eq!(rows.len(), STEP_ROWS + 1);
        assert_eq!(rows[STEP_ROWS], "| … | | | and 5 more steps | | |");
    }

    #[test]
    fn failed_checks_are_grouped_by_pillar_with_evidence_and_fix() {
        let md = render(&fixture("demo"));
        let all = lines(&md);
        let at = all
            .iter()
            .position(|l| *l == "## Failed checks (9)")
            .expect("the failed checks");
        assert_eq!(
            all[at + 2..at + 10],
            [
                "### activation (2)",
                "",
                "- **Signup asks for too many required fields before value** \
                 (`activation.max_required_fields`) · partial, score 0.5",
                "  - Evidence: Required fields = 6 · The required fields = \
                 \\[\"Full name\",\"Work email\",\"Password\",\"I agree to the Terms of Service \
                 and Privacy Policy\",\"Workspace name\",\"Project nam…",
                "  - Fix: Cut signup to e-mail and password (or social sign-on); ask for name, \
                 company and role later, inside the product, when they are needed.",
                "- **Onboarding screens demand input with no way to skip** \
                 (`activation.skippable_onboarding`) · fail, score 0",
                "  - Evidence: Onboarding screens with required input and no skip = \
                 \\[\"Continue\"\\] · Optional screens skipped = \
                 \\[\"Invite your teammates\"\\]",
                "  - Fix: Give every onboarding question a skip (or sensible defaults) and ask \
                 again later, in context.",
            ]
        );
        let headings: Vec<&str> = all
            .iter()
            .copied()
            .filter(|l| l.starts_with("### "))
            .collect();
        assert_eq!(
            headings,
            [
                "### activation (2)",
                "### virality (3)",
                "### instrumentation (4)"
            ]
        );
    }

    #[test]
    fn site_text_cannot_inject_markup_links_images_html_or_cells() {
        let mut report = fixture("demo");
        let signup = report.signup.as_mut().expect("a journey");
        signup.journey[0].label = HOSTILE.concat();
        signup.journey[1].screen = Some(HOSTILE.concat());
        let check = report
            .checks
            .iter_mut()
            .find(|c| c.id == "activation.skippable_onboarding")
            .expect("the check");
        // Plan names reach report.md as evidence (report.md has no pricing section).
        check.evidence = vec![Evidence {
            fact: "pricing.plans.map(p, p.name)".to_string(),
            label: String::new(),
            value: serde_json::json!(HOSTILE),
        }];
        let md = render(&report);
        for raw in ["<script>", "[x](", "![i]("] {
            assert!(!md.contains(raw), "{raw} reached the Markdown unescaped");
        }
        let all = lines(&md);
        assert!(all.contains(
            &"| 1 | Plan, track and ship work your team is proud of | cta_click | \\<script\\>alert(1)\\</script\\>\\[x\\](javascript:alert(1))\
              \\!\\[i\\](http\\://evil/x.png)\\| pipe | 0/0 | 0.4 |"
        ));
        assert!(all.contains(
            &"| 2 | \\<script\\>alert(1)\\</script\\>\\[x\\](javascript:alert(1))\
              \\!\\[i\\](http\\://evil/x.png)\\| pipe | submit | Create account | 4/4 | 0.5 |"
        ));
        assert!(all.contains(
            &"  - Evidence: pricing.plans.map(p, p.name) = \\[\"\\<script\\>alert(1)\\</script\\>\",\
              \"\\[x\\](javascript:alert(1))\",\"\\!\\[i\\](http\\://evil/x.png)\",\"\\| pipe\"\\]"
        ));
    }

    #[test]
    fn a_newline_in_site_text_stays_in_its_table_cell() {
        let mut report = fixture("demo");
        report.signup.as_mut().expect("a journey").journey[0].label =
            "Start\n| 9 | forged | row |\n# Heading".to_string();
        let md = render(&report);
        assert!(lines(&md).contains(
            &"| 1 | Plan, track and ship work your team is proud of | cta_click | Start \\| 9 \\| forged \\| row \\| \\# Heading | 0/0 | 0.4 |"
        ));
    }

    #[test]
    fn mentions_issue_references_and_bare_addresses_are_broken() {
        assert_eq!(
            text("@octocat #12 https://x.io www.x.io a@b.co"),
            "@&#8203;octocat \\#&#8203;12 https\\://x.io www\\.x.io a@&#8203;b.co"
        );
    }

    #[test]
    fn only_http_addresses_become_links() {
        assert_eq!(link("page", "javascript:alert(1)"), "page");
        assert_eq!(link("page", "data:text/html,<b>"), "page");
        assert_eq!(
            link("page", "https://x.io/a_(b)|c"),
            "[page](https://x.io/a_%28b%29%7Cc)"
        );
    }

    #[test]
    fn a_huge_report_stays_under_githubs_comment_limit() {
        let mut report = fixture("demo");
        let long = "x".repeat(10_000);
        for c in report.checks.iter_mut() {
            c.status = Status::Fail;
            c.score = Some(0.0);
            c.failure_title = long.clone();
            c.recommendation = long.clone();
            c.evidence = vec![
                Evidence {
                    fact: long.clone(),
                    label: String::new(),
                    value: serde_json::json!(long),
                };
                50
            ];
        }
        let md = render(&report);
        assert!(md.len() <= MAX_CHARS + 100, "{} bytes", md.len());
        assert!(lines(&md).contains(&"- … and 7 more"));
    }
}
