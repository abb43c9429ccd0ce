//! The crate's own import graph, read from `src/` (issue 19):
//! - R1: no import cycle between files (no strongly connected component of more than one file);
//! - R2: poem reaches `domain/` by no path (nor any file it imports, directly or not), and
//!   the domain imports no adapter (`api`, `web`, `ws`, `http`,
//!   `app`, `actions`);
//! - R3: the adapters `api/`, `web/` and `ws/` never import each other.
//!
//! Known violations are listed in `architecture_allow.txt` (none today), with the issue that
//! removes them. Anything new fails, and so does a listed item that no longer occurs, so the
//! list can only shrink. `--nocapture` prints the module map and the number of cycles.
//!
//! A file's edges come from `use crate::…`/`use super::…` trees, inline `crate::a::b`/`super::a`
//! paths and a parent's `child::` paths. Each path names the longest module that has a file.
//! No parser crate: comments and literals are blanked first, which leaves plain tokens.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
const ALLOW: &str = include_str!("architecture_allow.txt");

/// Top-level modules that are adapters or the composition root: the domain must not reach them.
const DOMAIN_MUST_NOT_IMPORT: [&str; 6] = ["api", "web", "ws", "http", "app", "actions"];
/// Adapters that must not import each other.
const ADAPTERS: [&str; 3] = ["api", "web", "ws"];

#[test]
fn the_module_graph_keeps_its_layers() {
    let graph = Graph::new(read_sources(Path::new(SRC)));
    let cycles = graph.cycles();
    println!("{}", graph.map(&cycles));

    // Every violation found, keyed as it is written in the allow-list, with its explanation.
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    for cycle in &cycles {
        let names: Vec<&str> = cycle.iter().map(|&f| graph.files[f].rel.as_str()).collect();
        let mut why = format!("R1: import cycle between {} files:\n", cycle.len());
        for (&(from, to), lines) in &graph.edges {
            if cycle.contains(&from) && cycle.contains(&to) {
                why += &graph.edge_text(from, to, lines);
            }
        }
        found.insert(format!("cycle: {}", names.join(" ")), why);
    }
    for (&(from, to), lines) in &graph.edges {
        let (from_top, to_top) = (graph.top(from), graph.top(to));
        if from_top == "domain" && DOMAIN_MUST_NOT_IMPORT.contains(&to_top) {
            let why = format!(
                "R2: the domain imports an adapter\n{}",
                graph.edge_text(from, to, lines)
            );
            found.insert(graph.edge_key(from, to), why);
        }
        if ADAPTERS.contains(&from_top) && ADAPTERS.contains(&to_top) && from_top != to_top {
            let why = format!(
                "R3: an adapter imports another\n{}",
                graph.edge_text(from, to, lines)
            );
            found.insert(graph.edge_key(from, to), why);
        }
    }
    // Poem must not reach the domain by any path: neither in a domain file nor in any file
    // a domain file imports, directly or through others.
    for file in graph.reachable_from(|rel| rel.starts_with("domain/")) {
        let file = &graph.files[file];
        let lines = poem_lines(&file.text);
        if !lines.is_empty() {
            let at: Vec<String> = lines.iter().map(|l| format!("{}:{l}", file.rel)).collect();
            let why = format!("R2: poem reaches the domain, at {}\n", at.join(", "));
            found.insert(format!("{} -> poem", file.rel), why);
        }
    }

    let allowed: BTreeSet<&str> = ALLOW
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut report = String::new();
    for (key, why) in found.iter().filter(|(k, _)| !allowed.contains(k.as_str())) {
        let _ = writeln!(report, "NEW, not in architecture_allow.txt: {key}\n{why}");
    }
    for key in allowed.iter().filter(|k| !found.contains_key(**k)) {
        let _ = writeln!(
            report,
            "STALE: {key}\n  it no longer occurs; delete its line from tests/api/architecture_allow.txt\n"
        );
    }
    assert!(report.is_empty(), "architecture rules:\n\n{report}");
}

