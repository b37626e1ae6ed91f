//! The UI's contract, generated: `ui/src/lib/api/generated/{types,commands}.ts`
//! come from the Rust types (ts-rs) and from the `#[tauri::command]` functions
//! of this crate (read from its source with syn), so the UI cannot drift from
//! the app. The tests fail when the committed files differ from what this
//! generates; `SENDA_BLESS=1 cargo test -p senda-app bindings` rewrites them.
//!
//! A new command needs nothing here unless it uses a type no other command
//! does: add that type to `ROOTS` (the test names it).

use senda_core::casework::{
    Case, CaseDetails, CaseError, CaseNotes, CaseSummary, Consent, OutboxCounts, OutboxEntry,
    Proposal, Referral, ReferralRequest, ReferralSlip, ReferralStatus, Screening, TellOnceSummary,
};
use senda_core::checklist::{Answer, Checklist, ChecklistSummary};
use senda_core::content::{Article, InstallError, InstalledPack, Place};
use senda_core::directory::{SearchResult, ServiceQuery};
use senda_core::sync::{
    ContentAvailable, Exported, HandOver, KeyStatus, KeyTrustError, ReceivedReferral, SyncConflict,
    SyncError, SyncIdentity, SyncReport,
};
use senda_core::{LockPolicy, Person, StaffMember, VaultError, VaultStatus};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use ts_rs::{TS, TypeVisitor};

/// Every type a command takes or returns (their own parts follow by themselves).
fn roots(v: &mut Declarations) {
    v.visit::<VaultStatus>();
    v.visit::<StaffMember>();
    v.visit::<Person>();
    v.visit::<LockPolicy>();
    v.visit::<Article>();
    v.visit::<Place>();
    v.visit::<InstalledPack>();
    v.visit::<ChecklistSummary>();
    v.visit::<ServiceQuery>();
    v.visit::<SearchResult>();
    v.visit::<Checklist>();
    v.visit::<Answer>();
    v.visit::<Case>();
    v.visit::<CaseSummary>();
    v.visit::<CaseDetails>();
    v.visit::<CaseNotes>();
    v.visit::<Screening>();
    v.visit::<Consent>();
    v.visit::<Proposal>();
    v.visit::<TellOnceSummary>();
    v.visit::<Referral>();
    v.visit::<ReferralRequest>();
    v.visit::<ReferralStatus>();
    v.visit::<ReferralSlip>();
    v.visit::<OutboxCounts>();
    v.visit::<OutboxEntry>();
    v.visit::<crate::sync::SyncStatus>();
    v.visit::<SyncIdentity>();
    v.visit::<SyncReport>();
    v.visit::<Exported>();
    v.visit::<SyncConflict>();
    v.visit::<ReceivedReferral>();
    v.visit::<ContentAvailable>();
    v.visit::<KeyStatus>();
    v.visit::<HandOver>();
}

/// Values the UI shows or checks, taken from the core so they are written once.
fn constants() -> Vec<(&'static str, &'static str, String)> {
    use senda_core::casework::{ALIAS_MAX, Explained, NOTE_MAX};
    let json = |v: serde_json::Value| v.to_string();
    let mut codes: Vec<&str> = VaultError::all_codes()
        .into_iter()
        .chain(CaseError::all_codes())
        .chain(InstallError::all_codes())
        .chain(SyncError::all_codes())
        .chain(KeyTrustError::all_codes())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    vec![
        (
            "COUNTRIES",
            "The countries Senda works in (case forms, the public side, the directory).",
            json(serde_json::json!(senda_core::countries::WORKING)),
        ),
        (
            "NATIONALITIES",
            "The nationalities a case form offers first.",
            json(serde_json::json!(senda_core::countries::NATIONALITIES)),
        ),
        (
            "LIMITS",
            "Field lengths, in characters, as the core enforces them.",
            json(serde_json::json!({
                "alias": ALIAS_MAX,
                "note": NOTE_MAX,
                "staff_name": senda_core::NAME_MAX,
                "staff_label": senda_core::LABEL_MAX,
            })),
        ),
        (
            "EXPLAINED",
            "What must be explained before consent counts, in order.",
            json(serde_json::json!(Explained::ALL)),
        ),
        (
            "ERROR_CODES",
            "Every error code a command can answer with (each has `error-<code>` in every locale).",
            json(serde_json::json!(codes)),
        ),
    ]
}

