//! Catalogue values: category slugs, search terms, page numbers, stock.

/// Products per catalogue page.
pub const PAGE_SIZE: u32 = 24;

/// Why a catalogue query parameter was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("unknown category")]
    BadSlug,
    #[error("search terms may be at most {max} characters", max = SearchQuery::MAX_CHARS)]
    SearchTooLong,
    #[error("search terms may not contain control characters")]
    SearchControl,
    #[error("page must be a number from 1 to {max}", max = PageNumber::MAX)]
    BadPage,
    #[error("stock must be between 0 and {max}", max = Stock::MAX)]
    BadStock,
}

/// A category's URL name: 1–64 of `a-z`, `0-9` and inner `-`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CategorySlug(String);

impl CategorySlug {
    pub fn parse(text: &str) -> Result<Self, CatalogueError> {
        let ok = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(CatalogueError::BadSlug)
        }
    }
}

text_value!(CategorySlug);

/// What a shopper typed into the search box: trimmed, at most
/// [`Self::MAX_CHARS`] characters, split into at most [`Self::MAX_TERMS`]
/// lower-cased words that must all appear (in name or description).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    text: String,
    terms: Vec<String>,
}

impl SearchQuery {
    pub const MAX_CHARS: usize = 100;
    pub const MAX_TERMS: usize = 8;

    /// `Ok(None)` for an empty or blank query.
    pub fn parse(text: &str) -> Result<Option<Self>, CatalogueError> {
        let text = text.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return Err(CatalogueError::SearchTooLong);
        }
        if text.chars().any(char::is_control) {
            return Err(CatalogueError::SearchControl);
        }
        if text.is_empty() {
            return Ok(None);
        }
        let mut terms: Vec<String> = Vec::new();
        for word in text.split_whitespace().map(str::to_lowercase) {
            if !terms.contains(&word) && terms.len() < Self::MAX_TERMS {
                terms.push(word);
            }
        }
        Ok(Some(Self {
            text: text.to_owned(),
            terms,
        }))
    }

    /// The query as typed (trimmed), for showing it back.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Lower-cased words, each to be matched literally.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }
}

/// Which products a listing shows: the `q` and `category` of the home page
/// and of `GET /api/v1/products` alike.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CatalogueFilter {
    pub search: Option<SearchQuery>,
    pub category: Option<CategorySlug>,
}

impl CatalogueFilter {
    /// A `category` parameter: absent or empty means every category.
    pub fn parse_category(text: Option<&str>) -> Result<Option<CategorySlug>, CatalogueError> {
        text.filter(|t| !t.is_empty())
            .map(CategorySlug::parse)
            .transpose()
    }
}

/// The text products are searched in: name and description, lower-cased the
/// same way as [`SearchQuery`] terms.
pub fn search_text(name: &str, description: &str) -> String {
    format!("{} {}", name.to_lowercase(), description.to_lowercase())
}

/// A 1-based page number of a listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PageNumber(u32);

impl PageNumber {
    pub const FIRST: Self = Self(1);
    /// Far beyond any real catalogue; keeps OFFSET arithmetic small.
    pub const MAX: u32 = 10_000;

    pub fn parse(text: &str) -> Result<Self, CatalogueError> {
        let text = text.trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CatalogueError::BadPage);
        }
        match text.parse::<u32>() {
            Ok(n) if (1..=Self::MAX).contains(&n) => Ok(Self(n)),
            _ => Err(CatalogueError::BadPage),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// Rows to skip before this page.
    pub fn offset(self, page_size: u32) -> i64 {
        i64::from(self.0 - 1) * i64::from(page_size)
    }

    /// Number of pages for `total` items (at least one, even when empty).
    pub fn count_for(total: i64, page_size: u32) -> u32 {
        let pages = (total.max(0) + i64::from(page_size) - 1) / i64::from(page_size);
        u32::try_from(pages.max(1)).unwrap_or(u32::MAX)
    }
}

/// Units on hand: 0 ..= [`Self::MAX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stock(i64);

impl Stock {
    pub const MAX: i64 = 1_000_000;
    /// At or below this many units a shopper is told stock is low.
    pub const LOW: i64 = 5;

    pub fn new(units: i64) -> Result<Self, CatalogueError> {
        if (0..=Self::MAX).contains(&units) {
            Ok(Self(units))
        } else {
            Err(CatalogueError::BadStock)
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }

    pub fn is_sold_out(self) -> bool {
        self.0 == 0
    }

    /// "In stock", "Only 3 left" or "Sold out".
    pub fn label(self) -> String {
        match self.0 {
            0 => "Sold out".to_owned(),
            n if n <= Self::LOW => format!("Only {n} left"),
            _ => "In stock".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_with_dashes() {
        assert!(CategorySlug::parse("home-and-garden").is_ok());
        for bad in [
            "",
            "-a",
            "a-",
            "Kitchen",
            "a b",
            "a/b",
            "../x",
            &"a".repeat(65),
        ] {
            assert!(CategorySlug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_empty_category_means_all_and_a_bad_one_is_refused() {
        assert_eq!(CatalogueFilter::parse_category(None), Ok(None));
        assert_eq!(CatalogueFilter::parse_category(Some("")), Ok(None));
        assert_eq!(
            CatalogueFilter::parse_category(Some("kitchen")),
            CategorySlug::parse("kitchen").map(Some)
        );
        assert_eq!(
            CatalogueFilter::parse_category(Some("../x")),
            Err(CatalogueError::BadSlug)
        );
    }

    #[test]
    fn search_splits_lowercases_and_bounds_terms() {
        assert_eq!(SearchQuery::parse("   "), Ok(None));
        let q = SearchQuery::parse("  Linen SHIRT linen ")
            .expect("ok")
            .expect("some");
        assert_eq!(q.text(), "Linen SHIRT linen");
        assert_eq!(q.terms(), ["linen", "shirt"]);
        let q = SearchQuery::parse("CAFÉ").expect("ok").expect("some");
        assert_eq!(q.terms(), ["café"]);
        let many = (0..20)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            SearchQuery::parse(&many)
                .expect("ok")
                .expect("some")
                .terms()
                .len(),
            SearchQuery::MAX_TERMS
        );
        assert_eq!(
            SearchQuery::parse(&"x".repeat(101)),
            Err(CatalogueError::SearchTooLong)
        );
        assert!(SearchQuery::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            SearchQuery::parse("a\0b"),
            Err(CatalogueError::SearchControl)
        );
    }

    #[test]
    fn pages_are_bounded_and_offsets_follow() {
        assert_eq!(PageNumber::parse("1"), Ok(PageNumber::FIRST));
        assert_eq!(PageNumber::parse("3").map(|p| p.offset(24)), Ok(48));
        for bad in ["0", "-1", "", "x", "10001", "99999999999999999999", "1.5"] {
            assert!(PageNumber::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(PageNumber::count_for(0, 24), 1);
        assert_eq!(PageNumber::count_for(24, 24), 1);
        assert_eq!(PageNumber::count_for(25, 24), 2);
    }

    #[test]
    fn stock_labels() {
        assert_eq!(Stock::new(0).map(Stock::label), Ok("Sold out".to_owned()));
        assert_eq!(
            Stock::new(3).map(Stock::label),
            Ok("Only 3 left".to_owned())
        );
        assert_eq!(Stock::new(40).map(Stock::label), Ok("In stock".to_owned()));
        assert!(Stock::new(-1).is_err());
    }
}
