//! A minimal ustar writer: the archive API of the Docker engine takes a tar stream, and the only
//! archives Mosaic writes are a few small files (the gateway token, the entrypoint script). Owners
//! and modes are set explicitly, since the agent runs as uid 1000 and the token must be readable
//! by it alone.

/// An archive under construction.
#[derive(Default)]
pub struct Tar {
    bytes: Vec<u8>,
}

impl Tar {
    pub fn new() -> Tar {
        Tar::default()
    }

    /// A directory entry (`path` without a trailing slash).
    pub fn dir(&mut self, path: &str, mode: u32, uid: u32, gid: u32) -> &mut Tar {
        self.entry(&format!("{}/", path.trim_end_matches('/')), b'5', 0, mode, uid, gid);
        self
    }

    pub fn file(&mut self, path: &str, contents: &[u8], mode: u32, uid: u32, gid: u32) -> &mut Tar {
        self.entry(path, b'0', contents.len() as u64, mode, uid, gid);
        self.bytes.extend_from_slice(contents);
        let pad = (512 - contents.len() % 512) % 512;
        self.bytes.extend(std::iter::repeat_n(0u8, pad));
        self
    }

    /// A symbolic link at `path` pointing to `target`.
    pub fn symlink(&mut self, path: &str, target: &str) -> &mut Tar {
        assert!(target.len() <= 100, "link target too long: {target}");
        self.entry_with_link(path, b'2', 0, 0o777, 0, 0, target);
        self
    }

    /// The finished archive (two zero blocks end it).
    pub fn finish(mut self) -> Vec<u8> {
        self.bytes.extend(std::iter::repeat_n(0u8, 1024));
        self.bytes
    }

    fn entry(&mut self, path: &str, kind: u8, size: u64, mode: u32, uid: u32, gid: u32) {
        self.entry_with_link(path, kind, size, mode, uid, gid, "");
    }

    #[allow(clippy::too_many_arguments)]
    fn entry_with_link(&mut self, path: &str, kind: u8, size: u64, mode: u32, uid: u32, gid: u32, link: &str) {
        let path = path.trim_start_matches('/');
        let mut h = [0u8; 512];
        let (prefix, name) = split_name(path);
        h[..name.len()].copy_from_slice(name.as_bytes());
        octal(&mut h[100..108], mode as u64);
        octal(&mut h[108..116], uid as u64);
        octal(&mut h[116..124], gid as u64);
        octal(&mut h[124..136], size);
        let mtime = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        octal(&mut h[136..148], mtime);
        h[156] = kind;
        h[157..157 + link.len()].copy_from_slice(link.as_bytes());
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
        // The checksum is computed with its own field read as spaces.
        h[148..156].fill(b' ');
        let sum: u64 = h.iter().map(|b| *b as u64).sum();
        let text = format!("{sum:06o}\0 ");
        h[148..156].copy_from_slice(text.as_bytes());
        self.bytes.extend_from_slice(&h);
    }
}

/// ustar names: up to 100 bytes, or a prefix of up to 155 bytes split at a `/`.
fn split_name(path: &str) -> (&str, &str) {
    assert!(path.len() <= 255, "tar path too long: {path}");
    if path.len() <= 100 {
        return ("", path);
    }
    let cut = path[..path.len().min(156)]
        .rfind('/')
        .filter(|i| path.len() - i - 1 <= 100)
        .unwrap_or_else(|| panic!("tar path cannot be split: {path}"));
    (&path[..cut], &path[cut + 1..])
}

/// Zero-padded octal with a terminating NUL, filling `field`.
fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    assert!(text.len() == digits, "value {value} does not fit in a tar field");
    field[..digits].copy_from_slice(text.as_bytes());
    field[digits] = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_well_formed() {
        let mut tar = Tar::new();
        tar.dir("run/mosaic", 0o700, 1000, 1000)
            .file("run/mosaic/agent-token", b"abc", 0o400, 1000, 1000);
        let bytes = tar.finish();
        assert_eq!(bytes.len(), 512 + 512 + 512 + 1024);
        assert_eq!(&bytes[..11], b"run/mosaic/");
        assert_eq!(bytes[156], b'5');
        let file = &bytes[512..1024];
        assert_eq!(&file[..22], b"run/mosaic/agent-token");
        assert_eq!(&file[124..136], b"00000000003\0");
        assert_eq!(&file[108..116], b"0001750\0");
        // Checksum: sum of the header with the checksum field as spaces.
        let mut copy = file.to_vec();
        copy[148..156].fill(b' ');
        let sum: u64 = copy.iter().map(|b| *b as u64).sum();
        let stored = std::str::from_utf8(&file[148..154]).unwrap();
        assert_eq!(u64::from_str_radix(stored, 8).unwrap(), sum);
        assert_eq!(&bytes[1024..1027], b"abc");
    }

    #[test]
    fn long_names_use_the_prefix() {
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(50));
        let (prefix, name) = split_name(&long);
        assert_eq!(prefix.len(), 120);
        assert_eq!(name.len(), 50);
    }
}
