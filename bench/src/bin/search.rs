//! Message search at scale: loads N realistic mixed Persian/English messages into a fresh
//! database (SQLite or PostgreSQL) with the server's own normalization, starts the release
//! server on it, then times a mix of queries over HTTP, one at a time.
//!
//! ```sh
//! cargo build --release -p anjoman -p anjoman-bench
//! target/release/anjoman-bench-search --messages 1000000                  # SQLite
//! target/release/anjoman-bench-search --messages 1000000 --backend postgres
//! ```

use std::time::{Duration, Instant};

use anjoman::domain::search_text::normalize;
use anjoman_bench::{PASSWORD, ServerArgs, start_server};
use anyhow::Context;
use chrono::{TimeZone, Utc};
use clap::{Parser, ValueEnum};
use entity::messages;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, Database, DatabaseConnection, EntityTrait, TransactionTrait,
};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Parser)]
#[command(about = "Search latency over a large message history")]
struct Args {
    #[command(flatten)]
    server: ServerArgs,
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// Where a fresh PostgreSQL database is created (and dropped after).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres_admin_url: String,
    #[arg(long, default_value_t = 1_000_000)]
    messages: usize,
    #[arg(long, default_value_t = 40)]
    rooms: usize,
    #[arg(long, default_value_t = 30)]
    authors: usize,
    #[arg(long, default_value_t = 1000)]
    queries: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print this many of the slowest queries.
    #[arg(long, default_value_t = 0)]
    show_slowest: usize,
    /// Keep the PostgreSQL database afterwards (to look at query plans); prints its URL.
    #[arg(long)]
    keep_database: bool,
}

/// Everyday chat words, weighted towards the start of each list (Zipf-like draws).
const PERSIAN: &[&str] = &[
    "سلام",
    "ممنون",
    "امروز",
    "فردا",
    "جلسه",
    "کار",
    "خانه",
    "دوست",
    "کتاب",
    "می‌روم",
    "نمی‌دانم",
    "خوب",
    "خیلی",
    "چای",
    "قهوه",
    "ساعت",
    "کجا",
    "چرا",
    "شاید",
    "حتما",
    "پروژه",
    "گزارش",
    "تهران",
    "اصفهان",
    "شیراز",
    "تبریز",
    "مشهد",
    "کتاب‌ها",
    "دانشگاه",
    "کلاس",
    "امتحان",
    "بازی",
    "فیلم",
    "موسیقی",
    "سفر",
    "هوا",
    "باران",
    "برف",
    "آفتاب",
    "شب",
    "صبح",
    "ناهار",
    "شام",
    "مهمانی",
    "تولد",
    "مبارک",
    "عید",
    "نوروز",
    "خبر",
    "سوال",
    "جواب",
    "کمک",
    "لطفا",
    "ببخشید",
    "باشه",
    "عالی",
    "جالب",
    "عجیب",
    "درست",
    "غلط",
    "زود",
    "دیر",
    "نزدیک",
    "دور",
    "کتابخانه",
    "میز",
    "صندلی",
    "پنجره",
    "ماشین",
    "اتوبوس",
    "مترو",
    "قطار",
    "فرودگاه",
    "بیمارستان",
    "دکتر",
    "دارو",
    "ورزش",
    "فوتبال",
    "والیبال",
    "کوه",
    "دریا",
    "جنگل",
    "باغ",
    "گل",
    "درخت",
    "میوه",
    "سیب",
    "انار",
    "هندوانه",
    "نان",
    "پنیر",
    "برنج",
    "کباب",
    "قورمه‌سبزی",
    "آشپزخانه",
    "برنامه‌نویسی",
    "سرور",
    "پایگاه",
    "داده",
    "جستجو",
    "پیام",
    "گروه",
    "انجمن",
    "مدیر",
    "کاربر",
    "رمز",
    "امنیت",
    "نسخه",
    "به‌روزرسانی",
    "خطا",
    "مشکل",
    "راه‌حل",
];
const ENGLISH: &[&str] = &[
    "hello",
    "thanks",
    "today",
    "tomorrow",
    "meeting",
    "work",
    "home",
    "friend",
    "book",
    "going",
    "know",
    "good",
    "very",
    "tea",
    "coffee",
    "time",
    "where",
    "why",
    "maybe",
    "sure",
    "project",
    "report",
    "deploy",
    "server",
    "database",
    "search",
    "index",
    "query",
    "release",
    "bug",
    "fix",
    "issue",
    "review",
    "merge",
    "branch",
    "test",
    "build",
    "docker",
    "nginx",
    "postgres",
    "sqlite",
    "redis",
    "rust",
    "python",
    "javascript",
    "frontend",
    "backend",
    "design",
    "meeting",
    "lunch",
    "dinner",
    "party",
    "birthday",
    "weekend",
    "holiday",
    "weather",
    "rain",
    "snow",
    "sunny",
    "movie",
    "music",
    "game",
    "football",
    "travel",
    "airport",
    "train",
    "bus",
    "car",
    "doctor",
    "hospital",
    "library",
    "university",
    "exam",
    "class",
    "homework",
    "deadline",
    "urgent",
    "later",
    "soon",
    "please",
    "sorry",
    "great",
    "awesome",
    "weird",
    "right",
    "wrong",
    "early",
    "late",
    "near",
    "far",
    "question",
    "answer",
    "help",
    "zoom",
    "link",
    "file",
    "photo",
    "video",
    "call",
    "message",
    "group",
    "admin",
];
/// Arabic-keyboard spellings that the index must fold (ي → ی, ك → ک, ة → ه).
const ARABIC_VARIANTS: &[(&str, &str)] = &[
    ("کتاب", "كتاب"),
    ("کار", "كار"),
    ("خیلی", "خيلي"),
    ("دانشگاه", "دانشگاة"),
    ("کلاس", "كلاس"),
];

