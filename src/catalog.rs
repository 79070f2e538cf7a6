//! The API catalogue (`lints/catalog.toml`): the one place that knows which functions switch
//! namespaces, which closures run where, and which operations are namespace-sensitive.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The catalogue shipped with nslint, embedded at build time.
pub const BUILTIN: &str = include_str!("../lints/catalog.toml");

/// A namespace kind, or a flag of `unshare(2)` that selects no namespace: `fs` for
/// `CLONE_FS` (it matters for mnt), `attributes` for the others (`CLONE_FILES`,
/// `CLONE_SYSVSEM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FlagKind {
    /// Network namespace.
    Net,
    /// UTS (host and domain name) namespace.
    Uts,
    /// System V IPC and POSIX message queue namespace.
    Ipc,
    /// Mount namespace.
    Mnt,
    /// PID namespace (affects children only).
    Pid,
    /// User namespace.
    User,
    /// Cgroup namespace.
    Cgroup,
    /// Time namespace (affects children only).
    Time,
    /// `CLONE_FS`: unshare filesystem attributes (root, cwd, umask).
    Fs,
    /// Another per-thread attribute that is not a namespace (`CLONE_FILES`, `CLONE_SYSVSEM`).
    Attributes,
}

impl FlagKind {
    /// Whether the flag selects a namespace (rather than an attribute such as `CLONE_FS`).
    pub fn is_namespace(self) -> bool {
        !matches!(self, FlagKind::Fs | FlagKind::Attributes)
    }
}

impl fmt::Display for FlagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            FlagKind::Net => "net",
            FlagKind::Uts => "uts",
            FlagKind::Ipc => "ipc",
            FlagKind::Mnt => "mnt",
            FlagKind::Pid => "pid",
            FlagKind::User => "user",
            FlagKind::Cgroup => "cgroup",
            FlagKind::Time => "time",
            FlagKind::Fs => "fs",
            FlagKind::Attributes => "attributes",
        };
        f.write_str(name)
    }
}

/// A namespace flag constant and its spellings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flag {
    /// The kind it selects.
    pub kind: FlagKind,
    /// Canonical paths that name it.
    pub paths: Vec<String>,
}

/// Whether a raw switch joins an existing namespace or creates new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SwitchOp {
    /// `setns(2)`: join the namespace an fd refers to.
    Setns,
    /// `unshare(2)`: move the thread into new namespaces.
    Unshare,
}

/// A raw switch API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    /// The function (for a method, the type's path followed by the method's name).
    pub path: String,
    /// For a method (`netns_rs::NetNs::enter`): the type whose method it is.
    pub receiver: Option<String>,
    /// The kinds it always switches, for an API without a flags argument.
    pub kinds: Option<Vec<FlagKind>>,
    /// What it does.
    pub op: SwitchOp,
    /// Index of the argument selecting the kinds.
    pub flags_arg: Option<usize>,
    /// For `libc::syscall`: the syscall number the first argument must be.
    pub syscall: Option<String>,
    /// Whether discarding the result hides a failure.
    #[serde(default)]
    pub checked_result: bool,
}

/// A thread context the lints distinguish (DESIGN.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContextKind {
    /// A thread created for this closure, which dies after it.
    DedicatedThread,
    /// A reused thread of a pool.
    PoolThread,
    /// A forked child about to exec.
    ChildAfterFork,
    /// A task polled by a multi-thread runtime.
    AsyncTask,
    /// A future driven by `block_on` of a current-thread runtime, on the calling thread.
    OwnRuntime,
    /// A thread a test harness made for one test.
    TestThread,
    /// The process's only thread.
    SingleThreaded,
    /// The main thread once others exist.
    MainThread,
    /// The thread that calls the API (`Runtime::block_on`'s root future).
    Caller,
}

/// The thread an entry point's body starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryContext {
    /// Like a binary's `main`: the only thread until the body starts others.
    Main,
    /// One of the thread contexts.
    #[serde(untagged)]
    Context(ContextKind),
}

