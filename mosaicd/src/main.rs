use clap::Parser;
use mosaicd::cli::{Args, Command, LogFormat};
use mosaicd::config::Config;
use tokio::signal::unix::{SignalKind, signal};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

fn main() {
    let args = Args::parse();
    // Everything the daemon writes (database, key file, lock) is for its own user only.
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
    let command = args.command.clone();
    let config = match Config::resolve(args) {
        Ok(config) => config,
        Err(e) => fail(&e.full()),
    };
    if let Some(Command::Restore(restore)) = command {
        match mosaicd::restore::run(&config, &restore.file) {
            Ok(done) => {
                println!(
                    "Restored {} into {} (schema version {}{}).",
                    restore.file.display(),
                    done.database.display(),
                    done.from_schema,
                    if done.from_schema == done.to_schema {
                        String::new()
                    } else {
                        format!(", migrated to {}", done.to_schema)
                    }
                );
                if let Some(previous) = done.previous {
                    println!("The database it replaced is kept as {}.", previous.display());
                }
                return;
            }
            Err(e) => fail(&e.full()),
        }
    }
    init_logging(config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&e));
    if let Err(e) = runtime.block_on(mosaicd::run(config, shutdown_signal())) {
        fail(&e.full());
    }
}

fn fail(e: &dyn std::fmt::Display) -> ! {
    eprintln!("mosaicd: error: {e}");
    std::process::exit(1);
}

async fn shutdown_signal() {
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = term.recv() => tracing::info!("received SIGTERM"),
        _ = int.recv() => tracing::info!("received SIGINT"),
    }
}

/// Crates whose verbose levels write what passes through them, and the most they may log,
/// whatever `MOSAIC_LOG` asks: bollard logs request and response bodies at debug and trace (the
/// archive that writes an agent's gateway token file, container configs, inspect answers with
/// their environment), hyper and h2 log headers and frames at trace (`Authorization`, cookies).
/// No level or filter may put a secret in the log.
const CAPPED: &[(&str, LevelFilter)] = &[
    ("bollard", LevelFilter::INFO),
    ("h2", LevelFilter::INFO),
    ("hyper", LevelFilter::DEBUG),
    ("hyper_util", LevelFilter::DEBUG),
    ("reqwest", LevelFilter::DEBUG),
    ("warp", LevelFilter::DEBUG),
];

/// Both formats show the spans an event happened in, with their fields: the text format as
/// `request{request_id=… method=… route=… user=…}: …` before the message, the JSON format as
/// `span` (the innermost) and `spans` (all, outermost first).
fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MOSAIC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second global filter: an event is logged only if both MOSAIC_LOG and the caps allow it.
    let cap = CAPPED
        .iter()
        .fold(Targets::new().with_default(LevelFilter::TRACE), |t, (target, level)| {
            t.with_target(*target, *level)
        });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        LogFormat::Text => builder.finish().with(cap).init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .finish()
            .with(cap)
            .init(),
    }
}
