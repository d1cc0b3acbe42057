//! `fieldline`: the server and its operator commands.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use fieldline_api::config::{Config, Environment};
use fieldline_api::{AppState, MIGRATOR, agencies, demo, keygen, launch_with_listener, telemetry};
use fieldline_wire::{Email, NewPassword};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

// A request allocates and frees many small buffers across threads (rows, JSON); glibc's
// allocator was about 15% of a directory search's server CPU under load, mimalloc far less
// (`docs/benchmarks.md`, "What the measurements decided").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "fieldline",
    version,
    about = "Field crisis response for victim services"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (applies pending migrations first unless FIELDLINE_AUTO_MIGRATE=false).
    Serve {
        /// Seed the demo agencies and logins (development only).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed the demo data (idempotent; development only).
    SeedDemo,
    /// Create an agency and its first admin. The password is read from
    /// FIELDLINE_ADMIN_PASSWORD, or from the first line of standard input.
    CreateAgency {
        #[arg(long)]
        name: String,
        /// IANA time zone, e.g. America/Denver.
        #[arg(long)]
        time_zone: String,
        #[arg(long)]
        admin_email: String,
        #[arg(long)]
        admin_name: String,
    },
    /// Write production keys (token signing, VAPID, data keys) into DIR; never overwrites.
    GenKeys { dir: PathBuf },
    /// Re-seal personal fields sealed under older data keys with the current one.
    RotateDataKeys,
    /// Print the OpenAPI document `/v1/openapi.json` serves (needs no database or keys).
    Openapi,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::GenKeys { dir } = &cli.command {
        return match keygen::write_production_keys(dir) {
            Ok(()) => {
                println!(
                    "wrote {0}/jwt-ed25519.pem, {0}/jwt-ed25519.pub.pem, {0}/vapid-p256.pem and {0}/data-keys",
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("{e:#}")),
        };
    }
    if let Command::Openapi = &cli.command {
        println!("{:#}", fieldline_api::openapi());
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => return fail(&format!("configuration error: {e}")),
    };
    telemetry::init();
    match run(cli.command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("{e:#}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("fieldline: {message}");
    ExitCode::from(2)
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    let db = fieldline_api::connect(&config)
        .await
        .context("connecting to DATABASE_URL")?;
    match command {
        Command::Migrate => {
            MIGRATOR.run(&db).await.context("applying migrations")?;
            println!("migrations applied");
        }
        Command::SeedDemo => {
            refuse_demo_in_production(&config)?;
            MIGRATOR.run(&db).await.context("applying migrations")?;
            demo::seed(&db).await?;
            println!("demo data seeded");
        }
        Command::CreateAgency {
            name,
            time_zone,
            admin_email,
            admin_name,
        } => {
            let admin_email =
                Email::parse(&admin_email).map_err(|e| anyhow::anyhow!("--admin-email {e}"))?;
            let admin_password = match std::env::var("FIELDLINE_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let admin_password = NewPassword::parse(admin_password)
                .map_err(|e| anyhow::anyhow!("the admin password {e}"))?;
            let new = agencies::NewAgency {
                name,
                time_zone,
                admin_email,
                admin_name,
                admin_password,
            };
            let (agency, admin) = agencies::create(&db, new).await?;
            println!("agency {agency} created with admin {admin}");
        }
        Command::Serve { demo: seed_demo } => serve(db, config, seed_demo).await?,
        Command::RotateDataKeys => {
            let n = fieldline_api::encryption::rotate_all(&db, &config.data_keys).await?;
            println!(
                "re-sealed {n} values with data key {}",
                config.data_keys.current_id()
            );
        }
        Command::GenKeys { .. } | Command::Openapi => {
            unreachable!("handled before configuration is read")
        }
    }
    Ok(())
}

/// `fieldline serve`: migrations, the optional demo seed, then the API, the metrics listener
/// and the background workers until a signal stops them all.
async fn serve(db: sqlx::PgPool, config: Config, seed_demo: bool) -> anyhow::Result<()> {
    if config.auto_migrate {
        MIGRATOR.run(&db).await.context("applying migrations")?;
    }
    if seed_demo {
        refuse_demo_in_production(&config)?;
        demo::seed(&db).await?;
    }
    if config.environment == Environment::Production && demo::present(&db).await? {
        bail!("demo agencies exist in this database; production refuses to start with demo users");
    }
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {} (FIELDLINE_BIND)", config.bind))?;
    tracing::info!(address = %listener.local_addr()?, "serving");
    let state = AppState {
        search: fieldline_api::db::SearchPool::new(&db, config.db_search_connections),
        db,
        config: Arc::new(config),
    };
    // One signal stops the HTTP server and the background workers (push delivery,
    // escalation); each is safe to run on any number of instances.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = fieldline_api::push::worker::Worker::new(state.db.clone(), state.config.clone())?;
    let worker = tokio::spawn(worker.run(wait_for(stopped.clone())));
    let metrics = match state.config.metrics_bind {
        Some(address) => {
            fieldline_api::ops::metrics::install()?;
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen on {address} (FIELDLINE_METRICS_BIND)"))?;
            tracing::info!(address = %listener.local_addr()?, "serving metrics");
            Some(tokio::spawn(fieldline_api::ops::metrics::serve(
                listener,
                state.clone(),
                wait_for(stopped.clone()),
            )))
        }
        None => None,
    };
    let escalation = tokio::spawn(fieldline_api::jobs::run_escalation(
        state.db.clone(),
        state.config.data_keys.clone(),
        state.config.worker_poll,
        wait_for(stopped),
    ));
    let shutdown = async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    };
    launch_with_listener(listener, state, shutdown).await?;
    let _ = tokio::join!(worker, escalation);
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    tracing::info!("stopped");
    Ok(())
}

fn refuse_demo_in_production(config: &Config) -> anyhow::Result<()> {
    if config.environment == Environment::Production {
        bail!("demo data is for development only (FIELDLINE_ENV=production)");
    }
    Ok(())
}

async fn wait_for(mut stopped: tokio::sync::watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
