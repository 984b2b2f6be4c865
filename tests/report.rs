//! The report files as their readers meet them (issue 12): report.html opened from disk in
//! headless Chromium (no request leaves the file, nothing a site wrote runs in it),
//! report.md and report.junit.xml parsed, `plg-audit report` rendering a saved run again,
//! the brand flags, and the test account's password kept out of every file.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Log, Network, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde::de::DeserializeOwned;

/// A saved run of a fixture product, audited offline with at most six pages.
fn audited(fixture: &str) -> tempfile::TempDir {
    let server = common::fixture(fixture);
    let out = common::out_dir();
    let run = common::audit(server.url(), out.path(), &["--max-pages", "6"]);
    assert!(
        run.status.success(),
        "the audit of {fixture} failed: {}",
        common::stderr(&run)
    );
    out
}

/// A copy of a saved run, to render again without touching the original.
fn copy_of(run: &Path) -> tempfile::TempDir {
    let copy = common::out_dir();
    copy_dir(run, copy.path());
    copy
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("the run directory is readable") {
        let entry = entry.expect("a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            std::fs::create_dir_all(&target).expect("a sub-directory");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("a copied file");
        }
    }
}

/// Every file below `dir`, sub-directories included.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the run directory is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(files_below(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} is unreadable: {e}", path.display()))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The names of the entries directly in `dir`.
fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("the run directory is readable")
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .to_string()
        })
        .collect()
}

/// The checks of report.json with `status`.
fn checks_with(report: &serde_json::Value, statuses: &[&str]) -> usize {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| statuses.contains(&c["status"].as_str().unwrap_or_default()))
        .count()
}

/// Chromium showing one report file from disk, with every console error, exception,
/// log entry of level error and request it made since before the file was opened.
struct Viewer {
    tab: Arc<Tab>,
    requests: Arc<Mutex<Vec<String>>>,
    errors: Arc<Mutex<Vec<String>>>,
    // Dropped after the tab: the browser, then its profile.
    _browser: Browser,
    _profile: tempfile::TempDir,
}

impl Viewer {
    /// Opens `file` as a file:// URL and waits until it has loaded and painted.
    fn open(file: &Path) -> Viewer {
        let location = plg_audit::gather::browser::find_chromium(None)
            .expect("Chromium is installed (run scripts/setup)");
        let profile = common::out_dir();
        // As the tool launches it: Chromium refuses its sandbox as root.
        let as_root = {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
        };
        let browser = Browser::new(LaunchOptions {
            headless: true,
            sandbox: !as_root,
            path: Some(location.path),
            user_data_dir: Some(profile.path().to_path_buf()),
            window_size: Some((1280, 900)),
            args: [
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-gpu",
                "--mute-audio",
                "--hide-scrollbars",
            ]
            .iter()
            .map(OsStr::new)
            .collect(),
            idle_browser_timeout: Duration::from_secs(60),
            ..LaunchOptions::default()
        })
        .expect("Chromium starts");
        let tab = browser.new_tab().expect("a tab");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let errors = Arc::new(Mutex::new(Vec::new()));
        let (seen, failed) = (requests.clone(), errors.clone());
        tab.add_event_listener(Arc::new(move |event: &Event| match event {
            Event::NetworkRequestWillBeSent(e) => {
                seen.lock().unwrap().push(e.params.request.url.clone());
            }
            Event::RuntimeConsoleAPICalled(e)
                if matches!(
                    e.params.Type,
                    Runtime::ConsoleAPICalledEventTypeOption::Error
                        | Runtime::ConsoleAPICalledEventTypeOption::Assert
                ) =>
            {
                let args: Vec<String> = e
                    .params
                    .args
                    .iter()
                    .map(|a| {
                        a.value
                            .as_ref()
                            .map(ToString::to_string)
                            .or_else(|| a.description.clone())
                            .unwrap_or_default()
                    })
                    .collect();
                failed
                    .lock()
                    .unwrap()
                    .push(format!("console.error: {}", args.join(" ")));
            }
            Event::RuntimeExceptionThrown(e) => {
                let details = &e.params.exception_details;
                let what = details
                    .exception
                    .as_ref()
                    .and_then(|x| x.description.clone())
                    .unwrap_or_else(|| details.text.clone());
                failed.lock().unwrap().push(format!("exception: {what}"));
            }
            // CSP violations and resources that failed to load arrive here.
            Event::LogEntryAdded(e) if e.params.entry.level == Log::LogEntryLevel::Error => {
                let entry = &e.params.entry;
                failed
                    .lock()
                    .unwrap()
                    .push(format!("log ({:?}): {}", entry.source, entry.text));
            }
            _ => {}
        }))
        .expect("an event listener");
        tab.call_method(Network::Enable {
            max_total_buffer_size: None,
            max_resource_buffer_size: None,
            max_post_data_size: None,
            report_direct_socket_traffic: None,
            enable_durable_messages: None,
        })
        .expect("Network.enable");
        tab.enable_runtime().expect("Runtime.enable");
        tab.enable_log().expect("Log.enable");
        let url = url::Url::from_file_path(file).expect("an absolute path");
        tab.navigate_to(url.as_str())
            .and_then(|t| t.wait_until_navigated())
            .expect("the report opens");
        let viewer = Viewer {
            tab,
            requests,
            errors,
            _browser: browser,
            _profile: profile,
        };
        // Lazy images load when scrolled to: show the whole page once.
        viewer.eval::<bool>(
            "new Promise(done => {
               const painted = () => requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
               const shown = () => { window.scrollTo(0, document.body.scrollHeight); painted(); };
               if (document.readyState === 'complete') shown(); else addEventListener('load', shown);
             })",
        );
        viewer
    }

    /// The value of a JavaScript expression (a promise is awaited), through JSON.
    fn eval<T: DeserializeOwned>(&self, expression: &str) -> T {
        let wrapped = format!("Promise.resolve({expression}).then(v => JSON.stringify(v))");
        let result = self
            .tab
            .evaluate(&wrapped, true)
            .unwrap_or_else(|e| panic!("{expression} failed: {e}"));
        let json = result
            .value
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| panic!("{expression} gave no value"));
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{expression} gave {json}: {e}"))
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    fn errors(&self) -> Vec<String> {
        self.errors.lock().unwrap().clone()
    }
}

