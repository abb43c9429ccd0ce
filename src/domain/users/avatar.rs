//! Avatars: sniffed by magic bytes (never by the declared type), decoded under size limits
//! to prove they are images, and re-encoded (which also drops EXIF such as GPS position).
//! Animated GIFs are validated but kept as sent, so they stay animated. Stored beside the
//! files (`avatars/<user id>-<random>.<ext>`), so every node serves them.

use std::io::Cursor;

use chrono::Utc;
use entity::users;
use image::{DynamicImage, ImageFormat, ImageReader, Limits, codecs::jpeg::JpegEncoder};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use crate::{
    error::{AppError, AppResult, ErrorCode},
    infra::{
        decode_budget::{DecodeBudget, DecodeCost},
        storage::{Key, Storage},
    },
};

pub const MAX_BYTES: u64 = 2 * 1024 * 1024;
/// Largest accepted input dimension; bigger images are refused before decoding.
const MAX_INPUT_SIDE: u32 = 4096;
/// Stored avatars are scaled down to fit this square.
const MAX_OUTPUT_SIDE: u32 = 512;
const SUBDIR: &str = "avatars";

/// A processed avatar, ready to store.
#[derive(Debug)]
pub struct Avatar {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub ext: &'static str,
}

/// Checks and re-encodes an uploaded image on the blocking pool, once its decoded size is
/// reserved from `budget`. Larger than 4096 on a side, or than the whole budget:
/// `avatar.too_large`, before any pixel is decoded.
pub async fn avatar_prepare(budget: &DecodeBudget, bytes: Vec<u8>) -> AppResult<Avatar> {
    let format = avatar_format(&bytes)?;
    let cost = DecodeCost::of(&bytes, Some(format)).ok_or_else(invalid_image)?;
    if cost.width > MAX_INPUT_SIDE || cost.height > MAX_INPUT_SIDE {
        return Err(too_large());
    }
    let _memory = budget.reserve(cost).await.map_err(|over| {
        tracing::info!(error = %over, "avatar over the decode budget");
        too_large()
    })?;
    tokio::task::spawn_blocking(move || avatar_process(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
}

fn too_large() -> AppError {
    AppError::Invalid {
        code: ErrorCode::AvatarTooLarge,
        args: vec![("max", MAX_INPUT_SIDE.to_string())],
    }
}

fn invalid_image() -> AppError {
    AppError::Invalid {
        code: ErrorCode::AvatarInvalidImage,
        args: vec![("max", MAX_INPUT_SIDE.to_string())],
    }
}

/// The format the bytes are in (sniffed, never declared), if it is one avatars may use.
fn avatar_format(bytes: &[u8]) -> AppResult<ImageFormat> {
    match infer::get(bytes).map(|k| k.mime_type()) {
        Some("image/png") => Ok(ImageFormat::Png),
        Some("image/jpeg") => Ok(ImageFormat::Jpeg),
        Some("image/webp") => Ok(ImageFormat::WebP),
        Some("image/gif") => Ok(ImageFormat::Gif),
        _ => Err(AppError::UnsupportedMediaType(
            ErrorCode::AvatarTypeNotAllowed,
        )),
    }
}

/// Checks and re-encodes an uploaded image. CPU-bound: call from a blocking task, through
/// [`avatar_prepare`] (which bounds the memory it takes).
fn avatar_process(bytes: &[u8]) -> AppResult<Avatar> {
    let format = avatar_format(bytes)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_INPUT_SIDE);
    limits.max_image_height = Some(MAX_INPUT_SIDE);
    limits.max_alloc = Some(128 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| invalid_image())?;
    if format == ImageFormat::Gif {
        return Ok(Avatar {
            bytes: bytes.to_vec(),
            mime: "image/gif",
            ext: "gif",
        });
    }
    let image = if image.width() > MAX_OUTPUT_SIDE || image.height() > MAX_OUTPUT_SIDE {
        image.thumbnail(MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE)
    } else {
        image
    };
    encode(&image, format)
}

/// JPEG stays JPEG (small for photos); PNG and WebP become PNG (lossless, keeps alpha).
fn encode(image: &DynamicImage, input: ImageFormat) -> AppResult<Avatar> {
    let mut out = Vec::new();
    if input == ImageFormat::Jpeg {
        JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&image.to_rgb8())
            .map_err(|e| anyhow::anyhow!("jpeg encoding: {e}"))?;
        return Ok(Avatar {
            bytes: out,
            mime: "image/jpeg",
            ext: "jpg",
        });
    }
    image
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .map_err(|e| anyhow::anyhow!("png encoding: {e}"))?;
    Ok(Avatar {
        bytes: out,
        mime: "image/png",
        ext: "png",
    })
}

