//! The item a byte offset lies in, named the way a reader would (`impl Guard::drop`,
//! `mod net::fn setup`), for keys that survive edits elsewhere in the file.

use quote::ToTokens;
use syn::spanned::Spanned;

/// The innermost named items around `offset`, outermost first, joined with `::`; empty at
/// the top level of the file.
pub fn enclosing_item(file: &syn::File, offset: usize) -> String {
    let mut path = Vec::new();
    walk_items(&file.items, offset, &mut path);
    path.join("::")
}

fn contains(node: &dyn Spanned, offset: usize) -> bool {
    node.span().byte_range().contains(&offset)
}

fn walk_items(items: &[syn::Item], offset: usize, path: &mut Vec<String>) {
    let Some(item) = items.iter().find(|i| contains(*i, offset)) else {
        return;
    };
    match item {
        syn::Item::Fn(f) => path.push(format!("fn {}", f.sig.ident)),
        syn::Item::Mod(m) => {
            path.push(format!("mod {}", m.ident));
            if let Some((_, inner)) = &m.content {
                walk_items(inner, offset, path);
            }
        }
        syn::Item::Impl(i) => {
            let ty = compact(&i.self_ty.to_token_stream().to_string());
            let name = match &i.trait_ {
                Some((trait_path, _)) => {
                    format!(
                        "impl {} for {ty}",
                        compact(&trait_path.to_token_stream().to_string())
                    )
                }
                None => format!("impl {ty}"),
            };
            path.push(name);
            for member in &i.items {
                if let syn::ImplItem::Fn(f) = member
                    && contains(f, offset)
                {
                    path.push(format!("fn {}", f.sig.ident));
                }
            }
        }
        syn::Item::Trait(t) => {
            path.push(format!("trait {}", t.ident));
            for member in &t.items {
                if let syn::TraitItem::Fn(f) = member
                    && contains(f, offset)
                {
                    path.push(format!("fn {}", f.sig.ident));
                }
            }
        }
        syn::Item::Const(c) => path.push(format!("const {}", c.ident)),
        syn::Item::Static(s) => path.push(format!("static {}", s.ident)),
        syn::Item::Struct(s) => path.push(format!("struct {}", s.ident)),
        syn::Item::Enum(e) => path.push(format!("enum {}", e.ident)),
        _ => {}
    }
}

/// Token text without the spaces `to_string` puts between tokens.
fn compact(tokens: &str) -> String {
    tokens.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_nested_items() {
        let text = "mod net {\n    impl Drop for Guard<'_> {\n        fn drop(&mut self) { x(); }\n    }\n}\nfn main() { y(); }\n";
        let file = syn::parse_file(text).expect("parses");
        let x = text.find("x()").expect("x");
        assert_eq!(
            enclosing_item(&file, x),
            "mod net::impl Drop for Guard<'_>::fn drop"
        );
        let y = text.find("y()").expect("y");
        assert_eq!(enclosing_item(&file, y), "fn main");
        assert_eq!(enclosing_item(&file, 0), "mod net");
    }
}
