//! What each journey screen leaves behind for the audit: its HTML (as
//! `pages/journey-NN.html`), the globals its scripts defined, and the network requests
//! made on the way to it. Discovery records the same for the site's pages; with these,
//! growth mechanics seen in the app and tools loaded only on the signup or billing screens
//! are judged from saved artifacts like everything else.
//!
//! Recording only: nothing here knows what a vendor or a mechanic is.

use crate::artifacts::{Artifacts, JourneyRequest};
use crate::gather::browser::Page;
use crate::gather::{globals, ArtifactDir};

/// A journey screen as saved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScreenEvidence {
    /// Relative path of the saved HTML, when it could be read and written.
    pub html_file: Option<String>,
    pub globals: Vec<String>,
}

/// Saves the screen `page` shows after step `n` (annotated with the browser's visibility,
/// as the forms model reads it) and reads its globals. Failures lose only this evidence.
pub fn keep_screen(page: &Page, store: &ArtifactDir, n: usize) -> ScreenEvidence {
    if let Err(e) = page.evaluate::<u32>(crate::gather::live::ANNOTATOR) {
        tracing::debug!(error = %e, "could not annotate the screen before saving it");
    }
    let html_file = match page.html() {
        Ok(html) => {
            let mut scratch = Artifacts::default();
            store.save(
                &format!("pages/journey-{n:02}.html"),
                html.as_bytes(),
                &mut scratch,
            )
        }
        Err(e) => {
            tracing::debug!(error = %e, "could not read the screen's HTML");
            None
        }
    };
    ScreenEvidence {
        html_file,
        globals: globals::read(page),
    }
}

/// The requests made since the last call, attributed to step `step`.
pub fn take_requests(page: &Page, step: usize) -> Vec<JourneyRequest> {
    page.take_new_requests()
        .into_iter()
        .map(|request| JourneyRequest { step, request })
        .collect()
}
