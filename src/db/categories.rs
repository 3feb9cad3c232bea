//! Categories: the navigation of the catalogue.

use super::{Connection, DbError, inserted_id, now};
use crate::domain::CategorySlug;
use crate::domain::ids::CategoryId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CategoryRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// A category as the rest of the shop sees it.
#[derive(Debug, Clone)]
pub struct Category {
    pub id: CategoryId,
    pub slug: CategorySlug,
    pub name: String,
    pub description: String,
}

impl TryFrom<CategoryRow> for Category {
    type Error = DbError;
    fn try_from(row: CategoryRow) -> Result<Self, DbError> {
        Ok(Self {
            id: CategoryId::try_from(row.id).map_err(|e| decode("categories.id", e))?,
            slug: CategorySlug::parse(&row.slug).map_err(|e| decode("categories.slug", e))?,
            name: row.name,
            description: row.description,
        })
    }
}

pub(crate) fn decode(
    column: &str,
    error: impl std::error::Error + Send + Sync + 'static,
) -> DbError {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: Box::new(error),
    }
}

const LIST_CATEGORIES: &str = "\
SELECT id, slug, name, description
FROM categories
ORDER BY position, name";

pub async fn list_categories(conn: &mut Connection) -> Result<Vec<Category>, DbError> {
    sqlx::query_as::<_, CategoryRow>(LIST_CATEGORIES)
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(Category::try_from)
        .collect()
}

const FIND_CATEGORY_BY_SLUG: &str = "\
SELECT id, slug, name, description
FROM categories
WHERE slug = ?";

pub async fn find_category_by_slug(
    conn: &mut Connection,
    slug: &CategorySlug,
) -> Result<Option<Category>, DbError> {
    sqlx::query_as::<_, CategoryRow>(FIND_CATEGORY_BY_SLUG)
        .bind(slug.as_str())
        .fetch_optional(conn)
        .await?
        .map(Category::try_from)
        .transpose()
}

const INSERT_CATEGORY: &str = "\
INSERT INTO categories (slug, name, description, position, created_at)
VALUES (?, ?, ?, ?, ?)";

pub async fn insert_category(
    conn: &mut Connection,
    slug: &CategorySlug,
    name: &str,
    description: &str,
    position: i64,
) -> Result<CategoryId, DbError> {
    let result = sqlx::query(INSERT_CATEGORY)
        .bind(slug.as_str())
        .bind(name)
        .bind(description)
        .bind(position)
        .bind(now())
        .execute(&mut *conn)
        .await?;
    CategoryId::try_from(inserted_id(conn, &result).await?).map_err(|e| decode("categories.id", e))
}
