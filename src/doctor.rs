//! `plg-audit doctor`: is this machine ready to audit? Each check says what it found
//! and, when it fails, how to fix it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::gather::browser::{find_chromium, Browser, BrowserConfig};
use crate::gather::remote::RemoteEndpoint;
use crate::gather::settle::SettlePolicy;

/// One line of the doctor's answer.
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
    pub fix: Option<String>,
}

pub fn run(chrome: Option<&Path>, remote: Option<&RemoteEndpoint>, out: &Path) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(endpoint) = remote {
        checks.push(remote_check(endpoint));
        checks.push(writable(out));
        return checks;
    }
    match find_chromium(chrome) {
        Err(e) => checks.push(Check {
            name: "Chromium",
            ok: false,
            detail: e.to_string(),
            fix: Some("as root: apt-get update && apt-get install -y chromium".to_string()),
        }),
        Ok(location) => {
            checks.push(Check {
                name: "Chromium found",
                ok: true,
                detail: format!("{} (from {})", location.path.display(), location.source),
                fix: None,
            });
            let config = BrowserConfig {
                chrome: Some(location.path.clone()),
                remote: None,
                offline: true,
                step_timeout: Duration::from_secs(15),
                settle: SettlePolicy::default(),
            };
            checks.push(match Browser::launch(config) {
                Ok(browser) => Check {
                    name: "Chromium starts",
                    ok: true,
                    detail: format!("{} runs headless", browser.version()),
                    fix: None,
                },
                Err(e) => Check {
                    name: "Chromium starts",
                    ok: false,
                    detail: e.to_string(),
                    fix: Some(format!(
                        "run `{} --headless --no-sandbox --dump-dom about:blank` to see its own error",
                        location.path.display()
                    )),
                },
            });
        }
    }
    checks.push(writable(out));
    checks
}

/// Whether the remote browser answers and gives the audit a context and a tab of its own.
fn remote_check(endpoint: &RemoteEndpoint) -> Check {
    let config = BrowserConfig {
        chrome: None,
        remote: Some(endpoint.clone()),
        offline: false,
        step_timeout: Duration::from_secs(15),
        settle: SettlePolicy::default(),
    };
    let opened = Browser::launch(config).and_then(|browser| {
        browser.open_page(|_| true)?.close();
        Ok(browser.version().to_string())
    });
    match opened {
        Ok(version) => Check {
            name: "Remote Chromium",
            ok: true,
            detail: format!("{version} at {endpoint} opens tabs in a context of their own"),
            fix: None,
        },
        Err(e) => Check {
            name: "Remote Chromium",
            ok: false,
            detail: e.to_string(),
            fix: Some(
                "start it with --remote-debugging-port=9222 (and --remote-debugging-address=0.0.0.0 to reach it from another host), then give ws://HOST:9222/devtools/browser/<id> from its http://HOST:9222/json/version, or http://HOST:9222 itself".into(),
            ),
        },
    }
}

/// Whether reports can be written in `out`, checked without leaving anything behind.
fn writable(out: &Path) -> Check {
    let existing: PathBuf = out
        .ancestors()
        .find(|p| p.as_os_str().is_empty() || p.exists())
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        })
        .unwrap_or_else(|| PathBuf::from("."));
    let probe = if existing.is_dir() {
        tempfile::tempfile_in(&existing).map(|_| ())
    } else {
        Err(std::io::Error::other(format!(
            "{} is not a directory",
            existing.display()
        )))
    };
    match probe {
        Ok(()) => Check {
            name: "Output directory",
            ok: true,
            detail: format!("{} is writable", out.display()),
            fix: None,
        },
        Err(e) => Check {
            name: "Output directory",
            ok: false,
            detail: format!("cannot write in {}: {e}", existing.display()),
            fix: Some("pass --out DIR with a directory you can write to".to_string()),
        },
    }
}
