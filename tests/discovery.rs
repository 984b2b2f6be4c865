//! Site discovery on realistic fixture products: every page found, with its role.

mod common;

use common::{audit, fixture, out_dir, page_roles, report};

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

fn expect(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    sorted(
        pairs
            .iter()
            .map(|(p, r)| (p.to_string(), r.to_string()))
            .collect(),
    )
}

#[test]
fn a_freemium_product_with_pricing_under_plans_is_mapped() {
    let site = fixture("freemium");
    let out = out_dir();
    let o = audit(site.url(), out.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let r = report(out.path());
    assert_eq!(
        sorted(page_roles(&r, site.url())),
        expect(&[
            ("/", "home"),
            ("/plans", "pricing"),
            ("/join", "signup"),
            ("/signin", "login"),
            ("/templates", "templates"),
            ("/integrations", "integrations"),
            ("/developers", "api"),
            ("/help", "docs"),
            ("/security", "security"),
            ("/privacy", "legal"),
            ("/terms", "legal"),
            ("/blog", "blog"),
            ("/features", "other"),
        ])
    );
}

#[test]
fn a_sales_led_product_has_no_signup_page() {
    let site = fixture("saleslead");
    let out = out_dir();
    let o = audit(site.url(), out.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let r = report(out.path());
    assert_eq!(
        sorted(page_roles(&r, site.url())),
        expect(&[
            ("/", "home"),
            ("/pricing", "pricing"),
            ("/login", "login"),
            ("/platform/integrations", "integrations"),
            ("/security", "security"),
            ("/legal/privacy", "legal"),
            ("/legal/terms", "legal"),
            ("/resources/blog", "blog"),
            ("/contact", "other"),
            ("/platform", "other"),
            ("/solutions", "other"),
            ("/customers", "other"),
            ("/company", "other"),
            ("/demo", "other"),
        ])
    );
    assert_eq!(r["site"]["missing"], serde_json::json!(["signup"]));
}

#[test]
fn a_client_rendered_app_is_read_from_the_browser() {
    let site = fixture("spa");
    let out = out_dir();
    let o = audit(site.url(), out.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let r = report(out.path());
    assert_eq!(
        sorted(page_roles(&r, site.url())),
        expect(&[
            ("/", "home"),
            ("/pricing", "pricing"),
            ("/signup", "signup"),
            ("/login", "login"),
            ("/integrations", "integrations"),
            ("/docs", "docs"),
            ("/terms", "legal"),
            ("/privacy", "legal"),
        ])
    );
    let pricing = r["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "pricing")
        .unwrap();
    assert_eq!(pricing["rendered"], true);
    // The plans arrive by fetch() after a skeleton: the settle-wait saw them.
    let reason = pricing["role_reason"].as_str().unwrap();
    assert!(reason.contains("3 prices with billing periods"), "{reason}");
}

#[test]
fn max_pages_bounds_the_crawl_and_pricing_comes_first() {
    let site = fixture("freemium");
    let out = out_dir();
    let o = audit(site.url(), out.path(), &["--max-pages", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let r = report(out.path());
    assert_eq!(
        page_roles(&r, site.url()),
        vec![
            ("/".to_string(), "home".to_string()),
            ("/plans".to_string(), "pricing".to_string()),
            ("/join".to_string(), "signup".to_string()),
        ]
    );
}

#[test]
fn third_party_hosts_are_recorded_though_they_never_answer() {
    let site = fixture("freemium");
    let out = out_dir();
    let o = audit(site.url(), out.path(), &["--max-pages", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let r = report(out.path());
    assert_eq!(
        r["third_party_hosts"],
        serde_json::json!(["cdn.segment.com", "widget.intercom.io"])
    );
}
