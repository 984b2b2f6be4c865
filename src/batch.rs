//! Many products at once (`plg-audit batch FILE`): a list of URLs, or a TOML file with
//! per-product settings, audited `--jobs` at a time — each in its own Chromium with its
//! own profile, or in its own context of a remote Chromium (`--browser-ws`, spread over
//! several) — into one directory per product, then compared side by side
//! ([`crate::compare::products`]). One product's failure never stops the others.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use crate::error::AuditError;
use crate::gather::remote::RemoteEndpoint;

/// One product of a batch file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// How the comparison names it (default: its host).
    pub name: Option<String>,
    pub url: String,
    /// The value moment's words (`--value-text`).
    pub value_text: Option<String>,
    /// A journey file (`--journey`), relative to the batch file.
    pub journey: Option<PathBuf>,
    /// The test identity's e-mail template (`--email`).
    pub email: Option<String>,
    /// Check directories (`--checks`), relative to the batch file.
    #[serde(default)]
    pub checks: Vec<PathBuf>,
}

impl Product {
    /// The name the comparison shows: the given name, else the URL's host.
    pub fn label(&self) -> String {
        if let Some(n) = self.name.as_deref().filter(|n| !n.trim().is_empty()) {
            return n.trim().to_string();
        }
        url::Url::parse(&self.url)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .unwrap_or_else(|| self.url.clone())
    }

    /// A directory name for the product's reports: its label in lowercase ASCII.
    pub fn slug(&self) -> String {
        let text = crate::text::normalize(&self.label()).replace(' ', "-");
        if text.is_empty() {
            "product".to_string()
        } else {
            text
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchFile {
    #[serde(default)]
    product: Vec<Product>,
}

/// Reads a batch file: TOML with `[[product]]` tables (a `.toml` file), else one URL per
/// line (blank lines and `#` comments skipped). Relative paths in TOML are resolved
/// against the file's directory. A wrong file is invalid configuration naming its line.
pub fn read(path: &Path) -> Result<Vec<Product>, AuditError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AuditError::Config(format!(
            "cannot read the batch file {}: {e}",
            path.display()
        ))
    })?;
    let name = path.display().to_string();
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let products = if path.extension().is_some_and(|e| e == "toml") {
        let line_of = |offset: usize| crate::text::line_at(&text, offset);
        let file: BatchFile = toml::from_str(&text).map_err(|e| {
            AuditError::Config(match e.span() {
                Some(s) => format!("{name}:{}: {}", line_of(s.start), e.message().trim()),
                None => format!("{name}: {}", e.message().trim()),
            })
        })?;
        file.product
            .into_iter()
            .map(|mut p| {
                p.journey = p.journey.map(|j| base.join(j));
                p.checks = p.checks.into_iter().map(|c| base.join(c)).collect();
                p
            })
            .collect()
    } else {
        let mut products = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if line.contains(char::is_whitespace) {
                return Err(AuditError::Config(format!(
                    "{name}:{}: one URL per line, got \"{line}\"",
                    i + 1
                )));
            }
            products.push(Product {
                url: line.to_string(),
                ..Product::default()
            });
        }
        products
    };
    if products.is_empty() {
        return Err(AuditError::Config(format!(
            "{name} lists no product (one URL per line, or [[product]] tables in a .toml file)"
        )));
    }
    // Two products may not share a directory.
    let mut seen = std::collections::HashSet::new();
    for p in &products {
        if !seen.insert(p.slug()) {
            return Err(AuditError::Config(format!(
                "{name}: two products are named \"{}\"; give them distinct names",
                p.label()
            )));
        }
    }
    Ok(products)
}

/// What happened to one product.
pub struct Outcome {
    pub product: Product,
    pub dir: PathBuf,
    /// The report, or why there is none.
    pub result: Result<crate::report::Report, String>,
    /// The error that kept the audit from running fully, if any (the report may exist).
    pub fatal: Option<String>,
}

/// The remote browsers a batch spreads its products over (`--browser-ws` given more than
/// once). A product starting goes to the browser with the fewest products running on it;
/// of those, to the one that has had the fewest so far, then the first given.
pub struct Endpoints {
    /// Each endpoint with the products running on it and the products it has had.
    load: Mutex<Vec<(RemoteEndpoint, usize, usize)>>,
}

impl Endpoints {
    pub fn new(endpoints: Vec<RemoteEndpoint>) -> Arc<Endpoints> {
        Arc::new(Endpoints {
            load: Mutex::new(endpoints.into_iter().map(|e| (e, 0, 0)).collect()),
        })
    }

    /// How many remote browsers there are.
    pub fn count(&self) -> usize {
        self.load.lock().map_or(0, |l| l.len())
    }