struct Rng(fastrand::Rng);

impl Rng {
    /// An index skewed towards 0: common words are common.
    fn zipf(&mut self, n: usize) -> usize {
        let u = self.0.f64();
        ((u * u * u) * n as f64) as usize % n
    }

    fn word(&mut self) -> String {
        if self.0.u8(..100) < 55 {
            let word = PERSIAN[self.zipf(PERSIAN.len())];
            if self.0.u8(..100) < 8 {
                if let Some((_, arabic)) = ARABIC_VARIANTS.iter().find(|(p, _)| *p == word) {
                    return (*arabic).to_owned();
                }
            }
            word.to_owned()
        } else if self.0.u8(..100) < 97 {
            let word = ENGLISH[self.zipf(ENGLISH.len())];
            if self.0.u8(..100) < 10 {
                let mut cap = word.to_owned();
                cap[..1].make_ascii_uppercase();
                return cap;
            }
            word.to_owned()
        } else if self.0.bool() {
            // Persian digits, as people type them.
            self.0
                .u32(1..2000)
                .to_string()
                .chars()
                .map(|c| char::from_u32(0x06F0 + c.to_digit(10).unwrap_or(0)).unwrap_or(c))
                .collect()
        } else {
            format!("#{}", self.0.u32(100..999))
        }
    }

    fn message(&mut self) -> String {
        let len = 3 + self.zipf(18);
        let mut words: Vec<String> = (0..len).map(|_| self.word()).collect();
        if self.0.u8(..100) < 20 {
            words.push(["!", "?", "؟", "…", "🙂"][self.0.usize(..5)].to_owned());
        }
        words.join(" ")
    }
}

async fn api(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Value,
) -> anyhow::Result<Value> {
    let mut request = http.request(method, &url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let resp = request.send().await?;
    let status = resp.status();
    let text = resp.text().await?;
    anyhow::ensure!(status.is_success(), "{url}: {status} {text}");
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A fresh database for this run; PostgreSQL ones are dropped by [`drop_database`].
async fn fresh_database(
    args: &Args,
    dir: &std::path::Path,
) -> anyhow::Result<(String, Option<String>)> {
    match args.backend {
        Backend::Sqlite => Ok((
            format!("sqlite://{}/search.db?mode=rwc", dir.display()),
            None,
        )),
        Backend::Postgres => {
            let name = format!("anjoman_bench_search_{}", std::process::id());
            let admin = Database::connect(&args.postgres_admin_url).await?;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                .await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            admin.close().await?;
            let (server, _) = args
                .postgres_admin_url
                .rsplit_once('/')
                .context("the admin URL names a database")?;
            Ok((format!("{server}/{name}"), Some(name)))
        }
    }
}

async fn drop_database(args: &Args, name: &str) -> anyhow::Result<()> {
    let admin = Database::connect(&args.postgres_admin_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    Ok(admin.close().await?)
}

/// Loads the messages in batches of 1,000, each batch one transaction, oldest first.
async fn load(
    db: &DatabaseConnection,
    args: &Args,
    rooms: &[Uuid],
    authors: &[Uuid],
) -> anyhow::Result<()> {
    let mut rng = Rng(fastrand::Rng::with_seed(args.seed));
    let start = Utc
        .with_ymd_and_hms(2024, 11, 1, 0, 0, 0)
        .single()
        .context("start date")?;
    let span_secs = 2 * 365 * 24 * 3600_i64;
    let mut seqs = vec![1_000_000_i64; rooms.len()];
    let batch = 1000;
    let mut done = 0;
    while done < args.messages {
        let n = batch.min(args.messages - done);
        let rows: Vec<messages::ActiveModel> = (0..n)
            .map(|i| {
                let room = rng.zipf(rooms.len());
                seqs[room] += 1;
                let body = rng.message();
                let at = start
                    + chrono::Duration::seconds(
                        span_secs * (done + i) as i64 / args.messages as i64,
                    );
                messages::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    room_id: Set(rooms[room]),
                    seq: Set(seqs[room]),
                    author_id: Set(Some(authors[rng.zipf(authors.len())])),
                    kind: Set("text".to_owned()),
                    search_text: Set(normalize(&body)),
                    body: Set(body),
                    reply_to: Set(None),
                    created_at: Set(at),
                    edited_at: Set(None),
                    deleted_at: Set(None),
                    deleted_by: Set(None),
                    // Shown as plain text, as messages from before Markdown are: the
                    // benchmark measures search, not rendering.
                    body_html: Set(None),
                    thread_id: Set(None),
                    also_to_room: Set(false),
                    thread_last_seq: Set(None),
                }
            })
            .collect();
        let txn = db.begin().await?;
        messages::Entity::insert_many(rows).exec(&txn).await?;
        txn.commit().await?;
        done += n;
        if done % 100_000 == 0 {
            eprintln!("  loaded {done}");
        }
    }
    Ok(())
}

/// Bytes the search index takes.
async fn index_bytes(db: &DatabaseConnection, backend: Backend) -> anyhow::Result<i64> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT CAST(SUM(pgsize) AS BIGINT) AS bytes FROM dbstat WHERE name LIKE 'messages_fts%'"
        }
        Backend::Postgres => {
            "SELECT (pg_relation_size('idx_messages_search') \
             + (SELECT SUM(pg_column_size(search_vector)) FROM messages))::BIGINT AS bytes"
        }
    };
    let row = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await?
        .context("no size")?;
    Ok(row.try_get::<i64>("", "bytes")?)
}

