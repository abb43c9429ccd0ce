//! Preview images for shared pictures: made once when the picture is first stored, at
//! most 320 px on the long side, JPEG (or PNG when the picture has transparency). Custom
//! emoji are re-encoded here too ([`still_png`]).

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits, codecs::jpeg::JpegEncoder};

/// Longest side of a thumbnail.
pub const MAX_SIDE: u32 = 320;
/// Pictures larger than this (either side) are never decoded: no thumbnail, no emoji.
pub const MAX_INPUT_SIDE: u32 = 12_000;

/// A finished thumbnail, and the size of the picture it shows.
#[derive(Debug)]
pub struct Thumbnail {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

/// Decodes a picture under memory limits and scales it down. `None` when it cannot be
/// decoded (corrupt, or too big to decode safely); the file is still shared, without a
/// preview. CPU-bound: run it on the blocking pool.
pub fn thumbnail(bytes: &[u8]) -> Option<Thumbnail> {
    let image = decode(bytes)?;
    let (width, height) = (image.width(), image.height());
    let small = fit(image, MAX_SIDE);
    let mut out = Vec::new();
    let mime = if small.color().has_alpha() {
        small
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .ok()?;
        "image/png"
    } else {
        JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&small.to_rgb8())
            .ok()?;
        "image/jpeg"
    };
    Some(Thumbnail {
        bytes: out,
        mime,
        width,
        height,
    })
}

/// Re-encodes a picture as a PNG of at most `max_side` on its long side (custom emoji).
/// Unlike [`thumbnail`], `width` and `height` are those of the result. An animated GIF
/// becomes its first frame: a still PNG is small, renders the same in every client and
/// needs no animation encoder. `None` when it cannot be decoded. CPU-bound: run it on the
/// blocking pool.
pub fn still_png(bytes: &[u8], max_side: u32) -> Option<Thumbnail> {
    let small = fit(decode(bytes)?, max_side);
    let mut out = Vec::new();
    small
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .ok()?;
    Some(Thumbnail {
        bytes: out,
        mime: "image/png",
        width: small.width(),
        height: small.height(),
    })
}

/// The picture in `bytes` (the first frame of an animation), decoded under memory limits.
fn decode(bytes: &[u8]) -> Option<DynamicImage> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_INPUT_SIDE);
    limits.max_image_height = Some(MAX_INPUT_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().ok()
}

/// `image`, scaled down (keeping its shape) if a side is longer than `max_side`.
fn fit(image: DynamicImage, max_side: u32) -> DynamicImage {
    if image.width() > max_side || image.height() > max_side {
        image.thumbnail(max_side, max_side)
    } else {
        image
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, Rgb, RgbImage, Rgba, RgbaImage};

    fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        image.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    #[test]
    fn large_pictures_shrink_to_fit_and_keep_their_shape() {
        let photo = encode(
            DynamicImage::ImageRgb8(RgbImage::from_pixel(1000, 500, Rgb([10, 200, 30]))),
            ImageFormat::Jpeg,
        );
        let thumb = thumbnail(&photo).unwrap();
        assert_eq!(
            (thumb.width, thumb.height, thumb.mime),
            (1000, 500, "image/jpeg")
        );
        let decoded = image::load_from_memory(&thumb.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (320, 160));
    }

    #[test]
    fn transparency_is_kept_as_png_and_garbage_gives_none() {
        let icon = encode(
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(64, 64, Rgba([0, 0, 0, 0]))),
            ImageFormat::Png,
        );
        assert_eq!(thumbnail(&icon).unwrap().mime, "image/png");
        assert!(thumbnail(b"\x89PNG\r\n\x1a\nbroken").is_none());
    }

    #[test]
    fn a_still_png_fits_the_side_given_and_reports_its_own_size() {
        let wide = encode(
            DynamicImage::ImageRgb8(RgbImage::from_pixel(400, 100, Rgb([1, 2, 3]))),
            ImageFormat::Gif,
        );
        let still = still_png(&wide, 128).unwrap();
        assert_eq!(
            (still.width, still.height, still.mime),
            (128, 32, "image/png")
        );
        let decoded = image::load_from_memory(&still.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (128, 32));
        let small = encode(
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(20, 30, Rgba([9, 9, 9, 9]))),
            ImageFormat::Png,
        );
        let kept = still_png(&small, 128).unwrap();
        assert_eq!((kept.width, kept.height), (20, 30));
    }
}
