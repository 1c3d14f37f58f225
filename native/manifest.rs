// Reader of native/ops.manifest, shared by the build scripts of cat-kernels and cat-native
// (`include!`d: build scripts cannot depend on a crate of the same workspace). The syntax is
// described at the top of the manifest; tools/gen-native-ops.mjs reads it the same way for
// TypeScript, and both hash the same canonical text. Build scripts that include it allow dead
// code: each uses only part of it.

/// One argument of an addon function: its JS name and its manifest type.
pub struct Arg {
    pub name: String,
    pub ty: String,
}

/// One addon function.
pub struct Func {
    pub name: String,
    pub args: Vec<Arg>,
    pub returns_string: bool,
}

/// One op-code table: the names in code order.
pub struct Codes {
    pub name: String,
    pub names: Vec<String>,
}

pub struct Manifest {
    pub funcs: Vec<Func>,
    pub codes: Vec<Codes>,
    /// FNV-1a 64 of the declarations with whitespace collapsed, as 16 hex digits.
    pub hash: String,
}

/// The manifest at `path`, or a message naming the line that is wrong.
pub fn read_manifest(path: &std::path::Path) -> Result<Manifest, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut m = Manifest { funcs: Vec::new(), codes: Vec::new(), hash: String::new() };
    let mut canonical = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let at = |msg: &str| format!("{}:{}: {msg}", path.display(), n + 1);
        if line.is_empty() || line.starts_with('#') || line.starts_with("///") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("codes ") {
            let (name, list) = rest.split_once(':').ok_or_else(|| at("expected `codes ENUM: NAME ...`"))?;
            let names = split_top_level(list, ' ').iter().map(|e| e.split('(').next().unwrap_or("").to_string()).collect();
            m.codes.push(Codes { name: name.trim().to_string(), names });
        } else if let Some(rest) = line.strip_prefix("fn ") {
            let (name, rest) = rest.split_once('(').ok_or_else(|| at("expected `fn NAME(ARG: TYPE, ...)`"))?;
            let (list, ret) = rest.rsplit_once(')').ok_or_else(|| at("missing `)`"))?;
            let mut args = Vec::new();
            for a in split_top_level(list, ',') {
                let (an, ty) = a.split_once(':').ok_or_else(|| at(&format!("argument `{a}` needs a type")))?;
                args.push(Arg { name: an.trim().to_string(), ty: ty.trim().to_string() });
            }
            let returns_string = match ret.trim() {
                "" => false,
                "-> string" => true,
                other => return Err(at(&format!("unknown return `{other}`"))),
            };
            m.funcs.push(Func { name: name.trim().to_string(), args, returns_string });
        } else {
            return Err(at("expected `fn`, `codes`, `#` or `///`"));
        }
        canonical.push(line);
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in canonical.join("\n").bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    m.hash = format!("{h:016x}");
    Ok(m)
}

/// Non-empty trimmed pieces of `s` split at `sep` outside parentheses.
fn split_top_level(s: &str, sep: char) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if c == sep && depth == 0 {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

/// `conv2dBackpropInput` -> `conv2d_backprop_input`; `UnaryOp` -> `unary_op`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
