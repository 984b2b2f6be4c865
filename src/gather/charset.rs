//! What bytes a server sent mean as text: the character encoding of a static page.
//!
//! A browser decodes a page by, in order, its byte-order mark, the charset of its HTTP
//! Content-Type, and a `<meta charset>` (or `http-equiv` Content-Type) near its start; so
//! does plg-audit, with the WHATWG encodings of `encoding_rs`. A page that declares none
//! is read as UTF-8 when it is valid UTF-8, else as windows-1252 — what browsers fall back
//! to for Western pages. Decoding every page as UTF-8 turned Shift_JIS and windows-1252
//! titles into mojibake.

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How far into a page a `<meta charset>` is looked for (the HTML standard's prescan reads
/// the first 1024 bytes).
const PRESCAN_BYTES: usize = 1024;

static META_CHARSET: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(r#"(?i)<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_:.+\-]+)"#)
        .expect("a valid regex")
});

/// The encoding `bytes` declare or show, and why (for logs).
pub fn detect(bytes: &[u8], content_type: &str) -> &'static Encoding {
    if let Some((bom, _)) = Encoding::for_bom(bytes) {
        return bom;
    }
    if let Some(declared) = header_charset(content_type) {
        return declared;
    }
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    if let Some(meta) = META_CHARSET
        .captures(head)
        .and_then(|c| c.get(1))
        .and_then(|m| Encoding::for_label(m.as_bytes()))
    {
        // A page cannot be in UTF-16 and say so in ASCII: the standard reads it as UTF-8.
        return meta.output_encoding();
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => UTF_8,
        // Cut at the size cap in the middle of a character: still UTF-8.
        Err(e) if e.error_len().is_none() => UTF_8,
        Err(_) => WINDOWS_1252,
    }
}

/// The encoding named by a Content-Type's `charset` parameter, if it names a known one.
fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes())
    })
}

/// `bytes` as text, decoded by the encoding they declare (see the module doc), with the
/// encoding used. Malformed sequences become U+FFFD, as in a browser.
///
/// NUL characters are dropped: a browser's tree builder ignores them in a page's text,
/// and the HTML parser records a parse error for each one it meets — five million of
/// them (a gzip bomb of zeros) cost half a gigabyte of error records.
pub fn decode(bytes: &[u8], content_type: &str) -> (String, &'static Encoding) {
    let encoding = detect(bytes, content_type);
    let (text, used, _) = encoding.decode(bytes);
    let text = if text.contains('\0') {
        text.replace('\0', "")
    } else {
        text.into_owned()
    };
    (text, used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_http_header_names_the_encoding() {
        // "料金プラン" (pricing plans) in Shift_JIS.
        let sjis = b"<title>\x97\xbf\x8b\xe0\x83\x76\x83\x89\x83\x93</title>";
        let (text, used) = decode(sjis, "text/html; charset=Shift_JIS");
        assert_eq!(used.name(), "Shift_JIS");
        assert_eq!(text, "<title>料金プラン</title>");
    }

    #[test]
    fn a_meta_charset_names_the_encoding_when_the_header_does_not() {
        let page =
            b"<html><head><meta charset=\"windows-1252\"><title>Caf\xe9 \x96 Pricing</title>";
        let (text, used) = decode(page, "text/html");
        assert_eq!(used.name(), "windows-1252");
        assert!(text.ends_with("<title>Café – Pricing</title>"), "{text}");
    }

    #[test]
    fn an_http_equiv_content_type_counts_as_a_meta_charset() {
        let page = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"><p>Se\xf1or";
        assert_eq!(detect(page, "").name(), "windows-1252");
    }

    #[test]
    fn a_byte_order_mark_wins_over_every_declaration() {
        let page = b"\xEF\xBB\xBF<meta charset=\"windows-1252\"><p>\xe2\x82\xac9/mo";
        let (text, used) = decode(page, "text/html; charset=iso-8859-1");
        assert_eq!(used, UTF_8);
        assert_eq!(text, "<meta charset=\"windows-1252\"><p>€9/mo");
    }

    #[test]
    fn undeclared_pages_are_utf8_when_they_can_be_else_windows_1252() {
        assert_eq!(detect("<p>€9/mo</p>".as_bytes(), "text/html"), UTF_8);
        assert_eq!(detect(b"<p>\x809/mo</p>", "text/html"), WINDOWS_1252);
        // Cut by the size cap in the middle of "€".
        assert_eq!(detect(b"<p>\xe2\x82", "text/html"), UTF_8);
    }

    #[test]
    fn nul_characters_are_dropped_as_a_browser_ignores_them() {
        let (text, _) = decode(b"<p>Plans\0\0 from $9</p>\0\0\0", "text/html");
        assert_eq!(text, "<p>Plans from $9</p>");
    }

    #[test]
    fn a_page_declaring_utf16_in_ascii_is_read_as_utf8() {
        assert_eq!(detect(b"<meta charset=\"utf-16\"><p>hi", ""), UTF_8);
    }
}
