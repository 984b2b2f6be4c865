//! Hostile sites: pages that loop on dialogs, spin forever, crash their renderer, redirect
//! or refresh without end, answer with the wrong type, charset or size, open windows on
//! load — and an audit told to stop. Each test names the bound it must finish within
//! (a watchdog kills the audit and fails the test past it), checks what the report says
//! about the fault and what it kept from before it, and checks by process that no Chromium
//! outlives plg-audit.
//!
//! Every case is the Beaconly fixture (`tests/fixtures/hostile`) with one page made
//! hostile by a `[[route]]` added to its site.toml.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use plg_audit::demo::server::ProductServer;
use serde_json::Value;

/// The Beaconly fixture with `routes` appended to its site.toml, served on 127.0.0.1.
struct Site {
    _dir: tempfile::TempDir,
    server: ProductServer,
}

impl Site {
    fn url(&self) -> &str {
        self.server.url()
    }

    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }
}

fn beaconly(routes: &str) -> Site {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&common::repo_path("tests/fixtures/hostile"), dir.path());
    let toml = dir.path().join("site.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str(routes);
    std::fs::write(&toml, text).unwrap();
    let server = ProductServer::serve_dir(dir.path()).unwrap();
    Site { _dir: dir, server }
}

/// One plg-audit run in its own session, with a home and temporary directory of its own,
/// so every process it starts — Chromium's whole tree — can be found afterwards.
struct Run {
    out: tempfile::TempDir,
    /// HOME and TMPDIR of the run: every Chromium process names it on its command line.
    home: tempfile::TempDir,
    child: Option<Child>,
    pid: u32,
    started: Instant,
    /// When the test reads stderr as it comes: all of it, once the audit has ended.
    stderr_lines: Option<mpsc::Receiver<Vec<String>>>,
    sampler: Option<Sampler>,
}

/// How a run ended.
struct Ended {
    output: Output,
    elapsed: Duration,
    out: tempfile::TempDir,
}

impl Ended {
    fn code(&self) -> i32 {
        self.output
            .status
            .code()
            .expect("plg-audit exited normally")
    }

    fn stderr(&self) -> String {
        common::stderr(&self.output)
    }

    fn report(&self) -> Value {
        let r = common::report(self.out.path());
        assert_eq!(common::schema_errors(&r), Vec::<String>::new());
        r
    }

    fn artifacts(&self) -> Value {
        let text = std::fs::read_to_string(self.out.path().join("artifacts.json"))
            .expect("artifacts.json was written");
        serde_json::from_str(&text).expect("artifacts.json is JSON")
    }
}

impl Run {
    /// Starts `plg-audit audit URL --out … --offline --quiet` plus `extra`.
    fn start(url: &str, extra: &[&str]) -> Run {
        let out = common::out_dir();
        let home = tempfile::Builder::new()
            .prefix("plg-audit-home-")
            .tempdir()
            .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_plg-audit"));
        cmd.args(["audit", url, "--out"])
            .arg(out.path())
            .args(["--offline", "--quiet"])
            .args(extra)
            .env_remove("RUST_LOG")
            .env("HOME", home.path())
            .env("TMPDIR", home.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: setsid is async-signal-safe; a session of its own lets the test find
        // every process the audit leaves behind.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let child = cmd.spawn().expect("plg-audit starts");
        let pid = child.id();
        Run {
            out,
            home,
            child: Some(child),
            pid,
            started: Instant::now(),
            stderr_lines: None,
            sampler: Sampler::start(pid),
        }
    }

    /// Reads the audit's stderr until a line contains `needle` (the audit must run with
    /// -v to log its stages); the rest of stderr is kept for the outcome.
    fn wait_for_log(&mut self, needle: &str, bound: Duration) -> Vec<String> {
        let stderr = self
            .child
            .as_mut()
            .and_then(|c| c.stderr.take())
            .expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        let (all_tx, all_rx) = mpsc::channel();
        self.stderr_lines = Some(all_rx);
        let wanted = needle.to_string();
        std::thread::spawn(move || {
            let mut lines = Vec::new();
            let mut reader = BufReader::new(stderr);
            let mut line = String::new();
            let mut found = false;
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                lines.push(line.trim_end().to_string());
                if !found && line.contains(&wanted) {
                    found = true;
                    let _ = tx.send(lines.clone());
                }
                line.clear();
            }
            if !found {
                let _ = tx.send(lines.clone());
            }
            let _ = all_tx.send(lines);
        });
        match rx.recv_timeout(bound) {
            Ok(lines) => lines,
            Err(_) => {
                self.kill();
                panic!("the audit did not log \"{needle}\" within {bound:?}");
            }
        }
    }

