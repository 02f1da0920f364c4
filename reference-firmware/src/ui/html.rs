//! HTML building blocks: escaping, the page frame with its tabs, notices. Everything is inline
//! (no scripts, no external resources; the Content-Security-Policy forbids both).

/// Escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The tabs: (path, label).
pub const TABS: [(&str, &str); 6] = [
    ("/status", "Status"),
    ("/wifi", "Wi-Fi"),
    ("/installation", "Installation"),
    ("/rfid", "RFID"),
    ("/ocpp", "OCPP"),
    ("/factory-reset", "Factory reset"),
];

const STYLE: &str = "body{font-family:sans-serif;margin:0;background:#f4f4f4;color:#222}\
header{background:#222;color:#fff;padding:.6em 1em;display:flex;\
justify-content:space-between;align-items:center}header button{margin:0}nav{display:flex;flex-wrap:wrap;gap:.2em;\
background:#ddd;padding:.3em 1em}nav a{padding:.4em .8em;text-decoration:none;color:#222;\
border-radius:.3em}nav a.on{background:#fff;font-weight:bold}main{padding:1em;max-width:44em}\
table{border-collapse:collapse}td,th{text-align:left;padding:.25em .8em .25em 0;vertical-align:top}\
label{display:block;margin:.6em 0 .2em}input,select{padding:.3em;width:26em;max-width:100%}\
input[type=checkbox]{width:auto}\
button{margin-top:.8em;padding:.4em 1.2em}.notice{padding:.6em;margin:.6em 0;border-radius:.3em}\
.ok{background:#d7f5d7}.warn{background:#fff1c4}.error{background:#f9d0d0}\
form.inline{display:inline}form.inline button{margin:0}";

/// Kind of notice shown at the top of a tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Ok,
    Warning,
    Error,
}

/// A notice box; its `id` (`saved`, `warning`, `error`) lets tests and the browser test find it.
pub fn notice(kind: Notice, text: &str) -> String {
    let id = match kind {
        Notice::Ok => "saved",
        Notice::Warning => "warning",
        Notice::Error => "error",
    };
    notice_with_id(kind, id, text)
}

/// A notice box with a chosen `id`.
pub fn notice_with_id(kind: Notice, id: &str, text: &str) -> String {
    let class = match kind {
        Notice::Ok => "ok",
        Notice::Warning => "warn",
        Notice::Error => "error",
    };
    format!(
        "<p class=\"notice {class}\" id=\"{id}\" role=\"status\">{}</p>",
        escape(text)
    )
}

/// A page with the tab bar; `csrf` is the session's token (for the logout form).
pub fn page(active: &str, csrf: &str, body: &str) -> String {
    let tabs: String = TABS
        .iter()
        .map(|(path, label)| {
            let class = if *path == active { " class=\"on\"" } else { "" };
            format!("<a href=\"{path}\"{class}>{label}</a>")
        })
        .collect();
    let title = TABS
        .iter()
        .find(|(p, _)| *p == active)
        .map_or("Halo", |(_, l)| l);
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} - Halo local interface</title><style>{STYLE}</style></head><body>\
         <header>Halo local interface\
         <form class=\"inline\" method=\"post\" action=\"/logout\">\
         {hidden}<button type=\"submit\">Log out</button></form></header>\
         <nav>{tabs}</nav><main><h1>{title}</h1>{body}</main></body></html>",
        hidden = csrf_field(csrf),
    )
}

/// The login page (no tabs), with an optional notice above the form.
pub fn login_page(message: Option<(Notice, &str)>) -> String {
    let message = message.map_or(String::new(), |(kind, text)| notice(kind, text));
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Log in - Halo local interface</title><style>{STYLE}</style></head><body>\
         <header>Halo local interface</header><main><h1>Log in</h1>{message}\
         <form method=\"post\" action=\"/login\"><label for=\"pin\">PIN (printed on the sheet in \
         the box)</label><input id=\"pin\" name=\"pin\" type=\"password\" autocomplete=\"off\" \
         required autofocus><br><button type=\"submit\">Log in</button></form></main></body></html>"
    )
}

/// The hidden anti-forgery field every form carries.
pub fn csrf_field(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        super::app::CSRF_FIELD,
        escape(csrf)
    )
}

/// One table row.
pub fn row(label: &str, value: &str) -> String {
    format!(
        "<tr><th>{}</th><td>{}</td></tr>",
        escape(label),
        escape(value)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }

    #[test]
    fn page_marks_the_active_tab_and_carries_the_token() {
        let html = page("/rfid", "tok\"en", "<p>x</p>");
        assert!(html.contains("<a href=\"/rfid\" class=\"on\">RFID</a>"));
        assert!(html.contains("value=\"tok&quot;en\""));
        for (path, _) in TABS {
            assert!(html.contains(&format!("href=\"{path}\"")));
        }
        assert!(!html.contains("<script"), "no scripts");
    }
}
