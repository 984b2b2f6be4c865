//! The built-in demo product: "Tasklane", a realistic SaaS marketing site with pricing,
//! signup, a short onboarding and an app with an empty state, compiled into the binary
//! so `plg-audit demo` works offline on a fresh machine.
//!
//! [`server`] serves it (and the test fixtures, which use the same format).

pub mod server;

use include_dir::{include_dir, Dir};

use server::SiteSource;

static DEMO_SITE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/src/demo/site");

/// The demo product's files.
pub fn demo_site() -> SiteSource {
    SiteSource::Embedded(&DEMO_SITE)
}
