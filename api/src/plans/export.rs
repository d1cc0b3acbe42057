//! The plan as a document to hand over: plain text, or a self-contained printable HTML page.
//! Neither names the agency, the advocate, the person or the software, and the HTML loads
//! nothing (inline CSS, no scripts, no links), so it can be printed, mailed or kept on a phone
//! without giving anything away. Empty sections are left out.

use fieldline_wire::plans::{EmergencyContact, SafetyPlanContent};
use std::fmt::Write;

const TITLE: &str = "My plan";

enum Body<'a> {
    Items(&'a [String]),
    Text(&'a str),
    Contacts(&'a [EmergencyContact]),
}

/// (heading, body) for each section that has something in it, in the plan's order.
fn sections(c: &SafetyPlanContent) -> Vec<(&'static str, Body<'_>)> {
    fn list<'a>(
        heading: &'static str,
        items: &'a [String],
        out: &mut Vec<(&'static str, Body<'a>)>,
    ) {
        if !items.is_empty() {
            out.push((heading, Body::Items(items)));
        }
    }
    let mut out = Vec::new();
    list("Warning signs", &c.warning_signs, &mut out);
    list("Safe places", &c.safe_places, &mut out);
    if let Some(w) = c.code_word.as_deref() {
        out.push(("Code word", Body::Text(w)));
    }
    if !c.emergency_contacts.is_empty() {
        out.push(("People to call", Body::Contacts(&c.emergency_contacts)));
    }
    list("Leaving: what to pack", &c.leaving.go_bag, &mut out);
    list("Leaving: papers to take", &c.leaving.documents, &mut out);
    list("Leaving: how", &c.leaving.plan, &mut out);
    list("Children", &c.children, &mut out);
    list("Phone and online safety", &c.technology, &mut out);
    list("Work or school", &c.work_or_school, &mut out);
    list(
        "Support and looking after myself",
        &c.support_and_self_care,
        &mut out,
    );
    out
}

fn contact_line(c: &EmergencyContact) -> String {
    match &c.relationship {
        Some(r) => format!("{} ({}): {}", c.name, r, c.phone),
        None => format!("{}: {}", c.name, c.phone),
    }
}

/// Plain text: a heading per section, one item per line; an item's own line breaks are
/// indented under it.
pub fn text(c: &SafetyPlanContent) -> String {
    let mut out = format!("{TITLE}\n{}\n", "=".repeat(TITLE.len()));
    let item = |out: &mut String, s: &str| {
        let _ = writeln!(out, "- {}", s.replace('\n', "\n  "));
    };
    for (heading, body) in sections(c) {
        let _ = write!(
            out,
            "\n{heading}\n{}\n",
            "-".repeat(heading.chars().count())
        );
        match body {
            Body::Items(items) => items.iter().for_each(|i| item(&mut out, i)),
            Body::Text(t) => item(&mut out, t),
            Body::Contacts(cs) => cs.iter().for_each(|c| item(&mut out, &contact_line(c))),
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:Georgia,serif;max-width:40em;margin:2em auto;padding:0 1em;\
line-height:1.5;color:#000;background:#fff}h1{font-size:1.6em;margin-bottom:.5em}\
h2{font-size:1.15em;margin:1.4em 0 .3em;border-bottom:1px solid #999}ul{margin:0;padding-left:1.3em}\
li{margin:.2em 0}section{break-inside:avoid}@media print{body{margin:0;max-width:none}}";

/// A printable page: everything inline, nothing loaded, no script; every value escaped.
pub fn html(c: &SafetyPlanContent) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{TITLE}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{TITLE}</h1>\n"
    );
    for (heading, body) in sections(c) {
        let _ = write!(out, "<section>\n<h2>{}</h2>\n<ul>\n", esc(heading));
        let mut li = |s: &str| {
            let _ = writeln!(out, "<li>{}</li>", esc(s));
        };
        match body {
            Body::Items(items) => items.iter().for_each(|i| li(i)),
            Body::Text(t) => li(t),
            Body::Contacts(cs) => cs.iter().for_each(|c| li(&contact_line(c))),
        }
        out.push_str("</ul>\n</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> SafetyPlanContent {
        let mut c = SafetyPlanContent {
            warning_signs: vec!["He <script>alert(1)</script> & \"drinks\"".into()],
            code_word: Some("blue umbrella".into()),
            emergency_contacts: vec![EmergencyContact {
                name: "Ann".into(),
                phone: "555-0100".into(),
                relationship: Some("sister".into()),
            }],
            children: vec!["two lines\nsecond".into()],
            ..Default::default()
        };
        c.leaving.documents = vec!["passport".into()];
        c
    }

    #[test]
    fn text_lists_the_sections_that_have_items() {
        let t = text(&plan());
        assert!(t.starts_with("My plan\n=======\n"));
        assert!(t.contains("Code word\n---------\n- blue umbrella\n"));
        assert!(t.contains("- Ann (sister): 555-0100\n"));
        assert!(t.contains("- two lines\n  second\n"));
        assert!(t.contains("- passport"));
        assert!(!t.contains("Safe places"), "empty sections are left out");
    }

    #[test]
    fn html_escapes_everything_and_loads_nothing() {
        let h = html(&plan());
        assert!(!h.contains("<script"));
        assert!(h.contains("He &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;drinks&quot;"));
        assert!(h.contains("<li>two lines<br>second</li>"));
        for external in ["http:", "https:", "src=", "href=", "url(", "@import"] {
            assert!(!h.contains(external), "{external}");
        }
        assert!(html(&SafetyPlanContent::default()).contains("<h1>My plan</h1>"));
    }
}
