//! Plain HTTP: fetching pages whose static HTML carries their content, without a browser.
//!
//! One client per audit, identifying itself in its User-Agent, following redirects on
//! its own (so loops are named as such), and reading at most [`MAX_BODY_BYTES`] of a body
//! (decompressed: a gzip bomb costs no more than an honest page). What a body *is* comes
//! from its Content-Type, but HTML sent as `text/plain` or `application/octet-stream` is
//! recognised by its first bytes and read; a PDF or an image is not downloaded at all.
//! Text is decoded by the charset the page declares (see [`super::charset`]).

use std::time::{Duration, Instant};

use reqwest::redirect;

use super::charset;
use crate::error::AuditError;

/// Larger bodies are cut: no marketing page needs more to be understood.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;
/// Redirects followed before a chain is called a loop.
pub const MAX_REDIRECTS: usize = 10;
/// Bytes looked at to recognise HTML sent under another type.
const SNIFF_BYTES: usize = 1024;

/// What a response body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// HTML, as its Content-Type says (or as its first bytes say, when it has none).
    Html,
    /// HTML sent with another Content-Type (`text/plain`, `application/octet-stream`):
    /// read from its static HTML — a browser would show it as text or download it.
    MislabelledHtml,
    /// Not a web page (a PDF, an image, JSON…): its body was not read.
    Other,
}

/// A page as the server sent it.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Final URL after redirects.
    pub url: url::Url,
    pub status: u16,
    /// The Content-Type header, or "" when there was none.
    pub content_type: String,
    /// The body decoded as text (empty when it is not a web page).
    pub body: String,
    pub elapsed: Duration,
    pub kind: BodyKind,
    /// The body was longer than [`MAX_BODY_BYTES`]: the rest was not read.
    pub truncated: bool,
    /// The character encoding the body was decoded with, e.g. "Shift_JIS".
    pub charset: &'static str,
}

impl Fetched {
    /// Whether the body is an HTML document (by its Content-Type or by its first bytes).
    pub fn is_html(&self) -> bool {
        self.kind != BodyKind::Other
    }

    /// The media type without parameters, lowercase ("application/pdf"), or "" when none
    /// was sent.
    pub fn media_type(&self) -> String {
        media_type(&self.content_type)
    }
}

/// How a Content-Type is read before any byte of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    Html,
    /// No type, or one HTML is often mislabelled as: look at the first bytes.
    Unsure,
    NotHtml,
}

fn declared(content_type: &str) -> Declared {
    match media_type(content_type).as_str() {
        "text/html" | "application/xhtml+xml" => Declared::Html,
        ""
        | "text/plain"
        | "application/octet-stream"
        | "binary/octet-stream"
        | "application/unknown"
        | "unknown/unknown"
        | "text/x-unknown" => Declared::Unsure,
        _ => Declared::NotHtml,
    }
}

fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether the first bytes of a body are HTML, the way browsers sniff it (the WHATWG
/// MIME sniffing rules: a known tag opening the document, after whitespace and a BOM).
pub fn looks_like_html(head: &[u8]) -> bool {
    const TAGS: [&[u8]; 18] = [
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<script",
        b"<iframe",
        b"<h1",
        b"<div",
        b"<font",
        b"<table",
        b"<a",
        b"<style",
        b"<title",
        b"<b",
        b"<body",
        b"<br",
        b"<p",
        b"<!--",
        b"<meta",
    ];
    let head = head
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C'))
        .unwrap_or(head.len());
    let rest = &head[start..];
    TAGS.iter().any(|tag| {
        rest.len() > tag.len()
            && rest[..tag.len()].eq_ignore_ascii_case(tag)
            // The tag must end there: "<a " or "<a>", not "<abbr".
            && (*tag == b"<!--".as_slice() || matches!(rest[tag.len()], b' ' | b'>'))
    })
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
        let mut response = self
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
        let (bytes, kind, truncated) = match declared(&content_type) {
            // A PDF, an image, JSON: nothing to read in it, so nothing is downloaded.
            Declared::NotHtml => (Vec::new(), BodyKind::Other, false),
            Declared::Html => {
                let (bytes, truncated) = read_capped(&mut response, MAX_BODY_BYTES, Vec::new())
                    .await
                    .map_err(|e| describe(url, e))?;
                (bytes, BodyKind::Html, truncated)
            }
            Declared::Unsure => {
                let (head, more) = read_capped(&mut response, SNIFF_BYTES, Vec::new())
                    .await
                    .map_err(|e| describe(url, e))?;
                if looks_like_html(&head) {
                    let (bytes, truncated) = if more {
                        read_capped(&mut response, MAX_BODY_BYTES, head)
                            .await
                            .map_err(|e| describe(url, e))?
                    } else {
                        (head, false)
                    };
                    let kind = if content_type.is_empty() {
                        BodyKind::Html
                    } else {
                        BodyKind::MislabelledHtml
                    };
                    (bytes, kind, truncated)
                } else {
                    (Vec::new(), BodyKind::Other, false)
                }
            }
        };
        drop(response);
        let (body, encoding) = charset::decode(&bytes, &content_type);
        drop(bytes);
        Ok(Fetched {
            url: final_url,
            status,
            content_type,
            body,
            elapsed: start.elapsed(),
            kind,
            truncated,
            charset: encoding.name(),
        })
    }
}

