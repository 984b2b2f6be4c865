//! The `plg-audit` binary: parses the command line, runs the command, and turns its
//! outcome into one of the documented exit codes with one sentence saying why.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use plg_audit::audit::checklist::Checklist;
use plg_audit::cli::{ChecksCommand, Cli, Command, RunArgs};
use plg_audit::demo::{demo_site, server::ProductServer};
use plg_audit::error::{AuditError, EXIT_BAD_CONFIG, EXIT_CANNOT_RUN, EXIT_OK};
use plg_audit::progress::Progress;
use plg_audit::report::summary;
use plg_audit::run::{run_audit, run_id, AuditRequest, AuditRun};
use plg_audit::{doctor, inspect, report};

fn main() -> ExitCode {
    // plg-audit.toml's settings become flags placed before the user's own.
    let (argv, config) =
        match plg_audit::config::apply(std::env::args_os().collect(), &Cli::command()) {
            Ok(applied) => applied,
            Err(e) => return fail_with(&e),
        };
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        // --help and --version print and exit 0; a wrong flag is invalid configuration,
        // said in one sentence.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => return fail(&plg_audit::flag_errors::sentence(&e), EXIT_BAD_CONFIG),
    };
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return fail(
                &format!("cannot start the async runtime: {e}"),
                EXIT_CANNOT_RUN,
            )
        }
    };
    // Ctrl-C, SIGTERM, SIGHUP: stop, write what was gathered, exit 130/143/129.
    if let Err(e) = plg_audit::stop::listen_for_signals(&runtime) {
        tracing::warn!("cannot listen for signals: {e}");
    }
    let code = run_command(cli, &runtime, &config);
    plg_audit::stop::finished();
    code
}

