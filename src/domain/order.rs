//! Orders: the states an order moves through and which moves are allowed,
//! and the idempotency key that makes a double submission place one order.

use std::fmt;

/// `awaiting_payment → paid → shipped → delivered`, and `cancelled` from
/// the first two.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    AwaitingPayment,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("unknown order status")]
    UnknownStatus,
    #[error("an order cannot go from {from} to {to}")]
    BadTransition { from: OrderStatus, to: OrderStatus },
    #[error("the checkout key is not valid; please reload the cart and try again")]
    BadKey,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::AwaitingPayment,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
    ];

    pub fn parse(text: &str) -> Result<Self, OrderError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or(OrderError::UnknownStatus)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingPayment => "awaiting_payment",
            Self::Paid => "paid",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::AwaitingPayment => "Awaiting payment",
            Self::Paid => "Paid",
            Self::Shipped => "Shipped",
            Self::Delivered => "Delivered",
            Self::Cancelled => "Cancelled",
        }
    }

    /// The states this one may move to.
    pub fn next_states(self) -> &'static [OrderStatus] {
        match self {
            Self::AwaitingPayment => &[Self::Paid, Self::Cancelled],
            Self::Paid => &[Self::Shipped, Self::Cancelled],
            Self::Shipped => &[Self::Delivered],
            Self::Delivered | Self::Cancelled => &[],
        }
    }

    /// Checks a move; the only way to get a new status for an order.
    pub fn transition(self, to: OrderStatus) -> Result<OrderStatus, OrderError> {
        if self.next_states().contains(&to) {
            Ok(to)
        } else {
            Err(OrderError::BadTransition { from: self, to })
        }
    }

    /// Cancelling gives the stock back.
    pub fn returns_stock(self) -> bool {
        self == Self::Cancelled
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client-chosen key for one checkout: 16–64 of `A-Z a-z 0-9 - _`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(text: &str) -> Result<Self, OrderError> {
        let text = text.trim();
        let ok = (16..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(OrderError::BadKey)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    #[test]
    fn orders_move_forward_or_get_cancelled_early() {
        assert_eq!(AwaitingPayment.transition(Paid), Ok(Paid));
        assert_eq!(Paid.transition(Shipped), Ok(Shipped));
        assert_eq!(Shipped.transition(Delivered), Ok(Delivered));
        assert_eq!(AwaitingPayment.transition(Cancelled), Ok(Cancelled));
        assert_eq!(Paid.transition(Cancelled), Ok(Cancelled));
        for (from, to) in [
            (AwaitingPayment, Shipped),
            (AwaitingPayment, Delivered),
            (Shipped, Cancelled),
            (Delivered, Cancelled),
            (Cancelled, Paid),
            (Delivered, AwaitingPayment),
            (Paid, Paid),
        ] {
            assert!(from.transition(to).is_err(), "{from} -> {to}");
        }
    }

    #[test]
    fn statuses_round_trip_and_unknown_ones_fail() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Ok(s));
        }
        assert!(OrderStatus::parse("refunded").is_err());
    }

    #[test]
    fn keys_are_bounded_plain_tokens() {
        assert!(IdempotencyKey::parse("0123456789abcdef").is_ok());
        assert!(IdempotencyKey::parse(&"a".repeat(64)).is_ok());
        for bad in [
            "",
            "short",
            &"a".repeat(65),
            "0123456789abcde'",
            "0123456789 abcdef",
        ] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
    }
}
