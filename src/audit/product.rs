//! The product's name, as its own pages say it: the part of the page titles that every
//! page repeats ("Pricing · Tasklane", "Tasklane — Team task tracking" → "Tasklane"),
//! else the home page's title when it is short, else the site's host and port.

use std::collections::HashMap;

use crate::artifacts::Artifacts;

/// Separators sites put between a page's name and the product's.
const SEPARATORS: [char; 7] = ['|', '·', '•', '—', '–', ':', '-'];

/// The product's name and the site's address (`host` or `host:port`).
pub fn product_name(artifacts: &Artifacts) -> String {
    let titles: Vec<&str> = artifacts
        .pages
        .iter()
        .filter(|p| p.status < 400)
        .map(|p| p.title.as_str())
        .filter(|t| !t.trim().is_empty())
        .collect();
    let parts = |t: &str| -> Vec<String> {
        t.split(|c| SEPARATORS.contains(&c))
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty() && p.split_whitespace().count() <= 4)
            .collect()
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for t in &titles {
        let mut mine = parts(t);
        mine.dedup();
        for p in mine {
            *seen.entry(p).or_default() += 1;
        }
    }
    let home = titles.first().copied().unwrap_or_default();
    // The part most pages repeat, if the home page has it too.
    let shared = parts(home)
        .into_iter()
        .filter(|p| seen.get(p).copied().unwrap_or(0) >= 2)
        .max_by_key(|p| seen.get(p).copied().unwrap_or(0));
    if let Some(name) = shared.filter(|_| titles.len() >= 2) {
        return name;
    }
    // One page only: a short home title, or its first short part.
    if !home.is_empty() && home.split_whitespace().count() <= 3 {
        return home.trim().to_string();
    }
    parts(home)
        .into_iter()
        .next()
        .unwrap_or_else(|| site_address(artifacts))
}

/// `host:port` of the home page (the port only when the URL names one).
pub fn site_address(artifacts: &Artifacts) -> String {
    let url = artifacts.home_url.as_deref().unwrap_or(&artifacts.target);
    match url::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => url.to_string(),
        },
        Err(_) => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{PageArtifact, PageRole};

    fn page(title: &str) -> PageArtifact {
        PageArtifact {
            url: "http://127.0.0.1:4000/".into(),
            requested_url: None,
            role: PageRole::Other,
            roles: Vec::new(),
            role_reason: String::new(),
            status: 200,
            title: title.into(),
            rendered: false,
            text_chars: 0,
            links: Vec::new(),
            scripts: Vec::new(),
            requests: Vec::new(),
            html_file: None,
            screenshot: None,
            load_ms: 0,
            settle_ms: None,
            globals: Vec::new(),
            content_type: None,
        }
    }

    fn site(titles: &[&str]) -> Artifacts {
        Artifacts {
            target: "http://127.0.0.1:4000".into(),
            home_url: Some("http://127.0.0.1:4000/".into()),
            pages: titles.iter().map(|t| page(t)).collect(),
            ..Artifacts::default()
        }
    }

    #[test]
    fn the_part_every_title_repeats_is_the_product() {
        let a = site(&[
            "Tasklane — Team task tracking that stays out of the way",
            "Pricing · Tasklane",
            "Sign up · Tasklane",
        ]);
        assert_eq!(product_name(&a), "Tasklane");
    }

    #[test]
    fn a_short_home_title_names_a_one_page_product() {
        assert_eq!(product_name(&site(&["Label Studio"])), "Label Studio");
    }

    #[test]
    fn without_titles_the_site_address_with_its_port_names_it() {
        assert_eq!(product_name(&site(&[])), "127.0.0.1:4000");
        assert_eq!(site_address(&site(&[])), "127.0.0.1:4000");
    }
}
