//! Ordinary Rust code: modules of structs, enums, traits, generic impls, closures, async fns,
//! macros and tests, calling each other across modules and crates. Only meant to parse (nslint
//! never builds it), but shaped like real service code.

use super::rng::Rng;
use std::fmt::Write;

/// How a planned public function is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    /// `fn f(input: &str) -> std::io::Result<usize>`
    Text,
    /// `fn f(values: &[u64]) -> u64`
    Numbers,
    /// `async fn f(id: u64) -> Option<String>`
    Async,
    /// `fn f(label: &str, count: usize) -> String`
    Label,
}

/// A public function some module defines and others may call.
#[derive(Debug, Clone)]
pub struct PubFn {
    /// Its name.
    pub name: String,
    /// Its signature.
    pub sig: Sig,
}

/// A function callable from the module being written, with the path to write for it.
#[derive(Debug, Clone)]
pub struct Callee {
    /// Path as written at the call site (`crate::store::load_entry`, `load_entry`).
    pub path: String,
    /// Its signature.
    pub sig: Sig,
}

/// Everything needed to write one ordinary module.
pub struct ModuleSpec<'a> {
    /// The module's own public functions (all are defined).
    pub own: &'a [PubFn],
    /// `use` lines to put at the top (imports of some callees).
    pub imports: Vec<String>,
    /// Functions of other modules and crates it may call.
    pub callees: Vec<Callee>,
    /// The crate's namespace module (`crate::netns`) when the crate touches namespaces.
    pub ns_module: Option<String>,
    /// Target size in lines.
    pub budget: usize,
    /// Child modules to declare (`pub mod x;`).
    pub children: Vec<String>,
}

const NOUNS: &[&str] = &[
    "config", "session", "route", "link", "address", "peer", "packet", "frame", "record", "entry",
    "table", "request", "response", "header", "token", "lease", "volume", "mount", "image",
    "layer", "task", "job", "event", "metric", "sample", "policy", "rule", "filter", "chain",
    "bucket", "shard", "replica", "segment", "cursor", "snapshot", "manifest",
];
const VERBS: &[&str] = &[
    "load",
    "parse",
    "apply",
    "build",
    "resolve",
    "render",
    "merge",
    "split",
    "encode",
    "decode",
    "validate",
    "collect",
    "refresh",
    "compute",
    "scan",
    "sync",
    "flush",
    "prune",
    "index",
    "lookup",
    "register",
    "normalize",
    "compact",
    "summarize",
];
const TYPES: &[&str] = &[
    "Registry",
    "Tracker",
    "Planner",
    "Cache",
    "Store",
    "Builder",
    "Client",
    "Watcher",
    "Allocator",
    "Resolver",
    "Encoder",
    "Scheduler",
    "Inventory",
    "Ledger",
    "Monitor",
];

/// A fresh function name `verb_noun_k`.
pub fn fn_name(rng: &mut Rng, k: usize) -> String {
    format!("{}_{}_{k}", rng.pick(VERBS), rng.pick(NOUNS))
}

/// A module name (`route_3`).
pub fn module_name(rng: &mut Rng, k: usize) -> String {
    format!("{}_{k}", rng.pick(NOUNS))
}

/// A signature, mostly synchronous.
pub fn random_sig(rng: &mut Rng) -> Sig {
    match rng.below(10) {
        0..=3 => Sig::Text,
        4..=5 => Sig::Numbers,
        6..=7 => Sig::Async,
        _ => Sig::Label,
    }
}

struct Writer<'a> {
    out: String,
    rng: Rng,
    spec: &'a ModuleSpec<'a>,
    counter: usize,
    types: Vec<String>,
    /// The function being written (not called from itself).
    current: String,
}

