//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, one
//! lane). Hashing runs on the blocking pool so sign-ins never stall the
//! async workers. Unknown accounts are verified against a dummy hash, so a
//! wrong email costs the same time as a wrong password.

use std::sync::OnceLock;

use anyhow::Context as _;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    // 19 MiB, t=2, p=1: OWASP's recommended argon2id configuration.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (a fresh random salt each time), as a PHC string.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        argon2()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await
    .context("the hashing task")?
}

/// True when `password` matches `stored`; a malformed hash never matches.
pub async fn verify(password: String, stored: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .context("the verifying task")
}

/// Spends the time of one verification for an account that does not exist.
pub async fn verify_dummy(password: String) -> anyhow::Result<()> {
    let dummy = dummy_hash().await?;
    verify(password, dummy).await.map(|_| ())
}

async fn dummy_hash() -> anyhow::Result<String> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash.clone());
    }
    let secret: [u8; 24] = rand::random();
    let made = hash(base64_url(&secret)).await?;
    Ok(DUMMY.get_or_init(|| made).clone())
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ_by_salt() {
        let a = hash("correct horse battery staple".into())
            .await
            .expect("hash");
        let b = hash("correct horse battery staple".into())
            .await
            .expect("hash");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(
            verify("correct horse battery staple".into(), a.clone())
                .await
                .expect("verify")
        );
        assert!(!verify("wrong".into(), a).await.expect("verify"));
        assert!(
            !verify("x".into(), "not a hash".into())
                .await
                .expect("verify")
        );
        verify_dummy("anything".into()).await.expect("dummy");
    }
}
