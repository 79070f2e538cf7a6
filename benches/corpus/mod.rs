//! The deterministic corpus generator: a Cargo workspace of about N lines of Rust in many
//! crates (one per 2–5k lines, with path dependencies), ordinary code everywhere and namespace
//! code (every hazard shape) in a chosen share of the crates. The same configuration always
//! writes the same bytes.

pub mod hazards;
pub mod ordinary;
pub mod rng;

use ordinary::{Callee, ModuleSpec, PubFn};
use rng::Rng;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Approximate total lines of Rust.
    pub lines: usize,
    /// Share of crates (in percent) that contain namespace code.
    pub ns_percent: u32,
    /// Seed of the PRNG.
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Workspace members.
    pub crates: usize,
    /// Members with namespace code.
    pub ns_crates: usize,
    /// `.rs` files written.
    pub files: usize,
    /// Lines in those files.
    pub lines: usize,
    /// Bytes in those files.
    pub bytes: usize,
    /// An ordinary module in a crate in the middle of the workspace: the file a warm run
    /// edits.
    pub edit_target: PathBuf,
}

/// A file marking a directory as a generated corpus (only such directories are replaced).
const MARKER: &str = ".nslint-bench-corpus";

struct ModPlan {
    /// Path from the crate root.
    path: Vec<String>,
    /// File relative to `src/`.
    file: String,
    budget: usize,
    fns: Vec<PubFn>,
    children: Vec<String>,
}

struct CratePlan {
    package: String,
    code_name: String,
    ns: bool,
    ns_module: String,
    budget: usize,
    deps: Vec<usize>,
    top: Vec<String>,
    modules: Vec<ModPlan>,
    bin: bool,
    tests: bool,
}

const PREFIXES: &[&str] = &[
    "core", "net", "svc", "agent", "cni", "proto", "store", "edge", "ctl", "node", "mesh",
];
const NS_MODULES: &[&str] = &["netns", "nsutil", "pod", "sandbox", "isolation"];

