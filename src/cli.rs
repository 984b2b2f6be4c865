//! Command-line interface: every flag is defined here once, and drives `--help`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use regex::Regex;

use crate::audit::checklist::{Checklist, Pillar};
use crate::audit::vendors::VendorCatalogue;
use crate::compare::Tolerance;
use crate::error::AuditError;
use crate::forms::values::{Identity, DEFAULT_EMAIL};
use crate::gather::browser::BrowserConfig;
use crate::gather::journey::script::JourneyScript;
use crate::gather::journey::{JourneyOptions, ValueGoal};
use crate::gather::remote::RemoteEndpoint;
use crate::gather::settle::SettlePolicy;
use crate::gather::GatherOptions;
use crate::report::html::Brand;
use crate::report::{Formats, RenderOptions};

#[derive(Debug, Parser)]
#[command(
    name = "plg-audit",
    version,
    about = "Audit a SaaS product's product-led-growth readiness by walking its public site and signup flow in headless Chromium.",
    after_help = "Exit codes: 0 the audit ran · 1 a threshold or regression check failed · 2 the audit could not run · 3 invalid configuration or checklist · 130/143 stopped by SIGINT (Ctrl-C) / SIGTERM, with what was gathered written (129 for SIGHUP)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// No progress display and no summary; errors are still printed.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Log what happens on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit the product whose public home page is URL.
    #[command(args_override_self = true)]
    Audit {
        /// The product's home page, e.g. https://example.com (a bare host means https://).
        url: String,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Audit many products, N at a time, and compare them side by side
    /// (comparison.html/.md/.json beside one report directory per product).
    Batch {
        /// One URL per line, or a .toml file of [[product]] tables (name, url, value_text,
        /// journey, email, checks).
        file: PathBuf,
        /// Products audited at once, each in its own Chromium (1-16).
        #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=16))]
        jobs: u16,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Start the built-in demo product on 127.0.0.1 and audit it (works offline).
    #[command(args_override_self = true)]
    Demo {
        #[command(flatten)]
        run: RunArgs,
    },
    /// Check that Chromium is found and starts, and that reports can be written.
    Doctor {
        /// Browser binary to check instead of the usual search.
        #[arg(long, value_name = "PATH")]
        chrome: Option<PathBuf>,
        /// Check that the remote Chromium at this DevTools address can be driven instead.
        #[arg(long = "browser-ws", value_name = "URL", value_parser = RemoteEndpoint::parse, conflicts_with = "chrome")]
        browser_ws: Option<RemoteEndpoint>,
        /// Output directory to check.
        #[arg(long, value_name = "DIR", default_value = "plg-audit-report")]
        out: PathBuf,
    },
    /// Find the forms on a page and explain each: kind, fields, types, required flags, reasons.
    Forms {
        /// A page URL (rendered in Chromium, with computed visibility) or a saved HTML file
        /// (read statically).
        page: String,
        /// Print {"forms": [...]} as JSON instead of the table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        browser: BrowserArgs,
    },
    /// Print the JSON Schema of report.json.
    Schema,
    /// Compare two saved runs of a product: what got better and what got worse (exit 1 on
    /// a regression).
    Diff {
        /// The baseline: a run directory or its report.json.
        old: PathBuf,
        /// The new run: a run directory or its report.json.
        new: PathBuf,
        #[command(flatten)]
        compare: CompareArgs,
        /// Also write diff.md, diff.html and diff.json into this directory.
        #[arg(long, short, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print the comparison as JSON instead of Markdown.
        #[arg(long)]
        json: bool,
    },
    /// The recorded runs of a product, oldest first, with trends.
    History {
        /// The product's URL (as audited, or its home page).
        url: String,
        #[command(flatten)]
        history: HistoryArgs,
        /// Runs to show at most (the newest).
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
        /// Print the runs as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List, show and validate the PLG checklist.
    Checks {
        #[command(subcommand)]
        command: ChecksCommand,
    },
    /// Judge a saved run again from its artifacts.json (no browser, no signup) and rewrite
    /// its report.json and report files.
    Rescore {
        #[command(flatten)]
        saved: SavedRunArgs,
    },
    /// Render every report format again from a saved run (its artifacts and checks),
    /// without a browser: after an upgrade, with another brand, or other formats.
    Report {
        #[command(flatten)]
        saved: SavedRunArgs,
    },
    /// Read a pricing page and explain it plan by plan: prices, currencies, periods, units,
    /// buttons, the highlighted plan, and the product-level facts, each with its reason.
    Pricing {
        /// A page URL (rendered in Chromium; its monthly/annual switch is pressed) or a saved
        /// HTML file (read statically).
        page: String,
        /// Print the pricing as JSON (the `pricing` object of report.json) instead of the text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        browser: BrowserArgs,
    },
}

/// Options shared by everything that runs an audit.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Directory for report.json, report.html and the artifacts [default: ./plg-audit-report/<host>-<timestamp>/]
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Print report.json on stdout (progress and summary are not shown).
    #[arg(long)]
    pub json: bool,

    /// Pages to visit at most, the home page included (1-500).
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = parse_max_pages, allow_negative_numbers = true)]
    pub max_pages: u16,

    /// Wall-time budget of the whole audit, e.g. 600, 90s, 10m, 1h; when it runs out the
    /// audit writes what it has.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_max_time, allow_negative_numbers = true)]
    pub max_time: Duration,

    #[command(flatten)]
    pub browser: BrowserArgs,

    #[command(flatten)]
    pub journey: JourneyArgs,

    /// Vendor fingerprints to add to the built-in ones, or to replace them by id (TOML, the
    /// format of checks/signals/vendors.toml).
    #[arg(long, value_name = "FILE")]
    pub vendors: Option<PathBuf>,

    #[command(flatten)]
    pub checks: ChecksArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Walk the site and the journey N times, each in a fresh profile (1-10): the report
    /// gives the times' medians and their range, and says how the runs disagree when the
    /// flow is unstable; runs 2..N are kept under runs/ in the output directory.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub runs: u8,

    /// Compare this run with a saved one (a run directory or its report.json): print what
    /// got better and worse, write diff.md and diff.html, exit 1 on a regression.
    #[arg(long, value_name = "RUN")]
    pub baseline: Option<PathBuf>,

    #[command(flatten)]
    pub history: HistoryArgs,

    /// Settings and assertions (TOML): every flag of `audit` by its long name, and an
    /// [assert] table [default: ./plg-audit.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub compare: CompareArgs,
}

