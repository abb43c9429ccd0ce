//! The composition root: router assembly and the server's life cycle. It may import every
//! module; none imports it back (the shared state lives in `state`).

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use poem::{
    Endpoint, EndpointExt, IntoEndpoint, Response, Route,
    endpoint::make_sync,
    get, handler, post,
    web::{Data, Html},
};

use crate::{
    api,
    clock::Clock,
    config::{Mode, Settings},
    domain::users::avatar,
    http::{
        BodyLimit, Compression, Cors, ErrorRenderer, RequestContext, methods::AllowedMethods,
        origin::OriginAllowList, server::HttpServer,
    },
    render,
    state::AppState,
    web, ws,
};

/// How long a shutdown waits for sockets to send their close frames.
const SOCKETS_CLOSE_WITHIN: Duration = Duration::from_secs(2);

/// Bytes an upload request may carry besides the file: part headers and small fields.
const UPLOAD_FORM_OVERHEAD: u64 = 256 * 1024;
/// The settings page's avatar form: the token and the multipart framing around the picture.
const AVATAR_FORM_OVERHEAD: u64 = 16 * 1024;

/// Every route with every middleware.
pub fn router(state: AppState) -> anyhow::Result<impl Endpoint> {
    let settings = state.settings.clone();
    let api = api::service(&state.i18n);
    // The published document is the generated one finished by `spec_doc`; the docs page,
    // the spec endpoint and the request guard all read it.
    let generated = api.spec();
    let doc = Arc::new(api::spec_doc::document(&generated, &state.i18n));
    let doc_text = serde_json::to_string_pretty(doc.as_ref())?;
    let docs_html = api.swagger_ui_html().replacen(&generated, &doc_text, 1);
    let socket_doc_text = serde_json::to_string_pretty(&ws::asyncapi::document(&doc))?;
    let methods = allowed_methods(&doc);
    let guard = api::spec_guard::SpecGuard::new(doc);
    let trusted_proxies = settings
        .server
        .trusted_proxies
        .iter()
        .filter_map(|ip| ip.parse().ok())
        .collect();
    let cors = Cors::new(
        OriginAllowList::new(&settings.http.cors_origins).map_err(anyhow::Error::msg)?,
        settings.server.mode == Mode::Dev,
        settings.server.public_url.as_deref(),
    );
    let routes = Route::new()
        .at("/metrics", metrics_endpoint)
        .at("/ws", ws::endpoint)
        .at(
            "/api/openapi.json",
            get(make_sync(move |_| {
                Response::builder()
                    .content_type("application/json")
                    .body(doc_text.clone())
            })),
        )
        .at(
            "/api/asyncapi.json",
            get(make_sync(move |_| {
                Response::builder()
                    .content_type("application/json")
                    .body(socket_doc_text.clone())
            })),
        )
        .nest(
            "/api/docs",
            get(make_sync(move |_| Html(docs_html.clone()))),
        )
        .nest("/static", render::static_files())
        .at("/sw.js", get(web::app_shell::service_worker))
        .at("/manifest.webmanifest", get(web::app_shell::manifest))
        .at("/admin", web::admin::dashboard)
        .at(
            "/login",
            get(web::account::login_page).post(web::account::login_submit),
        )
        .at(
            "/register",
            get(web::account::register_page).post(web::account::register_submit),
        )
        .at("/logout", post(web::account::logout))
        .at(
            "/password-reset",
            get(web::email::reset_page).post(web::email::reset_submit),
        )
        .at(
            "/password-reset/confirm",
            get(web::email::reset_confirm_page).post(web::email::reset_confirm_submit),
        )
        .at("/verify-email", get(web::email::verify_page))
        .at(
            "/unsubscribe",
            get(web::email::unsubscribe_page).post(web::email::unsubscribe_submit),
        )
        .at(
            "/settings",
            get(web::settings::page).post(web::settings::save_profile),
        )
        .at("/settings/avatar", post(web::settings::save_avatar))
        .at("/settings/password", post(web::settings::save_password))
        .at(
            "/settings/notifications",
            post(web::settings::save_notifications),
        )
        .at("/", web::chat::app);
    // The spec documents absolute paths, so the API keeps its prefixes (no strip) and one
    // instance serves every prefix it owns.
    let api = Arc::new(api.into_endpoint().with(guard));
    let routes = ["/healthz", "/readyz", "/api/v1"]
        .into_iter()
        .fold(routes, |routes, prefix| {
            routes.nest_no_strip(prefix, api.clone())
        });
    Ok(routes
        .with(methods)
        .with(
            BodyLimit::new(settings.http.body_limit_bytes)
                .route("/api/v1/users/me/avatar", avatar::MAX_BYTES)
                .route("/settings/avatar", avatar::MAX_BYTES + AVATAR_FORM_OVERHEAD)
                // Uploads stream to disk; the form around the file is small.
                .streamed(
                    "/api/v1/files",
                    settings.uploads.max_file_bytes + UPLOAD_FORM_OVERHEAD,
                )
                .streamed(
                    "/api/v1/emoji",
                    crate::domain::emoji::MAX_BYTES + UPLOAD_FORM_OVERHEAD,
                ),
        )
        .with(ErrorRenderer {
            i18n: state.i18n.clone(),
            templates: state.templates.clone(),
        })
        .with(Compression)
        .with(cors)
        .with(RequestContext {
            i18n: state.i18n.clone(),
            templates: state.templates.clone(),
            trusted_proxies,
        })
        .data(state))
}

