//! Secrets at rest: provider API keys, gateway tokens, the OIDC client secret.
//!
//! Each value is encrypted with `age` (X25519) and stored as `enc:v1:<key-id>:<base64>`. The key id
//! names which key of the keyring can open it, so several keys can coexist during a rotation. The
//! encrypted payload starts with the place the value belongs to (table, row, field); decryption
//! checks it, so a ciphertext copied into another row fails visibly instead of handing one user's
//! key to another. age authenticates the whole payload: a flipped byte fails too.

use std::fmt;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use age::secrecy::ExposeSecret;
use age::x25519;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};

const PREFIX: &str = "enc:v1:";
const ENVELOPE_MAGIC: &str = "mosaic-secret-v1";

/// Where a secret lives. Part of the encrypted payload, checked on decryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub table: &'static str,
    pub row: String,
    pub field: &'static str,
}

impl Binding {
    pub fn new(table: &'static str, row: impl Into<String>, field: &'static str) -> Self {
        Binding {
            table,
            row: row.into(),
            field,
        }
    }
}

impl fmt::Display for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.table, self.row, self.field)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("secret at {binding} is not in the encrypted format (enc:v1:…)")]
    Malformed { binding: String },
    #[error(
        "secret at {binding} is encrypted under key {key_id}, which is not configured; start mosaicd with the key it was written with"
    )]
    UnknownKey { binding: String, key_id: String },
    #[error("secret at {binding} failed to decrypt: the stored value was altered or is not valid under key {key_id}")]
    Corrupt { binding: String, key_id: String },
    #[error("secret at {binding} belongs to {found}: refusing a value copied from another place")]
    WrongPlace { binding: String, found: String },
    #[error("secret key: {0}")]
    Key(String),
}

/// An age identity and the short id that names it in ciphertexts.
pub struct Key {
    id: String,
    identity: x25519::Identity,
    recipient: x25519::Recipient,
}

impl Key {
    pub fn generate() -> Key {
        Key::from_identity(x25519::Identity::generate())
    }

    pub fn parse(text: &str) -> Result<Key, SecretError> {
        let identity: x25519::Identity = text
            .trim()
            .parse()
            .map_err(|_| SecretError::Key("not an age X25519 identity (expected AGE-SECRET-KEY-1…)".into()))?;
        Ok(Key::from_identity(identity))
    }

    fn from_identity(identity: x25519::Identity) -> Key {
        let recipient = identity.to_public();
        let digest = Sha256::digest(recipient.to_string().as_bytes());
        Key {
            id: hex::encode(&digest[..6]),
            identity,
            recipient,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The identity as text, for writing a key file. The only place a key leaves memory.
    fn identity_text(&self) -> String {
        self.identity.to_string().expose_secret().to_string()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.id)
    }
}

/// Parses one or more identities separated by newlines, commas or spaces (comments with `#`).
/// The first is the current key; the others only decrypt.
pub fn parse_keys(text: &str) -> Result<Vec<Key>, SecretError> {
    let keys = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.split([',', ' ', '\t']))
        .filter(|t| !t.trim().is_empty())
        .map(Key::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(SecretError::Key("no key found".into()));
    }
    Ok(keys)
}

/// Where the keys came from, which decides whether a rotation can persist its new key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    File(PathBuf),
}

/// The keys the daemon holds. The first encrypts; all decrypt.
#[derive(Debug)]
pub struct Keyring {
    keys: RwLock<Vec<Key>>,
    source: KeySource,
}

