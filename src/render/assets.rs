//! The embedded static files as one table: each has a content-hashed URL
//! (`/static/chat/api.3f9a1c2e55d0.js`) that may be cached for a year, and its plain URL
//! (`/static/chat/api.js`) that is revalidated, so a page open from before a deploy keeps
//! working. At startup the ES modules' relative import specifiers and the stylesheets'
//! `/static/…` URLs are rewritten to the hashed names, and every text file is compressed once
//! (brotli and gzip, best levels) and kept in memory. (The chat client's modules arrive here
//! already bundled by `web/bundle.mjs`; the server does not care how a module was written.)
//!
//! A file's hash covers its own bytes and those of everything it reaches (imports, fonts),
//! so a change anywhere below a module gives it a new URL too; import cycles need no order.

use std::{
    collections::{BTreeSet, HashMap},
    sync::LazyLock,
};

use bytes::Bytes;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::http::compression::{self, Encoding};

/// The files under `templates/static/`, embedded in the binary.
#[derive(RustEmbed)]
#[folder = "templates/static/"]
pub struct StaticFiles;

/// Hex digits of the SHA-256 kept in a hashed name.
const HASH_LEN: usize = 12;

/// One file, ready to send.
pub struct Asset {
    /// Its path under `/static/`, e.g. `chat/api.js`.
    pub path: String,
    /// The same with the hash before the extension, e.g. `chat/api.3f9a1c2e55d0.js`.
    pub hashed: String,
    pub hash: String,
    pub content_type: &'static str,
    /// The bytes sent, references already rewritten to hashed names.
    pub identity: Bytes,
    /// Present only where compressing saves bytes.
    pub brotli: Option<Bytes>,
    pub gzip: Option<Bytes>,
}

impl Asset {
    /// The body for `encoding`, and the encoding it really is in.
    pub fn body(&self, encoding: Encoding) -> (Bytes, Encoding) {
        match (encoding, &self.brotli, &self.gzip) {
            (Encoding::Brotli, Some(brotli), _) => (brotli.clone(), Encoding::Brotli),
            (Encoding::Brotli | Encoding::Gzip, _, Some(gzip)) => (gzip.clone(), Encoding::Gzip),
            _ => (self.identity.clone(), Encoding::Identity),
        }
    }

    pub fn compressed(&self) -> bool {
        self.brotli.is_some() || self.gzip.is_some()
    }

    /// Its long-lived URL.
    pub fn url(&self) -> String {
        format!("/static/{}", self.hashed)
    }
}

/// Every static file, by plain and by hashed path.
pub struct Assets {
    assets: Vec<Asset>,
    by_path: HashMap<String, usize>,
    by_hashed: HashMap<String, usize>,
    /// What each file loads with it, by index (a module's static imports, a stylesheet's
    /// fonts and images); not what a module may `import()` later.
    static_refs: Vec<Vec<usize>>,
}

static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let files = StaticFiles::iter()
        .filter_map(|name| {
            let file = StaticFiles::get(&name)?;
            Some((name.into_owned(), file.data.into_owned()))
        })
        .collect();
    Assets::build(files)
});

/// The table, built (and compressed) on first use; the server forces it at startup.
pub fn assets() -> &'static Assets {
    &ASSETS
}

/// A reference inside a text file: the byte span of the specifier and the file it names.
struct Reference {
    span: std::ops::Range<usize>,
    target: String,
    /// An `import("./x.js")`: loaded when the code runs it, not with the module.
    on_demand: bool,
}

