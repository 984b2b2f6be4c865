//! One sentence for every command line plg-audit cannot use.
//!
//! The contract is one clear sentence per non-zero exit; clap's own errors are several
//! lines with usage blocks and tips. [`sentence`] reads what clap found (the flag, the
//! value given, what the value parser said it must be, a suggested spelling) and says it
//! the way `--max-pages 0` → "--max-pages must be between 1 and 500, got 0" does.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The one sentence (without the "plg-audit: " prefix) for a command line clap refused.
pub fn sentence(error: &clap::Error) -> String {
    let text = |kind: ContextKind| -> Option<String> {
        match error.get(kind)? {
            ContextValue::String(s) => Some(s.clone()),
            ContextValue::Strings(v) => Some(v.join(", ")),
            ContextValue::StyledStr(s) => Some(s.to_string()),
            ContextValue::StyledStrs(v) => Some(
                v.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            ContextValue::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let flag = text(ContextKind::InvalidArg).map(|a| flag_name(&a));
    let value = text(ContextKind::InvalidValue);
    match error.kind() {
        ErrorKind::ValueValidation => {
            let must = std::error::Error::source(error)
                .map(ToString::to_string)
                .unwrap_or_else(|| "is not valid".into());
            match (flag, value) {
                (Some(f), Some(v)) => format!("{f} {must}, got {}", shown(&v)),
                (Some(f), None) => format!("{f} {must}"),
                _ => must,
            }
        }
        ErrorKind::InvalidValue => {
            let valid = text(ContextKind::ValidValue);
            match (flag, value, valid) {
                (Some(f), Some(v), _) if v.is_empty() => format!("{f} needs a value"),
                (Some(f), Some(v), Some(valid)) => {
                    format!("{f} must be one of {valid}, got {}", shown(&v))
                }
                (Some(f), Some(v), None) => format!("{f} does not accept {}", shown(&v)),
                _ => first_line(error),
            }
        }
        ErrorKind::UnknownArgument => {
            let arg = text(ContextKind::InvalidArg).unwrap_or_default();
            let hint = match text(ContextKind::SuggestedArg) {
                Some(s) => format!(" (did you mean {}?)", flag_name(&s)),
                None => String::new(),
            };
            if arg.starts_with('-') {
                format!("there is no option {arg}{hint}; see plg-audit --help")
            } else {
                format!(
                    "unexpected argument {}{hint}; see plg-audit --help",
                    shown(&arg)
                )
            }
        }
        ErrorKind::InvalidSubcommand => {
            let given = text(ContextKind::InvalidSubcommand).unwrap_or_default();
            let hint = match text(ContextKind::SuggestedSubcommand) {
                Some(s) => format!(" (did you mean {s}?)"),
                None => String::new(),
            };
            format!(
                "there is no command {}{hint}; the commands are audit, demo, forms, doctor and schema",
                shown(&given)
            )
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = text(ContextKind::InvalidArg).unwrap_or_default();
            if missing.contains("<URL>") {
                "the audit needs the product's address, e.g. plg-audit audit https://example.com"
                    .into()
            } else if missing.contains("<PAGE>") {
                "forms needs a page: a URL or a saved .html file".into()
            } else {
                format!("{} is required; see plg-audit --help", flag_name(&missing))
            }
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "say what to do: audit, demo, forms, doctor or schema (see plg-audit --help)".into()
        }
        ErrorKind::ArgumentConflict => {
            let other = text(ContextKind::PriorArg).map(|p| flag_name(&p));
            match (flag, other) {
                (Some(a), Some(b)) => format!("{a} cannot be used with {b}"),
                _ => first_line(error),
            }
        }
        ErrorKind::NoEquals => match flag {
            Some(f) => format!("{f} needs its value after an equals sign ({f}=VALUE)"),
            None => first_line(error),
        },
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            match flag {
                Some(f) => format!("{f} takes one value"),
                None => first_line(error),
            }
        }
        _ => first_line(error),
    }
}

/// "--max-pages <N>" → "--max-pages".
fn flag_name(arg: &str) -> String {
    arg.split([' ', '='])
        .next()
        .unwrap_or(arg)
        .trim_matches(['\'', '"'])
        .to_string()
}

/// A value as typed, quoted when it could be misread (empty, or with spaces).
fn shown(value: &str) -> String {
    if value.is_empty() || value.contains(char::is_whitespace) {
        format!("'{value}'")
    } else {
        value.to_string()
    }
}

/// clap's own message, first line, without its "error: " prefix and styling.
fn first_line(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let line = rendered.lines().next().unwrap_or_default();
    line.strip_prefix("error: ")
        .unwrap_or(line)
        .trim()
        .to_string()
}

/// An I/O error in words, without the OS's error number ("(os error 2)").
pub fn io_words(error: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match error.kind() {
        K::NotFound => "it does not exist".into(),
        K::PermissionDenied => "permission denied".into(),
        K::IsADirectory => "it is a directory, not a file".into(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn refused(args: &[&str]) -> String {
        let mut argv = vec!["plg-audit"];
        argv.extend_from_slice(args);
        match crate::cli::Cli::try_parse_from(argv) {
            Ok(_) => panic!("{args:?} was accepted"),
            Err(e) => sentence(&e),
        }
    }

    #[test]
    fn a_value_out_of_range_names_the_flag_the_range_and_the_value() {
        assert_eq!(
            refused(&["audit", "example.com", "--max-pages", "0"]),
            "--max-pages must be between 1 and 500, got 0"
        );
    }

    #[test]
    fn a_negative_step_timeout_is_read_as_a_value_and_refused_in_one_sentence() {
        assert_eq!(
            refused(&["audit", "example.com", "--step-timeout", "-1"]),
            "--step-timeout must be a number of seconds between 0.5 and 600, got -1"
        );
    }

    #[test]
    fn an_unknown_flag_suggests_the_one_meant() {
        assert_eq!(
            refused(&["audit", "example.com", "--max-page", "3"]),
            "there is no option --max-page (did you mean --max-pages?); see plg-audit --help"
        );
    }

    #[test]
    fn a_missing_url_says_what_to_give() {
        assert_eq!(
            refused(&["audit"]),
            "the audit needs the product's address, e.g. plg-audit audit https://example.com"
        );
    }

    #[test]
    fn an_unknown_command_lists_the_commands() {
        assert_eq!(
            refused(&["audti", "example.com"]),
            "there is no command audti (did you mean audit?); the commands are audit, demo, forms, doctor and schema"
        );
    }

    #[test]
    fn io_errors_lose_their_os_numbers() {
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(io_words(&e), "it does not exist");
    }
}
