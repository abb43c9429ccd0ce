//! Secrets the server makes for itself. The JWT signing key comes from configuration when
//! given; otherwise it is generated once and kept in the database, so restarts keep
//! sessions valid and every node of a cluster signs with the same key. The VAPID key pair
//! of Web Push is kept the same way: browsers bind their subscriptions to its public key,
//! so it must survive restarts and be the same on every node.

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
    let bytes = kept(db, JWT_KEY_NAME, &fresh, "JWT signing key").await?;
    Ok(SecretBox::new(Box::new(bytes)))
}

/// The stored secret `name`, storing `fresh` first if there is none. Insert-if-absent then
/// read back: when several nodes start at once, all end up with whichever was committed
/// first.
async fn kept(
    db: &impl ConnectionTrait,
    name: &str,
    fresh: &[u8],
    what: &str,
) -> anyhow::Result<Vec<u8>> {
    let inserted = instance_state::Entity::insert(instance_state::ActiveModel {
        name: Set(name.to_owned()),
        value: Set(STANDARD.encode(fresh)),
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
        tracing::info!("generated a new {what} and stored it in the database");
    }
    let stored = instance_state::Entity::find_by_id(name)
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("{what} vanished after insert"))?;
    Ok(STANDARD.decode(stored.value.as_bytes())?)
}

const VAPID_KEY_NAME: &str = "vapid.p256";

/// The Web Push VAPID private key (a P-256 scalar), generated on first start.
pub async fn vapid_key(db: &impl ConnectionTrait) -> anyhow::Result<p256::SecretKey> {
    let fresh = loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
        // Zero or past the group order (odds about 2^-32): draw again.
        if let Ok(key) = p256::SecretKey::from_slice(&bytes) {
            break key;
        }
    };
    let bytes = kept(db, VAPID_KEY_NAME, &fresh.to_bytes(), "VAPID key pair").await?;
    p256::SecretKey::from_slice(&bytes)
        .map_err(|_| anyhow::anyhow!("stored VAPID key is not a P-256 key"))
}
