//! Uploaded images: the one place where bytes from a user become a picture
//! the shop will serve back. [`process`] sniffs the type from magic bytes,
//! refuses oversized files and decompression bombs before decoding, decodes
//! under allocation limits and re-encodes a clean file plus a thumbnail.
//! [`stored_name`] gives the random file name to store the result under.
//!
//! Everything here is pure: no file system, no database, no HTTP. Processing
//! is CPU-bound (about 0.7 s for a 12-megapixel JPEG in a release build,
//! mostly the JPEG re-encode), so async callers should run [`process`] on a
//! blocking thread and bound how many run at once.
//!
//! May import: std, thiserror, uuid, the `image` and `infer` crates;
//! nothing of this crate.
//!
//! [`decode`] sniffs and decodes under the limits, [`encode`] writes the
//! clean file and the thumbnail.
//!
//! What re-encoding means for the stored file:
//! - JPEG stays JPEG (quality 88); PNG stays PNG; WebP and GIF become PNG
//!   (the `image` crate only encodes lossless WebP, and PNG is as lossless and
//!   more widely supported).
//! - Only the first frame of an animated GIF (or animated WebP) is kept:
//!   product pictures do not need animation, and a single frame keeps the
//!   decoded size bounded by one width × height buffer.
//! - EXIF, XMP, ICC profiles, text chunks, comments and any bytes after the
//!   end of the image are dropped, because only decoded pixels are written
//!   out. Dropping the ICC profile means wide-gamut photos (e.g. Display P3)
//!   are shown as if they were sRGB, slightly less saturated; the shop has no
//!   colour management to convert them.
//! - The EXIF orientation is applied to the pixels before the metadata is
//!   dropped, so phone photos taken upright stay upright; `width` and
//!   `height` are those of the upright image.

mod decode;
mod encode;
#[cfg(test)]
mod tests;

use image::ImageFormat;

/// Largest upload accepted, in bytes. Callers also stop reading the request
/// body at this size; checking again here keeps `process` safe on its own.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

/// Largest image area accepted (width × height), e.g. 8000 × 5000.
pub const MAX_PIXELS: u64 = 40_000_000;

/// Longest side accepted, in pixels.
pub const MAX_SIDE: u32 = 8000;

/// The box a thumbnail fits inside (width, height); the aspect ratio is kept.
pub const THUMB_SIZE: (u32, u32) = (320, 240);

/// The image types the shop accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl ImageKind {
    /// The MIME type to serve this kind with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }

    /// The kind stored with `content_type`, if it is one of ours.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Webp, Self::Gif]
            .into_iter()
            .find(|kind| kind.content_type() == content_type)
    }

    fn format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::Webp => ImageFormat::WebP,
            Self::Gif => ImageFormat::Gif,
        }
    }
}

/// A clean, re-encoded image and its thumbnail, ready to be stored.
#[derive(Clone, PartialEq, Eq)]
pub struct ProcessedImage {
    /// The kind of `bytes` (not of the upload: WebP and GIF become PNG).
    pub kind: ImageKind,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// JPEG for opaque images, PNG when some pixel is transparent.
    pub thumb: Vec<u8>,
    pub thumb_kind: ImageKind,
    pub thumb_width: u32,
    pub thumb_height: u32,
}

// By hand so that logging a `ProcessedImage` prints sizes, not megabytes of
// bytes.
impl std::fmt::Debug for ProcessedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessedImage")
            .field("kind", &self.kind)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .field("thumb", &format_args!("{} bytes", self.thumb.len()))
            .field("thumb_kind", &self.thumb_kind)
            .field("thumb_width", &self.thumb_width)
            .field("thumb_height", &self.thumb_height)
            .finish()
    }
}

/// Why an upload was refused. The messages are written to be shown to the
/// person who uploaded the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("The uploaded file is empty.")]
    Empty,
    #[error("The file is too large: images may be at most {} MiB.", MAX_UPLOAD_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("This file is not a supported image. Please upload a JPEG, PNG, WebP or GIF.")]
    NotAnImage,
    #[error("The image has too many pixels: at most {} megapixels are accepted.", MAX_PIXELS / 1_000_000)]
    TooManyPixels,
    #[error("The image is too wide or too tall: each side may be at most {MAX_SIDE} pixels.")]
    SideTooLong,
    #[error("The image file is damaged or incomplete.")]
    Corrupt,
    /// Re-encoding failed; this should not happen for an image that decoded.
    #[error("The image could not be processed. Please try another file.")]
    EncodeFailed,
}

/// Checks, decodes and re-encodes one uploaded image.
///
/// # Errors
///
/// Any [`UploadError`]: the upload is too big in bytes or pixels, is not a
/// JPEG, PNG, WebP or GIF by its content, or does not decode.
pub fn process(bytes: &[u8]) -> Result<ProcessedImage, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(UploadError::TooLarge);
    }
    let source_kind = decode::sniff(bytes).ok_or(UploadError::NotAnImage)?;

    let image = decode::decode(bytes, source_kind)?;
    let (kind, encoded) = encode::encode_full(&image, source_kind)?;
    let thumb = encode::make_thumbnail(&image)?;

    Ok(ProcessedImage {
        kind,
        bytes: encoded,
        width: image.width(),
        height: image.height(),
        thumb: thumb.bytes,
        thumb_kind: thumb.kind,
        thumb_width: thumb.width,
        thumb_height: thumb.height,
    })
}

/// Where an image stored under `name` is served.
pub fn url(name: &str) -> String {
    format!("/uploads/{name}")
}

/// A fresh random stored name: 32 lowercase hex characters, a dot and the
/// extension of `kind`. Random so that names reveal nothing and cannot be
/// guessed or made to collide by the uploader.
pub fn stored_name(kind: ImageKind) -> String {
    format!("{}.{}", uuid::Uuid::new_v4().simple(), kind.extension())
}

/// Whether `name` is one [`stored_name`] could have made; anything else
/// (a path, another extension, upper case) is never looked up.
pub fn is_stored_name(name: &str) -> bool {
    let Some((stem, extension)) = name.split_once('.') else {
        return false;
    };
    stem.len() == 32
        && stem
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && matches!(extension, "jpg" | "png" | "webp" | "gif")
}
