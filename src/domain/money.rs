//! Money in integer minor units with its currency; never floating point.

use std::fmt;

/// Why an amount or a currency was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount must not be negative")]
    Negative,
    #[error("amount too large")]
    Overflow,
    #[error("enter an amount like 12.50")]
    BadAmount,
    #[error("currency must be three capital letters")]
    BadCurrency,
    #[error("amounts in different currencies")]
    CurrencyMismatch,
}

/// A non-negative amount in minor units (cents).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct PriceCents(i64);

impl PriceCents {
    pub const ZERO: Self = Self(0);

    pub fn new(cents: i64) -> Result<Self, MoneyError> {
        if cents < 0 {
            Err(MoneyError::Negative)
        } else {
            Ok(Self(cents))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// Parses a price as typed in a form: `12`, `12.5`, `12.50` (a comma
    /// works as the decimal mark too), at most 10 000 000.00.
    pub fn parse_decimal(text: &str) -> Result<Self, MoneyError> {
        let text = text.trim().replace(',', ".");
        let (major, minor) = text.split_once('.').unwrap_or((&text, ""));
        let digits_ok = !major.is_empty()
            && major.len() <= 8
            && major.bytes().all(|b| b.is_ascii_digit())
            && minor.len() <= 2
            && minor.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok {
            return Err(if text.starts_with('-') {
                MoneyError::Negative
            } else {
                MoneyError::BadAmount
            });
        }
        let major: i64 = major.parse().map_err(|_| MoneyError::BadAmount)?;
        let minor: i64 = if minor.is_empty() {
            0
        } else {
            format!("{minor:0<2}")
                .parse()
                .map_err(|_| MoneyError::BadAmount)?
        };
        let cents = major * 100 + minor;
        if cents > 1_000_000_000 {
            return Err(MoneyError::Overflow);
        }
        Self::new(cents)
    }

    /// `12.50`: the amount as a form shows it.
    pub fn to_decimal(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }

    pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(Self)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_mul(self, factor: u32) -> Result<Self, MoneyError> {
        self.0
            .checked_mul(i64::from(factor))
            .map(Self)
            .ok_or(MoneyError::Overflow)
    }
}

/// An ISO 4217 code such as `EUR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const EUR: Self = Self(*b"EUR");

    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        match code.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => Ok(Self([*a, *b, *c])),
            _ => Err(MoneyError::BadCurrency),
        }
    }

    pub fn code(&self) -> &str {
        // Built only from three ASCII capitals, so always valid UTF-8.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    fn symbol(&self) -> Option<&'static str> {
        match &self.0 {
            b"EUR" => Some("€"),
            b"USD" => Some("$"),
            b"GBP" => Some("£"),
            _ => None,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount with its currency, as shown to shoppers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    pub amount: PriceCents,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: PriceCents, currency: Currency) -> Self {
        Self { amount, currency }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch);
        }
        Ok(Money::new(
            self.amount.checked_add(other.amount)?,
            self.currency,
        ))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = self.amount.get();
        let (major, minor) = (cents / 100, cents % 100);
        let mut grouped = String::new();
        let digits = major.to_string();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        match self.currency.symbol() {
            Some(symbol) => write!(f, "{symbol}{grouped}.{minor:02}"),
            None => write!(f, "{grouped}.{minor:02} {}", self.currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(cents: i64) -> Money {
        Money::new(PriceCents::new(cents).expect("non-negative"), Currency::EUR)
    }

    #[test]
    fn amounts_are_shown_with_symbol_grouping_and_two_decimals() {
        assert_eq!(eur(0).to_string(), "€0.00");
        assert_eq!(eur(1999).to_string(), "€19.99");
        assert_eq!(eur(123_456_705).to_string(), "€1,234,567.05");
        let chf = Money::new(
            PriceCents::new(500).expect("ok"),
            Currency::parse("CHF").expect("ok"),
        );
        assert_eq!(chf.to_string(), "5.00 CHF");
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(PriceCents::new(-1), Err(MoneyError::Negative));
        let max = PriceCents::new(i64::MAX).expect("ok");
        assert_eq!(
            max.checked_add(PriceCents::new(1).expect("ok")),
            Err(MoneyError::Overflow)
        );
        assert_eq!(max.checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(eur(150).checked_add(eur(250)), Ok(eur(400)));
        let usd = Money::new(PriceCents::ZERO, Currency::parse("USD").expect("ok"));
        assert_eq!(eur(1).checked_add(usd), Err(MoneyError::CurrencyMismatch));
    }

    #[test]
    fn prices_parse_from_forms() {
        assert_eq!(
            PriceCents::parse_decimal("12").map(PriceCents::get),
            Ok(1200)
        );
        assert_eq!(
            PriceCents::parse_decimal("12.5").map(PriceCents::get),
            Ok(1250)
        );
        assert_eq!(
            PriceCents::parse_decimal(" 12,05 ").map(PriceCents::get),
            Ok(1205)
        );
        for bad in [
            "",
            "-1",
            "1.234",
            "abc",
            "1e3",
            "99999999999",
            "1.2.3",
            ".5",
        ] {
            assert!(PriceCents::parse_decimal(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            PriceCents::new(1205).map(PriceCents::to_decimal),
            Ok("12.05".to_owned())
        );
    }

    #[test]
    fn currency_codes_are_three_capitals() {
        for bad in ["", "eur", "EURO", "E1R", "€€"] {
            assert!(Currency::parse(bad).is_err(), "{bad:?}");
        }
    }
}