impl Assets {
    /// Builds the table from `(path, bytes)` pairs.
    pub fn build(mut files: Vec<(String, Vec<u8>)>) -> Self {
        files.sort();
        let index: HashMap<String, usize> = files
            .iter()
            .enumerate()
            .map(|(i, (path, _))| (path.clone(), i))
            .collect();
        let references: Vec<Vec<Reference>> = files
            .iter()
            .map(|(path, bytes)| {
                references(path, bytes)
                    .into_iter()
                    .filter(|reference| index.contains_key(&reference.target))
                    .collect()
            })
            .collect();
        // Every reference, `import()` included: a file's bytes name each one's hash, so a
        // change anywhere below it changes its own.
        let refs: Vec<Vec<usize>> = references
            .iter()
            .map(|list| list.iter().map(|r| index[&r.target]).collect())
            .collect();
        let static_refs: Vec<Vec<usize>> = references
            .iter()
            .map(|list| {
                list.iter()
                    .filter(|r| !r.on_demand)
                    .map(|r| index[&r.target])
                    .collect()
            })
            .collect();
        let hashes: Vec<String> = (0..files.len())
            .map(|i| {
                let mut digest = Sha256::new();
                for j in reachable(&refs, i) {
                    let (path, bytes) = &files[j];
                    digest.update((path.len() as u64).to_le_bytes());
                    digest.update(path.as_bytes());
                    digest.update((bytes.len() as u64).to_le_bytes());
                    digest.update(bytes);
                }
                let hex: String = digest
                    .finalize()
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect();
                hex[..HASH_LEN].to_owned()
            })
            .collect();
        let hashed: Vec<String> = files
            .iter()
            .zip(&hashes)
            .map(|((path, _), hash)| hashed_name(path, hash))
            .collect();
        let assets: Vec<Asset> = files
            .iter()
            .enumerate()
            .map(|(i, (path, bytes))| {
                let identity = rewrite(bytes, &references[i], |target| &hashed[index[target]]);
                let content_type = content_type(path);
                let (brotli, gzip) = if compression::worth_compressing(content_type)
                    && identity.len() >= compression::MIN_BYTES
                {
                    let smaller = |packed: Vec<u8>| {
                        (packed.len() < identity.len()).then(|| Bytes::from(packed))
                    };
                    (
                        smaller(compression::brotli_best(&identity)),
                        smaller(compression::gzip_best(&identity)),
                    )
                } else {
                    (None, None)
                };
                Asset {
                    path: path.clone(),
                    hashed: hashed[i].clone(),
                    hash: hashes[i].clone(),
                    content_type,
                    identity: Bytes::from(identity),
                    brotli,
                    gzip,
                }
            })
            .collect();
        let by_path = assets
            .iter()
            .enumerate()
            .map(|(i, asset)| (asset.path.clone(), i))
            .collect();
        let by_hashed = assets
            .iter()
            .enumerate()
            .map(|(i, asset)| (asset.hashed.clone(), i))
            .collect();
        Self {
            assets,
            by_path,
            by_hashed,
            static_refs,
        }
    }

    /// The file at `path` under `/static/`: `(asset, true)` when the path is its hashed
    /// name, `(asset, false)` for its plain one. A hashed name with another hash is none.
    pub fn lookup(&self, path: &str) -> Option<(&Asset, bool)> {
        if let Some(&i) = self.by_hashed.get(path) {
            return Some((&self.assets[i], true));
        }
        self.by_path.get(path).map(|&i| (&self.assets[i], false))
    }

    /// The hashed URL of the file at `path` (e.g. `chat.css`).
    pub fn url(&self, path: &str) -> Option<String> {
        self.by_path.get(path).map(|&i| self.assets[i].url())
    }

    /// The hashed URLs of every module `entry` imports statically, directly or not (itself
    /// excluded), for `<link rel="modulepreload">`: the browser fetches the graph at once
    /// instead of discovering it one level at a time. Modules reached only through
    /// `import()` are left out: the page loads them when first used.
    pub fn module_graph(&self, entry: &str) -> Option<Vec<String>> {
        let &start = self.by_path.get(entry)?;
        Some(
            reachable(&self.static_refs, start)
                .into_iter()
                .filter(|&i| i != start && self.assets[i].path.ends_with(".js"))
                .map(|i| self.assets[i].url())
                .collect(),
        )
    }

    pub fn iter(&self) -> impl Iterator<Item = &Asset> {
        self.assets.iter()
    }
}

/// `start` and everything it reaches through `refs`, in index order.
fn reachable(refs: &[Vec<usize>], start: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([start]);
    let mut todo = vec![start];
    while let Some(i) = todo.pop() {
        for &j in &refs[i] {
            if seen.insert(j) {
                todo.push(j);
            }
        }
    }
    seen
}

