//! The few MPI calls the addon needs, declared by hand like napi_sys.rs declares N-API, against
//! Open MPI's ABI (Debian's `libmpi.so.40`, Open MPI 4.x).
//!
//! The library is opened at run time with `dlopen`, not linked at build time: the addon then
//! loads, and single-process training runs, on a machine without Open MPI; only the `mpi*`
//! functions fail there, with a message that says what to install. `CAT_MPI_LIBRARY` names
//! another file to open (e.g. a cluster's own Open MPI build).
//!
//! Open MPI's handles are pointers to exported globals: `MPI_COMM_WORLD` is
//! `&ompi_mpi_comm_world`, `MPI_FLOAT` `&ompi_mpi_float`, `MPI_SUM` `&ompi_mpi_op_sum`, and
//! `MPI_IN_PLACE` is `(void *) 1` (mpi.h of Open MPI 4.1). The library is opened with
//! `RTLD_GLOBAL`, as Open MPI's plugins expect of the program that loads it.
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

type Handle = *mut c_void;

/// The library Debian's `libopenmpi-dev`/`openmpi-bin` install (Open MPI 4.1).
pub const DEFAULT_LIBRARY: &str = "libmpi.so.40";
const RTLD_NOW: c_int = 2;
const RTLD_GLOBAL: c_int = 0x100;
const MPI_SUCCESS: c_int = 0;
const MPI_IN_PLACE: *mut c_void = 1 as *mut c_void;

extern "C" {
    // glibc >= 2.34 has these in libc itself, which every Rust program links.
    fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    fn dlerror() -> *const c_char;
    fn _exit(code: c_int) -> !;
}

