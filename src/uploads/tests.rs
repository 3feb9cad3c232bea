//! The upload pipeline against real and hostile files made on the spot.

use std::io::Cursor;

use image::DynamicImage;
use image::codecs::jpeg::JpegEncoder;

use super::decode::sniff;
use super::*;
use image::codecs::gif::GifEncoder;
use image::codecs::webp::WebPEncoder;
use image::{Frame, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

fn gradient_rgb(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 7 % 256) as u8,
            (y * 5 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

fn png_of(image: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .expect("encode test PNG");
    out
}

fn png_rgb(width: u32, height: u32) -> Vec<u8> {
    png_of(&DynamicImage::ImageRgb8(gradient_rgb(width, height)))
}

fn jpeg_rgb(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(
            gradient_rgb(width, height).as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .expect("encode test JPEG");
    out
}

fn webp_rgba(width: u32, height: u32) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, y| Rgba([x as u8, y as u8, 90, 255]));
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(
            image.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgba8,
        )
        .expect("encode test WebP");
    out
}

/// A two-frame animated GIF: red first, then blue.
fn gif_animated(width: u32, height: u32) -> Vec<u8> {
    let red = RgbaImage::from_pixel(width, height, Rgba([255, 0, 0, 255]));
    let blue = RgbaImage::from_pixel(width, height, Rgba([0, 0, 255, 255]));
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut out);
        encoder
            .encode_frames([Frame::new(red), Frame::new(blue)])
            .expect("encode test GIF");
    }
    out
}

/// CRC-32 as PNG chunks use it (ISO-HDLC, reflected 0xEDB88320), written
/// out here so the tests need no crate of their own for it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A real 1×1 PNG whose IHDR is patched to claim `width` × `height`,
/// with a correct CRC so the header parses.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = png_rgb(1, 1);
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// Inserts a PNG chunk right after IHDR.
fn png_with_chunk(mut png: Vec<u8>, kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = Vec::new();
    let length = u32::try_from(data.len()).expect("small chunk");
    chunk.extend_from_slice(&length.to_be_bytes());
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    png.splice(33..33, chunk);
    png
}

/// Inserts a JPEG segment right after SOI.
fn jpeg_with_segment(mut jpeg: Vec<u8>, marker: u8, data: &[u8]) -> Vec<u8> {
    let length = u16::try_from(data.len() + 2).expect("small segment");
    let mut segment = vec![0xFF, marker];
    segment.extend_from_slice(&length.to_be_bytes());
    segment.extend_from_slice(data);
    jpeg.splice(2..2, segment);
    jpeg
}

/// An EXIF APP1 payload holding only an orientation tag.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(b"MM\0\x2A\0\0\0\x08"); // big-endian TIFF, IFD at 8
    exif.extend_from_slice(&1u16.to_be_bytes()); // one entry
    exif.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    exif.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    exif.extend_from_slice(&1u32.to_be_bytes()); // count
    exif.extend_from_slice(&value.to_be_bytes());
    exif.extend_from_slice(&[0, 0]); // value padding
    exif.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    exif
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn decodes_as(bytes: &[u8], format: ImageFormat) -> DynamicImage {
    image::load_from_memory_with_format(bytes, format).expect("output decodes")
}