fn run_command(
    cli: Cli,
    runtime: &tokio::runtime::Runtime,
    config: &plg_audit::config::Config,
) -> ExitCode {
    match cli.command {
        Command::Audit { url, run } => runtime.block_on(audit(url, &run, cli.quiet, false, config)),
        Command::Demo { run } => {
            let server = match ProductServer::spawn(demo_site()) {
                Ok(s) => s,
                Err(e) => {
                    return fail(
                        &format!("the demo product could not start: {e:#}"),
                        EXIT_CANNOT_RUN,
                    )
                }
            };
            if !cli.quiet && !run.json {
                eprintln!(
                    "Demo product \"{}\" running at {}",
                    server.name(),
                    server.url()
                );
            }
            let code = runtime.block_on(audit(
                server.url().to_string(),
                &run,
                cli.quiet,
                true,
                config,
            ));
            drop(server);
            code
        }
        Command::Doctor {
            chrome,
            browser_ws,
            out,
        } => {
            let checks = doctor::run(chrome.as_deref(), browser_ws.as_ref(), &out);
            let mut all_ok = true;
            for c in &checks {
                all_ok &= c.ok;
                println!(
                    "{} {}: {}",
                    if c.ok { "ok  " } else { "FAIL" },
                    c.name,
                    c.detail
                );
                if let Some(fix) = &c.fix {
                    println!("     fix: {fix}");
                }
            }
            if all_ok {
                println!("Ready to audit.");
                ExitCode::from(EXIT_OK)
            } else {
                fail(
                    "this machine is not ready to audit; see the fixes above",
                    EXIT_CANNOT_RUN,
                )
            }
        }
        Command::Forms {
            page,
            json,
            browser,
        } => {
            let source = match inspect::page_source(&page) {
                Ok(s) => s,
                Err(e) => return fail_with(&e),
            };
            let config = match browser.config(false) {
                Ok(c) => c,
                Err(e) => return fail_with(&e),
            };
            match inspect::forms_of(&source, &config) {
                Ok(forms) if json => {
                    println!("{}", inspect::to_json(&forms));
                    ExitCode::from(EXIT_OK)
                }
                Ok(forms) => {
                    print!("{}", inspect::to_table(&forms));
                    ExitCode::from(EXIT_OK)
                }
                Err(e) => fail_with(&e),
            }
        }
        Command::Pricing {
            page,
            json,
            browser,
        } => {
            let read = match inspect::page_source(&page) {
                Ok(inspect::PageSource::File(path)) => plg_audit::gather::pricing::read_file(&path),
                Ok(inspect::PageSource::Url(url)) => browser
                    .config(false)
                    .and_then(|config| plg_audit::gather::pricing::read_url(&url, &config)),
                Err(e) => Err(e),
            };
            let pricing = match read {
                Ok(p) if p.plans.is_empty() => {
                    return fail_with(&plg_audit::error::AuditError::NoPricing {
                        what: page.clone(),
                        why: p.reasons.plans,
                    })
                }
                Ok(p) => p,
                Err(e) => return fail_with(&e),
            };
            if json {
                println!("{}", plg_audit::pricing::explain::to_json(&pricing));
            } else {
                print!("{}", plg_audit::pricing::explain::to_table(&pricing));
            }
            ExitCode::from(EXIT_OK)
        }
        Command::Checks { command } => checks_command(command),
        Command::Batch { file, jobs, run } => {
            runtime.block_on(batch(&file, usize::from(jobs), &run, cli.quiet))
        }
        Command::History {
            url,
            history,
            limit,
            json,
        } => {
            let Some(path) = history.path() else {
                return fail(
                    "there is no history to read (--no-history, or no data directory: give --history PATH)",
                    EXIT_BAD_CONFIG,
                );
            };
            if !path.exists() {
                return fail(
                    &format!(
                        "no run has been recorded yet: {} does not exist",
                        path.display()
                    ),
                    plg_audit::error::EXIT_CANNOT_RUN,
                );
            }
            let runs = plg_audit::history::History::open(&path).and_then(|h| h.runs(&url, limit));
            match runs {
                Ok(runs) if json => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&runs).expect("runs serialise")
                    );
                    ExitCode::from(EXIT_OK)
                }
                Ok(runs) => {
                    print!("{}", plg_audit::history::table(&runs));
                    ExitCode::from(EXIT_OK)
                }
                Err(e) => fail_with(&e),
            }
        }
        Command::Diff {
            old,
            new,
            compare,
            out,
            json,
        } => diff_command(
            &old,
            &new,
            compare.tolerance.unwrap_or_default(),
            out.as_deref(),
            json,
        ),
        Command::Rescore { saved } | Command::Report { saved } => {
            let checklist = match saved.checks.checklist() {
                Ok(c) => c,
                Err(e) => return fail_with(&e),
            };
            let vendors =
                match plg_audit::audit::vendors::VendorCatalogue::load(saved.vendors.as_deref()) {
                    Ok(v) => v,
                    Err(e) => return fail_with(&e),
                };
            let mut render = match saved.output.render_options() {
                Ok(r) => r,
                Err(e) => return fail_with(&e),
            };
            render.trend = history_trend(&saved.dir, &saved.history);
            match plg_audit::run::rescore(&saved.dir, &vendors, &checklist, &render) {
                Ok((report, _)) if saved.json => {
                    println!("{}", report.to_json());
                    ExitCode::from(EXIT_OK)
                }
                Ok((report, written)) => {
                    if !cli.quiet {
                        for line in summary(&report) {
                            println!("{line}");
                        }
                        print_written(&written);
                    }
                    ExitCode::from(EXIT_OK)
                }
                Err(e) => fail_with(&e),
            }
        }
        Command::Schema => {
            println!("{}", report::JSON_SCHEMA.trim_end());
            ExitCode::from(EXIT_OK)
        }
    }
}