impl Keyring {
    pub fn new(keys: Vec<Key>, source: KeySource) -> Keyring {
        assert!(!keys.is_empty(), "a keyring needs at least one key");
        Keyring {
            keys: RwLock::new(keys),
            source,
        }
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    pub fn current_id(&self) -> String {
        self.keys.read().expect("keyring lock")[0].id.clone()
    }

    pub fn key_ids(&self) -> Vec<String> {
        self.keys
            .read()
            .expect("keyring lock")
            .iter()
            .map(|k| k.id.clone())
            .collect()
    }

    pub fn encrypt(&self, binding: &Binding, plaintext: &str) -> Result<String, SecretError> {
        let keys = self.keys.read().expect("keyring lock");
        let key = &keys[0];
        let envelope = format!("{ENVELOPE_MAGIC}\n{binding}\n{plaintext}");
        let ciphertext = age::encrypt(&key.recipient, envelope.as_bytes())
            .map_err(|e| SecretError::Key(format!("encryption failed: {e}")))?;
        Ok(format!("{PREFIX}{}:{}", key.id, B64.encode(ciphertext)))
    }

    pub fn decrypt(&self, binding: &Binding, stored: &str) -> Result<String, SecretError> {
        let malformed = || SecretError::Malformed {
            binding: binding.to_string(),
        };
        let rest = stored.strip_prefix(PREFIX).ok_or_else(malformed)?;
        let (key_id, body) = rest.split_once(':').ok_or_else(malformed)?;
        let keys = self.keys.read().expect("keyring lock");
        let key = keys
            .iter()
            .find(|k| k.id == key_id)
            .ok_or_else(|| SecretError::UnknownKey {
                binding: binding.to_string(),
                key_id: key_id.to_string(),
            })?;
        let corrupt = || SecretError::Corrupt {
            binding: binding.to_string(),
            key_id: key_id.to_string(),
        };
        let ciphertext = B64.decode(body).map_err(|_| corrupt())?;
        let envelope = age::decrypt(&key.identity, &ciphertext).map_err(|_| corrupt())?;
        let envelope = String::from_utf8(envelope).map_err(|_| corrupt())?;
        let mut parts = envelope.splitn(3, '\n');
        let (magic, place, value) = (parts.next(), parts.next(), parts.next());
        if magic != Some(ENVELOPE_MAGIC) {
            return Err(corrupt());
        }
        let (Some(place), Some(value)) = (place, value) else {
            return Err(corrupt());
        };
        if place != binding.to_string() {
            return Err(SecretError::WrongPlace {
                binding: binding.to_string(),
                found: place.to_string(),
            });
        }
        Ok(value.to_string())
    }

    /// The key id a stored value is encrypted under, if it is in the encrypted format.
    pub fn key_id_of(stored: &str) -> Option<&str> {
        stored.strip_prefix(PREFIX)?.split_once(':').map(|(id, _)| id)
    }

    /// Makes `key` the current key; the previous keys keep decrypting.
    pub fn promote(&self, key: Key) {
        let mut keys = self.keys.write().expect("keyring lock");
        keys.retain(|k| k.id != key.id);
        keys.insert(0, key);
    }

    /// Forgets every key but the current one, once nothing is encrypted under them any more.
    pub fn retire_old(&self) -> Vec<String> {
        let mut keys = self.keys.write().expect("keyring lock");
        keys.drain(1..).map(|k| k.id).collect()
    }

    /// Writes the keyring to its key file (current key first), atomically and with mode 0600.
    pub fn persist(&self) -> Result<Option<PathBuf>, SecretError> {
        let KeySource::File(path) = &self.source else {
            return Ok(None);
        };
        let keys = self.keys.read().expect("keyring lock");
        let mut text = String::from("# mosaicd secret keys: the first encrypts, all decrypt. Keep a backup.\n");
        for key in keys.iter() {
            text.push_str(&key.identity_text());
            text.push('\n');
        }
        write_key_file(path, &text)?;
        Ok(Some(path.clone()))
    }
}

/// Loads the keyring from `MOSAIC_SECRET_KEY`, or from the key file, generating a key if the file
/// does not exist. Returns whether a key was generated: then the caller writes the file with
/// [`Keyring::persist`], once it has checked there is nothing the new key would fail to open.
pub fn load(env_key: Option<&str>, key_file: &Path) -> Result<(Keyring, bool), SecretError> {
    if let Some(text) = env_key {
        let keys = parse_keys(text).map_err(|e| SecretError::Key(format!("MOSAIC_SECRET_KEY: {e}")))?;
        return Ok((Keyring::new(keys, KeySource::Environment), false));
    }
    match std::fs::metadata(key_file) {
        Ok(meta) => {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(SecretError::Key(format!(
                    "key file {} is accessible by group or others (mode {mode:04o}); run `chmod 600 {}`",
                    key_file.display(),
                    key_file.display()
                )));
            }
            let text = std::fs::read_to_string(key_file)
                .map_err(|e| SecretError::Key(format!("cannot read key file {}: {e}", key_file.display())))?;
            let keys =
                parse_keys(&text).map_err(|e| SecretError::Key(format!("key file {}: {e}", key_file.display())))?;
            Ok((Keyring::new(keys, KeySource::File(key_file.to_path_buf())), false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Not written yet: the caller persists it once it knows the database has no secrets
            // under another key (a refused start writes nothing).
            let ring = Keyring::new(vec![Key::generate()], KeySource::File(key_file.to_path_buf()));
            Ok((ring, true))
        }
        Err(e) => Err(SecretError::Key(format!(
            "cannot read key file {}: {e}",
            key_file.display()
        ))),
    }
}

fn write_key_file(path: &Path, text: &str) -> Result<(), SecretError> {
    let fail = |e: std::io::Error| SecretError::Key(format!("cannot write key file {}: {e}", path.display()));
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(fail)?;
    file.write_all(text.as_bytes())
        .and_then(|_| file.sync_all())
        .map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)?;
    if let Some(dir) = path.parent() {
        // Make the rename durable before anything is encrypted under the new key.
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(fail)?;
    }
    Ok(())
}

/// A masked hint for showing that a secret is set: `sk-…a1b2`. Short values show nothing of
/// themselves.
pub fn hint(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 12 {
        return "…".into();
    }
    let head: String = secret
        .split_inclusive(['-', '_'])
        .next()
        .filter(|h| h.len() <= 4 && h.len() < secret.len())
        .unwrap_or("")
        .to_string();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        Keyring::new(vec![Key::generate()], KeySource::Environment)
    }

