//! The WASM host: one engine per process, a pre-instantiated template per policy, a fresh
//! store per call, and every limit of policy-abi.md enforced with its reason.

use super::Reason;
use std::sync::OnceLock;
use wasmtime::{Caller, Config, Engine, InstancePre, Linker, Module, ResourceLimiter, Store, Trap};

/// Limits of one call (policy-abi.md, "Limits").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub fuel: u64,
    pub timeout_ms: u64,
    pub memory_bytes: usize,
    pub output_bytes: usize,
    pub findings: usize,
    pub log_bytes: usize,
    pub log_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { fuel: 10_000_000_000, timeout_ms: 5_000, memory_bytes: 128 << 20, output_bytes: 16 << 20, findings: 10_000, log_bytes: 1 << 20, log_lines: 1_000 }
    }
}

/// The wasm stack limit (policy-abi.md: 1 MiB).
pub const STACK_BYTES: usize = 1 << 20;
/// Epoch ticks are this many milliseconds apart.
const TICK_MS: u64 = 10;

/// A failed call, with its reason from the closed list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    pub reason: Reason,
    pub message: String,
    /// Where in the policy's source the problem is, when the host knows (Rego).
    pub at: Option<crate::diag::Location>,
}

impl CallError {
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        CallError { reason, message: message.into(), at: None }
    }

    pub fn at(mut self, location: crate::diag::Location) -> Self {
        self.at = Some(location);
        self
    }
}

/// The process-wide engine, with fuel, epoch interruption and a bounded stack, and the
/// one ticker thread that advances epochs.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.consume_fuel(true).epoch_interruption(true).max_wasm_stack(STACK_BYTES).wasm_component_model(true);
        // Instances come from a pool: instantiation in microseconds, memory reserved once.
        let mut pool = wasmtime::PoolingAllocationConfig::default();
        pool.total_memories(16).total_tables(16).total_core_instances(16).max_memory_size(Limits::default().memory_bytes.max(1 << 30));
        config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).expect("the policy engine's configuration is valid");
        let ticker = engine.clone();
        std::thread::Builder::new()
            .name("runready-epoch".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(std::time::Duration::from_millis(TICK_MS));
                    ticker.increment_epoch();
                }
            })
            .expect("the epoch ticker thread starts");
        engine
    })
}

/// What a store carries: the memory limiter and the policy's log.
pub struct State {
    limiter: Limiter,
    pub log: Vec<String>,
    log_bytes: usize,
    limits: Limits,
    pub log_truncated: bool,
}

struct Limiter {
    max: usize,
    denied: bool,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.max {
            self.denied = true;
            return Ok(false);
        }
        Ok(true)
    }
    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// A compiled core-ABI-v1 policy, ready to be instantiated per call.
pub struct CorePolicy {
    pre: InstancePre<State>,
}

const LEVELS: [&str; 3] = ["error", "warning", "info"];