/// `plg-audit batch`: every product audited into its own directory, then compared.
async fn batch(file: &std::path::Path, jobs: usize, args: &RunArgs, quiet: bool) -> ExitCode {
    use plg_audit::batch::{self, Outcome};
    let products = match batch::read(file) {
        Ok(p) => p,
        Err(e) => return fail_with(&e),
    };
    // Several --browser-ws are shared out, one per product (see batch::Endpoints).
    let endpoints = batch::Endpoints::new(args.browser.browser_ws.clone());
    let mut args = args.clone();
    args.browser.browser_ws.truncate(1);
    // Everything that can be wrong with the shared settings is said before any audit.
    let prepared = args.vendor_catalogue().and_then(|v| {
        let render = args.output.render_options()?;
        args.gather_options(false, &run_id())?;
        for p in &products {
            let mut dirs = args.checks.dirs.clone();
            dirs.extend(p.checks.iter().cloned());
            plg_audit::audit::checklist::Checklist::load(&dirs)?;
        }
        Ok((v, render))
    });
    let (vendors, render) = match prepared {
        Ok(p) => p,
        Err(e) => return fail_with(&e),
    };
    let out = args.out.clone().unwrap_or_else(|| {
        std::path::Path::new("plg-audit-report").join(format!("batch-{}", run_id()))
    });
    let total = products.len();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let shared = args.clone();
    let show = !quiet && !args.json;
    if show {
        let remote = match endpoints.count() {
            0 => String::new(),
            1 => " on one remote browser".to_string(),
            n => format!(" spread over {n} remote browsers"),
        };
        eprintln!(
            "Auditing {total} products, {jobs} at a time{remote}, into {}",
            out.display()
        );
    }
    let outcomes = batch::run(products, &out, jobs, move |product, dir| {
        let mut a = shared.clone();
        let vendors = vendors.clone();
        let render = render.clone();
        let done = done.clone();
        let lease = endpoints.lease();
        if let Some(lease) = &lease {
            a.browser.browser_ws = vec![lease.endpoint().clone()];
        }
        async move {
            if let Some(t) = &product.value_text {
                a.journey.value_text = Some(t.clone());
            }
            if let Some(j) = &product.journey {
                a.journey.journey = Some(j.clone());
            }
            if let Some(e) = &product.email {
                a.journey.email = e.clone();
            }
            a.checks.dirs.extend(product.checks.iter().cloned());
            let started = std::time::Instant::now();
            let request = a.gather_options(false, &run_id()).and_then(|gather| {
                Ok(AuditRequest {
                    target: product.url.clone(),
                    out: Some(dir.clone()),
                    gather,
                    vendors,
                    checklist: a.checks.checklist()?,
                    render,
                })
            });
            let result = match request {
                Ok(request) => run_audit(&request, &Progress::new(false)).await,
                Err(e) => Err(e),
            };
            let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let label = match &lease {
                Some(lease) => format!("{} (on {})", product.label(), lease.endpoint()),
                None => product.label(),
            };
            drop(lease);
            let outcome = match result {
                Ok(run) => {
                    record_history(&run, &a.history, &a.output);
                    Outcome {
                        fatal: run.fatal.as_ref().map(|e| e.to_string()),
                        result: Ok(run.report),
                        product,
                        dir,
                    }
                }
                Err(e) => Outcome {
                    result: Err(e.to_string()),
                    fatal: None,
                    product,
                    dir,
                },
            };
            if show {
                let what = match (&outcome.result, &outcome.fatal) {
                    (Err(e), _) => format!("could not be audited: {e}"),
                    (Ok(_), Some(e)) => format!("cut short: {e}"),
                    (Ok(r), None) => format!(
                        "{}, score {}",
                        r.signup
                            .as_ref()
                            .map(|s| format!("{} in {} steps", s.outcome.as_str(), s.steps))
                            .unwrap_or_else(|| "journey not walked".into()),
                        r.scores
                            .as_ref()
                            .and_then(|s| s.overall)
                            .map_or("–".to_string(), |x| format!("{x:.0}"))
                    ),
                };
                eprintln!(
                    "[{n}/{total}] {label}: {what} ({:.1} s)",
                    started.elapsed().as_secs_f64()
                );
            }
            outcome
        }
    })
    .await;
    let columns = outcomes
        .iter()
        .map(|o| plg_audit::compare::products::Column {
            name: o.product.label(),
            url: o.product.url.clone(),
            report: o.result.as_ref().ok().map(|_| o.product.slug()),
            error: o.result.as_ref().err().cloned().or_else(|| o.fatal.clone()),
        })
        .collect();
    let reports: Vec<Option<plg_audit::report::Report>> = outcomes
        .iter()
        .map(|o| o.result.as_ref().ok().cloned())
        .collect();
    let comparison = plg_audit::compare::products::compare(columns, &reports);
    let written = (|| -> Result<(), AuditError> {
        let output = |path: std::path::PathBuf, e: &dyn std::fmt::Display| AuditError::Output {
            path,
            reason: e.to_string(),
        };
        std::fs::create_dir_all(&out).map_err(|e| output(out.clone(), &e))?;
        let html = plg_audit::compare::products::html(&comparison)
            .map_err(|e| output(out.join("comparison.html"), &e))?;
        for (name, text) in [
            (
                "comparison.md",
                plg_audit::compare::products::markdown(&comparison),
            ),
            ("comparison.html", html),
            (
                "comparison.json",
                serde_json::to_string_pretty(&comparison).expect("a comparison serialises"),
            ),
        ] {
            std::fs::write(out.join(name), text).map_err(|e| output(out.join(name), &e))?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        return fail_with(&e);
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&comparison).expect("a comparison serialises")
        );
    } else if !quiet {
        print!("{}", plg_audit::compare::products::markdown(&comparison));
        println!("Comparison: {}", out.join("comparison.html").display());
    }
    let failed = outcomes
        .iter()
        .filter(|o| o.result.is_err() || o.fatal.is_some())
        .count();
    if failed == 0 {
        ExitCode::from(EXIT_OK)
    } else {
        fail(
            &format!(
                "{failed} of {total} products could not be audited fully; the comparison shows why"
            ),
            EXIT_CANNOT_RUN,
        )
    }
}

