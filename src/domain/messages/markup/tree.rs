//! Changes to the parsed Markdown before it becomes HTML: what the chat subset leaves out
//! goes back to the text that was typed, links show their real host, mentions become
//! pills. The only raw HTML left in the tree afterwards is what these functions write.

use std::borrow::Cow;

use comrak::nodes::{AstNode, NodeValue, Sourcepos};
use comrak::{Arena, Node};

use super::context::Context;
use super::sanitize::EMOJI_PATH;
use crate::domain::messages::mention::{SPECIAL, mention_spans};
use crate::domain::users::username::Username;

fn text_node<'a>(arena: &'a Arena<'a>, text: String) -> Node<'a> {
    arena.alloc(AstNode::from(NodeValue::Text(Cow::Owned(text))))
}

fn html_node<'a>(arena: &'a Arena<'a>, html: String) -> Node<'a> {
    arena.alloc(AstNode::from(NodeValue::HtmlInline(html)))
}

fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing into a String cannot fail.
    let _ = comrak::html::escape(&mut out, text);
    out
}

/// The source lines a block came from, as typed (from its first column on the first line).
fn source_lines(source: &str, pos: Sourcepos) -> Vec<String> {
    let first = pos.start.line.saturating_sub(1);
    let last = pos.end.line.max(pos.start.line).saturating_sub(1);
    source
        .lines()
        .enumerate()
        .filter(|(i, _)| (first..=last).contains(i))
        .map(|(i, line)| {
            let from = if i == first {
                pos.start.column.saturating_sub(1)
            } else {
                0
            };
            line.get(from..).unwrap_or(line).to_owned()
        })
        .collect()
}

/// A paragraph holding `lines` as text, one line break between each.
fn text_paragraph<'a>(arena: &'a Arena<'a>, lines: Vec<String>) -> Node<'a> {
    let paragraph = arena.alloc(AstNode::from(NodeValue::Paragraph));
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            paragraph.append(arena.alloc(AstNode::from(NodeValue::LineBreak)));
        }
        paragraph.append(text_node(arena, line));
    }
    paragraph
}

fn replace<'a>(old: Node<'a>, new: Node<'a>) {
    old.insert_after(new);
    old.detach();
}

