//! The command line, run as a real process.

use std::process::{Command, Output, Stdio};

use crate::helpers::binary;

fn run(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(binary());
    cmd.current_dir(dir).args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("WEBSTORE_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run webstore")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn help_documents_every_setting() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(dir.path(), &["--help"], &[]);
    assert!(out.status.success());
    let text = stdout(&out);
    for flag in [
        "--bind",
        "--http-bind",
        "--database-url",
        "--redis-url",
        "--data-dir",
        "--tls-cert",
        "--tls-key",
        "--public-origin",
        "--log-format",
        "WEBSTORE_BIND",
        "serve",
        "migrate",
        "seed-demo",
        "check",
    ] {
        assert!(text.contains(flag), "--help mentions {flag}");
    }
}

#[test]
fn bad_configuration_is_one_clear_line_and_exit_code_2() {
    let dir = tempfile::tempdir().expect("dir");
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case<'_>] = &[
        (&["serve", "--bind", "not-an-address"], &[], "bind"),
        (
            &["serve", "--database-url", "postgres://localhost/shop"],
            &[],
            "database-url",
        ),
        (&["serve", "--log-format", "xml"], &[], "log-format"),
        (
            &["serve", "--public-origin", "http://shop.example"],
            &[],
            "public-origin",
        ),
        (
            &["serve"],
            &[("WEBSTORE_HTTP_BIND", "nope:80")],
            "http-bind",
        ),
        (
            &["serve", "--trusted-proxies", "0.0.0.0/0"],
            &[],
            "trusted-proxies",
        ),
        (
            &["serve"],
            &[("WEBSTORE_TRUSTED_PROXIES", "10.0.0.0/8, lb.example")],
            "lb.example",
        ),
        (
            &[
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--http-bind",
                "off",
                "--tls-cert",
                "/nonexistent/cert.pem",
                "--tls-key",
                "/nonexistent/key.pem",
            ],
            &[],
            "/nonexistent/cert.pem",
        ),
    ];
    for (args, env, mention) in cases {
        let out = run(dir.path(), args, env);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(mention), "{args:?} names {mention}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    std::fs::write(
        dir.path().join("webstore.toml"),
        "bindd = \"127.0.0.1:1\"\n",
    )
    .expect("toml");
    let out = run(dir.path(), &["migrate"], &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "unknown key in webstore.toml: {}",
        stderr(&out)
    );
}

#[test]
fn flags_beat_environment_which_beats_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("webstore.toml"),
        "data_dir = \"from-file\"\n",
    )
    .expect("toml");
    let shown = |out: &Output, want: &str| stdout(out).contains(&format!("data-dir: {want}"));
    let out = run(dir.path(), &["check"], &[]);
    assert!(shown(&out, "from-file"), "{}", stdout(&out));
    let out = run(dir.path(), &["check"], &[("WEBSTORE_DATA_DIR", "from-env")]);
    assert!(shown(&out, "from-env"), "{}", stdout(&out));
    let out = run(
        dir.path(),
        &["check", "--data-dir", "from-flag"],
        &[("WEBSTORE_DATA_DIR", "from-env")],
    );
    assert!(shown(&out, "from-flag"), "{}", stdout(&out));
}

/// One setting of each kind, given a bad value in one layer and a good one
/// in another: the run refuses the configuration (exit 2) exactly when the
/// bad value is in the layer that wins.
#[test]
fn every_kind_of_setting_takes_the_flag_over_the_environment_over_the_file() {
    struct Case {
        flag: &'static str,
        /// The message that names the bad value.
        names: &'static str,
        /// As written in the file.
        bad_toml: &'static str,
        good_toml: &'static str,
        /// As written in the environment or on the command line.
        bad: &'static str,
        good: &'static str,
    }
    let cases = [
        Case {
            flag: "log-format",
            names: "log-format",
            bad_toml: "\"xml\"",
            good_toml: "\"json\"",
            bad: "xml",
            good: "json",
        },
        Case {
            flag: "metrics-token",
            names: "metrics-token",
            bad_toml: "\"short\"",
            good_toml: "\"sixteen-characters-or-more\"",
            bad: "short",
            good: "sixteen-characters-or-more",
        },
        Case {
            flag: "max-body-bytes",
            names: "max-body-bytes",
            bad_toml: "10",
            good_toml: "2048",
            bad: "10",
            good: "2048",
        },
        Case {
            flag: "max-connections",
            names: "max-connections",
            bad_toml: "0",
            good_toml: "8",
            bad: "0",
            good: "8",
        },
        Case {
            flag: "auth-rate-per-minute",
            names: "rate limits",
            bad_toml: "0",
            good_toml: "5",
            bad: "0",
            good: "5",
        },
    ];
    for case in cases {
        let dir = tempfile::tempdir().expect("dir");
        let key = case.flag.replace('-', "_");
        let var = format!("WEBSTORE_{}", key.to_ascii_uppercase());
        let flag = format!("--{}", case.flag);
        let file = |value: &str| {
            std::fs::write(
                dir.path().join("webstore.toml"),
                format!("{key} = {value}\n"),
            )
            .expect("toml");
        };
        let refused = |args: &[&str], env: &[(&str, &str)]| {
            let out = run(dir.path(), args, env);
            let refused = out.status.code() == Some(2);
            if refused {
                assert!(stderr(&out).contains(case.names), "{}", stderr(&out));
            }
            refused
        };

        file(case.bad_toml);
        assert!(refused(&["check"], &[]), "{key} from the file");
        assert!(
            !refused(&["check"], &[(&var, case.good)]),
            "{var} beats the file"
        );
        file(case.good_toml);
        assert!(
            refused(&["check"], &[(&var, case.bad)]),
            "{var} beats the file"
        );
        assert!(
            !refused(&["check", &flag, case.good], &[(&var, case.bad)]),
            "{flag} beats {var}"
        );
        assert!(
            refused(&["check", &flag, case.bad], &[(&var, case.good)]),
            "{flag} beats {var}"
        );
    }
}

