//! Stable figures (`audit --runs N`): the journey walked N times in fresh profiles, its
//! times reported as medians with their range, and the flow called unstable — with how —
//! when the runs disagree on the outcome, the steps or the required fields.

use serde::{Deserialize, Serialize};

use crate::report::Report;

/// A figure over the runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// None for no values; the lower median for an even count.
    fn of(values: &[f64]) -> Option<Spread> {
        let mut v: Vec<f64> = values.to_vec();
        v.sort_by(f64::total_cmp);
        let median = *v.get((v.len().max(1) - 1) / 2)?;
        Some(Spread {
            median,
            min: v[0],
            max: v[v.len() - 1],
        })
    }
}

/// One run as the comparison of runs sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFigures {
    pub n: usize,
    /// The run's report directory (the first run is the report itself).
    pub dir: String,
    pub outcome: Option<String>,
    pub steps: Option<usize>,
    pub required_fields: Option<usize>,
    pub human_seconds: Option<f64>,
    pub machine_ms: Option<u64>,
}

/// `stability` in report.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stability {
    pub runs: usize,
    pub human_seconds: Option<Spread>,
    pub machine_ms: Option<Spread>,
    /// The runs agree on the outcome, the steps and the required fields.
    pub stable: bool,
    /// How they disagree, one sentence each.
    pub differences: Vec<String>,
    pub per_run: Vec<RunFigures>,
}

/// Compares the runs (`(report, its directory)`, first run first).
pub fn stability(runs: &[(&Report, String)]) -> Stability {
    let per_run: Vec<RunFigures> = runs
        .iter()
        .enumerate()
        .map(|(i, (r, dir))| RunFigures {
            n: i + 1,
            dir: dir.clone(),
            outcome: r.signup.as_ref().map(|s| s.outcome.as_str().to_string()),
            steps: r.signup.as_ref().map(|s| s.steps),
            required_fields: r.signup.as_ref().map(|s| s.fields.required),
            human_seconds: r.signup.as_ref().map(|s| s.human_seconds),
            machine_ms: r.signup.as_ref().map(|s| s.machine_ms),
        })
        .collect();
    let mut differences = Vec::new();
    let mut differ = |what: &str, values: Vec<String>| {
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, v) in values.into_iter().enumerate() {
            match groups.iter_mut().find(|(g, _)| *g == v) {
                Some((_, runs)) => runs.push(i + 1),
                None => groups.push((v, vec![i + 1])),
            }
        }
        if groups.len() > 1 {
            let parts: Vec<String> = groups
                .iter()
                .map(|(v, runs)| {
                    let runs: Vec<String> = runs.iter().map(usize::to_string).collect();
                    format!(
                        "{v} in run{} {}",
                        if runs.len() == 1 { "" } else { "s" },
                        runs.join(", ")
                    )
                })
                .collect();
            differences.push(format!("{what} differ: {}", parts.join("; ")));
        }
    };
    let shown = |v: Option<String>| v.unwrap_or_else(|| "none".to_string());
    differ(
        "outcomes",
        per_run.iter().map(|r| shown(r.outcome.clone())).collect(),
    );
    differ(
        "steps",
        runs.iter()
            .map(|(r, _)| {
                shown(r.signup.as_ref().map(|s| {
                    let labels: Vec<String> = s
                        .journey
                        .iter()
                        .map(|st| format!("\"{}\"", st.label))
                        .collect();
                    format!("{} ({})", s.steps, labels.join(", "))
                }))
            })
            .collect(),
    );
    differ(
        "required fields",
        runs.iter()
            .map(|(r, _)| {
                shown(r.signup.as_ref().map(|s| {
                    format!(
                        "{} ({})",
                        s.fields.required,
                        super::required_fields(s).join(", ")
                    )
                }))
            })
            .collect(),
    );
    let human: Vec<f64> = per_run.iter().filter_map(|r| r.human_seconds).collect();
    let machine: Vec<f64> = per_run
        .iter()
        .filter_map(|r| r.machine_ms.map(|m| m as f64))
        .collect();
    Stability {
        runs: runs.len(),
        human_seconds: Spread::of(&human),
        machine_ms: Spread::of(&machine),
        stable: differences.is_empty(),
        differences,
        per_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_lower_middle() {
        assert_eq!(
            Spread::of(&[4.0, 1.0, 3.0, 2.0]),
            Some(Spread {
                median: 2.0,
                min: 1.0,
                max: 4.0
            })
        );
        assert_eq!(Spread::of(&[]), None);
    }
}