    /// Sends `signal` to plg-audit itself (not to its process group, as `kill PID` does).
    fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on the child's PID, which is still ours (not yet reaped).
        unsafe {
            libc::kill(self.pid as i32, signal);
        }
    }

    fn kill(&mut self) {
        // SAFETY: the session leader's PID is its group's id; the group is the run's.
        unsafe {
            libc::kill(-(self.pid as i32), libc::SIGKILL);
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Waits for the audit to end, failing the test (and killing the audit) past `bound`;
    /// then checks that nothing it started is still running.
    fn finish_within(mut self, bound: Duration) -> Ended {
        let child = self.child.take().expect("running");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        let waited = rx.recv_timeout(bound.saturating_sub(self.started.elapsed()));
        let output = match waited {
            Ok(Ok(output)) => output,
            Ok(Err(e)) => panic!("cannot wait for plg-audit: {e}"),
            Err(_) => {
                self.kill();
                panic!("the audit did not finish within {bound:?}");
            }
        };
        let elapsed = self.started.elapsed();
        if let Some(sampler) = self.sampler.take() {
            sampler.report(elapsed, &output.status);
        }
        let mut output = output;
        if let Some(lines) = self.stderr_lines.take() {
            let lines = lines
                .recv_timeout(Duration::from_secs(5))
                .unwrap_or_default();
            output.stderr = lines.join("\n").into_bytes();
        }
        // Processes killed a moment ago may still be dying (their command line already
        // gone): give them a second to disappear, no more.
        let mut left = leftovers(self.pid, self.home.path());
        let dying = Instant::now();
        while !left.is_empty() && dying.elapsed() < Duration::from_secs(1) {
            std::thread::park_timeout(Duration::from_millis(20));
            left = leftovers(self.pid, self.home.path());
        }
        assert!(
            left.is_empty(),
            "processes outlived plg-audit (pid {}): {left:#?}",
            self.pid
        );
        Ended {
            output,
            elapsed,
            out: self.out,
        }
    }
}

/// Live processes of the session `sid`, or naming `marker` on their command line (the
/// run's own directory: Chromium passes its profile path to every process it starts).
fn leftovers(sid: u32, marker: &Path) -> Vec<String> {
    let marker = marker.to_string_lossy().to_string();
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp session …; comm may hold spaces and parentheses.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        let fields: Vec<&str> = after.split_whitespace().collect();
        let (state, session) = (fields.first().copied(), fields.get(3).copied());
        if state == Some("Z") || state == Some("X") {
            continue; // Dead, waiting only to be reaped.
        }
        let cmdline = std::fs::read(entry.path().join("cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        if session == Some(&sid.to_string()) || cmdline.contains(&marker) {
            found.push(format!(
                "{name}: {}",
                cmdline.chars().take(160).collect::<String>()
            ));
        }
    }
    found
}

fn problems<'a>(report: &'a Value, list: &str) -> Vec<&'a Value> {
    report[list].as_array().expect(list).iter().collect()
}

/// The problems of `kind` in `errors` and `warnings`.
fn of_kind<'a>(report: &'a Value, kind: &str) -> Vec<&'a Value> {
    problems(report, "errors")
        .into_iter()
        .chain(problems(report, "warnings"))
        .filter(|p| p["kind"] == kind)
        .collect()
}

fn page<'a>(report: &'a Value, url: &str) -> Option<&'a Value> {
    report["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .find(|p| p["url"] == url)
}

fn roles(report: &Value, site: &Site) -> Vec<(String, String)> {
    common::page_roles(report, site.url())
}

fn has(roles: &[(String, String)], path: &str, role: &str) -> bool {
    roles.iter().any(|(p, r)| p == path && r == role)
}