/// The text of a node's descendants, without markup.
fn inner_text<'a>(node: Node<'a>) -> String {
    let mut text = String::new();
    for child in node.descendants().skip(1) {
        match &child.data().value {
            NodeValue::Text(t) => text.push_str(t),
            NodeValue::Code(code) => text.push_str(&code.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

/// Headings, rules, raw HTML and pictures by URL go back to the text that was typed.
pub fn unrender_unsupported<'a>(arena: &'a Arena<'a>, root: Node<'a>, source: &str) {
    let nodes: Vec<Node<'a>> = root.descendants().collect();
    for node in nodes {
        let (value, pos) = {
            let ast = node.data();
            (ast.value.clone(), ast.sourcepos)
        };
        match value {
            NodeValue::Heading(_) | NodeValue::ThematicBreak => {
                replace(node, text_paragraph(arena, source_lines(source, pos)));
            }
            NodeValue::HtmlBlock(block) => {
                let lines = block
                    .literal
                    .trim_end()
                    .lines()
                    .map(str::to_owned)
                    .collect();
                replace(node, text_paragraph(arena, lines));
            }
            NodeValue::HtmlInline(html) => replace(node, text_node(arena, html)),
            NodeValue::Image(link) => {
                let typed = format!("![{}]({})", inner_text(node), link.url);
                replace(node, text_node(arena, typed));
            }
            _ => {}
        }
    }
}

/// The words of the message, a line for each line or block: what search indexes.
pub fn plain_text<'a>(root: Node<'a>) -> String {
    let mut plain = String::new();
    for node in root.descendants() {
        match &node.data().value {
            NodeValue::Text(t) => plain.push_str(t),
            NodeValue::Code(code) => plain.push_str(&code.literal),
            NodeValue::CodeBlock(block) => {
                plain.push('\n');
                plain.push_str(&block.literal);
            }
            NodeValue::SoftBreak | NodeValue::LineBreak => plain.push('\n'),
            NodeValue::Paragraph | NodeValue::Item(_) | NodeValue::BlockQuote
                if !plain.is_empty() && !plain.ends_with('\n') =>
            {
                plain.push('\n');
            }
            _ => {}
        }
    }
    plain.trim().to_owned()
}

/// The text outside inline code and code blocks, words separated as in [`plain_text`].
pub fn prose_text<'a>(root: Node<'a>) -> String {
    let mut prose = String::new();
    for node in root.descendants() {
        match &node.data().value {
            NodeValue::Text(t) => prose.push_str(t),
            NodeValue::Code(_) | NodeValue::CodeBlock(_) => prose.push(' '),
            NodeValue::SoftBreak | NodeValue::LineBreak => prose.push('\n'),
            NodeValue::Paragraph | NodeValue::Item(_) | NodeValue::BlockQuote
                if !prose.is_empty() && !prose.ends_with('\n') =>
            {
                prose.push('\n');
            }
            _ => {}
        }
    }
    prose.trim().to_owned()
}

/// `host` without `www.`, lowercased.
fn bare_host(host: &str) -> String {
    let host = host.to_lowercase();
    host.strip_prefix("www.").map(str::to_owned).unwrap_or(host)
}

/// Whether `text` starts with `host` (after a scheme or `www.`), ending there or at a
/// path, port, query or space: then the reader already sees where the link goes.
fn text_shows_host(text: &str, host: &str) -> bool {
    let text = text.trim().to_lowercase();
    let text = ["https://", "http://"]
        .iter()
        .find_map(|scheme| text.strip_prefix(scheme))
        .unwrap_or(&text);
    let text = text.strip_prefix("www.").unwrap_or(text);
    text.strip_prefix(host)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', ':', '?', '#', ' ']))
}

/// After each web link whose text does not start with where it goes, its real host:
/// `[your bank](https://evil.example)` reads "your bank (evil.example)".
pub fn show_link_hosts<'a>(arena: &'a Arena<'a>, root: Node<'a>) {
    let links: Vec<(Node<'a>, String)> = root
        .descendants()
        .filter_map(|node| match &node.data().value {
            NodeValue::Link(link) => Some((node, link.url.clone())),
            _ => None,
        })
        .collect();
    for (node, url) in links {
        let Ok(parsed) = url::Url::parse(&url) else {
            continue;
        };
        let Some(host) = parsed
            .host_str()
            .filter(|_| parsed.scheme().starts_with("http"))
        else {
            continue;
        };
        let host = bare_host(host);
        if !text_shows_host(&inner_text(node), &host) {
            let hint = format!(" <span class=\"link-host\">({})</span>", escaped(&host));
            node.insert_after(html_node(arena, hint));
        }
    }
}

/// `:name:` tokens in `text`: the byte range of `:name:` and the name.
pub fn shortcode_spans(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find(':') {
        let start = from + offset;
        let rest = &text[start + 1..];
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        if len > 0 && rest.as_bytes().get(len) == Some(&b':') {
            spans.push((start..start + len + 2, &rest[..len]));
            from = start + len + 2;
        } else {
            from = start + 1;
        }
    }
    spans
}

/// `@username` of a member, and `@here`/`@room`, become pills with the display name, and
/// `:name:` of a custom emoji its picture. Inside links and code they stay text. Returns
/// the special names used (`here`, `room`).
pub fn mention_pills<'a>(
    arena: &'a Arena<'a>,
    root: Node<'a>,
    context: &Context,
) -> Vec<&'static str> {
    let mut specials = Vec::new();
    let texts: Vec<Node<'a>> = root
        .descendants()
        .filter(|node| matches!(node.data().value, NodeValue::Text(_)))
        .filter(|node| {
            !node
                .ancestors()
                .any(|a| matches!(a.data().value, NodeValue::Link(_)))
        })
        .collect();
    for node in texts {
        let text = match &node.data().value {
            NodeValue::Text(t) => t.to_string(),
            _ => continue,
        };
        let mut pieces: Vec<Node<'a>> = Vec::new();
        let mut done = 0;
        let mut spans: Vec<(std::ops::Range<usize>, &str, bool)> = mention_spans(&text)
            .into_iter()
            .map(|(range, name)| (range, name, true))
            .chain(
                shortcode_spans(&text)
                    .into_iter()
                    .filter(|(_, name)| context.emoji.contains(*name))
                    .map(|(range, name)| (range, name, false)),
            )
            .collect();
        spans.sort_by_key(|(range, _, _)| range.start);
        for (range, name, is_mention) in spans {
            if range.start < done {
                continue;
            }
            if !is_mention {
                let picture = format!(
                    "<img class=\"emoji\" src=\"{EMOJI_PATH}{name}\" alt=\":{name}:\" title=\":{name}:\">"
                );
                if range.start > done {
                    pieces.push(text_node(arena, text[done..range.start].to_owned()));
                }
                pieces.push(html_node(arena, picture));
                done = range.end;
                continue;
            }
            let special = SPECIAL.iter().find(|s| s.eq_ignore_ascii_case(name));
            let pill = if let Some(special) = special {
                if !specials.contains(special) {
                    specials.push(*special);
                }
                let name = special;
                format!("<span class=\"mention mention-special\">@{name}</span>")
            } else {
                let Some((username, display)) = Username::parse(name)
                    .ok()
                    .and_then(|u| context.members.get(u.key()))
                else {
                    continue;
                };
                format!(
                    "<span class=\"mention\" data-username=\"{}\">@{}</span>",
                    escaped(username),
                    escaped(display)
                )
            };
            if range.start > done {
                pieces.push(text_node(arena, text[done..range.start].to_owned()));
            }
            pieces.push(html_node(arena, pill));
            done = range.end;
        }
        if pieces.is_empty() {
            continue;
        }
        if done < text.len() {
            pieces.push(text_node(arena, text[done..].to_owned()));
        }
        for piece in pieces.into_iter().rev() {
            node.insert_after(piece);
        }
        node.detach();
    }
    specials
}