/// Where runs are recorded.
#[derive(Debug, Args, Clone, Default)]
pub struct HistoryArgs {
    /// The run history (SQLite) to record this run in and read trends from [default: the
    /// user's data directory, e.g. ~/.local/share/plg-audit/history.sqlite3]
    #[arg(long, value_name = "PATH", env = "PLG_AUDIT_HISTORY")]
    pub history: Option<PathBuf>,
    /// Do not record this run or read the history.
    #[arg(long, env = "PLG_AUDIT_NO_HISTORY")]
    pub no_history: bool,
}

impl HistoryArgs {
    /// The history database to use, or None with `--no-history` (or when the system has no
    /// data directory).
    pub fn path(&self) -> Option<PathBuf> {
        if self.no_history {
            return None;
        }
        self.history.clone().or_else(crate::history::default_path)
    }
}

/// How runs are compared.
#[derive(Debug, Args, Clone, Default)]
pub struct CompareArgs {
    /// How far a time may move before it counts as changed: a share and/or a time, e.g.
    /// 20%, 500ms or 20%,500ms (both must be exceeded) [default: 20%,500ms]
    #[arg(long, value_name = "TOLERANCE", value_parser = parse_tolerance)]
    pub tolerance: Option<Tolerance>,
}

fn parse_tolerance(s: &str) -> Result<Tolerance, String> {
    Tolerance::parse(s)
}

/// Which report files are written, and the brand they carry.
#[derive(Debug, Args, Clone, Default)]
pub struct OutputArgs {
    /// The report formats to write, comma-separated: html, json, md, junit (report.json is
    /// always written) [default: html,json,md,junit]
    #[arg(long, value_name = "LIST", value_parser = parse_formats)]
    pub format: Option<Formats>,

    /// The report's title, for consultants who send it under their own name (replaces
    /// "PLG teardown").
    #[arg(long, value_name = "TEXT")]
    pub brand_title: Option<String>,