/// An attribute that makes a function an entry point (`#[test]`, `#[tokio::test]`,
/// `#[ctor]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryPoint {
    /// The attribute's path: as written, or what it resolves to (`tokio::test`).
    pub attribute: String,
    /// The thread the function's body starts on.
    pub context: EntryContext,
    /// Other contexts chosen by the attribute's `flavor = ".."` argument.
    #[serde(default)]
    pub flavors: BTreeMap<String, EntryContext>,
}

/// An API whose closure argument runs in a known context.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextApi {
    /// A free or associated function.
    pub path: Option<String>,
    /// A method name.
    pub method: Option<String>,
    /// For methods: the trait that must be in scope.
    #[serde(rename = "trait")]
    pub trait_path: Option<String>,
    /// For methods: the path the receiver chain starts from.
    pub receiver_root: Option<String>,
    /// For methods: the type of the receiver (`tokio::runtime::Handle`).
    pub receiver: Option<String>,
    /// For methods: the function whose closure parameter the receiver is.
    pub receiver_param_of: Option<String>,
    /// Index of the closure argument.
    #[serde(default)]
    pub arg: usize,
    /// The context the closure runs in.
    pub context: ContextKind,
}

/// A function that forks, and how its child branch is recognised.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fork {
    /// The function.
    pub path: String,
    /// For `libc::syscall`: the syscall-number constant that must be the first argument.
    pub syscall: Option<String>,
    /// `zero`, or the canonical path of the child variant.
    pub child_pattern: String,
}

/// How an approved scope runs its closure or future.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// To completion on one owned thread.
    Sync,
    /// On a runtime built inside the namespace.
    AsyncOwned,
    /// In a child process before exec.
    Child,
    /// On the calling thread, between an entry and a restore (netns-rs's `run`): not an
    /// approved scope but a region the API opens and closes around the closure, whose restore
    /// a panic inside skips.
    CallingThread,
}

/// An approved scope API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// The type whose method it is.
    pub receiver: Option<String>,
    /// A free function, when not a method.
    pub path: Option<String>,
    /// The method name.
    pub method: Option<String>,
    /// Index of the closure or future argument.
    #[serde(default)]
    pub arg: usize,
    /// How it runs the closure.
    pub kind: ScopeKind,
}

/// A namespace-sensitive operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sensitive {
    /// The function.
    pub path: Option<String>,
    /// Or a method name.
    pub method: Option<String>,
    /// A phrase for messages.
    pub what: String,
    /// Whether the result is a namespace-bound handle.
    #[serde(default)]
    pub handle: bool,
}

/// An API that hands work to another thread.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escape {
    /// The function, or a module whose every function escapes (`tokio::fs`).
    pub path: Option<String>,
    /// Or a method name.
    pub method: Option<String>,
    /// For methods: the receiver's type.
    pub receiver: Option<String>,
    /// For methods: the trait that must be in scope.
    #[serde(rename = "trait")]
    pub trait_path: Option<String>,
    /// Only when the first argument is a string literal naming a host (`"db.local:5432"`),
    /// which the runtime resolves on its blocking pool.
    #[serde(default)]
    pub when_host_name: bool,
    /// A phrase for messages.
    pub what: String,
}

/// A path prefix whose files depend on the reading thread's namespace (`/sys/class/net`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivePath {
    /// The literal prefix.
    pub prefix: String,
    /// A phrase for messages.
    pub what: String,
}

/// Methods of an external type whose result type is known: builder steps that return the
/// receiver (`Command::args`), or accessors that return another known type
/// (`NetNs::worker` → `Worker`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Builder {
    /// The type.
    #[serde(rename = "type")]
    pub type_path: String,
    /// The methods.
    pub methods: Vec<String>,
    /// What they return (through `?`/`unwrap`); the receiver's type when absent.
    pub returns: Option<String>,
}

/// A call that replaces the process image: nothing after it runs in this process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exec {
    /// The function.
    pub path: Option<String>,
    /// Or a method name.
    pub method: Option<String>,
    /// For methods: the trait that must be in scope.
    #[serde(rename = "trait")]
    pub trait_path: Option<String>,
}