#[test]
fn the_demo_report_opens_with_no_console_errors_and_no_network_requests() {
    let out = common::out_dir();
    let out_arg = out.path().to_string_lossy().to_string();
    let demo = common::plg_audit(&["demo", "--out", &out_arg, "--quiet"]);
    assert!(demo.status.success(), "{}", common::stderr(&demo));
    let html = out.path().join("report.html");
    let size = std::fs::metadata(&html)
        .expect("report.html was written")
        .len();
    assert!(size < 2 * 1024 * 1024, "report.html is {size} bytes");

    let viewer = Viewer::open(&html);
    let document = url::Url::from_file_path(&html).unwrap().to_string();
    let fetched: Vec<String> = viewer
        .requests()
        .into_iter()
        .filter(|u| *u != document && !u.starts_with("data:"))
        .collect();
    assert_eq!(
        fetched,
        Vec::<String>::new(),
        "requests beyond the file itself"
    );
    assert_eq!(viewer.errors(), Vec::<String>::new());

    let report = common::report(out.path());
    let overall = report["scores"]["overall"]
        .as_f64()
        .expect("an overall score");
    let shown: String = viewer.eval(
        "document.querySelector('#summary svg.gauge[aria-label^=\"Overall score\"] text').textContent",
    );
    assert_eq!(shown, format!("{}", overall.round()));
    let fixes: Vec<String> = viewer.eval(
        "[...document.querySelectorAll('#summary ol.fixes > li > b')].map(b => b.textContent)",
    );
    let expected: Vec<String> = report["summary"]["top_fixes"]
        .as_array()
        .expect("top fixes")
        .iter()
        .take(3)
        .enumerate()
        .map(|(i, f)| format!("{}. {}", i + 1, f["title"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(expected.len(), 3, "the demo has at least three fixes");
    assert_eq!(fixes, expected);
}

#[test]
fn site_text_with_markup_executes_nothing_in_the_report() {
    let out = audited("report-injection");
    let viewer = Viewer::open(&out.path().join("report.html"));
    let pwned = "typeof window.__pwned";
    assert_eq!(viewer.eval::<String>(pwned), "undefined");
    let opened: usize = viewer.eval(
        "new Promise(done => {
           const summaries = [...document.querySelectorAll('details > summary')];
           summaries.forEach(s => s.click());
           requestAnimationFrame(() => requestAnimationFrame(() => done(summaries.length)));
         })",
    );
    assert!(opened > 0, "the report folds passed checks in <details>");
    assert_eq!(viewer.eval::<String>(pwned), "undefined");
    assert_eq!(
        viewer.eval::<usize>("document.querySelectorAll('a[href^=\"javascript:\" i]').length"),
        0
    );
    let handlers: Vec<String> = viewer.eval(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
           .filter(a => a.name.toLowerCase().startsWith('on'))
           .map(a => `<${e.localName} ${a.name}=\"${a.value}\">`))",
    );
    assert_eq!(handlers, Vec::<String>::new());
    // The template's own script (opens <details> for printing) and nothing else.
    assert_eq!(viewer.eval::<usize>("document.scripts.length"), 1);
    assert_eq!(viewer.errors(), Vec::<String>::new());

    // Escaped, not dropped: the site's text reads as the site wrote it.
    let plans: Vec<String> = viewer
        .eval("[...document.querySelectorAll('#pricing tbody td:first-child > strong')].map(s => s.textContent)");
    assert_eq!(
        plans,
        [
            "Starter <script>window.__pwned=1</script>",
            "Team <img src=x onerror=\"window.__pwned=1\">",
            "Business \"><svg onload=\"window.__pwned=1\">",
        ]
    );
    let title: String = viewer.eval("document.title");
    assert!(
        title.starts_with("PLG teardown — Formwell <script>window.__pwned=1</script> (127.0.0.1:"),
        "{title}"
    );
    let journey: String = viewer.eval("document.querySelector('#journey').textContent");
    for text in [
        "“Start free <script>window.__pwned=1</script>”",
        "Filled: Full name <img src=x onerror=\"window.__pwned=1\"> *, Work email \"><svg onload=\"window.__pwned=1\"> *, Password <script>window.__pwned=1</script> *",
        // The site's words only: the browser's own validation texts ("Please fill out this
        // field.") are not quoted as the site's.
        "refused (\"Your password needs one of # $ % & <script>window.__pwned=1</script> <img src=x onerror=\"window.__pwned=1\"> (HTTP 422)\"), then tried another password",
    ] {
        assert!(journey.contains(text), "{text:?} is not in the journey: {journey}");
    }
    let pricing: String = viewer.eval("document.querySelector('#pricing').textContent");
    assert!(
        pricing.contains("Formwell branding {{ 7*7 }}"),
        "template text was not shown as written: {pricing}"
    );
}

