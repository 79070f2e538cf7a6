//! Discovery: cargo mode (selection flags as cargo has them) and path mode (walking files).

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use nslint::discover::{
    CargoSelection, CrateSpec, DiscoverError, Workspace, discover_cargo, discover_paths,
};

type TestResult = Result<(), Box<dyn Error>>;

/// Writes `files` (relative path, contents) under `root`.
fn write(root: &Path, files: &[(&str, &str)]) -> TestResult {
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, text)?;
    }
    Ok(())
}

fn package(name: &str, extra: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{extra}")
}

/// A workspace `ws/` with members `app` (bin, depends on `core-lib` renamed and `util`),
/// `core-lib`, `util` and `tools`; default members `app` and `core-lib`.
fn workspace(root: &Path, with_root_package: bool) -> TestResult {
    let mut manifest = String::from(
        "[workspace]\nmembers = [\"app\", \"core-lib\", \"util\", \"tools\"]\n\
         default-members = [\"app\", \"core-lib\"]\nresolver = \"2\"\n",
    );
    if with_root_package {
        manifest = format!("{}\n{manifest}", package("rootpkg", ""));
    }
    write(
        root,
        &[
            ("Cargo.toml", &manifest),
            (
                "app/Cargo.toml",
                &package(
                    "app",
                    "[dependencies]\ncore = { path = \"../core-lib\", package = \"core-lib\" }\n\
                     util = { path = \"../util\" }\n",
                ),
            ),
            ("app/src/main.rs", "fn main() {}\n"),
            ("app/src/bin/extra.rs", "fn main() {}\n"),
            ("app/tests/it.rs", "\n"),
            ("core-lib/Cargo.toml", &package("core-lib", "")),
            ("core-lib/src/lib.rs", "\n"),
            ("core-lib/build.rs", "fn main() {}\n"),
            ("util/Cargo.toml", &package("util", "")),
            ("util/src/lib.rs", "\n"),
            ("tools/Cargo.toml", &package("tools", "")),
            ("tools/src/main.rs", "fn main() {}\n"),
        ],
    )?;
    if with_root_package {
        write(root, &[("src/lib.rs", "\n")])?;
    }
    Ok(())
}

fn names(ws: &Workspace) -> Vec<&str> {
    ws.crates.iter().map(|c| c.name.as_str()).collect()
}

fn find<'a>(ws: &'a Workspace, name: &str) -> Result<&'a CrateSpec, Box<dyn Error>> {
    ws.crates
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("no crate {name} in {:?}", names(ws)).into())
}

fn select(dir: &Path) -> CargoSelection {
    CargoSelection {
        current_dir: dir.to_path_buf(),
        ..CargoSelection::default()
    }
}

fn tempdir() -> Result<(tempfile::TempDir, PathBuf), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let root = dir.path().canonicalize()?;
    Ok((dir, root))
}

#[test]
fn virtual_manifest_selects_default_members() -> TestResult {
    let (_guard, root) = tempdir()?;
    workspace(&root, false)?;
    let ws = discover_cargo(&select(&root))?;
    assert_eq!(ws.root, root);
    assert_eq!(names(&ws), ["app", "core-lib"]);
    assert!(ws.loose_files.is_empty() && ws.problems.is_empty());

    let app = find(&ws, "app")?;
    assert_eq!(app.workspace_deps, ["core", "util"]);
    assert_eq!(app.version, "0.1.0");
    assert_eq!(app.manifest_path, root.join("app/Cargo.toml"));
    let targets: Vec<(&str, &str)> = app
        .targets
        .iter()
        .map(|t| (t.name.as_str(), t.kind[0].as_str()))
        .collect();
    assert_eq!(targets, [("app", "bin"), ("extra", "bin"), ("it", "test")]);
    assert!(app.targets.iter().all(|t| t.edition == "2021"));
    assert_eq!(app.targets[0].src_path, root.join("app/src/main.rs"));

    let core = find(&ws, "core-lib")?;
    assert_eq!(core.lib_name(), "core_lib");
    let kinds: Vec<&str> = core.targets.iter().map(|t| t.kind[0].as_str()).collect();
    assert_eq!(kinds, ["lib", "custom-build"]);
    Ok(())
}