impl CorePolicy {
    /// Compiles the module and links its one allowed import, `runready.log`.
    pub fn new(bytes: &[u8]) -> Result<Self, CallError> {
        let engine = engine();
        let module = compile_cached(engine, bytes)?;
        let mut linker: Linker<State> = Linker::new(engine);
        linker
            .func_wrap("runready", "log", |mut caller: Caller<'_, State>, level: i32, ptr: i32, len: i32| {
                let Some(memory) = caller.get_export("memory").and_then(|e| e.into_memory()) else { return };
                let mut buf = vec![0u8; (len.max(0) as usize).min(64 << 10)];
                if memory.read(&caller, ptr.max(0) as usize, &mut buf).is_err() {
                    return;
                }
                let level = LEVELS.get(level.max(0) as usize).copied().unwrap_or("info");
                push_log(caller.data_mut(), level, &String::from_utf8_lossy(&buf));
            })
            .map_err(|e| CallError::new(Reason::Internal, e.to_string()))?;
        let pre = linker.instantiate_pre(&module).map_err(|e| CallError::new(Reason::Import, format!("the module cannot be linked: {e}")))?;
        Ok(CorePolicy { pre })
    }

    /// Calls `export(ptr, len)` with `input` in a fresh store and returns the bytes the
    /// guest points to. Every limit applies; a breach is the reason of the error.
    pub fn call(&self, export: &str, input: &[u8], limits: &Limits) -> Result<(Vec<u8>, Vec<String>), CallError> {
        let mut store = new_store(limits)?;
        let result = self.run(&mut store, export, input, limits);
        finish(store, result, limits)
    }

    fn run(&self, store: &mut Store<State>, export: &str, input: &[u8], limits: &Limits) -> Result<Vec<u8>, CallError> {
        let instance = self.pre.instantiate(&mut *store).map_err(trap)?;
        let memory = instance.get_memory(&mut *store, "memory").ok_or_else(|| CallError::new(Reason::Manifest, "the module exports no `memory`"))?;
        let alloc = instance.get_typed_func::<i32, i32>(&mut *store, "runready_alloc").map_err(|e| CallError::new(Reason::Manifest, e.to_string()))?;
        let len = i32::try_from(input.len()).map_err(|_| CallError::new(Reason::InvalidInput, "the request is larger than 2 GiB"))?;
        let ptr = alloc.call(&mut *store, len).map_err(trap)?;
        if ptr == 0 && len > 0 {
            return Err(CallError::new(Reason::Memory, "runready_alloc returned 0 (out of memory)"));
        }
        memory.write(&mut *store, ptr as u32 as usize, input).map_err(|_| CallError::new(Reason::Trap, "runready_alloc returned a buffer outside memory"))?;
        let packed = if export == "runready_metadata" {
            instance.get_typed_func::<(), i64>(&mut *store, export).map_err(|e| CallError::new(Reason::Manifest, e.to_string()))?.call(&mut *store, ()).map_err(trap)?
        } else {
            instance.get_typed_func::<(i32, i32), i64>(&mut *store, export).map_err(|e| CallError::new(Reason::Manifest, e.to_string()))?.call(&mut *store, (ptr, len)).map_err(trap)?
        };
        let (out_ptr, out_len) = ((packed as u64 >> 32) as usize, (packed as u64 & 0xffff_ffff) as usize);
        if out_len > limits.output_bytes {
            return Err(CallError::new(Reason::Output, format!("the result is {out_len} bytes, more than the {} MiB allowed", limits.output_bytes >> 20)));
        }
        let data = memory.data(&*store);
        data.get(out_ptr..out_ptr + out_len).map(<[u8]>::to_vec).ok_or_else(|| CallError::new(Reason::Output, "the result points outside the module's memory"))
    }
}

/// A fresh store with every limit of one call armed.
fn new_store(limits: &Limits) -> Result<Store<State>, CallError> {
    let state = State { limiter: Limiter { max: limits.memory_bytes, denied: false }, log: Vec::new(), log_bytes: 0, limits: *limits, log_truncated: false };
    let mut store = Store::new(engine(), state);
    store.limiter(|s| &mut s.limiter);
    store.set_fuel(limits.fuel).map_err(|e| CallError::new(Reason::Internal, e.to_string()))?;
    store.set_epoch_deadline(limits.timeout_ms.div_ceil(TICK_MS).max(1));
    store.epoch_deadline_trap();
    Ok(store)
}

/// The call's output and log, or its error; a denied memory growth explains any trap.
fn finish<T>(mut store: Store<State>, result: Result<T, CallError>, limits: &Limits) -> Result<(T, Vec<String>), CallError> {
    let denied = store.data().limiter.denied;
    let log = std::mem::take(&mut store.data_mut().log);
    match result {
        Ok(out) => Ok((out, log)),
        Err(e) if denied => Err(CallError::new(Reason::Memory, format!("memory growth past {} MiB was denied ({})", limits.memory_bytes >> 20, e.message))),
        Err(e) => Err(e),
    }
}