/// Collects each declared type once, with its dependencies, by name.
#[derive(Default)]
struct Declarations(BTreeMap<String, String>);

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_none() {
            T::visit_dependencies(self);
            return;
        }
        let name = T::ident();
        if self.0.contains_key(&name) {
            return;
        }
        let docs = T::docs().unwrap_or_default();
        self.0.insert(name, format!("{docs}export {}", T::decl()));
        T::visit_dependencies(self);
    }
}

const HEADER: &str = "// Generated from the Rust code by src-tauri/src/bindings.rs: do not edit.\n// Regenerate with `SENDA_BLESS=1 cargo test -p senda-app bindings`.\n";

/// ts-rs writes 64-bit integers as `bigint`, but serde_json sends them as JSON
/// numbers, which is what the UI receives.
fn json_numbers(decl: &str) -> String {
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(decl.len());
    let mut rest = decl;
    while let Some(at) = rest.find("bigint") {
        let before = out.chars().last().or_else(|| rest[..at].chars().last());
        let before = rest[..at].chars().last().or(before);
        let after = rest[at + "bigint".len()..].chars().next();
        out.push_str(&rest[..at]);
        out.push_str(if ident(before) || ident(after) {
            "bigint"
        } else {
            "number"
        });
        rest = &rest[at + "bigint".len()..];
    }
    out.push_str(rest);
    out
}

/// Rust type aliases named in commands: ts-rs declares no alias, so they are written here
/// from the aliased type.
fn aliases(decls: &mut Declarations) {
    use senda_core::checklist::Answers;
    decls.visit::<Answers>();
    decls.0.insert(
        "Answers".into(),
        format!(
            "/** Answers by question id. */\nexport type Answers = {};",
            Answers::inline()
        ),
    );
}

fn types_ts() -> (String, BTreeSet<String>) {
    let mut decls = Declarations::default();
    roots(&mut decls);
    aliases(&mut decls);
    let mut out = String::from(HEADER);
    for decl in decls.0.values() {
        out.push('\n');
        // serde_json writes 64-bit integers as JSON numbers, which is what the UI receives.
        out.push_str(&json_numbers(decl));
        out.push('\n');
    }
    for (name, doc, value) in constants() {
        out.push_str(&format!(
            "\n/** {doc} */\nexport const {name} = {value} as const;\n"
        ));
    }
    (out, decls.0.into_keys().collect())
}

/// One `#[tauri::command]` as the UI calls it.
struct Command {
    name: String,
    docs: Vec<String>,
    params: Vec<(String, syn::Type)>,
    output: Option<syn::Type>,
}