    /// The endpoint for a product about to start, held until the lease is dropped; None
    /// when there are no endpoints (each product launches its own Chromium).
    pub fn lease(self: &Arc<Self>) -> Option<Lease> {
        let mut load = self.load.lock().unwrap_or_else(|p| p.into_inner());
        let (index, slot) = load
            .iter_mut()
            .enumerate()
            .min_by_key(|(i, (_, running, used))| (*running, *used, *i))?;
        slot.1 += 1;
        slot.2 += 1;
        Some(Lease {
            endpoints: self.clone(),
            index,
            endpoint: slot.0.clone(),
        })
    }
}

/// One product's hold on a remote browser.
pub struct Lease {
    endpoints: Arc<Endpoints>,
    index: usize,
    endpoint: RemoteEndpoint,
}

impl Lease {
    pub fn endpoint(&self) -> &RemoteEndpoint {
        &self.endpoint
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let mut load = self
            .endpoints
            .load
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = load.get_mut(self.index) {
            slot.1 = slot.1.saturating_sub(1);
        }
    }
}

/// Runs every product, `jobs` at a time; `audit_one` audits one product into its
/// directory. Results come back in the file's order.
pub async fn run<F, Fut>(
    products: Vec<Product>,
    out: &Path,
    jobs: usize,
    audit_one: F,
) -> Vec<Outcome>
where
    F: Fn(Product, PathBuf) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Outcome> + Send + 'static,
{
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let audit_one = Arc::new(audit_one);
    let mut handles = Vec::new();
    for p in products {
        let dir = out.join(p.slug());
        let permits = permits.clone();
        let audit_one = audit_one.clone();
        handles.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            audit_one(p, dir).await
        }));
    }
    let mut outcomes = Vec::new();
    for h in handles {
        if let Ok(o) = h.await {
            outcomes.push(o);
        }
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoints(n: usize) -> Arc<Endpoints> {
        Endpoints::new(
            (0..n)
                .map(|i| {
                    RemoteEndpoint::parse(&format!("ws://10.0.0.{i}:9222/devtools/browser/b"))
                        .unwrap()
                })
                .collect(),
        )
    }

    fn host(lease: &Lease) -> String {
        lease.endpoint().display()[5..13].to_string()
    }

    #[test]
    fn products_running_together_go_to_different_browsers() {
        let e = endpoints(2);
        let a = e.lease().unwrap();
        let b = e.lease().unwrap();
        let c = e.lease().unwrap();
        assert_eq!(
            [host(&a), host(&b), host(&c)],
            ["10.0.0.0", "10.0.0.1", "10.0.0.0"]
        );
    }

    #[test]
    fn one_at_a_time_the_browsers_take_turns() {
        let e = endpoints(3);
        let mut hosts = Vec::new();
        for _ in 0..4 {
            let lease = e.lease().unwrap();
            hosts.push(host(&lease));
        }
        assert_eq!(hosts, ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.0"]);
    }

    #[test]
    fn a_browser_freed_early_takes_the_next_product() {
        let e = endpoints(2);
        let a = e.lease().unwrap();
        let b = e.lease().unwrap();
        drop(b);
        let c = e.lease().unwrap();
        // 10.0.0.1 is idle again while 10.0.0.0 still runs a product.
        assert_eq!(host(&c), "10.0.0.1");
        drop(a);
    }

    #[test]
    fn no_endpoints_means_no_lease() {
        assert!(endpoints(0).lease().is_none());
    }

    #[test]
    fn a_url_list_skips_blank_lines_and_comments() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("products.txt");
        std::fs::write(
            &file,
            "# competitors\nhttps://a.example\n\nhttps://b.example/  # ours\n",
        )
        .unwrap();
        let products = read(&file).unwrap();
        let urls: Vec<&str> = products.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(urls, ["https://a.example", "https://b.example/"]);
        assert_eq!(products[1].label(), "b.example");
    }

    #[test]
    fn a_toml_file_gives_per_product_settings_relative_to_itself() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("products.toml");
        std::fs::write(
            &file,
            "[[product]]\nname = \"Acme\"\nurl = \"https://acme.example\"\nvalue_text = \"Your first board\"\njourney = \"acme.journey.toml\"\n",
        )
        .unwrap();
        let products = read(&file).unwrap();
        assert_eq!(products[0].label(), "Acme");
        assert_eq!(products[0].slug(), "acme");
        assert_eq!(
            products[0].journey,
            Some(dir.path().join("acme.journey.toml"))
        );
    }

    #[test]
    fn a_wrong_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("products.txt");
        std::fs::write(&file, "https://a.example\nnot a url\n").unwrap();
        let e = read(&file).err().unwrap().to_string();
        assert_eq!(
            e,
            format!(
                "invalid configuration: {}:2: one URL per line, got \"not a url\"",
                file.display()
            )
        );
    }
}