/// Writes the corpus into `dir` (replacing a corpus already there) and returns its figures.
pub fn generate(dir: &Path, config: &Config) -> io::Result<Stats> {
    if dir.exists() {
        if !dir.join(MARKER).exists() {
            return Err(io::Error::other(format!(
                "{} exists and is not a generated corpus; not replacing it",
                dir.display()
            )));
        }
        fs::remove_dir_all(dir)?;
    }
    fs::create_dir_all(dir)?;
    fs::write(dir.join(MARKER), format!("{config:?}\n"))?;
    let root = Rng::new(config.seed);
    let plans = plan(&root, config);
    let mut stats = Stats {
        crates: plans.len(),
        ns_crates: plans.iter().filter(|p| p.ns).count(),
        ..Stats::default()
    };
    let mut manifest = String::from("[workspace]\nresolver = \"2\"\nmembers = [\n");
    for p in &plans {
        let _ = writeln!(manifest, "    \"crates/{}\",", p.package);
    }
    manifest.push_str("]\n");
    fs::write(dir.join("Cargo.toml"), manifest)?;
    let middle = plans.len() / 2;
    for (index, p) in plans.iter().enumerate() {
        let files = write_crate(&root.fork(1_000 + index as u64), &plans, index)?;
        let crate_dir = dir.join("crates").join(&p.package);
        for (rel, text) in files {
            let path = crate_dir.join(&rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            if rel.ends_with(".rs") {
                stats.files += 1;
                stats.lines += text.bytes().filter(|b| *b == b'\n').count();
                stats.bytes += text.len();
            }
            fs::write(&path, text)?;
        }
        if index == middle {
            let target = p.modules.get(p.modules.len() / 2).map(|m| m.file.clone());
            stats.edit_target = crate_dir
                .join("src")
                .join(target.unwrap_or("lib.rs".into()));
        }
    }
    Ok(stats)
}

fn plan(root: &Rng, config: &Config) -> Vec<CratePlan> {
    let mut rng = root.fork(1);
    let mut budgets = Vec::new();
    let mut left = config.lines.max(1_000);
    while left > 0 {
        let b = rng.range(2_000, 5_001);
        if left < b + 800 {
            budgets.push(left);
            break;
        }
        budgets.push(b);
        left -= b;
    }
    let n = budgets.len();
    let ns_count = if config.ns_percent >= 100 {
        n
    } else {
        ((n * config.ns_percent as usize + 50) / 100).max(1)
    };
    let ns_set: Vec<bool> = {
        let mut set = vec![false; n];
        for j in 0..ns_count {
            set[(j * n) / ns_count + (n / ns_count) / 2] = true;
        }
        set
    };
    let mut fn_counter = 0;
    let mut plans: Vec<CratePlan> = Vec::with_capacity(n);
    for (i, budget) in budgets.into_iter().enumerate() {
        let mut r = root.fork(10_000 + i as u64);
        let package = format!(
            "{}-{}-{i}",
            r.pick(PREFIXES),
            r.pick(&["io", "link", "route", "pod", "store", "sync", "api", "dns"])
        );
        let code_name = package.replace('-', "_");
        let ns = ns_set[i];
        let mut deps = Vec::new();
        let previous_ns = (0..i).rev().find(|j| ns_set[*j]);
        if let (true, Some(prev)) = (ns, previous_ns) {
            deps.push(prev);
        }
        let window = i.saturating_sub(30)..i;
        for _ in 0..r.below(4) {
            if window.is_empty() {
                break;
            }
            let j = r.range(window.start, window.end);
            // Crates without namespace code only use crates without it (in the 5% corpus).
            if (ns || !ns_set[j]) && !deps.contains(&j) {
                deps.push(j);
            }
        }
        deps.sort_unstable();
        let ns_lines = if ns { 700 } else { 0 };
        let ordinary = budget.saturating_sub(ns_lines + 40).max(150);
        let (top, modules) = plan_modules(&mut r, ordinary, &mut fn_counter);
        plans.push(CratePlan {
            package,
            code_name,
            ns,
            ns_module: r.pick(NS_MODULES).to_string(),
            budget,
            deps,
            top,
            modules,
            bin: r.chance(20),
            tests: r.chance(30),
        });
    }
    plans
}

fn plan_modules(r: &mut Rng, budget: usize, fn_counter: &mut usize) -> (Vec<String>, Vec<ModPlan>) {
    let mut top = Vec::new();
    let mut modules = Vec::new();
    let mut left = budget;
    let mut k = 0;
    let mut new_fns = |r: &mut Rng, budget: usize| -> Vec<PubFn> {
        (0..(budget / 70).max(1))
            .map(|_| {
                *fn_counter += 1;
                PubFn {
                    name: ordinary::fn_name(r, *fn_counter),
                    sig: ordinary::random_sig(r),
                }
            })
            .collect()
    };
    while left > 0 {
        k += 1;
        let name = ordinary::module_name(r, k);
        let size = r.range(120, 420).min(left.max(60));
        left = left.saturating_sub(size);
        top.push(name.clone());
        if r.chance(25) && left > 300 {
            // A directory module with children, in either layout.
            let mod_rs = r.chance(50);
            let file = if mod_rs {
                format!("{name}/mod.rs")
            } else {
                format!("{name}.rs")
            };
            let mut children = Vec::new();
            let mut child_plans = Vec::new();
            for _ in 0..r.range(2, 5) {
                k += 1;
                let child = ordinary::module_name(r, k);
                let child_size = r.range(120, 380).min(left.max(60));
                left = left.saturating_sub(child_size);
                child_plans.push(ModPlan {
                    path: vec![name.clone(), child.clone()],
                    file: format!("{name}/{child}.rs"),
                    budget: child_size,
                    fns: new_fns(r, child_size),
                    children: Vec::new(),
                });
                children.push(child);
                if left == 0 {
                    break;
                }
            }
            modules.push(ModPlan {
                path: vec![name],
                file,
                budget: size,
                fns: new_fns(r, size),
                children,
            });
            modules.extend(child_plans);
        } else {
            modules.push(ModPlan {
                path: vec![name.clone()],
                file: format!("{name}.rs"),
                budget: size,
                fns: new_fns(r, size),
                children: Vec::new(),
            });
        }
    }
    (top, modules)
}

/// The files of one crate, relative to its directory.
fn write_crate(root: &Rng, plans: &[CratePlan], index: usize) -> io::Result<Vec<(String, String)>> {
    let p = &plans[index];
    let mut r = root.fork(7);
    let mut files = Vec::new();
    files.push(("Cargo.toml".to_owned(), cargo_toml(plans, index)));
    let mut lib = format!(
        "//! {}: generated service code ({} lines planned).\n\n",
        p.code_name, p.budget
    );
    for m in &p.top {
        let _ = writeln!(lib, "pub mod {m};");
    }
    if p.ns {
        let _ = writeln!(lib, "pub mod {};\n", p.ns_module);
        let _ = writeln!(lib, "pub use {}::sockets::open_probe;", p.ns_module);
    }
    let _ = writeln!(
        lib,
        "\n/// The crate's version.\npub fn version() -> &'static str {{\n    env!(\"CARGO_PKG_VERSION\")\n}}"
    );
    files.push(("src/lib.rs".to_owned(), lib));
    let ns_path = p.ns.then(|| format!("crate::{}", p.ns_module));
    for (mi, m) in p.modules.iter().enumerate() {
        let spec = module_spec(&mut r, plans, index, mi, ns_path.clone());
        let doc = format!("The `{}` module of {}.", m.path.join("::"), p.code_name);
        let text = ordinary::module(&spec, root.fork(100 + mi as u64), &doc);
        files.push((format!("src/{}", m.file), text));
    }
    if p.ns {
        let dep = p
            .deps
            .iter()
            .find(|d| plans[**d].ns)
            .map(|d| (plans[*d].code_name.clone(), plans[*d].ns_module.clone()));
        let ctx = hazards::NsContext {
            crate_name: p.code_name.clone(),
            module: p.ns_module.clone(),
            dep,
        };
        let first_ns = !plans[..index].iter().any(|q| q.ns);
        for (rel, text) in hazards::ns_module(&ctx, &mut r, first_ns) {
            files.push((format!("src/{}/{rel}", p.ns_module), text));
        }
    }
    if p.bin {
        let main = if p.ns {
            hazards::ns_main(&p.code_name)
        } else {
            plain_main(p)
        };
        files.push(("src/main.rs".to_owned(), main));
    }
    if p.tests {
        files.push(("tests/it.rs".to_owned(), integration_test(p)));
    }
    Ok(files)
}

fn module_spec<'a>(
    r: &mut Rng,
    plans: &'a [CratePlan],
    index: usize,
    mi: usize,
    ns_module: Option<String>,
) -> ModuleSpec<'a> {
    let p = &plans[index];
    let m = &p.modules[mi];
    let mut callees: Vec<Callee> = Vec::new();
    let mut imports = Vec::new();
    for f in m.fns.iter().take(2) {
        callees.push(Callee {
            path: f.name.clone(),
            sig: f.sig,
        });
    }
    for _ in 0..r.range(2, 7) {
        let other = &p.modules[r.below(p.modules.len())];
        if other.path == m.path || other.fns.is_empty() {
            continue;
        }
        let f = r.pick(&other.fns);
        let full = format!("crate::{}::{}", other.path.join("::"), f.name);
        if r.chance(50)
            && !imports
                .iter()
                .any(|i: &String| i.ends_with(&format!("::{};", f.name)))
        {
            imports.push(format!("use {full};"));
            callees.push(Callee {
                path: f.name.clone(),
                sig: f.sig,
            });
        } else {
            callees.push(Callee {
                path: full,
                sig: f.sig,
            });
        }
    }
    for _ in 0..r.below(4) {
        let Some(&d) = p.deps.get(r.below(p.deps.len().max(1))) else {
            break;
        };
        let dep = &plans[d];
        let other = &dep.modules[r.below(dep.modules.len())];
        if other.fns.is_empty() {
            continue;
        }
        let f = r.pick(&other.fns);
        callees.push(Callee {
            path: format!("{}::{}::{}", dep.code_name, other.path.join("::"), f.name),
            sig: f.sig,
        });
    }
    ModuleSpec {
        own: &m.fns,
        imports,
        callees,
        ns_module,
        budget: m.budget,
        children: m.children.clone(),
    }
}

