//! Command line: `serve` (default), `migrate`, `create-admin`, `reindex`.

use std::{
    io::{BufRead, IsTerminal, Write},
    path::PathBuf,
    process::ExitCode,
};

use clap::{Args, Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

use crate::{
    app::{Application, shutdown_signal},
    config::Settings,
    db,
    domain::users,
    error::AppError,
    i18n::I18n,
    infra::password::PasswordHasher,
    telemetry,
};

#[derive(Debug, Parser)]
#[command(name = "anjoman", version, about = "Self-hosted community chat server")]
pub struct Cli {
    /// Extra configuration file, layered over the built-in defaults.
    #[arg(
        long,
        short,
        global = true,
        env = "ANJOMAN_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Inspect or change the database schema.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Create an administrator account.
    CreateAdmin(CreateAdmin),
    /// Rebuild the message search index (after an upgrade, or to repair it).
    Reindex,
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply all pending migrations.
    Up,
    /// Roll back the most recent migrations.
    Down {
        /// How many to roll back.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Debug, Args)]
pub struct CreateAdmin {
    /// Username; asked for when omitted.
    #[arg(long)]
    pub username: Option<String>,
    /// Password; asked for (hidden) when omitted, or read from standard input if that is
    /// not a terminal. Prefer the prompt: flags end up in shell history.
    #[arg(long)]
    pub password: Option<String>,
}

/// The binary's whole `main`: parse the command line, start the runtime, run. It lives here,
/// not in `src/main.rs`, so that the server's async state machines are compiled once, in
/// this crate: behind `#[tokio::main]` in the binary they were compiled a second time, 24 s
/// of a clean release build for an eight-line file (issue 19).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run(cli)),
        Err(err) => {
            eprintln!("anjoman: cannot start the async runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the parsed command and turns failures into a one-line message and exit code.
pub async fn run(cli: Cli) -> ExitCode {
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("anjoman: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log.format);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate { action } => migrate(settings, action).await,
        Command::CreateAdmin(args) => create_admin(settings, args).await,
        Command::Reindex => reindex(settings).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "stopped with an error");
            eprintln!("anjoman: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    app.run_until(shutdown_signal()).await
}

async fn reindex(settings: Settings) -> anyhow::Result<()> {
    let db = db::connect(&settings.database).await?;
    db::migrate_up(&db).await?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {bar:40} {pos}/{len} messages ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let done = crate::domain::search::index::reindex(&db, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish_and_clear();
    println!(
        "reindexed {done} message(s) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn migrate(settings: Settings, action: MigrateAction) -> anyhow::Result<()> {
    let db = db::connect(&settings.database).await?;
    match action {
        MigrateAction::Up => {
            let pending = Migrator::get_pending_migrations(&db).await?.len();
            db::migrate_up(&db).await?;
            println!("applied {pending} migration(s)");
        }
        MigrateAction::Down { steps } => {
            Migrator::down(&db, Some(steps)).await?;
            println!("rolled back up to {steps} migration(s)");
        }
        MigrateAction::Status => {
            for (name, applied) in db::migration_status(&db).await? {
                println!("{} {name}", if applied { "applied" } else { "pending" });
            }
        }
    }
    db.close().await?;
    Ok(())
}

async fn create_admin(settings: Settings, args: CreateAdmin) -> anyhow::Result<()> {
    let db = db::connect(&settings.database).await?;
    db::migrate_up(&db).await?;
    let username = match args.username {
        Some(username) => username,
        None => prompt_line("Username: ")?,
    };
    let password = match args.password {
        Some(password) => password,
        None if std::io::stdin().is_terminal() => {
            let first = rpassword::prompt_password("Password: ")?;
            let again = rpassword::prompt_password("Repeat password: ")?;
            anyhow::ensure!(first == again, "the passwords differ");
            first
        }
        None => prompt_line("")?,
    };
    let hasher = PasswordHasher::new(&settings.auth.argon2)?;
    match users::user_create(&db, &hasher, &username, &password, users::Role::Admin).await {
        Ok(user) => {
            println!("created admin {} ({})", user.username, user.id);
            db.close().await?;
            Ok(())
        }
        Err(AppError::Internal(err)) => Err(err),
        Err(err) => {
            // Rule violations read like the API's messages, in the operator's language.
            let i18n = I18n::load()?;
            let lang = i18n.negotiate(
                std::env::var("LANG")
                    .ok()
                    .map(|l| l.replace('_', "-"))
                    .as_deref()
                    .map(|l| l.split('.').next().unwrap_or(l)),
            );
            let problem = err.to_problem(&i18n, &lang);
            anyhow::bail!("{} ({})", problem.detail, problem.code)
        }
    }
}

/// Reads one line from standard input, after printing `prompt` to standard error.
fn prompt_line(prompt: &str) -> anyhow::Result<String> {
    if !prompt.is_empty() {
        eprint!("{prompt}");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