#[test]
fn package_by_name_and_version() -> TestResult {
    let (_guard, root) = tempdir()?;
    workspace(&root, false)?;
    for spec in ["util", "util@0.1.0", "util:0.1", "util@0", "ut*"] {
        let ws = discover_cargo(&CargoSelection {
            packages: vec![spec.to_owned()],
            ..select(&root)
        })?;
        assert_eq!(names(&ws), ["util"], "spec {spec}");
    }
    let ws = discover_cargo(&CargoSelection {
        packages: vec!["tools".to_owned(), "app".to_owned()],
        ..select(&root)
    })?;
    assert_eq!(names(&ws), ["app", "tools"]);
    Ok(())
}

#[test]
fn package_by_full_id_spec() -> TestResult {
    let (_guard, root) = tempdir()?;
    workspace(&root, false)?;
    let all = discover_cargo(&CargoSelection {
        workspace: true,
        ..select(&root)
    })?;
    let util = find(&all, "util")?;
    let dir = root.join("util");
    let specs = [
        util.package_id.clone(),
        format!("path+file://{}#util@0.1.0", dir.display()),
        format!("file://{}#0.1.0", dir.display()),
        format!("file://{}", dir.display()),
    ];
    for spec in specs {
        let ws = discover_cargo(&CargoSelection {
            packages: vec![spec.clone()],
            ..select(&root)
        })?;
        assert_eq!(names(&ws), ["util"], "spec {spec}");
    }
    Ok(())
}

#[test]
fn workspace_with_exclude() -> TestResult {
    let (_guard, root) = tempdir()?;
    workspace(&root, false)?;
    let ws = discover_cargo(&CargoSelection {
        workspace: true,
        exclude: vec!["tools".to_owned(), "core-*".to_owned()],
        ..select(&root)
    })?;
    assert_eq!(names(&ws), ["app", "util"]);

    let err = discover_cargo(&CargoSelection {
        exclude: vec!["tools".to_owned()],
        ..select(&root)
    });
    assert!(matches!(err, Err(DiscoverError::ExcludeWithoutWorkspace)));
    Ok(())
}

#[test]
fn manifest_path_to_a_member() -> TestResult {
    let (_guard, root) = tempdir()?;
    workspace(&root, false)?;
    let ws = discover_cargo(&CargoSelection {
        manifest_path: Some(root.join("tools/Cargo.toml")),
        ..select(&root)
    })?;
    assert_eq!(names(&ws), ["tools"]);
    assert_eq!(ws.root, root);
    // Relative to current_dir.
    let ws = discover_cargo(&CargoSelection {
        manifest_path: Some(PathBuf::from("util/Cargo.toml")),
        ..select(&root)
    })?;
    assert_eq!(names(&ws), ["util"]);
    Ok(())
}

#[test]
fn current_dir_inside_a_member() -> TestResult {
    let (_guard, root) = tempdir()?;
    workspace(&root, false)?;
    let ws = discover_cargo(&select(&root.join("tools/src")))?;
    assert_eq!(names(&ws), ["tools"]);
    assert_eq!(ws.root, root);
    Ok(())
}

#[test]
fn root_package_with_default_members() -> TestResult {
    let (_guard, root) = tempdir()?;
    workspace(&root, true)?;
    // default-members given: cargo uses them even from the root package's manifest.
    let ws = discover_cargo(&select(&root))?;
    assert_eq!(names(&ws), ["app", "core-lib"]);

    // Without default-members, the root package alone.
    let (_guard2, root2) = tempdir()?;
    write(
        &root2,
        &[
            (
                "Cargo.toml",
                &format!(
                    "{}\n[workspace]\nmembers = [\"util\"]\n",
                    package("rootpkg", "[dependencies]\nutil = { path = \"util\" }\n")
                ),
            ),
            ("src/lib.rs", "\n"),
            ("util/Cargo.toml", &package("util", "")),
            ("util/src/lib.rs", "\n"),
        ],
    )?;
    let ws = discover_cargo(&select(&root2))?;
    assert_eq!(names(&ws), ["rootpkg"]);
    assert_eq!(ws.crates[0].workspace_deps, ["util"]);
    Ok(())
}

