//! Writing the clean file and its thumbnail: only decoded pixels go out,
//! so nothing the uploader hid in metadata or after the image survives.
//!
//! May import: the `image` crate, the rest of `uploads`.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{ColorType, DynamicImage};

use super::{ImageKind, THUMB_SIZE, UploadError};

/// Quality of the re-encoded full-size JPEG: visually lossless for photos.
const JPEG_QUALITY: u8 = 88;

/// Quality of JPEG thumbnails: they are small, so artefacts matter less than
/// page weight.
const THUMB_JPEG_QUALITY: u8 = 82;

/// The full-size clean file: the kind it is written as and its bytes.
pub(super) fn encode_full(
    image: &DynamicImage,
    source: ImageKind,
) -> Result<(ImageKind, Vec<u8>), UploadError> {
    match source {
        ImageKind::Jpeg => Ok((ImageKind::Jpeg, encode_jpeg(image, JPEG_QUALITY)?)),
        // PNG for everything lossless: the image crate encodes WebP only
        // losslessly, so WebP output would gain little over PNG while PNG
        // is understood everywhere; a GIF's palette fits PNG exactly.
        ImageKind::Png | ImageKind::Webp | ImageKind::Gif => {
            Ok((ImageKind::Png, encode_png(image)?))
        }
    }
}

pub(super) struct Thumbnail {
    pub(super) kind: ImageKind,
    pub(super) bytes: Vec<u8>,
    pub(super) width: u32,
    pub(super) height: u32,
}

pub(super) fn make_thumbnail(image: &DynamicImage) -> Result<Thumbnail, UploadError> {
    let (max_width, max_height) = THUMB_SIZE;
    // Never enlarge: an image already inside the box is its own thumbnail,
    // and upscaling would only add blur and bytes.
    let thumb = if image.width() <= max_width && image.height() <= max_height {
        image.clone()
    } else {
        image.resize(max_width, max_height, FilterType::Triangle)
    };
    let (kind, bytes) = if has_transparency(&thumb) {
        (
            ImageKind::Png,
            encode_png(&DynamicImage::ImageRgba8(thumb.to_rgba8()))?,
        )
    } else {
        (ImageKind::Jpeg, encode_jpeg(&thumb, THUMB_JPEG_QUALITY)?)
    };
    Ok(Thumbnail {
        kind,
        bytes,
        width: thumb.width(),
        height: thumb.height(),
    })
}

/// Whether any pixel is not fully opaque. An alpha channel alone is not
/// enough to pick PNG: many tools save opaque photos as RGBA, and those
/// thumbnails are far smaller as JPEG.
fn has_transparency(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageLumaA8(buffer) => buffer.pixels().any(|p| p.0[1] != u8::MAX),
        DynamicImage::ImageRgba8(buffer) => buffer.pixels().any(|p| p.0[3] != u8::MAX),
        DynamicImage::ImageLumaA16(buffer) => buffer.pixels().any(|p| p.0[1] != u16::MAX),
        DynamicImage::ImageRgba16(buffer) => buffer.pixels().any(|p| p.0[3] != u16::MAX),
        other if other.color().has_alpha() => other.to_rgba8().pixels().any(|p| p.0[3] != u8::MAX),
        _ => false,
    }
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, UploadError> {
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, quality);
    // JPEG holds 8-bit grey or RGB only; anything else (alpha, 16 bits) is
    // flattened to RGB here.
    let written = match image.color() {
        ColorType::L8 | ColorType::Rgb8 => image.write_with_encoder(encoder),
        _ => DynamicImage::ImageRgb8(image.to_rgb8()).write_with_encoder(encoder),
    };
    written.map_err(|_| UploadError::EncodeFailed)?;
    Ok(out)
}

fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, UploadError> {
    let mut out = Vec::new();
    let encoder = PngEncoder::new(&mut out);
    let written = match image.color() {
        ColorType::L8
        | ColorType::La8
        | ColorType::Rgb8
        | ColorType::Rgba8
        | ColorType::L16
        | ColorType::La16
        | ColorType::Rgb16
        | ColorType::Rgba16 => image.write_with_encoder(encoder),
        // Float images cannot come out of these decoders; should one ever,
        // 8-bit RGBA is a safe PNG layout.
        _ => DynamicImage::ImageRgba8(image.to_rgba8()).write_with_encoder(encoder),
    };
    written.map_err(|_| UploadError::EncodeFailed)?;
    Ok(out)
}
