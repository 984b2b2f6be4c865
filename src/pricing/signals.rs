//! The pricing words of `checks/signals/pricing.toml`, embedded in the binary and parsed
//! once, with the regular expressions built from them compiled once.
//!
//! Phrases are kept as token sequences (see [`tokens`]): the project's normalisation
//! (`crate::text::normalize`: no accents, lowercase, punctuation as spaces) plus "/" and
//! "+" kept as words, because in a price line "/mo" and "+ $0.10 per GB" mean something.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use super::CtaKind;

const SOURCE: &str = include_str!("../../checks/signals/pricing.toml");

/// The parsed signals, ready to use.
pub static SIGNALS: LazyLock<Signals> =
    LazyLock::new(|| Signals::parse(SOURCE).expect("checks/signals/pricing.toml is valid"));

/// A phrase as a sequence of normalised words.
pub type Phrase = Vec<String>;

/// Everything a pricing page is read by.
pub struct Signals {
    /// Currency signs (as written) and their ISO codes, longest sign first.
    pub signs: Vec<(String, String)>,
    /// ISO codes recognised beside an amount.
    pub codes: Vec<String>,
    /// Codes of currencies written "$".
    pub dollars: Vec<String>,
    /// Statements of the page's currency; group `code`.
    pub currency_statements: Vec<Regex>,
    /// One price: an amount with its sign or code before (`pre`, `n1`) or after (`n2`, `post`).
    pub price: Regex,
    pub connectors: Vec<Phrase>,
    pub month: Vec<Phrase>,
    pub year: Vec<Phrase>,
    pub monthly: Vec<Phrase>,
    pub yearly: Vec<Phrase>,
    pub one_time: Vec<Phrase>,
    pub billed_annually: Vec<Phrase>,
    pub billed_monthly: Vec<Phrase>,
    pub seat: Vec<Phrase>,
    pub usage: Vec<Phrase>,
    pub quantities: Vec<Phrase>,
    pub free_price: Vec<String>,
    pub custom_price: Vec<String>,
    pub starting_at: Vec<Phrase>,
    pub highlight_words: Vec<String>,
    pub highlight_classes: Vec<String>,
    /// Button words and link paths per kind, in the order kinds are tried.
    pub cta: Vec<(CtaKind, Vec<String>, Vec<String>)>,
    pub trial_words: Vec<String>,
    pub trial_negations: Vec<String>,
    /// Trial lengths; groups `n` (a number) and `unit` (a time word).
    pub trial_lengths: Vec<Regex>,
    pub time_units: HashMap<String, u32>,
    pub numbers: HashMap<String, u32>,
    pub reverse_trial: Vec<Regex>,
    pub annual_words: Vec<String>,
    /// Stated annual discounts; group `p` (percent).
    pub annual_percent: Vec<Regex>,
    /// Stated annual discounts in free months; group `m`.
    pub annual_months: Vec<Regex>,
    pub enterprise_names: Vec<String>,
    pub switch_monthly: Vec<String>,
    pub switch_annual: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    version: u32,
    currency: CurrencyFile,
    period: PeriodFile,
    billing: BillingFile,
    unit: UnitFile,
    price: PriceFile,
    highlight: HighlightFile,
    cta: CtaFile,
    trial: TrialFile,
    reverse_trial: PatternsFile,
    annual: AnnualFile,
    enterprise: EnterpriseFile,
    switch: SwitchFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CurrencyFile {
    signs: Vec<SignFile>,
    codes: Vec<String>,
    dollars: Vec<String>,
    statements: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignFile {
    sign: String,
    code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodFile {
    connectors: Vec<String>,
    month: Vec<String>,
    year: Vec<String>,
    monthly: Vec<String>,
    yearly: Vec<String>,
    one_time: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BillingFile {
    annual: Vec<String>,
    monthly: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitFile {
    seat: Vec<String>,
    usage: Vec<String>,
    quantities: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceFile {
    free: Vec<String>,
    custom: Vec<String>,
    starting_at: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HighlightFile {
    words: Vec<String>,
    classes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CtaFile {
    contact_sales: CtaWords,
    waitlist: CtaWords,
    trial: CtaWords,
    signup: CtaWords,
    buy: CtaWords,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CtaWords {
    words: Vec<String>,
    paths: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrialFile {
    words: Vec<String>,
    negations: Vec<String>,
    patterns: Vec<String>,
    units: HashMap<String, u32>,
    numbers: HashMap<String, u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternsFile {
    patterns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnnualFile {
    words: Vec<String>,
    percent: Vec<String>,
    months: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnterpriseFile {
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SwitchFile {
    monthly: Vec<String>,
    annual: Vec<String>,
}

/// Why the signals file could not be used (only a broken build can hit this: the file is
/// embedded, and a unit test parses it).
#[derive(Debug, thiserror::Error)]
pub enum SignalsError {
    #[error("checks/signals/pricing.toml does not parse: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("checks/signals/pricing.toml: the pattern '{pattern}' is not a valid regular expression: {reason}")]
    Pattern { pattern: String, reason: String },
}

/// Words of `text`, normalised like [`crate::text::normalize`], with "/" and "+" kept as
/// words and digit groups joined ("1,000" is one word, "1000").
pub fn tokens(text: &str) -> Vec<String> {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let chars: Vec<char> = ascii.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
            continue;
        }
        // A thousands separator: digits before, exactly three digits after.
        let group = |k: usize| chars.get(i + k).is_some_and(|d| d.is_ascii_digit());
        let joins_digits = matches!(c, ',' | '.')
            && !word.is_empty()
            && word.chars().all(|d| d.is_ascii_digit())
            && group(1)
            && group(2)
            && group(3)
            && !group(4);
        if joins_digits {
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if matches!(c, '/' | '+') {
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Whether `words` starts with `phrase`.
pub fn starts_with(words: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && words.len() >= phrase.len() && words[..phrase.len()] == *phrase
}

/// The longest of `phrases` that `words` starts with.
pub fn longest_prefix<'a>(words: &[String], phrases: &'a [Phrase]) -> Option<&'a Phrase> {
    phrases
        .iter()
        .filter(|p| starts_with(words, p))
        .max_by_key(|p| p.len())
}

fn phrases(list: &[String]) -> Vec<Phrase> {
    let mut out: Vec<Phrase> = list
        .iter()
        .map(|p| tokens(p))
        .filter(|p| !p.is_empty())
        .collect();
    out.sort_by_key(|p| std::cmp::Reverse(p.len()));
    out.dedup();
    out
}

fn normalized(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = list
        .iter()
        .map(|w| crate::text::normalize(w))
        .filter(|w| !w.is_empty())
        .collect();
    out.sort_by_key(|w| std::cmp::Reverse(w.len()));
    out.dedup();
    out
}

/// `a|b|c` of the keys of `map`, longest first, for a regex alternation.
fn alternation<'a>(words: impl Iterator<Item = &'a String>) -> String {
    let mut words: Vec<&String> = words.collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words
        .iter()
        .map(|w| regex::escape(w))
        .collect::<Vec<_>>()
        .join("|")
}

fn compile(pattern: &str) -> Result<Regex, SignalsError> {
    Regex::new(pattern).map_err(|e| SignalsError::Pattern {
        pattern: pattern.to_string(),
        reason: e.to_string(),
    })
}

impl Signals {
    pub fn parse(source: &str) -> Result<Signals, SignalsError> {
        let file: File = toml::from_str(source)?;

        let mut signs: Vec<(String, String)> = file
            .currency
            .signs
            .iter()
            .map(|s| (s.sign.clone(), s.code.to_ascii_uppercase()))
            .collect();
        signs.sort_by_key(|(s, _)| std::cmp::Reverse(s.chars().count()));
        let codes: Vec<String> = file
            .currency
            .codes
            .iter()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let sign_alt = alternation(signs.iter().map(|(s, _)| s));
        let code_alt = alternation(codes.iter());
        // A thousands group never starts with 0 ("0.004" is a decimal); decimals go to four
        // places for metered prices. "49.–" has no cents.
        let number = r"[1-9]\d{0,2}(?:[.,\u{a0}\u{202f}\u{2009}'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,4})?";
        let no_cents = r"(?:[.,]\s?[-–—]{1,2})?";
        let price = compile(&format!(
            r"(?i)(?:(?P<pre>{sign_alt}|\b(?:{code_alt})\b)\s?(?P<n1>{number}){no_cents}|(?P<n2>{number}){no_cents}\s?(?P<post>{sign_alt}|\b(?:{code_alt})\b))"
        ))?;

        let code_words: Vec<String> = codes.iter().map(|c| c.to_ascii_lowercase()).collect();
        let currency_statements = file
            .currency
            .statements
            .iter()
            .map(|s| {
                let pattern = crate::text::normalize(&s.replace("{code}", "CODEPLACEHOLDER"))
                    .replace(
                        "codeplaceholder",
                        &format!("(?P<code>{})", code_words.join("|")),
                    );
                compile(&format!(r"\b{pattern}\b"))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let numbers = file.trial.numbers.clone();
        let time_units = file.trial.units.clone();
        let n_alt = format!(r"(?P<n>\d+|{})", alternation(numbers.keys()));
        let unit_alt = format!("(?P<unit>{})", alternation(time_units.keys()));
        let fill = |p: &str| {
            p.replace("{n}", &n_alt)
                .replace("{unit}", &unit_alt)
                .replace("{m}", &n_alt.replace("?P<n>", "?P<m>"))
                .replace("{p}", r"(?P<p>\d{1,2}) percent")
        };
        let regexes = |list: &[String]| -> Result<Vec<Regex>, SignalsError> {
            list.iter()
                .map(|p| compile(&format!(r"\b(?:{})\b", fill(p))))
                .collect()
        };

        let kinds = [
            (CtaKind::ContactSales, &file.cta.contact_sales),
            (CtaKind::Waitlist, &file.cta.waitlist),
            (CtaKind::Trial, &file.cta.trial),
            (CtaKind::Signup, &file.cta.signup),
            (CtaKind::Buy, &file.cta.buy),
        ];
        Ok(Signals {
            signs,
            codes,
            dollars: file
                .currency
                .dollars
                .iter()
                .map(|c| c.to_ascii_uppercase())
                .collect(),
            currency_statements,
            price,
            connectors: phrases(&file.period.connectors),
            month: phrases(&file.period.month),
            year: phrases(&file.period.year),
            monthly: phrases(&file.period.monthly),
            yearly: phrases(&file.period.yearly),
            one_time: phrases(&file.period.one_time),
            billed_annually: phrases(&file.billing.annual),
            billed_monthly: phrases(&file.billing.monthly),
            seat: phrases(&file.unit.seat),
            usage: phrases(&file.unit.usage),
            quantities: phrases(&file.unit.quantities),
            free_price: normalized(&file.price.free),
            custom_price: normalized(&file.price.custom),
            starting_at: phrases(&file.price.starting_at),
            highlight_words: normalized(&file.highlight.words),
            highlight_classes: file
                .highlight
                .classes
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect(),
            cta: kinds
                .iter()
                .map(|(kind, w)| (*kind, normalized(&w.words), w.paths.clone()))
                .collect(),
            trial_words: normalized(&file.trial.words),
            trial_negations: normalized(&file.trial.negations),
            trial_lengths: regexes(&file.trial.patterns)?,
            time_units,
            numbers,
            reverse_trial: regexes(&file.reverse_trial.patterns)?,
            annual_words: normalized(&file.annual.words),
            annual_percent: regexes(&file.annual.percent)?,
            annual_months: regexes(&file.annual.months)?,
            enterprise_names: normalized(&file.enterprise.names),
            switch_monthly: normalized(&file.switch.monthly),
            switch_annual: normalized(&file.switch.annual),
        })
    }

    /// The ISO code a sign or code written beside an amount stands for.
    pub fn currency_of(&self, written: &str) -> Option<&str> {
        let trimmed = written.trim();
        self.signs
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(trimmed))
            .map(|(_, c)| c.as_str())
            .or_else(|| {
                self.codes
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(trimmed))
                    .map(String::as_str)
            })
    }

    /// A number word or digits as a number.
    pub fn number(&self, word: &str) -> Option<u32> {
        word.parse()
            .ok()
            .or_else(|| self.numbers.get(word).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_signals_parse() {
        let s = Signals::parse(SOURCE).unwrap();
        assert!(s.signs.len() > 10);
        assert_eq!(s.signs[0].0.chars().count(), 3, "longest sign first");
        assert_eq!(s.cta[0].0, CtaKind::ContactSales);
    }

    #[test]
    fn tokens_keep_slashes_and_join_digit_groups() {
        assert_eq!(
            tokens("per user / month, billed annually"),
            vec!["per", "user", "/", "month", "billed", "annually"]
        );
        assert_eq!(tokens("/user/mo"), vec!["/", "user", "/", "mo"]);
        assert_eq!(tokens("per 1,000 events"), vec!["per", "1000", "events"]);
        assert_eq!(
            tokens("pro Nutzer/Monat"),
            vec!["pro", "nutzer", "/", "monat"]
        );
        assert_eq!(
            tokens("+ $0.10 per GB"),
            vec!["+", "0", "10", "per", "gb"],
            "a sign is no word; the decimal point of an amount after it splits"
        );
    }

    #[test]
    fn a_currency_statement_names_its_code() {
        let s = &SIGNALS;
        let text = crate::text::normalize("All prices in CAD, excluding taxes.");
        let caps = s
            .currency_statements
            .iter()
            .find_map(|r| r.captures(&text))
            .unwrap();
        assert_eq!(&caps["code"], "cad");
    }
}