#[test]
fn spec_matching_nothing_is_an_error() -> TestResult {
    let (_guard, root) = tempdir()?;
    workspace(&root, false)?;
    let err = discover_cargo(&CargoSelection {
        packages: vec!["nope".to_owned()],
        ..select(&root)
    });
    let Err(err) = err else {
        return Err("expected an error".into());
    };
    assert!(
        err.to_string()
            .starts_with("package ID specification `nope` did not match any packages"),
        "{err}"
    );
    let err = discover_cargo(&CargoSelection {
        packages: vec!["util@9".to_owned()],
        ..select(&root)
    });
    assert!(matches!(err, Err(DiscoverError::PackageNotFound { .. })));
    Ok(())
}

#[test]
fn broken_manifest_reports_cargo_stderr() -> TestResult {
    let (_guard, root) = tempdir()?;
    write(&root, &[("Cargo.toml", "[package\nname = 1\n")])?;
    let Err(err) = discover_cargo(&select(&root)) else {
        return Err("expected an error".into());
    };
    let text = err.to_string();
    assert!(matches!(err, DiscoverError::CargoFailed { .. }), "{text}");
    assert!(text.contains("Cargo.toml"), "{text}");
    assert!(text.contains("cargo nslint PATH"), "{text}");
    Ok(())
}

/// `$CARGO` pointing at nothing: run in a child process so that no other test sees the
/// variable.
#[test]
fn missing_cargo_says_what_to_do() -> TestResult {
    if let Some(dir) = std::env::var_os("NSLINT_TEST_MISSING_CARGO_DIR") {
        let Err(err) = discover_cargo(&select(Path::new(&dir))) else {
            return Err("expected an error".into());
        };
        assert!(matches!(err, DiscoverError::CargoNotFound { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("/nonexistent/cargo"), "{text}");
        assert!(text.contains("cargo nslint PATH"), "{text}");
        return Ok(());
    }
    let (_guard, root) = tempdir()?;
    workspace(&root, false)?;
    let out = std::process::Command::new(std::env::current_exe()?)
        .args(["--exact", "missing_cargo_says_what_to_do", "--nocapture"])
        .env("CARGO", "/nonexistent/cargo")
        .env("NSLINT_TEST_MISSING_CARGO_DIR", &root)
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Path mode.

fn targets(krate: &CrateSpec) -> Vec<(String, String, PathBuf)> {
    krate
        .targets
        .iter()
        .map(|t| (t.kind.join(","), t.name.clone(), t.src_path.clone()))
        .collect()
}

fn t(kind: &str, name: &str, path: PathBuf) -> (String, String, PathBuf) {
    (kind.to_owned(), name.to_owned(), path)
}

#[test]
fn path_mode_finds_targets_like_cargo() -> TestResult {
    let (_guard, root) = tempdir()?;
    let p = root.join("pkg");
    write(
        &p,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"my-pkg\"\nversion = \"1.2.3\"\nedition = \"2021\"\n\
                 [[bin]]\nname = \"tool\"\npath = \"tools/tool.rs\"\n",
            ),
            ("src/lib.rs", "\n"),
            ("src/main.rs", "fn main() {}\n"),
            ("src/bin/a.rs", "fn main() {}\n"),
            ("src/bin/b/main.rs", "fn main() {}\n"),
            ("src/bin/b/helper.rs", "\n"),
            ("src/bin/notes.txt", "\n"),
            ("tools/tool.rs", "fn main() {}\n"),
            ("tests/it.rs", "\n"),
            ("tests/multi/main.rs", "\n"),
            ("tests/common/mod.rs", "\n"),
            ("examples/ex.rs", "fn main() {}\n"),
            ("benches/bench.rs", "\n"),
            ("build.rs", "fn main() {}\n"),
        ],
    )?;
    let ws = discover_paths(std::slice::from_ref(&p));
    assert_eq!(ws.root, p);
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    assert!(ws.loose_files.is_empty(), "{:?}", ws.loose_files);
    assert_eq!(names(&ws), ["my-pkg"]);
    let krate = &ws.crates[0];
    assert_eq!(krate.version, "1.2.3");
    assert_eq!(
        krate.package_id,
        format!("path+file://{}#my-pkg@1.2.3", p.display())
    );
    assert_eq!(krate.lib_name(), "my_pkg");
    assert_eq!(
        targets(krate),
        [
            t("lib", "my_pkg", p.join("src/lib.rs")),
            t("bin", "a", p.join("src/bin/a.rs")),
            t("bin", "b", p.join("src/bin/b/main.rs")),
            t("bin", "my-pkg", p.join("src/main.rs")),
            t("bin", "tool", p.join("tools/tool.rs")),
            t("example", "ex", p.join("examples/ex.rs")),
            t("test", "it", p.join("tests/it.rs")),
            t("test", "multi", p.join("tests/multi/main.rs")),
            t("bench", "bench", p.join("benches/bench.rs")),
            t("custom-build", "build-script-build", p.join("build.rs")),
        ]
    );
    assert!(krate.targets.iter().all(|t| t.edition == "2021"));
    Ok(())
}

#[test]
fn path_mode_autobins_false_and_explicit_lib() -> TestResult {
    let (_guard, root) = tempdir()?;
    write(
        &root,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"p\"\nautobins = false\nautotests = false\nbuild = false\n\
                 [lib]\nname = \"renamed\"\npath = \"lib/root.rs\"\nproc-macro = true\n\
                 [[bin]]\nname = \"only\"\n",
            ),
            ("lib/root.rs", "\n"),
            ("src/main.rs", "fn main() {}\n"),
            ("src/bin/only.rs", "fn main() {}\n"),
            ("src/bin/skipped.rs", "fn main() {}\n"),
            ("tests/skipped.rs", "\n"),
            ("build.rs", "fn main() {}\n"),
        ],
    )?;
    let ws = discover_paths(std::slice::from_ref(&root));
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    let krate = find(&ws, "p")?;
    assert_eq!(krate.version, "0.0.0");
    assert_eq!(
        targets(krate),
        [
            t("proc-macro", "renamed", root.join("lib/root.rs")),
            t("bin", "only", root.join("src/bin/only.rs")),
        ]
    );
    // No edition: 2015, like cargo.
    assert!(krate.targets.iter().all(|t| t.edition == "2015"));
    Ok(())
}

