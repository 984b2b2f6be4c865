//! How long a person would take: the Keystroke-Level Model (Card, Moran & Newell), over
//! the steps the journey actually took, plus the waits it measured.
//!
//! Per step: one mental preparation (deciding what to do), pointing at the control and
//! clicking it, then the page's own wait (the step's measured machine time). Per typed
//! field: point, click, move the hand to the keyboard, one keystroke per character, and
//! back to the mouse. Per ticked box: point and click. Per option chosen (or file picked
//! in a file dialog): a decision, then point and click to open the list and again to pick.

use crate::artifacts::{Input, JourneyArtifact, StepRecord};

/// Seconds per keystroke (an average typist, ~40 words per minute).
pub const KEYSTROKE: f64 = 0.28;
/// Seconds to point at a target with the mouse.
pub const POINT: f64 = 1.1;
/// Seconds to press a mouse button.
pub const CLICK: f64 = 0.2;
/// Seconds to move a hand between mouse and keyboard.
pub const HAND: f64 = 0.4;
/// Seconds of mental preparation per decision.
pub const MENTAL: f64 = 1.35;

/// Estimated seconds for a person to walk the same journey.
pub fn human_seconds(journey: &JourneyArtifact) -> f64 {
    // Folded from +0.0: `sum` of no f64 is -0.0, which shows as "-0 s".
    journey
        .steps
        .iter()
        .map(step_seconds)
        .fold(0.0, |a, b| a + b)
}

/// Estimated seconds for a person to take one step: deciding, pointing and clicking, the
/// page's measured wait, and filling the step's controls.
pub fn step_seconds(step: &StepRecord) -> f64 {
    let action = MENTAL + POINT + CLICK + step.ms as f64 / 1000.0;
    let inputs: f64 = step
        .inputs
        .iter()
        .map(|input| match input {
            Input::Text { chars } => POINT + CLICK + HAND + *chars as f64 * KEYSTROKE + HAND,
            Input::Check => POINT + CLICK,
            // Decide which file, then pick it and confirm in the dialog.
            Input::Select | Input::File => MENTAL + 2.0 * (POINT + CLICK),
        })
        .sum();
    action + inputs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{FieldCount, Outcome, StepAction};

    fn step(ms: u64, inputs: Vec<Input>) -> StepRecord {
        StepRecord {
            n: 1,
            screen: None,
            action: StepAction::Submit,
            label: String::new(),
            url_before: String::new(),
            url_after: String::new(),
            fields: FieldCount::default(),
            inputs,
            ms,
            screenshot: None,
            notes: Vec::new(),
            html_file: None,
            globals: Vec::new(),
            filled: Vec::new(),
        }
    }

    /// A journey of these steps with this outcome; everything else empty.
    fn journey(outcome: Outcome, steps: Vec<StepRecord>) -> JourneyArtifact {
        JourneyArtifact {
            outcome,
            reason: String::new(),
            entry: None,
            sso_providers: Vec::new(),
            reached_value: outcome == Outcome::Completed,
            steps,
            blocker: None,
            email: String::new(),
            offered: Vec::new(),
            would_submit: None,
            overlay_ms: 0,
            navigation_ms: 0,
            requests: Vec::new(),
            value: None,
            prechecked_opt_in: None,
            empty_state: None,
        }
    }

    #[test]
    fn a_click_and_a_typed_field_add_up_as_the_model_says() {
        let journey = journey(
            Outcome::Completed,
            vec![
                step(500, vec![]),
                step(1000, vec![Input::Text { chars: 10 }, Input::Check]),
            ],
        );
        // Step 1: M + P + C + 0.5 s wait = 3.15; step 2: 2.65 + 1.0 wait
        // + typing (P + C + H + 10 K + H = 4.9) + a tick (P + C = 1.3) = 9.85.
        let expected = 3.15 + 9.85;
        assert!(
            (human_seconds(&journey) - expected).abs() < 1e-9,
            "{}",
            human_seconds(&journey)
        );
    }

    #[test]
    fn a_journey_stopped_before_its_first_step_takes_zero_seconds_not_minus_zero() {
        let seconds = human_seconds(&journey(Outcome::SalesGated, Vec::new()));
        assert_eq!(format!("{seconds:.0}"), "0");
    }
}
