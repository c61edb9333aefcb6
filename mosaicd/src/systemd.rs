//! The service manager's notify protocol (`Type=notify`): `READY=1` once the admin socket and the
//! HTTP API listen, `STOPPING=1` when shutdown begins, and `WATCHDOG=1` pings while the runtime
//! schedules work, if the unit asks for them (`WatchdogSec=`, which sets `WATCHDOG_USEC`).
//!
//! Without `NOTIFY_SOCKET` (not started by systemd) every call does nothing. A failed notification
//! is logged and otherwise ignored: the daemon works the same, systemd only learns less.

use std::time::Duration;

use sd_notify::NotifyState;

fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "cannot notify the service manager");
    }
}

/// The daemon serves: its listeners are bound and the container manager runs.
pub fn ready(status: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// Shutdown has begun.
pub fn stopping() {
    send(&[NotifyState::Stopping, NotifyState::Status("shutting down")]);
}

/// The watchdog interval the service manager asked for, if any.
pub fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled().filter(|d| !d.is_zero())
}

/// Pings the watchdog at half its interval until `stop` resolves. The ping comes from a task on
/// the daemon's runtime, so a runtime that no longer schedules tasks stops pinging and systemd
/// restarts the daemon.
pub async fn watchdog(interval: Duration, stop: impl std::future::Future<Output = ()>) {
    tracing::info!(interval_ms = interval.as_millis() as u64, "systemd watchdog enabled");
    let mut tick = tokio::time::interval(interval / 2);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => send(&[NotifyState::Watchdog]),
        }
    }
}
