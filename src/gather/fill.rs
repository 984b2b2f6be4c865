//! Forms on a live page: reading them with computed visibility, filling them the way
//! frameworks expect, and submitting them — each a single round trip to the browser.
//!
//! Filling sets a field's value through the native setter (so React's and Vue's value
//! tracking sees a change) and fires input, change and blur; checkboxes and radios are
//! clicked; selects are set by value. No per-key typing.

use serde::{Deserialize, Serialize};

use super::browser::{Page, Pressed};
use super::live::ANNOTATOR;
use crate::error::AuditError;
use crate::forms::values::Action;
use crate::forms::{read_forms, FormRegion};

/// Reads the forms of the page as it is now, with computed visibility.
pub fn read_live_forms(page: &Page) -> Result<Vec<FormRegion>, AuditError> {
    page.evaluate::<u32>(ANNOTATOR)?;
    let html = page.html()?;
    let url = url::Url::parse(&page.url()).map_err(|e| AuditError::Browser {
        reason: format!("the page's address is not a URL: {e}"),
    })?;
    Ok(read_forms(&html, &url))
}

/// What became of one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filled {
    pub selector: String,
    /// The control holds the intended value afterwards.
    pub ok: bool,
    /// Why not, when it does not.
    pub problem: Option<String>,
}

const FILL: &str = r#"((actions) => {
  const setValue = (el, value) => {
    const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype
      : el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
    const setter = Object.getOwnPropertyDescriptor(proto, 'value').set;
    setter.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  };
  return actions.map((a) => {
    const el = document.querySelector(a.selector);
    if (!el) return { selector: a.selector, ok: false, problem: 'the control is gone from the page' };
    if (el.disabled) return { selector: a.selector, ok: false, problem: 'the control is disabled' };
    el.scrollIntoView({ block: 'center' });
    el.focus({ preventScroll: true });
    if (a.kind === 'text' || a.kind === 'select') {
      setValue(el, a.value);
    } else if (a.kind === 'check' && el.checked !== a.checked) {
      el.click();
    }
    el.dispatchEvent(new FocusEvent('blur'));
    el.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
    if (document.activeElement === el) el.blur();
    const ok = a.kind === 'check' ? el.checked === a.checked : el.value === a.value;
    return { selector: a.selector, ok, problem: ok ? null : 'the page did not keep the value' };
  });
})"#;

/// Carries out `actions` in one round trip and reports which stuck.
pub fn fill(page: &Page, actions: &[Action]) -> Result<Vec<Filled>, AuditError> {
    if actions.is_empty() {
        return Ok(Vec::new());
    }
    let json = serde_json::to_string(actions).map_err(|e| AuditError::Browser {
        reason: e.to_string(),
    })?;
    page.evaluate(&format!("{FILL}({json})"))
}

/// How a form was submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmittedBy {
    /// Its submit button was clicked.
    Button,
    /// form.requestSubmit(), for forms with no button.
    RequestSubmit,
}

const REQUEST_SUBMIT: &str = r#"((form) => {
  const f = form && document.querySelector(form);
  if (f && f.requestSubmit) { f.requestSubmit(); return 'request_submit'; }
  return null;
})"#;

/// Submits `form` like a person: a mouse click on its button (when a dialog or banner
/// covers the button, that is an error naming it: nobody could press it), else, for a
/// `<form>` whose button is hidden or missing, Enter (`requestSubmit`). Then waits for
/// the page to settle.
pub fn submit(page: &Page, form: &FormRegion) -> Result<SubmittedBy, AuditError> {
    if let Some(button) = &form.submit {
        match page.click(&button.selector)? {
            Pressed::Done => {
                page.settle_after_action();
                return Ok(SubmittedBy::Button);
            }
            Pressed::Covered(by) => {
                return Err(AuditError::StepFailed {
                    reason: format!(
                        "the button \"{}\" is covered by {by}, so nobody can press it",
                        crate::text::collapse_whitespace(&button.text)
                    ),
                })
            }
            Pressed::Hidden | Pressed::Gone => {}
        }
    }
    let form_selector = form.index.map(|_| form.selector.clone());
    let args = serde_json::to_string(&form_selector).map_err(|e| AuditError::Browser {
        reason: e.to_string(),
    })?;
    page.action_starting();
    let by: Option<SubmittedBy> = page.evaluate(&format!("{REQUEST_SUBMIT}({args})"))?;
    let by = by.ok_or_else(|| AuditError::Browser {
        reason: "the form has no button a person can press and is not a <form>".into(),
    })?;
    page.settle_after_action();
    Ok(by)
}