    /// A logo for the report's header (PNG, JPEG, GIF, WebP or SVG, at most 1 MB),
    /// embedded in the file.
    #[arg(long, value_name = "FILE")]
    pub brand_logo: Option<PathBuf>,

    /// The report's accent colour, #rrggbb or #rgb.
    #[arg(long, value_name = "COLOR", value_parser = parse_color)]
    pub brand_color: Option<String>,
}

fn parse_formats(s: &str) -> Result<Formats, String> {
    Formats::parse(s)
}

fn parse_color(s: &str) -> Result<String, String> {
    static COLOR: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$").expect("static regex")
    });
    if COLOR.is_match(s) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err("must be a colour written #rrggbb or #rgb, e.g. #0f766e".to_string())
    }
}

/// Largest logo embedded in a report.
const MAX_LOGO_BYTES: u64 = 1024 * 1024;

impl OutputArgs {
    /// The render options these flags ask for; an unreadable or non-image logo is invalid
    /// configuration.
    pub fn render_options(&self) -> Result<RenderOptions, AuditError> {
        let logo = match &self.brand_logo {
            None => None,
            Some(path) => Some(logo_data_uri(path)?),
        };
        Ok(RenderOptions {
            formats: self.format.unwrap_or_default(),
            brand: Brand {
                title: self
                    .brand_title
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string),
                logo,
                color: self.brand_color.clone(),
            },
            trend: None,
        })
    }
}

/// The logo file as a data URI, its type read from its first bytes (not its name).
fn logo_data_uri(path: &std::path::Path) -> Result<String, AuditError> {
    let wrong = |why: String| AuditError::Config(format!("the logo {} {why}", path.display()));
    let size = std::fs::metadata(path)
        .map_err(|e| wrong(format!("cannot be read: {e}")))?
        .len();
    if size > MAX_LOGO_BYTES {
        return Err(wrong(format!(
            "is {} KB; a logo embedded in the report must be at most 1024 KB",
            size / 1024
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| wrong(format!("cannot be read: {e}")))?;
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let mime = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "image/jpeg"
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        "image/gif"
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else if head.contains("<svg") {
        // Shown through <img>, an SVG's scripts never run.
        "image/svg+xml"
    } else {
        return Err(wrong(
            "is not a PNG, JPEG, GIF, WebP or SVG image".to_string(),
        ));
    };
    use base64::Engine;
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    ))
}

/// A saved run to judge and render again.
#[derive(Debug, Args, Clone)]
pub struct SavedRunArgs {
    /// The run's output directory (holding artifacts.json).
    pub dir: PathBuf,
    #[command(flatten)]
    pub checks: ChecksArgs,
    /// Vendor fingerprints to add or replace (as for `audit`).
    #[arg(long, value_name = "FILE")]
    pub vendors: Option<PathBuf>,
    /// Print report.json on stdout instead of the summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub history: HistoryArgs,
}

/// The checklist a product is judged by.
#[derive(Debug, Args, Clone, Default)]
pub struct ChecksArgs {
    /// A directory of check files (*.toml) that add checks, or override or disable built-in
    /// ones by id; repeat it to layer several (later ones win).
    #[arg(long = "checks", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
}

impl ChecksArgs {
    /// The built-in checklist plus `--checks`; a bad file is invalid configuration.
    pub fn checklist(&self) -> Result<Checklist, AuditError> {
        Checklist::load(&self.dirs)
    }
}

/// `plg-audit checks …`
#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// List the checks: id, pillar, weight and title.
    List {
        /// Only the checks of this pillar (activation, monetisation, virality,
        /// instrumentation, trust).
        #[arg(long, value_name = "PILLAR", value_parser = parse_pillar)]
        pillar: Option<Pillar>,
        #[command(flatten)]
        checks: ChecksArgs,
    },
    /// Everything about one check: why it matters, how it is judged, what to change.
    Show {
        /// The check's id, e.g. activation.no_card_before_value.
        id: String,
        #[command(flatten)]
        checks: ChecksArgs,
    },
    /// Print the facts a check expression sees for a saved run (report.json's fields plus
    /// `facts`), as JSON: what to write a new check against.
    Facts {
        /// The run's output directory (holding artifacts.json).
        dir: PathBuf,
    },
    /// Validate a directory of check files without running an audit.
    Validate {
        /// The directory holding the *.toml check files.
        dir: PathBuf,
    },
}

