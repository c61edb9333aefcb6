//! Checking an agent image before users depend on it: the checks that need no container (run
//! when an admin sets `agent.image`), and `mosaicctl containers doctor`, which adds a trial start
//! of a throwaway container.
//!
//! A trial container is `mosaic-trial-<hex>` with its own state volume; it fetches a config with
//! no provider from the internal endpoint (`trial/<hex>`, with its own gateway token) and is
//! removed with its volume as soon as it is ready or has failed. Reconciliation removes any that
//! a dead mosaicd left behind.

use std::time::Instant;

use mosaic_shared::types::{DoctorReport, DoctorStep};

use super::agent_config::{self, AgentConfig};
use super::settings;
use super::spec::{self, ContainerSpec, LABEL_OBJECT};
use super::{ContainerManager, Inner, new_token};
use crate::error::{Error, Result};

/// The oldest OpenClaw Mosaic supports: it has `/healthz` and `/readyz`, the chat completions
/// endpoint, the Control UI switch, and an image whose state directory belongs to `node` (a new
/// named volume then does too).
pub const MIN_OPENCLAW_VERSION: Version = Version(2026, 5, 22);
/// The image label that carries the version (OCI's standard one).
pub const VERSION_LABEL: &str = "org.opencontainers.image.version";
/// `mosaic.object` of a trial container and its volume.
pub const TRIAL_OBJECT: &str = "trial";

/// An OpenClaw version: `YEAR.MONTH.N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// The version at the start of `text` (`2026.5.22`, `v2026.5.22`, `2026.5.22-slim`).
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim().trim_start_matches('v');
        let mut parts = text.splitn(3, '.');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let rest = parts.next()?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let n = digits.parse().ok()?;
        (rest.len() == digits.len() || rest[digits.len()..].starts_with(['-', '+'])).then_some(Version(year, month, n))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The tag of an image reference (`repo:tag`, `repo:tag@digest`), if it has one.
fn tag_of(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':').map(|(_, tag)| tag)
}

/// A step's result, timed.
struct Timer(Instant);

impl Timer {
    fn start() -> Timer {
        Timer(Instant::now())
    }

    fn step(&self, name: &str, ok: bool, detail: impl Into<String>) -> DoctorStep {
        DoctorStep {
            name: name.to_string(),
            ok,
            detail: detail.into(),
            millis: self.0.elapsed().as_millis() as u64,
        }
    }
}

impl ContainerManager {
    /// The checks that need no container: the engine answers, the image is on it or in its
    /// registry, and its version (label, else tag) is one Mosaic supports. Stops at the first
    /// step that fails.
    pub async fn check_image(&self, image: &str) -> Vec<DoctorStep> {
        let docker = self.inner.driver.engine();
        let mut steps = Vec::new();
        let timer = Timer::start();
        match docker.version().await {
            Ok(version) => steps.push(timer.step("docker", true, format!("Docker Engine {version}"))),
            Err(e) => {
                // The operator's own diagnosis: what the connection said, too.
                let said = e.detail().map(|d| format!(" ({d})")).unwrap_or_default();
                steps.push(timer.step("docker", false, format!("{e}{said}")));
                return steps;
            }
        }
        let timer = Timer::start();
        let local = match docker.image(image).await {
            Ok(found) => found,
            Err(e) => {
                steps.push(timer.step("image", false, e.to_string()));
                return steps;
            }
        };
        match &local {
            Some(info) => {
                let short = info
                    .id
                    .trim_start_matches("sha256:")
                    .chars()
                    .take(12)
                    .collect::<String>();
                let user = info.user.as_deref().unwrap_or("root (no USER)");
                steps.push(timer.step("image", true, format!("on the engine (image {short}, user {user})")));
            }
            None => match docker.registry_digest(image).await {
                Ok(digest) => steps.push(timer.step(
                    "image",
                    true,
                    format!("not on the engine yet; its registry has it ({digest}); it is pulled at the first start"),
                )),
                Err(e) => {
                    steps.push(timer.step(
                        "image",
                        false,
                        format!(
                            "{image} is not on the Docker engine and its registry cannot be asked for it ({e}); \
                             pull or load it first (docker pull {image})"
                        ),
                    ));
                    return steps;
                }
            },
        }
        let timer = Timer::start();
        let labelled = local
            .as_ref()
            .and_then(|info| info.labels.get(VERSION_LABEL))
            .map(|v| (v.clone(), "label"));
        let found = labelled.or_else(|| tag_of(image).map(|t| (t.to_string(), "tag")));
        steps.push(
            match found
                .as_ref()
                .and_then(|(text, from)| Some((Version::parse(text)?, *from)))
            {
                Some((version, _)) if version < MIN_OPENCLAW_VERSION => timer.step(
                    "version",
                    false,
                    format!(
                        "OpenClaw {version} is older than {MIN_OPENCLAW_VERSION}, the oldest version Mosaic supports"
                    ),
                ),
                Some((version, from)) => timer.step("version", true, format!("OpenClaw {version} (from its {from})")),
                None => timer.step(
                    "version",
                    true,
                    format!(
                        "unknown: no {VERSION_LABEL} label and the tag is not a version; Mosaic needs OpenClaw \
                     {MIN_OPENCLAW_VERSION} or later (a trial start tells whether it works)"
                    ),
                ),
            },
        );
        steps
    }