fn push_log(state: &mut State, level: &str, message: &str) {
    if state.log.len() >= state.limits.log_lines || state.log_bytes + message.len() > state.limits.log_bytes {
        state.log_truncated = true;
        return;
    }
    state.log_bytes += message.len();
    state.log.push(format!("{level}: {message}"));
}

/// A policy built as a component of the world `runready:policy@1.0.0`.
pub struct ComponentPolicy {
    pre: wasmtime::component::InstancePre<State>,
}

/// What a component export returned: `Ok(string)`, or the policy-error variant's case and
/// message.
pub type ComponentAnswer = Result<Option<String>, (String, String)>;

impl ComponentPolicy {
    /// Compiles the component, provides `runready:policy/host.log`, and links every other
    /// import (WASI, say) as a trap: it loads, and any such call fails the evaluation.
    pub fn new(bytes: &[u8]) -> Result<Self, CallError> {
        use wasmtime::component::{Component, Linker as CLinker, Val};
        let engine = engine();
        let component: Component = compile_component_cached(engine, bytes)?;
        let mut linker: CLinker<State> = CLinker::new(engine);
        let mut host = linker.instance("runready:policy/host@1.0.0").map_err(|e| CallError::new(Reason::Internal, e.to_string()))?;
        host.func_new("log", |mut store, _ty, params: &[Val], _results: &mut [Val]| {
            let level = match params.first() {
                Some(Val::Enum(l)) => l.clone(),
                _ => "info".to_string(),
            };
            if let Some(Val::String(message)) = params.get(1) {
                push_log(store.data_mut(), &level, message);
            }
            Ok(())
        })
        .map_err(|e| CallError::new(Reason::Internal, e.to_string()))?;
        linker.define_unknown_imports_as_traps(&component).map_err(|e| CallError::new(Reason::Import, e.to_string()))?;
        let pre = linker.instantiate_pre(&component).map_err(|e| CallError::new(Reason::Import, format!("the component cannot be linked: {e}")))?;
        Ok(ComponentPolicy { pre })
    }

    /// Calls `export` (metadata, validate-settings, evaluate) in a fresh store.
    pub fn call(&self, export: &str, input: Option<&str>, limits: &Limits) -> Result<(ComponentAnswer, Vec<String>), CallError> {
        use wasmtime::component::Val;
        let mut store = new_store(limits)?;
        let result = (|| {
            let instance = self.pre.instantiate(&mut store).map_err(trap)?;
            let func = instance.get_func(&mut store, export).ok_or_else(|| CallError::new(Reason::Manifest, format!("the component exports no `{export}`")))?;
            let params: Vec<Val> = input.map(|i| Val::String(i.to_string())).into_iter().collect();
            let mut results = [Val::Bool(false)];
            func.call(&mut store, &params, &mut results).map_err(trap)?;
            let size = match &results[0] {
                Val::String(s) => s.len(),
                Val::Result(Ok(Some(v))) => matches!(&**v, Val::String(s) if s.len() > limits.output_bytes).then_some(usize::MAX).unwrap_or(0),
                _ => 0,
            };
            if size > limits.output_bytes {
                return Err(CallError::new(Reason::Output, format!("the result is more than the {} MiB allowed", limits.output_bytes >> 20)));
            }
            Ok(match &results[0] {
                Val::String(s) => Ok(Some(s.clone())),
                Val::Result(Ok(None)) => Ok(None),
                Val::Result(Ok(Some(v))) => match &**v {
                    Val::String(s) => Ok(Some(s.clone())),
                    _ => Ok(None),
                },
                Val::Result(Err(Some(e))) => match &**e {
                    Val::Variant(case, Some(msg)) => Err((
                        case.clone(),
                        match &**msg {
                            Val::String(m) => m.clone(),
                            _ => String::new(),
                        },
                    )),
                    Val::Variant(case, None) => Err((case.clone(), String::new())),
                    _ => Err(("internal".into(), String::new())),
                },
                other => return Err(CallError::new(Reason::Internal, format!("unexpected result {other:?}"))),
            })
        })();
        finish(store, result, limits)
    }
}

