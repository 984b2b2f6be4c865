//! The vendor catalogue: which growth tools plg-audit recognises and by what — host names,
//! URL prefixes, inline-snippet signatures and JavaScript globals, written from each
//! vendor's own documentation. The knowledge is data (`checks/signals/vendors.toml`,
//! compiled in); a user's `--vendors FILE` adds vendors or replaces them by id without
//! recompiling. This module loads, validates and indexes it; [`super::stack`] uses it.
//!
//! A file that is wrong says where: `vendors.toml:12: vendor "segment": …`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::AuditError;

/// The catalogue shipped with the tool.
const BUILTIN: &str = include_str!("../../checks/signals/vendors.toml");
const BUILTIN_NAME: &str = "checks/signals/vendors.toml";

/// What a tool is for. A closed set, so reports and checks can rely on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Event analytics of what users do in the product (Mixpanel, Amplitude, PostHog).
    ProductAnalytics,
    /// Traffic analytics of the public site (Google Analytics, Plausible).
    WebAnalytics,
    /// Recordings and heatmaps of sessions (Hotjar, FullStory).
    SessionReplay,
    /// In-app guidance: tours, checklists, tooltips (Appcues, Pendo, Userpilot).
    Onboarding,
    /// Chat widgets and help desks (Intercom, Crisp, Zendesk).
    ChatSupport,
    /// Payments, checkout and subscriptions (Stripe, Paddle, Chargebee).
    Billing,
    /// CAPTCHAs and bot protection (reCAPTCHA, hCaptcha, Turnstile).
    CaptchaBotProtection,
    /// Error and performance monitoring in the browser (Sentry, Datadog RUM).
    ErrorTracking,
    /// Experiments and feature flags (Optimizely, LaunchDarkly, Statsig).
    AbTestingFeatureFlags,
    /// Customer data platforms that route events to other tools (Segment, RudderStack).
    Cdp,
    /// E-mail, lifecycle and lead nurturing (HubSpot, Marketo, Customer.io).
    MarketingAutomation,
    /// Ad conversion pixels (Meta, LinkedIn, Google Ads).
    Advertising,
    /// Tag managers that load other tools (Google Tag Manager, Tealium).
    TagManagement,
    /// Cookie consent platforms (OneTrust, Cookiebot).
    Consent,
}

