//! The page frame: header with the language switch, main content, footer; inline CSS only.

use std::fmt::Write as _;

use egov_core::Language;

use crate::i18n::t;

/// Escapes text for HTML content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = "
*{box-sizing:border-box}
body{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:1rem;line-height:1.5;color:#1a1a1a;background:#f4f4f4}
a{color:#0b5394}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f2a900;outline-offset:2px}
.skip{position:absolute;left:-999px}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}
header{background:#fff;border-top:6px solid #d8232a;border-bottom:1px solid #ccc}
.bar{max-width:52rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem}
.brand{display:flex;align-items:center;gap:.75rem;font-weight:bold;color:#1a1a1a;text-decoration:none}
.cross{display:inline-block;width:28px;height:28px;background:#d8232a;position:relative}
.cross:before,.cross:after{content:'';position:absolute;background:#fff}
.cross:before{left:11px;top:5px;width:6px;height:18px}
.cross:after{left:5px;top:11px;width:18px;height:6px}
nav ul{list-style:none;margin:0;padding:0;display:flex;gap:.5rem}
nav a[aria-current]{font-weight:bold;color:#1a1a1a;text-decoration:none}
main{max-width:52rem;margin:1.5rem auto;padding:1.5rem;background:#fff;border:1px solid #ddd}
h1{font-size:1.6rem;margin-top:0}
h2{font-size:1.2rem;margin-top:1.75rem;border-bottom:1px solid #ddd;padding-bottom:.25rem}
label{display:block;font-weight:bold;margin-top:1rem}
.hint{display:block;font-weight:normal;color:#555;font-size:.9rem}
input[type=text],input[type=email],select{width:100%;max-width:28rem;padding:.5rem;border:1px solid #666;font-size:1rem}
input[aria-invalid=true],select[aria-invalid=true]{border:2px solid #b00020}
.field-error{color:#b00020;font-weight:bold;margin:.25rem 0 0}
.errors{border:2px solid #b00020;padding:1rem;margin-bottom:1rem}
.errors h2{margin-top:0;border:0;color:#b00020}
fieldset{border:1px solid #ccc;margin-top:1.25rem;padding:0 1rem 1rem}
legend{font-weight:bold;padding:0 .25rem}
.button,button{display:inline-block;margin-top:1.25rem;padding:.6rem 1.2rem;background:#d8232a;color:#fff;border:0;font-size:1rem;text-decoration:none;cursor:pointer}
.button.secondary,button.secondary{background:#fff;color:#0b5394;border:1px solid #0b5394}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:bold}
dd{margin:0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;border-bottom:1px solid #ddd;padding:.4rem}
.status{display:inline-block;padding:.1rem .5rem;border:1px solid #555}
.status.paid{background:#e6f4ea;border-color:#1e7b34}
.note{background:#fff8e1;border-left:4px solid #f2a900;padding:.5rem 1rem}
pre{white-space:pre-wrap;background:#f7f7f7;padding:1rem;border:1px solid #ddd}
footer{max-width:52rem;margin:0 auto 2rem;padding:0 1rem;color:#555;font-size:.9rem}
";

/// A whole page. `path` is the current path without query, for the language links.
pub(crate) fn page(lang: Language, title: &str, path: &str, body: &str) -> String {
    let mut html = String::with_capacity(body.len() + 4096);
    let _ = write!(
        html,
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} – {site}</title><style>{CSS}</style></head><body>\
         <a class=\"skip\" href=\"#main\">{skip}</a>\
         <header><div class=\"bar\"><a class=\"brand\" href=\"/\"><span class=\"cross\" aria-hidden=\"true\"></span>\
         <span>Gemeinde Muster<br>{site}</span></a>\
         <nav aria-label=\"{language}\"><ul>",
        code = lang.code(),
        title = esc(title),
        site = esc(t(lang, "site")),
        skip = esc(t(lang, "skip")),
        language = esc(t(lang, "language")),
    );
    for other in Language::ALL {
        if other == lang {
            let _ = write!(
                html,
                "<li><a href=\"{p}?lang={c}\" lang=\"{c}\" aria-current=\"true\">{c}</a></li>",
                p = esc(path),
                c = other.code()
            );
        } else {
            let _ = write!(
                html,
                "<li><a href=\"{p}?lang={c}\" lang=\"{c}\" hreflang=\"{c}\" title=\"{name}\">{c}</a></li>",
                p = esc(path),
                c = other.code(),
                name = other.endonym()
            );
        }
    }
    let _ = write!(
        html,
        "</ul></nav></div></header><main id=\"main\" tabindex=\"-1\">{body}</main>\
         <footer>Basisdienste – online-counter (demo)</footer></body></html>"
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn page_has_language_and_switch() {
        let html = page(Language::It, "Titolo", "/order", "<p>x</p>");
        assert!(html.starts_with("<!doctype html><html lang=\"it\">"));
        assert!(html.contains("href=\"/order?lang=fr\""));
        assert!(html.contains("aria-current=\"true\">it<"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
