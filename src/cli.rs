//! The command line. Every setting is a flag with a `WEBSTORE_*` environment
//! fallback, defined once in `config::Overrides` (clap reads both, flags
//! first); `config::Settings::load` layers the optional `webstore.toml` and
//! the defaults underneath.
//!
//! Exit codes: 0 success, 1 a runtime failure (or a failed `check`), 2 a bad
//! command line or configuration value.
//!
//! May import: config, startup, db, check, seed, telemetry, and for `admin
//! create`: shop, domain (the email and password rules), auth (the
//! secret box).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::config::{ConfigError, Overrides, Settings};
use secrecy::ExposeSecret as _;

use crate::auth::totp::SecretBox;
use crate::domain::account::{Email, NewPassword};
use crate::shop::accounts;
use crate::{check, db, seed, startup, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "webstore",
    version,
    about = "A secure, self-hostable online shop in one binary",
    long_about = "A secure, self-hostable online shop in one binary.\n\n\
        With no configuration it serves HTTPS on https://127.0.0.1:8893 from an embedded \
        SQLite database in ./data, with a self-signed certificate and a demo catalogue.\n\
        Every setting is a flag, a WEBSTORE_<NAME> environment variable and a key in an \
        optional webstore.toml, in that order of precedence."
)]
pub struct Cli {
    #[command(flatten)]
    options: Options,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the shop (the default when no command is given).
    Serve {
        /// Refuse to start against a schema that `webstore migrate` has not
        /// brought up to date, instead of migrating it: for many instances
        /// on a cluster, where migrations run once, before the rollout.
        #[arg(long, env = "WEBSTORE_NO_MIGRATE")]
        no_migrate: bool,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Load the demo catalogue (idempotent) and exit.
    SeedDemo,
    /// Audit the configuration; one line per finding, exit 1 on any failure.
    Check {
        /// Instead, ask the running shop's /healthz over HTTPS (trusting its
        /// own certificate); exit 0 when it answers 200, 1 otherwise.
        #[arg(long)]
        health: bool,
    },
    /// Manage back-office accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create (or promote) an admin; the password is read from standard
    /// input, never from the command line. Two-factor sign-in is enrolled at
    /// once: the last line printed is the otpauth:// URI for an
    /// authenticator app.
    Create {
        /// The admin's email address.
        #[arg(long)]
        email: String,
    },
}

/// The settings, plus where to find the file that holds more of them.
#[derive(Debug, Args)]
struct Options {
    #[command(flatten)]
    settings: Overrides,
    /// Configuration file (TOML); a missing default file is fine.
    #[arg(long, global = true, env = "WEBSTORE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

/// Parses the command line and runs the chosen command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let explicit = cli.options.config.is_some();
    let file = cli
        .options
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("webstore.toml"));
    let settings = match Settings::load(&cli.options.settings, Some(&file), explicit) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("webstore: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("webstore: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let command = cli.command.unwrap_or(Command::Serve { no_migrate: false });
    match runtime.block_on(execute(command, settings)) {
        Ok(code) => code,
        Err(e) => {
            let config_error = e.chain().any(|cause| cause.is::<ConfigError>());
            eprintln!("webstore: {e:#}");
            ExitCode::from(if config_error { 2 } else { 1 })
        }
    }
}

async fn execute(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { no_migrate } => {
            let stop = startup::shutdown_signal();
            let schema = if no_migrate {
                startup::Schema::RequireMigrated
            } else {
                startup::Schema::Migrate
            };
            let app = startup::App::build_with(settings, schema).await?;
            println!("webstore is ready: open {}/", app.origin());
            app.run_until_stopped(stop).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let db = db::Db::connect(&settings).await?;
            db.migrate().await?;
            db.close().await;
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::SeedDemo => {
            let db = db::Db::connect(&settings).await?;
            db.migrate().await?;
            let added = seed::seed_demo(&db)
                .await
                .context("seeding the demo catalogue")?;
            db.close().await;
            println!("demo catalogue loaded: {added} products added");
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(AdminCommand::Create { email }) => {
            let email = match Email::parse(&email) {
                Ok(email) => email,
                Err(e) => {
                    eprintln!("webstore: invalid email: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            let typed = line.strip_suffix('\n').unwrap_or(&line);
            let typed = typed.strip_suffix('\r').unwrap_or(typed);
            let password = match NewPassword::parse(typed, Some(&email), None) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("webstore: the password is refused: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let db = db::Db::connect(&settings).await?;
            db.migrate().await?;
            let secrets = SecretBox::load(
                settings.secret_key.as_ref().map(|k| k.expose_secret()),
                &settings.data_dir,
            )
            .map_err(|e| ConfigError(format!("{e:#}")))?;
            let (uri, codes) = accounts::create_admin(&db, &secrets, &email, &password)
                .await
                .map_err(|e| anyhow::anyhow!("creating the admin: {e}"))?;
            db.close().await;
            println!("admin {email} is ready; two-factor sign-in is on.");
            println!("recovery codes (each works once; keep them safe):");
            for code in codes {
                println!("  {code}");
            }
            println!("add this to your authenticator app:");
            println!("{uri}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { health: true } => Ok(match check::health(&settings) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("webstore: unhealthy: {e:#}");
                ExitCode::from(1)
            }
        }),
        Command::Check { health: false } => {
            let report = check::run(&settings).await;
            for finding in &report.findings {
                println!("{finding}");
            }
            Ok(if report.failed() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
