//! Secrets the server makes for itself. The JWT signing key comes from configuration when
//! given; otherwise it is generated once and kept in the database, so restarts keep
//! sessions valid and every node of a cluster signs with the same key.

use base64::{Engine, engine::general_purpose::STANDARD};
use entity::instance_state;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};
use secrecy::{ExposeSecret, SecretBox, SecretString};

const JWT_KEY_NAME: &str = "jwt.hs256";
const JWT_KEY_BYTES: usize = 64;

/// The HS256 signing key for access tokens.
pub type JwtKey = SecretBox<Vec<u8>>;

/// The configured key, or the persisted one, generating and storing it on first start.
pub async fn jwt_key(
    db: &impl ConnectionTrait,
    configured: Option<&SecretString>,
) -> anyhow::Result<JwtKey> {
    if let Some(secret) = configured {
        // Its length was checked with the rest of the configuration.
        let bytes = secret.expose_secret().as_bytes().to_vec();
        return Ok(SecretBox::new(Box::new(bytes)));
    }
    let mut fresh = vec![0u8; JWT_KEY_BYTES];
    getrandom::fill(&mut fresh).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    // Insert-if-absent then read back: when several nodes start at once, all end up with
    // whichever key was committed first.
    let inserted = instance_state::Entity::insert(instance_state::ActiveModel {
        name: Set(JWT_KEY_NAME.to_owned()),
        value: Set(STANDARD.encode(&fresh)),
        created_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(instance_state::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted > 0 {
        tracing::info!("generated a new JWT signing key and stored it in the database");
    }
    let stored = instance_state::Entity::find_by_id(JWT_KEY_NAME)
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("JWT signing key vanished after insert"))?;
    let bytes = STANDARD.decode(stored.value.as_bytes())?;
    Ok(SecretBox::new(Box::new(bytes)))
}
