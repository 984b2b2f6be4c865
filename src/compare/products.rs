//! Products side by side (`plg-audit batch`): one column per product, one row per figure a
//! consultant compares — motion, outcome, steps, fields, time to value, scores, free plan
//! or trial, value metric, entry price, stack — with the best of each row marked.

use std::fmt::Write;

use serde::Serialize;
use tera::{Context, Tera};

use crate::audit::checklist::Pillar;
use crate::report::markdown::text;
use crate::report::Report;

const TEMPLATE: &str = include_str!("../../templates/comparison.html");

/// One product's column.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    pub url: String,
    /// The product's report directory, relative to the comparison.
    pub report: Option<String>,
    /// Why there is no report (the audit failed), or the error that cut it short.
    pub error: Option<String>,
}

/// One row: a figure per product, the best marked.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub label: String,
    pub cells: Vec<String>,
    /// Indexes of the best cells (empty when the row has no order).
    pub best: Vec<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// Which way a row is better.
#[derive(Clone, Copy)]
enum Better {
    Lower,
    Higher,
    None,
}

/// Builds the comparison; `reports[i]` is None for a product whose audit failed.
pub fn compare(columns: Vec<Column>, reports: &[Option<Report>]) -> Comparison {
    let mut rows = Vec::new();
    let mut row = |label: &str, better: Better, values: Vec<Option<f64>>, text: Vec<String>| {
        let known: Vec<(usize, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .collect();
        let best = match better {
            Better::None => Vec::new(),
            _ if known.len() < 2 => Vec::new(),
            b => {
                let target = known
                    .iter()
                    .map(|(_, v)| *v)
                    .fold(None, |acc: Option<f64>, v| {
                        Some(match (acc, b) {
                            (None, _) => v,
                            (Some(a), Better::Lower) => a.min(v),
                            (Some(a), _) => a.max(v),
                        })
                    })
                    .unwrap_or(0.0);
                known
                    .iter()
                    .filter(|(_, v)| (*v - target).abs() < 1e-9)
                    .map(|(i, _)| *i)
                    .collect()
            }
        };
        rows.push(Row {
            label: label.to_string(),
            cells: text,
            best,
        });
    };
    let each = |f: &dyn Fn(&Report) -> String| -> Vec<String> {
        reports
            .iter()
            .map(|r| r.as_ref().map(f).unwrap_or_else(|| "—".to_string()))
            .collect()
    };
    let num = |f: &dyn Fn(&Report) -> Option<f64>| -> Vec<Option<f64>> {
        reports.iter().map(|r| r.as_ref().and_then(f)).collect()
    };
    let shown = |v: &[Option<f64>], unit: &str, decimals: usize| -> Vec<String> {
        v.iter()
            .map(|x| match x {
                Some(x) => format!("{x:.decimals$}{unit}"),
                None => "—".to_string(),
            })
            .collect()
    };
    row(
        "Motion",
        Better::None,
        vec![None; reports.len()],
        each(&|r| {
            r.summary
                .as_ref()
                .map(|s| crate::report::checks::motion_name(s.motion.kind).to_string())
                .unwrap_or_else(|| "—".into())
        }),
    );
    row(
        "Journey outcome",
        Better::None,
        vec![None; reports.len()],
        each(&|r| {
            r.signup
                .as_ref()
                .map(|s| s.outcome.as_str().replace('_', " "))
                .unwrap_or_else(|| "not walked".into())
        }),
    );
    // Steps and fields compare only journeys into a self-serve signup (a demo request's
    // zero steps is no achievement).
    fn walked(r: &Report) -> Option<&crate::report::Signup> {
        r.signup.as_ref().filter(|s| {
            matches!(
                s.outcome.as_str(),
                "completed" | "email_verification" | "captcha" | "card_required"
            )
        })
    }
    let steps = num(&|r| walked(r).map(|s| s.steps as f64));
    row("Steps", Better::Lower, steps.clone(), shown(&steps, "", 0));
    let fields = num(&|r| walked(r).map(|s| s.fields.required as f64));
    row(
        "Required fields",
        Better::Lower,
        fields.clone(),
        shown(&fields, "", 0),
    );
    // Time to value only where value was reached.
    let human = num(&|r| {
        r.signup
            .as_ref()
            .filter(|s| s.reached_value)
            .map(|s| s.human_seconds)
    });
    row(
        "Time to value, a person",
        Better::Lower,
        human.clone(),
        shown(&human, " s", 0),
    );
    let machine = num(&|r| {
        r.signup
            .as_ref()
            .filter(|s| s.reached_value)
            .map(|s| s.machine_ms as f64 / 1000.0)
    });
    row(
        "Time to value, machine",
        Better::Lower,
        machine.clone(),
        shown(&machine, " s", 1),
    );
    let overall = num(&|r| r.scores.as_ref().and_then(|s| s.overall));
    row(
        "Overall score",
        Better::Higher,
        overall.clone(),
        shown(&overall, "", 0),
    );
    for p in Pillar::ALL {
        let v = num(&|r| r.scores.as_ref().and_then(|s| s.pillars.get(&p)?.score));
        let label = format!("{} score", capitalise(p.as_str()));
        row(&label, Better::Higher, v.clone(), shown(&v, "", 0));
    }
    let yes_no = |v: Option<bool>| match v {
        Some(true) => "yes".to_string(),
        Some(false) => "no".to_string(),
        None => "unknown".to_string(),
    };
    row(
        "Free plan",
        Better::None,
        vec![None; reports.len()],
        each(&|r| yes_no(r.pricing.as_ref().and_then(|p| p.free_plan))),
    );
    row(
        "Free trial",
        Better::None,
        vec![None; reports.len()],
        each(&|r| {
            let p = r.pricing.as_ref();
            match (p.and_then(|p| p.free_trial), p.and_then(|p| p.trial_days)) {
                (Some(true), Some(d)) => format!("yes, {d} days"),
                (v, _) => yes_no(v),
            }
        }),
    );
    row(
        "Value metric",
        Better::None,
        vec![None; reports.len()],
        each(&|r| {
            r.pricing
                .as_ref()
                .and_then(|p| p.value_metric)
                .and_then(|m| serde_json::to_value(m).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "unknown".into())
        }),
    );
    let entry = |r: &Report| -> Option<(f64, String)> {
        let p = r.pricing.as_ref()?;
        p.plans
            .iter()
            .filter_map(|pl| {
                let price = pl.price?.value();
                (price > 0.0).then(|| {
                    let period = pl
                        .period
                        .and_then(|x| serde_json::to_value(x).ok())
                        .and_then(|v| v.as_str().map(|s| format!(" / {s}")))
                        .unwrap_or_default();
                    (
                        price,
                        format!(
                            "{price}{} {}{period}",
                            pl.currency
                                .as_deref()
                                .map(|c| format!(" {c}"))
                                .unwrap_or_default(),
                            pl.name
                        ),
                    )
                })
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
    };
    row(
        "Entry paid plan",
        Better::None,
        vec![None; reports.len()],
        each(&|r| entry(r).map(|(_, t)| t).unwrap_or_else(|| "—".into())),
    );
    row(
        "Stack",
        Better::None,
        vec![None; reports.len()],
        each(&|r| {
            if r.stack.is_empty() {
                "no known tool".into()
            } else {
                r.stack
                    .iter()
                    .map(|v| v.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }),
    );
    Comparison { columns, rows }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The comparison as a Markdown table, best cells in bold.
pub fn markdown(c: &Comparison) -> String {
    let mut out = String::from("# PLG comparison\n\n");
    let _ = writeln!(
        out,
        "| | {} |",
        c.columns
            .iter()
            .map(|col| text(&col.name))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(out, "|---|{}", "---|".repeat(c.columns.len()));
    for r in &c.rows {
        let cells: Vec<String> = r
            .cells
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if r.best.contains(&i) {
                    format!("**{}**", text(t))
                } else {
                    text(t)
                }
            })
            .collect();
        let _ = writeln!(out, "| {} | {} |", text(&r.label), cells.join(" | "));
    }
    let errors: Vec<&Column> = c.columns.iter().filter(|col| col.error.is_some()).collect();
    if !errors.is_empty() {
        out.push_str("\n## Products not fully audited\n\n");
        for col in errors {
            let _ = writeln!(
                out,
                "- **{}**: {}",
                text(&col.name),
                text(col.error.as_deref().unwrap_or(""))
            );
        }
    }
    out.push_str("\nBold: the best of the row.\n");
    out
}

/// The comparison as one self-contained HTML page.
pub fn html(c: &Comparison) -> Result<String, tera::Error> {
    let mut tera = Tera::default();
    tera.add_raw_template("comparison.html", TEMPLATE)?;
    let mut context = Context::new();
    context.insert("c", c);
    tera.render("comparison.html", &context)
}
