//! Preview images for shared pictures: made once when the picture is first stored, at
//! most 320 px on the long side, JPEG (or PNG when the picture has transparency).

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits, codecs::jpeg::JpegEncoder};

/// Longest side of a thumbnail.
pub const MAX_SIDE: u32 = 320;
/// Pictures larger than this (either side) are stored without a thumbnail.
const MAX_INPUT_SIDE: u32 = 12_000;

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
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_INPUT_SIDE);
    limits.max_image_height = Some(MAX_INPUT_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().ok()?;
    let (width, height) = (image.width(), image.height());
    let small = if width > MAX_SIDE || height > MAX_SIDE {
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        image
    };
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
}
