//! What the renderer is told besides the text.

use std::collections::{HashMap, HashSet};

/// What the renderer needs to know beyond the text.
#[derive(Debug, Default)]
pub struct Context {
    /// Members who may be mentioned, by username key (`Username::key`): their username
    /// and display name, for the pill.
    pub members: HashMap<String, (String, String)>,
    /// Custom emoji that exist, by name: `:name:` shows their picture.
    pub emoji: HashSet<String>,
}
