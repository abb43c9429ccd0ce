//! Link previews (unfurling): for the first links of a message, the page's card (title,
//! description, site name, picture), fetched after the message is sent and only through
//! the guarded outbound client ([`crate::infra::outbound`]). Pages must be `text/html`;
//! their picture is fetched under the same rules, must be a PNG, JPEG, GIF or WebP by its
//! bytes (never SVG) and is re-encoded into the file store, never linked to.
//!
//! One fetch at a time per host, so a message full of links to one site cannot hammer it.
//! What a URL gave (or that it failed) is kept in `link_previews` for every node, and
//! reused until it expires.

pub mod links;
pub mod opengraph;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::{Duration, Utc};
use entity::link_previews;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};
use url::Url;
use uuid::Uuid;

use self::{links::links_in, opengraph::page_card};
use crate::{
    config::Settings,
    domain::{
        files::{FileStore, blobs::preview_picture_store},
        messages::embeds::{Link, Preview, PreviewImage, removed_urls},
    },
    error::AppResult,
    infra::outbound::{Outbound, OutboundError},
};

/// Longest URL previewed (and the cache key's column size).
const URL_MAX: usize = 2048;

/// Fetches previews under the installation's `[previews]` and `[outbound]` rules.
pub struct Previewer {
    outbound: Outbound,
    enabled: bool,
    allow_domains: Vec<String>,
    max_per_message: usize,
    cache: Duration,
    failure_cache: Duration,
    /// One lock per host being fetched from; entries go when nobody holds them.
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Previewer {
    pub fn new(settings: &Settings) -> Self {
        let previews = &settings.previews;
        let seconds = |secs: u64| Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1000));
        Self {
            outbound: Outbound::new(&settings.outbound),
            enabled: previews.enabled,
            allow_domains: previews
                .allow_domains
                .iter()
                .map(|d| d.trim_start_matches('.').to_ascii_lowercase())
                .collect(),
            max_per_message: previews.max_per_message,
            cache: seconds(previews.cache_secs),
            failure_cache: seconds(previews.failure_cache_secs),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// The links of `body` that get a preview: the first `max_per_message` allowed ones.
    pub fn links_of(&self, body: &str) -> Vec<Url> {
        if !self.enabled {
            return vec![];
        }
        links_in(body)
            .into_iter()
            .filter(|url| url.as_str().len() <= URL_MAX && self.domain_allowed(url))
            .take(self.max_per_message)
            .collect()
    }

    fn domain_allowed(&self, url: &Url) -> bool {
        if self.allow_domains.is_empty() {
            return true;
        }
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        self.allow_domains.iter().any(|domain| {
            host == *domain
                || host
                    .strip_suffix(domain.as_str())
                    .is_some_and(|sub| sub.ends_with('.'))
        })
    }

    /// The previews of the message's links now; a link the author removed a preview of is
    /// not fetched again.
    pub async fn links_previewed(
        &self,
        db: &impl ConnectionTrait,
        store: &FileStore,
        message_id: Uuid,
        body: &str,
    ) -> AppResult<Vec<Link>> {
        let removed = removed_urls(db, message_id).await?;
        let mut links = Vec::new();
        for url in self.links_of(body) {
            let preview = if removed.contains(url.as_str()) {
                None
            } else {
                self.preview(db, store, &url).await?
            };
            links.push(Link {
                url: url.into(),
                preview,
            });
        }
        Ok(links)
    }

    /// The URL's preview, from the cache or fetched (and then cached, a failure too).
    async fn preview(
        &self,
        db: &impl ConnectionTrait,
        store: &FileStore,
        url: &Url,
    ) -> AppResult<Option<Preview>> {
        if let Some(cached) = cache_get(db, url).await? {
            return Ok(cached);
        }
        let page = {
            let _turn = self.host_turn(url).await;
            // Someone else may have fetched it while this waited its turn.
            if let Some(cached) = cache_get(db, url).await? {
                return Ok(cached);
            }
            self.page_fetch(url).await
        };
        let outcome = match page {
            Ok((card_url, card)) => {
                let image = match card.image {
                    Some(image_url) => self.picture_fetch(store, &image_url).await?,
                    None => None,
                };
                Ok(Preview {
                    url: card_url,
                    title: card.title,
                    description: card.description,
                    site_name: card.site_name,
                    image,
                })
            }
            Err(failure) => Err(failure),
        };
        cache_put(db, url, &outcome, self.expiry(outcome.is_ok())).await?;
        Ok(outcome.ok())
    }

    /// The page's card, or a short label of why there is none.
    async fn page_fetch(&self, url: &Url) -> Result<(String, opengraph::PageCard), &'static str> {
        let html = |essence: &str| matches!(essence, "text/html" | "application/xhtml+xml");
        let fetched = self.outbound.get(url, html).await.map_err(|e| e.label())?;
        // A cut page still has its <head>, where the tags are.
        let text = String::from_utf8_lossy(&fetched.body);
        let card = page_card(&text, &fetched.url);
        if card.is_empty() {
            return Err("no_card");
        }
        Ok((url.to_string(), card))
    }

