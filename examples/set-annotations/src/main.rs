//! `set-annotations`: a KRM function that sets annotations on the objects a kind/name selector
//! picks, changing no other byte, with only the public API of `krm_splice`. See README.md.

use std::io::{Read, Write};
use std::process::ExitCode;

use krm_splice::{
    changes_json, glob, Cursor, Editor, Envelope, File, Keep, KrmResult, Limits, Object, Severity,
    Text, Tree, Value, Wrapper,
};

/// What the functionConfig asks: annotations to set, on which objects (globs, `*` if unset).
struct Config {
    set: Vec<(String, String)>,
    kind: String,
    name: String,
}

impl Config {
    /// Read a ConfigMap's `data`: `kind` and `name` select, every other key is an annotation.
    fn read(fc: Option<&Cursor>) -> Result<Config, String> {
        let data = fc.and_then(|c| c.get("data")).filter(|d| d.node().is_map());
        let data = data.ok_or("functionConfig: no ConfigMap data (the annotations to set)")?;
        let (mut set, mut kind, mut name) = (Vec::new(), "*".into(), "*".into());
        for (k, v) in data.entries() {
            let s = v.node().scalar().filter(|_| v.node().is_string());
            let s = s.ok_or_else(|| format!("functionConfig: data.{k} is not a string"))?;
            match k {
                "kind" => kind = s.to_owned(),
                "name" => name = s.to_owned(),
                _ => set.push((k.to_owned(), s.to_owned())),
            }
        }
        if set.is_empty() {
            return Err("functionConfig: data names no annotation to set".into());
        }
        Ok(Config { set, kind, name })
    }

    /// Ask for one object's edits; say what they are, or why the object cannot be edited.
    fn annotate<'t, 'a>(
        &self,
        ed: &mut Editor<'t, 'a>,
        obj: &Object<'t, 'a>,
    ) -> Result<String, String> {
        let meta = obj.cursor.get("metadata").filter(|m| m.node().is_map());
        let meta = meta.ok_or("metadata is not a mapping")?;
        let ann = meta.get("annotations");
        // An annotation's value now, when it reads as a string.
        let now = |k: &str| {
            let c = ann.as_ref()?.get(k)?;
            c.node().scalar().filter(|_| c.node().is_string())
        };
        let todo: Vec<_> = self.set.iter().filter(|(k, v)| now(k) != Some(v)).collect();
        if todo.is_empty() {
            return Ok("annotations already as asked".into());
        }
        let all = || Value::map(todo.iter().map(|(k, v)| (k.clone(), Value::word(v))));
        match ann {
            None => ed.insert(&meta, "annotations", all()),
            Some(a) if a.node().is_null() => ed.replace(&a, all()),
            Some(a) if a.node().is_map() => todo.iter().try_for_each(|(k, v)| match a.get(k) {
                Some(old) => ed.replace(&old, Value::word(v)),
                None => ed.insert(&a, k, Value::word(v)),
            }),
            Some(_) => return Err("metadata.annotations is not a mapping".into()),
        }
        .map_err(|e| e.to_string())?;
        let keys: Vec<&str> = todo.iter().map(|(k, _)| k.as_str()).collect();
        Ok(format!("set annotations {}", keys.join(", ")))
    }
}

/// `set-annotations [--changes FILE] < INPUT > OUTPUT`: exit 0, or 1 when refused.
fn go() -> Result<u8, String> {
    let mut args = std::env::args().skip(1);
    let changes = match (args.next().as_deref(), args.next(), args.next()) {
        (None, ..) => None,
        (Some("--changes"), Some(file), None) => Some(file),
        _ => return Err("usage: set-annotations [--changes FILE] < INPUT".into()),
    };
    let mut input = Vec::new();
    let read = std::io::stdin().read_to_end(&mut input);
    read.map_err(|e| format!("reading stdin: {e}"))?;
    let limits = Limits::default();
    let text = Text::decode(&input, &limits).map_err(|e| e.to_string())?;
    let tree = Tree::parse(text, &Keep::new(), &limits).map_err(|e| e.to_string())?;
    let env = Envelope::read(&tree).map_err(|e| e.to_string())?;
    let root = match (env.wrapper, &env.root) {
        (Wrapper::ResourceList, Some(root)) => root,
        _ => return Err("not a ResourceList: the functionConfig comes in one".into()),
    };
    let mut ed = Editor::new(&tree, limits).with_envelope(&env);
    let mut results = Vec::new();
    match Config::read(env.function_config.as_ref()) {
        Err(m) => results.push(KrmResult::new(Severity::Error, m)),
        Ok(c) => {
            let picked = |o: &&Object| glob(&c.kind, &o.id.kind) && glob(&c.name, &o.id.name);
            for obj in env.objects.iter().filter(picked) {
                let (severity, message) = c
                    .annotate(&mut ed, obj)
                    .map_or_else(|m| (Severity::Error, m), |m| (Severity::Info, m));
                results.push(KrmResult {
                    resource_ref: Some((&obj.id).into()),
                    file: obj.file().map(|(path, index)| File { path, index }),
                    ..KrmResult::new(severity, message)
                });
            }
            if results.is_empty() {
                let m = format!("no object has kind {:?} and name {:?}", c.kind, c.name);
                results.push(KrmResult::new(Severity::Warning, m));
            }
        }
    }
    let mut done = None;
    if results.iter().all(|r| r.severity != Severity::Error) {
        match ed.add_results(root, &results).and_then(|()| ed.finish()) {
            Ok(edited) => done = Some(edited),
            Err(e) => results = vec![KrmResult::new(Severity::Error, format!("refused: {e}"))],
        }
    }
    for r in results.iter().filter(|r| r.severity != Severity::Info) {
        let _ = writeln!(std::io::stderr(), "{}", r.to_line());
    }
    let code = u8::from(done.is_none());
    let edited = match done {
        Some(edited) => edited,
        None => {
            // Refused: the ResourceList comes back unchanged but for the errors.
            results.retain(|r| r.severity == Severity::Error);
            let mut ed = Editor::new(&tree, limits);
            let done = ed.add_results(root, &results).and_then(|()| ed.finish());
            done.map_err(|e| format!("cannot add the results: {e}"))?
        }
    };
    let json = changes.map(|file| std::fs::write(file, changes_json(&edited.changes)));
    json.transpose().map_err(|e| format!("--changes: {e}"))?;
    let written = edited.write(&input, std::io::stdout().lock());
    written.map_err(|e| format!("writing stdout: {e}"))?;
    Ok(code)
}

fn main() -> ExitCode {
    let code = go().unwrap_or_else(|m| {
        let _ = writeln!(std::io::stderr(), "error: {m}");
        1
    });
    ExitCode::from(code)
}
