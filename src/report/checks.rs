//! The checklist as a reader sees it: `plg-audit checks list` and `checks show`, and the
//! score lines of the audit summary.

use std::fmt::Write;

use crate::audit::checklist::scores::{MotionKind, Scores, Summary};
use crate::audit::checklist::{Check, Checklist, Evaluation, Pillar};

/// One line per check: id, weight and title, grouped by pillar.
pub fn list(checklist: &Checklist, pillar: Option<Pillar>) -> String {
    let mut out = String::new();
    let width = checklist
        .checks
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(0);
    let mut shown = 0;
    for p in Pillar::ALL {
        if pillar.is_some_and(|wanted| wanted != p) {
            continue;
        }
        let checks: Vec<&Check> = checklist.checks.iter().filter(|c| c.pillar == p).collect();
        let weight = checklist.pillar_weights.get(&p).copied().unwrap_or(1.0);
        let _ = writeln!(
            out,
            "{p} (pillar weight {}, {} checks)",
            number(weight),
            checks.len()
        );
        for c in checks {
            let marks = match (c.enabled, c.informative) {
                (false, _) => "  [disabled]",
                (true, true) => "  [informative]",
                _ => "",
            };
            let _ = writeln!(
                out,
                "  {:<width$}  w{:<3} {}{marks}",
                c.id,
                number(c.weight),
                c.title
            );
            shown += 1;
        }
    }
    let enabled = checklist
        .checks
        .iter()
        .filter(|c| c.enabled && pillar.is_none_or(|p| p == c.pillar))
        .count();
    let _ = writeln!(
        out,
        "{shown} checks ({enabled} enabled), checklist {}",
        checklist.version
    );
    out
}

/// Everything about one check, as a consultant reads it.
pub fn show(check: &Check) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", check.id);
    let _ = writeln!(out, "  {}", check.title);
    let _ = writeln!(out);
    let _ = writeln!(out, "Pillar:          {}", check.pillar);
    let _ = writeln!(
        out,
        "Weight:          {}{}",
        number(check.weight),
        if check.informative {
            " (informative: reported, not scored)"
        } else {
            ""
        }
    );
    if !check.enabled {
        let _ = writeln!(out, "Enabled:         no");
    }
    let _ = writeln!(out, "When it fails:   {}", check.failure_title);
    let _ = writeln!(out);
    let _ = writeln!(out, "Why it matters:\n  {}", check.description.trim());
    let _ = writeln!(out);
    let _ = writeln!(out, "How it is judged:");
    if !check.requires.is_empty() {
        let _ = writeln!(
            out,
            "  needs the facts {} (unknown otherwise)",
            check.requires.join(", ")
        );
    }
    if let Some(a) = &check.applies {
        let _ = writeln!(
            out,
            "  applies when   {}  (otherwise: {})",
            a.source, check.not_applicable
        );
    }
    match &check.evaluation {
        Evaluation::Expression(e) => {
            let _ = writeln!(out, "  passes when    {}", e.source);
        }
        Evaluation::Builtin(name) => {
            let _ = writeln!(out, "  built-in       {name}");
        }
    }
    if let Some(t) = &check.threshold {
        let _ = writeln!(out, "  threshold      {t}");
    }
    if !check.evidence.is_empty() {
        let _ = writeln!(
            out,
            "  evidence       {}",
            check
                .evidence
                .iter()
                .map(|e| if e.label == e.expr.source {
                    e.expr.source.clone()
                } else {
                    format!("{}: {}", e.label, e.expr.source)
                })
                .collect::<Vec<_>>()
                .join("\n                 ")
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "What to change:\n  {}", check.recommendation.trim());
    if !check.references.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "References:");
        for r in &check.references {
            let _ = writeln!(out, "  {r}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Defined in {}", check.source);
    out
}

/// "Score 72/100 · activation 80 · monetisation 65 (incomplete) · …" and the motion.
pub fn score_lines(scores: &Scores, summary: &Summary) -> Vec<String> {
    let pillars: Vec<String> = scores
        .pillars
        .iter()
        .map(|(p, s)| {
            format!(
                "{p} {}{}",
                s.score.map_or("–".to_string(), |x| format!("{x:.0}")),
                if s.incomplete { " (incomplete)" } else { "" }
            )
        })
        .collect();
    let mut lines = vec![format!(
        "Score {}/100 · {}",
        scores
            .overall
            .map_or("–".to_string(), |x| format!("{x:.0}")),
        pillars.join(" · ")
    )];
    lines.push(format!(
        "Motion: {} ({})",
        motion_name(summary.motion.kind),
        summary.motion.reasons.join("; ")
    ));
    if summary.top_fixes.is_empty() {
        lines.push("Top fixes: none, every scored check passes".to_string());
    } else {
        lines.push("Top fixes:".to_string());
        for (i, fix) in summary.top_fixes.iter().take(3).enumerate() {
            lines.push(format!(
                "  {}. {} [{}] — {}",
                i + 1,
                fix.title,
                fix.id,
                fix.recommendation
            ));
        }
    }
    lines
}

pub fn motion_name(kind: MotionKind) -> &'static str {
    match kind {
        MotionKind::ProductLed => "product-led",
        MotionKind::Hybrid => "hybrid",
        MotionKind::SalesLed => "sales-led",
        MotionKind::PreLaunch => "pre-launch",
    }
}

/// 3 for 3.0, 2.5 for 2.5.
fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}