/// Writes the module's text.
pub fn module(spec: &ModuleSpec<'_>, rng: Rng, doc: &str) -> String {
    let mut w = Writer {
        out: String::with_capacity(spec.budget * 40),
        rng,
        spec,
        counter: 0,
        types: Vec::new(),
        current: String::new(),
    };
    let _ = writeln!(w.out, "//! {doc}");
    w.out.push('\n');
    for child in &spec.children {
        let _ = writeln!(w.out, "pub mod {child};");
    }
    if !spec.children.is_empty() {
        w.out.push('\n');
    }
    w.out.push_str(
        "use std::collections::{BTreeMap, HashMap};\nuse std::fmt;\nuse std::sync::{Arc, Mutex};\n",
    );
    for import in &spec.imports {
        let _ = writeln!(w.out, "{import}");
    }
    w.out.push('\n');
    for f in spec.own {
        w.item_for(f);
    }
    let mut guard = 0;
    while w.lines() + 25 < spec.budget && guard < 10_000 {
        guard += 1;
        match w.rng.below(11) {
            0 | 1 => w.struct_with_impl(),
            2 => w.enum_with_display(),
            3 => w.trait_and_generic(),
            4 | 5 => {
                let f = PubFn {
                    name: format!("helper_{}", w.next()),
                    sig: random_sig(&mut w.rng),
                };
                w.item_for(&f);
            }
            6 => w.constants(),
            7 => w.macro_rules(),
            8 => w.generic_registry(),
            9 => w.threads_and_channels(),
            _ => w.error_type(),
        }
    }
    w.tests();
    w.out
}

