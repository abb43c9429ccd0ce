//! Memory for decoding pictures (thumbnails, avatars), shared by every decode at once.
//!
//! A compressed picture can be tiny on the wire and huge decoded: an 11,000 × 11,000 PNG
//! of 459 KiB takes 462 MiB as RGBA. So the header is read first, and the decoded size is
//! reserved from one budget before any pixel is decoded. A picture that alone is larger
//! than the budget is refused at once; pictures that fit wait for their turn while others
//! decode, so the memory all decodes take together never exceeds the budget.

use std::io::Cursor;

use image::{ImageDecoder, ImageFormat, ImageReader};
use tokio::sync::{Semaphore, SemaphorePermit};

/// The budget is counted in KiB, so a semaphore's `u32` permits can name any picture.
const UNIT: u64 = 1024;

/// What decoding a picture would take, read from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeCost {
    pub width: u32,
    pub height: u32,
    /// Bytes of the decoded image in its own pixel format.
    pub bytes: u64,
}

impl DecodeCost {
    /// Reads the header of `bytes` (in `format`, or guessed); `None` when it is not a
    /// picture this server decodes.
    pub fn of(bytes: &[u8], format: Option<ImageFormat>) -> Option<Self> {
        let reader = match format {
            Some(format) => ImageReader::with_format(Cursor::new(bytes), format),
            None => ImageReader::new(Cursor::new(bytes))
                .with_guessed_format()
                .ok()?,
        };
        let decoder = reader.into_decoder().ok()?;
        let (width, height) = decoder.dimensions();
        Some(Self {
            width,
            height,
            // Never less than 4 bytes a pixel: what thumbnails and avatars convert to.
            bytes: decoder.total_bytes().max(self::pixels(width, height) * 4),
        })
    }

    pub fn pixels(&self) -> u64 {
        pixels(self.width, self.height)
    }
}

fn pixels(width: u32, height: u32) -> u64 {
    u64::from(width) * u64::from(height)
}

/// A picture larger decoded than the whole budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("decoding needs {needed} bytes, more than the budget of {budget}")]
pub struct OverBudget {
    pub needed: u64,
    pub budget: u64,
}

/// See the module docs.
pub struct DecodeBudget {
    units: Semaphore,
    budget: u64,
}

impl DecodeBudget {
    pub fn new(budget_bytes: u64) -> Self {
        let units = (budget_bytes / UNIT).min(Semaphore::MAX_PERMITS as u64) as usize;
        Self {
            units: Semaphore::new(units),
            budget: units as u64 * UNIT,
        }
    }

    /// Reserves memory for decoding a picture of this cost, waiting while other decodes
    /// hold it; refused at once if the picture alone is larger than the budget. The
    /// memory is given back when the permit is dropped.
    pub async fn reserve(&self, cost: DecodeCost) -> Result<SemaphorePermit<'_>, OverBudget> {
        let over = OverBudget {
            needed: cost.bytes,
            budget: self.budget,
        };
        if cost.bytes > self.budget {
            return Err(over);
        }
        let units = u32::try_from(cost.bytes.div_ceil(UNIT).max(1)).map_err(|_| over)?;
        // The semaphore is never closed, so this only fails on a picture too big for it.
        self.units.acquire_many(units).await.map_err(|_| over)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, RgbaImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(RgbaImage::new(width, height))
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap_or_else(|e| panic!("{e}"));
        out
    }

    #[test]
    fn the_cost_is_read_from_the_header() {
        let cost = DecodeCost::of(&png(30, 20), None);
        assert_eq!(
            cost,
            Some(DecodeCost {
                width: 30,
                height: 20,
                bytes: 30 * 20 * 4
            })
        );
        assert_eq!(DecodeCost::of(b"not a picture", None), None);
    }

    #[tokio::test]
    async fn a_picture_larger_than_the_budget_is_refused_and_others_share_it() {
        let budget = DecodeBudget::new(1024 * 1024);
        let big = DecodeCost {
            width: 1024,
            height: 1024,
            bytes: 4 * 1024 * 1024,
        };
        assert!(budget.reserve(big).await.is_err());
        let half = DecodeCost {
            width: 512,
            height: 256,
            bytes: 512 * 1024,
        };
        let first = budget.reserve(half).await;
        let second = budget.reserve(half).await;
        assert!(first.is_ok() && second.is_ok());
        assert_eq!(budget.units.available_permits(), 0, "the two fill it");
        drop(first);
        assert_eq!(budget.units.available_permits(), 512);
    }
}