#[test]
fn migrate_then_seed_demo_twice_adds_the_catalogue_once() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(dir.path(), &["migrate"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = run(dir.path(), &["seed-demo"], &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let n = webstore::seed::catalogue::PRODUCTS.len();
    assert!(
        stdout(&first).contains(&format!("{n} products added")),
        "{}",
        stdout(&first)
    );
    let second = run(dir.path(), &["seed-demo"], &[]);
    assert!(second.status.success());
    assert!(
        stdout(&second).contains("0 products added"),
        "{}",
        stdout(&second)
    );
}

#[test]
fn serve_no_migrate_refuses_a_schema_that_migrate_has_not_brought_up_to_date() {
    let dir = tempfile::tempdir().expect("dir");
    let args = [
        "serve",
        "--no-migrate",
        "--bind",
        "127.0.0.1:0",
        "--http-bind",
        "off",
    ];
    let refused = run(dir.path(), &args, &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("run `webstore migrate` first"),
        "{}",
        stderr(&refused)
    );
    let refused = run(dir.path(), &["serve"], &[("WEBSTORE_NO_MIGRATE", "true")]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
}

#[test]
fn check_fails_on_a_readable_key_and_passes_on_a_sound_setup() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = run(dir.path(), &["check"], &[]);
    assert_eq!(
        missing.status.code(),
        Some(1),
        "no TLS files yet: {}",
        stdout(&missing)
    );
    assert!(stdout(&missing).contains("FAIL tls-key"));

    assert!(run(dir.path(), &["migrate"], &[]).status.success());
    webstore::tls::install_crypto_provider();
    webstore::tls::ensure_self_signed(&dir.path().join("data/tls")).expect("certificate");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(
        dir.path().join("data"),
        std::fs::Permissions::from_mode(0o700),
    )
    .expect("chmod");
    let sound = run(dir.path(), &["check"], &[]);
    assert_eq!(sound.status.code(), Some(0), "{}", stdout(&sound));
    assert!(stdout(&sound).contains("ok   database: reachable, migrations applied"));

    let key = dir.path().join("data/tls/key.pem");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let loose = run(dir.path(), &["check"], &[]);
    assert_eq!(loose.status.code(), Some(1));
    assert!(
        stdout(&loose).contains("FAIL tls-key"),
        "{}",
        stdout(&loose)
    );
}

#[test]
fn serve_stops_cleanly_with_exit_0_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = Command::new(binary())
        .current_dir(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--http-bind", "off"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    use std::io::Read as _;
    let mut byte = [0u8; 1];
    while !line.contains('\n') && stdout.read(&mut byte).is_ok_and(|n| n == 1) {
        line.push(byte[0] as char);
    }
    assert!(
        line.contains("https://127.0.0.1:"),
        "prints the URL: {line}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let started = std::time::Instant::now();
    let code = loop {
        if let Some(code) = child.try_wait().expect("wait") {
            break code;
        }
        assert!(started.elapsed().as_secs() < 30, "exits within 30 s");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(code.code(), Some(0));
}

#[test]
fn admin_create_reads_the_password_from_stdin_and_prints_the_otpauth_uri_last() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().expect("dir");
    let mut child = Command::new(binary())
        .current_dir(dir.path())
        .args(["admin", "create", "--email", "Owner@Example.com"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"violet tractor 47 harbour!\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let last = text.trim_end().lines().last().expect("output");
    assert!(
        last.starts_with("otpauth://totp/") && last.contains("secret="),
        "{last}"
    );
    assert!(
        !text.contains("violet tractor"),
        "the password is never printed"
    );
    // A weak password is refused with exit 2.
    let mut weak = Command::new(binary())
        .current_dir(dir.path())
        .args(["admin", "create", "--email", "other@example.com"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    weak.stdin
        .take()
        .expect("stdin")
        .write_all(b"password1234\n")
        .expect("write");
    assert_eq!(
        weak.wait_with_output().expect("wait").status.code(),
        Some(2)
    );
}
