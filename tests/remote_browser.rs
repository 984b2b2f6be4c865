//! `--browser-ws`: audits driven through a Chromium plg-audit did not launch — here one the
//! test starts itself with `--remote-debugging-port`, as a browser on another host or a
//! browserless endpoint would be.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{fixture, out_dir, plg_audit};

/// A headless Chromium started by the test, listening for DevTools on a free port, with
/// outside hosts failing at once (the test, not plg-audit, keeps it offline). Killed with
/// its whole process group when dropped.
struct RemoteChromium {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl RemoteChromium {
    fn start() -> RemoteChromium {
        RemoteChromium::start_on(0)
    }

    /// Starts it on `port` (0: a free one).
    fn start_on(port: u16) -> RemoteChromium {
        use std::os::unix::process::CommandExt;
        let profile = out_dir();
        let chrome =
            plg_audit::gather::browser::find_chromium(None).expect("Chromium is installed");
        let mut cmd = Command::new(&chrome.path);
        cmd.args([
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ])
        .arg(format!("--remote-debugging-port={port}"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            cmd.arg("--no-sandbox");
        }
        let child = cmd.spawn().expect("Chromium starts");
        // Chromium writes the port it chose, then the browser's WebSocket path; on a port
        // given to it, it writes nothing and is ready once DevTools answers there.
        let active = profile.path().join("DevToolsActivePort");
        let started = Instant::now();
        let port = loop {
            let text = std::fs::read_to_string(&active).unwrap_or_default();
            let chosen = text.lines().next().and_then(|l| l.trim().parse().ok());
            let ready = match (port, chosen) {
                (0, chosen) => chosen,
                (given, _) => ureq::get(&format!("http://127.0.0.1:{given}/json/version"))
                    .call()
                    .ok()
                    .map(|_| given),
            };
            if let Some(port) = ready {
                break port;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "Chromium's DevTools never answered"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        RemoteChromium {
            child,
            port,
            _profile: profile,
        }
    }

    fn get(&self, path: &str) -> serde_json::Value {
        let mut response = ureq::get(&format!("http://127.0.0.1:{}{path}", self.port))
            .call()
            .expect("DevTools answers over HTTP");
        response.body_mut().read_json().expect("DevTools JSON")
    }

    /// The browser's WebSocket, from its /json/version, as a user would copy it.
    fn websocket(&self) -> String {
        self.get("/json/version")["webSocketDebuggerUrl"]
            .as_str()
            .expect("a webSocketDebuggerUrl")
            .to_string()
    }

    /// The URLs of the pages open in it.
    fn open_pages(&self) -> Vec<String> {
        self.get("/json/list")
            .as_array()
            .expect("a target list")
            .iter()
            .filter(|t| t["type"] == "page")
            .map(|t| t["url"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

impl Drop for RemoteChromium {
    fn drop(&mut self) {
        // SAFETY: kill has no preconditions; the group is the one the child leads.
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

fn audit_through(url: &str, out: &std::path::Path, endpoint: &str) -> std::process::Output {
    plg_audit(&[
        "audit",
        url,
        "--browser-ws",
        endpoint,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ])
}

#[test]
fn an_audit_walks_the_signup_in_a_chromium_started_elsewhere_and_leaves_it_running() {
    let site = fixture("freemium");
    let chromium = RemoteChromium::start();
    let websocket = chromium.websocket();
    let out = out_dir();
    let o = audit_through(site.url(), out.path(), &websocket);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));

    let report = common::report(out.path());
    assert_eq!(report["signup"]["outcome"], "completed");
    assert_eq!(report["signup"]["steps"], 4);
    assert_eq!(report["signup"]["fields"]["required"], 2);
    assert_eq!(report["browser_endpoint"], websocket.as_str());
    assert_eq!(report["errors"], serde_json::json!([]));
    assert_eq!(common::schema_errors(&report), Vec::<String>::new());

    // The browser belongs to someone else: it still runs, with none of the audit's tabs.
    let left: Vec<String> = chromium
        .open_pages()
        .into_iter()
        .filter(|u| u.starts_with(site.url()))
        .collect();
    assert_eq!(left, Vec::<String>::new());
    let still = chromium.get("/json/version");
    assert!(
        still["Browser"].as_str().unwrap().starts_with("Chrome/"),
        "{still}"
    );
}

#[test]
fn the_browsers_http_address_is_enough() {
    let site = fixture("freemium");
    let chromium = RemoteChromium::start();
    let out = out_dir();
    let address = format!("http://127.0.0.1:{}", chromium.port);
    let o = audit_through(site.url(), out.path(), &address);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let report = common::report(out.path());
    assert_eq!(report["signup"]["outcome"], "completed");
    assert_eq!(report["browser_endpoint"], format!("{address}/"));
}

#[test]
fn a_batch_gives_each_browser_one_of_two_products() {
    let sites = [fixture("freemium"), fixture("journey-card")];
    let browsers = [RemoteChromium::start(), RemoteChromium::start()];
    let work = out_dir();
    let list = work.path().join("products.txt");
    std::fs::write(&list, format!("{}\n{}\n", sites[0].url(), sites[1].url())).unwrap();
    let out = work.path().join("batch");
    let endpoints: Vec<String> = browsers.iter().map(RemoteChromium::websocket).collect();
    let o = plg_audit(&[
        "batch",
        list.to_str().unwrap(),
        "--jobs",
        "2",
        "--browser-ws",
        &endpoints[0],
        "--browser-ws",
        &endpoints[1],
        "--max-pages",
        "4",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let mut used: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|dir| {
            let report = common::report(&dir);
            assert_eq!(report["errors"], serde_json::json!([]), "{}", dir.display());
            report["browser_endpoint"].as_str().unwrap().to_string()
        })
        .collect();
    used.sort();
    let mut expected = endpoints.clone();
    expected.sort();
    assert_eq!(used, expected);
}

#[test]
fn a_browser_that_does_not_answer_is_said_in_one_sentence_and_the_site_is_still_read() {
    let site = fixture("freemium");
    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("ws://127.0.0.1:{free_port}/devtools/browser/4f1c");
    let out = out_dir();
    let o = audit_through(site.url(), out.path(), &endpoint);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        common::stderr(&o),
        format!(
            "plg-audit: cannot drive the remote Chromium at {endpoint}: nothing answers at 127.0.0.1:{free_port} (connection refused)"
        )
    );
    // Discovery went on over plain HTTP: nothing reachable was lost.
    let report = common::report(out.path());
    assert!(report["pages"].as_array().unwrap().len() > 5, "{report}");
}

#[test]
fn offline_cannot_be_promised_for_a_browser_elsewhere() {
    let out = out_dir();
    let o = plg_audit(&[
        "audit",
        "http://127.0.0.1:9/",
        "--browser-ws",
        "ws://127.0.0.1:9222/devtools/browser/4f1c",
        "--offline",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        common::stderr(&o),
        "plg-audit: invalid configuration: --offline cannot keep a remote browser (--browser-ws) off the network: start that Chromium with --host-resolver-rules=\"MAP * ~NOTFOUND, EXCLUDE 127.0.0.1\" instead"
    );
}

#[test]
fn one_audit_takes_one_browser_address() {
    let out = out_dir();
    let o = plg_audit(&[
        "audit",
        "http://127.0.0.1:9/",
        "--browser-ws",
        "ws://10.0.0.5:9222/devtools/browser/a",
        "--browser-ws",
        "ws://10.0.0.6:9222/devtools/browser/b",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        common::stderr(&o),
        "plg-audit: invalid configuration: --browser-ws is given 2 times, but one audit drives one browser (batch spreads its products over several)"
    );
}

/// The freemium product with its pricing page answering after 4 s, so that discovery is
/// still under way when the test restarts the browser.
fn freemium_with_slow_pricing() -> (tempfile::TempDir, plg_audit::demo::server::ProductServer) {
    let dir = out_dir();
    let base = common::repo_path("tests/fixtures/freemium");
    let spec = std::fs::read_to_string(base.join("site.toml")).unwrap();
    let text = format!(
        "extends = \"{}\"\n{spec}\n[[route]]\npath = \"/plans\"\nfile = \"plans.html\"\ndelay_ms = 4000\n",
        base.display()
    );
    std::fs::write(dir.path().join("site.toml"), text).unwrap();
    let server = plg_audit::demo::server::ProductServer::serve_dir(dir.path()).unwrap();
    (dir, server)
}

#[test]
fn a_remote_browser_restarted_mid_audit_is_connected_to_again_and_the_audit_goes_on() {
    let (_site_dir, site) = freemium_with_slow_pricing();
    let first = RemoteChromium::start();
    let port = first.port;
    let address = format!("http://127.0.0.1:{port}");
    let out = out_dir();
    let log = out_dir();
    let log_file = log.path().join("stderr.txt");
    let mut audit = Command::new(env!("CARGO_BIN_EXE_plg-audit"))
        .args(["audit", site.url(), "--browser-ws", &address, "-v", "--out"])
        .arg(out.path())
        .env_remove("RUST_LOG")
        .env("PLG_AUDIT_HISTORY", common::test_history())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_file).unwrap())
        .spawn()
        .expect("plg-audit starts");
    let started = Instant::now();
    while !std::fs::read_to_string(&log_file)
        .unwrap_or_default()
        .contains("Fetching pages")
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "discovery never began"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The browser goes away, and a new one comes up at the same address.
    drop(first);
    let _second = RemoteChromium::start_on(port);
    let status = loop {
        if let Some(status) = audit.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the audit never ended"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let stderr = std::fs::read_to_string(&log_file).unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");

    let report = common::report(out.path());
    let restarts: Vec<&serde_json::Value> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] == "browser_restarted")
        .collect();
    assert_eq!(restarts.len(), 1, "{:#}", report["warnings"]);
    assert_eq!(
        restarts[0]["message"],
        format!("the connection to the remote Chromium at {address}/ closed (the browser was restarted or crashed, or the network dropped it); plg-audit connected again once and the audit went on")
    );
    assert_eq!(
        report["signup"]["outcome"], "completed",
        "{}",
        report["signup"]["reason"]
    );
}
