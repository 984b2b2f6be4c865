//! Journey files: scripted steps for what heuristics cannot guess, measured like any
//! other step. TOML, one `[[step]]` table per step, each with one of:
//!
//! ```toml
//! [[step]]
//! click = "Start free"                 # a link or button, by its text
//! [[step]]
//! fill = { field = "Workspace name", value = "Acme QA" }   # by label or name; {email} and {password} expand
//! [[step]]
//! choose = { field = "Team size", option = "11-50" }        # a select option or radio button
//! [[step]]
//! click_selector = "button.create-board"                   # a CSS selector
//! [[step]]
//! wait_for_text = "Welcome aboard"     # waits (bounded by --step-timeout) until the text shows
//! [[step]]
//! submit = true                        # fill the form on screen with the test identity and submit it
//! ```
//!
//! After the last step the heuristic walk carries on to the value moment, unless the file
//! says `stop_after = true` at the top.

use std::path::Path;

use serde::Deserialize;

use crate::error::AuditError;

#[derive(Debug, Clone, PartialEq)]
pub struct JourneyScript {
    pub steps: Vec<ScriptStep>,
    /// End the journey after the last scripted step.
    pub stop_after: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScriptStep {
    Click { text: String },
    ClickSelector { selector: String },
    Fill { field: String, value: String },
    Choose { field: String, option: String },
    WaitForText { text: String },
    Submit,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    stop_after: bool,
    #[serde(default)]
    step: Vec<RawStep>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawStep {
    click: Option<String>,
    click_selector: Option<String>,
    fill: Option<FieldValue>,
    choose: Option<FieldOption>,
    wait_for_text: Option<String>,
    submit: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldValue {
    field: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldOption {
    field: String,
    option: String,
}

impl JourneyScript {
    pub fn load(path: &Path) -> Result<JourneyScript, AuditError> {
        let text = std::fs::read_to_string(path).map_err(|e| AuditError::Input {
            what: path.display().to_string(),
            reason: e.to_string(),
        })?;
        JourneyScript::parse(&text)
            .map_err(|e| AuditError::Config(format!("journey file {}: {e}", path.display())))
    }

    pub fn parse(text: &str) -> Result<JourneyScript, String> {
        let file: File = toml::from_str(text).map_err(|e| match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}: {}", e.message())
            }
            None => e.message().to_string(),
        })?;
        let mut steps = Vec::new();
        for (i, raw) in file.step.into_iter().enumerate() {
            let n = i + 1;
            let mut found = Vec::new();
            if let Some(text) = raw.click {
                found.push(ScriptStep::Click { text });
            }
            if let Some(selector) = raw.click_selector {
                found.push(ScriptStep::ClickSelector { selector });
            }
            if let Some(f) = raw.fill {
                found.push(ScriptStep::Fill {
                    field: f.field,
                    value: f.value,
                });
            }
            if let Some(c) = raw.choose {
                found.push(ScriptStep::Choose {
                    field: c.field,
                    option: c.option,
                });
            }
            if let Some(text) = raw.wait_for_text {
                found.push(ScriptStep::WaitForText { text });
            }
            if raw.submit == Some(true) {
                found.push(ScriptStep::Submit);
            }
            match found.len() {
                1 => steps.push(found.remove(0)),
                0 => return Err(format!("step {n} says nothing to do (use click, click_selector, fill, choose, wait_for_text or submit)")),
                _ => return Err(format!("step {n} says more than one thing to do; give each its own [[step]]")),
            }
        }
        if steps.is_empty() {
            return Err("it has no [[step]]".into());
        }
        Ok(JourneyScript {
            steps,
            stop_after: file.stop_after,
        })
    }
}

/// The error for a scripted step that cannot be carried out.
pub fn missing(index: usize, what: &str) -> AuditError {
    AuditError::StepFailed {
        reason: format!("journey file step {}: {what}", index + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journey_file_reads_in_order() {
        let s = JourneyScript::parse(
            r#"
            [[step]]
            click = "Start free"
            [[step]]
            fill = { field = "Workspace name", value = "Acme" }
            [[step]]
            choose = { field = "Team size", option = "11-50" }
            [[step]]
            submit = true
            "#,
        )
        .unwrap();
        assert_eq!(
            s.steps,
            vec![
                ScriptStep::Click {
                    text: "Start free".into()
                },
                ScriptStep::Fill {
                    field: "Workspace name".into(),
                    value: "Acme".into()
                },
                ScriptStep::Choose {
                    field: "Team size".into(),
                    option: "11-50".into()
                },
                ScriptStep::Submit,
            ]
        );
        assert!(!s.stop_after);
    }

    #[test]
    fn a_step_with_two_actions_is_refused() {
        let e =
            JourneyScript::parse("[[step]]\nclick = \"A\"\nwait_for_text = \"B\"\n").unwrap_err();
        assert_eq!(
            e,
            "step 1 says more than one thing to do; give each its own [[step]]"
        );
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let e =
            JourneyScript::parse("[[step]]\nclick = \"A\"\n\n[[step]]\ntap = \"B\"\n").unwrap_err();
        assert!(e.starts_with("line 5: unknown field `tap`"), "{e}");
    }
}