fn pseudo_random(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn png_round_trips() {
    let out = process(&png_rgb(64, 48)).expect("PNG accepted");
    assert_eq!((out.kind, out.width, out.height), (ImageKind::Png, 64, 48));
    let decoded = decodes_as(&out.bytes, ImageFormat::Png);
    assert_eq!(decoded.to_rgb8(), gradient_rgb(64, 48), "PNG is lossless");
}

#[test]
fn jpeg_round_trips() {
    let out = process(&jpeg_rgb(100, 60)).expect("JPEG accepted");
    assert_eq!(
        (out.kind, out.width, out.height),
        (ImageKind::Jpeg, 100, 60)
    );
    let decoded = decodes_as(&out.bytes, ImageFormat::Jpeg);
    assert_eq!((decoded.width(), decoded.height()), (100, 60));
}

#[test]
fn webp_becomes_png() {
    let out = process(&webp_rgba(30, 20)).expect("WebP accepted");
    assert_eq!((out.kind, out.width, out.height), (ImageKind::Png, 30, 20));
    let decoded = decodes_as(&out.bytes, ImageFormat::Png);
    assert_eq!(decoded.to_rgba8().get_pixel(5, 7), &Rgba([5, 7, 90, 255]));
}

#[test]
fn gif_becomes_png_of_its_first_frame() {
    let out = process(&gif_animated(16, 12)).expect("GIF accepted");
    assert_eq!((out.kind, out.width, out.height), (ImageKind::Png, 16, 12));
    let decoded = decodes_as(&out.bytes, ImageFormat::Png).to_rgba8();
    assert_eq!(
        decoded.get_pixel(3, 3),
        &Rgba([255, 0, 0, 255]),
        "first frame only"
    );
}

#[test]
fn type_is_judged_by_content_not_by_name() {
    // A GIF an uploader calls "photo.png" with Content-Type image/png is
    // still a GIF: `process` is never told the name, and sniffing says so.
    let gif = gif_animated(8, 8);
    assert_eq!(sniff(&gif), Some(ImageKind::Gif));
    assert_eq!(process(&gif).expect("GIF accepted").kind, ImageKind::Png);
    assert_eq!(sniff(&png_rgb(2, 2)), Some(ImageKind::Png));
    assert_eq!(sniff(&jpeg_rgb(2, 2)), Some(ImageKind::Jpeg));
    assert_eq!(sniff(&webp_rgba(2, 2)), Some(ImageKind::Webp));
}

#[test]
fn html_appended_to_a_png_is_dropped() {
    let mut upload = png_rgb(20, 10);
    upload.extend_from_slice(b"<html><script>alert(1)</script></html>");
    let out = process(&upload).expect("the PNG part is valid");
    assert!(!contains(&out.bytes, b"<script"));
    assert!(!contains(&out.thumb, b"<script"));
    assert_eq!(decodes_as(&out.bytes, ImageFormat::Png).width(), 20);
}

#[test]
fn zip_appended_to_a_png_is_dropped() {
    let mut upload = png_rgb(20, 10);
    upload.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x08\x00evil.jsp<% run %>");
    upload.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
    let out = process(&upload).expect("the PNG part is valid");
    assert!(!contains(&out.bytes, b"PK\x03\x04"));
    assert!(!contains(&out.thumb, b"PK\x03\x04"));
    assert_eq!(decodes_as(&out.bytes, ImageFormat::Png).height(), 10);
}

#[test]
fn png_text_chunks_are_dropped() {
    let upload = png_with_chunk(
        png_rgb(8, 8),
        b"tEXt",
        b"Comment\0<script>alert(1)</script>",
    );
    let out = process(&upload).expect("a text chunk is valid PNG");
    assert!(!contains(&out.bytes, b"<script"));
    assert!(!contains(&out.bytes, b"tEXt"));
}

#[test]
fn jpeg_comments_and_exif_are_dropped() {
    let upload = jpeg_with_segment(jpeg_rgb(40, 20), 0xFE, b"<script>alert(1)</script>");
    let upload = jpeg_with_segment(upload, 0xE1, &exif_orientation(1));
    let out = process(&upload).expect("comments are valid JPEG");
    assert!(!contains(&out.bytes, b"<script"));
    assert!(!contains(&out.bytes, b"Exif"));
    assert!(!contains(&out.thumb, b"Exif"));
}

#[test]
fn exif_orientation_is_applied() {
    // Orientation 6: the camera was turned, the stored pixels need a
    // quarter turn clockwise to be upright.
    let upload = jpeg_with_segment(jpeg_rgb(40, 20), 0xE1, &exif_orientation(6));
    let out = process(&upload).expect("EXIF is valid JPEG");
    assert_eq!((out.width, out.height), (20, 40));
    let decoded = decodes_as(&out.bytes, ImageFormat::Jpeg);
    assert_eq!((decoded.width(), decoded.height()), (20, 40));
}

#[test]
fn non_images_are_refused() {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>"#;
    let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
    let pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00payload";
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&[0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0]);
    bmp.extend_from_slice(&[1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0]);
    bmp.extend_from_slice(&[0; 24]);
    let tiff = b"II\x2A\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00";
    let random = pseudo_random(4096, 0x9E37_79B9_7F4A_7C15);
    for (name, bytes) in [
        ("svg", &svg[..]),
        ("html", &html[..]),
        ("pdf", &pdf[..]),
        ("zip", &zip[..]),
        ("bmp", &bmp[..]),
        ("tiff", &tiff[..]),
        ("random", &random[..]),
    ] {
        assert_eq!(process(bytes), Err(UploadError::NotAnImage), "{name}");
    }
}

