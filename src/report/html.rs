//! The HTML teardown: one self-contained file a consultant can send as an attachment —
//! styles inline, screenshots embedded as small JPEG thumbnails (the full-size PNGs are
//! linked beside it), no external fonts, scripts or images, readable without JavaScript
//! and printable to clean A4 or Letter pages. Rendered with Tera from
//! `templates/report.html`, compiled into the binary.
//!
//! Everything the audited site wrote (titles, labels, plan names, messages) reaches the
//! page through Tera's escaping; links to the site pass [`http_only`], so a `javascript:`
//! URL never becomes a link.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;
use serde::Serialize;
use serde_json::Value;
use tera::{Context, Tera};

use super::Report;
use crate::audit::checklist::judge::{CheckResult, Status};
use crate::audit::checklist::Pillar;
use crate::audit::klm;
use crate::audit::mechanics::{Mechanic, MechanicFinding};
use crate::audit::stack::StackVendor;
use crate::audit::vendors::Category;

const TEMPLATE: &str = include_str!("../../templates/report.html");

/// Width of the embedded thumbnails, in pixels (the full PNG is linked).
const THUMB_WIDTH: u32 = 480;
/// JPEG quality of the thumbnails.
const THUMB_QUALITY: u8 = 72;

/// How a consultant brands the report they send.
#[derive(Debug, Clone, Default)]
pub struct Brand {
    /// Replaces "PLG teardown" in the title and signs the footer.
    pub title: Option<String>,
    /// The logo as a data URI (read and checked by the CLI).
    pub logo: Option<String>,
    /// The accent colour, `#rrggbb` or `#rgb`.
    pub color: Option<String>,
}

/// Renders the teardown; screenshots named in the report are read from `dir`.
pub fn render(
    report: &Report,
    dir: &Path,
    brand: &Brand,
    trend: Option<&crate::history::Trend>,
) -> Result<String, tera::Error> {
    let mut tera = Tera::default();
    tera.register_filter("href", href_filter);
    tera.add_raw_template("report.html", TEMPLATE)?;
    let mut thumbs = Thumbs::new(dir);
    let mut context = Context::from_serialize(report)?;
    context.insert("brand_title", &brand.title);
    context.insert("brand_logo", &brand.logo);
    context.insert("accent", brand.color.as_deref().unwrap_or("#4f46e5"));
    context.insert("host", &host_of(report));
    context.insert(
        "motion_name",
        &report
            .summary
            .as_ref()
            .map(|s| super::checks::motion_name(s.motion.kind)),
    );
    context.insert("gauges", &gauges(report));
    context.insert(
        "overall_gauge",
        &report
            .scores
            .as_ref()
            .and_then(|s| s.overall)
            .map(Gauge::new),
    );
    context.insert("fixes", &top_fixes(report));
    context.insert("film", &filmstrip(report, &mut thumbs));
    context.insert(
        "blocker_shot",
        &report
            .signup
            .as_ref()
            .and_then(|s| s.blocker.as_ref()?.screenshot.clone())
            .map(|f| thumbs.get(&f)),
    );
    context.insert("ttv", &ttv_chart(report));
    context.insert(
        "pricing_shot",
        &report
            .pricing
            .as_ref()
            .and_then(|p| p.screenshot.clone())
            .map(|f| thumbs.get(&f)),
    );
    context.insert(
        "pricing_facts",
        &report
            .pricing
            .as_ref()
            .map(super::pricing::facts)
            .unwrap_or_default(),
    );
    context.insert("page_shots", &page_shots(report, &mut thumbs));
    context.insert("growth_mechanics", &growth_mechanics(report));
    context.insert("stack_groups", &stack_groups(report));
    context.insert("pillars", &pillar_sections(report));
    context.insert("method", &method());
    context.insert("trend", &trend.and_then(trend_chart));
    tera.render("report.html", &context)
}

