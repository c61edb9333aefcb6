//! The secret key: the startup check that the configured key opens the database's secrets, and
//! online rotation to a new key.

use mosaic_shared::types::RotationReport;
use serde_json::json;

use crate::error::{Error, Result};
use crate::secrets::{Binding, Key, KeySource, Keyring};
use crate::store::Db;
use crate::store::audit::Actor;
use crate::store::system_config::key_check_binding;
use crate::store::{audit, secrets, system_config};
use std::sync::Arc;

/// How many times rotation re-scans for values a concurrent write left under an old key.
const ROTATION_PASSES: usize = 5;

/// The secret key: the startup check and online rotation.
pub struct Keys {
    db: Db,
    keyring: Arc<Keyring>,
    /// Held for the duration of a rotation: one at a time.
    rotation: tokio::sync::Mutex<()>,
}

impl Keys {
    pub fn new(db: Db, keyring: Arc<Keyring>) -> Keys {
        Keys {
            db,
            keyring,
            rotation: tokio::sync::Mutex::new(()),
        }
    }

    /// The keys stored secrets are encrypted with.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }
}

impl Keys {
    /// Proves, before a start writes anything, that the key opens the database's secrets; a key
    /// just generated (no key file, no `MOSAIC_SECRET_KEY`) is written to its file only for a
    /// database without secrets. Writes nothing else, so a refused start changes nothing.
    pub async fn verify_before_start(db: &Db, keyring: &Keyring, generated: bool) -> Result<()> {
        let check = system_config::get(&mut db.ex(), system_config::KEY_CHECK).await?;
        match check {
            Some(_) if generated => {
                let expected = match keyring.source() {
                    KeySource::File(path) => path.display().to_string(),
                    KeySource::Environment => "MOSAIC_SECRET_KEY".into(),
                };
                Err(Error::config(format!(
                    "no secret key: {expected} does not exist and MOSAIC_SECRET_KEY is not set, but the \
                     database holds secrets encrypted with a key: put that key file back (or set \
                     MOSAIC_SECRET_KEY); no new key is generated for it"
                )))
            }
            Some(row) => keyring
                .decrypt(&key_check_binding(), &row.value)
                .map(|_| ())
                .map_err(|e| {
                    Error::config(format!(
                        "the configured secret key (id {}) cannot open this database's secrets: {e}",
                        keyring.current_id()
                    ))
                }),
            None if generated => keyring.persist().map(|_| ()).map_err(Error::from),
            None => Ok(()),
        }
    }

    /// Proves at startup that the configured key is the database's key, so a wrong key fails
    /// here, with a clear message, instead of at a user's first chat. Writes the check value on
    /// first start.
    pub async fn check_key(&self) -> Result<()> {
        let mut ex = self.db.ex();
        match system_config::get(&mut ex, system_config::KEY_CHECK).await? {
            Some(row) => {
                self.keyring.decrypt(&key_check_binding(), &row.value).map_err(|e| {
                    Error::config(format!(
                        "the configured secret key (id {}) cannot open this database's secrets: {e}",
                        self.keyring.current_id()
                    ))
                })?;
            }
            None => {
                let value = self.keyring.encrypt(&key_check_binding(), "mosaic")?;
                system_config::set(&mut ex, system_config::KEY_CHECK, &value, true).await?;
            }
        }
        Ok(())
    }

    pub async fn rotate_key(&self, actor: &Actor, new_key: Option<&str>) -> Result<RotationReport> {
        let _one_at_a_time = self
            .rotation
            .try_lock()
            .map_err(|_| Error::conflict("a key rotation is already running"))?;
        let key = match (new_key, self.keyring.source()) {
            (Some(text), _) => Key::parse(text).map_err(|e| Error::invalid(format!("new key: {e}")))?,
            (None, KeySource::File(_)) => Key::generate(),
            (None, KeySource::Environment) => {
                return Err(Error::invalid(
                    "the key comes from MOSAIC_SECRET_KEY, which mosaicd cannot change: pass the new key on stdin \
                     (--new-key-stdin) and set MOSAIC_SECRET_KEY to it before the next restart",
                ));
            }
        };
        let new_id = key.id().to_string();
        if self.keyring.key_ids().contains(&new_id) && self.keyring.current_id() == new_id {
            return Err(Error::invalid("that key is already the current key"));
        }
        // From here on new secrets are written under the new key, and the key file holds both
        // keys, so a crash at any point leaves everything readable.
        self.keyring.promote(key);
        self.keyring.persist()?;

        let mut reencrypted = 0u64;
        let mut clean = false;
        for _ in 0..ROTATION_PASSES {
            let moved = self.reencrypt_pass(&new_id).await?;
            reencrypted += moved.0;
            if moved.1 == 0 {
                clean = true;
                break;
            }
        }
        if !clean {
            return Err(Error::conflict(
                "secrets kept changing during rotation; the new key is in place and the old key kept, run the rotation again",
            ));
        }
        let retired = self.keyring.retire_old();
        let key_file = self.keyring.persist()?.map(|p| p.display().to_string());
        audit::record(
            &mut self.db.ex(),
            actor,
            "secrets.rotate",
            Some(&new_id),
            json!({ "reencrypted": reencrypted, "retired": retired }),
        )
        .await?;
        tracing::info!(new_key_id = %new_id, reencrypted, ?retired, "secret key rotated");
        Ok(RotationReport {
            new_key_id: new_id,
            retired_key_ids: retired,
            reencrypted,
            key_file,
        })
    }

    /// Re-encrypts every value not yet under `new_id`. Returns (re-encrypted, left behind by a
    /// concurrent write).
    async fn reencrypt_pass(&self, new_id: &str) -> Result<(u64, u64)> {
        let (mut moved, mut missed) = (0, 0);
        for column in secrets::SECRET_COLUMNS {
            for row in secrets::list(&mut self.db.ex(), column).await? {
                if Keyring::key_id_of(&row.value) == Some(new_id) {
                    continue;
                }
                let binding = Binding::new(column.table, row.id.clone(), column.field);
                let plain = self.keyring.decrypt(&binding, &row.value)?;
                let fresh = self.keyring.encrypt(&binding, &plain)?;
                if secrets::swap(&mut self.db.ex(), column, &row.id, &row.value, &fresh).await? {
                    moved += 1;
                } else {
                    missed += 1;
                }
            }
        }
        Ok((moved, missed))
    }
}
