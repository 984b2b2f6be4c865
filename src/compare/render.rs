//! A comparison as people read it: Markdown (stdout, a pull-request comment) and a
//! self-contained HTML page that shows both journeys' filmstrips side by side when the
//! journey changed.

use std::fmt::Write;

use serde::Serialize;
use tera::{Context, Tera};

use super::{Diff, Direction};
use crate::report::markdown::text;
use crate::report::Report;

const TEMPLATE: &str = include_str!("../../templates/diff.html");

fn heading(d: Direction) -> &'static str {
    match d {
        Direction::Worse => "Worse",
        Direction::Better => "Better",
        Direction::Changed => "Changed",
    }
}

/// The comparison in Markdown: a verdict line, then the changes grouped worse, better,
/// changed. Site text is shown as plain text (backslash-escaped).
pub fn markdown(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# plg-audit diff: {} → {}\n",
        text(&diff.old.started_at),
        text(&diff.new.started_at)
    );
    let _ = writeln!(
        out,
        "Baseline {} · this run {}\n",
        text(&diff.old.target),
        text(&diff.new.target)
    );
    let _ = writeln!(out, "{}\n", verdict(diff));
    for d in [Direction::Worse, Direction::Better, Direction::Changed] {
        let items: Vec<_> = diff.changes.iter().filter(|c| c.direction == d).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {} ({})\n", heading(d), items.len());
        for c in items {
            let area = serde_json::to_value(c.area)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let _ = writeln!(out, "- **{area}**: {}", text(&c.text));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Times count as changed beyond {} % and {} ms.",
        diff.tolerance.percent, diff.tolerance.ms
    );
    out
}

/// "2 regressions, 1 improvement" or "No change beyond the tolerance".
pub fn verdict(diff: &Diff) -> String {
    let (w, b, c) = (
        diff.count(Direction::Worse),
        diff.count(Direction::Better),
        diff.count(Direction::Changed),
    );
    if w + b + c == 0 {
        return "No change beyond the tolerance.".to_string();
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}, {}, {}.",
        plural(w, "regression", "regressions"),
        plural(b, "improvement", "improvements"),
        plural(c, "other change", "other changes")
    )
}

#[derive(Serialize)]
struct Frame {
    n: usize,
    label: String,
    action: String,
    thumb: String,
}

fn frames(report: &Report, dir: &std::path::Path) -> Vec<Frame> {
    report
        .signup
        .iter()
        .flat_map(|s| s.journey.iter())
        .map(|s| Frame {
            n: s.n,
            label: s.label.clone(),
            action: s.action_name(),
            thumb: s
                .screenshot
                .as_deref()
                .and_then(|f| crate::report::html::thumbnail(&dir.join(f)))
                .unwrap_or_default(),
        })
        .collect()
}

/// The comparison as one self-contained HTML page.
pub fn html(diff: &Diff, old: &Report, new: &Report) -> Result<String, tera::Error> {
    let mut tera = Tera::default();
    tera.add_raw_template("diff.html", TEMPLATE)?;
    let mut context = Context::new();
    context.insert("diff", diff);
    context.insert("verdict", &verdict(diff));
    context.insert("product", &new.product_name);
    let groups: Vec<(&str, Vec<&super::Change>)> =
        [Direction::Worse, Direction::Better, Direction::Changed]
            .into_iter()
            .map(|d| {
                (
                    heading(d),
                    diff.changes.iter().filter(|c| c.direction == d).collect(),
                )
            })
            .filter(|(_, v): &(&str, Vec<&super::Change>)| !v.is_empty())
            .collect();
    context.insert("groups", &groups);
    if diff.journey_changed {
        context.insert("old_frames", &frames(old, &diff.old.dir));
        context.insert("new_frames", &frames(new, &diff.new.dir));
    }
    tera.render("diff.html", &context)
}
