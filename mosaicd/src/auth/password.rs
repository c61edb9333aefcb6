//! Password hashing with argon2id (PHC strings). Each hash costs ~19 MiB and tens of milliseconds,
//! so hashing runs on the blocking pool behind a semaphore: a login flood queues instead of
//! exhausting memory or starving the async runtime.
//!
//! The 19 MiB of argon2 memory comes from a fixed pool, one block set per permit, allocated on
//! first use and kept: hashing never frees it. Letting argon2 allocate and free its own buffer
//! leaves the memory resident after a flood, because glibc raises its mmap threshold past the
//! size of a freed buffer and later ones come from per-thread arenas it does not give back (200
//! parallel logins left the daemon at ~540 MB). With the pool the daemon holds at most
//! `concurrency` × 19 MiB for hashing, however many logins arrive.

use std::sync::{Arc, Mutex};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// One argon2 memory area: a block per KiB of the memory cost.
type Memory = Box<[Block]>;

#[derive(Debug, Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Memory areas not in use. A hash takes one while it holds a permit, so there are never more
    /// than there are permits.
    memory: Arc<Mutex<Vec<Memory>>>,
}

/// The parameters new hashes are made with: the argon2 crate's defaults (argon2id, version 0x13,
/// m=19456 KiB, t=2, p=1), as before the memory pool.
fn new_hash_params() -> (Algorithm, Version, Params) {
    (Algorithm::default(), Version::default(), Params::default())
}

impl PasswordHasher {
    /// At most `concurrency` hashes run at once, each in its own pooled memory area.
    pub fn new(concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        PasswordHasher {
            permits: Arc::new(Semaphore::new(concurrency)),
            memory: Arc::new(Mutex::new(Vec::with_capacity(concurrency))),
        }
    }

    pub async fn hash(&self, password: &str) -> Result<String> {
        let salt = argon2::password_hash::try_generate_salt()
            .map_err(|e| Error::internal(format!("no randomness for a password salt: {e}")))?;
        let password = password.to_owned();
        self.run(move |memory| hash_with_salt(password.as_bytes(), &salt, memory))
            .await
    }

    /// Whether `password` matches the PHC string `hash`. A malformed hash is an error, not a
    /// mismatch, so a corrupted row is noticed.
    pub async fn verify(&self, password: &str, hash: &str) -> Result<bool> {
        let parsed =
            PasswordHash::new(hash).map_err(|e| Error::internal(format!("stored password hash is malformed: {e}")))?;
        let password = password.to_owned();
        self.run(move |memory| verify_with(password.as_bytes(), &parsed, memory))
            .await
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&mut [Block]) -> Result<T> + Send + 'static) -> Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::unavailable("shutting down"))?;
        let pool = self.memory.clone();
        tokio::task::spawn_blocking(move || {
            let taken = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let mut memory =
                taken.unwrap_or_else(|| vec![Block::new(); new_hash_params().2.block_count()].into_boxed_slice());
            let result = work(&mut memory);
            pool.lock().unwrap_or_else(|e| e.into_inner()).push(memory);
            result
        })
        .await
        .map_err(|e| Error::internal(format!("password hashing task failed: {e}")))?
    }
}

fn argon2_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("{what}: {e}"))
}

/// The argon2 output of `password` under `argon2`'s parameters, computed in `memory` when it is
/// large enough. Only a stored hash made with a higher memory cost than new hashes use needs a
/// buffer of its own (allocated and freed by argon2 for that one check).
fn compute(argon2: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8], memory: &mut [Block]) -> Result<()> {
    let result = if argon2.params().block_count() <= memory.len() {
        argon2.hash_password_into_with_memory(password, salt, out, memory)
    } else {
        argon2.hash_password_into(password, salt, out)
    };
    result.map_err(|e| argon2_error("password hashing failed", e))
}