/// One source file under `src/`.
struct File {
    /// Path relative to `src/`, with `/` separators: `api/auth.rs`.
    rel: String,
    /// Module path inside the library (`mod.rs` names its folder; `lib.rs` is the root).
    /// `None` for `main.rs`, which is the binary's own crate.
    module: Option<Vec<String>>,
    /// Lines in the file, as `wc -l` counts them.
    lines: usize,
    /// The source after [`clean`].
    text: String,
}

fn read_sources(root: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    assert!(
        out.len() > 10,
        "found only {} files under {}",
        out.len(),
        root.display()
    );
    out
}

fn module_of(rel: &str) -> Option<Vec<String>> {
    if rel == "main.rs" {
        return None;
    }
    if rel == "lib.rs" {
        return Some(Vec::new());
    }
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    Some(parts)
}

struct Graph {
    files: Vec<File>,
    /// `(from, to)` file indices → the lines of `from` that name `to`.
    edges: BTreeMap<(usize, usize), Vec<usize>>,
}

impl Graph {
    fn new(sources: Vec<(String, String)>) -> Self {
        let files: Vec<File> = sources
            .into_iter()
            .map(|(rel, raw)| File {
                module: module_of(&rel),
                lines: raw.matches('\n').count(),
                text: clean(&raw),
                rel,
            })
            .collect();
        let modules: BTreeMap<Vec<String>, usize> = files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((f.module.clone()?, i)))
            .collect();
        let mut edges: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
        for (from, file) in files.iter().enumerate() {
            let Some(module) = &file.module else { continue };
            for (path, line) in references(&file.text) {
                if let Some(to) = resolve(module, &path, &modules).filter(|&to| to != from) {
                    let lines = edges.entry((from, to)).or_default();
                    if !lines.contains(&line) {
                        lines.push(line);
                    }
                }
            }
        }
        Self { files, edges }
    }

    /// The files `start` selects and every file they import, directly or not.
    fn reachable_from(&self, start: impl Fn(&str) -> bool) -> BTreeSet<usize> {
        let mut seen: BTreeSet<usize> = (0..self.files.len())
            .filter(|&f| start(&self.files[f].rel))
            .collect();
        let mut todo: Vec<usize> = seen.iter().copied().collect();
        while let Some(from) = todo.pop() {
            for &(edge_from, to) in self.edges.keys() {
                if edge_from == from && seen.insert(to) {
                    todo.push(to);
                }
            }
        }
        seen
    }

    /// The strongly connected components of more than one file, each sorted by path.
    fn cycles(&self) -> Vec<Vec<usize>> {
        let arcs: BTreeSet<(usize, usize)> = self.edges.keys().copied().collect();
        let mut cycles: Vec<Vec<usize>> = components(self.files.len(), &arcs)
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|mut c| {
                c.sort_by(|&a, &b| self.files[a].rel.cmp(&self.files[b].rel));
                c
            })
            .collect();
        cycles.sort_by_key(|c| self.files[c[0]].rel.clone());
        cycles
    }

    /// The top-level module a file belongs to (`""` for the crate root and `main.rs`).
    fn top(&self, file: usize) -> &str {
        self.files[file]
            .module
            .as_ref()
            .and_then(|m| m.first())
            .map_or("", String::as_str)
    }

    fn edge_key(&self, from: usize, to: usize) -> String {
        format!("{} -> {}", self.files[from].rel, self.files[to].rel)
    }

    fn edge_text(&self, from: usize, to: usize, lines: &[usize]) -> String {
        let at: Vec<String> = lines
            .iter()
            .map(|l| format!("{}:{l}", self.files[from].rel))
            .collect();
        format!(
            "  {} -> {}   @ {}\n",
            self.files[from].rel,
            self.files[to].rel,
            at.join(", ")
        )
    }

    /// Files and lines per top-level folder, then the cycles.
    fn map(&self, cycles: &[Vec<usize>]) -> String {
        let mut folders: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for file in &self.files {
            let folder = match file.rel.split_once('/') {
                Some((dir, _)) => format!("{dir}/"),
                None => "*.rs (top level)".to_owned(),
            };
            let entry = folders.entry(folder).or_default();
            entry.0 += 1;
            entry.1 += file.lines;
        }
        let mut out = String::from("module map of src/\n  folder              files   lines\n");
        for (folder, (files, lines)) in &folders {
            let _ = writeln!(out, "  {folder:<18} {files:>6} {lines:>7}");
        }
        let (files, lines) = folders
            .values()
            .fold((0, 0), |(f, l), (ff, ll)| (f + ff, l + ll));
        let _ = writeln!(out, "  {:<18} {files:>6} {lines:>7}", "total");
        let _ = writeln!(out, "  {} import edges between files", self.edges.len());
        let _ = writeln!(out, "{} cycles", cycles.len());
        for cycle in cycles {
            let names: Vec<&str> = cycle.iter().map(|&f| self.files[f].rel.as_str()).collect();
            let _ = writeln!(out, "  {} files: {}", cycle.len(), names.join(" "));
        }
        out
    }
}

