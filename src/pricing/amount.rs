//! Prices as pages write them: "$1,200", "1.200 €", "29,99 €", "CHF 49.–", "¥1,980",
//! "R$ 49,90", "£12" — the amount as a number and the currency as an ISO code.
//!
//! A separator followed by exactly three digits groups thousands ("1.200 €" is twelve
//! hundred euros); followed by one, two or four digits it is the decimal point ("29,99",
//! "0.004"). When both appear, the last one is the decimal point ("1.234,50").

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::signals::SIGNALS;

/// An amount of money, written as an integer in JSON when it is whole.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Amount(pub f64);

impl Amount {
    pub fn value(self) -> f64 {
        self.0
    }

    /// Rounded to cents (a per-month price from a yearly one).
    pub fn cents(value: f64) -> Amount {
        Amount((value * 100.0).round() / 100.0)
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0.0
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        if v.fract() == 0.0 {
            write!(f, "{v:.0}")
        } else if (v * 100.0).fract().abs() < 1e-9 {
            write!(f, "{v:.2}")
        } else {
            let s = format!("{v:.4}");
            f.write_str(s.trim_end_matches('0'))
        }
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.fract() == 0.0 && v.abs() < 1e15 {
            s.serialize_i64(v as i64)
        } else {
            s.serialize_f64((v * 10_000.0).round() / 10_000.0)
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        f64::deserialize(d).map(Amount)
    }
}

/// One price written on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenPrice {
    pub amount: Amount,
    /// ISO 4217 code, or None when the sign stands for no currency known.
    pub currency: Option<String>,
    /// The sign or code as written ("$", "€", "CHF").
    pub sign: String,
    /// The whole price as written ("$1,200", "49.–").
    pub text: String,
    /// Byte range in the text it was found in.
    pub start: usize,
    pub end: usize,
}

/// Every price in `text`. `dollar` is the page's stated dollar currency (e.g. "CAD"), which
/// a bare "$" then stands for; otherwise "$" is US dollars.
pub fn find_prices(text: &str, dollar: Option<&str>) -> Vec<WrittenPrice> {
    let s = &*SIGNALS;
    s.price
        .captures_iter(text)
        .filter_map(|caps| {
            let whole = caps.get(0)?;
            let (sign, number) = match (caps.name("pre"), caps.name("n1")) {
                (Some(sign), Some(n)) => (sign.as_str(), n.as_str()),
                _ => (caps.name("post")?.as_str(), caps.name("n2")?.as_str()),
            };
            let amount = parse_number(number)?;
            let currency = match s.currency_of(sign) {
                Some("USD") if sign.trim() == "$" => Some(dollar.unwrap_or("USD").to_string()),
                Some(code) => Some(code.to_string()),
                None => None,
            };
            Some(WrittenPrice {
                amount: Amount(amount),
                currency,
                sign: sign.trim().to_string(),
                text: whole.as_str().trim().to_string(),
                start: whole.start(),
                end: whole.end(),
            })
        })
        .collect()
}

