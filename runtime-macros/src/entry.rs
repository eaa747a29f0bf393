//! Checks the annotated function and writes its expansion.

use proc_macro2::TokenStream;
use quote::quote;
use syn::punctuated::Punctuated;
use syn::{ItemFn, ReturnType};

use crate::options::{Flavor, Kind, Options};

/// The whole macro: `args` are the tokens inside the attribute's
/// parentheses, `item` the function it is on.
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(e) => {
            let message = format!("`#[runtime::{}]` goes on an `async fn`", kind.name());
            // syn's own "expected `fn`" adds nothing to this message.
            let error = syn::Error::new(e.span(), message).to_compile_error();
            // Keep the item so the only errors are ours.
            return quote!(#error #item);
        }
    };
    // Report the signature's and the options' problems together: one
    // compile round shows everything that is wrong.
    match (check_signature(kind, &func), Options::parse(kind, args)) {
        (Ok(()), Ok(options)) => generate(kind, &options, func),
        (Err(mut a), Err(b)) => {
            a.combine(b);
            stub(kind, &a, func)
        }
        (Err(e), _) | (_, Err(e)) => stub(kind, &e, func),
    }
}

fn check_signature(kind: Kind, func: &ItemFn) -> syn::Result<()> {
    let name = kind.name();
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    if func.sig.asyncness.is_none() {
        push(syn::Error::new_spanned(
            func.sig.fn_token,
            format!("`#[runtime::{name}]` needs an `async fn`: add `async` before `fn`"),
        ));
    }
    if !func.sig.inputs.is_empty() {
        push(syn::Error::new_spanned(
            &func.sig.inputs,
            format!("a `#[runtime::{name}]` function takes no arguments"),
        ));
    }
    if kind == Kind::Test {
        // A second `#[test]` would register the function twice (or, on the
        // stub, make rustc complain about an `async` test).
        if let Some(attr) = func.attrs.iter().find(|a| a.path().is_ident("test")) {
            push(syn::Error::new_spanned(
                attr,
                "`#[runtime::test]` already adds `#[test]`: remove this one",
            ));
        }
    }
    errors.map_or(Ok(()), Err)
}

fn generate(kind: Kind, options: &Options, mut func: ItemFn) -> TokenStream {
    let krate = &options.crate_path;
    let flavor = match options.flavor {
        Flavor::CurrentThread => quote!(.current_thread()),
        Flavor::MultiThread => quote!(.multi_thread()),
    };
    let workers = options
        .worker_threads
        .as_ref()
        .map(|n| quote!(.worker_threads(#n)));
    let paused = options.start_paused.then(|| quote!(.start_paused(true)));
    let debug = options.debug.map(|on| quote!(.debug(#on)));
    let output = match &func.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let body = &func.block;
    // `block_on`, not `run`: the body need not be `Send` (main futures often
    // hold `Rc`s or `RefCell`s), and a panic unwinds straight out of `main`
    // or the test, which is what `#[should_panic]` expects.
    //
    // The body is pinned and seen as `dyn Future<Output = T>`: the annotation
    // tells type inference the async block's output (so `?` inside it knows
    // its error type), and tests share one `block_on` instance instead of one
    // per test.
    let block = quote! {{
        let body = async #body;
        let body: ::core::pin::Pin<&mut dyn ::core::future::Future<Output = #output>> =
            ::core::pin::pin!(body);
        #[allow(clippy::expect_used)]
        let rt = #krate::Runtime::builder()
            #flavor
            #workers
            #paused
            #debug
            .build()
            .expect("failed to build the runtime");
        rt.block_on(body)
    }};
    func.sig.asyncness = None;
    *func.block = syn::parse_quote!(#block);
    if kind == Kind::Test {
        func.attrs
            .insert(0, syn::parse_quote!(#[::core::prelude::v1::test]));
    }
    quote!(#func)
}

/// The error, plus the function made harmless (not async, no arguments,
/// body never run) so rustc reports only the macro's errors and not follow-on
/// ones such as "`main` function not found" or "`main` cannot be async".
fn stub(kind: Kind, error: &syn::Error, mut func: ItemFn) -> TokenStream {
    func.sig.asyncness = None;
    func.sig.inputs = Punctuated::new();
    *func.block = syn::parse_quote!({ ::core::unreachable!() });
    if kind == Kind::Test {
        func.attrs.insert(0, syn::parse_quote!(#[allow(dead_code)]));
    }
    let error = error.to_compile_error();
    quote!(#error #func)
}