/// `chat/api.js` with hash `h` → `chat/api.h.js`; a name without extension gets `name.h`.
fn hashed_name(path: &str, hash: &str) -> String {
    let (dir, file) = match path.rfind('/') {
        Some(slash) => path.split_at(slash + 1),
        None => ("", path),
    };
    match file.rfind('.') {
        Some(dot) if dot > 0 => format!("{dir}{}.{hash}{}", &file[..dot], &file[dot..]),
        _ => format!("{dir}{file}.{hash}"),
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// The references a file makes to other static files: an ES module's relative import
/// specifiers (`from "./api.js"`, `import "./x.js"`, `import("./x.js")`), a stylesheet's
/// `url("/static/…")` (a `#fragment` after the file's name is kept as written). Targets
/// are paths under `/static/`.
fn references(path: &str, bytes: &[u8]) -> Vec<Reference> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    if path.ends_with(".js") {
        module_imports(path, text)
    } else if path.ends_with(".css") {
        stylesheet_urls(text)
    } else {
        Vec::new()
    }
}

fn module_imports(path: &str, text: &str) -> Vec<Reference> {
    let dir = path.rfind('/').map_or("", |slash| &path[..=slash]);
    let mut found = Vec::new();
    for (at, quote) in text.match_indices(['"', '\'']) {
        let before = text[..at].trim_end();
        let call = before.strip_suffix('(').map(str::trim_end);
        let before = call.unwrap_or(before);
        let keyword = before.ends_with("from") || before.ends_with("import");
        if !keyword {
            continue;
        }
        let start = at + 1;
        let Some(len) = text[start..].find(quote) else {
            continue;
        };
        let specifier = &text[start..start + len];
        if !(specifier.starts_with("./") || specifier.starts_with("../")) {
            continue;
        }
        if let Some(target) = resolve(dir, specifier) {
            found.push(Reference {
                span: start..start + len,
                target,
                on_demand: call.is_some(),
            });
        }
    }
    found
}

fn stylesheet_urls(text: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("url(") {
        let start = at + 4;
        let rest = &text[start..];
        let (start, rest) = match rest.chars().next() {
            Some(quote @ ('"' | '\'')) => (start + 1, rest[1..].split(quote).next()),
            _ => (start, rest.split(')').next()),
        };
        let Some(url) = rest else { continue };
        // `icons.svg#menu` names a view inside the file: the file's name is hashed, the
        // fragment stays as written.
        let path = url.split(['#', '?']).next().unwrap_or(url);
        if let Some(target) = path.strip_prefix("/static/") {
            found.push(Reference {
                span: start + "/static/".len()..start + path.len(),
                target: target.to_owned(),
                on_demand: false,
            });
        }
    }
    found
}

/// `specifier` relative to `dir` (which ends in `/` or is empty), as a path under `/static/`.
fn resolve(dir: &str, specifier: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|part| !part.is_empty()).collect();
    for part in specifier.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts.join("/"))
}