/// `href`: the URL when it is http(s), else "#" — a site's `javascript:` or `data:` URL
/// never becomes a link.
pub(crate) fn href_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(http_only(value.as_str().unwrap_or(""))))
}

/// The URL when it is an absolute http(s) URL, else "#".
pub fn http_only(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u.to_string(),
        _ => "#".to_string(),
    }
}

/// A screenshot as the report shows it: an embedded thumbnail and the full PNG's path.
#[derive(Debug, Clone, Serialize)]
struct Shot {
    /// `data:image/jpeg;base64,…`, or "" when the file could not be read.
    thumb: String,
    /// The full-size PNG, relative to the report.
    full: String,
}

/// Thumbnails made once per file.
struct Thumbs<'a> {
    dir: &'a Path,
    made: HashMap<String, Shot>,
}

impl<'a> Thumbs<'a> {
    fn new(dir: &'a Path) -> Thumbs<'a> {
        Thumbs {
            dir,
            made: HashMap::new(),
        }
    }

    fn get(&mut self, file: &str) -> Shot {
        if let Some(s) = self.made.get(file) {
            return s.clone();
        }
        let shot = Shot {
            thumb: thumbnail(&self.dir.join(file)).unwrap_or_default(),
            full: file.to_string(),
        };
        self.made.insert(file.to_string(), shot.clone());
        shot
    }
}

/// A PNG screenshot as a JPEG thumbnail data URI, THUMB_WIDTH wide.
pub(crate) fn thumbnail(path: &Path) -> Option<String> {
    let img = image::open(path).ok()?;
    let img = if img.width() > THUMB_WIDTH {
        let height = (img.height() as f64 * THUMB_WIDTH as f64 / img.width() as f64).round() as u32;
        img.resize_exact(
            THUMB_WIDTH,
            height.max(1),
            image::imageops::FilterType::Triangle,
        )
    } else {
        img
    };
    let rgb = img.to_rgb8();
    let mut jpeg = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, THUMB_QUALITY);
    rgb.write_with_encoder(encoder).ok()?;
    Some(format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    ))
}

/// A score as a ring: the arc's length on a circle of circumference 100.
#[derive(Debug, Clone, Serialize)]
struct Gauge {
    score: f64,
    /// "good" (≥ 75), "fair" (≥ 50) or "poor".
    band: &'static str,
}

