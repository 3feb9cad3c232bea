//! Cart rules: quantities per line, what a "set quantity" means, and what
//! a cart comes to (line totals, total, units) — the one sum the cart page,
//! the cart API and checkout all use.

use std::fmt;

use super::money::{Currency, Money, MoneyError, PriceCents};

/// Why a quantity was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("Choose a quantity from 1 to 99.")]
    OutOfRange,
    #[error("Enter a whole number.")]
    NotANumber,
}

/// Units of one product in a cart line; the contract allows 1..=99.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, serde::Serialize,
)]
#[serde(try_from = "i64", into = "u32")]
pub struct Quantity(u8);

impl Quantity {
    pub const MAX: u8 = 99;

    pub fn get(self) -> u32 {
        u32::from(self.0)
    }

    /// Parses form text: digits only (surrounding spaces allowed).
    pub fn parse(text: &str) -> Result<Self, QuantityError> {
        LineChange::parse(text).and_then(|change| match change {
            LineChange::Set(q) => Ok(q),
            LineChange::Remove => Err(QuantityError::OutOfRange),
        })
    }

    /// The largest quantity not above `limit` (and 99); `None` when nothing fits.
    pub fn capped(units: i64, limit: i64) -> Option<Self> {
        let n = units.min(limit).min(i64::from(Self::MAX));
        u8::try_from(n).ok().filter(|n| *n >= 1).map(Self)
    }
}

impl TryFrom<i64> for Quantity {
    type Error = QuantityError;
    fn try_from(n: i64) -> Result<Self, QuantityError> {
        match u8::try_from(n) {
            Ok(q) if (1..=Self::MAX).contains(&q) => Ok(Self(q)),
            _ => Err(QuantityError::OutOfRange),
        }
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.get()
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// "Set quantity" also accepts 0, which removes the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineChange {
    Remove,
    Set(Quantity),
}

impl LineChange {
    pub fn parse(text: &str) -> Result<Self, QuantityError> {
        let text = text.trim();
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(QuantityError::NotANumber);
        }
        if text.starts_with('-') {
            return Err(QuantityError::OutOfRange);
        }
        // Digits only, so a parse failure can only mean "too large".
        text.parse::<i64>()
            .map_err(|_| QuantityError::OutOfRange)
            .and_then(Self::from_number)
    }

    pub fn from_number(n: i64) -> Result<Self, QuantityError> {
        if n == 0 {
            Ok(Self::Remove)
        } else {
            Quantity::try_from(n).map(Self::Set)
        }
    }
}

/// What a cart comes to at current prices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartTotals {
    /// Unit price × quantity, one per line, in the order given.
    pub lines: Vec<Money>,
    /// The sum of the lines; zero euros for an empty cart.
    pub total: Money,
    /// Units in the cart.
    pub count: i64,
}

impl CartTotals {
    /// Sums `(unit price, quantity)` lines; an overflow or a second
    /// currency is an error, never a wrapped or mixed amount.
    pub fn of(lines: impl IntoIterator<Item = (Money, Quantity)>) -> Result<Self, MoneyError> {
        let mut totals = Vec::new();
        let mut total: Option<Money> = None;
        let mut count = 0;
        for (unit, quantity) in lines {
            let line = Money::new(unit.amount.checked_mul(quantity.get())?, unit.currency);
            total = Some(match total {
                None => line,
                Some(sum) => sum.checked_add(line)?,
            });
            count += i64::from(quantity.get());
            totals.push(line);
        }
        Ok(Self {
            lines: totals,
            total: total.unwrap_or(Money::new(PriceCents::ZERO, Currency::EUR)),
            count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(cents: i64) -> Money {
        Money::new(PriceCents::new(cents).expect("non-negative"), Currency::EUR)
    }

    fn units(n: i64) -> Quantity {
        Quantity::try_from(n).expect("1..=99")
    }

    #[test]
    fn totals_are_unit_prices_times_quantities() {
        let totals = CartTotals::of([(eur(250), units(3)), (eur(1999), units(1))]).expect("ok");
        assert_eq!(totals.lines, [eur(750), eur(1999)]);
        assert_eq!(totals.total, eur(2749));
        assert_eq!(totals.count, 4);
    }

    #[test]
    fn an_empty_cart_comes_to_zero() {
        let totals = CartTotals::of([]).expect("ok");
        assert!(totals.lines.is_empty());
        assert_eq!(totals.total, eur(0));
        assert_eq!(totals.count, 0);
    }

    #[test]
    fn overflow_and_mixed_currencies_are_errors() {
        let huge = eur(i64::MAX / 50);
        let half = eur(i64::MAX / 2 + 1);
        assert_eq!(
            CartTotals::of([(huge, units(99))]),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            CartTotals::of([(half, units(1)), (half, units(1))]),
            Err(MoneyError::Overflow)
        );
        let usd = Money::new(PriceCents::ZERO, Currency::parse("USD").expect("ok"));
        assert_eq!(
            CartTotals::of([(eur(1), units(1)), (usd, units(1))]),
            Err(MoneyError::CurrencyMismatch)
        );
    }

    #[test]
    fn quantities_are_1_to_99() {
        assert_eq!(Quantity::parse("1").map(Quantity::get), Ok(1));
        assert_eq!(Quantity::parse(" 99 ").map(Quantity::get), Ok(99));
        for bad in [
            "0",
            "100",
            "-1",
            "999999999999",
            "1.5",
            "",
            "abc",
            "1e2",
            "+1",
            "٣",
        ] {
            assert!(Quantity::parse(bad).is_err(), "{bad:?}");
        }
        assert!(serde_json::from_str::<Quantity>("100").is_err());
        assert!(serde_json::from_str::<Quantity>("0").is_err());
        assert_eq!(
            serde_json::from_str::<Quantity>("5")
                .map(Quantity::get)
                .ok(),
            Some(5)
        );
    }

    #[test]
    fn zero_removes_a_line() {
        assert_eq!(LineChange::parse("0"), Ok(LineChange::Remove));
        assert!(matches!(LineChange::parse("3"), Ok(LineChange::Set(q)) if q.get() == 3));
        assert_eq!(LineChange::parse("100"), Err(QuantityError::OutOfRange));
        assert_eq!(LineChange::parse("-2"), Err(QuantityError::OutOfRange));
    }

    #[test]
    fn capping_respects_stock_and_99() {
        assert_eq!(Quantity::capped(150, 1000).map(Quantity::get), Some(99));
        assert_eq!(Quantity::capped(10, 4).map(Quantity::get), Some(4));
        assert_eq!(Quantity::capped(10, 0), None);
    }
}
