//! Text normalisation: the one way page text is made comparable with keyword tables.
//!
//! Link texts, headings and labels arrive with accents, odd dashes, nbsp and case.
//! [`normalize`] folds them to lowercase ASCII words separated by single spaces, so
//! "Get started — it's FREE" and "get started it s free" compare equal, and German,
//! French, Spanish and Portuguese keywords can be written without accents.

/// Lowercase ASCII words separated by single spaces.
pub fn normalize(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut out = String::with_capacity(ascii.len());
    let mut pending_space = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// The 1-based line of a byte offset in `text` (for `file:line` messages).
pub fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Whitespace collapsed to single spaces and trimmed, otherwise unchanged (for display).
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether normalized `text` contains normalized `phrase` as whole words.
pub fn has_phrase(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let padded = format!(" {text} ");
    padded.contains(&format!(" {phrase} "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_case_accents_and_punctuation() {
        assert_eq!(
            normalize("Get started — it's FREE!"),
            "get started it s free"
        );
        assert_eq!(
            normalize("Kostenlos  registrieren"),
            "kostenlos registrieren"
        );
        assert_eq!(normalize("Créer un compte"), "creer un compte");
        assert_eq!(normalize("Começar grátis"), "comecar gratis");
        assert_eq!(normalize("\u{a0}Prix\u{a0}"), "prix");
    }

    #[test]
    fn phrases_match_whole_words_only() {
        assert!(has_phrase("start free trial", "free trial"));
        assert!(!has_phrase("freedom trial", "free"));
        assert!(has_phrase("api", "api"));
        assert!(!has_phrase("capital", "api"));
    }
}