/// A path prefix that names the process's (not the thread's) namespaces.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessWidePath {
    /// The literal prefix.
    pub prefix: String,
    /// Whether the prefix without its trailing `/` also matches.
    #[serde(default)]
    pub exact: bool,
}

/// A path prefix that names the calling thread's own files (`/proc/thread-self/`): the thread
/// that opens it decides what it names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadPath {
    /// The prefix, with `{tid}` where a path names the thread by its id.
    pub prefix: String,
}

impl ThreadPath {
    /// The literal text every spelling of such a path contains: the prefix up to its first
    /// placeholder (`/proc/self/task/`, whose slash tells a thread's files from the listing of
    /// the threads), or the whole prefix without its trailing `/` (`/proc/thread-self`).
    pub fn spelled(&self) -> &str {
        match self.prefix.split_once('{') {
            Some((literal, _)) => literal,
            None => self.prefix.trim_end_matches('/'),
        }
    }
}

/// A type whose values have the methods of their first type argument (`Arc<T>`, `Box<T>`,
/// `LazyLock<T>`): a receiver of that type is a `T`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wrapper {
    /// The type's canonical path.
    #[serde(rename = "type")]
    pub type_path: String,
}

/// What a method does with the value it is called on, for the walks that follow a value
/// through calls by the method's name alone (a receiver's type is rarely known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodRole {
    /// Only reshapes an error (`setns(..).map_err(..)?`): a `?` or check after it is about the
    /// call it wraps.
    ErrorAdapter,
    /// Turns a result into something easy to drop unexamined (`setns(..).ok();`).
    IgnoringAdapter,
    /// Its closure receives the value (`var("NS").ok().and_then(|name| ..)`).
    PassesValue,
    /// Only turns a string into a path or another string (`as_str`): the value goes on to
    /// where the result is used.
    Conversion,
    /// Gives the value or, when there is none, its argument (`unwrap_or`).
    Default,
    /// Only compares or probes a path (`starts_with`, `exists`): the value is data, not a
    /// file opened.
    Probe,
    /// Gives the value, and panics without one (`unwrap`, `expect`).
    Unwrap,
    /// Keeps the value, when there is one, in what it returns (`ok`): a guard lives on in it.
    KeepsValue,
    /// Gives the file or descriptor it is called on (`as_fd`, `borrow`): a `setns` argument
    /// is the file behind it.
    SameFile,
}

/// How a flags value is followed through calls, by name: bitflags types are a crate's own,
/// so their paths vary.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagCalls {
    /// Methods that combine their receiver's flags with their argument's (`a.union(b)`).
    #[serde(default)]
    pub union_methods: Vec<String>,
    /// Methods that give their receiver's flags (`flags.bits()`).
    #[serde(default)]
    pub same_methods: Vec<String>,
    /// Functions that give their first argument's flags (`from_bits_truncate(x)`).
    #[serde(default)]
    pub same_functions: Vec<String>,
    /// Functions that give no flags (`CloneFlags::empty()`).
    #[serde(default)]
    pub empty_functions: Vec<String>,
}

impl FlagCalls {
    fn extend(&mut self, other: FlagCalls) {
        self.union_methods.extend(other.union_methods);
        self.same_methods.extend(other.same_methods);
        self.same_functions.extend(other.same_functions);
        self.empty_functions.extend(other.empty_functions);
    }
}

/// Methods with a [`MethodRole`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueMethod {
    /// What they do with their receiver.
    pub role: MethodRole,
    /// Their names.
    pub methods: Vec<String>,
}

/// A function that only builds a path or a string from its one argument
/// (`std::path::Path::new`): the argument is used where the result goes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathBuilder {
    /// The function's canonical path.
    pub path: String,
}