/// `bytes` with each reference's target file name swapped for its hashed one. A module
/// keeps its relative specifier (`./api.js` → `./api.<hash>.js`), so it resolves against
/// wherever it was loaded from.
fn rewrite<'a>(
    bytes: &[u8],
    references: &[Reference],
    hashed: impl Fn(&str) -> &'a str,
) -> Vec<u8> {
    if references.is_empty() {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len() + references.len() * (HASH_LEN + 1));
    let mut copied = 0;
    for reference in references {
        let original = &bytes[reference.span.clone()];
        let new_name = hashed(&reference.target);
        let old_file = reference.target.rsplit('/').next().unwrap_or_default();
        let new_file = new_name.rsplit('/').next().unwrap_or_default();
        out.extend_from_slice(&bytes[copied..reference.span.start]);
        // Only the last segment (the file name) changes, whatever the path before it.
        let kept = &original[..original.len().saturating_sub(old_file.len())];
        out.extend_from_slice(kept);
        out.extend_from_slice(new_file.as_bytes());
        copied = reference.span.end;
    }
    out.extend_from_slice(&bytes[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Assets {
        Assets::build(vec![
            (
                "chat/main.js".into(),
                b"import { a } from \"./a.js\";\nimport './b.js';\nconst x = \"./not-an-import.js\";\n".to_vec(),
            ),
            ("chat/a.js".into(), b"import { b } from \"./b.js\"; export const a = 1;".to_vec()),
            ("chat/b.js".into(), b"import { a } from \"./a.js\"; export const b = 2;".to_vec()),
            ("base.css".into(), b"@font-face { src: url(\"/static/fonts/f.woff2\"); }".to_vec()),
            ("fonts/f.woff2".into(), vec![0, 1, 2]),
            ("chat.css".into(), b".a::before { mask-image: url(\"/static/icons.svg#menu\"); }".to_vec()),
            ("icons.svg".into(), b"<svg/>".to_vec()),
        ])
    }

    #[test]
    fn imports_and_font_urls_point_at_hashed_names() {
        let assets = table();
        let (main, hashed) = assets.lookup("chat/main.js").unwrap();
        assert!(!hashed);
        let text = std::str::from_utf8(&main.identity).unwrap();
        let a = assets.lookup("chat/a.js").unwrap().0.hashed.clone();
        let b = assets.lookup("chat/b.js").unwrap().0.hashed.clone();
        assert!(
            text.contains(&format!("from \"./{}\"", &a["chat/".len()..])),
            "{text}"
        );
        assert!(
            text.contains(&format!("import './{}'", &b["chat/".len()..])),
            "{text}"
        );
        assert!(text.contains("\"./not-an-import.js\""), "{text}");
        let css = assets.lookup("base.css").unwrap().0;
        let font = assets.url("fonts/f.woff2").unwrap();
        assert!(std::str::from_utf8(&css.identity).unwrap().contains(&font));
        let chat = assets.lookup("chat.css").unwrap().0;
        let icons = assets.url("icons.svg").unwrap();
        assert!(
            std::str::from_utf8(&chat.identity)
                .unwrap()
                .contains(&format!("url(\"{icons}#menu\")")),
            "{:?}",
            std::str::from_utf8(&chat.identity)
        );
        assert!(assets.lookup(&main.hashed).unwrap().1);
        assert!(assets.lookup("chat/main.000000000000.js").is_none());
    }

    #[test]
    fn modules_imported_on_demand_are_hashed_but_not_preloaded() {
        // An entry that imports a.js and, on demand, later.js (whose body is `later`).
        let build = |later: &str| {
            Assets::build(vec![
                (
                    "chat/main.js".into(),
                    b"import { a } from \"./a.js\";\nconst later = () => import(\"./later.js\");\n"
                        .to_vec(),
                ),
                ("chat/a.js".into(), b"export const a = 1;".to_vec()),
                ("chat/later.js".into(), later.as_bytes().to_vec()),
            ])
        };
        let assets = build("import { a } from \"./a.js\"; export const l = a;");
        let later = assets.url("chat/later.js").unwrap();
        let main = assets.lookup("chat/main.js").unwrap().0;
        let text = std::str::from_utf8(&main.identity).unwrap();
        assert!(
            text.contains(&format!(
                "import(\"./{}\")",
                &later["/static/chat/".len()..]
            )),
            "{text}"
        );
        assert_eq!(
            assets.module_graph("chat/main.js").unwrap(),
            vec![assets.url("chat/a.js").unwrap()],
            "a.js is preloaded, later.js is not"
        );
        // A change in the module loaded later still changes the entry's name: its bytes
        // name the other's hash.
        let changed = build("import { a } from \"./a.js\"; export const l = 2;");
        assert_ne!(assets.url("chat/main.js"), changed.url("chat/main.js"));
    }

    /// Every icon the chat's stylesheet shows is a view that `icons.svg` has, and no icon
    /// is a `data:` SVG again (each of those is an image document of its own to build).
    #[test]
    fn every_icon_the_stylesheet_names_is_a_view_of_icons_svg() {
        let assets = assets();
        let css =
            String::from_utf8_lossy(&assets.lookup("chat.css").unwrap().0.identity).into_owned();
        let svg =
            String::from_utf8_lossy(&assets.lookup("icons.svg").unwrap().0.identity).into_owned();
        let icons = assets.url("icons.svg").unwrap();
        assert!(!css.contains("data:image/svg"), "an icon as a data: URL");
        let named: Vec<&str> = css
            .split(&format!("url(\"{icons}#"))
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(named.len() > 10, "{named:?}");
        for name in named {
            assert!(
                svg.contains(&format!("<view id=\"{name}\"")),
                "icons.svg has no view {name:?}"
            );
        }
    }

    #[test]
    fn a_change_below_a_module_changes_its_hash() {
        let before = table();
        let mut files = vec![
            (
                "chat/main.js".into(),
                b"import { a } from \"./a.js\";\nimport './b.js';\nconst x = \"./not-an-import.js\";\n".to_vec(),
            ),
            ("chat/a.js".into(), b"import { b } from \"./b.js\"; export const a = 1;".to_vec()),
            ("chat/b.js".into(), b"import { a } from \"./a.js\"; export const b = 3;".to_vec()),
        ];
        files.push(("base.css".into(), b"a{}".to_vec()));
        let after = Assets::build(files);
        for path in ["chat/main.js", "chat/a.js", "chat/b.js"] {
            assert_ne!(before.url(path), after.url(path), "{path}");
        }
        assert_eq!(
            before.module_graph("chat/main.js").unwrap().len(),
            2,
            "main imports a and b"
        );
    }

    #[test]
    fn every_embedded_module_import_resolves() {
        let assets = assets();
        for asset in assets.iter().filter(|asset| asset.path.ends_with(".js")) {
            for reference in module_imports(&asset.path, &String::from_utf8_lossy(&asset.identity))
            {
                assert!(
                    assets
                        .lookup(&reference.target)
                        .is_some_and(|(_, hashed)| hashed),
                    "{} imports {} which is no hashed asset",
                    asset.path,
                    reference.target
                );
            }
        }
        let graph = assets.module_graph("chat/main.js").unwrap();
        assert!(
            graph
                .iter()
                .any(|url| url.starts_with("/static/chat/early.")),
            "{graph:?}"
        );
    }
}