/// The collective this process is waiting in, its number, and since when (the watchdog's view).
static WAITING: Mutex<Option<(&'static str, u64, Instant)>> = Mutex::new(None);
/// Exit code of a rank that the watchdog ends.
const HANG_EXIT: c_int = 70;
/// How many collectives this process has entered (every rank makes the same calls in the same
/// order, so ranks that are in step have the same count).
static ENTERED: AtomicU64 = AtomicU64::new(0);
/// This rank and the job's size, once MPI started.
static WORLD: OnceLock<(i32, i32)> = OnceLock::new();

/// How long a collective may wait for the other ranks: `CAT_MPI_TIMEOUT_S` seconds (default 600;
/// 0 turns the watchdog off).
fn hang_timeout() -> Option<Duration> {
    let secs = std::env::var("CAT_MPI_TIMEOUT_S").ok().and_then(|v| v.parse::<f64>().ok()).unwrap_or(600.0);
    (secs > 0.0).then(|| Duration::from_secs_f64(secs))
}

/// Heartbeats: with `CAT_MPI_HEARTBEAT_DIR` set (the trainer sets it to a folder of the run dir,
/// which every rank sees), each rank keeps in `DIR/rank-R` the number of the last collective it
/// entered and the time, rewritten at each collective and by the watchdog thread twice a second.
/// A rank whose collective times out then names the ranks that never arrived (a lower number)
/// and those that stopped beating (stopped or dead processes), not only itself. The folder is
/// read from the environment until it is set (Node's `process.env` writes reach `getenv`).
struct Heartbeat {
    dir: PathBuf,
    file: File,
}

static HEARTBEAT: Mutex<Option<Heartbeat>> = Mutex::new(None);
/// A heartbeat older than this means its rank's process no longer runs (stopped, or dead).
const STALE: Duration = Duration::from_secs(5);

fn heartbeat_path(dir: &std::path::Path, rank: i32) -> PathBuf {
    dir.join(format!("rank-{rank}"))
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Rewrites this rank's heartbeat: the collectives entered so far, and now (best effort: a
/// heartbeat that cannot be written only makes the watchdog's message less precise).
fn beat() {
    let Some(&(rank, _)) = WORLD.get() else { return };
    let mut hb = HEARTBEAT.lock().unwrap_or_else(|e| e.into_inner());
    if hb.is_none() {
        let Some(dir) = std::env::var_os("CAT_MPI_HEARTBEAT_DIR").filter(|d| !d.is_empty()).map(PathBuf::from) else { return };
        if std::fs::create_dir_all(&dir).is_err() {
            return;
        }
        let Ok(file) = File::create(heartbeat_path(&dir, rank)) else { return };
        *hb = Some(Heartbeat { dir, file });
    }
    if let Some(h) = hb.as_ref() {
        // Fixed width, so each rewrite covers the last one whole.
        let line = format!("{:>19} {:>19}\n", ENTERED.load(Ordering::Relaxed), unix_ms());
        let _ = h.file.write_at(line.as_bytes(), 0);
    }
}

/// Each rank's heartbeat as (collectives entered, ms since it was written), `None` for a rank
/// without a readable one; `None` in all when heartbeats are off.
fn peer_beats(size: i32) -> Option<Vec<Option<(u64, u64)>>> {
    let dir = HEARTBEAT.lock().unwrap_or_else(|e| e.into_inner()).as_ref()?.dir.clone();
    let now = unix_ms();
    let read = |r: i32| -> Option<(u64, u64)> {
        let text = std::fs::read_to_string(heartbeat_path(&dir, r)).ok()?;
        let mut it = text.split_whitespace().map(|v| v.parse::<u64>().ok());
        Some((it.next()??, now.saturating_sub(it.next()??)))
    };
    Some((0..size).map(read).collect())
}

/// In words, which ranks keep rank `rank` waiting in collective `n`, from the heartbeats.
fn laggards(rank: i32, n: u64, beats: &[Option<(u64, u64)>]) -> String {
    let behind: Vec<String> = beats
        .iter()
        .enumerate()
        .filter(|&(r, _)| r as i32 != rank)
        .filter_map(|(r, b)| match *b {
            None => Some(format!("rank {r} (no heartbeat)")),
            Some((c, _)) if c < n => Some(format!("rank {r} (never arrived: still at collective {c})")),
            Some((_, age)) if age > STALE.as_millis() as u64 => Some(format!("rank {r} (in it, but its process stopped beating {:.0} s ago)", age as f64 / 1000.0)),
            _ => None,
        })
        .collect();
    if behind.is_empty() {
        "every rank reached it and still beats, so it hangs inside MPI (network?)".into()
    } else {
        format!("held up by {}", behind.join(", "))
    }
}

/// Starts (once) the thread that ends this rank when a collective has waited longer than
/// [`hang_timeout`] for the others: a rank that hangs (or died without mpirun noticing) would
/// otherwise hold the whole job forever. It prints which rank waited in what and, from the
/// heartbeats, which ranks held it up, then exits the process at once (no MPI call from this
/// thread), and mpirun ends the other ranks. It also keeps this rank's heartbeat fresh.
fn start_watchdog(rank: i32, size: i32) {
    static STARTED: Once = Once::new();
    let _ = WORLD.set((rank, size));
    let Some(limit) = hang_timeout() else { return };
    STARTED.call_once(|| {
        std::thread::spawn(move || loop {
            std::thread::sleep(limit.min(Duration::from_secs(1)) / 2);
            beat();
            let waiting = *WAITING.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((what, n, since)) = waiting {
                if since.elapsed() > limit {
                    let who = match peer_beats(size) {
                        Some(beats) => laggards(rank, n, &beats),
                        None => "one of them hangs or died (CAT_MPI_HEARTBEAT_DIR unset, so which is unknown)".into(),
                    };
                    eprintln!(
                        "cat: rank {rank} of {size} waited {:.0} s in {what} (collective {n}) for the other ranks: {who} (CAT_MPI_TIMEOUT_S); ending the job",
                        limit.as_secs_f64()
                    );
                    // SAFETY: ends the process at once, which is what is wanted.
                    unsafe { _exit(HANG_EXIT) };
                }
            }
        });
    });
}

/// Marks this process as waiting in collective `what` until dropped, and beats its heartbeat.
struct Waiting;

impl Waiting {
    fn start(what: &'static str) -> Waiting {
        let n = ENTERED.fetch_add(1, Ordering::Relaxed) + 1;
        beat();
        *WAITING.lock().unwrap_or_else(|e| e.into_inner()) = Some((what, n, Instant::now()));
        Waiting
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        *WAITING.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The MPI entry points and predefined handles, resolved from the opened library.
pub struct Mpi {
    pub library: String,
    init: unsafe extern "C" fn(*mut c_int, *mut *mut *mut c_char) -> c_int,
    initialized: unsafe extern "C" fn(*mut c_int) -> c_int,
    finalized: unsafe extern "C" fn(*mut c_int) -> c_int,
    comm_rank: unsafe extern "C" fn(Handle, *mut c_int) -> c_int,
    comm_size: unsafe extern "C" fn(Handle, *mut c_int) -> c_int,
    allreduce: unsafe extern "C" fn(*const c_void, *mut c_void, c_int, Handle, Handle, Handle) -> c_int,
    bcast: unsafe extern "C" fn(*mut c_void, c_int, Handle, c_int, Handle) -> c_int,
    barrier: unsafe extern "C" fn(Handle) -> c_int,
    finalize: unsafe extern "C" fn() -> c_int,
    abort: unsafe extern "C" fn(Handle, c_int) -> c_int,
    comm_world: Handle,
    float: Handle,
    op_sum: Handle,
}

// SAFETY: the handles are addresses of the library's immutable predefined objects; the
// function pointers are plain code addresses. Calls happen on the JS thread only.
unsafe impl Send for Mpi {}
unsafe impl Sync for Mpi {}

fn last_dl_error() -> String {
    // SAFETY: dlerror returns null or a NUL-terminated string owned by libc.
    let e = unsafe { dlerror() };
    if e.is_null() {
        "unknown error".into()
    } else {
        unsafe { CStr::from_ptr(e) }.to_string_lossy().into_owned()
    }
}

unsafe fn symbol(lib: *mut c_void, name: &str, library: &str) -> Result<*mut c_void, String> {
    let c = CString::new(name).unwrap();
    let p = dlsym(lib, c.as_ptr());
    if p.is_null() {
        Err(format!("{library} has no symbol {name} (not Open MPI 4.x?): {}", last_dl_error()))
    } else {
        Ok(p)
    }
}

fn open() -> Result<Mpi, String> {
    let library = std::env::var("CAT_MPI_LIBRARY").unwrap_or_else(|_| DEFAULT_LIBRARY.into());
    let c = CString::new(library.clone()).map_err(|_| "CAT_MPI_LIBRARY contains a NUL byte".to_string())?;
    // SAFETY: dlopen/dlsym with valid C strings; each symbol is transmuted to the signature
    // mpi.h of Open MPI 4.1 gives it.
    unsafe {
        let lib = dlopen(c.as_ptr(), RTLD_NOW | RTLD_GLOBAL);
        if lib.is_null() {
            return Err(format!(
                "cannot open the MPI library {library} ({}); install Open MPI (tools/setup.sh: apt-get install libopenmpi-dev openmpi-bin)",
                last_dl_error()
            ));
        }
        macro_rules! f {
            ($name:literal) => {
                std::mem::transmute::<*mut c_void, _>(symbol(lib, $name, &library)?)
            };
        }
        Ok(Mpi {
            init: f!("MPI_Init"),
            initialized: f!("MPI_Initialized"),
            finalized: f!("MPI_Finalized"),
            comm_rank: f!("MPI_Comm_rank"),
            comm_size: f!("MPI_Comm_size"),
            allreduce: f!("MPI_Allreduce"),
            bcast: f!("MPI_Bcast"),
            barrier: f!("MPI_Barrier"),
            finalize: f!("MPI_Finalize"),
            abort: f!("MPI_Abort"),
            comm_world: symbol(lib, "ompi_mpi_comm_world", &library)?,
            float: symbol(lib, "ompi_mpi_float", &library)?,
            op_sum: symbol(lib, "ompi_mpi_op_sum", &library)?,
            library,
        })
    }
}

/// The library, opened on first use (the outcome, success or not, is kept).
pub fn mpi() -> Result<&'static Mpi, String> {
    static MPI: OnceLock<Result<Mpi, String>> = OnceLock::new();
    MPI.get_or_init(open).as_ref().map_err(Clone::clone)
}

fn check(what: &str, code: c_int) -> Result<(), String> {
    if code == MPI_SUCCESS {
        Ok(())
    } else {
        Err(format!("{what} failed with MPI error code {code}"))
    }
}

impl Mpi {
    /// MPI_Init unless it already ran; then the rank and size of MPI_COMM_WORLD.
    pub fn init(&self) -> Result<(i32, i32), String> {
        let (mut done, mut ended) = (0, 0);
        // SAFETY: valid out-pointers; MPI_Init accepts null argc/argv.
        unsafe {
            check("MPI_Finalized", (self.finalized)(&mut ended))?;
            if ended != 0 {
                return Err("MPI was already finalized in this process".into());
            }
            check("MPI_Initialized", (self.initialized)(&mut done))?;
            if done == 0 {
                check("MPI_Init", (self.init)(std::ptr::null_mut(), std::ptr::null_mut()))?;
            }
            let (mut rank, mut size) = (0, 0);
            check("MPI_Comm_rank", (self.comm_rank)(self.comm_world, &mut rank))?;
            check("MPI_Comm_size", (self.comm_size)(self.comm_world, &mut size))?;
            start_watchdog(rank, size);
            Ok((rank, size))
        }
    }

    /// An error unless MPI runs (initialised, not finalized): Open MPI aborts the whole process
    /// on a collective called outside that window, so it is refused here first.
    fn running(&self, what: &str) -> Result<(), String> {
        let (mut done, mut ended) = (0, 0);
        // SAFETY: valid out-pointers; both may be called at any time.
        unsafe {
            check("MPI_Initialized", (self.initialized)(&mut done))?;
            check("MPI_Finalized", (self.finalized)(&mut ended))?;
        }
        match (done != 0, ended != 0) {
            (false, _) => Err(format!("{what}: MPI is not started in this process (call mpiInit first)")),
            (true, true) => Err(format!("{what}: MPI was already finalized in this process")),
            (true, false) => Ok(()),
        }
    }

    /// `len` as MPI's element count, once MPI runs.
    fn count(&self, what: &str, len: usize) -> Result<c_int, String> {
        self.running(what)?;
        c_int::try_from(len).map_err(|_| format!("{what}: {len} floats exceed MPI's int count"))
    }

    /// In-place MPI_Allreduce with MPI_SUM over MPI_COMM_WORLD.
    pub fn allreduce_sum(&self, x: &mut [f32]) -> Result<(), String> {
        let n = self.count("MPI_Allreduce", x.len())?;
        let _waiting = Waiting::start("MPI_Allreduce");
        // SAFETY: `x` is n valid floats, written in place.
        check("MPI_Allreduce", unsafe { (self.allreduce)(MPI_IN_PLACE, x.as_mut_ptr() as *mut c_void, n, self.float, self.op_sum, self.comm_world) })
    }

    /// MPI_Bcast of `x` from `root` over MPI_COMM_WORLD.
    pub fn broadcast(&self, x: &mut [f32], root: usize) -> Result<(), String> {
        let n = self.count("MPI_Bcast", x.len())?;
        let root = c_int::try_from(root).map_err(|_| format!("MPI_Bcast: root {root} is not a rank"))?;
        let _waiting = Waiting::start("MPI_Bcast");
        // SAFETY: `x` is n valid floats, read on root and written elsewhere.
        check("MPI_Bcast", unsafe { (self.bcast)(x.as_mut_ptr() as *mut c_void, n, self.float, root, self.comm_world) })
    }

    pub fn barrier(&self) -> Result<(), String> {
        self.running("MPI_Barrier")?;
        let _waiting = Waiting::start("MPI_Barrier");
        // SAFETY: a predefined communicator.
        check("MPI_Barrier", unsafe { (self.barrier)(self.comm_world) })
    }

    /// MPI_Finalize unless it already ran (or MPI never started).
    pub fn finalize(&self) -> Result<(), String> {
        let (mut done, mut ended) = (0, 0);
        // SAFETY: valid out-pointers.
        unsafe {
            check("MPI_Initialized", (self.initialized)(&mut done))?;
            check("MPI_Finalized", (self.finalized)(&mut ended))?;
            if done != 0 && ended == 0 {
                check("MPI_Finalize", (self.finalize)())?;
            }
        }
        Ok(())
    }

    /// MPI_Abort on MPI_COMM_WORLD: ends every rank of the job.
    pub fn abort(&self, code: i32) -> Result<(), String> {
        self.running("MPI_Abort")?;
        // SAFETY: a predefined communicator.
        check("MPI_Abort", unsafe { (self.abort)(self.comm_world, code) })
    }
}