/// The whole catalogue.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Re-export prefixes and what they stand for.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// Namespace flags.
    #[serde(default, rename = "flag")]
    pub flags: Vec<Flag>,
    /// Raw switches.
    #[serde(default, rename = "switch")]
    pub switches: Vec<Switch>,
    /// APIs that set a closure's thread context.
    #[serde(default, rename = "context")]
    pub contexts: Vec<ContextApi>,
    /// Forking functions.
    #[serde(default, rename = "fork")]
    pub forks: Vec<Fork>,
    /// Attributes that make functions entry points.
    #[serde(default, rename = "entry")]
    pub entries: Vec<EntryPoint>,
    /// Approved scopes.
    #[serde(default, rename = "scope")]
    pub scopes: Vec<Scope>,
    /// Namespace-sensitive operations.
    #[serde(default, rename = "sensitive")]
    pub sensitive: Vec<Sensitive>,
    /// Escapes.
    #[serde(default, rename = "escape")]
    pub escapes: Vec<Escape>,
    /// Process-wide namespace paths.
    #[serde(default, rename = "process_wide_path")]
    pub process_wide_paths: Vec<ProcessWidePath>,
    /// Paths that name the calling thread.
    #[serde(default, rename = "thread_path")]
    pub thread_paths: Vec<ThreadPath>,
    /// Paths whose contents depend on the thread's namespace.
    #[serde(default, rename = "sensitive_path")]
    pub sensitive_paths: Vec<SensitivePath>,
    /// Calls that replace the process image.
    #[serde(default, rename = "exec")]
    pub execs: Vec<Exec>,
    /// Builder methods that return their receiver.
    #[serde(default, rename = "builder")]
    pub builders: Vec<Builder>,
    /// Types that hand their values the methods of what they wrap.
    #[serde(default, rename = "wrapper")]
    pub wrappers: Vec<Wrapper>,
    /// Methods a value is followed through.
    #[serde(default, rename = "value_method")]
    pub value_methods: Vec<ValueMethod>,
    /// Functions that only build a path or string from their argument.
    #[serde(default, rename = "path_builder")]
    pub path_builders: Vec<PathBuilder>,
    /// How flags values are followed through calls.
    #[serde(default)]
    pub flag_calls: FlagCalls,
}

impl Catalog {
    /// The built-in catalogue.
    pub fn builtin() -> Result<Self, String> {
        Self::parse(BUILTIN).map_err(|e| format!("built-in catalogue: {e}"))
    }