#[test]
fn markdown_and_junit_of_a_real_run_parse() {
    let server = common::fixture("journey-card");
    let out = common::out_dir();
    let run = common::audit(server.url(), out.path(), &["--max-pages", "6"]);
    assert!(run.status.success(), "{}", common::stderr(&run));
    let report = common::report(out.path());

    let xml = read(&out.path().join("report.junit.xml"));
    let doc = roxmltree::Document::parse(&xml).expect("report.junit.xml is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let number = |node: roxmltree::Node, name: &str| -> usize {
        node.attribute(name)
            .unwrap_or_else(|| panic!("<{}> has no {name}", node.tag_name().name()))
            .parse()
            .expect("a count")
    };
    let checks = report["checks"].as_array().expect("checks").len();
    assert_eq!(number(root, "tests"), checks);
    assert_eq!(
        number(root, "failures"),
        checks_with(&report, &["fail", "partial"])
    );
    assert_eq!(
        number(root, "skipped"),
        checks_with(&report, &["not_applicable"])
    );
    let suites: Vec<&str> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|n| n.attribute("name").unwrap_or_default())
        .collect();
    assert_eq!(
        suites,
        [
            "activation",
            "monetisation",
            "virality",
            "instrumentation",
            "trust"
        ]
    );

    let md = read(&out.path().join("report.md"));
    let lines: Vec<&str> = md.lines().collect();
    assert!(lines[0].starts_with("# PLG audit: "), "{}", lines[0]);
    assert!(lines.contains(&"## Top fixes"), "{md}");
    let origin = server.url().trim_end_matches('/');
    let blocker = format!(
        "| ⛔ | | blocked: card_required | Card number ([page]({origin}/billing)) | 0/0 | – |"
    );
    assert!(lines.contains(&blocker.as_str()), "no {blocker:?} in\n{md}");
    // A `<` a site wrote is escaped as `\<`; an unescaped one would be markup.
    let raw_script = md
        .match_indices("<script")
        .any(|(i, _)| !md[..i].ends_with('\\'));
    assert!(!raw_script, "raw <script in\n{md}");
    assert!(!md.contains("](javascript:"), "{md}");
}

#[test]
fn report_dir_reproduces_every_file_of_a_saved_run() {
    let out = audited("journey-card");
    let files = [
        "report.json",
        "report.md",
        "report.junit.xml",
        "report.html",
    ];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(out.path().join(f)).expect("the run wrote it"))
        .collect();
    let dir = out.path().to_string_lossy().to_string();
    let again = common::plg_audit(&["report", &dir, "--quiet"]);
    assert!(again.status.success(), "{}", common::stderr(&again));
    for (file, old) in files.iter().zip(before) {
        let new = std::fs::read(out.path().join(file)).expect("report wrote it again");
        assert!(new == old, "{file} differs after plg-audit report");
    }
}

