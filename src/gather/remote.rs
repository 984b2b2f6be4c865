//! `--browser-ws`: a Chromium that runs elsewhere — `chromium --remote-debugging-port` on
//! another host, a browserless or Selenium Grid endpoint — driven over the DevTools
//! protocol instead of a browser launched here.
//!
//! An address is given either as the browser's WebSocket (`ws://host:9222/devtools/
//! browser/<id>`, `wss://…?token=…`), used as it is, or as its HTTP address
//! (`http://host:9222`), whose `/json/version` names the WebSocket. The HTTP form is
//! looked up again on every connection, so it survives the remote browser restarting.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use url::Url;

/// What a DevTools address must look like, for flag errors.
pub const MUST: &str =
    "must be a DevTools address such as ws://host:9222/devtools/browser/<id> or http://host:9222";

/// Chromium answers a request addressed to a host name with this (its guard against DNS
/// rebinding) instead of its version.
const HOST_GUARD: &str = "Host header is specified and is not an IP address or localhost";

/// A remote browser's DevTools address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteEndpoint {
    url: Url,
}

impl RemoteEndpoint {
    /// Reads an address given on the command line; the error says what it must be.
    pub fn parse(s: &str) -> Result<RemoteEndpoint, String> {
        let url = Url::parse(s.trim()).map_err(|_| MUST.to_string())?;
        let known = matches!(url.scheme(), "ws" | "wss" | "http" | "https");
        if !known || url.host_str().is_none_or(str::is_empty) {
            return Err(MUST.to_string());
        }
        Ok(RemoteEndpoint { url })
    }

    /// The address as messages and reports show it: without a user name, password or
    /// query, where hosted browsers carry their access token.
    pub fn display(&self) -> String {
        let mut shown = self.url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        shown.set_query(None);
        shown.set_fragment(None);
        shown.to_string()
    }

    /// The WebSocket to connect to: the address itself, or the one its `/json/version`
    /// names. Every failure is one sentence on what is wrong.
    pub fn websocket_url(&self, timeout: Duration) -> Result<String, String> {
        self.reachable(timeout)?;
        match self.url.scheme() {
            "ws" | "wss" => Ok(self.url.to_string()),
            _ => self.ask_version(timeout),
        }
    }

    /// Whether anything accepts a connection at the address's host and port, within
    /// `timeout` (a WebSocket connect has no deadline of its own: a host that drops
    /// packets would hold it for minutes).
    fn reachable(&self, timeout: Duration) -> Result<(), String> {
        let host = self.url.host_str().unwrap_or_default();
        let port = self.url.port_or_known_default().unwrap_or(80);
        let addrs: Vec<SocketAddr> = (host, port)
            .to_socket_addrs()
            .map_err(|e| format!("the host {host} cannot be resolved ({e})"))?
            .collect();
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(_) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            Some(e) if e.kind() == std::io::ErrorKind::TimedOut => format!(
                "nothing answered at {host}:{port} within {} s",
                timeout.as_secs()
            ),
            Some(e) => format!(
                "nothing answers at {host}:{port} ({})",
                crate::flag_errors::io_words(&e).to_lowercase()
            ),
            None => format!("the host {host} has no address"),
        })
    }

    /// Asks the browser's HTTP address for its WebSocket.
    fn ask_version(&self, timeout: Duration) -> Result<String, String> {
        let mut base = self.url.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let version_url = base.join("json/version").map_err(|e| e.to_string())?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .get(version_url.as_str())
            .call()
            .map_err(|e| format!("{} did not answer: {e}", self.display()))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .map_err(|e| format!("its /json/version could not be read: {e}"))?;
        self.websocket_in(status, &body)
    }

    /// The WebSocket named by a `/json/version` answer, moved to the host and port this
    /// address names (a browser in a container names its own, unreachable, address).
    fn websocket_in(&self, status: u16, body: &str) -> Result<String, String> {
        if body.contains(HOST_GUARD) {
            return Err(format!(
                "Chromium refuses requests addressed to the host name {} (its guard against DNS rebinding): give its IP address, or its ws:// address",
                self.url.host_str().unwrap_or_default()
            ));
        }
        if status != 200 {
            return Err(format!(
                "its /json/version answered HTTP {status}: is this the browser's DevTools port?"
            ));
        }
        #[derive(serde::Deserialize)]
        struct Version {
            #[serde(rename = "webSocketDebuggerUrl")]
            websocket: Option<String>,
        }
        let version: Version = serde_json::from_str(body).map_err(|_| {
            "its /json/version is not DevTools JSON: is this the browser's DevTools port?"
                .to_string()
        })?;
        let named = version.websocket.ok_or_else(|| {
            "its /json/version names no webSocketDebuggerUrl (is another client attached?)"
                .to_string()
        })?;
        let mut ws = Url::parse(&named)
            .map_err(|_| format!("its /json/version names an unreadable address ({named})"))?;
        let secure = self.url.scheme() == "https";
        let _ = ws.set_scheme(if secure { "wss" } else { "ws" });
        let _ = ws.set_host(self.url.host_str());
        let _ = ws.set_port(self.url.port_or_known_default());
        Ok(ws.to_string())
    }
}

