//! Audit: judging artifacts. Pure functions from what was gathered to findings — no
//! browser, no network, no files — so a saved run can be re-audited offline.
//!
//! It summarises the site map (which roles were found, which key pages a product-led
//! site is expected to have but does not show) and estimates a person's time on the
//! signup journey ([`klm`]). The checklist (`checks/`) builds on the same inputs.

pub mod klm;
pub mod product;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::artifacts::{Artifacts, PageRole};

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
