//! The state every handler shares. Apart from `app` (which wires the routes) so adapters
//! and `actions` can name it without importing the module that imports them.

use std::{sync::Arc, time::Duration};

use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;

use crate::{
    clock::Clock,
    cluster::Shared,
    config::Settings,
    db,
    domain::{
        auth::{AuthService, sessions},
        files::FileStore,
        previews::Previewer,
        rooms,
    },
    fanout::Fanout,
    i18n::I18n,
    infra::{mailer::Mailer, webpush::Pusher},
    limits::Limits,
    metrics as app_metrics,
    render::Templates,
    secrets,
    ws::{
        broker::Broker,
        hub::{Hub, LiveSessions},
        in_process_broker::InProcessBroker,
        presence::PresenceBoard,
        redis_broker::RedisBroker,
    },
};

/// Shared by every handler, attached once with `.data()`.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub i18n: I18n,
    pub templates: Templates,
    pub auth: Arc<AuthService>,
    pub hub: Hub,
    /// Typing, batched presence and poll counts, and each room's publishing order.
    pub fanout: Arc<Fanout>,
    pub broker: Arc<dyn Broker>,
    /// Presence over every node (or this one's alone without Redis).
    pub presence: Arc<PresenceBoard>,
    pub limits: Arc<Limits>,
    pub files: Arc<FileStore>,
    /// Link previews: the guarded outbound client and the per-host turns.
    pub previews: Arc<Previewer>,
    pub metrics: PrometheusHandle,
    /// Outgoing mail: the SMTP server, link signing, the outbox worker's wake-up.
    pub mail: Arc<Mailer>,
    /// Web Push: the VAPID keys and the sender; `None` when `[push] enabled` is off.
    pub push: Option<Arc<Pusher>>,
    /// The time expiries are measured by; only tests move it.
    pub clock: Clock,
}

impl AppState {
    /// Connects to the database, applies migrations (unless disabled) and loads everything
    /// a request may need.
    pub async fn build(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let db = db::connect(&settings.database).await?;
        if settings.database.auto_migrate {
            db::migrate_up(&db).await?;
        }
        let jwt_key = secrets::jwt_key(&db, settings.auth.jwt_secret.as_ref()).await?;
        let push = if settings.push.enabled {
            let vapid = secrets::vapid_key(&db).await?;
            Some(Arc::new(Pusher::new(&settings, &vapid)?))
        } else {
            None
        };
        let files = FileStore::open(&settings.uploads).await?;
        rooms::ensure_general_room(&db).await?;
        let hub = Hub::new(settings.ws.queue_capacity, live_sessions(db.clone()));
        let shared = match &settings.broker.url {
            Some(url) => Some(Arc::new(Shared::new(url, &settings.broker.namespace)?)),
            None => None,
        };
        let broker: Arc<dyn Broker> = match &shared {
            Some(shared) => RedisBroker::start(hub.clone(), shared),
            None => InProcessBroker::new(hub.clone()),
        };
        let presence = PresenceBoard::new(
            hub.clone(),
            shared.clone(),
            Duration::from_secs(settings.broker.presence_ttl_secs),
        );
        Ok(Self {
            broker,
            hub,
            fanout: Arc::new(Fanout::new(
                Duration::from_millis(settings.ws.typing_expiry_ms),
                clock.clone(),
            )),
            presence: Arc::new(presence),
            limits: Arc::new(Limits::new(&settings, shared.clone())),
            files: Arc::new(files),
            previews: Arc::new(Previewer::new(&settings)),
            mail: Arc::new(Mailer::new(&settings, jwt_key.expose_secret())?),
            push,
            auth: Arc::new(AuthService::new(
                &settings.auth,
                jwt_key.expose_secret(),
                shared,
            )?),
            db,
            i18n: I18n::load()?,
            templates: Templates::load()?,
            metrics: app_metrics::install()?,
            settings: Arc::new(settings),
            clock,
        })
    }
}

/// The hub's way to ask which of a user's sessions are still live, without a database
/// handle of its own.
fn live_sessions(db: DatabaseConnection) -> LiveSessions {
    Arc::new(move |user_id| {
        let db = db.clone();
        Box::pin(async move { sessions::sessions_live_ids(&db, user_id).await })
    })
}