fn diff_command(
    old: &std::path::Path,
    new: &std::path::Path,
    tolerance: plg_audit::compare::Tolerance,
    out: Option<&std::path::Path>,
    json: bool,
) -> ExitCode {
    let loaded =
        plg_audit::compare::load(old).and_then(|a| Ok((a, plg_audit::compare::load(new)?)));
    let ((old_report, old_dir), (new_report, new_dir)) = match loaded {
        Ok(l) => l,
        Err(e) => return fail_with(&e),
    };
    let diff = plg_audit::compare::diff(&old_report, &old_dir, &new_report, &new_dir, tolerance);
    if let Some(dir) = out {
        if let Err(e) = write_diff(dir, &diff, &old_report, &new_report) {
            return fail_with(&e);
        }
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&diff).expect("a diff serialises")
        );
    } else {
        print!("{}", plg_audit::compare::render::markdown(&diff));
    }
    diff_exit(&diff)
}

/// diff.md, diff.html and diff.json in `dir`.
fn write_diff(
    dir: &std::path::Path,
    diff: &plg_audit::compare::Diff,
    old: &plg_audit::report::Report,
    new: &plg_audit::report::Report,
) -> Result<(), AuditError> {
    let output = |path: std::path::PathBuf, e: &dyn std::fmt::Display| AuditError::Output {
        path,
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| output(dir.to_path_buf(), &e))?;
    let html = plg_audit::compare::render::html(diff, old, new)
        .map_err(|e| output(dir.join("diff.html"), &e))?;
    for (name, text) in [
        ("diff.md", plg_audit::compare::render::markdown(diff)),
        ("diff.html", html),
        (
            "diff.json",
            serde_json::to_string_pretty(diff).expect("a diff serialises"),
        ),
    ] {
        std::fs::write(dir.join(name), text).map_err(|e| output(dir.join(name), &e))?;
    }
    Ok(())
}

/// Exit 1 with one sentence when the comparison found a regression.
fn diff_exit(diff: &plg_audit::compare::Diff) -> ExitCode {
    match diff.regressions() {
        0 => ExitCode::from(EXIT_OK),
        n => fail(
            &format!(
                "{n} regression{} against the baseline",
                if n == 1 { "" } else { "s" }
            ),
            plg_audit::error::EXIT_CHECK_FAILED,
        ),
    }
}

fn checks_command(command: ChecksCommand) -> ExitCode {
    match command {
        ChecksCommand::List { pillar, checks } => match checks.checklist() {
            Ok(list) => {
                print!("{}", report::checks::list(&list, pillar));
                ExitCode::from(EXIT_OK)
            }
            Err(e) => fail_with(&e),
        },
        ChecksCommand::Show { id, checks } => match checks.checklist() {
            Ok(list) => match list.get(&id) {
                Some(check) => {
                    print!("{}", report::checks::show(check));
                    ExitCode::from(EXIT_OK)
                }
                None => fail(
                    &format!("there is no check \"{id}\"; `plg-audit checks list` shows them"),
                    EXIT_BAD_CONFIG,
                ),
            },
            Err(e) => fail_with(&e),
        },
        ChecksCommand::Facts { dir } => {
            let facts = plg_audit::audit::vendors::VendorCatalogue::load(None)
                .and_then(|v| plg_audit::run::facts(&dir, &v));
            match facts {
                Ok(f) => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&f).expect("facts serialise")
                    );
                    ExitCode::from(EXIT_OK)
                }
                Err(e) => fail_with(&e),
            }
        }
        ChecksCommand::Validate { dir } => match Checklist::validate_dir(&dir) {
            Ok(files) => {
                for (file, n) in &files {
                    println!("ok  {file}: {n} checks");
                }
                println!("{} is a valid checklist directory", dir.display());
                ExitCode::from(EXIT_OK)
            }
            Err(e) => fail_with(&e),
        },
    }
}