impl std::fmt::Display for RemoteEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(s: &str) -> RemoteEndpoint {
        RemoteEndpoint::parse(s).unwrap()
    }

    #[test]
    fn websocket_and_http_addresses_are_accepted_and_others_explained() {
        assert!(RemoteEndpoint::parse("ws://10.0.0.5:9222/devtools/browser/ab-12").is_ok());
        assert!(RemoteEndpoint::parse("wss://chrome.example.com?token=x").is_ok());
        assert!(RemoteEndpoint::parse("http://10.0.0.5:9222").is_ok());
        for wrong in ["10.0.0.5:9222", "ftp://host/", "ws://", "not an address"] {
            assert_eq!(
                RemoteEndpoint::parse(wrong),
                Err(MUST.to_string()),
                "{wrong}"
            );
        }
    }

    #[test]
    fn a_token_or_password_is_not_shown() {
        assert_eq!(
            endpoint("wss://user:secret@chrome.example.com/chromium?token=abc123").display(),
            "wss://chrome.example.com/chromium"
        );
        assert_eq!(
            endpoint("ws://127.0.0.1:9222/devtools/browser/x").to_string(),
            "ws://127.0.0.1:9222/devtools/browser/x"
        );
    }

    #[test]
    fn the_named_websocket_moves_to_the_given_host_and_port() {
        let body = r#"{"Browser":"Chrome/156.0","webSocketDebuggerUrl":"ws://0.0.0.0:9222/devtools/browser/5f0e"}"#;
        assert_eq!(
            endpoint("http://10.0.0.5:9333").websocket_in(200, body),
            Ok("ws://10.0.0.5:9333/devtools/browser/5f0e".to_string())
        );
        assert_eq!(
            endpoint("https://chrome.example.com").websocket_in(200, body),
            Ok("wss://chrome.example.com/devtools/browser/5f0e".to_string())
        );
    }

    #[test]
    fn chromiums_host_name_guard_is_explained() {
        let body = "Host header is specified and is not an IP address or localhost.";
        assert_eq!(
            endpoint("http://chrome:9222").websocket_in(500, body),
            Err("Chromium refuses requests addressed to the host name chrome (its guard against DNS rebinding): give its IP address, or its ws:// address".to_string())
        );
    }

    #[test]
    fn an_answer_that_is_not_devtools_is_named() {
        let e = endpoint("http://10.0.0.5:8080");
        assert_eq!(
            e.websocket_in(404, "Not Found"),
            Err("its /json/version answered HTTP 404: is this the browser's DevTools port?".into())
        );
        assert_eq!(
            e.websocket_in(200, "<html></html>"),
            Err(
                "its /json/version is not DevTools JSON: is this the browser's DevTools port?"
                    .into()
            )
        );
    }

    #[test]
    fn a_closed_port_is_said_in_words() {
        // Bind then drop: the port is free and nothing listens on it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = endpoint(&format!("ws://127.0.0.1:{port}/devtools/browser/x"));
        assert_eq!(
            e.websocket_url(Duration::from_secs(2)),
            Err(format!(
                "nothing answers at 127.0.0.1:{port} (connection refused)"
            ))
        );
    }
}