/// Parameters Tauri fills in itself; the UI never sends them.
const INJECTED: &[&str] = &["State", "AppHandle", "WebviewWindow", "Window", "Webview"];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn commands_in_source() -> Vec<Command> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(src_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut commands = Vec::new();
    for file in files {
        let ast = syn::parse_file(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for item in ast.items {
            let syn::Item::Fn(f) = item else { continue };
            let is_command = f.attrs.iter().any(|a| {
                let segs: Vec<String> = a
                    .path()
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                segs == ["tauri", "command"]
            });
            if !is_command {
                continue;
            }
            let docs = f
                .attrs
                .iter()
                .filter_map(|a| match &a.meta {
                    syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }) => Some(s.value().trim().to_owned()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            let params = f
                .sig
                .inputs
                .iter()
                .filter_map(|arg| {
                    let syn::FnArg::Typed(arg) = arg else {
                        return None;
                    };
                    let syn::Pat::Ident(name) = &*arg.pat else {
                        return None;
                    };
                    let injected = last_segment(&arg.ty)
                        .is_some_and(|s| INJECTED.contains(&s.ident.to_string().as_str()));
                    (!injected).then(|| (name.ident.to_string(), (*arg.ty).clone()))
                })
                .collect();
            let output = match &f.sig.output {
                syn::ReturnType::Default => None,
                syn::ReturnType::Type(_, ty) => Some(ok_type(ty)),
            };
            commands.push(Command {
                name: f.sig.ident.to_string(),
                docs,
                params,
                output,
            });
        }
    }
    commands
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last(),
        syn::Type::Reference(r) => last_segment(&r.elem),
        _ => None,
    }
}

fn type_args(seg: &syn::PathSegment) -> Vec<&syn::Type> {
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `Result<T, E>` (any alias named `Result`) → `T`; anything else as it is.
fn ok_type(ty: &syn::Type) -> syn::Type {
    match last_segment(ty) {
        Some(seg) if seg.ident == "Result" => type_args(seg)
            .first()
            .map(|t| (*t).clone())
            .unwrap_or_else(|| panic!("a Result without its type")),
        _ => ty.clone(),
    }
}

/// The TypeScript for a Rust type named in a command's signature. Named
/// types must be among the generated declarations.
fn ts_type(ty: &syn::Type, known: &BTreeSet<String>, used: &mut BTreeSet<String>) -> String {
    if let syn::Type::Tuple(t) = ty {
        assert!(t.elems.is_empty(), "tuples are not used in commands");
        return "void".into();
    }
    let seg = last_segment(ty).unwrap_or_else(|| panic!("unsupported type in a command"));
    let args = type_args(seg);
    match seg.ident.to_string().as_str() {
        "String" | "str" | "NaiveDate" => "string".into(),
        "bool" => "boolean".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" | "f32"
        | "f64" => "number".into(),
        "Option" => format!("{} | null", ts_type(args[0], known, used)),
        "Vec" => {
            let inner = ts_type(args[0], known, used);
            if inner.contains(' ') {
                format!("({inner})[]")
            } else {
                format!("{inner}[]")
            }
        }
        name => {
            assert!(
                known.contains(name),
                "{name} is used by a command but has no TypeScript declaration: \
                 derive ts_rs::TS for it and add it to ROOTS in src-tauri/src/bindings.rs"
            );
            used.insert(name.to_owned());
            name.to_owned()
        }
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn commands_ts(known: &BTreeSet<String>) -> String {
    let mut used = BTreeSet::new();
    let mut body = String::new();
    let mut names = Vec::new();
    for c in commands_in_source() {
        names.push(format!("'{}'", c.name));
        if !c.docs.is_empty() {
            body.push_str(&format!("    /** {} */\n", c.docs.join(" ")));
        }
        let params: Vec<(String, String)> = c
            .params
            .iter()
            .map(|(n, t)| (camel(n), ts_type(t, known, &mut used)))
            .collect();
        let output = c
            .output
            .as_ref()
            .map_or_else(|| "void".into(), |t| ts_type(t, known, &mut used));
        let signature: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        let args = if params.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
            format!(", {{ {} }}", names.join(", "))
        };
        body.push_str(&format!(
            "    {}: ({}): Promise<{output}> => invoke('{}'{args}),\n",
            camel(&c.name),
            signature.join(", "),
            c.name
        ));
    }
    let imports: Vec<&str> = used.iter().map(String::as_str).collect();
    format!(
        "{HEADER}import type {{ {} }} from './types';\n\n\
         /** How a command reaches the app: Tauri's `invoke`, or the fake in browser tests. */\n\
         export type Invoke = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;\n\n\
         /** Every command of the app, typed as the Rust functions are. */\n\
         export function commands(invoke: Invoke) {{\n  return {{\n{body}  }};\n}}\n\n\
         /** Everything the UI may ask of the app. Nothing else reaches the core. */\n\
         export type Api = ReturnType<typeof commands>;\n\n\
         /** The command names, as `generate_handler!` registers them. */\n\
         export const COMMANDS = [{}] as const;\n",
        imports.join(", "),
        names.join(", ")
    )
}

fn generated_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/api/generated")
}

/// Compares a generated file with the committed one, or rewrites it under `SENDA_BLESS=1`.
fn check_or_bless(name: &str, generated: &str) {
    let path = generated_dir().join(name);
    if std::env::var_os("SENDA_BLESS").is_some() {
        std::fs::create_dir_all(generated_dir()).unwrap();
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or(
                committed.lines().count().min(generated.lines().count()),
                |i| i,
            )
            + 1;
        panic!(
            "{} differs from the Rust code (first at line {line}): \
             run `SENDA_BLESS=1 cargo test -p senda-app bindings` and commit the result",
            path.display()
        );
    }
}

/// The functions `generate_handler!` in main.rs registers, by name.
fn registered_commands() -> Vec<String> {
    let main = std::fs::read_to_string(src_dir().join("main.rs")).unwrap();
    let start = main
        .find("generate_handler![")
        .expect("generate_handler! in main.rs");
    let list = &main[start + "generate_handler![".len()..];
    let list = &list[..list.find(']').unwrap()];
    list.split(',')
        .map(|entry| entry.trim().rsplit("::").next().unwrap().to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn bindings_the_committed_types_are_the_rust_types() {
    let (types, _) = types_ts();
    check_or_bless("types.ts", &types);
}

#[test]
fn bindings_the_committed_commands_are_the_rust_commands() {
    let (_, known) = types_ts();
    check_or_bless("commands.ts", &commands_ts(&known));
}

#[test]
fn bindings_every_registered_command_has_a_typescript_binding() {
    // What this code generates (the test above checks the committed file is
    // the same): reading the file would race with it under SENDA_BLESS=1.
    let committed = commands_ts(&types_ts().1);
    let registered = registered_commands();
    assert!(registered.len() > 40, "{registered:?}");
    for name in &registered {
        assert!(
            committed.contains(&format!("invoke('{name}'")),
            "{name} is registered with generate_handler! but ui/src/lib/api/generated/commands.ts has no binding for it"
        );
    }
    let defined: BTreeSet<String> = commands_in_source().into_iter().map(|c| c.name).collect();
    let registered: BTreeSet<String> = registered.into_iter().collect();
    assert_eq!(
        defined, registered,
        "every #[tauri::command] is registered, and only those"
    );
}

#[test]
fn bindings_sixty_four_bit_integers_are_numbers() {
    assert_eq!(
        json_numbers("{ version: bigint, h: Array<[string, bigint]>, bigints: bigint_x }"),
        "{ version: number, h: Array<[string, number]>, bigints: bigint_x }"
    );
}

#[test]
fn bindings_signatures_are_read_as_tauri_sends_them() {
    // Tauri names arguments in camelCase and unwraps `Result`'s Ok type.
    let known: BTreeSet<String> = ["Case".to_owned()].into();
    let mut used = BTreeSet::new();
    let ty: syn::Type = syn::parse_str("Result<Vec<Option<Case>>, AppError>").unwrap();
    assert_eq!(ts_type(&ok_type(&ty), &known, &mut used), "(Case | null)[]");
    assert_eq!(camel("screening_id"), "screeningId");
    let unknown: syn::Type = syn::parse_str("Mystery").unwrap();
    let refused = std::panic::catch_unwind(|| ts_type(&unknown, &known, &mut BTreeSet::new()));
    assert!(
        refused.is_err(),
        "an undeclared type is refused, not passed as any"
    );
}
