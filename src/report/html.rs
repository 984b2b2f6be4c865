//! The HTML teardown: one self-contained file (styles inline, screenshots embedded as
//! data URIs) rendered with Tera from `templates/report.html`, which is compiled into the
//! binary so the tool works from any directory.

use std::path::Path;

use base64::Engine;
use serde::Serialize;
use tera::{Context, Tera};

use super::Report;
use crate::audit::mechanics::{Mechanic, MechanicFinding};
use crate::audit::stack::StackVendor;
use crate::audit::vendors::Category;

const TEMPLATE: &str = include_str!("../../templates/report.html");

#[derive(Serialize)]
struct Shot {
    title: String,
    url: String,
    data_uri: String,
}

/// Renders the teardown; screenshots named in the report are read from `dir` and inlined.
pub fn render(report: &Report, dir: &Path) -> Result<String, tera::Error> {
    let mut tera = Tera::default();
    tera.add_raw_template("report.html", TEMPLATE)?;
    let shots: Vec<Shot> = report
        .pages
        .iter()
        .filter_map(|p| {
            Some(Shot {
                title: format!("{} — {}", p.role, p.title),
                url: p.url.clone(),
                data_uri: data_uri(dir, p.screenshot.as_ref()?)?,
            })
        })
        .collect();
    // One entry per journey step ("" when the step has no screenshot).
    let journey_shots: Vec<String> = report
        .signup
        .iter()
        .flat_map(|s| s.journey.iter())
        .map(|step| {
            step.screenshot
                .as_ref()
                .and_then(|f| data_uri(dir, f))
                .unwrap_or_default()
        })
        .collect();
    let blocker_shot = report
        .signup
        .as_ref()
        .and_then(|s| s.blocker.as_ref()?.screenshot.as_ref())
        .and_then(|f| data_uri(dir, f))
        .unwrap_or_default();
    let pricing_shot = report
        .pricing
        .as_ref()
        .and_then(|p| p.screenshot.as_ref())
        .and_then(|f| data_uri(dir, f))
        .unwrap_or_default();
    let mut context = Context::from_serialize(report)?;
    context.insert("pricing_shot", &pricing_shot);
    context.insert(
        "pricing_facts",
        &report
            .pricing
            .as_ref()
            .map(super::pricing::facts)
            .unwrap_or_default(),
    );
    context.insert("screenshots", &shots);
    context.insert("journey_shots", &journey_shots);
    context.insert("blocker_shot", &blocker_shot);
    context.insert("host", &host_of(report));
    context.insert("growth_mechanics", &growth_mechanics(report));
    context.insert("stack_groups", &stack_groups(report));
    tera.render("report.html", &context)
}

/// One mechanic as the grid shows it, in the order of [`Mechanic::ALL`].
#[derive(Serialize)]
struct MechanicCell<'a> {
    title: &'static str,
    finding: &'a MechanicFinding,
}

fn growth_mechanics(report: &Report) -> Vec<MechanicCell<'_>> {
    Mechanic::ALL
        .iter()
        .filter_map(|m| {
            Some(MechanicCell {
                title: m.title(),
                finding: report.mechanics.get(m)?,
            })
        })
        .collect()
}

/// The vendors of one category, for the stack list.
#[derive(Serialize)]
struct StackGroup<'a> {
    title: &'static str,
    vendors: Vec<&'a StackVendor>,
}

fn stack_groups(report: &Report) -> Vec<StackGroup<'_>> {
    Category::ALL
        .iter()
        .map(|c| StackGroup {
            title: c.title(),
            vendors: report.stack.iter().filter(|v| v.category == *c).collect(),
        })
        .filter(|g| !g.vendors.is_empty())
        .collect()
}

/// `host:port` of the audited site (the port only when its URL names one).
fn host_of(report: &Report) -> String {
    let url = report.home_url.as_deref().unwrap_or(&report.target);
    match url::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => url.to_string(),
        },
        Err(_) => url.to_string(),
    }
}

/// A saved PNG as a data URI, so the report is one self-contained file.
fn data_uri(dir: &Path, file: &str) -> Option<String> {
    let png = std::fs::read(dir.join(file)).ok()?;
    Some(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    ))
}
