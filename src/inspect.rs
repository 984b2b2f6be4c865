//! `plg-audit forms`: the forms on one page, explained — so a user can see why a flow
//! did or did not go through. A URL is rendered in Chromium (computed visibility); a
//! saved HTML file is read statically. Both go through the one forms model.

use std::path::Path;

use serde::Serialize;

use crate::error::AuditError;
use crate::forms::{read_forms, FormRegion};
use crate::gather::browser::{Browser, BrowserConfig};
use crate::gather::fill::read_live_forms;
use crate::gather::site::{parse_target, Site};

/// Where the page comes from.
pub enum PageSource {
    File(std::path::PathBuf),
    Url(url::Url),
}

/// A path that exists, or that names an .html/.htm file, is a file; anything else a URL.
pub fn page_source(arg: &str) -> Result<PageSource, AuditError> {
    let path = Path::new(arg);
    let looks_like_file = path.exists()
        || (!arg.contains("://")
            && path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm")));
    if looks_like_file {
        return Ok(PageSource::File(path.to_path_buf()));
    }
    parse_target(arg).map(PageSource::Url)
}

/// Reads and classifies the forms of `source`.
pub fn forms_of(
    source: &PageSource,
    browser: &BrowserConfig,
) -> Result<Vec<FormRegion>, AuditError> {
    match source {
        PageSource::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| AuditError::Input {
                what: path.display().to_string(),
                reason: e.to_string(),
            })?;
            let html = String::from_utf8_lossy(&bytes);
            let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            let url = url::Url::from_file_path(&absolute)
                .unwrap_or_else(|_| url::Url::parse("file:///page.html").expect("valid URL"));
            Ok(read_forms(&html, &url))
        }
        PageSource::Url(url) => {
            let browser = Browser::launch(browser.clone())?;
            let site = Site::new(url.clone());
            let page = browser.open_page(site.host_filter())?;
            let visit = page.visit(url.as_str())?;
            if let Some(doc) = &visit.document {
                if doc.status >= 400 {
                    return Err(AuditError::PageStatus {
                        url: doc.url.clone(),
                        status: doc.status,
                    });
                }
            }
            read_live_forms(&page)
        }
    }
}

#[derive(Serialize)]
struct JsonForms<'a> {
    forms: Vec<JsonForm<'a>>,
}

#[derive(Serialize)]
struct JsonForm<'a> {
    index: Option<usize>,
    kind: &'static str,
    fields: Vec<JsonField<'a>>,
}

#[derive(Serialize)]
struct JsonField<'a> {
    name: Option<&'a str>,
    #[serde(rename = "type")]
    field_type: &'static str,
    required: bool,
    visible: bool,
}

/// `{"forms": [{"index", "kind", "fields": [{"name", "type", "required", "visible"}]}]}`.
pub fn to_json(forms: &[FormRegion]) -> String {
    let doc = JsonForms {
        forms: forms
            .iter()
            .map(|f| JsonForm {
                index: f.index,
                kind: f.kind.as_str(),
                fields: f
                    .fields
                    .iter()
                    .map(|x| JsonField {
                        name: x.name.as_deref(),
                        field_type: x.field_type.as_str(),
                        required: x.required,
                        visible: x.visible,
                    })
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).expect("forms always serialise")
}

/// The readable table: one block per form, one line per field, with the reasons.
pub fn to_table(forms: &[FormRegion]) -> String {
    if forms.is_empty() {
        return "No forms on this page.\n".to_string();
    }
    let mut out = String::new();
    for (n, form) in forms.iter().enumerate() {
        let origin = match form.index {
            Some(i) => format!("<form> #{i}"),
            None => "inputs outside any <form>".to_string(),
        };
        let target = form
            .action
            .as_deref()
            .map(|a| format!(", {} {a}", form.method.to_uppercase()))
            .unwrap_or_default();
        out.push_str(&format!(
            "Form {} — {} ({origin}{target})\n",
            n + 1,
            form.kind.as_str()
        ));
        out.push_str(&format!("  why: {}\n", form.kind_reason));
        if let Some(h) = &form.heading {
            out.push_str(&format!("  heading: {h}\n"));
        }
        match &form.submit {
            Some(s) => out.push_str(&format!("  submit: \"{}\"\n", s.text)),
            None => out.push_str("  submit: none found\n"),
        }
        let rows: Vec<[String; 5]> = form
            .fields
            .iter()
            .map(|f| {
                [
                    f.name.clone().unwrap_or_else(|| "(no name)".into()),
                    f.field_type.as_str().to_string(),
                    f.required_reason
                        .as_ref()
                        .map_or("no".into(), |r| format!("yes: {r}")),
                    if f.visible { "yes".into() } else { "no".into() },
                    if f.label.is_empty() {
                        f.reason.clone()
                    } else {
                        format!("\"{}\" — {}", f.label, f.reason)
                    },
                ]
            })
            .collect();
        let headers = ["field", "type", "required", "visible", "label — why"];
        let widths: Vec<usize> = (0..4)
            .map(|c| {
                rows.iter()
                    .map(|r| r[c].chars().count())
                    .chain([headers[c].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: [&str; 5]| {
            let mut l = String::from("  ");
            for c in 0..4 {
                l.push_str(&format!("{:<w$}  ", cells[c], w = widths[c]));
            }
            l.push_str(cells[4]);
            l.trim_end().to_string() + "\n"
        };
        out.push_str(&line(headers));
        for r in &rows {
            out.push_str(&line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
        }
        out.push('\n');
    }
    out
}