    #[test]
    fn round_trip() {
        let ring = ring();
        let b = Binding::new("llm_provider", "p1", "api_key");
        let stored = ring.encrypt(&b, "sk-secret-value").unwrap();
        assert!(stored.starts_with(&format!("enc:v1:{}:", ring.current_id())));
        assert!(!stored.contains("sk-secret-value"));
        assert_eq!(ring.decrypt(&b, &stored).unwrap(), "sk-secret-value");
    }

    #[test]
    fn copied_to_another_row_fails() {
        let ring = ring();
        let stored = ring
            .encrypt(&Binding::new("llm_provider", "p1", "api_key"), "k")
            .unwrap();
        let err = ring
            .decrypt(&Binding::new("llm_provider", "p2", "api_key"), &stored)
            .unwrap_err();
        assert!(matches!(err, SecretError::WrongPlace { .. }), "{err}");
    }

    #[test]
    fn flipped_byte_fails() {
        let ring = ring();
        let b = Binding::new("t", "r", "f");
        let stored = ring.encrypt(&b, "value").unwrap();
        let (head, body) = stored.rsplit_once(':').unwrap();
        let mut raw = B64.decode(body).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 0x01;
        let tampered = format!("{head}:{}", B64.encode(raw));
        assert!(matches!(ring.decrypt(&b, &tampered), Err(SecretError::Corrupt { .. })));
    }

    #[test]
    fn wrong_key_fails() {
        let a = ring();
        let b = Binding::new("t", "r", "f");
        let stored = a.encrypt(&b, "value").unwrap();
        let other = ring();
        assert!(matches!(
            other.decrypt(&b, &stored),
            Err(SecretError::UnknownKey { .. })
        ));
        // Same key id claimed, different key: still fails closed.
        let forged = stored.replacen(&a.current_id(), &other.current_id(), 1);
        assert!(matches!(other.decrypt(&b, &forged), Err(SecretError::Corrupt { .. })));
    }