/// Appends the body's next chunks to `bytes` until it holds `cap` bytes; true in the
/// second place when the body went on beyond that (the rest is not read).
async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
    mut bytes: Vec<u8>,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    while bytes.len() < cap {
        let Some(chunk) = response.chunk().await? else {
            return Ok((bytes, false));
        };
        let room = cap - bytes.len();
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if chunk.len() > room {
            return Ok((bytes, true));
        }
    }
    // Exactly at the cap: one more chunk tells whether there was more.
    let more = response.chunk().await?.is_some_and(|c| !c.is_empty());
    Ok((bytes, more))
}

/// Turns a transport error into the sentence a user needs.
fn describe(url: &url::Url, error: reqwest::Error) -> AuditError {
    if error.is_redirect() {
        return AuditError::RedirectLoop {
            url: url.to_string(),
            limit: MAX_REDIRECTS,
        };
    }
    if let Some(tls) = tls_problem(&error) {
        return match tls {
            TlsProblem::Certificate(reason) => AuditError::Certificate {
                url: url.to_string(),
                reason,
            },
            TlsProblem::Handshake(reason) => AuditError::Unreachable {
                url: url.to_string(),
                reason,
            },
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

/// What went wrong in a TLS handshake, in words.
#[derive(Debug, PartialEq, Eq)]
pub enum TlsProblem {
    /// The server's certificate was refused: why.
    Certificate(String),
    /// The handshake failed otherwise: why.
    Handshake(String),
}

/// The TLS problem somewhere in `error`'s chain of causes, if there is one.
pub fn tls_problem(error: &(dyn std::error::Error + 'static)) -> Option<TlsProblem> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls_words(tls));
        }
        // tokio-rustls wraps the TLS error in an io::Error, and hyper-rustls that one in
        // another; io::Error's `source()` skips what it wraps, so unwrap them here.
        let mut io = e.downcast_ref::<std::io::Error>();
        while let Some(inner) = io.and_then(std::io::Error::get_ref) {
            if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                return Some(tls_words(tls));
            }
            io = inner.downcast_ref::<std::io::Error>();
        }
        cause = e.source();
    }
    None
}

fn tls_words(error: &rustls::Error) -> TlsProblem {
    use rustls::{AlertDescription, CertificateError, Error};
    match error {
        Error::InvalidCertificate(c) => TlsProblem::Certificate(match c {
            CertificateError::UnknownIssuer => {
                "it is not signed by a certificate authority plg-audit trusts (a self-signed certificate, or a private CA)".into()
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "it has expired".into()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "it is not valid yet (check the server's and this machine's clocks)".into()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "it was issued for another host name".into()
            }
            CertificateError::Revoked => "it has been revoked".into(),
            CertificateError::BadSignature => "its signature does not verify".into(),
            CertificateError::BadEncoding => "it is malformed".into(),
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                "it is not meant for a web server".into()
            }
            CertificateError::Other(other) => {
                match other.0.downcast_ref::<webpki::Error>() {
                    Some(webpki::Error::CaUsedAsEndEntity) => {
                        "it is a CA certificate used as a server certificate".into()
                    }
                    Some(webpki::Error::EndEntityUsedAsCa) => {
                        "it was signed by a certificate that is not a certificate authority".into()
                    }
                    Some(webpki::Error::PathLenConstraintViolated) => {
                        "its chain is longer than its certificate authority allows".into()
                    }
                    Some(webpki::Error::NameConstraintViolation) => {
                        "its certificate authority may not issue certificates for this name".into()
                    }
                    _ => format!("it was refused ({})", other.0),
                }
            }
            #[allow(deprecated)]
            CertificateError::UnsupportedSignatureAlgorithm
            | CertificateError::UnsupportedSignatureAlgorithmContext { .. }
            | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
                "it is signed with an algorithm plg-audit does not accept".into()
            }
            _ => "it was refused by the certificate check".into(),
        }),
        Error::AlertReceived(AlertDescription::HandshakeFailure)
        | Error::AlertReceived(AlertDescription::ProtocolVersion)
        | Error::PeerIncompatible(_) => TlsProblem::Handshake(
            "the server offers no TLS version or cipher plg-audit accepts (TLS 1.2 and 1.3)".into(),
        ),
        Error::InvalidMessage(_) | Error::PeerMisbehaved(_) => TlsProblem::Handshake(
            "the server's answer is not valid TLS (is it plain HTTP on an https:// address?)"
                .into(),
        ),
        Error::AlertReceived(alert) => TlsProblem::Handshake(format!(
            "the server ended the TLS handshake with the alert {}",
            alert_words(*alert)
        )),
        other => TlsProblem::Handshake(format!("the TLS handshake failed ({other})")),
    }
}