#[test]
fn empty_input_is_refused() {
    assert_eq!(process(&[]), Err(UploadError::Empty));
}

#[test]
fn truncated_images_are_corrupt() {
    let noisy = RgbImage::from_raw(64, 64, pseudo_random(64 * 64 * 3, 7)).expect("sized");
    let png = png_of(&DynamicImage::ImageRgb8(noisy));
    assert_eq!(process(&png[..png.len() / 2]), Err(UploadError::Corrupt));
    assert_eq!(
        process(&png[..20]),
        Err(UploadError::Corrupt),
        "cut inside IHDR"
    );
    let jpeg = jpeg_rgb(64, 64);
    assert_eq!(process(&jpeg[..10]), Err(UploadError::Corrupt));
    let mut garbage = vec![0xFF, 0xD8, 0xFF];
    garbage.extend_from_slice(&pseudo_random(500, 3));
    assert_eq!(process(&garbage), Err(UploadError::Corrupt));
}

#[test]
fn decompression_bomb_is_refused_from_the_header() {
    let bomb = png_claiming(100_000, 100_000);
    assert!(bomb.len() < 100, "the bomb itself is tiny");
    let started = std::time::Instant::now();
    assert_eq!(process(&bomb), Err(UploadError::TooManyPixels));
    // 10^10 pixels would take 30 GB; refusing from the header is instant.
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    // Within the side limit but over the area limit.
    assert_eq!(
        process(&png_claiming(7000, 7000)),
        Err(UploadError::TooManyPixels)
    );
    // Header claims that pass every limit still fail on the missing data.
    assert_eq!(
        process(&png_claiming(4000, 4000)),
        Err(UploadError::Corrupt)
    );
}

#[test]
fn over_long_sides_are_refused() {
    assert_eq!(process(&png_rgb(8001, 1)), Err(UploadError::SideTooLong));
    assert_eq!(
        process(&png_claiming(1, 8001)),
        Err(UploadError::SideTooLong)
    );
    let out = process(&png_rgb(8000, 1)).expect("exactly MAX_SIDE is fine");
    assert_eq!((out.thumb_width, out.thumb_height), (320, 1));
}

#[test]
fn oversized_input_is_refused_before_sniffing() {
    let mut big = png_rgb(4, 4);
    big.resize(6 * 1024 * 1024, 0);
    assert_eq!(process(&big), Err(UploadError::TooLarge));
    let mut limit = png_rgb(4, 4);
    limit.resize(MAX_UPLOAD_BYTES, 0);
    assert!(
        process(&limit).is_ok(),
        "exactly MAX_UPLOAD_BYTES is allowed"
    );
}

