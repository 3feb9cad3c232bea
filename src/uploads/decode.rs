//! Sniffing an upload's type by its content and decoding it under the
//! size, area and memory limits, refusing a decompression bomb from its
//! header before any pixel buffer is allocated.
//!
//! May import: std, the `image` and `infer` crates, the rest of `uploads`.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits, error::LimitErrorKind};

use super::{ImageKind, MAX_PIXELS, MAX_SIDE, UploadError};

/// Most memory the decoder may allocate for one image. 40 megapixels of
/// 8-bit RGBA take 160 MB; 16-bit RGBA of that area would take 320 MB and is
/// refused rather than letting one request take a third of a small server.
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;

/// The type of `bytes` by its magic bytes alone; a file name or a declared
/// content type is chosen by the uploader and proves nothing. Asking infer
/// for its first match (rather than testing only our four signatures) means
/// a file infer would call something else is refused.
pub(super) fn sniff(bytes: &[u8]) -> Option<ImageKind> {
    match infer::get(bytes)?.mime_type() {
        "image/jpeg" => Some(ImageKind::Jpeg),
        "image/png" => Some(ImageKind::Png),
        "image/webp" => Some(ImageKind::Webp),
        "image/gif" => Some(ImageKind::Gif),
        _ => None,
    }
}

/// Decodes with the format fixed to the sniffed one, refusing by the header's
/// dimensions before any pixel buffer is allocated.
pub(super) fn decode(bytes: &[u8], kind: ImageKind) -> Result<DynamicImage, UploadError> {
    // Header parsing only needs the memory bound: width and height are
    // checked below so that an over-large image gets the precise error.
    let mut header_limits = Limits::default();
    header_limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(header_limits);
    let mut decoder = reader.into_decoder().map_err(classify)?;

    let (width, height) = decoder.dimensions();
    check_dimensions(width, height)?;

    // The same bounds again in the decoder itself, in case a format reports
    // one size in its header and then decodes another.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    decoder.set_limits(limits).map_err(classify)?;
    // `ImageReader::decode` reserves the output buffer against `max_alloc`;
    // going through the decoder by hand, that check is ours to make.
    if decoder.total_bytes() > MAX_DECODE_ALLOC {
        return Err(UploadError::TooManyPixels);
    }

    // A malformed EXIF block only costs the rotation, not the upload.
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(classify)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

fn check_dimensions(width: u32, height: u32) -> Result<(), UploadError> {
    if width == 0 || height == 0 {
        return Err(UploadError::Corrupt);
    }
    // Area first: a bomb claiming 100000 × 100000 is about pixels, and
    // u64 cannot overflow for two u32 factors.
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(UploadError::TooManyPixels);
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(UploadError::SideTooLong);
    }
    Ok(())
}

/// Maps a decoding error to what the uploader can do about it.
fn classify(error: ImageError) -> UploadError {
    match error {
        ImageError::Limits(limit) => match limit.kind() {
            LimitErrorKind::DimensionError => UploadError::SideTooLong,
            _ => UploadError::TooManyPixels,
        },
        // A feature of the format the decoders do not support (e.g.
        // arithmetic-coded JPEG): for the uploader it is just not usable.
        ImageError::Unsupported(_) => UploadError::NotAnImage,
        ImageError::Decoding(_) | ImageError::IoError(_) => UploadError::Corrupt,
        ImageError::Encoding(_) | ImageError::Parameter(_) => UploadError::EncodeFailed,
    }
}