    /// [`check_image`](Self::check_image) as one answer: `Invalid` naming what is wrong.
    pub async fn refuse_unusable_image(&self, image: &str) -> Result<()> {
        let steps = self.check_image(image).await;
        match steps.iter().find(|s| !s.ok) {
            Some(failed) if failed.name == "docker" => Err(Error::unavailable(format!(
                "cannot check the agent image: {}",
                failed.detail
            ))),
            Some(failed) => Err(Error::invalid(format!("agent.image {image}: {}", failed.detail))),
            None => Ok(()),
        }
    }

    /// The image checks, then a trial start of a throwaway container with the agent settings in
    /// effect (the configured image unless `image` names another), removed afterwards.
    pub async fn doctor(&self, image: Option<&str>) -> Result<DoctorReport> {
        let mut settings = settings::load(&self.inner.db).await?;
        if let Some(image) = image {
            settings::definition(settings::IMAGE)
                .expect("known setting")
                .check(image)
                .map_err(|e| Error::invalid(format!("image: {e}")))?;
            settings.image = image.to_string();
        }
        let checked = settings.image.clone();
        let mut steps = self.check_image(&checked).await;
        if steps.iter().all(|s| s.ok) {
            let timer = Timer::start();
            // Own task: a caller that gives up must not leave the trial container behind.
            let inner = self.inner.clone();
            let trial = tokio::spawn(async move { inner.trial_start(&settings).await });
            steps.push(match trial.await {
                Ok(Ok(detail)) => timer.step("trial start", true, detail),
                Ok(Err(e)) => timer.step("trial start", false, e.to_string()),
                Err(e) => timer.step("trial start", false, format!("the trial task failed: {e}")),
            });
        }
        Ok(DoctorReport {
            image: checked,
            ok: steps.iter().all(|s| s.ok),
            steps,
        })
    }

    /// The config of a trial container, if `token` is its gateway token.
    pub fn trial_config(&self, id: &str, token: &str) -> Option<AgentConfig> {
        let trials = self.inner.trials.lock().expect("trials lock");
        let (hash, config) = trials.get(id)?;
        (*hash == crate::auth::tokens::hash(token)).then(|| config.clone())
    }
}

impl Inner {
    /// Starts a throwaway agent and waits until it is ready; removes it either way.
    async fn trial_start(&self, settings: &settings::AgentSettings) -> Result<String> {
        let rt = self.runtime().await?;
        let id = hex::encode(rand::random::<[u8; 4]>());
        let name = format!("mosaic-trial-{id}");
        let volume = format!("{name}-state");
        let token = new_token();
        self.trials
            .lock()
            .expect("trials lock")
            .insert(id.clone(), (crate::auth::tokens::hash(&token), agent_config::trial()));
        let labels = spec::base_labels(&self.settings.instance, &self.settings.extra_labels, TRIAL_OBJECT);
        let began = Instant::now();
        let outcome = async {
            self.driver.ensure_volume(&volume, &labels).await?;
            let spec = ContainerSpec {
                agent_id: format!("trial/{id}"),
                volume: volume.clone(),
                labels: labels.clone(),
                runtime: &rt,
                settings,
            };
            let container = self.driver.create(&name, &spec, &token, None).await?;
            let result = async {
                self.driver.start(&container).await?;
                self.health_gate(&rt, &container, began + settings.start_timeout, settings.start_timeout)
                    .await
                    .map_err(|(message, _)| Error::unavailable(message.replace(&token, "[redacted]")))
            }
            .await;
            if let Err(e) = self.driver.destroy(&container).await {
                tracing::warn!(container = %name, error = %e.full(), "cannot remove the trial container");
            }
            result
        }
        .await;
        self.trials.lock().expect("trials lock").remove(&id);
        if let Err(e) = self.driver.remove_volume(&volume).await {
            tracing::warn!(volume = %volume, error = %e.full(), "cannot remove the trial container's volume");
        }
        outcome.map(|_| {
            format!(
                "a throwaway container became ready in {:.1}s and was removed",
                began.elapsed().as_secs_f64()
            )
        })
    }

    /// Whether a container or volume with these labels is a trial this process is not running.
    pub(crate) fn stale_trial(&self, labels: &std::collections::HashMap<String, String>, name: &str) -> bool {
        labels.get(LABEL_OBJECT).map(String::as_str) == Some(TRIAL_OBJECT)
            && !self
                .trials
                .lock()
                .expect("trials lock")
                .keys()
                .any(|id| name.trim_start_matches('/') == format!("mosaic-trial-{id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_tags() {
        assert_eq!(Version::parse("2026.5.22"), Some(Version(2026, 5, 22)));
        assert_eq!(Version::parse("v2026.6.8-slim"), Some(Version(2026, 6, 8)));
        assert_eq!(Version::parse("latest"), None);
        assert_eq!(Version::parse("2026.5"), None);
        assert_eq!(Version::parse("2026.5.2x"), None);
        assert!(Version(2026, 4, 30) < MIN_OPENCLAW_VERSION);
        assert!(Version(2026, 10, 1) > MIN_OPENCLAW_VERSION);
        assert_eq!(tag_of("ghcr.io/openclaw/openclaw:2026.5.22"), Some("2026.5.22"));
        assert_eq!(tag_of("localhost:5000/openclaw"), None);
        assert_eq!(tag_of("localhost:5000/openclaw:1@sha256:ab"), Some("1"));
        assert_eq!(tag_of("openclaw"), None);
    }
}
