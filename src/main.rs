//! The `plg-audit` binary: parses the command line, runs the command, and turns its
//! outcome into one of the documented exit codes with one sentence saying why.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use plg_audit::audit::checklist::Checklist;
use plg_audit::cli::{ChecksCommand, Cli, Command, RunArgs};
use plg_audit::demo::{demo_site, server::ProductServer};
use plg_audit::error::{AuditError, EXIT_BAD_CONFIG, EXIT_CANNOT_RUN, EXIT_OK};
use plg_audit::progress::Progress;
use plg_audit::report::summary;
use plg_audit::run::{run_audit, run_id, AuditRequest, AuditRun};
use plg_audit::{doctor, inspect, report};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
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
    let code = run_command(cli, &runtime);
    plg_audit::stop::finished();
    code
}

fn run_command(cli: Cli, runtime: &tokio::runtime::Runtime) -> ExitCode {
    match cli.command {
        Command::Audit { url, run } => runtime.block_on(audit(url, &run, cli.quiet, false)),
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
            let code = runtime.block_on(audit(server.url().to_string(), &run, cli.quiet, true));
            drop(server);
            code
        }
        Command::Doctor { chrome, out } => {
            let checks = doctor::run(chrome.as_deref(), &out);
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
            match inspect::forms_of(&source, &browser.config(false)) {
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
                Ok(inspect::PageSource::Url(url)) => {
                    plg_audit::gather::pricing::read_url(&url, &browser.config(false))
                }
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
            let render = match saved.output.render_options() {
                Ok(r) => r,
                Err(e) => return fail_with(&e),
            };
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

async fn audit(url: String, args: &RunArgs, quiet: bool, offline: bool) -> ExitCode {
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
    let render = match args.output.render_options() {
        Ok(r) => r,
        Err(e) => return fail_with(&e),
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
    let run = match run_audit(&request, &progress).await {
        Ok(run) => run,
        Err(e) => return fail_with(&e),
    };
    print_outcome(&run, args, quiet);
    match &run.fatal {
        Some(e) => fail_with(e),
        None => ExitCode::from(EXIT_OK),
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