#[test]
fn thumbnails_fit_the_box_and_keep_the_aspect_ratio() {
    let out = process(&jpeg_rgb(1000, 500)).expect("JPEG accepted");
    assert_eq!(
        (out.thumb_kind, out.thumb_width, out.thumb_height),
        (ImageKind::Jpeg, 320, 160)
    );
    let thumb = decodes_as(&out.thumb, ImageFormat::Jpeg);
    assert_eq!((thumb.width(), thumb.height()), (320, 160));

    let out = process(&png_rgb(300, 900)).expect("PNG accepted");
    assert_eq!((out.thumb_width, out.thumb_height), (80, 240));

    let out = process(&png_rgb(10, 10)).expect("PNG accepted");
    assert_eq!(
        (out.thumb_width, out.thumb_height),
        (10, 10),
        "never enlarged"
    );
}

#[test]
fn thumbnail_is_png_only_when_something_is_transparent() {
    let see_through = RgbaImage::from_fn(400, 400, |x, _| Rgba([200, 10, 10, (x % 256) as u8]));
    let out = process(&png_of(&DynamicImage::ImageRgba8(see_through))).expect("accepted");
    assert_eq!(out.thumb_kind, ImageKind::Png);
    let thumb = decodes_as(&out.thumb, ImageFormat::Png);
    assert!(thumb.color().has_alpha());

    let opaque_rgba = RgbaImage::from_pixel(400, 400, Rgba([1, 2, 3, 255]));
    let out = process(&png_of(&DynamicImage::ImageRgba8(opaque_rgba))).expect("accepted");
    assert_eq!(
        (out.kind, out.thumb_kind),
        (ImageKind::Png, ImageKind::Jpeg)
    );
    decodes_as(&out.thumb, ImageFormat::Jpeg);
}

#[test]
fn kinds_name_their_type_and_extension() {
    let all = [
        ImageKind::Jpeg,
        ImageKind::Png,
        ImageKind::Webp,
        ImageKind::Gif,
    ];
    let types: Vec<_> = all.iter().map(|k| k.content_type()).collect();
    let extensions: Vec<_> = all.iter().map(|k| k.extension()).collect();
    assert_eq!(
        types,
        ["image/jpeg", "image/png", "image/webp", "image/gif"]
    );
    assert_eq!(extensions, ["jpg", "png", "webp", "gif"]);
}

#[test]
fn stored_names_are_random_hex_with_the_extension() {
    let name = stored_name(ImageKind::Jpeg);
    let (stem, extension) = name.split_once('.').expect("has a dot");
    assert_eq!(extension, "jpg");
    assert_eq!(stem.len(), 32);
    assert!(
        stem.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    assert_ne!(stored_name(ImageKind::Png), stored_name(ImageKind::Png));
    assert!(stored_name(ImageKind::Webp).ends_with(".webp"));
}

#[test]
fn only_stored_names_are_looked_up() {
    assert!(is_stored_name(&stored_name(ImageKind::Png)));
    assert!(is_stored_name("0123456789abcdef0123456789abcdef.jpg"));
    for bad in [
        "../../etc/passwd",
        "0123456789abcdef0123456789abcdef.svg",
        "0123456789ABCDEF0123456789abcdef.jpg",
        "0123456789abcdef0123456789abcdef.jpg.html",
        "x.jpg",
        "",
    ] {
        assert!(!is_stored_name(bad), "{bad:?}");
    }
}

#[test]
fn stored_types_map_back_to_their_kinds_only() {
    for kind in [
        ImageKind::Jpeg,
        ImageKind::Png,
        ImageKind::Webp,
        ImageKind::Gif,
    ] {
        assert_eq!(
            ImageKind::from_content_type(kind.content_type()),
            Some(kind)
        );
    }
    assert_eq!(ImageKind::from_content_type("image/svg+xml"), None);
    assert_eq!(ImageKind::from_content_type("text/html"), None);
}

#[test]
fn messages_are_for_people() {
    assert_eq!(
        UploadError::TooLarge.to_string(),
        "The file is too large: images may be at most 5 MiB."
    );
    assert_eq!(
        UploadError::TooManyPixels.to_string(),
        "The image has too many pixels: at most 40 megapixels are accepted."
    );
    assert!(UploadError::SideTooLong.to_string().contains("8000 pixels"));
}
