//! The product's site: which URLs and hosts belong to the product being audited.
//!
//! A product spans subdomains (www., app., docs.) of one registrable domain, so
//! membership is decided on the registrable domain from the Public Suffix List, not on
//! the exact host. IP addresses and single-label hosts (127.0.0.1, localhost) match only
//! themselves.

use url::Url;

use crate::error::AuditError;

/// Reads the URL the user gave. A bare host ("example.com") means https://example.com/.
pub fn parse_target(input: &str) -> Result<Url, AuditError> {
    let trimmed = input.trim();
    let invalid = |reason: &str| AuditError::InvalidUrl {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    if trimmed.is_empty() {
        return Err(invalid("it is empty"));
    }
    // "host", "host:8080/x" → https://…; "ftp://…" and "mailto:…" keep their scheme.
    let has_scheme = match trimmed.split_once(':') {
        Some((_, rest)) => !rest.starts_with(|c: char| c.is_ascii_digit()),
        None => false,
    };
    let with_scheme = if has_scheme {
        trimmed.to_string()
    } else {
        format!("https://{trimmed}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AuditError::UnsupportedScheme {
            input: input.to_string(),
            scheme: url.scheme().to_string(),
        });
    }
    match url.host_str() {
        Some(h) if !h.is_empty() && !h.contains(' ') => Ok(url),
        _ => Err(invalid("it has no host name")),
    }
}

/// The audited product's site, anchored on its home page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    home: Url,
    domain: String,
}

impl Site {
    pub fn new(home: Url) -> Site {
        let domain = home.host_str().map(registrable_domain).unwrap_or_default();
        Site { home, domain }
    }

    pub fn home(&self) -> &Url {
        &self.home
    }

    /// Whether `host` belongs to the product (same registrable domain).
    pub fn owns_host(&self, host: &str) -> bool {
        !self.domain.is_empty() && registrable_domain(host) == self.domain
    }

    /// Whether `url` is an http(s) page of the product.
    pub fn owns(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some_and(|h| self.owns_host(h))
    }

    /// A host-membership test that can be moved into browser event handlers.
    pub fn host_filter(&self) -> impl Fn(&str) -> bool + Send + Sync + Clone + 'static {
        let site = self.clone();
        move |host: &str| site.owns_host(host)
    }
}

/// "www.example.co.uk" → "example.co.uk"; IPs and "localhost" stay as they are.
fn registrable_domain(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') || !host.contains('.') {
        return host;
    }
    psl::domain_str(&host).map(str::to_string).unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_host_is_read_as_https() {
        assert_eq!(
            parse_target("example.com").unwrap().as_str(),
            "https://example.com/"
        );
        assert_eq!(
            parse_target(" http://127.0.0.1:8080/x ").unwrap().as_str(),
            "http://127.0.0.1:8080/x"
        );
        assert_eq!(
            parse_target("localhost:3000").unwrap().as_str(),
            "https://localhost:3000/"
        );
    }

    #[test]
    fn bad_targets_are_named() {
        assert_eq!(
            parse_target("ftp://example.com").unwrap_err().to_string(),
            "'ftp://example.com' uses the unsupported scheme 'ftp'; plg-audit audits http:// and https:// sites"
        );
        assert!(matches!(
            parse_target("http://exa mple.com"),
            Err(AuditError::InvalidUrl { .. })
        ));
        assert!(matches!(
            parse_target(""),
            Err(AuditError::InvalidUrl { .. })
        ));
        assert!(matches!(
            parse_target("mailto:hi@example.com"),
            Err(AuditError::UnsupportedScheme { .. })
        ));
    }

    fn site(u: &str) -> Site {
        Site::new(Url::parse(u).unwrap())
    }

    #[test]
    fn subdomains_of_the_same_registrable_domain_belong_to_the_site() {
        let s = site("https://www.notion.so/");
        assert!(s.owns_host("notion.so"));
        assert!(s.owns_host("app.notion.so"));
        assert!(!s.owns_host("notion-static.com"));
    }

    #[test]
    fn public_suffixes_are_respected() {
        let s = site("https://shop.example.co.uk/");
        assert!(s.owns_host("www.example.co.uk"));
        assert!(!s.owns_host("other.co.uk"));
    }

    #[test]
    fn loopback_hosts_match_only_themselves() {
        let s = site("http://127.0.0.1:4000/");
        assert!(s.owns(&Url::parse("http://127.0.0.1:5000/app").unwrap()));
        assert!(!s.owns_host("localhost"));
        assert!(!s.owns(&Url::parse("mailto:hi@127.0.0.1").unwrap()));
    }
}