#[test]
fn path_mode_workspace_inheritance_and_path_deps() -> TestResult {
    let (_guard, root) = tempdir()?;
    write(
        &root,
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"a\", \"b\"]\n[workspace.package]\nedition = \"2024\"\n\
                 version = \"3.0.0\"\n[workspace.dependencies]\nb-lib = { path = \"b\" }\n",
            ),
            (
                "a/Cargo.toml",
                "[package]\nname = \"a\"\nversion.workspace = true\nedition.workspace = true\n\
                 [dependencies]\nb-lib.workspace = true\nserde = \"1\"\n\
                 [dev-dependencies]\nbee = { path = \"../b\", package = \"b-lib\" }\n",
            ),
            ("a/src/lib.rs", "\n"),
            (
                "b/Cargo.toml",
                "[package]\nname = \"b-lib\"\nedition.workspace = true\n",
            ),
            ("b/src/lib.rs", "\n"),
        ],
    )?;
    let ws = discover_paths(std::slice::from_ref(&root));
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    assert_eq!(names(&ws), ["a", "b-lib"]);
    let a = find(&ws, "a")?;
    assert_eq!(a.version, "3.0.0");
    assert_eq!(a.targets[0].edition, "2024");
    assert_eq!(a.workspace_deps, ["b_lib", "bee"]);
    Ok(())
}

#[test]
fn path_mode_honours_gitignore_and_skips_target() -> TestResult {
    let (_guard, root) = tempdir()?;
    write(
        &root,
        &[
            (".gitignore", "ignored/\ngen_*.rs\n"),
            ("loose.rs", "\n"),
            ("gen_code.rs", "\n"),
            ("ignored/x.rs", "\n"),
            ("target/debug/build/out.rs", "\n"),
            ("sub/target/y.rs", "\n"),
            (".hidden/z.rs", "\n"),
            ("sub/kept.rs", "\n"),
            ("ignored/Cargo.toml", &package("ghost", "")),
            ("target/Cargo.toml", &package("ghost2", "")),
        ],
    )?;
    let ws = discover_paths(std::slice::from_ref(&root));
    assert!(ws.crates.is_empty(), "{:?}", names(&ws));
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    assert_eq!(
        ws.loose_files,
        [root.join("loose.rs"), root.join("sub/kept.rs")]
    );
    Ok(())
}