/// The query mix: what people type into a chat search box.
fn queries(
    n: usize,
    seed: u64,
    room_names: &[String],
    usernames: &[String],
) -> Vec<(&'static str, String)> {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x5eed);
    let pick = |rng: &mut fastrand::Rng, list: &[&str], head: usize| {
        list[rng.usize(..head.min(list.len()))].to_owned()
    };
    (0..n)
        .map(|i| match i % 11 {
            0 => ("common word", pick(&mut rng, PERSIAN, 10)),
            1 => (
                "rare word",
                pick(&mut rng, &PERSIAN[PERSIAN.len() - 30..], 30),
            ),
            2 => (
                "two words",
                format!(
                    "{} {}",
                    pick(&mut rng, ENGLISH, 40),
                    pick(&mut rng, ENGLISH, 40)
                ),
            ),
            3 => {
                let (_, arabic) = ARABIC_VARIANTS[rng.usize(..ARABIC_VARIANTS.len())];
                ("arabic spelling", arabic.to_owned())
            }
            4 => (
                "zwnj variant",
                ["میروم", "می روم", "نمیدانم", "کتابها", "کتاب ها"][rng.usize(..5)].to_owned(),
            ),
            5 => ("phrase from a message", remembered_phrase(seed, i)),
            10 => (
                "phrase of two random common words",
                format!(
                    "\"{} {}\"",
                    pick(&mut rng, PERSIAN, 5),
                    pick(&mut rng, PERSIAN, 5)
                ),
            ),
            6 => ("prefix", format!("{}*", &pick(&mut rng, ENGLISH, 60)[..3])),
            7 => (
                "exclusion",
                format!(
                    "{} -{}",
                    pick(&mut rng, ENGLISH, 20),
                    pick(&mut rng, ENGLISH, 20)
                ),
            ),
            8 => (
                "from: filter",
                format!(
                    "{} from:{}",
                    pick(&mut rng, PERSIAN, 30),
                    usernames[rng.usize(..usernames.len())]
                ),
            ),
            _ => (
                "in: filter",
                format!(
                    "{} in:\"{}\"",
                    pick(&mut rng, ENGLISH, 30),
                    room_names[rng.usize(..room_names.len())]
                ),
            ),
        })
        .collect()
}

