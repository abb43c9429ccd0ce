//! Password policy and argon2id hashing. Hashing is deliberately slow and takes
//! `memory_kib` each, so it runs on the blocking pool, `max_concurrent` at a time, with
//! at most `max_waiting` more queued: a login or registration storm can neither starve
//! the async workers that serve WebSockets nor pile up without bound. Past the queue the
//! caller gets [`QueueFull`] (answered 503 `service.unavailable`, see `faults`).

use std::sync::Arc;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use tokio::sync::Semaphore;

use crate::{
    config::Argon2Settings,
    domain::users::username::Username,
    error::{AppError, ErrorCode},
    faults::QueueFull,
};

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

/// Checks the password policy: 8–128 characters (any Unicode), not the username itself.
pub fn check_policy(password: &str, username: &Username) -> Result<(), AppError> {
    let count = password.chars().count();
    if count < MIN_CHARS {
        return Err(AppError::Invalid {
            code: ErrorCode::PasswordTooShort,
            args: vec![("min", MIN_CHARS.to_string())],
        });
    }
    if count > MAX_CHARS {
        return Err(AppError::Invalid {
            code: ErrorCode::PasswordTooLong,
            args: vec![("max", MAX_CHARS.to_string())],
        });
    }
    if Username::parse(password).is_ok_and(|as_name| as_name.key() == username.key()) {
        return Err(AppError::Invalid {
            code: ErrorCode::PasswordEqualsUsername,
            args: vec![],
        });
    }
    Ok(())
}

/// Hashes and verifies passwords with bounded concurrency and a bounded queue.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// One per hash running.
    permits: Arc<Semaphore>,
    /// One per hash running or waiting: taken without waiting, so a full queue answers at
    /// once instead of joining it.
    places: Arc<Semaphore>,
}

impl PasswordHasher {
    pub fn new(settings: &Argon2Settings) -> anyhow::Result<Self> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        let running = match settings.max_concurrent {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(running)),
            places: Arc::new(Semaphore::new(running + settings.max_waiting)),
        })
    }

    /// Runs `work` on the blocking pool once a slot is free, or refuses at once when the
    /// queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(Argon2<'static>) -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let _place = self.places.try_acquire().map_err(|_| QueueFull)?;
        let _permit = self.permits.acquire().await?;
        let argon2 = self.argon2();
        tokio::task::spawn_blocking(move || work(argon2)).await?
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// A PHC-format argon2id hash of `password` with a fresh salt.
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        self.run(move |argon2| {
            let salt = SaltString::generate(&mut OsRng);
            argon2
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))
        })
        .await
    }

    /// Whether `password` matches the stored PHC `hash` (its own parameters are used).
    pub async fn verify(&self, password: String, hash: String) -> anyhow::Result<bool> {
        self.run(move |argon2| {
            let parsed = PasswordHash::new(&hash)
                .map_err(|e| anyhow::anyhow!("stored hash is malformed: {e}"))?;
            Ok(argon2.verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Username {
        Username::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn policy_counts_characters_and_refuses_the_username() {
        let ali = name("Ali_1234");
        assert_eq!(
            check_policy("short", &ali).err().map(|e| e.code()),
            Some("password.too_short")
        );
        assert_eq!(
            check_policy(&"x".repeat(129), &ali).err().map(|e| e.code()),
            Some("password.too_long")
        );
        assert_eq!(
            check_policy("ali_1234", &ali).err().map(|e| e.code()),
            Some("password.equals_username")
        );
        assert!(check_policy("رمز عبور خیلی خوب", &ali).is_ok());
    }

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() -> anyhow::Result<()> {
        let hasher = PasswordHasher::new(&Argon2Settings {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
            max_concurrent: 0,
            max_waiting: 64,
        })?;
        let hash = hasher.hash("correct horse".to_owned()).await?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify("correct horse".to_owned(), hash.clone())
                .await?
        );
        assert!(!hasher.verify("wrong horse".to_owned(), hash).await?);
        Ok(())
    }
}