fn cargo_toml(plans: &[CratePlan], index: usize) -> String {
    let p = &plans[index];
    let mut out = format!(
        "[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nlog = \"0.4\"\ntokio = {{ version = \"1\", features = [\"full\"] }}\n",
        p.package
    );
    if p.ns {
        out.push_str("libc = \"0.2\"\nnix = { version = \"0.29\", features = [\"sched\", \"process\"] }\nrustix = { version = \"0.38\", features = [\"thread\"] }\nnsscope = \"0.1\"\n");
    }
    for d in &p.deps {
        let _ = writeln!(
            out,
            "{} = {{ path = \"../{}\" }}",
            plans[*d].package, plans[*d].package
        );
    }
    out
}

fn plain_main(p: &CratePlan) -> String {
    let mut calls = String::new();
    for m in p.modules.iter().take(3) {
        if let Some(f) = m.fns.iter().find(|f| f.sig == ordinary::Sig::Numbers) {
            let _ = writeln!(
                calls,
                "    total += {}::{}::{}(&inputs);",
                p.code_name,
                m.path.join("::"),
                f.name
            );
        }
    }
    format!(
        "//! The {name} command.\n\nfn main() {{\n    let inputs: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();\n    let mut total = 0u64;\n{calls}    println!(\"{{}} {{total}}\", {name}::version());\n}}\n",
        name = p.code_name
    )
}

fn integration_test(p: &CratePlan) -> String {
    let mut body = String::new();
    for m in p.modules.iter().take(4) {
        for f in m
            .fns
            .iter()
            .filter(|f| f.sig == ordinary::Sig::Label)
            .take(1)
        {
            let _ = writeln!(
                body,
                "    assert!(!{}::{}::{}(\"t\", 2).is_empty());",
                p.code_name,
                m.path.join("::"),
                f.name
            );
        }
    }
    format!(
        "//! Integration tests of {name}.\n\n#[test]\nfn labels_are_not_empty() {{\n{body}    assert!(!{name}::version().is_empty());\n}}\n",
        name = p.code_name
    )
}