/// The methods of every path: the API's from its document, the pages' listed here.
fn allowed_methods(doc: &serde_json::Value) -> AllowedMethods {
    use poem::http::Method;
    let (get, post) = (Method::GET, Method::POST);
    let mut routes: Vec<(String, Vec<Method>)> = [
        ("/metrics", vec![get.clone()]),
        ("/ws", vec![get.clone()]),
        ("/api/openapi.json", vec![get.clone()]),
        ("/api/asyncapi.json", vec![get.clone()]),
        ("/api/docs", vec![get.clone()]),
        ("/static/*", vec![get.clone()]),
        ("/sw.js", vec![get.clone()]),
        ("/manifest.webmanifest", vec![get.clone()]),
        ("/admin", vec![get.clone()]),
        ("/login", vec![get.clone(), post.clone()]),
        ("/register", vec![get.clone(), post.clone()]),
        ("/logout", vec![post.clone()]),
        ("/password-reset", vec![get.clone(), post.clone()]),
        ("/password-reset/confirm", vec![get.clone(), post.clone()]),
        ("/verify-email", vec![get.clone()]),
        ("/unsubscribe", vec![get.clone(), post.clone()]),
        ("/settings", vec![get.clone(), post.clone()]),
        ("/settings/avatar", vec![post.clone()]),
        ("/settings/password", vec![post]),
        ("/", vec![get]),
    ]
    .into_iter()
    .map(|(path, methods)| (path.to_owned(), methods))
    .collect();
    if let Some(paths) = doc.get("paths").and_then(serde_json::Value::as_object) {
        for (path, item) in paths {
            let methods = item
                .as_object()
                .into_iter()
                .flat_map(|item| item.keys())
                .filter_map(|method| method.to_uppercase().parse().ok())
                .collect();
            routes.push((path.clone(), methods));
        }
    }
    AllowedMethods::new(routes)
}

/// Prometheus text exposition.
#[handler]
fn metrics_endpoint(state: Data<&AppState>) -> String {
    state.metrics.run_upkeep();
    state.metrics.render()
}

/// A bound, not yet serving, server.
pub struct Application {
    addr: SocketAddr,
    server: HttpServer,
    state: AppState,
}

impl Application {
    /// Builds the state and binds the listening socket (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::default()).await
    }

    /// Like [`Application::build`], on `clock`: a test keeps a clone to move time forward.
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let bind = SocketAddr::new(settings.server.host, settings.server.port);
        let state = AppState::build(settings, clock).await?;
        let server = HttpServer::bind(bind, &state.settings.http)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
        let addr = server
            .local_addr()
            .map_err(|e| anyhow::anyhow!("listener has no local address: {e}"))?;
        Ok(Self {
            addr,
            server,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then stops accepting and lets in-flight requests
    /// finish within the configured grace period.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let grace = Duration::from_secs(self.state.settings.server.shutdown_timeout_secs);
        let db = self.state.db.clone();
        let housekeeping = tokio::spawn(housekeeping(self.state.clone()));
        let heartbeat = tokio::spawn(presence_heartbeat(self.state.clone()));
        let cleanup = tokio::spawn(files_cleanup(self.state.clone()));
        let retention = tokio::spawn(retention(self.state.clone()));
        let mail = tokio::spawn(mail_outbox(self.state.clone()));
        let push = tokio::spawn(push_delivery(self.state.clone()));
        let scheduled = tokio::spawn(scheduled_messages(self.state.clone()));
        let hub = self.state.hub.clone();
        let app = router(self.state)?;
        // Sockets are told to go away as soon as the server stops accepting, so their
        // clients reconnect elsewhere at once instead of seeing the connection drop.
        let shutdown = {
            let hub = hub.clone();
            async move {
                shutdown.await;
                hub.close_all(ws::protocol::close::GOING_AWAY);
            }
        };
        self.server.run(app, shutdown, grace).await?;
        hub.drained(SOCKETS_CLOSE_WITHIN).await;
        housekeeping.abort();
        heartbeat.abort();
        cleanup.abort();
        retention.abort();
        mail.abort();
        push.abort();
        scheduled.abort();
        db.close().await?;
        tracing::info!("shutdown complete");
        Ok(())
    }
}

