//! Decompression bombs: a picture that is small on the wire but huge decoded is never
//! decoded past the pixel limit or the memory budget all decodes share. A shared picture
//! is kept without a thumbnail; an avatar is refused with `avatar.too_large`.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::files::{png, share};
use crate::helpers::{Backend, TestApp, problem_code, spawn_app, spawn_app_with};
use crate::on_both_backends;

on_both_backends!(
    a_picture_too_large_to_decode_is_stored_without_a_thumbnail,
    an_avatar_too_large_to_decode_is_refused_with_its_code,
);

const PASSWORD: &str = "correct horse battery";

/// A grayscale PNG of `width` × `height` black pixels that is tiny on the wire: its
/// pixels are one deflate block of a single zero byte followed by maximal back-references
/// (written by hand, as compressing them with a library would take the test longer than
/// the server).
pub fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    // Every row is a filter byte (0, none) and `width` zero pixels: all zeros.
    let raw_len = u64::from(height) * (u64::from(width) + 1);
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit grayscale, deflate, no filter, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib_zeros(raw_len));
    chunk(&mut png, b"IEND", &[]);
    png
}

/// A zlib stream of `len` zero bytes: one final fixed-Huffman block.
fn zlib_zeros(len: u64) -> Vec<u8> {
    let mut bits = BitWriter::default();
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman codes
    bits.huffman(0b0011_0000, 8); // literal 0
    let mut left = len - 1;
    while left > 0 {
        // Lengths 3..=258 with distance 1 repeat the zero; 258 is code 285, 8 bits, no
        // extra bits. Shorter tails use codes 257..=264 (lengths 3..=10) or literals.
        let run = left.min(258);
        match run {
            258 => bits.huffman(0b1100_0101, 8),
            3..=10 => bits.huffman(run as u32 - 3 + 1, 7),
            _ => {
                for _ in 0..run {
                    bits.huffman(0b0011_0000, 8);
                }
                left -= run;
                continue;
            }
        }
        bits.huffman(0, 5); // distance code 0: distance 1
        left -= run;
        if (11..258).contains(&left) {
            // Leave a tail the codes above can express: literals of up to 10 bytes.
            for _ in 0..left {
                bits.huffman(0b0011_0000, 8);
            }
            left = 0;
        }
    }
    bits.huffman(0, 7); // end of block (256)
    let mut out = vec![0x78, 0x01];
    out.extend(bits.finish());
    // Adler-32 of zeros: a stays 1, b adds it once per byte.
    let adler = ((len % 65521) << 16 | 1) as u32;
    out.extend(adler.to_be_bytes());
    out
}

#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl BitWriter {
    /// `value`'s low `n` bits, least significant first (deflate's header fields).
    fn put(&mut self, value: u32, n: u32) {
        self.acc |= u64::from(value) << self.count;
        self.count += n;
        while self.count >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.count -= 8;
        }
    }

    /// A Huffman code of `n` bits, most significant first.
    fn huffman(&mut self, code: u32, n: u32) {
        let reversed = code.reverse_bits() >> (32 - n);
        self.put(reversed, n);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend((data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend(kind);
    png.extend(data);
    let crc = crc32(&png[start..]);
    png.extend(crc.to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

async fn a_picture_too_large_to_decode_is_stored_without_a_thumbnail(backend: Backend) {
    let app = spawn_app(backend.clone()).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let room = app.public_room(&alice, &[]).await;

    // The hand-made PNG is a real picture: a small one decodes and gets its thumbnail.
    let decoded = image::load_from_memory(&bomb_png(300, 200)).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (300, 200));
    let small = share(&app, &alice, &room, "small.png", &bomb_png(1024, 1024)).await;
    assert!(small["file"]["thumbnail_url"].is_string(), "{small}");

    // 64 megapixels (256 MiB as RGBA) in well under a megabyte.
    let bomb = bomb_png(8000, 8000);
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let shared = share(&app, &alice, &room, "bomb.png", &bomb).await;
    assert!(shared["file"]["thumbnail_url"].is_null(), "{shared}");
    assert_eq!(
        shared["file"]["mime"], "image/png",
        "still shared as a picture"
    );

    // Within the pixel limit but over a (small) decode budget: no thumbnail either,
    // while a picture that fits the budget gets one.
    let app = spawn_app_with(backend, |figment| {
        figment.merge(("uploads.decode_budget_bytes", 1024 * 1024))
    })
    .await;
    let alice = app.register_token("alice", PASSWORD).await;
    let room = app.public_room(&alice, &[]).await;
    let over = share(&app, &alice, &room, "big.png", &bomb_png(1024, 1024)).await;
    assert!(over["file"]["thumbnail_url"].is_null(), "{over}");
    let fits = share(&app, &alice, &room, "small.png", &png(256, 256)).await;
    assert!(fits["file"]["thumbnail_url"].is_string(), "{fits}");
}

async fn put_avatar(app: &TestApp, token: &str, bytes: Vec<u8>) -> reqwest::Response {
    app.authed(Method::PUT, "/api/v1/users/me/avatar", token)
        .header("content-type", "image/png")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn an_avatar_too_large_to_decode_is_refused_with_its_code(backend: Backend) {
    let app = spawn_app(backend.clone()).await;
    let alice = app.register_token("alice", PASSWORD).await;
    let bomb = bomb_png(12_000, 12_000);
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
    let resp = put_avatar(&app, &alice, bomb).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["code"], "avatar.too_large", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("4096"),
        "{problem}"
    );

    // Within 4096 × 4096 but over the memory all decodes share: refused the same way.
    let app = spawn_app_with(backend, |figment| {
        figment.merge(("uploads.decode_budget_bytes", 1024 * 1024))
    })
    .await;
    let alice = app.register_token("alice", PASSWORD).await;
    let resp = put_avatar(&app, &alice, bomb_png(1024, 1024)).await;
    assert_eq!(problem_code(resp, 422).await, "avatar.too_large");
    let fits = put_avatar(&app, &alice, png(256, 256)).await;
    assert_eq!(fits.status(), StatusCode::OK);
}
