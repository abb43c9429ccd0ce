use anjoman::{app::Application, config::Settings};
use base64::{Engine, engine::general_purpose::STANDARD};
use entity::instance_state;
use sea_orm::EntityTrait;

use crate::helpers::{Backend, spawn_app, spawn_app_with, test_figment};
use crate::on_both_backends;

on_both_backends!(
    the_jwt_key_is_generated_on_first_start_and_kept,
    a_configured_jwt_secret_is_used_as_given,
);

async fn the_jwt_key_is_generated_on_first_start_and_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let stored = instance_state::Entity::find_by_id("jwt.hs256")
        .one(&app.db)
        .await
        .unwrap()
        .expect("a key was stored on first start");
    let stored = STANDARD.decode(stored.value).unwrap();
    assert_eq!(stored.len(), 64);
    assert!(stored.iter().any(|b| *b != 0));

    // A second server on the same database (a restart, or another node) uses the same key:
    // a token issued by the first is accepted by the second.
    let token = app.register_token("keeper", "a fine password").await;
    let settings = Settings::from_figment(test_figment(&app.database.url)).unwrap();
    let again = Application::build(settings).await.unwrap();
    let address = format!("http://{}", again.local_addr());
    tokio::spawn(again.run_until(std::future::pending()));
    let me = app
        .client
        .get(format!("{address}/api/v1/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}

async fn a_configured_jwt_secret_is_used_as_given(backend: Backend) {
    let secret = "k".repeat(40);
    let app = spawn_app_with(backend, |f| f.merge(("auth.jwt_secret", secret.clone()))).await;
    let stored = instance_state::Entity::find_by_id("jwt.hs256")
        .one(&app.db)
        .await
        .unwrap();
    assert!(
        stored.is_none(),
        "a configured secret is not replaced by a generated one"
    );
}