/// "bad_certificate" for AlertDescription::BadCertificate.
fn alert_words(alert: rustls::AlertDescription) -> String {
    let debug = format!("{alert:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn html_is_recognised_by_its_first_tag() {
        assert!(looks_like_html(b"\n  <!DOCTYPE html><html>"));
        assert!(looks_like_html(b"\xEF\xBB\xBF<html lang=\"en\">"));
        assert!(looks_like_html(b"<p>Plans from $9</p>"));
        assert!(!looks_like_html(b"%PDF-1.7\n"));
        assert!(!looks_like_html(b"<abbr>not a known opening</abbr>"));
        assert!(!looks_like_html(b"{\"plans\": []}"));
    }

    #[test]
    fn types_html_is_often_sent_as_are_sniffed_others_are_not_read() {
        assert_eq!(declared("text/html; charset=utf-8"), Declared::Html);
        assert_eq!(declared("text/plain"), Declared::Unsure);
        assert_eq!(declared("application/octet-stream"), Declared::Unsure);
        assert_eq!(declared(""), Declared::Unsure);
        assert_eq!(declared("application/pdf"), Declared::NotHtml);
        assert_eq!(declared("image/png"), Declared::NotHtml);
    }

    fn certificate(e: rustls::CertificateError) -> Option<TlsProblem> {
        let error = std::io::Error::other(rustls::Error::InvalidCertificate(e));
        tls_problem(&error)
    }

    #[test]
    fn a_tls_error_wrapped_in_two_io_errors_is_found() {
        let tls = std::io::Error::other(rustls::Error::InvalidCertificate(
            rustls::CertificateError::Expired,
        ));
        let outer = std::io::Error::other(tls);
        assert_eq!(
            tls_problem(&outer),
            Some(TlsProblem::Certificate("it has expired".into()))
        );
    }

    #[test]
    fn a_ca_certificate_served_as_the_server_certificate_is_named_in_words() {
        let ca = rustls::CertificateError::Other(rustls::OtherError(Arc::new(
            webpki::Error::CaUsedAsEndEntity,
        )));
        assert_eq!(
            certificate(ca),
            Some(TlsProblem::Certificate(
                "it is a CA certificate used as a server certificate".into()
            ))
        );
    }

    #[test]
    fn common_certificate_problems_are_named_in_words() {
        assert_eq!(
            certificate(rustls::CertificateError::UnknownIssuer),
            Some(TlsProblem::Certificate(
                "it is not signed by a certificate authority plg-audit trusts (a self-signed certificate, or a private CA)".into()
            ))
        );
        assert_eq!(
            certificate(rustls::CertificateError::Expired),
            Some(TlsProblem::Certificate("it has expired".into()))
        );
    }

    #[test]
    fn alerts_read_as_words() {
        assert_eq!(
            alert_words(rustls::AlertDescription::BadCertificate),
            "bad_certificate"
        );
    }
}
