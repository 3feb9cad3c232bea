//! The embedded assets (CSS, JS, icons) and their versioned URLs: the
//! binary carries them, so the shop is one file that runs anywhere. Asset
//! URLs carry a content hash (`?v=…`), so a page always links the bytes
//! this binary serves. `web::assets` serves them.

use std::collections::HashMap;
use std::sync::OnceLock;

use rust_embed::{Embed, EmbeddedFile};

#[derive(Embed)]
#[folder = "static/"]
struct Static;

struct Asset {
    url: &'static str,
    version: String,
}

fn index() -> &'static HashMap<String, Asset> {
    static INDEX: OnceLock<HashMap<String, Asset>> = OnceLock::new();
    INDEX.get_or_init(|| {
        Static::iter()
            .filter_map(|name| {
                let file = Static::get(&name)?;
                let hash = file.metadata.sha256_hash();
                let version: String = hash[..6].iter().map(|b| format!("{b:02x}")).collect();
                let url: &'static str =
                    Box::leak(format!("/static/{name}?v={version}").into_boxed_str());
                Some((name.into_owned(), Asset { url, version }))
            })
            .collect()
    })
}

/// The versioned URL of an embedded asset (its plain path if unknown).
pub fn url(name: &str) -> &'static str {
    index().get(name).map_or("/static/missing", |a| a.url)
}

/// An embedded asset by its path, with its current version.
pub fn file(path: &str) -> Option<(EmbeddedFile, Option<&'static str>)> {
    let file = Static::get(path)?;
    Some((file, index().get(path).map(|a| a.version.as_str())))
}