async fn audit(
    url: String,
    args: &RunArgs,
    quiet: bool,
    offline: bool,
    config: &plg_audit::config::Config,
) -> ExitCode {
    let gather = match args.gather_options(offline, &run_id()) {
        Ok(g) => g,
        Err(e) => return fail_with(&e),
    };
    let vendors = match args.vendor_catalogue() {
        Ok(v) => v,
        Err(e) => return fail_with(&e),
    };
    let checklist = match args.checks.checklist() {
        Ok(c) => c,
        Err(e) => return fail_with(&e),
    };
    if let Err(e) = config.validate_checks(&checklist) {
        return fail_with(&e);
    }
    let render = match args.output.render_options() {
        Ok(r) => r,
        Err(e) => return fail_with(&e),
    };
    // A baseline that cannot be read stops the audit before it starts.
    let baseline = match &args.baseline {
        Some(path) => match plg_audit::compare::load(path) {
            Ok(b) => Some(b),
            Err(e) => return fail_with(&e),
        },
        None => None,
    };
    let request = AuditRequest {
        render,
        checklist,
        target: url,
        out: args.out.clone(),
        gather,
        vendors,
    };
    let progress = Progress::new(!quiet && !args.json);
    let mut run = match run_audit(&request, &progress).await {
        Ok(run) => run,
        Err(e) => return fail_with(&e),
    };
    if args.runs > 1 && run.fatal.is_none() {
        if let Err(e) = more_runs(&mut run, &request, args, offline, &progress).await {
            return fail_with(&e);
        }
    }
    record_history(&run, &args.history, &args.output);
    print_outcome(&run, args, quiet);
    if let Some(e) = &run.fatal {
        return fail_with(e);
    }
    let mut regressions = 0;
    if let Some((old, old_dir)) = &baseline {
        let diff = plg_audit::compare::diff(
            old,
            old_dir,
            &run.report,
            &run.dir,
            args.compare.tolerance.unwrap_or_default(),
        );
        if let Err(e) = write_diff(&run.dir, &diff, old, &run.report) {
            return fail_with(&e);
        }
        if !quiet && !args.json {
            println!();
            print!("{}", plg_audit::compare::render::markdown(&diff));
        }
        regressions = diff.regressions();
    }
    let broken = plg_audit::config::check(
        &config.assert,
        &run.report,
        baseline.as_ref().map(|(r, _)| r),
    );
    for b in &broken {
        let word = match b.level {
            plg_audit::config::Level::Error => "assertion failed",
            _ => "warning",
        };
        eprintln!("plg-audit: {word}: {}", b.line);
    }
    let failed = broken
        .iter()
        .filter(|b| b.level == plg_audit::config::Level::Error)
        .count();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (failed, regressions) {
        (0, 0) => ExitCode::from(EXIT_OK),
        (f, 0) => fail(
            &format!("{} failed", plural(f, "assertion", "assertions")),
            plg_audit::error::EXIT_CHECK_FAILED,
        ),
        (0, r) => fail(
            &format!(
                "{} against the baseline",
                plural(r, "regression", "regressions")
            ),
            plg_audit::error::EXIT_CHECK_FAILED,
        ),
        (f, r) => fail(
            &format!(
                "{} failed and {} against the baseline",
                plural(f, "assertion", "assertions"),
                plural(r, "regression", "regressions")
            ),
            plg_audit::error::EXIT_CHECK_FAILED,
        ),
    }
}

fn print_outcome(run: &AuditRun, args: &RunArgs, quiet: bool) {
    if args.json {
        println!("{}", run.report.to_json());
        return;
    }
    if quiet {
        return;
    }
    for line in summary(&run.report) {
        println!("{line}");
    }
    match &run.written {
        Some(w) => print_written(w),
        None => println!("Report: not written (see the error below)"),
    }
}

