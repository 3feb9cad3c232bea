//! Two-factor sign-in: TOTP secrets (RFC 6238, 6 digits, 30 s) encrypted at
//! rest with the shop's secret key (XChaCha20-Poly1305), one-time recovery
//! codes stored as hashes, and the QR code of the enrolment URI, drawn by
//! the shop itself as a PNG data URI (no third party sees the secret).

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest as _, Sha256};
use totp_rs::{Algorithm, Builder, Totp};

pub const KEY_FILE: &str = "secret.key";
const ISSUER: &str = "webstore";

/// Encrypts and decrypts small secrets with the shop's 256-bit key.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(***)")
    }
}

impl SecretBox {
    /// The key from `WEBSTORE_SECRET_KEY` (base64 of 32 bytes) when given —
    /// every instance of a cluster needs the same one — else from
    /// `DATA_DIR/secret.key`, made (mode 0600) on first use.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        let key = match configured {
            Some(text) => decode_key(text).context("invalid secret-key")?,
            None => {
                let path = data_dir.join(KEY_FILE);
                if path.exists() {
                    decode_key(&std::fs::read_to_string(&path)?)
                        .with_context(|| format!("reading {}", path.display()))?
                } else {
                    std::fs::create_dir_all(data_dir)?;
                    let key: [u8; 32] = rand::random();
                    let mut file = std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(&path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    file.write_all(
                        base64::engine::general_purpose::STANDARD
                            .encode(key)
                            .as_bytes(),
                    )?;
                    file.sync_all()?;
                    key
                }
            }
        };
        Ok(Self {
            cipher: XChaCha20Poly1305::new(&key.into()),
        })
    }

    /// nonce (24 random bytes) ‖ ciphertext.
    pub fn seal(&self, plain: &[u8]) -> anyhow::Result<Vec<u8>> {
        let nonce: [u8; 24] = rand::random();
        let mut out = nonce.to_vec();
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain)
            .map_err(|_| anyhow::anyhow!("encrypting a secret"))?;
        out.extend(sealed);
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        if sealed.len() < 24 {
            bail!("sealed secret too short");
        }
        let (nonce, body) = sealed.split_at(24);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| anyhow::anyhow!("a stored secret does not open with this key"))
    }
}

fn decode_key(text: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim()))
        .context("not base64")?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("must be 32 bytes"))
}

/// A fresh 160-bit TOTP secret.
pub fn new_secret() -> Vec<u8> {
    let bytes: [u8; 20] = rand::random();
    bytes.to_vec()
}

fn totp(secret: Vec<u8>, account: &str) -> anyhow::Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| anyhow::anyhow!("building the TOTP: {e}"))
}

/// `otpauth://totp/webstore:EMAIL?secret=…&issuer=webstore`
pub fn enrolment_uri(secret: &[u8], account: &str) -> anyhow::Result<String> {
    totp(secret.to_vec(), account)?
        .to_url()
        .map_err(|e| anyhow::anyhow!("the enrolment URI: {e}"))
}

/// The time step `code` belongs to, when it is the current code (one step
/// of clock skew allowed either way). A code is good once: the caller
/// accepts a step only if it is later than the last one accepted.
pub fn matching_step(secret: &[u8], account: &str, code: &str) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = totp(secret.to_vec(), account).ok()?.check_current(&code)?;
    i64::try_from(step).ok()
}

/// The code for now (tests, and the enrolment check).
pub fn current_code(secret: &[u8], account: &str) -> anyhow::Result<String> {
    Ok(totp(secret.to_vec(), account)?
        .generate_current()
        .to_string())
}

/// Eight one-time recovery codes, `xxxxx-xxxxx`.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..8)
        .map(|_| {
            let raw: [u8; 10] = rand::random();
            let chars: String = raw
                .iter()
                .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// Recovery codes are random, so a plain SHA-256 is enough to store them.
pub fn hash_recovery_code(code: &str) -> String {
    let normalised: String = code
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| *c != ' ')
        .collect();
    Sha256::digest(normalised.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The enrolment URI as a QR code PNG, as a `data:` URI for an `<img>`.
pub fn qr_data_uri(uri: &str) -> anyhow::Result<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).context("encoding the QR code")?;
    let width = code.width();
    let colors = code.to_colors();
    let scale = 6;
    let quiet = 4;
    let side = u32::try_from((width + 2 * quiet) * scale)?;
    let image = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x as usize / scale, y as usize / scale);
        let dark = mx >= quiet
            && my >= quiet
            && mx - quiet < width
            && my - quiet < width
            && colors[(my - quiet) * width + (mx - quiet)] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(image.as_raw(), side, side, image::ExtendedColorType::L8)
        .context("encoding the QR image")?;
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    ))
}

use image::ImageEncoder as _;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_seal_and_open_only_with_the_same_key() {
        let dir = tempfile::tempdir().expect("dir");
        let a = SecretBox::load(None, dir.path()).expect("made");
        let again = SecretBox::load(None, dir.path()).expect("reused");
        let sealed = a.seal(b"secret").expect("seal");
        assert_ne!(&sealed[24..], b"secret");
        assert_eq!(again.open(&sealed).expect("open"), b"secret");
        let other = SecretBox::load(
            Some(&base64::engine::general_purpose::STANDARD.encode([7u8; 32])),
            dir.path(),
        )
        .expect("configured");
        assert!(other.open(&sealed).is_err());
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn codes_check_and_uris_name_the_account() {
        let secret = new_secret();
        let code = current_code(&secret, "a@example.com").expect("code");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let step = matching_step(&secret, "a@example.com", &code).expect("matches");
        assert!(
            (i64::try_from(now / 30).expect("step") - step).abs() <= 1,
            "the step of now"
        );
        assert!(matching_step(&secret, "a@example.com", "000000").is_none() || code == "000000");
        assert!(matching_step(&secret, "a@example.com", "12345").is_none());
        let uri = enrolment_uri(&secret, "a@example.com").expect("uri");
        assert!(
            uri.starts_with("otpauth://totp/") && uri.contains("secret="),
            "{uri}"
        );
        assert!(
            qr_data_uri(&uri)
                .expect("qr")
                .starts_with("data:image/png;base64,")
        );
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_stably() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 8);
        assert_eq!(
            hash_recovery_code(&codes[0]),
            hash_recovery_code(&format!(" {} ", codes[0].to_uppercase()))
        );
        assert_ne!(codes[0], codes[1]);
    }
}