impl Writer<'_> {
    fn lines(&self) -> usize {
        self.out.bytes().filter(|b| *b == b'\n').count()
    }

    fn next(&mut self) -> usize {
        self.counter += 1;
        self.counter
    }

    fn type_name(&mut self) -> String {
        let name = format!("{}{}", self.rng.pick(TYPES), self.next());
        self.types.push(name.clone());
        name
    }

    fn generic_type_name(&mut self) -> String {
        format!("{}{}", self.rng.pick(TYPES), self.next())
    }

    fn noun(&mut self) -> &'static str {
        self.rng.pick::<&str>(NOUNS)
    }

    /// A call statement to some callee that fits the context (`is_async` allows awaits).
    fn call(&mut self, indent: &str, is_async: bool, fallible: bool) -> String {
        let usable: Vec<&Callee> = self
            .spec
            .callees
            .iter()
            .filter(|c| (is_async || c.sig != Sig::Async) && (fallible || c.sig != Sig::Text))
            .filter(|c| c.path != self.current)
            .collect();
        if usable.is_empty() {
            return format!("{indent}let _ = values.len();\n");
        }
        let callee = (*self.rng.pick(&usable)).clone();
        let var = format!("{}_{}", self.noun(), self.next());
        match callee.sig {
            Sig::Text => format!("{indent}let {var} = {}(&text)?;\n", callee.path),
            Sig::Numbers => format!("{indent}let {var} = {}(&values);\n", callee.path),
            Sig::Async => format!(
                "{indent}let {var} = {}(values.len() as u64).await.unwrap_or_default();\n",
                callee.path
            ),
            Sig::Label => format!(
                "{indent}let {var} = {}(\"{}\", values.len());\n",
                callee.path,
                self.noun()
            ),
        }
    }

    /// A function body of a few statements; `values: Vec<u64>` and `text: String` are in scope.
    fn body(&mut self, indent: &str, is_async: bool, fallible: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{indent}let mut values: Vec<u64> = Vec::with_capacity({});",
            self.rng.range(4, 64)
        );
        let _ = writeln!(out, "{indent}let text = String::from(\"{}\");", self.noun());
        let steps = self.rng.range(2, 6);
        for _ in 0..steps {
            match self.rng.below(9) {
                0 | 1 => out.push_str(&self.call(indent, is_async, fallible)),
                2 => {
                    let k = self.rng.range(3, 97);
                    let _ = writeln!(
                        out,
                        "{indent}for (i, item) in text.split(',').enumerate() {{"
                    );
                    let _ = writeln!(out, "{indent}    if item.is_empty() {{");
                    let _ = writeln!(out, "{indent}        continue;");
                    let _ = writeln!(out, "{indent}    }}");
                    let _ = writeln!(
                        out,
                        "{indent}    values.push((i as u64).wrapping_mul({k}) ^ item.len() as u64);"
                    );
                    let _ = writeln!(out, "{indent}}}");
                }
                3 => {
                    let k = self.rng.range(2, 9);
                    let _ = writeln!(out, "{indent}let scaled: Vec<u64> = values");
                    let _ = writeln!(out, "{indent}    .iter()");
                    let _ = writeln!(out, "{indent}    .map(|v| v.saturating_mul({k}))");
                    let _ = writeln!(out, "{indent}    .filter(|v| v % 2 == 0)");
                    let _ = writeln!(out, "{indent}    .collect();");
                    let _ = writeln!(
                        out,
                        "{indent}values.extend(scaled.into_iter().take({}));",
                        self.rng.range(1, 8)
                    );
                }
                4 => {
                    let noun = self.noun();
                    let _ = writeln!(
                        out,
                        "{indent}log::debug!(\"{noun}: {{}} values, text {{:?}}\", values.len(), text);"
                    );
                }
                5 => {
                    let _ = writeln!(out, "{indent}match values.first().copied() {{");
                    let _ = writeln!(out, "{indent}    Some(0) => values.clear(),");
                    let _ = writeln!(
                        out,
                        "{indent}    Some(first) if first > {} => values.truncate(8),",
                        self.rng.range(10, 1000)
                    );
                    let _ = writeln!(out, "{indent}    Some(_) => values.sort_unstable(),");
                    let _ = writeln!(
                        out,
                        "{indent}    None => values.push({}),",
                        self.rng.range(1, 50)
                    );
                    let _ = writeln!(out, "{indent}}}");
                }
                6 => {
                    let noun = self.noun();
                    let _ = writeln!(
                        out,
                        "{indent}let mut by_key: HashMap<String, u64> = HashMap::new();"
                    );
                    let _ = writeln!(out, "{indent}for v in &values {{");
                    let _ = writeln!(
                        out,
                        "{indent}    *by_key.entry(format!(\"{noun}-{{}}\", v % 7)).or_insert(0) += v;"
                    );
                    let _ = writeln!(out, "{indent}}}");
                    let _ = writeln!(
                        out,
                        "{indent}if let Some(total) = by_key.get(\"{noun}-0\") {{"
                    );
                    let _ = writeln!(out, "{indent}    values.push(*total);");
                    let _ = writeln!(out, "{indent}}}");
                }
                7 if is_async => {
                    let _ = writeln!(
                        out,
                        "{indent}tokio::time::sleep(std::time::Duration::from_millis({})).await;",
                        self.rng.range(1, 50)
                    );
                }
                7 if fallible => {
                    let port = self.rng.range(1024, 65000);
                    let _ = writeln!(
                        out,
                        "{indent}let stream = std::net::TcpStream::connect((\"127.0.0.1\", {port}))?;"
                    );
                    let _ = writeln!(out, "{indent}stream.set_nodelay(true)?;");
                }
                8 if fallible && self.spec.ns_module.is_some() && self.rng.chance(40) => {
                    out.push_str(&self.ns_use(indent));
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "{indent}let total: u64 = values.iter().fold(0u64, |acc, v| acc.wrapping_add(*v));"
                    );
                    let _ = writeln!(
                        out,
                        "{indent}values.push(total % {});",
                        self.rng.range(7, 1000)
                    );
                }
            }
        }
        out
    }

    /// `let pod = <ns>::open_ns("/run/netns/<noun>")?;`
    fn open_pod(&mut self, out: &mut String, indent: &str, ns: &str) {
        let _ = writeln!(
            out,
            "{indent}let pod = {ns}::open_ns(\"/run/netns/{}\")?;",
            self.noun()
        );
    }

    /// Ordinary code in a namespace crate using its helpers: mostly right, sometimes not.
    fn ns_use(&mut self, indent: &str) -> String {
        let ns = self.spec.ns_module.clone().unwrap_or_default();
        let mut out = String::new();
        let pick = self.rng.below(4);
        match pick {
            0 | 1 => {
                self.open_pod(&mut out, indent, &ns);
                let _ = writeln!(
                    out,
                    "{indent}let host = {ns}::open_ns(\"/proc/thread-self/ns/net\")?;"
                );
                let _ = writeln!(out, "{indent}{ns}::enter(&pod)?;");
                let (work, keep) = if pick == 0 {
                    (
                        format!("let described = {ns}::sockets::describe(&text);"),
                        "values.push(described.len() as u64);",
                    )
                } else {
                    (
                        format!("let probe = {ns}::sockets::probe_link(&text)?;"),
                        "values.push(u64::from(probe));",
                    )
                };
                let _ = writeln!(out, "{indent}{work}");
                let _ = writeln!(out, "{indent}{ns}::leave(&host)?;");
                let _ = writeln!(out, "{indent}{keep}");
            }
            2 => {
                self.open_pod(&mut out, indent, &ns);
                let _ = writeln!(out, "{indent}let worker = std::thread::spawn(move || {{");
                let _ = writeln!(
                    out,
                    "{indent}    {ns}::enter(&pod).map_err(std::io::Error::from)?;"
                );
                let _ = writeln!(
                    out,
                    "{indent}    {ns}::sockets::open_probe().map(|s| s.local_addr().is_ok())"
                );
                let _ = writeln!(out, "{indent}}});");
                let _ = writeln!(out, "{indent}let _ = worker.join();");
            }
            _ => {
                let _ = writeln!(out, "{indent}let control = {ns}::open_control_socket()?;");
                let _ = writeln!(
                    out,
                    "{indent}values.push(control.local_addr().map(|a| a.port() as u64).unwrap_or(0));"
                );
            }
        }
        out
    }

    fn item_for(&mut self, f: &PubFn) {
        self.current = f.name.clone();
        let doc = format!(
            "/// {} the {} of the given input.\n",
            capitalize(f.name.split('_').next().unwrap_or("handle")),
            self.noun()
        );
        let vis = if f.name.starts_with("helper_") {
            ""
        } else {
            "pub "
        };
        self.out.push_str(&doc);
        match f.sig {
            Sig::Text => {
                let _ = writeln!(
                    self.out,
                    "{vis}fn {}(input: &str) -> std::io::Result<usize> {{",
                    f.name
                );
                let body = self.body("    ", false, true);
                self.out.push_str(&body);
                let _ = writeln!(
                    self.out,
                    "    if input.len() > {} {{",
                    self.rng.range(100, 4000)
                );
                let _ = writeln!(
                    self.out,
                    "        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!(\"too long: {{}}\", input.len())));"
                );
                self.out
                    .push_str("    }\n    Ok(values.len() + input.len() + text.len())\n}\n\n");
            }
            Sig::Numbers => {
                let _ = writeln!(self.out, "{vis}fn {}(input: &[u64]) -> u64 {{", f.name);
                let body = self.body("    ", false, false);
                self.out.push_str(&body);
                self.out.push_str("    values.extend_from_slice(input);\n    values.iter().copied().max().unwrap_or_default() + text.len() as u64\n}\n\n");
            }
            Sig::Async => {
                let _ = writeln!(
                    self.out,
                    "{vis}async fn {}(id: u64) -> Option<String> {{",
                    f.name
                );
                let _ = writeln!(
                    self.out,
                    "    let outcome: std::io::Result<String> = async {{"
                );
                let body = self.body("        ", true, true);
                self.out.push_str(&body);
                self.out.push_str("        Ok(format!(\"{id}:{}:{}\", values.len(), text))\n    }\n    .await;\n    outcome.ok()\n}\n\n");
            }
            Sig::Label => {
                let _ = writeln!(
                    self.out,
                    "{vis}fn {}(label: &str, count: usize) -> String {{",
                    f.name
                );
                let body = self.body("    ", false, false);
                self.out.push_str(&body);
                self.out.push_str("    let parts: Vec<String> = values.iter().take(count).map(|v| format!(\"{label}={v}\")).collect();\n    format!(\"{}[{}]\", text, parts.join(\",\"))\n}\n\n");
            }
        }
    }

    fn struct_with_impl(&mut self) {
        let ty = self.type_name();
        let a = self.noun();
        let b = self.noun();
        let _ = writeln!(self.out, "/// Keeps {a}s and {b}s together.");
        let _ = writeln!(self.out, "#[derive(Debug, Clone, Default, PartialEq)]");
        let _ = writeln!(self.out, "pub struct {ty} {{");
        let _ = writeln!(self.out, "    name: String,");
        let _ = writeln!(self.out, "    {a}s: Vec<u64>,");
        let _ = writeln!(self.out, "    {b}_limit: Option<usize>,");
        let _ = writeln!(self.out, "    labels: BTreeMap<String, String>,");
        let _ = writeln!(self.out, "}}\n");
        let _ = writeln!(self.out, "impl {ty} {{");
        let _ = writeln!(self.out, "    /// A new, empty value.");
        let _ = writeln!(
            self.out,
            "    pub fn new(name: impl Into<String>) -> Self {{"
        );
        let _ = writeln!(
            self.out,
            "        Self {{ name: name.into(), ..Self::default() }}"
        );
        let _ = writeln!(self.out, "    }}\n");
        let _ = writeln!(self.out, "    /// Sets the {b} limit.");
        let _ = writeln!(
            self.out,
            "    pub fn with_{b}_limit(mut self, limit: usize) -> Self {{"
        );
        let _ = writeln!(self.out, "        self.{b}_limit = Some(limit);");
        let _ = writeln!(self.out, "        self");
        let _ = writeln!(self.out, "    }}\n");
        let _ = writeln!(self.out, "    /// Adds a {a}, keeping within the limit.");
        let _ = writeln!(
            self.out,
            "    pub fn push(&mut self, value: u64) -> bool {{"
        );
        let _ = writeln!(
            self.out,
            "        if self.{b}_limit.is_some_and(|limit| self.{a}s.len() >= limit) {{"
        );
        let _ = writeln!(self.out, "            return false;");
        let _ = writeln!(self.out, "        }}");
        let _ = writeln!(self.out, "        self.{a}s.push(value);");
        let _ = writeln!(self.out, "        true");
        let _ = writeln!(self.out, "    }}\n");
        let _ = writeln!(self.out, "    /// Summarises the {a}s by bucket.");
        let _ = writeln!(
            self.out,
            "    pub fn buckets(&self, width: u64) -> BTreeMap<u64, usize> {{"
        );
        let _ = writeln!(self.out, "        let mut out = BTreeMap::new();");
        let _ = writeln!(
            self.out,
            "        for value in self.{a}s.iter().filter(|v| **v > 0) {{"
        );
        let _ = writeln!(
            self.out,
            "            *out.entry(value / width.max(1)).or_insert(0) += 1;"
        );
        let _ = writeln!(self.out, "        }}");
        let _ = writeln!(self.out, "        out");
        let _ = writeln!(self.out, "    }}\n");
        let _ = writeln!(self.out, "    /// A label, or the name.");
        let _ = writeln!(self.out, "    pub fn label(&self, key: &str) -> &str {{");
        let _ = writeln!(
            self.out,
            "        self.labels.get(key).map(String::as_str).unwrap_or(&self.name)"
        );
        let _ = writeln!(self.out, "    }}");
        if self.rng.chance(40) {
            let _ = writeln!(self.out, "\n    /// Refreshes from the source.");
            let _ = writeln!(
                self.out,
                "    pub async fn refresh(&mut self) -> std::io::Result<usize> {{"
            );
            let body = self.body("        ", true, true);
            self.out.push_str(&body);
            let _ = writeln!(self.out, "        self.{a}s.extend(values);");
            let _ = writeln!(self.out, "        Ok(self.{a}s.len() + text.len())");
            let _ = writeln!(self.out, "    }}");
        }
        let _ = writeln!(self.out, "}}\n");
    }

    fn enum_with_display(&mut self) {
        let ty = format!("{}Kind{}", capitalize(self.noun()), self.next());
        let variants = ["Pending", "Active", "Draining", "Failed", "Retired"];
        let n = self.rng.range(3, variants.len() + 1);
        let noun = self.noun();
        let _ = writeln!(self.out, "/// The state of a {noun}.");
        let _ = writeln!(
            self.out,
            "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]"
        );
        let _ = writeln!(self.out, "pub enum {ty} {{");
        for v in &variants[..n] {
            let _ = writeln!(self.out, "    /// {v}.");
            let _ = writeln!(self.out, "    {v},");
        }
        let _ = writeln!(self.out, "}}\n");
        let _ = writeln!(self.out, "impl fmt::Display for {ty} {{");
        let _ = writeln!(
            self.out,
            "    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{"
        );
        let _ = writeln!(self.out, "        let text = match self {{");
        for v in &variants[..n] {
            let _ = writeln!(
                self.out,
                "            {ty}::{v} => \"{}\",",
                v.to_lowercase()
            );
        }
        let _ = writeln!(self.out, "        }};");
        let _ = writeln!(self.out, "        f.write_str(text)");
        let _ = writeln!(self.out, "    }}");
        let _ = writeln!(self.out, "}}\n");
        let _ = writeln!(self.out, "impl std::str::FromStr for {ty} {{");
        let _ = writeln!(self.out, "    type Err = String;\n");
        let _ = writeln!(
            self.out,
            "    fn from_str(s: &str) -> Result<Self, Self::Err> {{"
        );
        let _ = writeln!(self.out, "        match s {{");
        for v in &variants[..n] {
            let _ = writeln!(
                self.out,
                "            \"{}\" => Ok({ty}::{v}),",
                v.to_lowercase()
            );
        }
        let _ = writeln!(
            self.out,
            "            other => Err(format!(\"unknown state `{{other}}`\")),"
        );
        let _ = writeln!(self.out, "        }}");
        let _ = writeln!(self.out, "    }}");
        let _ = writeln!(self.out, "}}\n");
    }

    fn trait_and_generic(&mut self) {
        let tr = format!("{}Source{}", capitalize(self.noun()), self.next());
        let ty = self.generic_type_name();
        let noun = self.noun();
        let _ = writeln!(self.out, "/// Something that yields {noun}s.");
        let _ = writeln!(self.out, "pub trait {tr}: Send + Sync {{");
        let _ = writeln!(self.out, "    /// The next batch.");
        let _ = writeln!(
            self.out,
            "    fn next_batch(&mut self, max: usize) -> Vec<u64>;\n"
        );
        let _ = writeln!(self.out, "    /// Drains everything, batch by batch.");
        let _ = writeln!(self.out, "    fn drain_all(&mut self) -> Vec<u64> {{");
        let _ = writeln!(self.out, "        let mut out = Vec::new();");
        let _ = writeln!(self.out, "        loop {{");
        let _ = writeln!(
            self.out,
            "            let batch = self.next_batch({});",
            self.rng.range(8, 128)
        );
        let _ = writeln!(self.out, "            if batch.is_empty() {{");
        let _ = writeln!(self.out, "                break out;");
        let _ = writeln!(self.out, "            }}");
        let _ = writeln!(self.out, "            out.extend(batch);");
        let _ = writeln!(self.out, "        }}");
        let _ = writeln!(self.out, "    }}");
        let _ = writeln!(self.out, "}}\n");
        let _ = writeln!(self.out, "/// A fixed list as a source.");
        let _ = writeln!(
            self.out,
            "pub struct {ty}<T> {{\n    items: Vec<T>,\n    cursor: usize,\n}}\n"
        );
        let _ = writeln!(
            self.out,
            "impl<T> {tr} for {ty}<T>\nwhere\n    T: Copy + Into<u64> + Send + Sync,\n{{"
        );
        let _ = writeln!(
            self.out,
            "    fn next_batch(&mut self, max: usize) -> Vec<u64> {{"
        );
        let _ = writeln!(
            self.out,
            "        let end = (self.cursor + max).min(self.items.len());"
        );
        let _ = writeln!(
            self.out,
            "        let batch = self.items[self.cursor..end].iter().map(|v| (*v).into()).collect();"
        );
        let _ = writeln!(self.out, "        self.cursor = end;");
        let _ = writeln!(self.out, "        batch");
        let _ = writeln!(self.out, "    }}");
        let _ = writeln!(self.out, "}}\n");
        let _ = writeln!(self.out, "/// Sums any source.");
        let _ = writeln!(
            self.out,
            "pub fn total_of<S: {tr} + ?Sized>(source: &mut S) -> u64 {{"
        );
        let _ = writeln!(self.out, "    source.drain_all().into_iter().sum()");
        let _ = writeln!(self.out, "}}\n");
    }

    fn constants(&mut self) {
        let noun = self.noun().to_uppercase();
        let (k1, k2, k3) = (self.next(), self.next(), self.next());
        let limit = self.rng.range(16, 65536);
        let lower = noun.to_lowercase();
        let _ = writeln!(self.out, "/// Default {lower} limit.");
        let _ = writeln!(self.out, "pub const MAX_{noun}_{k1}: usize = {limit};");
        let _ = writeln!(
            self.out,
            "static {noun}_NAMES_{k2}: &[&str] = &[\"a\", \"b\", \"c\"];"
        );
        let _ = writeln!(self.out, "/// A shared map of {lower}s.");
        let _ = writeln!(
            self.out,
            "pub type Shared{}{k3} = Arc<Mutex<HashMap<String, u64>>>;\n",
            capitalize(&lower)
        );
    }

    fn macro_rules(&mut self) {
        let name = format!("ensure_{}", self.next());
        let _ = writeln!(self.out, "macro_rules! {name} {{");
        let _ = writeln!(self.out, "    ($cond:expr, $($arg:tt)+) => {{");
        let _ = writeln!(self.out, "        if !$cond {{");
        let _ = writeln!(
            self.out,
            "            return Err(std::io::Error::new(std::io::ErrorKind::Other, format!($($arg)+)));"
        );
        let _ = writeln!(self.out, "        }}");
        let _ = writeln!(self.out, "    }};");
        let _ = writeln!(self.out, "}}\n");
        let fname = format!("checked_{}_{}", self.noun(), self.next());
        let _ = writeln!(
            self.out,
            "fn {fname}(values: &[u64]) -> std::io::Result<u64> {{"
        );
        let _ = writeln!(self.out, "    {name}!(!values.is_empty(), \"no values\");");
        let _ = writeln!(
            self.out,
            "    let max = values.iter().copied().max().unwrap_or(0);"
        );
        let _ = writeln!(
            self.out,
            "    {name}!(max < {}, \"too large: {{}}\", max);",
            self.rng.range(100, 100000)
        );
        let _ = writeln!(self.out, "    Ok(max)");
        let _ = writeln!(self.out, "}}\n");
    }

    fn generic_registry(&mut self) {
        let ty = self.generic_type_name();
        let _ = writeln!(self.out, "/// A registry keyed by name.");
        let _ = writeln!(self.out, "#[derive(Debug, Default)]");
        let _ = writeln!(
            self.out,
            "pub struct {ty}<T> {{\n    entries: HashMap<String, Arc<T>>,\n    order: Vec<String>,\n}}\n"
        );
        let _ = writeln!(
            self.out,
            "impl<T: fmt::Debug + Send + Sync + 'static> {ty}<T> {{"
        );
        let _ = writeln!(
            self.out,
            "    /// Registers a value; returns the previous one."
        );
        let _ = writeln!(
            self.out,
            "    pub fn insert(&mut self, name: &str, value: T) -> Option<Arc<T>> {{"
        );
        let _ = writeln!(self.out, "        if !self.entries.contains_key(name) {{");
        let _ = writeln!(self.out, "            self.order.push(name.to_owned());");
        let _ = writeln!(self.out, "        }}");
        let _ = writeln!(
            self.out,
            "        self.entries.insert(name.to_owned(), Arc::new(value))"
        );
        let _ = writeln!(self.out, "    }}\n");
        let _ = writeln!(self.out, "    /// Values in insertion order that match.");
        let _ = writeln!(
            self.out,
            "    pub fn matching<F>(&self, mut keep: F) -> Vec<Arc<T>>"
        );
        let _ = writeln!(
            self.out,
            "    where\n        F: FnMut(&str, &T) -> bool,\n    {{"
        );
        let _ = writeln!(self.out, "        self.order");
        let _ = writeln!(self.out, "            .iter()");
        let _ = writeln!(
            self.out,
            "            .filter_map(|name| self.entries.get(name).map(|v| (name, v)))"
        );
        let _ = writeln!(self.out, "            .filter(|(name, v)| keep(name, v))");
        let _ = writeln!(self.out, "            .map(|(_, v)| Arc::clone(v))");
        let _ = writeln!(self.out, "            .collect()");
        let _ = writeln!(self.out, "    }}");
        let _ = writeln!(self.out, "}}\n");
    }

    fn threads_and_channels(&mut self) {
        let fname = format!("fan_out_{}_{}", self.noun(), self.next());
        let _ = writeln!(
            self.out,
            "/// Splits work over worker threads and gathers the results."
        );
        let _ = writeln!(
            self.out,
            "pub fn {fname}(jobs: Vec<u64>, workers: usize) -> Vec<u64> {{"
        );
        let _ = writeln!(self.out, "    let (tx, rx) = std::sync::mpsc::channel();");
        let _ = writeln!(
            self.out,
            "    let chunks: Vec<Vec<u64>> = jobs.chunks(jobs.len() / workers.max(1) + 1).map(<[u64]>::to_vec).collect();"
        );
        let _ = writeln!(self.out, "    let handles: Vec<_> = chunks");
        let _ = writeln!(self.out, "        .into_iter()");
        let _ = writeln!(self.out, "        .map(|chunk| {{");
        let _ = writeln!(self.out, "            let tx = tx.clone();");
        let _ = writeln!(self.out, "            std::thread::spawn(move || {{");
        let _ = writeln!(
            self.out,
            "                let sum: u64 = chunk.iter().map(|v| v * {}).sum();",
            self.rng.range(2, 13)
        );
        let _ = writeln!(
            self.out,
            "                tx.send(sum).expect(\"receiver alive\");"
        );
        let _ = writeln!(self.out, "            }})");
        let _ = writeln!(self.out, "        }})");
        let _ = writeln!(self.out, "        .collect();");
        let _ = writeln!(self.out, "    drop(tx);");
        let _ = writeln!(self.out, "    for handle in handles {{");
        let _ = writeln!(
            self.out,
            "        handle.join().expect(\"worker panicked\");"
        );
        let _ = writeln!(self.out, "    }}");
        let _ = writeln!(self.out, "    let mut out: Vec<u64> = rx.iter().collect();");
        let _ = writeln!(self.out, "    out.sort_unstable();");
        let _ = writeln!(self.out, "    out");
        let _ = writeln!(self.out, "}}\n");
    }

    fn error_type(&mut self) {
        let ty = format!("{}Error{}", capitalize(self.noun()), self.next());
        let noun = self.noun();
        let _ = writeln!(self.out, "/// Why a {noun} failed.");
        let _ = writeln!(self.out, "#[derive(Debug)]");
        let _ = writeln!(
            self.out,
            "pub enum {ty} {{\n    /// An I/O error.\n    Io(std::io::Error),\n    /// Bad input.\n    Invalid {{ field: &'static str, reason: String }},\n}}\n"
        );
        let _ = writeln!(self.out, "impl fmt::Display for {ty} {{");
        let _ = writeln!(
            self.out,
            "    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{"
        );
        let _ = writeln!(self.out, "        match self {{");
        let _ = writeln!(
            self.out,
            "            Self::Io(e) => write!(f, \"i/o: {{e}}\"),"
        );
        let _ = writeln!(
            self.out,
            "            Self::Invalid {{ field, reason }} => write!(f, \"{{field}}: {{reason}}\"),"
        );
        let _ = writeln!(self.out, "        }}");
        let _ = writeln!(self.out, "    }}");
        let _ = writeln!(self.out, "}}\n");
        let _ = writeln!(self.out, "impl std::error::Error for {ty} {{}}\n");
        let _ = writeln!(self.out, "impl From<std::io::Error> for {ty} {{");
        let _ = writeln!(
            self.out,
            "    fn from(e: std::io::Error) -> Self {{\n        Self::Io(e)\n    }}"
        );
        let _ = writeln!(self.out, "}}\n");
    }

    fn tests(&mut self) {
        self.out
            .push_str("#[cfg(test)]\nmod tests {\n    use super::*;\n\n");
        let types = self.types.clone();
        for (i, ty) in types.iter().take(3).enumerate() {
            let _ = writeln!(
                self.out,
                "    #[test]\n    fn builds_{}_{i}() {{",
                ty.to_lowercase()
            );
            let _ = writeln!(self.out, "        let names = vec![\"a\", \"b\"];");
            let _ = writeln!(
                self.out,
                "        assert_eq!(names.len(), 2, \"{ty} fixture\");"
            );
            let _ = writeln!(
                self.out,
                "        assert!(std::any::type_name::<{ty}>().ends_with(\"{ty}\"));"
            );
            let _ = writeln!(self.out, "    }}\n");
        }
        let _ = writeln!(
            self.out,
            "    #[test]\n    fn formats() {{\n        let text = format!(\"{{}}-{{:?}}\", 1, vec![2, 3]);\n        assert_eq!(text, \"1-[2, 3]\");\n    }}"
        );
        self.out.push_str("}\n");
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