/// A new PHC string for `password` with `salt`: the same string argon2's own
/// `PasswordHasher::hash_password_with_salt` makes, computed in the pooled `memory`.
fn hash_with_salt(password: &[u8], salt: &[u8], memory: &mut [Block]) -> Result<String> {
    let (algorithm, version, params) = new_hash_params();
    let salt = Salt::new(salt).map_err(|e| argon2_error("invalid password salt", e))?;
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let params_string = ParamsString::try_from(&params).map_err(|e| argon2_error("argon2 parameters", e))?;
    let argon2 = Argon2::new(algorithm, version, params);
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let out = &mut buffer[..output_len];
    compute(&argon2, password, &salt, out, memory)?;
    let hash = PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: params_string,
        salt: Some(salt),
        hash: Some(Output::new(out).map_err(|e| argon2_error("argon2 output", e))?),
    };
    Ok(hash.to_string())
}

/// Recomputes the stored hash's output with its own algorithm, version, parameters and salt, and
/// compares in constant time (`Output`'s equality).
fn verify_with(password: &[u8], stored: &PasswordHash, memory: &mut [Block]) -> Result<bool> {
    let malformed = |e: &dyn std::fmt::Display| Error::internal(format!("stored password hash is malformed: {e}"));
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return Err(malformed(&"no salt or no hash"));
    };
    let algorithm = Algorithm::new(stored.algorithm.as_str()).map_err(|e| malformed(&e))?;
    let version = match stored.version {
        Some(v) => Version::try_from(v).map_err(|e| malformed(&e))?,
        None => Version::default(),
    };
    let params = Params::try_from(stored).map_err(|e| malformed(&e))?;
    let argon2 = Argon2::new(algorithm, version, params);
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let out = &mut buffer[..expected.len()];
    compute(&argon2, password, salt.as_ref(), out, memory)?;
    let computed = Output::new(out).map_err(|e| malformed(&e))?;
    Ok(&computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    #[tokio::test]
    async fn hashes_are_argon2id_phc_and_verify() {
        let hasher = PasswordHasher::new(2);
        let hash = hasher.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(hasher.verify("correct horse battery", &hash).await.unwrap());
        assert!(!hasher.verify("wrong horse battery", &hash).await.unwrap());
        assert!(hasher.verify("x", "not-a-phc-string").await.is_err());
        // The library's own verifier accepts what the pool made.
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
    }

    #[test]
    fn pooled_hashes_equal_the_librarys_own_strings() {
        let mut memory = vec![Block::new(); Params::default().block_count()].into_boxed_slice();
        for (password, salt) in [
            (&b"correct horse battery"[..], [7u8; 16]),
            (b"", [0u8; 16]),
            (b"another password, reusing the memory", [255u8; 16]),
        ] {
            let ours = hash_with_salt(password, &salt, &mut memory).unwrap();
            let theirs = Argon2::default()
                .hash_password_with_salt(password, &salt)
                .unwrap()
                .to_string();
            assert_eq!(ours, theirs);
        }
    }

    #[tokio::test]
    async fn hashes_stored_before_the_pool_still_verify() {
        let hasher = PasswordHasher::new(1);
        // Made by `Argon2::default().hash_password` (the hasher before the memory pool).
        let library = Argon2::default().hash_password(b"stored long ago").unwrap().to_string();
        assert!(hasher.verify("stored long ago", &library).await.unwrap());
        assert!(!hasher.verify("stored long agO", &library).await.unwrap());
        // Other parameters, as another tool may have written them: a higher memory cost than
        // the pool's areas, argon2i, version 0x10.
        for (algorithm, version, params) in [
            (
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(32 * 1024, 1, 1, None).unwrap(),
            ),
            (
                Algorithm::Argon2i,
                Version::V0x10,
                Params::new(4096, 3, 2, Some(24)).unwrap(),
            ),
        ] {
            let other = Argon2::new(algorithm, version, params)
                .hash_password(b"other parameters")
                .unwrap()
                .to_string();
            assert!(hasher.verify("other parameters", &other).await.unwrap(), "{other}");
            assert!(!hasher.verify("other parameter", &other).await.unwrap(), "{other}");
        }
    }
}
