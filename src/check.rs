//! `webstore check`: audits the configuration an operator is about to run
//! and prints one line per finding. Any `FAIL` makes the command exit 1.
//!
//! May import: config, db, tls.

use std::fmt;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::config::{Settings, TlsSource};
use crate::db::Db;
use crate::tls;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub level: Level,
    pub subject: &'static str,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.level {
            Level::Ok => "ok  ",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        };
        write!(f, "{tag} {}: {}", self.subject, self.message)
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    fn push(&mut self, level: Level, subject: &'static str, message: impl Into<String>) {
        self.findings.push(Finding {
            level,
            subject,
            message: message.into(),
        });
    }

    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Fail)
    }
}

/// Runs every check; never panics, never changes anything.
pub async fn run(settings: &Settings) -> Report {
    let mut report = Report::default();
    check_data_dir(&settings.data_dir, &mut report);
    check_tls(&settings.tls, &mut report);
    check_database(settings, &mut report).await;
    if settings.public_origin.is_none() {
        report.push(
            Level::Warn,
            "public-origin",
            "not set: Origin checks and links use the bound address; set it behind a proxy or load balancer",
        );
    }
    report
}

fn mode_of(path: &Path) -> Option<u32> {
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

fn check_data_dir(dir: &Path, report: &mut Report) {
    match mode_of(dir) {
        None => report.push(
            Level::Fail,
            "data-dir",
            format!("{} does not exist", dir.display()),
        ),
        Some(mode) if mode & 0o002 != 0 => report.push(
            Level::Fail,
            "data-dir",
            format!("{} is world-writable (mode {mode:o})", dir.display()),
        ),
        Some(mode) if mode & 0o077 != 0 => report.push(
            Level::Warn,
            "data-dir",
            format!(
                "{} is readable by other users (mode {mode:o}); 700 is advised",
                dir.display()
            ),
        ),
        Some(mode) => report.push(
            Level::Ok,
            "data-dir",
            format!("{} (mode {mode:o})", dir.display()),
        ),
    }
}

fn check_tls(source: &TlsSource, report: &mut Report) {
    let (cert, key) = tls::files(source);
    match mode_of(&key) {
        None => report.push(
            Level::Fail,
            "tls-key",
            format!("{} is missing", key.display()),
        ),
        Some(mode) if mode & 0o077 != 0 => report.push(
            Level::Fail,
            "tls-key",
            format!(
                "{} is readable by group or others (mode {mode:o}); chmod 600 it",
                key.display()
            ),
        ),
        Some(mode) => report.push(
            Level::Ok,
            "tls-key",
            format!("{} (mode {mode:o})", key.display()),
        ),
    }
    match tls::cert_not_after(&cert) {
        Err(e) => report.push(Level::Fail, "tls-cert", format!("{e:#}")),
        Ok(not_after) => {
            let left = not_after - time::OffsetDateTime::now_utc();
            if left.is_negative() {
                report.push(
                    Level::Fail,
                    "tls-cert",
                    format!("{} has expired", cert.display()),
                );
            } else if left < tls::RENEW_BEFORE {
                let level = if matches!(source, TlsSource::SelfSigned { .. }) {
                    Level::Warn
                } else {
                    Level::Fail
                };
                report.push(
                    level,
                    "tls-cert",
                    format!("{} expires in {} days", cert.display(), left.whole_days()),
                );
            } else {
                report.push(
                    Level::Ok,
                    "tls-cert",
                    format!(
                        "{} valid for {} more days",
                        cert.display(),
                        left.whole_days()
                    ),
                );
            }
        }
    }
    if tls::server_config(source).is_err() && matches!(source, TlsSource::Files { .. }) {
        report.push(
            Level::Fail,
            "tls",
            "certificate and key cannot be loaded together",
        );
    }
}

async fn check_database(settings: &Settings, report: &mut Report) {
    let db = match tokio::time::timeout(std::time::Duration::from_secs(10), Db::connect(settings))
        .await
    {
        Ok(Ok(db)) => db,
        Ok(Err(e)) => {
            report.push(Level::Fail, "database", format!("unreachable: {e:#}"));
            return;
        }
        Err(_) => {
            report.push(Level::Fail, "database", "no answer within 10 s");
            return;
        }
    };
    match db.is_migrated().await {
        Ok(true) => report.push(Level::Ok, "database", "reachable, migrations applied"),
        Ok(false) => report.push(
            Level::Fail,
            "database",
            "reachable but not migrated: run `webstore migrate`",
        ),
        Err(e) => report.push(Level::Fail, "database", format!("query failed: {e}")),
    }
    db.close().await;
}
