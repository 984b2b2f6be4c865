//! Audit: judging artifacts. Pure functions from what was gathered to findings — no
//! browser, no network, no files — so a saved run can be re-audited offline.
//!
//! It summarises the site map (which roles were found, which key pages a product-led
//! site is expected to have but does not show) and estimates a person's time on the
//! signup journey ([`klm`]). The checklist (`checks/`) builds on the same inputs.
//!
//! Growth mechanics ([`mechanics`]) and the growth stack ([`stack`], with the vendor
//! catalogue in [`vendors`]) are read from the saved pages and journey screens too; the
//! caller hands in how to read a saved HTML file ([`SavedHtml`]), so judging stays free of
//! file access and a saved run can be judged again.

pub mod checklist;
pub mod klm;
pub mod mechanics;
pub mod product;
pub mod stack;
pub mod vendors;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::artifacts::{Artifacts, PageRole};
use crate::report::Report;
use checklist::facts::Facts;
use checklist::Checklist;

/// Reads a saved HTML file named in the artifacts (a path relative to the output
/// directory, e.g. `pages/01-home.html`); None when it cannot be read.
pub type SavedHtml<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Pages a self-serve product is expected to link from its public site.
const EXPECTED_ROLES: [PageRole; 3] = [PageRole::Pricing, PageRole::Signup, PageRole::Login];

/// What the site map shows at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteSummary {
    /// Pages found per role, in role order (a page with two roles counts for both).
    pub pages_by_role: BTreeMap<PageRole, usize>,
    /// Expected roles with no page.
    pub missing: Vec<PageRole>,
}

pub fn summarize(artifacts: &Artifacts) -> SiteSummary {
    let mut pages_by_role = BTreeMap::new();
    for page in &artifacts.pages {
        for role in page.all_roles() {
            *pages_by_role.entry(role).or_insert(0) += 1;
        }
    }
    let missing = EXPECTED_ROLES
        .iter()
        .copied()
        .filter(|r| !pages_by_role.contains_key(r))
        .collect();
    SiteSummary {
        pages_by_role,
        missing,
    }
}

/// Judges a report: growth mechanics and stack from the saved pages, then every check of
/// the checklist, the pillars' scores, the motion and the top fixes. Everything it needs
/// is in the artifacts and the files they name, so a saved run can be judged again.
pub fn judge(
    report: &mut Report,
    artifacts: &Artifacts,
    vendors: &vendors::VendorCatalogue,
    checklist: &Checklist,
    saved: SavedHtml,
) {
    report.mechanics = mechanics::detect(artifacts, saved);
    report.stack = stack::detect(artifacts, vendors, saved);
    report.checklist_version = Some(checklist.version.clone());
    // Without the home page there is nothing to judge: no check is guessed.
    if artifacts.home_url.is_none() || artifacts.pages.is_empty() {
        report.checks = Vec::new();
        report.scores = None;
        report.summary = None;
        return;
    }
    let facts = Facts::gather(report, artifacts, saved);
    let results = checklist::judge::judge_all(checklist, &facts);
    report.scores = Some(checklist::scores::score(checklist, &results));
    report.summary = Some(checklist::scores::Summary {
        motion: checklist::scores::motion(&facts),
        top_fixes: checklist::scores::top_fixes(checklist, &results),
    });
    report.checklist_version = Some(checklist.version.clone());
    report.checks = results;
}