/// `plg-audit audit` of `site` with `extra` flags, which must end within `bound`.
fn audit(site: &Site, extra: &[&str], bound: Duration) -> Ended {
    Run::start(site.url(), extra).finish_within(bound)
}

/// With `PLG_AUDIT_MEASURE` set, a run samples its processes every 20 ms and prints its
/// wall time, plg-audit's peak memory (VmHWM) and Chromium's (the largest sum of its
/// processes' proportional set size, PSS), never asserted on: the figures of the README's
/// hostile-sites table (`--nocapture --test-threads=1`, and without RUST_BACKTRACE, which
/// makes every timed-out DevTools call symbolise a backtrace).
struct Sampler {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<(u64, u64)>,
}

impl Sampler {
    fn start(sid: u32) -> Option<Sampler> {
        std::env::var_os("PLG_AUDIT_MEASURE")?;
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sampling = done.clone();
        let thread = std::thread::spawn(move || {
            let (mut audit_kb, mut chromium_kb) = (0u64, 0u64);
            while !sampling.load(std::sync::atomic::Ordering::SeqCst) {
                let (a, c) = memory_of_session(sid);
                audit_kb = audit_kb.max(a);
                chromium_kb = chromium_kb.max(c);
                std::thread::park_timeout(Duration::from_millis(20));
            }
            (audit_kb, chromium_kb)
        });
        Some(Sampler { done, thread })
    }

    fn report(self, elapsed: Duration, status: &std::process::ExitStatus) {
        self.done.store(true, std::sync::atomic::Ordering::SeqCst);
        let (audit_kb, chromium_kb) = self.thread.join().unwrap_or_default();
        println!(
            "measured {}: wall {:.1} s, plg-audit peak {} MB, Chromium peak {} MB (PSS), {status}",
            std::thread::current().name().unwrap_or("?"),
            elapsed.as_secs_f64(),
            audit_kb / 1024,
            chromium_kb / 1024,
        );
    }
}

/// plg-audit's peak resident memory (VmHWM) and the sum of its Chromium processes'
/// proportional set size now, in kB, for the processes of session `sid`.
fn memory_of_session(sid: u32) -> (u64, u64) {
    let (mut audit, mut chromium) = (0, 0);
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return (0, 0);
    };
    for entry in entries.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        if after.split_whitespace().nth(3) != Some(&sid.to_string()) {
            continue;
        }
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .unwrap_or(0)
        };
        if stat.contains("(plg-audit)") {
            audit = audit.max(field("VmHWM:"));
        } else {
            let rollup =
                std::fs::read_to_string(entry.path().join("smaps_rollup")).unwrap_or_default();
            chromium += rollup
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    (audit, chromium)
}

const MINUTE: Duration = Duration::from_secs(60);

