//! What every store deals in: keys, byte streams, listed objects.

use std::time::SystemTime;

use bytes::Bytes;
use futures_util::stream::BoxStream;

/// A stored object's name, e.g. `files/ab/ab12…`: parts joined by `/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(String);

impl Key {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last part of the name.
    pub fn filename(&self) -> Option<&str> {
        self.parts().last()
    }

    pub fn parts(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|part| !part.is_empty())
    }
}

impl From<&str> for Key {
    fn from(key: &str) -> Self {
        Self::from_iter(key.split('/'))
    }
}

impl From<String> for Key {
    fn from(key: String) -> Self {
        Self::from(key.as_str())
    }
}

impl<'a> FromIterator<&'a str> for Key {
    /// The parts joined by `/`; empty ones are left out.
    fn from_iter<I: IntoIterator<Item = &'a str>>(parts: I) -> Self {
        let parts: Vec<&str> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        Self(parts.join("/"))
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Bytes read from the store, a chunk at a time.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// An object found by listing.
pub struct Listed {
    pub key: Key,
    pub modified: SystemTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_parts_joined_by_slashes() {
        let key = Key::from_iter(["files", "ab", "ab12"]);
        assert_eq!(key.as_str(), "files/ab/ab12");
        assert_eq!(key, Key::from("/files//ab/ab12/"));
        assert_eq!(key.filename(), Some("ab12"));
        assert_eq!(key.to_string(), "files/ab/ab12");
        assert_eq!(Key::from("").filename(), None);
    }
}