#[test]
fn path_mode_loose_files_and_nested_packages() -> TestResult {
    let (_guard, root) = tempdir()?;
    write(
        &root,
        &[
            ("outer/Cargo.toml", &package("outer", "")),
            ("outer/src/lib.rs", "\n"),
            ("outer/unreachable.rs", "\n"),
            ("outer/inner/Cargo.toml", &package("inner", "")),
            ("outer/inner/src/main.rs", "fn main() {}\n"),
            ("scripts/one.rs", "\n"),
            ("scripts/two.rs", "\n"),
            ("single.rs", "\n"),
        ],
    )?;
    let ws = discover_paths(&[
        root.join("outer"),
        root.join("scripts"),
        root.join("single.rs"),
        // A file inside a package given explicitly is linted as a loose file too.
        root.join("outer/src/lib.rs"),
    ]);
    assert_eq!(ws.root, root);
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    // Sorted by manifest path: `outer/Cargo.toml` before `outer/inner/Cargo.toml`.
    assert_eq!(names(&ws), ["outer", "inner"]);
    assert_eq!(
        ws.loose_files,
        [
            root.join("outer/src/lib.rs"),
            root.join("scripts/one.rs"),
            root.join("scripts/two.rs"),
            root.join("single.rs"),
        ]
    );
    let inner = find(&ws, "inner")?;
    assert_eq!(
        targets(inner),
        [t("bin", "inner", root.join("outer/inner/src/main.rs"))]
    );
    Ok(())
}

#[test]
fn path_mode_broken_manifest_makes_files_loose() -> TestResult {
    let (_guard, root) = tempdir()?;
    write(
        &root,
        &[
            ("broken/Cargo.toml", "[package\nname = \"oops\"\n"),
            ("broken/src/lib.rs", "\n"),
            ("good/Cargo.toml", &package("good", "")),
            ("good/src/lib.rs", "\n"),
        ],
    )?;
    let ws = discover_paths(std::slice::from_ref(&root));
    assert_eq!(names(&ws), ["good"]);
    assert_eq!(ws.loose_files, [root.join("broken/src/lib.rs")]);
    assert_eq!(ws.problems.len(), 1, "{:?}", ws.problems);
    assert_eq!(ws.problems[0].path, root.join("broken/Cargo.toml"));
    assert!(ws.problems[0].message.contains("does not parse"));
    Ok(())
}

#[test]
fn path_mode_nonexistent_path_is_a_problem() -> TestResult {
    let (_guard, root) = tempdir()?;
    write(&root, &[("a.rs", "\n")])?;
    let missing = root.join("missing");
    let ws = discover_paths(&[missing.clone(), root.join("a.rs")]);
    assert_eq!(ws.loose_files, [root.join("a.rs")]);
    assert_eq!(ws.root, root);
    assert_eq!(ws.problems.len(), 1);
    assert_eq!(ws.problems[0].path, missing);
    assert!(ws.problems[0].message.contains("does not exist"));
    Ok(())
}

#[cfg(unix)]
#[test]
fn path_mode_symlink_loop_does_not_hang() -> TestResult {
    let (_guard, root) = tempdir()?;
    write(
        &root,
        &[
            ("pkg/Cargo.toml", &package("pkg", "")),
            ("pkg/src/lib.rs", "\n"),
        ],
    )?;
    std::os::unix::fs::symlink(&root, root.join("pkg/src/loop"))?;
    std::os::unix::fs::symlink(root.join("self"), root.join("self"))?;
    // The same package reached through a link is one crate, under its real path.
    std::os::unix::fs::symlink(root.join("pkg"), root.join("alias"))?;
    let ws = discover_paths(std::slice::from_ref(&root));
    assert_eq!(names(&ws), ["pkg"]);
    assert_eq!(ws.crates[0].manifest_path, root.join("pkg/Cargo.toml"));
    assert!(ws.loose_files.is_empty(), "{:?}", ws.loose_files);
    assert!(
        ws.problems.iter().any(|p| p.message.contains("loop")),
        "{:?}",
        ws.problems
    );
    Ok(())
}

#[test]
fn path_mode_is_deterministic() -> TestResult {
    let (_guard, root) = tempdir()?;
    for name in ["zeta", "alpha", "mid"] {
        write(
            &root,
            &[
                (&format!("{name}/Cargo.toml"), &package(name, "")),
                (&format!("{name}/src/lib.rs"), "\n"),
            ],
        )?;
    }
    let first = discover_paths(std::slice::from_ref(&root));
    assert_eq!(names(&first), ["alpha", "mid", "zeta"]);
    let again = discover_paths(std::slice::from_ref(&root));
    assert_eq!(first.crates, again.crates);
    Ok(())
}