#[test]
fn the_unmodified_fixture_is_a_plain_product_the_journey_completes() {
    let site = beaconly("");
    let done = audit(&site, &[], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    assert_eq!(
        r["signup"]["outcome"], "completed",
        "{}",
        r["signup"]["reason"]
    );
    assert_eq!(r["signup"]["steps"], 3);
    assert_eq!(r["signup"]["fields"]["required"], 5);
    assert_eq!(r["warnings"], serde_json::json!([]));
    assert_eq!(r["errors"], serde_json::json!([]));
}

#[test]
fn a_dialog_loop_on_load_is_left_after_ten_dialogs_and_the_rest_of_the_site_is_audited() {
    let site = beaconly("\n[[route]]\npath = \"/\"\nfile = \"_home-dialog-loop.html\"\n");
    let done = audit(&site, &["--step-timeout", "5"], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let home = site.at("/");
    let loops = of_kind(&r, "dialog_loop");
    assert!(!loops.is_empty(), "{:#?}", r["warnings"]);
    assert!(loops.iter().all(|p| p["url"] == home), "{loops:#?}");
    // The home page is kept, read from its static HTML, and discovery went on from it.
    let roles = roles(&r, &site);
    assert!(has(&roles, "/", "home"), "{roles:?}");
    assert!(has(&roles, "/pricing", "pricing"), "{roles:?}");
    assert!(has(&roles, "/signup", "signup"), "{roles:?}");
    // Each visit answered ten dialogs, then left the page.
    let alerts = r["dialogs"].as_array().unwrap();
    assert!(
        !alerts.is_empty() && alerts.len() % 10 == 0,
        "{}",
        alerts.len()
    );
    assert!(alerts
        .iter()
        .all(|d| d["message"] == "Wait! Before you go: get 20% off Beaconly Team this week."));
    // The journey starts on the home page: it ends there, naming the loop.
    assert_eq!(r["signup"]["outcome"], "failed");
    assert_eq!(
        r["signup"]["reason"],
        format!("the page {home} opened 11 JavaScript dialogs in a row; it was treated as hostile and left")
    );
}

#[test]
fn a_dialog_loop_in_the_call_to_actions_click_handler_ends_the_journey_with_its_name() {
    let site = beaconly("\n[[route]]\npath = \"/\"\nfile = \"_home-cta-confirm-loop.html\"\n");
    let done = audit(&site, &["--step-timeout", "5"], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let roles = roles(&r, &site);
    assert!(has(&roles, "/pricing", "pricing"), "{roles:?}");
    assert_eq!(r["signup"]["outcome"], "failed");
    assert_eq!(
        r["signup"]["reason"],
        format!(
            "the page {} opened 11 JavaScript dialogs in a row; it was treated as hostile and left",
            site.at("/")
        )
    );
    let confirms: Vec<&Value> = r["dialogs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "confirm")
        .collect();
    assert_eq!(confirms.len(), 10);
    // Said once: the journey's error carries the kind.
    let loops = of_kind(&r, "dialog_loop");
    assert_eq!(loops.len(), 1, "{loops:#?}");
    assert_eq!(loops[0]["stage"], "journey");
    assert_eq!(loops[0]["url"], site.at("/"));
}

#[test]
fn a_script_that_never_yields_on_the_signup_page_is_named_and_the_audit_goes_on() {
    let site = beaconly("\n[[route]]\npath = \"/signup\"\nfile = \"_signup-spinning.html\"\n");
    let done = audit(&site, &["--step-timeout", "5"], Duration::from_secs(90));
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let signup = site.at("/signup");
    // Discovery read the signup page statically: its script never ran there.
    let roles = roles(&r, &site);
    assert!(has(&roles, "/signup", "signup"), "{roles:?}");
    assert!(has(&roles, "/pricing", "pricing"), "{roles:?}");
    // The journey's first step led to it; the renderer was found unresponsive there.
    let journey = &r["signup"];
    assert_eq!(journey["outcome"], "failed");
    let reason = journey["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(&format!("the page {signup} stopped responding (")),
        "{reason}"
    );
    assert_eq!(journey["journey"][0]["action"], "cta_click");
    let hung = of_kind(&r, "renderer_unresponsive");
    assert!(hung.iter().any(|p| p["url"] == signup), "{hung:#?}");
}

#[test]
fn a_renderer_that_runs_out_of_memory_is_named_and_the_pricing_page_read_from_its_html() {
    // A Chromium whose pages may use 64 MB of JavaScript heap, so the memory hog hits the
    // wall in a moment instead of after gigabytes.
    let site = beaconly("\n[[route]]\npath = \"/pricing\"\nfile = \"_pricing-memory-hog.html\"\n");
    let wrapper_dir = common::out_dir();
    let wrapper = wrapper_dir.path().join("chromium-small-heap");
    std::fs::write(
        &wrapper,
        "#!/bin/sh\nexec chromium --js-flags=--max-old-space-size=64 \"$@\"\n",
    )
    .unwrap();
    make_executable(&wrapper);
    let done = audit(
        &site,
        &["--step-timeout", "5", "--chrome", wrapper.to_str().unwrap()],
        Duration::from_secs(90),
    );
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let pricing = site.at("/pricing");
    let crashed = of_kind(&r, "renderer_crashed");
    assert_eq!(crashed.len(), 1, "{:#?}", r["warnings"]);
    assert_eq!(crashed[0]["url"], pricing);
    let p = page(&r, &pricing).expect("the pricing page is kept");
    assert_eq!(p["role"], "pricing");
    assert_eq!(p["rendered"], false);
    assert_eq!(p["title"], "Pricing — Beaconly");
    // A new tab went on: the journey still reached the value.
    assert_eq!(
        r["signup"]["outcome"], "completed",
        "{}",
        r["signup"]["reason"]
    );
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    perms.set_mode(0o755);
    std::fs::set_permissions(path, perms).unwrap();
}

#[test]
fn a_ten_thousand_level_dom_never_hangs_the_audit() {
    let site = beaconly("\n[[route]]\npath = \"/\"\nfile = \"_home-deep-dom.html\"\n");
    let done = audit(&site, &["--step-timeout", "5"], Duration::from_secs(90));
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let roles = roles(&r, &site);
    assert!(has(&roles, "/", "home"), "{roles:?}");
    assert!(has(&roles, "/pricing", "pricing"), "{roles:?}");
    assert!(has(&roles, "/signup", "signup"), "{roles:?}");
    assert!(r["signup"].is_object());
}

#[test]
fn a_script_redirect_loop_is_cut_and_discovery_follows_the_links_of_the_first_html() {
    let site = beaconly("\n[[route]]\npath = \"/\"\nfile = \"_home-redirect-loop.html\"\n");
    let done = audit(&site, &["--step-timeout", "5", "--no-journey"], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let loops = of_kind(&r, "navigation_loop");
    assert_eq!(loops.len(), 1, "{:#?}", r["warnings"]);
    assert!(
        loops[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("the page kept navigating by itself (more than 8 navigations in "),
        "{}",
        loops[0]["message"]
    );
    let roles = roles(&r, &site);
    for (path, role) in [
        ("/pricing", "pricing"),
        ("/signup", "signup"),
        ("/login", "login"),
        ("/docs", "docs"),
        ("/security", "security"),
    ] {
        assert!(has(&roles, path, role), "{path} {role}: {roles:?}");
    }
}

#[test]
fn a_meta_refresh_loop_loads_the_pricing_page_a_bounded_number_of_times() {
    let site =
        beaconly("\n[[route]]\npath = \"/pricing\"\nfile = \"_pricing-refresh-loop.html\"\n");
    let done = audit(&site, &["--step-timeout", "5", "--no-journey"], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let pricing = site.at("/pricing");
    let loops = of_kind(&r, "navigation_loop");
    assert_eq!(loops.len(), 1, "{:#?}", r["warnings"]);
    assert_eq!(loops[0]["url"], pricing);
    let p = page(&r, &pricing).expect("the pricing page is kept");
    assert_eq!(p["role"], "pricing");
    assert_eq!(p["rendered"], true);
    // Loaded once plus the budget of eight navigations, give or take the one cut short;
    // a meta refresh is not stopped by switching scripts off, so on a loaded machine it
    // may go on a few more times while the page is read (587 loads before the bound).
    let artifacts = done.artifacts();
    let loads = artifacts["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"] == pricing)
        .unwrap()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["resource"] == "Document" && q["url"] == pricing)
        .count();
    assert!((9..=16).contains(&loads), "loaded {loads} times");
}

#[test]
fn a_server_error_on_the_signup_post_is_named_in_the_step_and_the_reason() {
    let site = beaconly(
        "\n[[route]]\npath = \"/signup\"\nmethod = \"POST\"\nstatus = 500\nfile = \"_server-error.html\"\n",
    );
    let done = audit(&site, &["--value-text", "Internal Server Error"], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let said = format!(
        "the server answered HTTP 500 (Internal Server Error) to POST {}",
        site.at("/signup")
    );
    let signup = &r["signup"];
    assert_eq!(signup["outcome"], "failed");
    assert_eq!(signup["reached_value"], false);
    assert_eq!(
        signup["reason"],
        format!("the signup form's submission failed: {said}")
    );
    let steps = signup["journey"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1]["action"], "submit");
    assert_eq!(steps[1]["notes"], serde_json::json!([said]));
}

#[test]
fn a_pdf_price_list_is_recorded_with_its_type_and_a_warning() {
    let site = beaconly(
        "\n[[route]]\npath = \"/pricing\"\ncontent_type = \"application/pdf\"\nfile = \"_pricing.pdf\"\n",
    );
    let done = audit(&site, &["--no-journey"], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let pricing = site.at("/pricing");
    let p = page(&r, &pricing).expect("the price list is recorded");
    assert_eq!(p["role"], "pricing");
    assert_eq!(p["content_type"], "application/pdf");
    assert_eq!(p["rendered"], false);
    let warnings = of_kind(&r, "not_html");
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0]["url"], pricing);
    assert_eq!(
        warnings[0]["message"],
        "the pricing page linked as \"Pricing\" is a file of type application/pdf, not a web page: its prices are not read"
    );
    assert_eq!(r["site"]["missing"], serde_json::json!([]));
}

#[test]
fn html_sent_as_text_or_as_a_download_is_read_from_its_static_html_with_a_warning() {
    let site = beaconly(
        "\n[[route]]\npath = \"/changelog\"\ncontent_type = \"text/plain\"\nfile = \"changelog.html\"\n\
         \n[[route]]\npath = \"/docs\"\ncontent_type = \"application/octet-stream\"\nfile = \"docs.html\"\n",
    );
    let done = audit(&site, &["--no-journey"], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let changelog = page(&r, &site.at("/changelog")).expect("the changelog is read");
    assert_eq!(changelog["title"], "Changelog — Beaconly");
    assert_eq!(changelog["content_type"], "text/plain");
    let docs = page(&r, &site.at("/docs")).expect("the docs are read");
    assert_eq!(docs["title"], "Documentation — Beaconly");
    assert_eq!(docs["role"], "docs");
    let mislabelled: Vec<(String, String)> = of_kind(&r, "mislabelled_html")
        .iter()
        .map(|p| {
            (
                p["url"].as_str().unwrap().to_string(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(mislabelled.len(), 2, "{mislabelled:?}");
    assert!(mislabelled.contains(&(
        site.at("/changelog"),
        "the page is HTML sent as text/plain; it was read from its static HTML (a browser shows it as plain text)".into()
    )));
    assert!(mislabelled.contains(&(
        site.at("/docs"),
        "the page is HTML sent as application/octet-stream; it was read from its static HTML (a browser shows it as a download)".into()
    )));
}

#[test]
fn static_pages_are_decoded_by_their_declared_charset() {
    let site = beaconly(
        "\n[[route]]\npath = \"/ja/\"\ncontent_type = \"text/html; charset=Shift_JIS\"\nfile = \"_ja-sjis.html\"\n\
         \n[[route]]\npath = \"/security\"\ncontent_type = \"text/html\"\nfile = \"_security-1252.html\"\n",
    );
    let done = audit(&site, &["--no-journey", "--max-pages", "30"], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let ja = page(&r, &site.at("/ja/")).expect("the Japanese page");
    assert_eq!(ja["title"], "料金プラン｜Beaconly");
    assert_eq!(ja["rendered"], false);
    let security = page(&r, &site.at("/security")).expect("the security page");
    assert_eq!(security["title"], "Security – Beaconly");
    assert_eq!(security["role"], "security");
}

#[test]
fn windows_a_page_opens_by_itself_are_closed_and_never_take_over_the_journey() {
    let site = beaconly(
        "\n[[route]]\npath = \"/\"\nfile = \"_home-popups.html\"\n\
         \n[[route]]\npath = \"/offers/spring-sale\"\nbody = \"<!doctype html><title>Spring sale</title><h1>20% off Team</h1><p>This week only.</p>\"\n",
    );
    let done = audit(&site, &[], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    assert_eq!(
        r["signup"]["outcome"], "completed",
        "{}",
        r["signup"]["reason"]
    );
    let steps = r["signup"]["journey"].as_array().unwrap();
    assert!(steps
        .iter()
        .all(|s| !s["url"].as_str().unwrap().contains("/offers/")));
    let popups = r["popups"].as_array().unwrap();
    assert!(!popups.is_empty());
    for p in popups {
        assert_eq!(p["by_user"], false, "{p}");
        assert_eq!(p["answer"], "closed", "{p}");
        assert_eq!(p["opener"], site.at("/"), "{p}");
    }
    let urls: Vec<&str> = popups.iter().map(|p| p["url"].as_str().unwrap()).collect();
    assert!(
        urls.contains(&site.at("/offers/spring-sale").as_str()),
        "{urls:?}"
    );
    assert!(
        urls.contains(&"https://ads.partner.example/beaconly?campaign=spring"),
        "{urls:?}"
    );
}

#[test]
fn a_gzip_bomb_is_read_up_to_five_megabytes_with_a_warning() {
    // 1.2 GB of zeros, about 1.2 MB on the wire.
    let site = beaconly(
        "\n[[route]]\npath = \"/changelog\"\ncontent_type = \"text/html\"\ngzip_zeros = 1200000000\n",
    );
    let done = audit(&site, &["--no-journey"], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let changelog = site.at("/changelog");
    let cut = of_kind(&r, "truncated");
    assert_eq!(cut.len(), 1, "{:#?}", r["warnings"]);
    assert_eq!(cut[0]["url"], changelog);
    assert_eq!(
        cut[0]["message"],
        "the page is larger than 5 MB; its first 5 MB were read and it was not rendered"
    );
    assert_eq!(page(&r, &changelog).expect("recorded")["rendered"], false);
}

#[test]
fn a_twenty_megabyte_page_is_read_up_to_five_megabytes() {
    let site = beaconly(
        "\n[[route]]\npath = \"/docs\"\nfile = \"_docs-huge.html\"\nrepeat = { text = \"<a href='/docs/monitors/http'>HTTP monitor: checks a URL and its status code</a>\", times = 250000 }\n",
    );
    let done = audit(&site, &["--no-journey"], MINUTE);
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let docs = site.at("/docs");
    let cut = of_kind(&r, "truncated");
    assert_eq!(cut.len(), 1, "{:#?}", r["warnings"]);
    assert_eq!(cut[0]["url"], docs);
    let p = page(&r, &docs).expect("recorded");
    assert_eq!(p["title"], "Documentation — Beaconly");
}

/// A site whose signup post never answers: the audit is still busy when the test signals it.
fn busy_site() -> Site {
    beaconly("\n[[route]]\npath = \"/signup\"\nmethod = \"POST\"\nhang = true\n")
}

fn signalled(signal: i32, code: i32, name: &str) {
    let site = busy_site();
    let mut run = Run::start(site.url(), &["-v", "--step-timeout", "60"]);
    run.wait_for_log("Walking the signup journey", MINUTE);
    let sent = Instant::now();
    run.signal(signal);
    let done = run.finish_within(MINUTE);
    let took = sent.elapsed();
    assert!(took < Duration::from_secs(5), "stopping took {took:?}");
    assert_eq!(done.code(), code, "{}", done.stderr());
    let last = done.stderr().lines().last().unwrap_or_default().to_string();
    assert_eq!(
        last,
        format!("plg-audit: interrupted by {name}; the report holds what was gathered until then"),
        "{}",
        done.stderr()
    );
    let r = done.report();
    let roles = roles(&r, &site);
    assert!(has(&roles, "/", "home"), "{roles:?}");
    assert!(has(&roles, "/pricing", "pricing"), "{roles:?}");
    let stops = of_kind(&r, "interrupted");
    assert!(
        stops.iter().any(|p| p["stage"] == "audit"
            && p["message"]
                == format!("interrupted by {name}; the report holds what was gathered until then")),
        "{stops:#?}"
    );
    assert!(done.out.path().join("report.html").exists());
}

#[test]
fn sigint_writes_the_partial_report_and_exits_130_within_5_seconds() {
    signalled(libc::SIGINT, 130, "SIGINT (Ctrl-C)");
}

#[test]
fn sigterm_writes_the_partial_report_and_exits_143_within_5_seconds() {
    signalled(libc::SIGTERM, 143, "SIGTERM");
}

#[test]
fn a_second_signal_ends_the_audit_at_once() {
    let site = busy_site();
    let mut run = Run::start(site.url(), &["-v", "--step-timeout", "60"]);
    run.wait_for_log("Walking the signup journey", MINUTE);
    run.signal(libc::SIGINT);
    run.signal(libc::SIGINT);
    let done = run.finish_within(Duration::from_secs(30));
    assert_eq!(done.code(), 130, "{}", done.stderr());
}

#[test]
fn plg_audit_killed_outright_takes_its_browser_with_it() {
    let site = busy_site();
    let mut run = Run::start(site.url(), &["-v", "--step-timeout", "60"]);
    run.wait_for_log("Walking the signup journey", MINUTE);
    run.signal(libc::SIGKILL);
    let home = run.home.path().to_path_buf();
    let pid = run.pid;
    let done = run.finish_within_killed(Duration::from_secs(30));
    assert_eq!(done.output.status.code(), None, "killed by a signal");
    // The kernel kills the browser when plg-audit's launcher thread dies; its children
    // follow within moments.
    let gone = wait_until(Duration::from_secs(10), || leftovers(pid, &home).is_empty());
    assert!(gone, "{:#?}", leftovers(pid, &home));
}

impl Run {
    /// Like [`Run::finish_within`] for a run killed on purpose: the leftovers are checked
    /// by the test.
    fn finish_within_killed(mut self, bound: Duration) -> Ended {
        let child = self.child.take().expect("running");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        let output = rx
            .recv_timeout(bound)
            .expect("plg-audit ended")
            .expect("waited");
        Ended {
            output,
            elapsed: self.started.elapsed(),
            out: self.out,
        }
    }
}

/// Polls `condition` until it holds or `bound` passes (processes dying have no event to
/// wait on from here).
fn wait_until(bound: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if condition() {
            return true;
        }
        if start.elapsed() > bound {
            return false;
        }
        std::thread::park_timeout(Duration::from_millis(50));
    }
}

#[test]
fn the_time_budget_ends_the_audit_and_keeps_what_was_gathered() {
    let site = busy_site();
    let done = audit(
        &site,
        &["--step-timeout", "60", "--max-time", "15"],
        Duration::from_secs(45),
    );
    assert_eq!(done.code(), 2, "{}", done.stderr());
    assert_eq!(
        done.stderr().lines().last().unwrap_or_default(),
        "plg-audit: the audit's time budget of 15 s (--max-time) ran out; the report holds what was gathered until then"
    );
    assert!(done.elapsed < Duration::from_secs(25), "{:?}", done.elapsed);
    let r = done.report();
    let roles = roles(&r, &site);
    assert!(has(&roles, "/pricing", "pricing"), "{roles:?}");
    assert_eq!(
        of_kind(&r, "out_of_time").first().map(|p| &p["stage"]),
        Some(&Value::from("audit"))
    );
    assert_eq!(r["signup"]["outcome"], "failed");
    assert_eq!(r["signup"]["journey"][0]["action"], "cta_click");
}

#[test]
fn a_browser_that_dies_is_restarted_once_and_the_audit_goes_on() {
    // The pricing page answers after 4 s: the test kills Chromium while discovery waits
    // for it, as the OOM killer might.
    let site =
        beaconly("\n[[route]]\npath = \"/pricing\"\nfile = \"pricing.html\"\ndelay_ms = 4000\n");
    let mut run = Run::start(site.url(), &["-v", "--step-timeout", "15"]);
    run.wait_for_log("Fetching pages", MINUTE);
    assert!(kill_browser_of(run.pid), "found Chromium to kill");
    let done = run.finish_within(Duration::from_secs(90));
    assert_eq!(done.code(), 0, "{}", done.stderr());
    let r = done.report();
    let restarts = of_kind(&r, "browser_restarted");
    assert_eq!(restarts.len(), 1, "{:#?}", r["warnings"]);
    assert_eq!(
        restarts[0]["message"],
        "Chromium exited unexpectedly (killed or crashed); it was restarted once and the audit went on"
    );
    // The pricing page was read from its static HTML; the journey ran in the new browser.
    let p = page(&r, &site.at("/pricing")).expect("the pricing page is kept");
    assert_eq!(p["rendered"], false);
    assert_eq!(
        r["signup"]["outcome"], "completed",
        "{}",
        r["signup"]["reason"]
    );
}

/// Kills the Chromium browser process that `parent` started (not its children): as the
/// OOM killer or a crash would.
fn kill_browser_of(parent: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    for entry in entries.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        let fields: Vec<&str> = after.split_whitespace().collect();
        if fields.get(1) != Some(&parent.to_string().as_str()) {
            continue;
        }
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains("remote-debugging-port") {
            let pid: i32 = entry.file_name().to_string_lossy().parse().unwrap_or(0);
            // SAFETY: a process that is the audit's own child, found just above.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            return true;
        }
    }
    false
}