/// Periodic chores: lapse typing indicators, forget idle rate-limit keys.
async fn housekeeping(state: AppState) {
    let mut tick = state.clock.ticker(Duration::from_millis(250));
    let mut ticks: u64 = 0;
    loop {
        tick.tick().await;
        state.fanout.typing.sweep(state.broker.as_ref());
        ticks += 1;
        crate::actions::polls_flush(&state).await;
        if ticks % 4 == 0 {
            state.fanout.presence.flush(state.broker.as_ref());
        }
        if ticks % (4 * state.settings.polls.close_check_secs) == 0 {
            crate::actions::polls_close_due(&state).await;
        }
        if ticks % 240 == 0 {
            state.limits.sweep();
        }
    }
}

/// Keeps this node's presence entries alive in Redis and announces what lapsed elsewhere.
async fn presence_heartbeat(state: AppState) {
    let mut tick = tokio::time::interval(state.presence.heartbeat_every());
    loop {
        tick.tick().await;
        for (user_id, presence) in state.presence.heartbeat().await {
            crate::actions::presence_announce(&state, user_id, presence).await;
        }
    }
}

/// The uploads cleanup pass: at start, then every `uploads.cleanup_interval_secs`.
async fn files_cleanup(state: AppState) {
    let period = Duration::from_secs(state.settings.uploads.cleanup_interval_secs);
    let mut tick = state.clock.ticker(period);
    loop {
        tick.tick().await;
        let now = state.clock.system_now();
        match crate::domain::files::sweep::sweep(
            &state.db,
            &state.files,
            &state.settings.uploads,
            now,
        )
        .await
        {
            Ok(swept) if swept.files + swept.blobs + swept.stray + swept.previews > 0 => {
                tracing::info!(
                    files = swept.files,
                    contents = swept.blobs,
                    stray = swept.stray,
                    previews = swept.previews,
                    "uploads cleaned up"
                );
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "uploads cleanup failed"),
        }
    }
}

/// Removes messages past their room's retention, every `moderation.retention_check_secs`.
async fn retention(state: AppState) {
    let period = Duration::from_secs(state.settings.moderation.retention_check_secs);
    let mut tick = state.clock.ticker(period);
    loop {
        tick.tick().await;
        let now = state.clock.now();
        match crate::domain::messages::retention::retention_apply(&state.db, &state.files, now)
            .await
        {
            Ok(0) => {}
            Ok(removed) => tracing::info!(messages = removed, "retention applied"),
            Err(err) => tracing::warn!(error = %err, "retention pass failed"),
        }
    }
}

/// Queues the missed-activity mail that is due and sends queued mail: when a request of
/// this node queues one, on a timer for mail queued elsewhere or due for a retry, and
/// whenever a test moves the clock.
async fn mail_outbox(state: AppState) {
    if !state.mail.enabled() {
        return;
    }
    let mut tick = state.clock.ticker(Duration::from_secs(MAIL_ROUND_SECS));
    let mut last_prune: Option<std::time::Instant> = None;
    loop {
        tokio::select! {
            () = tick.tick() => {}
            () = state.mail.woken() => {}
        }
        crate::mailing::digests_due(&state).await;
        crate::mailing::deliver_due(&state).await;
        // Hourly (and whenever a test moves the clock): old rows go.
        if last_prune.is_none_or(|at| state.clock.instant() >= at + PRUNE_EVERY) {
            crate::mailing::prune(&state).await;
            last_prune = Some(state.clock.instant());
        }
    }
}

/// Sends Web Push for notifications left unread past the delay: every few seconds, and
/// whenever a test moves the clock. Every node runs it; each row is taken by one.
async fn push_delivery(state: AppState) {
    if state.push.is_none() {
        return;
    }
    let mut tick = state.clock.ticker(Duration::from_secs(PUSH_ROUND_SECS));
    loop {
        tick.tick().await;
        crate::pushing::deliver_due(&state).await;
    }
}

/// Sends scheduled messages whose time has come: every second, and whenever a test moves
/// the clock. Every node runs it; each message is claimed and sent by one.
async fn scheduled_messages(state: AppState) {
    let mut tick = state.clock.ticker(Duration::from_secs(1));
    loop {
        tick.tick().await;
        crate::actions::scheduled_send_due(&state).await;
    }
}

/// Seconds between push delivery rounds: a push goes out at most this late after its delay.
const PUSH_ROUND_SECS: u64 = 5;

/// How often a node removes old mail and expired links.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Seconds between the outbox worker's rounds when nothing wakes it.
const MAIL_ROUND_SECS: u64 = 15;

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; draining in-flight requests");
}