    /// The page's picture, fetched under the same rules and re-encoded; `None` if it is
    /// not a picture, too large, or cannot be had.
    async fn picture_fetch(&self, store: &FileStore, url: &Url) -> AppResult<Option<PreviewImage>> {
        let picture = |essence: &str| essence.starts_with("image/") && !essence.contains("svg");
        let fetched = {
            let _turn = self.host_turn(url).await;
            self.outbound.get(url, picture).await
        };
        let bytes = match fetched {
            Ok(fetched) if fetched.complete => fetched.body,
            Ok(_) => {
                tracing::info!(
                    outbound.error = OutboundError::TooLarge.label(),
                    "preview picture skipped"
                );
                return Ok(None);
            }
            Err(_) => return Ok(None),
        };
        Ok(preview_picture_store(store, bytes)
            .await?
            .map(|(sha256, thumb)| PreviewImage {
                sha256,
                mime: thumb.mime.to_owned(),
                width: thumb.width.min(i32::MAX as u32) as i32,
                height: thumb.height.min(i32::MAX as u32) as i32,
            }))
    }

    fn expiry(&self, ok: bool) -> chrono::DateTime<Utc> {
        Utc::now() + if ok { self.cache } else { self.failure_cache }
    }

    /// Waits until no other fetch from `url`'s host is running here.
    async fn host_turn(&self, url: &Url) -> HostTurn<'_> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let lock = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            hosts.entry(host.clone()).or_default().clone()
        };
        let guard = lock.clone().lock_owned().await;
        HostTurn {
            hosts: &self.hosts,
            host,
            lock,
            _guard: guard,
        }
    }
}

/// A host's turn; on drop, the host's entry goes if nobody else waits for it.
struct HostTurn<'a> {
    hosts: &'a Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    host: String,
    lock: Arc<tokio::sync::Mutex<()>>,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for HostTurn<'_> {
    fn drop(&mut self) {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        // The map, this turn and its guard hold it: nobody else wants it.
        if Arc::strong_count(&self.lock) <= 3 {
            hosts.remove(&self.host);
        }
    }
}

/// The cached outcome for `url`, if it has not expired: `Some(None)` for a failure.
async fn cache_get(db: &impl ConnectionTrait, url: &Url) -> AppResult<Option<Option<Preview>>> {
    let Some(row) = link_previews::Entity::find_by_id(url.as_str().to_owned())
        .one(db)
        .await?
        .filter(|row| row.expires_at > Utc::now())
    else {
        return Ok(None);
    };
    if row.failure.is_some() {
        return Ok(Some(None));
    }
    let image = match (row.image_sha256, row.image_mime) {
        (Some(sha256), Some(mime)) => Some(PreviewImage {
            sha256,
            mime,
            width: row.image_width.unwrap_or(0),
            height: row.image_height.unwrap_or(0),
        }),
        _ => None,
    };
    Ok(Some(Some(Preview {
        url: row.url,
        title: row.title,
        description: row.description,
        site_name: row.site_name,
        image,
    })))
}

async fn cache_put(
    db: &impl ConnectionTrait,
    url: &Url,
    outcome: &Result<Preview, &'static str>,
    expires_at: chrono::DateTime<Utc>,
) -> AppResult<()> {
    let preview = outcome.as_ref().ok();
    let image = preview.and_then(|p| p.image.as_ref());
    let row = link_previews::ActiveModel {
        url: Set(url.as_str().to_owned()),
        failure: Set(outcome.as_ref().err().map(|label| (*label).to_owned())),
        title: Set(preview.and_then(|p| p.title.clone())),
        description: Set(preview.and_then(|p| p.description.clone())),
        site_name: Set(preview.and_then(|p| p.site_name.clone())),
        image_sha256: Set(image.map(|i| i.sha256.clone())),
        image_mime: Set(image.map(|i| i.mime.clone())),
        image_width: Set(image.map(|i| i.width)),
        image_height: Set(image.map(|i| i.height)),
        expires_at: Set(expires_at),
    };
    use link_previews::Column as C;
    link_previews::Entity::insert(row)
        .on_conflict(
            OnConflict::column(C::Url)
                .update_columns([
                    C::Failure,
                    C::Title,
                    C::Description,
                    C::SiteName,
                    C::ImageSha256,
                    C::ImageMime,
                    C::ImageWidth,
                    C::ImageHeight,
                    C::ExpiresAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn previewer(overrides: &[(&str, serde_json::Value)]) -> Previewer {
        use figment::providers::Format;
        // The shipped defaults without the environment, which other tests set in a jail.
        let mut figment = figment::Figment::from(figment::providers::Toml::string(
            crate::config::DEFAULT_TOML,
        ));
        for (key, value) in overrides {
            figment = figment.merge((*key, value.clone()));
        }
        Previewer::new(&Settings::from_figment(figment).unwrap())
    }

    fn hosts(previewer: &Previewer, body: &str) -> Vec<String> {
        previewer
            .links_of(body)
            .iter()
            .map(|url| url.host_str().unwrap().to_owned())
            .collect()
    }

    const BODY: &str = "https://a.example/1 https://news.b.example/2 https://b.example/3 \
                        https://evilb.example/4 https://c.example/5";

    #[test]
    fn switched_off_previews_take_no_link() {
        let off = previewer(&[("previews.enabled", serde_json::json!(false))]);
        assert!(off.links_of(BODY).is_empty());
    }

    #[test]
    fn at_most_the_configured_links_of_the_allowed_domains_are_taken() {
        assert_eq!(
            hosts(&previewer(&[]), BODY),
            ["a.example", "news.b.example", "b.example"]
        );
        let only_b = previewer(&[
            ("previews.allow_domains", serde_json::json!(["B.example"])),
            ("previews.max_per_message", serde_json::json!(5)),
        ]);
        assert_eq!(hosts(&only_b, BODY), ["news.b.example", "b.example"]);
    }
}