impl Gauge {
    fn new(score: f64) -> Gauge {
        Gauge {
            score,
            band: if score >= 75.0 {
                "good"
            } else if score >= 50.0 {
                "fair"
            } else {
                "poor"
            },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
struct PillarGauge {
    name: &'static str,
    gauge: Option<Gauge>,
    incomplete: bool,
    reason: Option<String>,
}

fn gauges(report: &Report) -> Vec<PillarGauge> {
    let Some(scores) = &report.scores else {
        return Vec::new();
    };
    scores
        .pillars
        .iter()
        .map(|(p, s)| PillarGauge {
            name: p.as_str(),
            gauge: s.score.map(Gauge::new),
            incomplete: s.incomplete,
            reason: s.reason.clone(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
struct FixView {
    n: usize,
    id: String,
    pillar: &'static str,
    title: String,
    gain: f64,
    recommendation: String,
}

fn top_fixes(report: &Report) -> Vec<FixView> {
    report
        .summary
        .iter()
        .flat_map(|s| s.top_fixes.iter())
        .take(3)
        .enumerate()
        .map(|(i, f)| FixView {
            n: i + 1,
            id: f.id.clone(),
            pillar: f.pillar.as_str(),
            title: f.title.clone(),
            gain: f.gain,
            recommendation: f.recommendation.clone(),
        })
        .collect()
}

/// One frame of the journey filmstrip.
#[derive(Debug, Clone, Serialize)]
struct Frame {
    n: usize,
    action: String,
    label: String,
    /// The heading of the screen the step was taken on.
    screen: Option<String>,
    url: String,
    required: usize,
    total: usize,
    machine_s: f64,
    human_s: f64,
    /// Among the slowest steps for a person (highlighted).
    slow: bool,
    notes: Vec<String>,
    filled: Vec<String>,
    shot: Option<Shot>,
}

fn filmstrip(report: &Report, thumbs: &mut Thumbs) -> Vec<Frame> {
    let Some(signup) = &report.signup else {
        return Vec::new();
    };
    let mean = if signup.journey.is_empty() {
        0.0
    } else {
        signup.journey.iter().map(|s| s.human_seconds).sum::<f64>() / signup.journey.len() as f64
    };
    signup
        .journey
        .iter()
        .map(|s| Frame {
            n: s.n,
            action: s.action_name(),
            label: s.label.clone(),
            screen: s.screen.clone(),
            url: s.url.clone(),
            required: s.fields.required,
            total: s.fields.total,
            machine_s: (s.ms as f64 / 100.0).round() / 10.0,
            human_s: s.human_seconds,
            slow: signup.journey.len() > 1 && s.human_seconds > 1.5 * mean,
            notes: s.notes.clone(),
            filled: s
                .filled
                .iter()
                .map(|f| format!("{}{}", f.label, if f.required { " *" } else { "" }))
                .collect(),
            shot: s.screenshot.as_deref().map(|f| thumbs.get(f)),
        })
        .collect()
}

/// The time-to-value chart: cumulative seconds per step for a person and the machine,
/// as SVG coordinates in a 640×240 box.
#[derive(Debug, Clone, Serialize)]
struct TtvChart {
    width: u32,
    height: u32,
    /// Polyline points, "x,y x,y …".
    human: String,
    machine: String,
    /// One bar per step: the step's own human seconds.
    bars: Vec<Bar>,
    /// Y-axis ticks.
    ticks: Vec<Tick>,
    total_human: f64,
    total_machine: f64,
}

#[derive(Debug, Clone, Serialize)]
struct Bar {
    n: usize,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    seconds: f64,
    label: String,
    slow: bool,
    label_x: f64,
}

#[derive(Debug, Clone, Serialize)]
struct Tick {
    y: f64,
    label: String,
}

fn ttv_chart(report: &Report) -> Option<TtvChart> {
    let signup = report.signup.as_ref()?;
    if signup.journey.is_empty() {
        return None;
    }
    let (width, height) = (640.0_f64, 240.0_f64);
    let (left, right, top, bottom) = (44.0, 12.0, 12.0, 28.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let n = signup.journey.len() as f64;
    let mut human = Vec::new();
    let mut machine = Vec::new();
    let (mut h, mut m) = (0.0_f64, 0.0_f64);
    for s in &signup.journey {
        h += s.human_seconds;
        m += s.ms as f64 / 1000.0;
        human.push(h);
        machine.push(m);
    }
    let max = nice_ceiling(h.max(m).max(1.0));
    let y = |v: f64| top + plot_h - v / max * plot_h;
    let step_w = plot_w / n;
    let x = |i: usize| left + step_w * (i as f64 + 0.5);
    let points = |values: &[f64]| {
        std::iter::once(format!("{left:.1},{:.1}", y(0.0)))
            .chain(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))),
            )
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mean = h / n;
    let bars = signup
        .journey
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let bar_h = s.human_seconds / max * plot_h;
            let bar_w = (step_w * 0.5).min(48.0);
            Bar {
                n: s.n,
                x: x(i) - bar_w / 2.0,
                y: top + plot_h - bar_h,
                w: bar_w,
                h: bar_h,
                seconds: s.human_seconds,
                label: s.label.clone(),
                slow: n > 1.0 && s.human_seconds > 1.5 * mean,
                label_x: x(i),
            }
        })
        .collect();
    // Round ticks: fifths of a 5×10^k scale (0, 10, … 50), quarters of the others.
    let parts = if (max / 10f64.powf(max.log10().floor()) - 5.0).abs() < 1e-9 {
        5
    } else {
        4
    };
    let ticks = (0..=parts)
        .map(|k| {
            let v = max * k as f64 / parts as f64;
            Tick {
                y: y(v),
                label: if v.fract() == 0.0 {
                    format!("{v:.0} s")
                } else {
                    format!("{v:.1} s")
                },
            }
        })
        .collect();
    Some(TtvChart {
        width: width as u32,
        height: height as u32,
        human: points(&human),
        machine: points(&machine),
        bars,
        ticks,
        total_human: (h * 10.0).round() / 10.0,
        total_machine: (m * 10.0).round() / 10.0,
    })
}

/// The history's trend as two small SVG polylines (time to value for a person, overall
/// score), oldest run first, in a 320×90 box each.
#[derive(Debug, Clone, Serialize)]
struct TrendChart {
    runs: usize,
    first: String,
    last: String,
    human: Option<Spark>,
    score: Option<Spark>,
}

#[derive(Debug, Clone, Serialize)]
struct Spark {
    points: String,
    min: String,
    max: String,
    last: String,
}

fn spark(values: &[Option<f64>], unit: &str) -> Option<Spark> {
    let known: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    if known.len() < 2 {
        return None;
    }
    let lo = known.iter().map(|(_, v)| *v).fold(f64::INFINITY, f64::min);
    let hi = known
        .iter()
        .map(|(_, v)| *v)
        .fold(f64::NEG_INFINITY, f64::max);
    let span = (hi - lo).max(1e-9);
    let n = (values.len() - 1).max(1) as f64;
    let points = known
        .iter()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                6.0 + 308.0 * *i as f64 / n,
                84.0 - 78.0 * (v - lo) / span
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let fmt = |v: f64| format!("{v:.0}{unit}");
    Some(Spark {
        points,
        min: fmt(lo),
        max: fmt(hi),
        last: fmt(known.last().map(|(_, v)| *v).unwrap_or(0.0)),
    })
}

fn trend_chart(trend: &crate::history::Trend) -> Option<TrendChart> {
    if trend.points.len() < 2 {
        return None;
    }
    let date = |s: &str| s.chars().take(10).collect::<String>();
    Some(TrendChart {
        runs: trend.points.len(),
        first: date(&trend.points[0].started_at),
        last: date(&trend.points[trend.points.len() - 1].started_at),
        human: spark(
            &trend
                .points
                .iter()
                .map(|p| p.human_seconds.filter(|_| p.reached_value))
                .collect::<Vec<_>>(),
            " s",
        ),
        score: spark(
            &trend.points.iter().map(|p| p.overall).collect::<Vec<_>>(),
            "",
        ),
    })
}

/// The next round number at or above `v` (1, 2, 5 × 10^k).
fn nice_ceiling(v: f64) -> f64 {
    let magnitude = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if v <= m * magnitude {
            return m * magnitude;
        }
    }
    10.0 * magnitude
}

#[derive(Debug, Clone, Serialize)]
struct PageShot {
    title: String,
    url: String,
    shot: Shot,
}

fn page_shots(report: &Report, thumbs: &mut Thumbs) -> Vec<PageShot> {
    report
        .pages
        .iter()
        .filter_map(|p| {
            Some(PageShot {
                title: format!("{} — {}", p.role, p.title),
                url: p.url.clone(),
                shot: thumbs.get(p.screenshot.as_ref()?),
            })
        })
        .collect()
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

/// A check as the report shows it.
#[derive(Debug, Clone, Serialize)]
struct CheckView {
    id: String,
    status: &'static str,
    headline: String,
    score: Option<f64>,
    weight: f64,
    reason: String,
    unknown: bool,
    description: String,
    threshold: Option<String>,
    evidence: Vec<EvidenceView>,
    recommendation: String,
    references: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
struct EvidenceView {
    fact: String,
    value: String,
}

#[derive(Debug, Clone, Serialize)]
struct PillarSection {
    name: &'static str,
    gauge: Option<Gauge>,
    incomplete: bool,
    reason: Option<String>,
    /// Failed, partial and errored checks, worst first.
    findings: Vec<CheckView>,
    /// Checks whose facts were unknown.
    unknown: Vec<CheckView>,
    /// Passed, not applicable and informative checks (collapsed).
    rest: Vec<CheckView>,
}

fn pillar_sections(report: &Report) -> Vec<PillarSection> {
    Pillar::ALL
        .into_iter()
        .map(|p| {
            let score = report.scores.as_ref().and_then(|s| s.pillars.get(&p));
            let mut findings = Vec::new();
            let mut unknown = Vec::new();
            let mut rest = Vec::new();
            for r in report.checks.iter().filter(|r| r.pillar == p) {
                let view = CheckView {
                    id: r.id.clone(),
                    status: r.status.as_str(),
                    headline: if matches!(r.status, Status::Fail | Status::Partial) {
                        r.failure_title.clone()
                    } else {
                        r.title.clone()
                    },
                    score: r.score,
                    weight: r.weight,
                    reason: r.reason.clone(),
                    unknown: r.unknown,
                    description: r.description.clone(),
                    threshold: r.threshold.clone(),
                    evidence: r
                        .evidence
                        .iter()
                        .map(|e| EvidenceView {
                            fact: e.name().to_string(),
                            value: evidence_text(&e.value),
                        })
                        .collect(),
                    recommendation: r.recommendation.clone(),
                    references: r.references.clone(),
                };
                match r.status {
                    Status::Fail | Status::Partial | Status::Error => findings.push((r, view)),
                    Status::NotApplicable if r.unknown => unknown.push(view),
                    _ => rest.push(view),
                }
            }
            findings.sort_by(|(a, _), (b, _)| {
                let lost = |r: &CheckResult| r.weight * (1.0 - r.score.unwrap_or(0.0));
                lost(b).total_cmp(&lost(a))
            });
            PillarSection {
                name: p.as_str(),
                gauge: score.and_then(|s| s.score).map(Gauge::new),
                incomplete: score.is_some_and(|s| s.incomplete),
                reason: score.and_then(|s| s.reason.clone()),
                findings: findings.into_iter().map(|(_, v)| v).collect(),
                unknown,
                rest,
            }
        })
        .collect()
}

/// An evidence value as one line of text: strings as they are, lists joined, objects as
/// compact JSON; long values cut.
fn evidence_text(value: &Value) -> String {
    let text = match value {
        Value::Null => "unknown".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) if a.is_empty() => "none".to_string(),
        Value::Array(a) if a.iter().all(|v| v.is_string()) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" · "),
        other => other.to_string(),
    };
    const MAX: usize = 400;
    if text.chars().count() > MAX {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    } else {
        text
    }
}

/// How the figures were made, for the appendix.
#[derive(Debug, Clone, Serialize)]
struct Method {
    klm: Vec<(&'static str, f64)>,
}

fn method() -> Method {
    Method {
        klm: vec![
            ("Mental preparation (M), per decision", klm::MENTAL),
            ("Point with the mouse (P)", klm::POINT),
            ("Click (B)", klm::CLICK),
            ("Hand between mouse and keyboard (H)", klm::HAND),
            ("Keystroke (K), an average typist", klm::KEYSTROKE),
        ],
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_become_links() {
        assert_eq!(
            http_only("https://a.example/x?y=1"),
            "https://a.example/x?y=1"
        );
        assert_eq!(http_only(" javascript:alert(1)"), "#");
        assert_eq!(http_only("JavaScript:alert(1)"), "#");
        assert_eq!(http_only("data:text/html,<script>alert(1)</script>"), "#");
        assert_eq!(http_only("/relative"), "#");
    }

    #[test]
    fn chart_scales_round_up_to_a_round_number() {
        assert_eq!(nice_ceiling(57.4), 100.0);
        assert_eq!(nice_ceiling(12.0), 20.0);
        assert_eq!(nice_ceiling(4.2), 5.0);
        assert_eq!(nice_ceiling(200.0), 200.0);
    }
}