/// Two adjacent words of a message like those in the history: what someone searching
/// for something they remember types in quotes.
fn remembered_phrase(seed: u64, i: usize) -> String {
    let mut rng = Rng(fastrand::Rng::with_seed(seed.wrapping_add(i as u64 * 7919)));
    loop {
        let message = rng.message();
        let words: Vec<&str> = message.split(' ').collect();
        let pair = words.windows(2).find(|pair| {
            pair.iter()
                .all(|w| w.chars().all(char::is_alphabetic) || w.contains('\u{200c}'))
        });
        if let Some(pair) = pair {
            return format!("\"{} {}\"", pair[0], pair[1]);
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // reqwest is built without a rustls provider (see `anjoman::infra::tls`).
    anjoman::infra::tls::install_provider();
    let mut args = Args::parse();
    let dir = tempfile::tempdir()?;
    let (database_url, pg_name) = fresh_database(&args, dir.path()).await?;
    args.server.database_url = Some(database_url.clone());
    let result = run(&args, &database_url).await;
    match pg_name {
        Some(_) if args.keep_database => println!("kept {database_url}"),
        Some(name) => drop_database(&args, &name).await?,
        None => {}
    }
    result
}

async fn run(args: &Args, database_url: &str) -> anyhow::Result<()> {
    let server = start_server(&args.server, &[]).await?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    let base = server.base.clone();

    // People and rooms through the API, so accounts and memberships are real.
    let mut tokens = Vec::new();
    let mut authors = Vec::new();
    let mut usernames = Vec::new();
    for i in 0..args.authors {
        let username = format!("user{i}");
        let body = api(
            &http,
            reqwest::Method::POST,
            format!("{base}/api/v1/auth/register"),
            None,
            json!({"username": username, "password": PASSWORD}),
        )
        .await?;
        tokens.push(body["access_token"].as_str().context("token")?.to_owned());
        authors.push(body["user"]["id"].as_str().context("id")?.parse::<Uuid>()?);
        usernames.push(username);
    }
    let searcher = tokens[0].clone();
    let mut rooms = Vec::new();
    let mut room_names = Vec::new();
    for i in 0..args.rooms {
        let name = if i % 2 == 0 {
            format!("team {i}")
        } else {
            format!("گروه {i}")
        };
        let visibility = if i % 3 == 0 { "private" } else { "public" };
        let room = api(
            &http,
            reqwest::Method::POST,
            format!("{base}/api/v1/rooms"),
            Some(&searcher),
            json!({"name": name, "visibility": visibility}),
        )
        .await?;
        rooms.push(room["id"].as_str().context("room id")?.parse::<Uuid>()?);
        room_names.push(name);
    }

    let db = Database::connect(database_url).await?;
    let started = Instant::now();
    load(&db, args, &rooms, &authors).await?;
    let optimize = match args.backend {
        Backend::Sqlite => "INSERT INTO messages_fts(messages_fts) VALUES ('optimize')",
        Backend::Postgres => "ANALYZE messages",
    };
    db.execute_unprepared(optimize).await?;
    let load_time = started.elapsed();
    let index = index_bytes(&db, args.backend).await?;
    db.close().await?;

    // Warm up, then one query at a time.
    let mix = queries(args.queries, args.seed, &room_names, &usernames);
    for (_, q) in mix.iter().take(20) {
        let _ = search(&http, &base, &searcher, q).await?;
    }
    let mut by_kind: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    let mut all = Vec::new();
    let mut slowest: Vec<(Duration, &str, &str)> = Vec::new();
    let mut empty = 0;
    for (kind, q) in &mix {
        let started = Instant::now();
        let hits = search(&http, &base, &searcher, q).await?;
        let took = started.elapsed();
        if hits == 0 {
            empty += 1;
        }
        by_kind.entry(kind).or_default().push(took);
        all.push(took);
        slowest.push((took, kind, q));
    }
    all.sort();
    println!(
        "backend={:?} messages={} rooms={} load={:.1}s index={:.1} MiB queries={} with_hits={}",
        args.backend,
        args.messages,
        args.rooms,
        load_time.as_secs_f64(),
        index as f64 / (1024.0 * 1024.0),
        mix.len(),
        mix.len() - empty,
    );
    println!("| kind | n | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|");
    for (kind, mut times) in by_kind {
        times.sort();
        println!(
            "| {kind} | {} | {:.1} | {:.1} | {:.1} |",
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 0.99)
        );
    }
    println!(
        "| all | {} | {:.1} | {:.1} | {:.1} |",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        percentile(&all, 0.99)
    );
    slowest.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    for (took, kind, q) in slowest.iter().take(args.show_slowest) {
        println!("slow: {:.1} ms  {kind}  {q}", took.as_secs_f64() * 1000.0);
    }
    server.stop().await;
    Ok(())
}

/// One search over HTTP; the number of hits.
async fn search(http: &reqwest::Client, base: &str, token: &str, q: &str) -> anyhow::Result<usize> {
    let q = percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC);
    let resp = http
        .get(format!("{base}/api/v1/search/messages?q={q}&limit=20"))
        .bearer_auth(token)
        .send()
        .await?;
    let status = resp.status();
    let body: Value = resp.json().await?;
    anyhow::ensure!(status.is_success(), "search {q:?}: {status} {body}");
    Ok(body["hits"].as_array().map_or(0, Vec::len))
}
