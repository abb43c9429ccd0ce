//! Invite codes for invite-only registration.

use chrono::{DateTime, Utc};
use entity::invites;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::error::AppResult;

/// Unambiguous characters only (no 0/O, 1/I/l), so codes survive being read aloud.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 10;

/// Creates an invite usable `max_uses` times until `expires_at`.
pub async fn invite_create(
    db: &impl ConnectionTrait,
    creator: Uuid,
    max_uses: i32,
    expires_at: Option<DateTime<Utc>>,
) -> AppResult<invites::Model> {
    let mut random = [0u8; CODE_LEN];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("randomness: {e}"))?;
    let code: String = random
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    Ok(invites::Entity::insert(invites::ActiveModel {
        code: Set(code),
        created_by: Set(Some(creator)),
        max_uses: Set(max_uses.max(1)),
        uses: Set(0),
        expires_at: Set(expires_at),
        created_at: Set(Utc::now()),
    })
    .exec_with_returning(db)
    .await?)
}
