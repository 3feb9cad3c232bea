//! Rules about the code base itself: the migration trees match, and the
//! module table of STYLE.md §1 holds (who may import whom, where sqlx, SQL
//! text, axum, askama and utoipa may appear, no cycles between top-level
//! modules, every `May import:` header true). The checker reads `src/` as
//! text, so it runs in milliseconds and needs no compiler internals.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn names(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .expect("migrations dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_migration_trees_carry_the_same_names() {
    let sqlite = names("migrations/sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("migrations/mysql"));
}

/// Every file below `dir`, folders opened.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(files_below(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn the_domain_knows_nothing_of_http_sql_or_templates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    let files = files_below(&dir);
    assert!(files.iter().any(|f| f.ends_with("account/email.rs")));
    for path in files {
        let text = std::fs::read_to_string(&path).expect("source");
        for banned in ["axum", "sqlx", "askama", "tower", "hyper"] {
            assert!(
                !text.contains(banned),
                "{} mentions {banned}",
                path.display()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The module table.

/// STYLE.md §1's "may import" column, crate modules only. `telemetry`,
/// `redis` and `frame` came after the table; their rows say where they sit.
const TABLE: &[(&str, &[&str])] = &[
    ("cli", &["config", "startup", "db", "check", "seed"]),
    ("config", &["domain"]),
    ("state", &["db", "auth", "live", "config"]),
    ("error", &["domain"]),
    ("domain", &[]),
    ("db", &["domain"]),
    ("auth", &["domain", "db"]),
    ("shop", &["domain", "db", "auth", "live"]),
    ("web", &["shop", "domain", "auth"]),
    ("api", &["shop", "domain", "auth"]),
    ("live", &["domain", "auth"]),
    ("uploads", &["domain", "db"]),
    ("http", &["error", "auth"]),
    ("tls", &["config", "db"]),
    ("ops", &["config", "db"]),
    ("check", &["config", "db"]),
    ("seed", &["config", "db"]),
    // Logging setup, read by the command line before anything else runs.
    ("telemetry", &["config"]),
    // The Redis connection: a leaf every Redis user shares.
    ("redis", &[]),
    // The page frame and embedded assets, below both web/ and error.rs.
    ("frame", &["domain"]),
];

/// Modules that may import every other one: they wire the app together.
const WIRING: &[&str] = &["startup"];

/// Where the rule bends, and why. Each entry must still be needed: a stale
/// one fails the test too.
#[rustfmt::skip]
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("cli", "telemetry", "logging starts before any command runs"),
    ("cli", "shop", "`admin create` registers through the same use case as the sign-up form"),
    ("cli", "domain", "`admin create` parses its arguments into domain types"),
    ("cli", "auth", "`admin create` opens the secret box the account use case needs"),
    ("db", "config", "connecting reads the database URL and pool settings"),
    ("error", "db", "`From<DbError>` classifies driver errors (busy, disk full) in one place"),
    ("error", "frame", "the error page is drawn in the shop's frame without touching the database"),
    ("auth", "error", "the extractors reject with `AppError`"),
    ("auth", "redis", "the Redis session store shares the one connection helper"),
    ("shop", "error", "use cases fail with `AppError`, which both twins render"),
    ("shop", "uploads", "images are sniffed and re-encoded before the product row changes"),
    ("web", "error", "handlers return `AppError`"),
    ("web", "state", "handlers take `State<AppState>`"),
    ("web", "http", "forms carry the CSRF token the http layer checks"),
    ("web", "uploads", "the upload form's size limit and served pictures"),
    ("web", "frame", "every page is drawn in the shop's frame"),
    ("api", "error", "handlers return `AppError` as problem+json"),
    ("api", "state", "handlers take `State<AppState>`"),
    ("api", "http", "the CSRF guard and rate limits on its routes, the browser secret for a visitor's cart"),
    ("api", "uploads", "thumbnail addresses"),
    ("live", "error", "the socket's upgrade rejects with `AppError`"),
    ("live", "http", "the socket checks the Origin and the browser secret like every unsafe request"),
    ("live", "redis", "the hub fans out through Redis between instances"),
    ("live", "db", "the socket finds its session's account through `auth::session`, which takes the `Db` handle"),
    ("http", "config", "limits and trusted proxies"),
    ("http", "redis", "rate budgets shared between instances"),
    ("ops", "error", "the metrics endpoint refuses with `AppError`"),
    ("ops", "http", "the metrics endpoint serves loopback clients only (the client address)"),
    ("ops", "state", "readiness pings the database through `AppState`"),
    ("check", "tls", "`webstore check` inspects the certificate"),
    ("seed", "domain", "the demo catalogue is built from domain values"),
    ("state", "http", "the rate limiters live in the state every handler shares"),
];

/// `May import:` lines left to whoever is changing that code now: the
/// file, the module its line leaves out, and why.
const HEADER_EXCEPTIONS: &[(&str, &str, &str)] = &[];

/// Outside crates that only some modules may use.
const CRATES: &[(&str, &[&str])] = &[
    ("sqlx", &["db"]),
    (
        "axum",
        &[
            "web", "api", "live", "auth", "uploads", "http", "ops", "tls", "error", "startup",
            // `AppState` implements axum's `FromRef` for each part handlers take.
            "state",
        ],
    ),
    ("askama", &["web", "error", "api", "frame"]),
    ("utoipa", &["api"]),
    ("utoipa_axum", &["api"]),
];

/// Text that is SQL, by its first words.
const SQL_STARTS: &[&str] = &["SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"];

// ---------------------------------------------------------------------------
// Reading source files.

/// One source file, as the checker sees it.
struct Source {
    /// Path below `src/`, e.g. `web/admin/mod.rs`.
    path: String,
    /// Module path, e.g. `["web", "admin"]`.
    module: Vec<String>,
    /// The crate paths it names, resolved from the crate root.
    imports: Vec<Vec<String>>,
    /// Outside crates it names as a path root.
    crates: BTreeSet<String>,
    /// String literals that read as SQL.
    sql: Vec<String>,
    /// The `May import:` line of its `//!` header, if any.
    may_import: Option<String>,
}

fn module_of(path: &str) -> Vec<String> {
    let mut parts: Vec<String> = path
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_owned)
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

#[derive(Debug, PartialEq)]
enum Token {
    Ident(String),
    Punct(&'static str),
}

/// Splits code into identifiers and the punctuation paths use; drops
/// comments, collects string literals apart.
fn lex(text: &str) -> (Vec<Token>, Vec<String>) {
    let c: Vec<char> = text.chars().collect();
    let (mut tokens, mut strings) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '/' if at(&c, i + 1) == '/' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(&c, i + 1) == '*' => {
                let mut depth = 0;
                loop {
                    if i >= c.len() {
                        break;
                    } else if c[i] == '/' && at(&c, i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && at(&c, i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            '"' => {
                let start = i + 1;
                i += 1;
                while i < c.len() && c[i] != '"' {
                    i += if c[i] == '\\' { 2 } else { 1 };
                }
                strings.push(c[start..i.min(c.len())].iter().collect());
                i += 1;
            }
            'r' | 'b' if is_raw_string(&c, i) => {
                while c[i] != '#' && c[i] != '"' {
                    i += 1;
                }
                let hashes = c[i..].iter().take_while(|&&h| h == '#').count();
                i += hashes + 1;
                let start = i;
                let close: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                while i < c.len() && !c[i..].iter().take(close.len()).copied().eq(close.chars()) {
                    i += 1;
                }
                strings.push(c[start..i.min(c.len())].iter().collect());
                i += close.len();
            }
            '\'' => {
                // A char literal ('x', '\n', '"'); otherwise a lifetime.
                if at(&c, i + 1) == '\\' {
                    i += 2;
                    while i < c.len() && c[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(&c, i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            ch if ch.is_alphabetic() || ch == '_' => {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                tokens.push(Token::Ident(c[start..i].iter().collect()));
            }
            ':' if at(&c, i + 1) == ':' => {
                tokens.push(Token::Punct("::"));
                i += 2;
            }
            ch => {
                for p in ["{", "}", ",", ".", "*", ";"] {
                    if p.starts_with(ch) {
                        tokens.push(Token::Punct(p));
                    }
                }
                if !"{},.*;".contains(ch) && !ch.is_whitespace() {
                    tokens.push(Token::Punct("other"));
                }
                i += 1;
            }
        }
    }
    (tokens, strings)
}

fn at(c: &[char], i: usize) -> char {
    c.get(i).copied().unwrap_or('\0')
}

fn is_raw_string(c: &[char], i: usize) -> bool {
    if i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_') {
        return false;
    }
    let mut j = i;
    if c[j] == 'b' {
        j += 1;
        if c.get(j) == Some(&'"') {
            return true;
        }
    }
    if c.get(j) != Some(&'r') {
        return false;
    }
    j += 1;
    while c.get(j) == Some(&'#') {
        j += 1;
    }
    c.get(j) == Some(&'"')
}

/// Reads the path tree starting at `tokens[i]` (just after a `::`), each
/// leaf appended to `prefix`; grouped `{a, b::c}` trees open up.
fn path_tree(
    tokens: &[Token],
    mut i: usize,
    prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    let mut path = prefix;
    loop {
        match tokens.get(i) {
            Some(Token::Ident(name)) => {
                path.push(name.clone());
                i += 1;
                if tokens.get(i) == Some(&Token::Punct("::")) {
                    i += 1;
                    continue;
                }
                out.push(path);
                return i;
            }
            Some(Token::Punct("{")) => {
                i += 1;
                while i < tokens.len() && tokens[i] != Token::Punct("}") {
                    if tokens[i] == Token::Punct(",") {
                        i += 1;
                        continue;
                    }
                    let next = path_tree(tokens, i, path.clone(), out);
                    i = if next == i { i + 1 } else { next };
                    // `x as y`: the alias is no path.
                    if tokens.get(i) == Some(&Token::Ident("as".into())) {
                        i += 2;
                    }
                }
                return i + 1;
            }
            _ => {
                // `crate::*` or a dangling `::`: what is there so far counts.
                if !path.is_empty() {
                    out.push(path);
                }
                return i;
            }
        }
    }
}

/// Resolves every `crate::…` and `super::…` path of a file from the crate
/// root; `self::` and plain relative paths stay inside the module.
fn crate_paths(tokens: &[Token], module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut module = module.to_vec();
    // Inline `mod name { … }` blocks, by the brace depth they close at.
    let (mut depth, mut inline) = (0usize, Vec::new());
    let mut i = 0;
    while i < tokens.len() {
        let after_sep = i > 0 && matches!(tokens[i - 1], Token::Punct("::") | Token::Punct("."));
        match &tokens[i] {
            Token::Ident(w) if w == "mod" && tokens.get(i + 2) == Some(&Token::Punct("{")) => {
                if let Some(Token::Ident(name)) = tokens.get(i + 1) {
                    module.push(name.clone());
                    inline.push(depth);
                }
                depth += 1;
                i += 3;
            }
            Token::Punct("{") => {
                depth += 1;
                i += 1;
            }
            Token::Punct("}") => {
                depth = depth.saturating_sub(1);
                if inline.last() == Some(&depth) {
                    inline.pop();
                    module.pop();
                }
                i += 1;
            }
            Token::Ident(w)
                if w == "crate" && !after_sep && tokens.get(i + 1) == Some(&Token::Punct("::")) =>
            {
                i = path_tree(tokens, i + 2, Vec::new(), &mut out);
            }
            Token::Ident(w) if w == "super" && !after_sep => {
                let mut base = module.clone();
                while tokens.get(i) == Some(&Token::Ident("super".into()))
                    && tokens.get(i + 1) == Some(&Token::Punct("::"))
                {
                    base.pop();
                    i += 2;
                }
                i = path_tree(tokens, i, base, &mut out);
            }
            _ => i += 1,
        }
    }
    out
}

/// The `May import:` text of a file's `//!` header, continuation lines
/// joined, up to the end of that paragraph.
fn may_import(text: &str) -> Option<String> {
    let header: Vec<&str> = text
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.trim_start_matches("//!").trim())
        .collect();
    let start = header.iter().position(|l| l.starts_with("May import:"))?;
    let mut joined = String::new();
    for line in header[start..].iter().take_while(|l| !l.is_empty()) {
        joined.push_str(line);
        joined.push(' ');
    }
    Some(joined.trim_start_matches("May import:").trim().to_owned())
}

fn read(path: &str, text: &str) -> Source {
    let module = module_of(path);
    let (tokens, strings) = lex(text);
    let imports = crate_paths(&tokens, &module);
    let mut crates = BTreeSet::new();
    for (i, t) in tokens.iter().enumerate() {
        if let Token::Ident(name) = t {
            let after_sep =
                i > 0 && matches!(tokens[i - 1], Token::Punct("::") | Token::Punct("."));
            if !after_sep && CRATES.iter().any(|(c, _)| c == name) {
                crates.insert(name.clone());
            }
        }
    }
    let sql = strings
        .into_iter()
        .filter(|s| SQL_STARTS.iter().any(|k| s.trim_start().starts_with(k)))
        .collect();
    Source {
        path: path.to_owned(),
        module,
        imports,
        crates,
        sql,
        may_import: may_import(text),
    }
}

// ---------------------------------------------------------------------------
// The checks.

fn top(source: &Source) -> &str {
    source.module.first().map_or("", String::as_str)
}

/// Top-level module → the top-level modules it imports, each with the first
/// file that does so.
fn graph(sources: &[Source]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let known = known(sources);
    for s in sources {
        let from = top(s);
        if from.is_empty() {
            continue;
        }
        let entry = graph.entry(from.to_owned()).or_default();
        for target in s.imports.iter().filter_map(|p| p.first()) {
            if target != from && known.contains(target) {
                entry
                    .entry(target.clone())
                    .or_insert_with(|| s.path.clone());
            }
        }
    }
    graph
}

/// A cycle through the graph, as `a → b → … → a`, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeMap<String, String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flat_map(BTreeMap::keys) {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// The crate modules a `May import:` text names; explanations in brackets
/// are skipped, `shop::cart` counts as `shop`.
fn named_modules(text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut plain = String::new();
    let mut depth = 0;
    for ch in text.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 => plain.push(ch),
            _ => {}
        }
    }
    if plain.contains("everything") {
        return known.clone();
    }
    plain
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .filter_map(|w| w.trim_start_matches("crate::").split("::").next())
        .filter(|w| known.contains(*w))
        .map(str::to_owned)
        .collect()
}

/// Every broken rule, one sentence each.
fn violations(sources: &[Source]) -> Vec<String> {
    let mut found = Vec::new();
    let graph = graph(sources);
    let table: BTreeMap<&str, &[&str]> = TABLE.iter().copied().collect();

    for s in sources {
        let module = top(s);
        for (krate, allowed) in CRATES {
            if s.crates.contains(*krate) && !allowed.contains(&module) {
                found.push(format!(
                    "{} uses {krate}, which belongs in {}",
                    s.path,
                    allowed.join(", ")
                ));
            }
        }
        if module != "db" {
            for sql in &s.sql {
                let first = sql.lines().next().unwrap_or_default();
                found.push(format!("{} holds SQL outside db/: {first:?}", s.path));
            }
        }
    }

    for (from, targets) in &graph {
        for (to, file) in targets {
            if WIRING.contains(&from.as_str()) || excused(from, to) {
                continue;
            }
            let twins = ["web", "api", "live"];
            if twins.contains(&from.as_str()) && twins.contains(&to.as_str()) {
                found.push(format!(
                    "{file}: {from} imports {to}; web, api and live never import each other"
                ));
            } else if from == "error" && to == "web" {
                found.push(format!(
                    "{file}: error imports web; the error page must not need the pages"
                ));
            } else if !table.contains_key(from.as_str()) {
                found.push(format!("{from} has no row in the module table"));
            } else if !table[from.as_str()].contains(&to.as_str()) {
                found.push(format!(
                    "{file}: {from} imports {to}, which its row does not allow"
                ));
            }
        }
    }

    if let Some(cycle) = find_cycle(&graph) {
        let steps: Vec<String> = cycle
            .windows(2)
            .map(|w| format!("{} → {} ({})", w[0], w[1], graph[&w[0]][&w[1]]))
            .collect();
        found.push(format!("import cycle: {}", steps.join(", ")));
    }

    found.extend(header_violations(sources));
    found
}

/// The top-level modules: those in the tree and those the table names.
fn known(sources: &[Source]) -> BTreeSet<String> {
    let rows = TABLE.iter().map(|(m, _)| *m).chain(WIRING.iter().copied());
    sources
        .iter()
        .map(top)
        .chain(rows)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

fn excused(from: &str, to: &str) -> bool {
    EXCEPTIONS.iter().any(|(f, t, _)| *f == from && *t == to)
}

/// Exceptions no import needs any more: each one must keep earning its place.
fn stale_exceptions(sources: &[Source]) -> Vec<String> {
    let graph = graph(sources);
    let imports = |from: &str, to: &str| graph.get(from).is_some_and(|t| t.contains_key(to));
    let mut stale: Vec<String> = EXCEPTIONS
        .iter()
        .filter(|(from, to, _)| !imports(from, to))
        .map(|(from, to, why)| format!("the exception {from} → {to} ({why}) is no longer needed"))
        .collect();
    for (path, to, why) in HEADER_EXCEPTIONS {
        let still = sources.iter().any(|s| {
            s.path == *path
                && s.may_import
                    .as_deref()
                    .is_some_and(|h| !named_modules(h, &known(sources)).contains(*to))
                && imports(top(s), to)
        });
        if !still {
            stale.push(format!(
                "the header exception {path} → {to} ({why}) is no longer needed"
            ));
        }
    }
    stale
}

/// Each `May import:` header against the imports of the files it speaks
/// for: its own file and, for a folder's `mod.rs`, the files below without
/// a header of their own. Every module root needs one.
fn header_violations(sources: &[Source]) -> Vec<String> {
    let mut found = Vec::new();
    let known = known(sources);
    let imports_of = |s: &Source| -> BTreeSet<String> {
        s.imports
            .iter()
            .filter_map(|p| p.first())
            .filter(|t| *t != top(s) && known.contains(*t))
            .cloned()
            .collect()
    };
    for s in sources {
        if s.module.len() == 1 && s.may_import.is_none() {
            found.push(format!("{} has no `May import:` line", s.path));
        }
        let Some(header) = &s.may_import else {
            continue;
        };
        let named = named_modules(header, &known);
        let below = |o: &Source| {
            o.module.len() > s.module.len()
                && o.module.starts_with(&s.module)
                && s.path.ends_with("mod.rs")
        };
        let mut speaks_for = imports_of(s);
        let mut subtree = imports_of(s);
        for other in sources.iter().filter(|o| below(o)) {
            subtree.extend(imports_of(other));
            // Nearest header wins: a file below speaks for itself if it has one,
            // and so does everything under a folder whose mod.rs has one.
            let covered = !sources.iter().any(|mid| {
                mid.may_import.is_some()
                    && mid.module.len() > s.module.len()
                    && other.module.starts_with(&mid.module)
                    && (mid.path == other.path || mid.path.ends_with("mod.rs"))
            });
            if covered {
                speaks_for.extend(imports_of(other));
            }
        }
        for missing in speaks_for.difference(&named) {
            if HEADER_EXCEPTIONS
                .iter()
                .any(|(p, m, _)| *p == s.path && m == missing)
            {
                continue;
            }
            found.push(format!(
                "{}: imports {missing}, which its `May import:` line does not name",
                s.path
            ));
        }
        for unused in named.difference(&subtree) {
            // "everything below it" is the wiring's line; what it names is
            // the whole table, not a list to check against.
            if unused != top(s) && !header.contains("everything") {
                found.push(format!(
                    "{}: `May import:` names {unused}, which it never imports",
                    s.path
                ));
            }
        }
    }
    found
}

fn the_tree() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    files_below(&root)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| !p.ends_with("main.rs") && !p.ends_with("lib.rs"))
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .expect("below src")
                .to_string_lossy()
                .replace('\\', "/");
            read(&rel, &std::fs::read_to_string(&p).expect("source"))
        })
        .collect()
}

#[test]
fn the_module_table_holds() {
    let tree = the_tree();
    assert!(tree.len() > 50, "read {} files", tree.len());
    let graph = graph(&tree);
    assert!(
        graph["web"].contains_key("shop"),
        "the reader sees web → shop"
    );
    let mut found = violations(&tree);
    found.extend(stale_exceptions(&tree));
    assert!(
        found.is_empty(),
        "the module table is broken:\n{}",
        found.join("\n")
    );
}

// ---------------------------------------------------------------------------
// The checker on small made-up trees, so a broken rule is known to fail.

fn assert_reported(found: &[String], text: &str) {
    assert!(
        found.iter().any(|f| f.contains(text)),
        "{text:?} missing from {found:#?}"
    );
}

fn tree(files: &[(&str, &str)]) -> Vec<Source> {
    files.iter().map(|(p, t)| read(p, t)).collect()
}

#[test]
fn the_reader_resolves_grouped_inline_and_super_paths() {
    let s = read(
        "web/admin/orders.rs",
        "use crate::{db, shop::{cart, orders::Order as O}};\n\
         // crate::ignored in a comment\n\
         const S: &str = \"crate::in_a_string\";\n\
         fn f() { let x = crate::auth::user(); let c = '\"'; super::super::super::state::x(); }\n\
         use super::chrome;\n",
    );
    let tops: BTreeSet<&str> = s
        .imports
        .iter()
        .filter_map(|p| p.first())
        .map(String::as_str)
        .collect();
    assert_eq!(tops, BTreeSet::from(["auth", "db", "shop", "state", "web"]));
    assert!(
        s.imports
            .contains(&vec!["shop".into(), "orders".into(), "Order".into()])
    );
    assert!(
        s.imports
            .contains(&vec!["web".into(), "admin".into(), "chrome".into()])
    );
}

#[test]
fn web_importing_db_is_reported() {
    let found = violations(&tree(&[
        (
            "web/mod.rs",
            "//! Pages.\n//!\n//! May import: shop.\nuse crate::shop;\n",
        ),
        ("web/cart.rs", "use crate::db::carts;\n"),
        (
            "shop/mod.rs",
            "//! Use cases.\n//!\n//! May import: domain.\n",
        ),
        ("db/mod.rs", "//! SQL.\n//!\n//! May import: domain.\n"),
    ]));
    assert_reported(&found, "web imports db, which its row does not allow");
    assert_reported(
        &found,
        "web/mod.rs: imports db, which its `May import:` line",
    );
}

#[test]
fn twins_importing_each_other_sql_and_crates_out_of_place_are_reported() {
    let found = violations(&tree(&[
        ("api/mod.rs", "//! May import: nothing.\n"),
        (
            "web/mod.rs",
            "//! May import: api.\nuse askama::Template;\nuse crate::api::Doc;\n",
        ),
        (
            "shop/mod.rs",
            "//! May import: nothing.\nconst Q: &str = r#\"SELECT id FROM x\"#;\nfn f(e: sqlx::Error) {}\n",
        ),
        (
            "domain/mod.rs",
            "//! May import: nothing.\nuse axum::Json;\n",
        ),
    ]));
    for expected in [
        "web imports api; web, api and live never import each other",
        "shop/mod.rs holds SQL outside db/",
        "shop/mod.rs uses sqlx",
        "domain/mod.rs uses axum",
    ] {
        assert_reported(&found, expected);
    }
    assert!(
        !found.iter().any(|f| f.contains("web/mod.rs uses askama")),
        "{found:#?}"
    );
}

#[test]
fn a_cycle_is_reported_with_its_path() {
    let found = violations(&tree(&[
        (
            "error.rs",
            "//! May import: web.\nuse crate::web::chrome::Chrome;\n",
        ),
        (
            "web/mod.rs",
            "//! May import: shop.\nuse crate::shop::cart;\n",
        ),
        (
            "shop/mod.rs",
            "//! May import: error.\nfn f() -> crate::error::AppError { todo!() }\n",
        ),
    ]));
    let cycle = found
        .iter()
        .find(|f| f.starts_with("import cycle"))
        .expect("a cycle");
    assert!(cycle.contains("error → web (error.rs)"), "{cycle}");
    assert!(cycle.contains("shop → error (shop/mod.rs)"), "{cycle}");
    assert_reported(&found, "error imports web; the error page");
}

#[test]
fn headers_that_name_too_little_or_too_much_are_reported() {
    let found = violations(&tree(&[
        (
            "shop/mod.rs",
            "//! Use cases.\n//!\n//! May import: domain, db (all SQL),\n//! auth.\nuse crate::domain::Id;\n",
        ),
        ("shop/cart.rs", "use crate::live::Hub;\n"),
        (
            "shop/orders.rs",
            "//! May import: domain.\nuse crate::domain::Id;\n",
        ),
        ("state.rs", "//! `AppState`.\nuse crate::shop;\n"),
    ]));
    assert_reported(
        &found,
        "shop/mod.rs: imports live, which its `May import:` line does not name",
    );
    assert_reported(
        &found,
        "shop/mod.rs: `May import:` names db, which it never imports",
    );
    assert_reported(&found, "state.rs has no `May import:` line");
    assert!(
        !found.iter().any(|f| f.starts_with("shop/orders.rs")),
        "{found:#?}"
    );
}
