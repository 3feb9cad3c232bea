//! Rules about the code base itself.

use std::collections::BTreeSet;
use std::path::Path;

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
fn files_below(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(files_below(&path));
        } else {
            files.push(path);
        }
    }
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