    #[test]
    fn rotation_keeps_old_values_readable() {
        let ring = ring();
        let b = Binding::new("t", "r", "f");
        let old = ring.encrypt(&b, "value").unwrap();
        let old_id = ring.current_id();
        ring.promote(Key::generate());
        assert_ne!(ring.current_id(), old_id);
        assert_eq!(ring.decrypt(&b, &old).unwrap(), "value");
        let new = ring.encrypt(&b, "value").unwrap();
        assert_eq!(Keyring::key_id_of(&new), Some(ring.current_id().as_str()));
        assert_eq!(ring.retire_old(), vec![old_id]);
        assert!(ring.decrypt(&b, &old).is_err());
    }

    #[test]
    fn hints_never_show_the_middle() {
        assert_eq!(hint("sk-abcdefghijklmnopa1b2"), "sk-…a1b2");
        assert_eq!(hint("short"), "…");
        assert_eq!(hint("abcdefghijklmnop"), "…mnop");
    }

    #[test]
    fn parse_errors_do_not_echo_the_value() {
        let err = parse_keys("AGE-SECRET-KEY-1NOTAKEYCANARY").unwrap_err().to_string();
        assert!(!err.contains("CANARY"), "{err}");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn ring_for_properties() -> &'static Keyring {
            static RING: std::sync::OnceLock<Keyring> = std::sync::OnceLock::new();
            RING.get_or_init(|| Keyring::new(vec![Key::generate()], KeySource::Environment))
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

            /// Any value comes back from its own place, and from no other.
            #[test]
            fn values_round_trip_in_their_place(value in any::<String>(), row in "[a-z0-9-]{1,40}", other in "[a-z0-9-]{1,40}") {
                let ring = ring_for_properties();
                let here = Binding::new("llm_provider", row.clone(), "api_key");
                let stored = ring.encrypt(&here, &value).unwrap();
                prop_assert_eq!(ring.decrypt(&here, &stored).unwrap(), value);
                if other != row {
                    let there = Binding::new("llm_provider", other, "api_key");
                    let refused = matches!(ring.decrypt(&there, &stored), Err(SecretError::WrongPlace { .. }));
                    prop_assert!(refused);
                }
            }

            /// Whatever the database holds, reading it is an error or a value, never a panic.
            #[test]
            fn any_stored_text_is_read_without_panic(stored in any::<String>(), body in "[A-Za-z0-9+/=]{0,200}") {
                let ring = ring_for_properties();
                let here = Binding::new("llm_provider", "p", "api_key");
                let _ = ring.decrypt(&here, &stored);
                let _ = Keyring::key_id_of(&stored);
                let forged = format!("{PREFIX}{}:{body}", ring.current_id());
                let corrupt = matches!(ring.decrypt(&here, &forged), Err(SecretError::Corrupt { .. }));
                prop_assert!(corrupt);
            }

            /// A flipped byte anywhere in a stored value never yields a value.
            #[test]
            fn altered_values_are_refused(value in "[ -~]{1,64}", at in any::<prop::sample::Index>(), bit in 0u8..8) {
                let ring = ring_for_properties();
                let here = Binding::new("llm_provider", "p", "api_key");
                let stored = ring.encrypt(&here, &value).unwrap();
                let mut bytes = stored.into_bytes();
                let i = at.index(bytes.len());
                bytes[i] ^= 1 << bit;
                if let Ok(altered) = String::from_utf8(bytes) {
                    // The base64 alphabet has letters whose low bit is padding: those decode alike.
                    if let Ok(read) = ring.decrypt(&here, &altered) {
                        prop_assert_eq!(read, value);
                    }
                }
            }

            /// Key text of any shape is parsed or refused, never a panic; hints show at most
            /// the last four characters of a secret.
            #[test]
            fn key_text_and_hints_never_panic(text in any::<String>(), secret in any::<String>()) {
                let _ = parse_keys(&text);
                let _ = Key::parse(&text);
                let shown = hint(&secret);
                let tail: String = shown.chars().rev().take_while(|c| *c != '…').collect();
                prop_assert!(tail.chars().count() <= 4);
            }
        }
    }
}