/// An amount as written, whatever the local conventions for thousands and decimals.
pub fn parse_number(written: &str) -> Option<f64> {
    let digits: String = written
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .collect();
    let separators: Vec<(usize, char)> = digits
        .char_indices()
        .filter(|(_, c)| matches!(c, '.' | ','))
        .collect();
    // Spaces and apostrophes only ever group thousands.
    let plain = |s: &str| -> Option<f64> { s.replace([',', '.'], "").parse().ok() };
    let Some(&(last_at, _)) = separators.last() else {
        return plain(&digits);
    };
    let kinds_used = separators
        .iter()
        .map(|(_, c)| *c)
        .collect::<std::collections::HashSet<_>>();
    let after_last = digits.len() - last_at - 1;
    // Both kinds: the last is the decimal point ("1.234,50"). One kind used more than once
    // ("1,000,000"), or once before exactly three digits ("1.200", never "0.004"): groups.
    let groups_only = kinds_used.len() == 1
        && (separators.len() > 1 || (after_last == 3 && !digits.starts_with('0')));
    let decimal_at = (!groups_only).then_some(last_at);
    match decimal_at {
        None => plain(&digits),
        Some(at) => {
            let whole = plain(&digits[..at]).unwrap_or(0.0);
            let fraction = &digits[at + 1..];
            let cents: f64 = if fraction.is_empty() {
                0.0
            } else {
                fraction.parse::<f64>().ok()? / 10f64.powi(fraction.len() as i32)
            };
            Some(whole + cents)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(f64, Option<String>)> {
        find_prices(text, None)
            .into_iter()
            .map(|p| (p.amount.0, p.currency))
            .collect()
    }

    fn one(text: &str) -> (f64, String) {
        let found = read(text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        let (a, c) = found[0].clone();
        (a, c.unwrap_or_default())
    }

    #[test]
    fn dollars_with_thousands_separators() {
        assert_eq!(one("$1,200"), (1200.0, "USD".into()));
        assert_eq!(one("$12"), (12.0, "USD".into()));
        assert_eq!(one("US$ 9.60"), (9.6, "USD".into()));
    }

    #[test]
    fn euros_with_decimal_commas_and_dotted_thousands() {
        assert_eq!(one("1.200 €"), (1200.0, "EUR".into()));
        assert_eq!(one("29,99 €"), (29.99, "EUR".into()));
        assert_eq!(one("ab 9,99\u{a0}€ pro Nutzer"), (9.99, "EUR".into()));
        assert_eq!(one("1.234,50 €"), (1234.5, "EUR".into()));
        assert_eq!(one("€0,25"), (0.25, "EUR".into()));
    }

    #[test]
    fn swiss_francs_without_cents() {
        assert_eq!(one("CHF 49.–"), (49.0, "CHF".into()));
        assert_eq!(one("CHF 1'200.–"), (1200.0, "CHF".into()));
    }

    #[test]
    fn yen_reais_pounds_and_rupees() {
        assert_eq!(one("¥1,980"), (1980.0, "JPY".into()));
        assert_eq!(one("R$ 49,90"), (49.9, "BRL".into()));
        assert_eq!(one("£12"), (12.0, "GBP".into()));
        assert_eq!(one("₹1,499"), (1499.0, "INR".into()));
    }

    #[test]
    fn codes_beside_amounts() {
        assert_eq!(one("49 USD"), (49.0, "USD".into()));
        assert_eq!(one("EUR 29"), (29.0, "EUR".into()));
    }

    #[test]
    fn metered_prices_keep_their_small_decimals() {
        assert_eq!(one("then $0.004 / minute"), (0.004, "USD".into()));
        assert_eq!(one("+ $0.10 per GB"), (0.1, "USD".into()));
    }

    #[test]
    fn a_page_stating_another_dollar_makes_bare_dollars_that_currency() {
        let found = find_prices("$29", Some("CAD"));
        assert_eq!(found[0].currency.as_deref(), Some("CAD"));
        let explicit = find_prices("US$29", Some("CAD"));
        assert_eq!(explicit[0].currency.as_deref(), Some("USD"));
    }

    #[test]
    fn numbers_without_money_are_no_prices() {
        assert!(read("Up to 1,500 contacts, 24/7 support, 99.9% uptime").is_empty());
        assert!(read("14-day free trial").is_empty());
    }

    #[test]
    fn whole_amounts_serialise_as_integers() {
        assert_eq!(serde_json::to_string(&Amount(12.0)).unwrap(), "12");
        assert_eq!(serde_json::to_string(&Amount(9.6)).unwrap(), "9.6");
        assert_eq!(Amount(9.6).to_string(), "9.60");
        assert_eq!(Amount(0.004).to_string(), "0.004");
        assert_eq!(Amount(1200.0).to_string(), "1200");
    }
}