impl Category {
    pub const ALL: [Category; 14] = [
        Category::ProductAnalytics,
        Category::WebAnalytics,
        Category::SessionReplay,
        Category::Onboarding,
        Category::ChatSupport,
        Category::Billing,
        Category::CaptchaBotProtection,
        Category::ErrorTracking,
        Category::AbTestingFeatureFlags,
        Category::Cdp,
        Category::MarketingAutomation,
        Category::Advertising,
        Category::TagManagement,
        Category::Consent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::ProductAnalytics => "product_analytics",
            Category::WebAnalytics => "web_analytics",
            Category::SessionReplay => "session_replay",
            Category::Onboarding => "onboarding",
            Category::ChatSupport => "chat_support",
            Category::Billing => "billing",
            Category::CaptchaBotProtection => "captcha_bot_protection",
            Category::ErrorTracking => "error_tracking",
            Category::AbTestingFeatureFlags => "ab_testing_feature_flags",
            Category::Cdp => "cdp",
            Category::MarketingAutomation => "marketing_automation",
            Category::Advertising => "advertising",
            Category::TagManagement => "tag_management",
            Category::Consent => "consent",
        }
    }

    /// How a reader names it.
    pub fn title(self) -> &'static str {
        match self {
            Category::ProductAnalytics => "Product analytics",
            Category::WebAnalytics => "Web analytics",
            Category::SessionReplay => "Session replay",
            Category::Onboarding => "Onboarding and in-app guidance",
            Category::ChatSupport => "Chat and support",
            Category::Billing => "Billing",
            Category::CaptchaBotProtection => "CAPTCHA and bot protection",
            Category::ErrorTracking => "Error tracking",
            Category::AbTestingFeatureFlags => "A/B testing and feature flags",
            Category::Cdp => "Customer data platform",
            Category::MarketingAutomation => "Marketing automation",
            Category::Advertising => "Advertising",
            Category::TagManagement => "Tag management",
            Category::Consent => "Cookie consent",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A host name plus the start of a path (and query): `google.com/recaptcha/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPrefix {
    /// As written, for evidence.
    pub pattern: String,
    pub host: String,
    /// Starts with `/`; may include a query (`/gtag/js?id=G-`).
    pub path: String,
}

/// One vendor and how it is recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    /// snake_case, stable: reports and checks refer to it.
    pub id: String,
    pub name: String,
    pub category: Category,
    /// Hosts its scripts and beacons use; a host matches itself and its subdomains.
    pub hosts: Vec<String>,
    /// Host-and-path prefixes, for vendors sharing a host with others.
    pub urls: Vec<UrlPrefix>,
    /// Text found in its documented inline snippet (the loader that injects its tag).
    pub snippets: Vec<String>,
    /// Globals its script or stub defines: `Intercom`, or a key of one, `analytics.SNIPPET_VERSION`.
    pub globals: Vec<String>,
    /// Where the fingerprints come from.
    pub docs: Option<String>,
}

/// The vendors known to this run, indexed for matching.
#[derive(Debug, Clone)]
pub struct VendorCatalogue {
    vendors: Vec<Vendor>,
    by_host: HashMap<String, Vec<usize>>,
    by_url_host: HashMap<String, Vec<(usize, usize)>>,
    by_global: HashMap<String, Vec<usize>>,
}

/// One fingerprint that matched: the vendor and the pattern, as written in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<'a> {
    pub vendor: &'a Vendor,
    pub pattern: &'a str,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    vendor: Vec<RawVendor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVendor {
    id: Spanned<String>,
    name: String,
    category: Category,
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    urls: Vec<String>,
    #[serde(default)]
    snippets: Vec<String>,
    #[serde(default)]
    globals: Vec<String>,
    #[serde(default)]
    docs: Option<String>,
}

static SNAKE_CASE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$").expect("static regex"));
static HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$").expect("static regex")
});
static GLOBAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)?$").expect("static regex")
});
/// Shorter snippets would match unrelated code.
const MIN_SNIPPET_CHARS: usize = 6;

impl VendorCatalogue {
    /// The built-in catalogue, plus the vendors of `user_file` (added, or replacing a
    /// built-in vendor with the same id). A file that is unreadable or wrong is invalid
    /// configuration, with the line at fault.
    pub fn load(user_file: Option<&Path>) -> Result<VendorCatalogue, AuditError> {
        let mut vendors = parse(BUILTIN, BUILTIN_NAME).map_err(AuditError::Config)?;
        if let Some(path) = user_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                AuditError::Config(format!(
                    "cannot read the vendor file {}: {e}",
                    path.display()
                ))
            })?;
            let extra = parse(&text, &path.display().to_string()).map_err(AuditError::Config)?;
            for v in extra {
                match vendors.iter_mut().find(|b| b.id == v.id) {
                    Some(existing) => *existing = v,
                    None => vendors.push(v),
                }
            }
        }
        Ok(VendorCatalogue::new(vendors))
    }

    /// The catalogue shipped with the tool.
    pub fn builtin() -> VendorCatalogue {
        // The embedded file is checked by the unit tests; an empty catalogue is the safe
        // fallback should it ever not parse.
        VendorCatalogue::new(parse(BUILTIN, BUILTIN_NAME).unwrap_or_default())
    }

    pub fn new(vendors: Vec<Vendor>) -> VendorCatalogue {
        let mut by_host: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_url_host: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut by_global: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, v) in vendors.iter().enumerate() {
            for h in &v.hosts {
                by_host.entry(h.clone()).or_default().push(i);
            }
            for (j, u) in v.urls.iter().enumerate() {
                by_url_host.entry(u.host.clone()).or_default().push((i, j));
            }
            for g in &v.globals {
                by_global.entry(g.clone()).or_default().push(i);
            }
        }
        VendorCatalogue {
            vendors,
            by_host,
            by_url_host,
            by_global,
        }
    }

    pub fn vendors(&self) -> &[Vendor] {
        &self.vendors
    }

    pub fn get(&self, id: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|v| v.id == id)
    }

    /// Vendors whose hosts or URL prefixes match `url` (an absolute http(s) URL).
    pub fn match_url(&self, url: &url::Url) -> Vec<Match<'_>> {
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return Vec::new();
        };
        let path_and_query = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let mut out = Vec::new();
        for suffix in host_suffixes(&host) {
            for &i in self.by_host.get(suffix).into_iter().flatten() {
                let vendor = &self.vendors[i];
                if let Some(pattern) = vendor.hosts.iter().find(|h| h.as_str() == suffix) {
                    out.push(Match { vendor, pattern });
                }
            }
            for &(i, j) in self.by_url_host.get(suffix).into_iter().flatten() {
                let prefix = &self.vendors[i].urls[j];
                if path_and_query.starts_with(&prefix.path) {
                    out.push(Match {
                        vendor: &self.vendors[i],
                        pattern: &prefix.pattern,
                    });
                }
            }
        }
        out
    }

    /// Vendors whose snippet signatures occur in an inline script. A signature must not
    /// continue an identifier on its left (`analytics.load(` is not `rudderanalytics.load(`).
    pub fn match_inline(&self, script: &str) -> Vec<Match<'_>> {
        let mut out = Vec::new();
        for v in &self.vendors {
            if let Some(s) = v.snippets.iter().find(|s| occurs(script, s)) {
                out.push(Match {
                    vendor: v,
                    pattern: s,
                });
            }
        }
        out
    }

    /// Vendors that define the global `name` (as recorded: `Intercom`, `analytics.SNIPPET_VERSION`).
    pub fn match_global(&self, name: &str) -> Vec<Match<'_>> {
        self.by_global
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|&i| {
                let vendor = &self.vendors[i];
                let pattern = vendor.globals.iter().find(|g| g.as_str() == name)?;
                Some(Match { vendor, pattern })
            })
            .collect()
    }
}

/// `a.b.example.com`, `b.example.com`, `example.com`, `com`.
fn host_suffixes(host: &str) -> impl Iterator<Item = &str> {
    std::iter::once(host).chain(host.match_indices('.').map(move |(i, _)| &host[i + 1..]))
}

fn occurs(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(i, _)| {
        let continues_identifier = needle.starts_with(|c: char| c.is_alphanumeric() || c == '_')
            && haystack[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        !continues_identifier
    })
}

/// Parses and validates a vendor file; errors read `NAME:LINE: what is wrong`.
fn parse(text: &str, name: &str) -> Result<Vec<Vendor>, String> {
    let line_of = |offset: usize| crate::text::line_at(text, offset);
    let raw: RawFile = toml::from_str(text).map_err(|e| match e.span() {
        Some(span) => format!("{name}:{}: {}", line_of(span.start), e.message().trim()),
        None => format!("{name}: {}", e.message().trim()),
    })?;
    let mut seen = HashSet::new();
    let mut vendors = Vec::new();
    for r in raw.vendor {
        let line = line_of(r.id.span().start);
        let id = r.id.into_inner();
        let wrong = |what: String| format!("{name}:{line}: vendor \"{id}\": {what}");
        if !SNAKE_CASE.is_match(&id) {
            return Err(format!(
                "{name}:{line}: vendor id \"{id}\" must be snake_case (lowercase letters, digits and underscores)"
            ));
        }
        if !seen.insert(id.clone()) {
            return Err(wrong("this id is used twice in the file".into()));
        }
        if r.name.trim().is_empty() {
            return Err(wrong("its name is empty".into()));
        }
        if r.hosts.is_empty() && r.urls.is_empty() && r.snippets.is_empty() && r.globals.is_empty()
        {
            return Err(wrong(
                "it has no fingerprint (give hosts, urls, snippets or globals)".into(),
            ));
        }
        let mut hosts = Vec::new();
        for h in &r.hosts {
            let h = h.trim().to_ascii_lowercase();
            if !HOST.is_match(&h) {
                return Err(wrong(format!(
                    "\"{h}\" is not a host name (write it without scheme or path, e.g. cdn.example.com)"
                )));
            }
            hosts.push(h);
        }
        let mut urls = Vec::new();
        for u in &r.urls {
            let pattern = u.trim().to_string();
            let parsed = pattern.split_once('/').and_then(|(host, rest)| {
                let host = host.to_ascii_lowercase();
                HOST.is_match(&host).then(|| UrlPrefix {
                    pattern: pattern.clone(),
                    host,
                    path: format!("/{rest}"),
                })
            });
            match parsed {
                Some(p) => urls.push(p),
                None => {
                    return Err(wrong(format!(
                        "\"{pattern}\" is not a host followed by a path (e.g. www.google.com/recaptcha/)"
                    )))
                }
            }
        }
        for s in &r.snippets {
            if s.chars().count() < MIN_SNIPPET_CHARS {
                return Err(wrong(format!(
                    "the snippet \"{s}\" is too short to be told apart from other code (at least {MIN_SNIPPET_CHARS} characters)"
                )));
            }
        }
        for g in &r.globals {
            if !GLOBAL.is_match(g) {
                return Err(wrong(format!(
                    "\"{g}\" is not a global name (a name, or a name and one key: analytics.SNIPPET_VERSION)"
                )));
            }
        }
        vendors.push(Vendor {
            id,
            name: r.name.trim().to_string(),
            category: r.category,
            hosts,
            urls,
            snippets: r.snippets,
            globals: r.globals,
            docs: r.docs,
        });
    }
    Ok(vendors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    fn ids(matches: &[Match<'_>]) -> Vec<String> {
        matches.iter().map(|m| m.vendor.id.clone()).collect()
    }

    #[test]
    fn the_shipped_catalogue_parses_and_covers_every_category_with_sixty_vendors() {
        let vendors = parse(BUILTIN, BUILTIN_NAME).expect("the shipped vendor file is valid");
        assert!(vendors.len() >= 60, "{} vendors", vendors.len());
        for c in Category::ALL {
            assert!(vendors.iter().any(|v| v.category == c), "no vendor in {c}");
        }
        assert!(
            vendors.iter().all(|v| v.docs.is_some()),
            "every vendor names its source"
        );
    }

    #[test]
    fn a_host_matches_itself_and_its_subdomains_only() {
        let c = VendorCatalogue::builtin();
        assert_eq!(
            ids(&c.match_url(&url("https://widget.intercom.io/widget/abc"))),
            vec!["intercom"]
        );
        assert_eq!(
            ids(&c.match_url(&url("https://us.i.posthog.com/e/?ip=1"))),
            vec!["posthog"]
        );
        assert!(c.match_url(&url("https://notintercom.io/x")).is_empty());
    }

    #[test]
    fn url_prefixes_tell_apart_tools_on_a_shared_host() {
        let c = VendorCatalogue::builtin();
        assert_eq!(
            ids(&c.match_url(&url(
                "https://www.googletagmanager.com/gtag/js?id=G-FP4T2R8KQ1"
            ))),
            vec!["google_analytics"]
        );
        assert_eq!(
            ids(&c.match_url(&url(
                "https://www.googletagmanager.com/gtm.js?id=GTM-ABC123"
            ))),
            vec!["google_tag_manager"]
        );
        assert_eq!(
            ids(&c.match_url(&url("https://www.google.com/recaptcha/api.js"))),
            vec!["recaptcha"]
        );
        assert!(c
            .match_url(&url("https://www.google.com/search?q=x"))
            .is_empty());
    }

    #[test]
    fn a_snippet_does_not_match_inside_a_longer_identifier() {
        let c = VendorCatalogue::builtin();
        assert_eq!(
            ids(&c.match_inline(r#"analytics.load("abc"); analytics.page();"#)),
            vec!["segment"]
        );
        assert_eq!(
            ids(&c.match_inline(
                r#"rudderanalytics.load("key", "https://acme.dataplane.rudderstack.com");"#
            )),
            vec!["rudderstack"]
        );
    }

    #[test]
    fn globals_match_by_name_or_by_name_and_key() {
        let c = VendorCatalogue::builtin();
        assert_eq!(ids(&c.match_global("Intercom")), vec!["intercom"]);
        assert_eq!(
            ids(&c.match_global("analytics.SNIPPET_VERSION")),
            vec!["segment"]
        );
        assert!(c.match_global("analytics").is_empty());
    }

    #[test]
    fn a_user_file_adds_vendors_and_replaces_them_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        std::fs::write(
            &path,
            r#"
[[vendor]]
id = "acme_beacon"
name = "Acme Beacon"
category = "product_analytics"
hosts = ["beacon.acme-analytics.io"]
docs = "https://acme-analytics.io/docs"

[[vendor]]
id = "intercom"
name = "Intercom (EU)"
category = "chat_support"
hosts = ["api-iam.eu.intercom.io"]
"#,
        )
        .unwrap();
        let c = VendorCatalogue::load(Some(&path)).unwrap();
        assert_eq!(
            ids(&c.match_url(&url("https://beacon.acme-analytics.io/e"))),
            vec!["acme_beacon"]
        );
        assert_eq!(c.get("intercom").unwrap().name, "Intercom (EU)");
        // Replaced, not merged: the built-in hosts are gone.
        assert!(c
            .match_url(&url("https://widget.intercom.io/widget/abc"))
            .is_empty());
        assert_eq!(
            c.vendors().len(),
            VendorCatalogue::builtin().vendors().len() + 1
        );
    }

    #[test]
    fn a_wrong_file_says_which_line_and_what_is_wrong() {
        let err = |text: &str| parse(text, "mine.toml").unwrap_err();
        assert_eq!(
            err("[[vendor]]\nid = \"Acme\"\nname = \"Acme\"\ncategory = \"cdp\"\nhosts = [\"a.acme.io\"]\n"),
            "mine.toml:2: vendor id \"Acme\" must be snake_case (lowercase letters, digits and underscores)"
        );
        assert_eq!(
            err("[[vendor]]\nid = \"acme\"\nname = \"Acme\"\ncategory = \"cdp\"\nhosts = [\"https://a.acme.io/x\"]\n"),
            "mine.toml:2: vendor \"acme\": \"https://a.acme.io/x\" is not a host name (write it without scheme or path, e.g. cdn.example.com)"
        );
        assert_eq!(
            err("[[vendor]]\nid = \"acme\"\nname = \"Acme\"\ncategory = \"cdp\"\n"),
            "mine.toml:2: vendor \"acme\": it has no fingerprint (give hosts, urls, snippets or globals)"
        );
        let unknown = err("[[vendor]]\nid = \"acme\"\nname = \"Acme\"\ncategory = \"analytics\"\nhosts = [\"a.acme.io\"]\n");
        assert!(
            unknown.starts_with("mine.toml:4: unknown variant `analytics`, expected one of"),
            "{unknown}"
        );
        let typo = err("[[vendor]]\nid = \"acme\"\nname = \"Acme\"\ncategory = \"cdp\"\nhost = [\"a.acme.io\"]\n");
        assert!(
            typo.starts_with("mine.toml:5: unknown field `host`"),
            "{typo}"
        );
    }
}