#[test]
fn format_chooses_the_files_written() {
    let run = audited("journey-card");
    let copy = copy_of(run.path());
    for f in ["report.html", "report.md", "report.junit.xml"] {
        std::fs::remove_file(copy.path().join(f)).expect("the run wrote it");
    }
    let dir = copy.path().to_string_lossy().to_string();
    let md = common::plg_audit(&["report", &dir, "--format", "md", "--quiet"]);
    assert!(md.status.success(), "{}", common::stderr(&md));
    let written: BTreeSet<String> = entries(copy.path())
        .into_iter()
        .filter(|name| name.starts_with("report."))
        .collect();
    assert_eq!(
        written,
        BTreeSet::from(["report.json".to_string(), "report.md".to_string()])
    );
    assert_eq!(
        read(&copy.path().join("report.md")),
        read(&run.path().join("report.md"))
    );

    let pdf = common::plg_audit(&["report", &dir, "--format", "pdf", "--quiet"]);
    assert_eq!(pdf.status.code(), Some(3));
    assert_eq!(
        common::stderr(&pdf),
        "plg-audit: --format must list formats from html, json, md, junit, comma-separated, got pdf"
    );
}

#[test]
fn the_signup_password_appears_in_no_output_file() {
    let server = common::fixture("freemium");
    let out = common::out_dir();
    let run = common::audit(server.url(), out.path(), &["--max-pages", "6"]);
    assert!(run.status.success(), "{}", common::stderr(&run));
    let signup = server
        .accepted_posts()
        .into_iter()
        .find(|p| p.path == "/join")
        .expect("the journey signed up");
    let password = signup
        .fields
        .get("password")
        .expect("a password was posted");
    let email = signup.fields.get("email").expect("an e-mail was posted");
    assert!(password.len() >= 8, "{password:?}");
    // As typed, and as a form post encodes it.
    let encoded: String = url::form_urlencoded::byte_serialize(password.as_bytes()).collect();

    let files = files_below(out.path());
    assert!(files
        .iter()
        .any(|f| f.starts_with(out.path().join("pages"))));
    assert!(files
        .iter()
        .any(|f| f.starts_with(out.path().join("screenshots"))));
    for file in &files {
        let bytes = std::fs::read(file).expect("an output file is readable");
        for form in [password.as_str(), encoded.as_str()] {
            assert!(
                !contains(&bytes, form.as_bytes()),
                "the password is in {}",
                file.display()
            );
        }
    }
    let html = read(&out.path().join("report.html"));
    assert!(
        html.contains(email.as_str()),
        "{email} is not in report.html"
    );
}

#[test]
fn brand_flags_put_the_consultants_name_logo_and_colour_in_the_report() {
    let run = audited("journey-card");
    let copy = copy_of(run.path());
    let dir = copy.path().to_string_lossy().to_string();
    let logo = copy.path().join("acme-logo.png");
    image::RgbImage::from_pixel(48, 16, image::Rgb([15, 118, 110]))
        .save(&logo)
        .expect("a PNG logo");
    let logo_arg = logo.to_string_lossy().to_string();
    let branded = common::plg_audit(&[
        "report",
        &dir,
        "--brand-title",
        "Acme Growth",
        "--brand-logo",
        &logo_arg,
        "--brand-color",
        "#0f766e",
        "--quiet",
    ]);
    assert!(branded.status.success(), "{}", common::stderr(&branded));
    let html = read(&copy.path().join("report.html"));
    let title = html
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(title, _)| title)
        .expect("a <title>");
    assert!(title.starts_with("Acme Growth — "), "{title}");
    let header = html
        .split_once("<header class=\"top\">")
        .and_then(|(_, rest)| rest.split_once("</header>"))
        .map(|(header, _)| header)
        .expect("the report's header");
    use base64::Engine;
    let data_uri = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(&logo).unwrap())
    );
    assert!(
        header.contains(&format!("<img class=\"logo\" src=\"{data_uri}\"")),
        "{header}"
    );
    assert!(html.contains("--accent:#0f766e;"));

    let text = copy.path().join("logo.png");
    std::fs::write(&text, "Acme Growth\n").unwrap();
    let text_arg = text.to_string_lossy().to_string();
    let not_image = common::plg_audit(&["report", &dir, "--brand-logo", &text_arg, "--quiet"]);
    assert_eq!(not_image.status.code(), Some(3));
    assert_eq!(
        common::stderr(&not_image),
        format!(
            "plg-audit: invalid configuration: the logo {text_arg} is not a PNG, JPEG, GIF, WebP or SVG image"
        )
    );

    let red = common::plg_audit(&["report", &dir, "--brand-color", "red", "--quiet"]);
    assert_eq!(red.status.code(), Some(3));
    assert_eq!(
        common::stderr(&red),
        "plg-audit: --brand-color must be a colour written #rrggbb or #rgb, e.g. #0f766e, got red"
    );
}
