//! Plain HTTP: fetching pages whose static HTML carries their content, without a browser.
//!
//! One client per audit, identifying itself in its User-Agent, following redirects on
//! its own (so loops are named as such), and reading at most [`MAX_BODY_BYTES`].

use std::time::{Duration, Instant};

use reqwest::redirect;

use crate::error::AuditError;

/// Larger bodies are cut: no marketing page needs more to be understood.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;
/// Redirects followed before a chain is called a loop.
pub const MAX_REDIRECTS: usize = 10;

/// A page as the server sent it.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Final URL after redirects.
    pub url: url::Url,
    pub status: u16,
    /// The Content-Type header, or "" when there was none.
    pub content_type: String,
    pub body: String,
    pub elapsed: Duration,
}

impl Fetched {
    /// Whether the body is an HTML document (by header, or by sniffing when there is none).
    pub fn is_html(&self) -> bool {
        let ct = self.content_type.to_ascii_lowercase();
        if ct.is_empty() {
            let head = self
                .body
                .trim_start()
                .get(..64)
                .unwrap_or(self.body.trim_start());
            let head = head.to_ascii_lowercase();
            return head.starts_with("<!doctype html") || head.starts_with("<html");
        }
        ct.starts_with("text/html") || ct.starts_with("application/xhtml+xml")
    }
}

/// The audit's HTTP client.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
}

impl Fetcher {
    pub fn new(user_agent: &str, timeout: Duration) -> Result<Fetcher, AuditError> {
        let policy = redirect::Policy::custom(|attempt| {
            let seen_before = attempt.previous().iter().any(|u| u == attempt.url());
            if seen_before {
                attempt.error("redirect loop")
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .redirect(policy)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .cookie_store(true)
            .build()
            .map_err(|e| AuditError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Fetcher { client })
    }

    /// GETs `url`, following redirects. HTTP error statuses are not errors here: the
    /// caller decides what a 404 means.
    pub async fn get(&self, url: &url::Url) -> Result<Fetched, AuditError> {
        let start = Instant::now();
        let response = self
            .client
            .get(url.clone())
            .header(
                reqwest::header::ACCEPT,
                "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
            )
            .send()
            .await
            .map_err(|e| describe(url, e))?;
        let final_url = response.url().clone();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = read_capped(response).await.map_err(|e| describe(url, e))?;
        Ok(Fetched {
            url: final_url,
            status,
            content_type,
            body,
            elapsed: start.elapsed(),
        })
    }
}

async fn read_capped(mut response: reqwest::Response) -> Result<String, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_BODY_BYTES.saturating_sub(bytes.len());
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= MAX_BODY_BYTES {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Turns a transport error into the sentence a user needs.
fn describe(url: &url::Url, error: reqwest::Error) -> AuditError {
    if error.is_redirect() {
        return AuditError::RedirectLoop {
            url: url.to_string(),
            limit: MAX_REDIRECTS,
        };
    }
    let reason = if error.is_timeout() {
        "the request timed out".to_string()
    } else {
        root_cause(&error)
    };
    AuditError::Unreachable {
        url: url.to_string(),
        reason,
    }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("connection refused") {
        "the connection was refused (is the site up?)".to_string()
    } else if lower.contains("failed to lookup")
        || lower.contains("name or service not known")
        || lower.contains("dns")
    {
        "its host name could not be resolved".to_string()
    } else {
        text
    }
}
