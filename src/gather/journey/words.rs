//! The words the journey reads, loaded once from `checks/signals/journey.toml` (compiled
//! into the binary) so that a consultant can read and extend them without touching the
//! logic that uses them.
//!
//! Every phrase is normalised like page text ([`crate::text::normalize`]) and matched as
//! whole words; a `*` in a phrase stands for one to three words ("no * yet").

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::text::{has_phrase, normalize};

const SOURCE: &str = include_str!("../../../checks/signals/journey.toml");

/// A list of phrases, normalised, in their file order (earlier is stronger).
#[derive(Debug, Clone, Default)]
pub struct Phrases {
    items: Vec<Phrase>,
}

#[derive(Debug, Clone)]
struct Phrase {
    text: String,
    /// For phrases with a wildcard.
    pattern: Option<Regex>,
}

impl<'de> Deserialize<'de> for Phrases {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Vec::<String>::deserialize(d)?;
        let mut items = Vec::with_capacity(raw.len());
        for r in raw {
            let words: Vec<String> = r.split('*').map(normalize).collect::<Vec<_>>();
            let text = words
                .iter()
                .filter(|w| !w.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" * ");
            let pattern = if words.len() > 1 {
                let body = words
                    .iter()
                    .map(|w| regex::escape(w))
                    .collect::<Vec<_>>()
                    .join(r"(?: \S+){1,3} ");
                let body = body.replace("  ", " ");
                Some(
                    Regex::new(&format!(r"(?:^| ){}(?: |$)", body.trim()))
                        .map_err(serde::de::Error::custom)?,
                )
            } else {
                None
            };
            items.push(Phrase { text, pattern });
        }
        Ok(Phrases { items })
    }
}

impl Phrases {
    /// The first phrase (in file order) that `text` (normalised) contains, with its rank.
    pub fn first_in(&self, text: &str) -> Option<(usize, &str)> {
        self.items
            .iter()
            .enumerate()
            .find(|(_, p)| p.found_in(text))
            .map(|(i, p)| (i, p.text.as_str()))
    }

    /// Whether `text` (normalised) contains any phrase as whole words.
    pub fn any_in(&self, text: &str) -> bool {
        self.first_in(text).is_some()
    }

    /// The first phrase that is the whole of `text` (normalised) or its first words:
    /// "Skip for now" is a skip, "Continue with Google" is no "continue" (the caller
    /// filters social sign-in), "Start from scratch" starts.
    pub fn leads(&self, text: &str) -> Option<(usize, &str)> {
        self.items
            .iter()
            .enumerate()
            .find(|(_, p)| {
                p.pattern.is_none() && (text == p.text || text.starts_with(&format!("{} ", p.text)))
            })
            .map(|(i, p)| (i, p.text.as_str()))
    }

    /// Whether the whole of `text` (normalised) is one of the phrases.
    pub fn is(&self, text: &str) -> bool {
        self.items.iter().any(|p| p.text == text)
    }

    /// The phrases as written (normalised), for the page-side scripts.
    pub fn texts(&self) -> Vec<&str> {
        self.items.iter().map(|p| p.text.as_str()).collect()
    }
}

impl Phrase {
    fn found_in(&self, text: &str) -> bool {
        match &self.pattern {
            Some(re) => re.is_match(text),
            None => has_phrase(text, &self.text),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyWords {
    pub signup: SignupWords,
    pub login: Table,
    pub demo: Table,
    pub waitlist: Table,
    pub onboarding: OnboardingWords,
    pub create: CreateWords,
    pub commit: CommitWords,
    pub result: ResultWords,
    pub walls: WallWords,
    pub consent: ConsentWords,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub phrases: Phrases,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignupWords {
    pub strong: Phrases,
    pub weak: Phrases,
    pub paths: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnboardingWords {
    #[serde(rename = "continue")]
    pub continue_: Phrases,
    pub skip: Phrases,
    pub with_email: Phrases,
    pub cues: Phrases,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWords {
    pub verbs: Phrases,
    pub first: Phrases,
    pub never: Phrases,
    pub empty_state: Phrases,
    pub templates: Phrases,
    pub sample_data: Phrases,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitWords {
    pub words: Phrases,
    pub cancel: Phrases,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultWords {
    pub success: Phrases,
    pub unsaved: Phrases,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WallWords {
    pub check_inbox: Phrases,
    pub on_the_list: Phrases,
    pub captcha: Phrases,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentWords {
    pub max_text_chars: usize,
    pub topic: Phrases,
    pub platforms: Vec<String>,
    pub reject: Phrases,
    pub accept: Phrases,
    pub close: Phrases,
}

/// The journey's words, parsed on first use.
pub fn words() -> &'static JourneyWords {
    static WORDS: LazyLock<JourneyWords> = LazyLock::new(|| {
        toml::from_str(SOURCE).unwrap_or_else(|e| {
            panic!("checks/signals/journey.toml, compiled into plg-audit, is invalid: {e}")
        })
    });
    &WORDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_words_parse() {
        let w = words();
        assert!(w.signup.strong.any_in("start for free"));
        assert_eq!(
            w.onboarding.skip.leads("skip for now").map(|m| m.1),
            Some("skip")
        );
    }

    #[test]
    fn a_wildcard_stands_for_one_to_three_words() {
        let w = words();
        assert!(w.create.empty_state.any_in("no projects yet"));
        assert!(w.create.empty_state.any_in("you have no shared boards yet"));
        assert!(w.create.empty_state.any_in("no client records here yet"));
        assert!(!w.create.empty_state.any_in("no"));
    }

    #[test]
    fn phrases_are_normalised_like_page_text() {
        let w = words();
        // Written "s inscrire" in the file, read from "S'inscrire" on a page.
        assert!(w.signup.strong.any_in(&normalize("S'inscrire")));
        assert!(w.create.first.any_in(&normalize("Ersten Kunden anlegen")));
        assert!(w.create.verbs.any_in(&normalize("Ersten Kunden anlegen")));
    }
}