fn parse_pillar(s: &str) -> Result<Pillar, String> {
    Pillar::parse(s).ok_or_else(|| {
        format!(
            "unknown pillar '{s}' (the pillars are {})",
            Pillar::ALL.map(|p| p.as_str()).join(", ")
        )
    })
}

/// How the signup journey is walked.
#[derive(Debug, Args, Clone)]
pub struct JourneyArgs {
    /// Map the site only; do not walk the signup journey.
    #[arg(long)]
    pub no_journey: bool,

    /// Stop before the first form submission and report the form that would have been filled.
    #[arg(long)]
    pub no_submit: bool,

    /// The value moment is reached when this text appears.
    #[arg(long, value_name = "TEXT")]
    pub value_text: Option<String>,

    /// The value moment is reached when an element matches this CSS selector.
    #[arg(long, value_name = "CSS")]
    pub value_selector: Option<String>,

    /// The value moment is reached when the URL matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub value_url: Option<String>,

    /// Scripted steps for what heuristics cannot guess (TOML; see the README).
    #[arg(long, value_name = "FILE")]
    pub journey: Option<PathBuf>,

    /// E-mail for the test identity: a template with {id}, an address (gets +<id>), or a domain.
    #[arg(long, value_name = "TEMPLATE", default_value = DEFAULT_EMAIL)]
    pub email: String,

    /// Write the test account's e-mail and generated password to FILE (mode 0600), to log
    /// in to it afterwards. The password is in no other file and no log.
    #[arg(long, value_name = "FILE")]
    pub save_credentials: Option<PathBuf>,
}

/// How the browser is found and driven.
#[derive(Debug, Args, Clone)]
pub struct BrowserArgs {
    /// Longest wait, in seconds, for a page to settle after a navigation or an action.
    #[arg(long, value_name = "SECONDS", default_value_t = 15.0, value_parser = parse_seconds, allow_negative_numbers = true)]
    pub step_timeout: f64,

    /// Chromium binary [default: $CHROME, then chromium, chromium-browser, google-chrome on PATH]
    #[arg(long, value_name = "PATH")]
    pub chrome: Option<PathBuf>,

    /// Drive the Chromium at this DevTools address instead of launching one:
    /// ws://host:9222/devtools/browser/<id>, wss://… (a hosted browser), or http://host:9222.
    /// `batch` takes several and spreads the products over them.
    #[arg(long = "browser-ws", value_name = "URL", value_parser = RemoteEndpoint::parse, conflicts_with = "chrome")]
    pub browser_ws: Vec<RemoteEndpoint>,

    /// Resolve no host but 127.0.0.1 in the browser, so third-party requests fail at once
    /// (for closed networks and tests; always on for `demo`).
    #[arg(long)]
    pub offline: bool,
}

// Value parsers say what a value must be; `crate::flag_errors` adds the flag and the
// value given ("--step-timeout must be … , got -1").

fn parse_seconds(s: &str) -> Result<f64, String> {
    const MUST: &str = "must be a number of seconds between 0.5 and 600";
    let v: f64 = s.trim().parse().map_err(|_| MUST.to_string())?;
    if v.is_finite() && (0.5..=600.0).contains(&v) {
        Ok(v)
    } else {
        Err(MUST.to_string())
    }
}

fn parse_max_pages(s: &str) -> Result<u16, String> {
    const MUST: &str = "must be between 1 and 500";
    match s.trim().parse::<u16>() {
        Ok(n) if (1..=500).contains(&n) => Ok(n),
        _ => Err(MUST.to_string()),
    }
}

/// "600" (seconds), "90s", "10m", "10min", "1h".
fn parse_max_time(s: &str) -> Result<Duration, String> {
    const MUST: &str = "must be a duration between 10 s and 24 h, such as 600, 90s, 10m or 1h";
    let t = s.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().map_err(|_| MUST.to_string())?;
    let scale = match unit.trim() {
        "" | "s" | "sec" | "secs" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minutes" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        _ => return Err(MUST.to_string()),
    };
    let secs = n * scale;
    if secs.is_finite() && (10.0..=86_400.0).contains(&secs) {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(MUST.to_string())
    }
}