fn key(name: &str) -> Key {
    Key::from_iter([SUBDIR, name])
}

/// Stores a processed avatar as the user's, replacing (and deleting) the previous file.
pub async fn avatar_set(
    db: &impl ConnectionTrait,
    storage: &Storage,
    user: users::Model,
    avatar: Avatar,
) -> AppResult<users::Model> {
    let mut random = [0u8; 6];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("randomness: {e}"))?;
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let name = format!("{}-{suffix}.{}", user.id, avatar.ext);
    // A new name each time: a reader never sees half a file, nor a cached old one.
    storage.put_bytes(&key(&name), avatar.bytes.into()).await?;
    let previous = user.avatar_file.clone();
    let mut active: users::ActiveModel = user.into();
    active.avatar_file = Set(Some(name));
    active.avatar_type = Set(Some(avatar.mime.to_owned()));
    active.updated_at = Set(Utc::now());
    let updated = active.update(db).await?;
    if let Some(previous) = previous {
        remove_file(storage, &previous).await;
    }
    Ok(updated)
}

/// Removes the user's avatar, if any.
pub async fn avatar_remove(
    db: &impl ConnectionTrait,
    storage: &Storage,
    user: users::Model,
) -> AppResult<users::Model> {
    let Some(previous) = user.avatar_file.clone() else {
        return Ok(user);
    };
    let mut active: users::ActiveModel = user.into();
    active.avatar_file = Set(None);
    active.avatar_type = Set(None);
    active.updated_at = Set(Utc::now());
    let updated = active.update(db).await?;
    remove_file(storage, &previous).await;
    Ok(updated)
}

/// The stored bytes and media type of the user's avatar.
pub async fn avatar_read(storage: &Storage, user: &users::Model) -> AppResult<(Vec<u8>, String)> {
    let (Some(name), Some(mime)) = (&user.avatar_file, &user.avatar_type) else {
        return Err(AppError::Missing(ErrorCode::UserNotFound));
    };
    let bytes = storage
        .get_bytes(&key(name))
        .await?
        .ok_or_else(|| anyhow::anyhow!("avatar {name} is missing from the store"))?;
    Ok((bytes.to_vec(), mime.clone()))
}

async fn remove_file(storage: &Storage, name: &str) {
    if let Err(err) = storage.delete(&key(name)).await {
        tracing::warn!(file = name, error = %err, "old avatar not removed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_pixel(width, height, Rgb([200, 30, 30]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(image)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap_or_else(|e| panic!("{e}"));
        out
    }

    #[test]
    fn large_images_are_scaled_down_and_re_encoded() -> AppResult<()> {
        let avatar = avatar_process(&png(1024, 600))?;
        assert_eq!(avatar.mime, "image/png");
        let decoded = image::load_from_memory(&avatar.bytes).map_err(|e| anyhow::anyhow!(e))?;
        assert_eq!((decoded.width(), decoded.height()), (512, 300));
        Ok(())
    }

    #[test]
    fn non_images_and_broken_images_are_refused() {
        let text = avatar_process(b"<svg onload=alert(1)>")
            .err()
            .map(|e| e.code());
        assert_eq!(text, Some("avatar.type_not_allowed"));
        let mut truncated = png(64, 64);
        truncated.truncate(40);
        let broken = avatar_process(&truncated).err().map(|e| e.code());
        assert_eq!(broken, Some("avatar.invalid_image"));
    }
}