/// Where compiled modules are kept: `$RUNREADY_CACHE_DIR`, else `$XDG_CACHE_HOME/runready`,
/// else `~/.cache/runready`; `None` when none can be determined.
fn cache_dir() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("RUNREADY_CACHE_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| std::path::PathBuf::from(d).join("runready")))
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache/runready")))?;
    Some(base.join("modules"))
}

/// The cache file name: sha256 of the module and of the engine's compatibility hash, so a
/// module compiled by another engine configuration or version is never loaded.
fn cache_key(engine: &Engine, bytes: &[u8]) -> String {
    use sha2::Digest;
    use std::hash::{Hash, Hasher};
    let mut compat = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut compat);
    let mut h = sha2::Sha256::new();
    h.update(bytes);
    h.update(compat.finish().to_le_bytes());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Compiles a module once and keeps the result on disk. Only files this program wrote,
/// named by the hash of the module they were compiled from, are ever deserialised; a
/// user-supplied precompiled blob is refused earlier, by the section scan.
fn compile_cached(engine: &Engine, bytes: &[u8]) -> Result<Module, CallError> {
    cached(
        engine,
        bytes,
        // SAFETY: only files written by `cached` from `Module::serialize`, named by the
        // module's hash and this engine's compatibility hash, reach this.
        |p| unsafe { Module::deserialize_file(engine, p) },
        || Module::new(engine, bytes),
        Module::serialize,
    )
}

/// [`compile_cached`] for components.
fn compile_component_cached(engine: &Engine, bytes: &[u8]) -> Result<wasmtime::component::Component, CallError> {
    use wasmtime::component::Component;
    cached(
        engine,
        bytes,
        // SAFETY: as in `compile_cached`.
        |p| unsafe { Component::deserialize_file(engine, p) },
        || Component::new(engine, bytes),
        Component::serialize,
    )
}

fn cached<M>(
    engine: &Engine,
    bytes: &[u8],
    load: impl Fn(&std::path::Path) -> wasmtime::Result<M>,
    compile: impl Fn() -> wasmtime::Result<M>,
    serialize: impl Fn(&M) -> wasmtime::Result<Vec<u8>>,
) -> Result<M, CallError> {
    let path = cache_dir().map(|d| d.join(format!("{}.cwasm", cache_key(engine, bytes))));
    if let Some(p) = path.as_ref().filter(|p| p.is_file())
        && let Ok(m) = load(p)
    {
        return Ok(m);
    }
    let module = compile().map_err(|e| CallError::new(Reason::Internal, format!("the module does not compile: {e}")))?;
    if let (Some(p), Ok(serialized)) = (path, serialize(&module)) {
        // A cache that cannot be written only costs the next run a compile.
        let _ = p.parent().map(std::fs::create_dir_all).transpose().ok().and_then(|_| crate::atomic::write_atomic_bytes(&p, &serialized).ok());
    }
    Ok(module)
}

/// Maps a wasmtime error to its reason.
fn trap(e: wasmtime::Error) -> CallError {
    let reason = match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Reason::Fuel,
        Some(Trap::Interrupt) => Reason::Timeout,
        Some(Trap::StackOverflow) => Reason::Stack,
        _ => Reason::Trap,
    };
    let message = match reason {
        Reason::Fuel => "the policy ran out of fuel".to_string(),
        Reason::Timeout => "the policy exceeded its wall-clock limit".to_string(),
        Reason::Stack => "the policy overflowed its stack".to_string(),
        _ => format!("the policy trapped: {}", e.root_cause()),
    };
    CallError::new(reason, message)
}