impl RunArgs {
    /// The vendor catalogue: built in, plus `--vendors`; a bad file is invalid configuration.
    pub fn vendor_catalogue(&self) -> Result<VendorCatalogue, AuditError> {
        VendorCatalogue::load(self.vendors.as_deref())
    }

    /// The gather options these flags ask for; a bad journey file or regex is invalid
    /// configuration.
    pub fn gather_options(
        &self,
        force_offline: bool,
        run_id: &str,
    ) -> Result<GatherOptions, AuditError> {
        Ok(GatherOptions {
            max_pages: usize::from(self.max_pages),
            browser: self.browser.config(force_offline)?,
            journey: if self.journey.no_journey {
                None
            } else {
                Some(self.journey.options(run_id)?)
            },
            max_time: Some(self.max_time),
        })
    }
}

impl JourneyArgs {
    pub fn options(&self, run_id: &str) -> Result<JourneyOptions, AuditError> {
        let url = match &self.value_url {
            Some(re) => Some(Regex::new(re).map_err(|e| {
                AuditError::Config(format!(
                    "--value-url is not a valid regular expression: {e}"
                ))
            })?),
            None => None,
        };
        if self.email.trim().is_empty() || self.email.contains(char::is_whitespace) {
            return Err(AuditError::Config(format!(
                "--email '{}' is not an address, a domain or a template",
                self.email
            )));
        }
        let script = match &self.journey {
            Some(path) => {
                // A configuration file that cannot be read is invalid configuration (exit 3).
                if let Err(e) = std::fs::File::open(path) {
                    return Err(AuditError::Config(format!(
                        "the journey file {} cannot be read: {}",
                        path.display(),
                        crate::flag_errors::io_words(&e)
                    )));
                }
                Some(JourneyScript::load(path)?)
            }
            None => None,
        };
        Ok(JourneyOptions {
            goal: ValueGoal {
                text: self.value_text.clone(),
                selector: self.value_selector.clone(),
                url,
            },
            script,
            no_submit: self.no_submit,
            identity: Identity::new(run_id, &self.email),
            save_credentials: self.save_credentials.clone(),
        })
    }
}

impl BrowserArgs {
    /// The browser these flags ask for; `force_offline` is the demo's own offline Chromium.
    /// One audit drives one browser: several `--browser-ws` are for `batch`, which hands
    /// each product one of them.
    pub fn config(&self, force_offline: bool) -> Result<BrowserConfig, AuditError> {
        let remote = match self.browser_ws.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            many => {
                return Err(AuditError::Config(format!(
                    "--browser-ws is given {} times, but one audit drives one browser (batch spreads its products over several)",
                    many.len()
                )))
            }
        };
        if remote.is_some() && force_offline {
            return Err(AuditError::Config(
                "demo serves its product on this machine and launches its own offline Chromium; --browser-ws is for audit and batch".into(),
            ));
        }
        if remote.is_some() && self.offline {
            return Err(AuditError::Config(
                "--offline cannot keep a remote browser (--browser-ws) off the network: start that Chromium with --host-resolver-rules=\"MAP * ~NOTFOUND, EXCLUDE 127.0.0.1\" instead".into(),
            ));
        }
        Ok(BrowserConfig {
            chrome: self.chrome.clone(),
            remote,
            offline: self.offline || force_offline,
            step_timeout: Duration::from_secs_f64(self.step_timeout),
            settle: SettlePolicy::default(),
        })
    }
}

#[cfg(test)]
mod value_tests {
    use super::*;

    #[test]
    fn max_time_reads_seconds_minutes_and_hours() {
        assert_eq!(parse_max_time("600"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_max_time("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_max_time("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_max_time("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_max_time("5").is_err());
        assert!(parse_max_time("ten minutes").is_err());
    }

    #[test]
    fn page_and_second_bounds_are_said_in_words() {
        assert_eq!(
            parse_max_pages("0"),
            Err("must be between 1 and 500".into())
        );
        assert_eq!(
            parse_seconds("-1"),
            Err("must be a number of seconds between 0.5 and 600".into())
        );
    }
}
