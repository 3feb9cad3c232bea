//! CSRF synchronizer tokens: 256 random bits per session, compared in
//! constant time. The check itself runs for every state-changing method in
//! `http::csrf`.

use base64::Engine as _;
use subtle::ConstantTimeEq as _;

/// A fresh token: 32 bytes from the thread's CSPRNG, base64url.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Constant-time equality of the session's token and the one sent.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    !expected.is_empty()
        && expected.len() == given.len()
        && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_compared_exactly() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
        assert!(tokens_match(&a, &a.clone()));
        assert!(!tokens_match(&a, &a[..42]));
        assert!(!tokens_match(&a, &new_token()));
        assert!(!tokens_match("", ""));
    }
}
