use super::*;

fn html(source: &str) -> String {
    render(source, &Context::default()).html
}

const A: &str = r#"target="_blank" rel="noopener noreferrer nofollow ugc""#;

/// Inputs and what they must render to (block separators left out: `html` is compared
/// without newlines).
#[test]
fn the_chat_subset_renders_and_the_rest_shows_as_typed() {
    let table: &[(&str, String)] = &[
        (
            "**bold** *italic* ~~strike~~ `code`",
            r#"<p dir="auto"><strong>bold</strong> <em>italic</em> <del>strike</del> <code>code</code></p>"#.into(),
        ),
        ("line one\nline two", r#"<p dir="auto">line one<br>line two</p>"#.into()),
        ("||secret|| text", r#"<p dir="auto"><span class="spoiler">secret</span> text</p>"#.into()),
        (
            "> quoted\n\n1. one\n2. two\n\n- a",
            r#"<blockquote dir="auto"><p dir="auto">quoted</p></blockquote><ol dir="auto"><li dir="auto">one</li><li dir="auto">two</li></ol><ul dir="auto"><li dir="auto">a</li></ul>"#.into(),
        ),
        (
            "3. three\n4. four",
            r#"<ol start="3" dir="auto"><li dir="auto">three</li><li dir="auto">four</li></ol>"#.into(),
        ),
        ("```\nplain <b>\n```", r#"<pre dir="ltr"><code>plain &lt;b&gt;</code></pre>"#.into()),
        (
            "```nosuchlanguage\nx\n```",
            r#"<pre dir="ltr"><code class="language-nosuchlanguage">x</code></pre>"#.into(),
        ),
        (
            "see https://bare.example.org/x?y=1",
            format!(r#"<p dir="auto">see <a href="https://bare.example.org/x?y=1" {A}>https://bare.example.org/x?y=1</a></p>"#),
        ),
        (
            "[docs](https://example.com/docs)",
            format!(r#"<p dir="auto"><a href="https://example.com/docs" {A}>docs</a> <span class="link-host">(example.com)</span></p>"#),
        ),
        (
            "[example.com/docs](https://www.example.com/docs)",
            format!(r#"<p dir="auto"><a href="https://www.example.com/docs" {A}>example.com/docs</a></p>"#),
        ),
        (
            "[paypal.com](https://paypal.com.evil.example/login)",
            format!(r#"<p dir="auto"><a href="https://paypal.com.evil.example/login" {A}>paypal.com</a> <span class="link-host">(paypal.com.evil.example)</span></p>"#),
        ),
        (
            "mail <sara@example.org>",
            format!(r#"<p dir="auto">mail <a href="mailto:sara@example.org" {A}>sara@example.org</a></p>"#),
        ),
        ("# Heading", r#"<p dir="auto"># Heading</p>"#.into()),
        ("Title\n===", r#"<p dir="auto">Title<br>===</p>"#.into()),
        ("---", r#"<p dir="auto">---</p>"#.into()),
        ("| a | b |\n|---|---|", r#"<p dir="auto">| a | b |<br>|---|---|</p>"#.into()),
        ("<b>raw</b>", r#"<p dir="auto">&lt;b&gt;raw&lt;/b&gt;</p>"#.into()),
        ("<div>\nblock\n</div>", r#"<p dir="auto">&lt;div&gt;<br>block<br>&lt;/div&gt;</p>"#.into()),
        ("![cat](https://example.com/cat.png)", r#"<p dir="auto">![cat](https://example.com/cat.png)</p>"#.into()),
        // Persian and mixed direction: each block finds its own direction; code stays LTR.
        (
            "سلام **دنیا**\n\n```\nlet x = 1;\n```\n\nEnglish after",
            r#"<p dir="auto">سلام <strong>دنیا</strong></p><pre dir="ltr"><code>let x = 1;</code></pre><p dir="auto">English after</p>"#.into(),
        ),
        (
            "- یک\n- two",
            r#"<ul dir="auto"><li dir="auto">یک</li><li dir="auto">two</li></ul>"#.into(),
        ),
        ("نیم‌فاصله `کد`", "<p dir=\"auto\">نیم\u{200c}فاصله <code>کد</code></p>".into()),
        (
            "@here and @room",
            r#"<p dir="auto"><span class="mention mention-special">@here</span> and <span class="mention mention-special">@room</span></p>"#.into(),
        ),
        // Someone not in the room stays text.
        ("hi @nobody", r#"<p dir="auto">hi @nobody</p>"#.into()),
    ];
    for (source, expected) in table {
        assert_eq!(html(source).replace('\n', ""), *expected, "{source:?}");
    }
}

#[test]
fn fenced_code_with_a_language_is_highlighted_with_classes_only() {
    let out = html("```rust\nfn main() {}\n```");
    assert!(
        out.starts_with(r#"<pre dir="ltr"><code class="language-rust"><span class="hl-"#),
        "{out}"
    );
    assert!(
        out.contains(r#"<span class="hl-storage hl-type hl-function hl-rust">fn</span>"#),
        "{out}"
    );
    assert!(!out.contains("style"), "{out}");
}

#[test]
fn members_mentioned_become_pills_with_their_display_name() {
    let mut context = Context::default();
    context
        .members
        .insert("parisa".into(), ("Parisa".into(), "پریسا <3".into()));
    let out = render(
        "سلام @Parisa، `@parisa` [@parisa](https://x.example)",
        &context,
    )
    .html;
    assert_eq!(
        out.replace('\n', ""),
        format!(
            r#"<p dir="auto">سلام <span class="mention" data-username="Parisa">@پریسا &lt;3</span>، <code>@parisa</code> <a href="https://x.example" {A}>@parisa</a> <span class="link-host">(x.example)</span></p>"#
        )
    );
}

#[test]
fn search_gets_the_words_without_markup() {
    let rendered = html_and_plain("**bold** and [a link](https://example.com)\n\n> `code`");
    assert_eq!(rendered, "bold and a link\ncode");
    assert_eq!(html_and_plain("# not a heading"), "# not a heading");
}

fn html_and_plain(source: &str) -> String {
    render(source, &Context::default()).plain
}

#[test]
fn old_plain_messages_render_as_the_text_they_were() {
    assert_eq!(
        render_plain("**not bold** <b>\nline"),
        r#"<p dir="auto">**not bold** &lt;b&gt;<br>line</p>"#
    );
    assert_eq!(render_plain(""), "");
}

/// Checks every tag of sanitized output: only allowed elements and attributes, links only
/// to http(s)/mailto, pictures only custom emoji, no event handlers or styles.
fn assert_inert(source: &str, out: &str) {
    // html5ever escapes `<` in text, so every `<` here opens a tag.
    for tag in out.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let tag = tag.trim_start_matches('/');
        let mut parts = tag.splitn(2, ' ');
        let name = parts.next().unwrap_or_default();
        assert!(
            super::ALLOWED_TAGS.contains(&name),
            "{source:?} gave <{name}>: {out}"
        );
        let mut attributes = parts.next().unwrap_or_default();
        while let Some(eq) = attributes.find("=\"") {
            let attribute = attributes[..eq].trim();
            let rest = &attributes[eq + 2..];
            let end = rest.find('"').unwrap_or(rest.len());
            let value = &rest[..end];
            assert!(
                [
                    "href",
                    "target",
                    "rel",
                    "dir",
                    "class",
                    "start",
                    "data-username",
                    "src",
                    "alt",
                    "title"
                ]
                .contains(&attribute),
                "{source:?} gave attribute {attribute}: {out}"
            );
            if attribute == "href" {
                let lower = value.to_ascii_lowercase();
                assert!(
                    lower.starts_with("http://")
                        || lower.starts_with("https://")
                        || lower.starts_with("mailto:"),
                    "{source:?} gave href {value}: {out}"
                );
            }
            if attribute == "src" {
                assert!(
                    value.starts_with(EMOJI_PATH),
                    "{source:?} gave src {value}: {out}"
                );
            }
            attributes = rest.get(end + 1..).unwrap_or_default();
        }
    }
}

/// The OWASP filter-evasion vectors and relatives, shared with the API and browser suites
/// (which check the same over REST, the socket and in Chromium).
fn xss_vectors() -> Vec<String> {
    serde_json::from_str(include_str!("../../../../tests/fixtures/xss-vectors.json"))
        .unwrap_or_default()
}

#[test]
fn filter_evasion_vectors_come_out_inert() {
    let mut context = Context::default();
    context.members.insert(
        "x".into(),
        (
            "x\" onclick=\"alert(1)".into(),
            "<img src=x onerror=alert(1)>".into(),
        ),
    );
    let vectors = xss_vectors();
    assert!(vectors.len() > 30, "the vectors file is read");
    for source in &vectors {
        let out = render(source, &context).html;
        assert_inert(source, &out);
        let lower = out.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{source:?}: {out}");
        assert!(!lower.contains("<img"), "{source:?}: {out}");
        assert!(!lower.contains("<svg"), "{source:?}: {out}");
    }
}

#[test]
#[should_panic(expected = "gave attribute onerror")]
fn the_inertness_check_catches_a_handler() {
    assert_inert(
        "x",
        r#"<p dir="auto"><span onerror="alert(1)">x</span></p>"#,
    );
}

#[test]
#[should_panic(expected = "gave href javascript")]
fn the_inertness_check_catches_a_script_link() {
    assert_inert("x", r#"<a href="javascript:alert(1)">x</a>"#);
}

#[test]
fn custom_emoji_that_exist_show_their_picture() {
    let mut context = Context::default();
    context.emoji.insert("party_parrot".into());
    let out = render(
        ":party_parrot: and :unknown: `:party_parrot:` a:party_parrot:b",
        &context,
    )
    .html;
    assert_eq!(
        out.replace('\n', ""),
        r#"<p dir="auto"><img class="emoji" src="/api/v1/emoji/party_parrot" alt=":party_parrot:" title=":party_parrot:"> and :unknown: <code>:party_parrot:</code> a<img class="emoji" src="/api/v1/emoji/party_parrot" alt=":party_parrot:" title=":party_parrot:">b</p>"#
    );
}

#[test]
fn prose_leaves_out_code_but_keeps_the_words_around_it() {
    let rendered = render(
        "ask `کیوان` or\n\n```\nkeyvan\n```\n\n**Sara**",
        &Context::default(),
    );
    assert!(rendered.plain.contains("کیوان") && rendered.plain.contains("keyvan"));
    assert!(!rendered.prose.contains("کیوان") && !rendered.prose.contains("keyvan"));
    assert!(rendered.prose.contains("ask") && rendered.prose.contains("Sara"));
}
