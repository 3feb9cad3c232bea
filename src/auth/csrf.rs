//! CSRF tokens, of two kinds, compared in constant time:
//! - a session's synchronizer token, 256 random bits, for every session
//!   that holds one (all signed-in ones);
//! - for a visitor without one, the browser's own secret (256 random bits
//!   in the cookie [`BROWSER_COOKIE`]) sealed with the shop's key: a
//!   signed double-submit token that costs no session, so looking at a
//!   page with a form writes nothing on the server. Only the shop can make
//!   one, and it works only beside the cookie it was made for.
//!
//! The check itself runs for every state-changing method in `http::csrf`.

use base64::Engine as _;
use subtle::ConstantTimeEq as _;

use crate::auth::totp::SecretBox;

/// The cookie with the browser's CSRF secret (`Secure; HttpOnly;
/// SameSite=Lax; Path=/`, no Domain).
pub const BROWSER_COOKIE: &str = "__Host-webstore-csrf";

/// What the sealed secret says, so a sealed value made for another purpose
/// never passes as a token.
const PURPOSE: &[u8] = b"webstore csrf v1:";

/// Whether a cookie value looks like a secret this shop hands out.
pub fn is_browser_secret(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The token a visitor's forms carry: `secret` sealed with the shop's key.
pub fn browser_token(secrets: &SecretBox, secret: &str) -> anyhow::Result<String> {
    let sealed = secrets.seal(&[PURPOSE, secret.as_bytes()].concat())?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed))
}

/// Whether `given` is a token this shop made for the browser secret
/// `secret`.
pub fn browser_token_matches(secrets: &SecretBox, secret: &str, given: &str) -> bool {
    let Ok(sealed) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(given) else {
        return false;
    };
    let Ok(plain) = secrets.open(&sealed) else {
        return false;
    };
    let expected = [PURPOSE, secret.as_bytes()].concat();
    !secret.is_empty() && plain.len() == expected.len() && bool::from(plain.ct_eq(&expected))
}

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

    #[test]
    fn a_browser_token_works_only_beside_its_own_cookie_and_only_from_this_shop() {
        let dir = tempfile::tempdir().expect("dir");
        let ours = SecretBox::load(None, dir.path()).expect("key");
        let other_dir = tempfile::tempdir().expect("dir");
        let theirs = SecretBox::load(None, other_dir.path()).expect("key");
        let secret = new_token();
        assert!(is_browser_secret(&secret));
        assert!(!is_browser_secret("short"));
        assert!(!is_browser_secret(&format!("{}!", &secret[..42])));

        let token = browser_token(&ours, &secret).expect("token");
        assert!(browser_token_matches(&ours, &secret, &token));
        assert_ne!(
            token,
            browser_token(&ours, &secret).expect("token"),
            "fresh each time"
        );
        assert!(
            !browser_token_matches(&ours, &new_token(), &token),
            "another cookie"
        );
        assert!(
            !browser_token_matches(&theirs, &secret, &token),
            "another shop's key"
        );
        assert!(
            !browser_token_matches(&ours, &secret, &secret),
            "the cookie itself"
        );
        assert!(!browser_token_matches(&ours, &secret, "not base64 !"));
        let mut tampered = token.into_bytes();
        tampered[40] = if tampered[40] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("ascii");
        assert!(!browser_token_matches(&ours, &secret, &tampered));
        // A value sealed for something else is no token.
        let sealed = ours.seal(secret.as_bytes()).expect("sealed");
        let unrelated = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed);
        assert!(!browser_token_matches(&ours, &secret, &unrelated));
    }
}