    /// Parses and validates a catalogue (or a configuration fragment with the same schema).
    pub fn parse(text: &str) -> Result<Self, String> {
        let catalog: Catalog = toml::from_str(text).map_err(|e| e.to_string())?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Adds another catalogue's entries (from configuration) to this one.
    pub fn extend(&mut self, other: Catalog) {
        self.aliases.extend(other.aliases);
        self.flags.extend(other.flags);
        self.switches.extend(other.switches);
        self.contexts.extend(other.contexts);
        self.forks.extend(other.forks);
        self.entries.extend(other.entries);
        self.scopes.extend(other.scopes);
        self.sensitive.extend(other.sensitive);
        self.escapes.extend(other.escapes);
        self.process_wide_paths.extend(other.process_wide_paths);
        self.thread_paths.extend(other.thread_paths);
        self.sensitive_paths.extend(other.sensitive_paths);
        self.execs.extend(other.execs);
        self.builders.extend(other.builders);
        self.wrappers.extend(other.wrappers);
        self.value_methods.extend(other.value_methods);
        self.path_builders.extend(other.path_builders);
        self.flag_calls.extend(other.flag_calls);
    }

    fn validate(&self) -> Result<(), String> {
        for s in &self.switches {
            if let Some(receiver) = &s.receiver
                && !s.path.starts_with(&format!("{receiver}::"))
            {
                return Err(format!(
                    "a [[switch]] method's `path` must start with its `receiver` ({})",
                    s.path
                ));
            }
        }
        for c in &self.contexts {
            if c.path.is_some() == c.method.is_some() {
                return Err("a [[context]] entry needs exactly one of `path` and `method`".into());
            }
        }
        for s in &self.scopes {
            if s.path.is_none() && (s.receiver.is_none() || s.method.is_none()) {
                return Err("a [[scope]] entry needs `path`, or `receiver` and `method`".into());
            }
        }
        for s in &self.sensitive {
            if s.path.is_some() == s.method.is_some() {
                return Err(
                    "a [[sensitive]] entry needs exactly one of `path` and `method`".into(),
                );
            }
        }
        for e in &self.escapes {
            if e.path.is_some() == e.method.is_some() {
                return Err("an [[escape]] entry needs exactly one of `path` and `method`".into());
            }
            if e.method.is_some() && e.receiver.is_none() && e.trait_path.is_none() {
                return Err("an [[escape]] method needs `receiver` or `trait`".into());
            }
        }
        Ok(())
    }

    /// Rewrites a path through the alias table (`nix::libc::setns` → `libc::setns`).
    pub fn canonical(&self, path: &str) -> String {
        for (from, to) in &self.aliases {
            if path == from {
                return to.clone();
            }
            if let Some(rest) = path.strip_prefix(from.as_str())
                && rest.starts_with("::")
            {
                return format!("{to}{rest}");
            }
        }
        path.to_owned()
    }

    /// The raw switch entry for a call of `path` that `accept` agrees to (`libc::syscall` has
    /// one entry per syscall number).
    pub fn find_switch(&self, path: &str, accept: impl Fn(&Switch) -> bool) -> Option<&Switch> {
        self.switches
            .iter()
            .find(|s| s.receiver.is_none() && s.path == path && accept(s))
    }

    /// The raw switch a method on a receiver of type `receiver` is, if it is one.
    pub fn switch_method(&self, receiver: &str, method: &str) -> Option<&Switch> {
        self.switches.iter().find(|s| {
            s.receiver.as_deref() == Some(receiver)
                && s.path.strip_prefix(receiver) == Some(&format!("::{method}"))
        })
    }

    /// The kind a flag constant selects.
    pub fn flag_kind(&self, path: &str) -> Option<FlagKind> {
        self.flags
            .iter()
            .find(|f| f.paths.iter().any(|p| p == path))
            .map(|f| f.kind)
    }

    /// Every path the catalogue names: what a glob import from an external crate can bring
    /// into scope that matters to nslint.
    pub fn known_paths(&self) -> BTreeSet<String> {
        let mut known = BTreeSet::new();
        known.extend(self.flags.iter().flat_map(|f| f.paths.iter().cloned()));
        known.extend(self.switches.iter().map(|s| s.path.clone()));
        known.extend(self.switches.iter().filter_map(|s| s.syscall.clone()));
        known.extend(self.contexts.iter().filter_map(|c| c.path.clone()));
        known.extend(self.contexts.iter().filter_map(|c| c.trait_path.clone()));
        known.extend(self.forks.iter().map(|f| f.path.clone()));
        known.extend(self.forks.iter().map(|f| f.child_pattern.clone()));
        known.extend(self.forks.iter().filter_map(|f| f.syscall.clone()));
        known.extend(self.scopes.iter().filter_map(|s| s.path.clone()));
        known.extend(self.scopes.iter().filter_map(|s| s.receiver.clone()));
        known.extend(self.sensitive.iter().filter_map(|s| s.path.clone()));
        known.extend(self.escapes.iter().filter_map(|e| e.path.clone()));
        known.extend(self.escapes.iter().filter_map(|e| e.receiver.clone()));
        known.extend(self.escapes.iter().filter_map(|e| e.trait_path.clone()));
        known.extend(self.builders.iter().map(|b| b.type_path.clone()));
        known.extend(self.execs.iter().filter_map(|e| e.path.clone()));
        known.extend(self.execs.iter().filter_map(|e| e.trait_path.clone()));
        known
    }

    /// The context a free function's closure argument runs in, with the argument index.
    pub fn context_of_call(&self, path: &str) -> Option<(usize, ContextKind)> {
        self.contexts
            .iter()
            .find(|c| c.path.as_deref() == Some(path))
            .map(|c| (c.arg, c.context))
    }

    /// The entry point an attribute makes of its function, with the context for a given
    /// `flavor` argument (`None` when the attribute has none).
    pub fn entry_of(&self, attribute: &str, flavor: Option<&str>) -> Option<EntryContext> {
        let entry = self.entries.iter().find(|e| e.attribute == attribute)?;
        Some(
            flavor
                .and_then(|f| entry.flavors.get(f).copied())
                .unwrap_or(entry.context),
        )
    }

    /// Whether a path names a process-wide namespace file.
    pub fn is_process_wide_path(&self, literal: &str) -> bool {
        self.process_wide_paths.iter().any(|p| {
            literal.starts_with(&p.prefix) || (p.exact && literal == p.prefix.trim_end_matches('/'))
        })
    }

    /// What a path names below the calling thread's directory (`ns/net` of
    /// `/proc/thread-self/ns/net`), if it names the calling thread at all.
    pub fn calling_thread_part<'p>(&self, path: &'p str) -> Option<&'p str> {
        self.thread_paths
            .iter()
            .find_map(|t| path.strip_prefix(t.prefix.as_str()))
    }

    /// What a handle constructor makes, if `path` is one (a socket, a netlink handle …).
    pub fn handle_constructor(&self, path: &str) -> Option<&str> {
        self.sensitive
            .iter()
            .find(|s| s.handle && s.path.as_deref() == Some(path))
            .map(|s| s.what.as_str())
    }

    /// What a sensitive function does, if `path` is one.
    pub fn sensitive_what(&self, path: &str) -> Option<&str> {
        self.sensitive
            .iter()
            .find(|s| s.path.as_deref() == Some(path))
            .map(|s| s.what.as_str())
    }

    /// What reading a path literal touches, if it is namespace-sensitive.
    pub fn sensitive_path(&self, literal: &str) -> Option<&str> {
        self.sensitive_paths
            .iter()
            .find(|p| literal.starts_with(&p.prefix))
            .map(|p| p.what.as_str())
    }

    /// The type `method` on `type_path` returns, when the catalogue knows it.
    pub fn method_returns(&self, type_path: &str, method: &str) -> Option<&str> {
        self.builders
            .iter()
            .find(|b| b.type_path == type_path && b.methods.iter().any(|m| m == method))
            .map(|b| b.returns.as_deref().unwrap_or(&b.type_path))
    }

    /// Whether some approved scope is a method named `method`, of whatever type.
    pub fn has_scope_method(&self, method: &str) -> bool {
        self.scopes
            .iter()
            .any(|s| s.receiver.is_some() && s.method.as_deref() == Some(method))
    }

    /// The approved scope a method call on a receiver of type `receiver` is.
    pub fn scope_method(&self, receiver: &str, method: &str) -> Option<&Scope> {
        self.scopes.iter().find(|s| {
            s.receiver.as_deref() == Some(receiver) && s.method.as_deref() == Some(method)
        })
    }

    /// The approved scope a free function is.
    pub fn scope_function(&self, path: &str) -> Option<&Scope> {
        self.scopes.iter().find(|s| s.path.as_deref() == Some(path))
    }

    /// What an escaping function does, if `path` is one (or lies in an escaping module).
    pub fn escape_what(&self, path: &str) -> Option<&Escape> {
        self.escapes.iter().find(|e| {
            !e.when_host_name
                && e.path.as_deref().is_some_and(|p| {
                    path == p
                        || path
                            .strip_prefix(p)
                            .is_some_and(|rest| rest.starts_with("::"))
                })
        })
    }

    /// Whether the method named `name` (a `str`, or an identifier compared without turning it
    /// into a string) has `role` (`[[value_method]]`).
    pub fn method_has_role<N: PartialEq<str> + ?Sized>(&self, name: &N, role: MethodRole) -> bool {
        self.value_methods
            .iter()
            .any(|v| v.role == role && v.methods.iter().any(|m| name == m.as_str()))
    }

    /// Whether the function at `path` only builds a path or string from its argument
    /// (`[[path_builder]]`).
    pub fn builds_path(&self, path: &str) -> bool {
        self.path_builders.iter().any(|b| b.path == path)
    }

    /// Whether a function replaces the process image.
    pub fn is_exec(&self, path: &str) -> bool {
        self.execs.iter().any(|e| e.path.as_deref() == Some(path))
    }

    /// `exec` methods with the trait that must be in scope.
    pub fn exec_methods(&self) -> impl Iterator<Item = (&str, &str)> {
        self.execs
            .iter()
            .filter_map(|e| Some((e.method.as_deref()?, e.trait_path.as_deref()?)))
    }

    /// Whether values of the type `path` have the methods of their first type argument.
    pub fn is_wrapper(&self, path: &str) -> bool {
        self.wrappers.iter().any(|w| w.type_path == path)
    }

    /// The crates whose APIs are approved scopes (`nsscope`).
    pub fn scope_crates(&self) -> BTreeSet<&str> {
        self.scopes
            .iter()
            .filter_map(|s| s.receiver.as_deref().or(s.path.as_deref()))
            .filter_map(|p| p.split("::").next())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_path_is_spelled_up_to_its_placeholder() {
        let spelled = |prefix: &str| {
            ThreadPath {
                prefix: prefix.to_owned(),
            }
            .spelled()
            .to_owned()
        };
        // The slash keeps the listing of the threads (`read_dir("/proc/self/task")`) out.
        assert_eq!(spelled("/proc/self/task/{tid}/"), "/proc/self/task/");
        assert_eq!(spelled("/proc/thread-self/"), "/proc/thread-self");
    }

    #[test]
    fn value_methods_may_have_several_roles_and_configuration_adds_names() {
        let mut catalog = Catalog::builtin().expect("built-in catalogue parses");
        // `map_err` reshapes an error, and a `.map_err(..);` statement still drops it.
        assert!(catalog.method_has_role("map_err", MethodRole::ErrorAdapter));
        assert!(catalog.method_has_role("map_err", MethodRole::IgnoringAdapter));
        assert!(!catalog.method_has_role("map_err", MethodRole::Conversion));
        assert!(catalog.method_has_role("expect", MethodRole::Unwrap));
        assert!(catalog.builds_path("std::path::Path::new"));
        assert!(!catalog.builds_path("std::fs::File::open"));
        let configured = "[[value_method]]\nrole = \"probe\"\nmethods = [\"is_netns_file\"]\n\n\
                          [[path_builder]]\npath = \"camino::Utf8Path::new\"\n";
        catalog.extend(Catalog::parse(configured).expect("fragment parses"));
        assert!(catalog.method_has_role("is_netns_file", MethodRole::Probe));
        assert!(catalog.builds_path("camino::Utf8Path::new"));
    }

    #[test]
    fn builtin_catalog_parses_and_knows_the_raw_switches() {
        let catalog = Catalog::builtin().expect("built-in catalogue parses");
        for path in [
            "libc::setns",
            "libc::unshare",
            "nix::sched::setns",
            "nix::sched::unshare",
            "rustix::thread::move_into_link_name_space",
            "rustix::thread::move_into_thread_name_spaces",
            "rustix::thread::unshare",
            "rustix::thread::unshare_unsafe",
        ] {
            let entries = catalog.switches.iter().filter(|s| s.path == path).count();
            assert_eq!(entries, 1, "{path}");
            assert!(catalog.find_switch(path, |_| true).is_some(), "{path}");
        }
        let syscalls: Vec<&str> = catalog
            .switches
            .iter()
            .filter(|s| s.path == "libc::syscall")
            .filter_map(|s| s.syscall.as_deref())
            .collect();
        assert_eq!(syscalls, ["libc::SYS_setns", "libc::SYS_unshare"]);
        assert_eq!(catalog.flag_kind("libc::CLONE_NEWNET"), Some(FlagKind::Net));
        assert_eq!(catalog.canonical("nix::libc::setns"), "libc::setns");
        assert_eq!(catalog.canonical("core::ptr"), "std::ptr");
        assert_eq!(catalog.canonical("corex::ptr"), "corex::ptr");
    }

    #[test]
    fn entries_need_a_path_or_a_method() {
        let err = Catalog::parse("[[escape]]\nwhat = \"x\"\n").expect_err("invalid");
        assert!(err.contains("exactly one of"), "{err}");
        let err = Catalog::parse("[[escape]]\npath = \"a\"\nwhatt = \"x\"\n").expect_err("typo");
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn each_entry_kind_is_checked_for_its_own_shape() {
        let rejected = |toml: &str, why: &str| {
            let err = Catalog::parse(toml).expect_err(toml);
            assert!(err.contains(why), "{toml}: {err}");
        };
        let accepted = |toml: &str| {
            Catalog::parse(toml).unwrap_or_else(|err| panic!("{toml}: {err}"));
        };
        let switch = "[[switch]]\nop = \"setns\"\nreceiver = \"a::Ns\"\n";
        rejected(
            &format!("{switch}path = \"b::Ns::enter\"\n"),
            "must start with",
        );
        accepted(&format!("{switch}path = \"a::Ns::enter\"\n"));
        let context = "[[context]]\ncontext = \"pool_thread\"\n";
        rejected(context, "exactly one of `path` and `method`");
        rejected(
            &format!("{context}path = \"a::run\"\nmethod = \"run\"\n"),
            "exactly one of",
        );
        accepted(&format!("{context}method = \"run\"\n"));
        let scope = "[[scope]]\nkind = \"sync\"\n";
        for half in ["receiver = \"a::Ns\"\n", "method = \"run\"\n", ""] {
            rejected(&format!("{scope}{half}"), "`receiver` and `method`");
        }
        accepted(&format!("{scope}receiver = \"a::Ns\"\nmethod = \"run\"\n"));
        accepted(&format!("{scope}path = \"a::run\"\n"));
        let sensitive = "[[sensitive]]\nwhat = \"a socket\"\n";
        rejected(sensitive, "a [[sensitive]] entry needs exactly one");
        accepted(&format!("{sensitive}path = \"a::bind\"\n"));
        let escape = "[[escape]]\nwhat = \"a pool\"\n";
        rejected(
            &format!("{escape}method = \"spawn\"\n"),
            "`receiver` or `trait`",
        );
        accepted(&format!(
            "{escape}method = \"spawn\"\nreceiver = \"a::Pool\"\n"
        ));
        accepted(&format!(
            "{escape}method = \"spawn\"\ntrait = \"a::Spawn\"\n"
        ));
    }

    #[test]
    fn a_builder_types_only_its_own_methods() {
        let catalog = Catalog::builtin().expect("parses");
        let command = Some("std::process::Command");
        assert_eq!(
            catalog.method_returns("std::process::Command", "args"),
            command
        );
        assert_eq!(
            catalog.method_returns("nsscope::NetNs", "worker"),
            Some("nsscope::Worker")
        );
        // `status` runs the command: its result is not the builder.
        assert_eq!(
            catalog.method_returns("std::process::Command", "status"),
            None
        );
        // Another type's method of the same name is that type's business.
        assert_eq!(catalog.method_returns("my_pool::Pool", "worker"), None);
    }

    #[test]
    fn only_the_listed_types_are_wrappers() {
        let catalog = Catalog::builtin().expect("parses");
        assert!(catalog.is_wrapper("std::sync::Arc"));
        assert!(catalog.is_wrapper("std::sync::LazyLock"));
        // A `Mutex<NetNs>` has a `Mutex`'s methods, not a `NetNs`'s.
        assert!(!catalog.is_wrapper("std::sync::Mutex"));
        assert!(!catalog.is_wrapper("std::sync"));
    }

    #[test]
    fn process_wide_paths_match_prefixes_and_exact_directories() {
        let catalog = Catalog::builtin().expect("parses");
        assert!(catalog.is_process_wide_path("/proc/self/ns/net"));
        assert!(catalog.is_process_wide_path("/proc/net"));
        assert!(catalog.is_process_wide_path("/proc/net/dev"));
        assert!(!catalog.is_process_wide_path("/proc/thread-self/ns/net"));
        assert!(!catalog.is_process_wide_path("/proc/network"));
    }
}