/// `--runs N`: walks the product N − 1 more times, each in a fresh profile with its own
/// test identity, into `runs/2…N` of the run's directory; the report then gives the
/// journey's median times and says how the runs disagree.
async fn more_runs(
    run: &mut AuditRun,
    first: &AuditRequest,
    args: &RunArgs,
    offline: bool,
    progress: &Progress,
) -> Result<(), AuditError> {
    let mut others = Vec::new();
    for n in 2..=usize::from(args.runs) {
        let mut request = first.clone();
        request.gather = args.gather_options(offline, &run_id())?;
        request.out = Some(run.dir.join("runs").join(n.to_string()));
        let other = run_audit(&request, progress).await?;
        if let Some(e) = other.fatal {
            return Err(e);
        }
        others.push(other);
    }
    let mut all: Vec<(&plg_audit::report::Report, String)> = vec![(&run.report, ".".to_string())];
    for o in &others {
        let dir = o
            .dir
            .strip_prefix(&run.dir)
            .unwrap_or(&o.dir)
            .display()
            .to_string();
        all.push((&o.report, dir));
    }
    let stability = plg_audit::compare::stability::stability(&all);
    if let Some(s) = &mut run.report.signup {
        if let Some(h) = stability.human_seconds {
            s.human_seconds = h.median;
        }
        if let Some(m) = stability.machine_ms {
            s.machine_ms = m.median.round() as u64;
        }
    }
    run.report.stability = Some(stability);
    let artifacts_path = run.dir.join("artifacts.json");
    let artifacts: plg_audit::artifacts::Artifacts = std::fs::read_to_string(&artifacts_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| AuditError::Output {
            path: artifacts_path.clone(),
            reason: "the first run's artifacts could not be read back".to_string(),
        })?;
    run.written = Some(report::write_all(
        &run.dir,
        &run.report,
        &artifacts,
        &first.render,
    )?);
    Ok(())
}

/// Records the run in the history and, when earlier runs exist, renders report.html again
/// with their trend. A history that cannot be used is a warning: the audit itself stands.
fn record_history(
    run: &AuditRun,
    history: &plg_audit::cli::HistoryArgs,
    output: &plg_audit::cli::OutputArgs,
) {
    let Some(path) = history.path() else { return };
    let recorded = plg_audit::history::History::open(&path).and_then(|h| {
        h.record(&run.report, &run.dir)?;
        h.runs(&run.report.target, 20)
    });
    let runs = match recorded {
        Ok(r) => r,
        Err(e) => {
            eprintln!("plg-audit: warning: the run was not recorded in the history: {e}");
            return;
        }
    };
    let Some(trend) = plg_audit::history::trend(&runs) else {
        return;
    };
    if let (Some(html), Ok(mut options)) = (
        &run.written.as_ref().and_then(|w| w.html.clone()),
        output.render_options(),
    ) {
        options.trend = Some(trend);
        match plg_audit::report::html::render(
            &run.report,
            &run.dir,
            &options.brand,
            options.trend.as_ref(),
        ) {
            Ok(page) => {
                if let Err(e) = std::fs::write(html, page) {
                    eprintln!(
                        "plg-audit: warning: cannot add the trend to {}: {e}",
                        html.display()
                    );
                }
            }
            Err(e) => eprintln!("plg-audit: warning: cannot add the trend to the report: {e}"),
        }
    }
}

/// The runs of a product in the history, newest first; empty when there is none.
fn history_trend(
    report_dir: &std::path::Path,
    history: &plg_audit::cli::HistoryArgs,
) -> Option<plg_audit::history::Trend> {
    let path = history.path()?;
    if !path.exists() {
        return None;
    }
    let target = plg_audit::compare::load(report_dir).ok()?.0.target;
    let runs = plg_audit::history::History::open(&path)
        .ok()?
        .runs(&target, 20)
        .ok()?;
    plg_audit::history::trend(&runs)
}

/// "Report: DIR/report.html" (the first format written, report.json when it is alone).
fn print_written(w: &plg_audit::report::Written) {
    let main = w
        .html
        .as_ref()
        .or(w.md.as_ref())
        .or(w.junit.as_ref())
        .unwrap_or(&w.json);
    println!("Report: {}", main.display());
}

fn fail_with(e: &AuditError) -> ExitCode {
    fail(&e.to_string(), e.exit_code())
}

fn fail(message: &str, code: u8) -> ExitCode {
    eprintln!("plg-audit: {message}");
    ExitCode::from(code)
}

fn init_logging(verbose: u8) {
    // -v raises plg-audit's own level only: other crates (the DevTools transport logs
    // every message it sends, fill scripts included) stay quiet unless RUST_LOG asks.
    let own = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let default = format!("warn,plg_audit={own},headless_chrome=error,tungstenite=error");
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(verbose >= 2)
        .init();
}
