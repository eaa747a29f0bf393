//! The options inside `#[runtime::main(...)]` / `#[runtime::test(...)]`.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::{LitBool, LitInt, LitStr, Path};

/// Which macro is parsing: the two differ only in the default flavour.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Main,
    Test,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Main => "main",
            Kind::Test => "test",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    MultiThread,
}

/// The validated options. Every field is what the expansion needs; nothing
/// is left to check later.
pub(crate) struct Options {
    pub(crate) flavor: Flavor,
    pub(crate) worker_threads: Option<LitInt>,
    pub(crate) start_paused: bool,
    /// Debug mode (`debug` or `debug = true`); `None` leaves it to `RUNTIME_DEBUG`.
    pub(crate) debug: Option<bool>,
    /// Where the facade lives (`::runtime` unless `crate = "..."`).
    pub(crate) crate_path: Path,
}

/// What was written, with spans, before the cross-option checks.
#[derive(Default)]
struct Raw {
    flavor: Option<Flavor>,
    worker_threads: Option<LitInt>,
    start_paused: Option<LitBool>,
    debug: Option<bool>,
    crate_path: Option<Path>,
}

const KNOWN: &str = "`flavor`, `worker_threads`, `start_paused`, `debug`, `crate`";

impl Options {
    pub(crate) fn parse(kind: Kind, args: TokenStream) -> syn::Result<Options> {
        let mut raw = Raw::default();
        let parser = syn::meta::parser(|meta| {
            // `set` refuses a second occurrence, pointing at it.
            fn set<T>(
                slot: &mut Option<T>,
                value: T,
                meta: &syn::meta::ParseNestedMeta,
            ) -> syn::Result<()> {
                if slot.is_some() {
                    return Err(meta.error("this option is given twice"));
                }
                *slot = Some(value);
                Ok(())
            }
            if meta.path.is_ident("flavor") {
                let lit: LitStr = meta.value()?.parse()?;
                let flavor = match lit.value().as_str() {
                    "current_thread" => Flavor::CurrentThread,
                    "multi_thread" => Flavor::MultiThread,
                    _ => {
                        return Err(syn::Error::new(
                            lit.span(),
                            "unknown flavor: expected \"current_thread\" or \"multi_thread\"",
                        ));
                    }
                };
                set(&mut raw.flavor, flavor, &meta)
            } else if meta.path.is_ident("worker_threads") {
                let lit: LitInt = meta.value()?.parse()?;
                // Checked here so a bad count fails at the macro, not as a
                // type error or a runtime panic in the expansion.
                if lit.base10_parse::<usize>()? == 0 {
                    return Err(syn::Error::new(
                        lit.span(),
                        "`worker_threads` must be at least 1",
                    ));
                }
                set(&mut raw.worker_threads, lit, &meta)
            } else if meta.path.is_ident("start_paused") {
                let lit: LitBool = meta.value()?.parse()?;
                set(&mut raw.start_paused, lit, &meta)
            } else if meta.path.is_ident("crate") {
                let lit: LitStr = meta.value()?.parse()?;
                set(&mut raw.crate_path, lit.parse::<Path>()?, &meta)
            } else if meta.path.is_ident("debug") {
                // `debug` alone means `debug = true`, as asyncio's `debug=True`.
                let on = if meta.input.peek(syn::Token![=]) {
                    meta.value()?.parse::<LitBool>()?.value
                } else {
                    true
                };
                set(&mut raw.debug, on, &meta)
            } else {
                Err(meta.error(format!("unknown option; expected one of {KNOWN}")))
            }
        });
        parser.parse2(args)?;
        raw.validate(kind)
    }
}

impl Raw {
    fn validate(self, kind: Kind) -> syn::Result<Options> {
        // Like tokio: `main` defaults to the multi-thread scheduler, `test`
        // to the current-thread one (deterministic, and a test needs no pool).
        let default = match kind {
            Kind::Main => Flavor::MultiThread,
            Kind::Test => Flavor::CurrentThread,
        };
        let flavor = self.flavor.unwrap_or(default);
        if flavor == Flavor::CurrentThread {
            if let Some(lit) = &self.worker_threads {
                let hint = match self.flavor {
                    Some(_) => String::new(),
                    None => format!(
                        "; `#[runtime::{}]` defaults to \"current_thread\", add `flavor = \"multi_thread\"`",
                        kind.name()
                    ),
                };
                return Err(syn::Error::new(
                    lit.span(),
                    format!("`worker_threads` needs the \"multi_thread\" flavor{hint}"),
                ));
            }
        }
        let start_paused = self.start_paused.as_ref().is_some_and(|b| b.value);
        if start_paused && flavor == Flavor::MultiThread {
            // The multi-thread clock cannot pause: `Builder::start_paused`
            // would silently ignore it and the test would really sleep.
            let span = self
                .start_paused
                .as_ref()
                .map_or_else(Span::call_site, LitBool::span);
            return Err(syn::Error::new(
                span,
                "`start_paused` needs the \"current_thread\" flavor (the multi-thread clock cannot pause)",
            ));
        }
        Ok(Options {
            flavor,
            worker_threads: self.worker_threads,
            start_paused,
            debug: self.debug,
            crate_path: self
                .crate_path
                .unwrap_or_else(|| syn::parse_quote!(::runtime)),
        })
    }
}