/// Resolves `path` as written in `module` to the file of the longest module it names. `None`
/// when the path leaves the crate (another crate, or a name that is not a child module).
fn resolve(
    module: &[String],
    path: &[String],
    modules: &BTreeMap<Vec<String>, usize>,
) -> Option<usize> {
    let first = path.first()?;
    let (mut absolute, mut rest) = match first.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (module.to_vec(), &path[1..]),
        "super" => (
            module[..module.len().saturating_sub(1)].to_vec(),
            &path[1..],
        ),
        child => {
            let mut named = module.to_vec();
            named.push(child.to_owned());
            if !modules.contains_key(&named) {
                return None;
            }
            (module.to_vec(), path)
        }
    };
    while rest.first().is_some_and(|s| s == "super") {
        absolute.pop();
        rest = &rest[1..];
    }
    absolute.extend(rest.iter().cloned());
    (0..=absolute.len())
        .rev()
        .find_map(|k| modules.get(&absolute[..k]).copied())
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `src` with comments and string, byte-string, raw-string and char literals blanked (newlines
/// kept, so line numbers hold), and every `#[cfg(test)] mod … { … }` block blanked too.
fn clean(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let mut out: Vec<char> = Vec::with_capacity(c.len());
    let mut i = 0;
    while i < c.len() {
        let after_ident = i > 0 && is_ident(c[i - 1]);
        // The end of a comment or literal starting at `i`, if one does.
        let end = match c[i] {
            '/' if at(i + 1) == '/' => {
                Some((i..c.len()).find(|&k| c[k] == '\n').unwrap_or(c.len()))
            }
            '/' if at(i + 1) == '*' => Some(block_comment_end(&c, i)),
            '"' => Some(quoted_end(&c, i + 1)),
            '\'' => char_end(&c, i),
            'b' if !after_ident && at(i + 1) == '"' => Some(quoted_end(&c, i + 2)),
            'b' if !after_ident && at(i + 1) == '\'' => char_end(&c, i + 1),
            'b' if !after_ident && at(i + 1) == 'r' => raw_end(&c, i + 2),
            'r' if !after_ident => raw_end(&c, i + 1),
            _ => None,
        };
        match end {
            Some(end) => {
                out.extend(
                    c[i..end]
                        .iter()
                        .map(|&ch| if ch == '\n' { '\n' } else { ' ' }),
                );
                i = end;
            }
            None => {
                out.push(c[i]);
                i += 1;
            }
        }
    }
    drop_test_modules(&mut out);
    out.into_iter().collect()
}

/// The index after a block comment (they nest) starting at `i`.
fn block_comment_end(c: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    while i + 1 < c.len() {
        if c[i] == '/' && c[i + 1] == '*' {
            depth += 1;
            i += 2;
        } else if c[i] == '*' && c[i + 1] == '/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    c.len()
}

/// The index after a raw string whose hashes start at `i` (just after the `r`); `None` when
/// there is no raw string there (`r#ident`, or a name starting with r).
fn raw_end(c: &[char], i: usize) -> Option<usize> {
    let hashes = c[i..].iter().take_while(|&&ch| ch == '#').count();
    if c.get(i + hashes) != Some(&'"') {
        return None;
    }
    // It ends at the first quote followed by as many hashes.
    let closes = |k: usize| c[k] == '"' && (1..=hashes).all(|h| c.get(k + h) == Some(&'#'));
    let close = (i + hashes + 1..c.len()).find(|&k| closes(k))?;
    Some(close + 1 + hashes)
}

/// The index after a `"…"` literal whose body starts at `i`.
fn quoted_end(c: &[char], mut i: usize) -> usize {
    while i < c.len() {
        match c[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    c.len()
}

/// The index after a char literal starting at the quote `i`; `None` for a lifetime.
fn char_end(c: &[char], i: usize) -> Option<usize> {
    if c.get(i + 1) == Some(&'\\') {
        let close = (i + 3..c.len()).find(|&k| c[k] == '\'')?;
        return Some(close + 1);
    }
    (c.get(i + 2) == Some(&'\'')).then_some(i + 3)
}

/// Blanks `#[cfg(test)]` (plus any further attributes) `mod name { … }`, brace-matched.
fn drop_test_modules(c: &mut [char]) {
    const MARK: &[char] = &['#', '[', 'c', 'f', 'g', '(', 't', 'e', 's', 't', ')', ']'];
    let mut i = 0;
    while i + MARK.len() <= c.len() {
        if &c[i..i + MARK.len()] != MARK {
            i += 1;
            continue;
        }
        let skip_ws = |mut j: usize| {
            while j < c.len() && c[j].is_whitespace() {
                j += 1;
            }
            j
        };
        let mut j = skip_ws(i + MARK.len());
        while j + 1 < c.len() && c[j] == '#' && c[j + 1] == '[' {
            j += 1;
            let mut depth = 0;
            while j < c.len() {
                match c[j] {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    _ => {}
                }
                j += 1;
                if depth == 0 {
                    break;
                }
            }
            j = skip_ws(j);
        }
        let is_mod = c[j..].starts_with(&['m', 'o', 'd'])
            && c.get(j + 3).is_some_and(|ch| ch.is_whitespace());
        if !is_mod {
            i += MARK.len();
            continue;
        }
        let Some(open) = (j..c.len()).find(|&k| c[k] == '{' || c[k] == ';') else {
            return;
        };
        if c[open] == ';' {
            i = open;
            continue;
        }
        let mut depth = 0;
        let mut end = open;
        while end < c.len() {
            match c[end] {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            end += 1;
            if depth == 0 {
                break;
            }
        }
        for ch in &mut c[i..end] {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
        i = end;
    }
}

/// Every path in cleaned source that may name a module of this crate, with its 1-based line:
/// each leaf of each `use` tree, and each inline path of two or more segments.
fn references(text: &str) -> Vec<(Vec<String>, usize)> {
    let mut c: Vec<char> = text.chars().collect();
    let line_of = |c: &[char], i: usize| c[..i].iter().filter(|&&ch| ch == '\n').count() + 1;
    let mut out = Vec::new();

    // `use` items first; blanked afterwards so the inline scan does not see them again.
    let mut i = 0;
    while i + 3 <= c.len() {
        let word = c[i..i + 3] == ['u', 's', 'e'] && (i == 0 || !is_ident(c[i - 1]));
        let next = c.get(i + 3).copied().unwrap_or(' ');
        if !word || !next.is_whitespace() {
            i += 1;
            continue;
        }
        let Some(end) = (i..c.len()).find(|&k| c[k] == ';') else {
            break;
        };
        let tree: String = c[i + 3..end].iter().collect();
        let line = line_of(&c, i);
        out.extend(expand(&tree).into_iter().map(|p| (p, line)));
        for ch in &mut c[i..end] {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
        i = end + 1;
    }

    // Inline paths: an identifier that does not follow `::`, `$` or `.`, then `::ident`….
    let mut i = 0;
    while i < c.len() {
        let starts = is_ident(c[i]) && !c[i].is_ascii_digit();
        let prev = if i > 0 { c[i - 1] } else { ' ' };
        if !starts || is_ident(prev) || matches!(prev, ':' | '$' | '.' | '#') {
            i += 1;
            continue;
        }
        let start = i;
        let mut path = Vec::new();
        loop {
            let word_end = (i..c.len()).find(|&k| !is_ident(c[k])).unwrap_or(c.len());
            path.push(c[i..word_end].iter().collect::<String>());
            i = word_end;
            let more = c.get(i) == Some(&':') && c.get(i + 1) == Some(&':');
            if !(more && c.get(i + 2).is_some_and(|&ch| is_ident(ch))) {
                break;
            }
            i += 2;
        }
        if path.len() > 1 {
            out.push((path, line_of(&c, start)));
        }
    }
    out
}

/// The leaf paths of a `use` tree: `crate::a::{self, b::{c, d as e}, f::*}` gives
/// `crate::a`, `crate::a::b::c`, `crate::a::b::d` and `crate::a::f`.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let mut tokens: Vec<String> = Vec::new();
    let c: Vec<char> = tree.chars().collect();
    let mut i = 0;
    while i < c.len() {
        if is_ident(c[i]) {
            let end = (i..c.len()).find(|&k| !is_ident(c[k])).unwrap_or(c.len());
            tokens.push(c[i..end].iter().collect());
            i = end;
        } else if c[i] == ':' && c.get(i + 1) == Some(&':') {
            tokens.push("::".to_owned());
            i += 2;
        } else {
            if !c[i].is_whitespace() {
                tokens.push(c[i].to_string());
            }
            i += 1;
        }
    }
    let mut out = Vec::new();
    // A leading `::` names another crate.
    if tokens.first().is_some_and(|t| t != "::") {
        use_tree(&tokens, &mut 0, &[], &mut out);
    }
    out
}

fn use_tree(tokens: &[String], pos: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let token = |p: usize| tokens.get(p).map_or("", String::as_str);
    let mut path = prefix.to_vec();
    loop {
        match token(*pos) {
            "{" => {
                *pos += 1;
                while !matches!(token(*pos), "}" | "") {
                    use_tree(tokens, pos, &path, out);
                    if token(*pos) == "," {
                        *pos += 1;
                    }
                }
                *pos += 1;
                return;
            }
            "*" => {
                *pos += 1;
                out.push(path);
                return;
            }
            "" => return,
            word => {
                // `self` inside braces is the prefix itself.
                if !(word == "self" && path.len() == prefix.len() && !prefix.is_empty()) {
                    path.push(word.to_owned());
                }
                *pos += 1;
                if token(*pos) == "::" {
                    *pos += 1;
                    continue;
                }
                if token(*pos) == "as" {
                    *pos += 2;
                }
                out.push(path);
                return;
            }
        }
    }
}

/// The lines of cleaned source that name poem or poem-openapi.
fn poem_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let words = line.split(|ch: char| !is_ident(ch));
        if words
            .into_iter()
            .any(|w| w == "poem" || w == "poem_openapi")
        {
            lines.push(n + 1);
        }
    }
    lines
}

/// Tarjan's strongly connected components of the graph on `0..n`.
fn components(n: usize, arcs: &BTreeSet<(usize, usize)>) -> Vec<Vec<usize>> {
    struct Tarjan<'a> {
        arcs: &'a BTreeSet<(usize, usize)>,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.next);
            self.low[v] = self.next;
            self.next += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            let successors: Vec<usize> = self
                .arcs
                .range((v, 0)..=(v, usize::MAX))
                .map(|&(_, w)| w)
                .collect();
            for w in successors {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                self.out.push(component);
            }
        }
    }
    let mut tarjan = Tarjan {
        arcs,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if tarjan.index[v].is_none() {
            tarjan.visit(v);
        }
    }
    tarjan.out
}

// The checker's own parts, on small inputs: a checker that can never fail proves nothing.

fn paths(refs: &[(Vec<String>, usize)]) -> Vec<String> {
    refs.iter()
        .map(|(p, line)| format!("{}@{line}", p.join("::")))
        .collect()
}

#[test]
fn comments_and_literals_are_blanked_but_lines_kept() {
    let src = "let url = \"redis://x crate::a::B\"; use crate::kept; // crate::comment\n\
               /* crate::block /* nested */ crate::still */ let q = '\"'; let n = 'x';\n\
               let raw = r#\"crate::raw \"quoted\"\"#; fn f<'a>(s: &'a str) {} super::inline::C;\n\
               let b = b\"crate::bytes\"; let e = '\\''; crate::last::D";
    let text = clean(src);
    assert_eq!(text.lines().count(), src.lines().count());
    assert!(text.contains("fn f<'a>(s: &'a str)"), "{text}");
    assert_eq!(
        paths(&references(&text)),
        ["crate::kept@1", "super::inline::C@3", "crate::last::D@4"]
    );
}

#[test]
fn test_modules_are_skipped() {
    let src = "use crate::a;\n#[cfg(test)]\n#[expect(clippy::x, reason = \"}\")]\nmod tests {\n    \
               use crate::b;\n    fn f() { if true { crate::c::D; } }\n}\n#[cfg(test)]\nfn helper() { crate::e::F; }\n";
    assert_eq!(
        paths(&references(&clean(src))),
        ["crate::a@1", "crate::e::F@9"]
    );
}

#[test]
fn use_trees_are_expanded() {
    let leaves: Vec<String> = expand(" crate::a::{self, b::{c, d as e}, f::*}")
        .iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(
        leaves,
        [
            "crate::a",
            "crate::a::b::c",
            "crate::a::b::d",
            "crate::a::f"
        ]
    );
    assert!(expand(" ::std::fmt").is_empty());
}

#[test]
fn paths_resolve_to_the_longest_module_with_a_file() {
    let sources = [
        ("lib.rs", "pub mod a;\npub mod c;\n"),
        ("a/mod.rs", "pub mod b;\npub use b::Thing;\n"),
        (
            "a/b.rs",
            "use super::super::c::deep::Item;\nfn f() { crate::a::Other; }\n",
        ),
        ("c.rs", "use crate::a::b::Thing; use serde::Serialize;\n"),
    ];
    let graph = Graph::new(
        sources
            .iter()
            .map(|(r, t)| ((*r).to_owned(), (*t).to_owned()))
            .collect(),
    );
    let edges: Vec<String> = graph
        .edges
        .iter()
        .map(|(&(f, t), lines)| format!("{}@{lines:?}", graph.edge_key(f, t)))
        .collect();
    assert_eq!(
        edges,
        [
            "a/mod.rs -> a/b.rs@[2]",
            "a/b.rs -> a/mod.rs@[2]",
            "a/b.rs -> c.rs@[1]",
            "c.rs -> a/b.rs@[1]"
        ]
    );
    let cycles: Vec<Vec<&str>> = graph
        .cycles()
        .iter()
        .map(|c| c.iter().map(|&f| graph.files[f].rel.as_str()).collect())
        .collect();
    assert_eq!(cycles, [vec!["a/b.rs", "a/mod.rs", "c.rs"]]);
}

#[test]
fn tarjan_finds_each_cycle_once() {
    let arcs: BTreeSet<(usize, usize)> =
        [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 3), (5, 5)].into();
    let mut found: Vec<Vec<usize>> = components(6, &arcs)
        .into_iter()
        .map(|mut c| {
            c.sort_unstable();
            c
        })
        .collect();
    found.sort();
    assert_eq!(found, [vec![0, 1, 2], vec![3, 4], vec![5]]);
}
