//! Uploads as the first value: "Upload your first design", "Import a CSV". The journey
//! finds a file input a person can open (itself, its label, or the button beside it) and
//! gives it a sample file of a type it accepts — a PDF, the page's own screenshot as an
//! image, or a CSV — as choosing a file in the dialog would.

use serde::Deserialize;

use crate::error::AuditError;
use crate::gather::browser::Page;

/// A file input a person can reach, and the words on what opens it.
#[derive(Debug, Clone, Deserialize)]
pub struct UploadTarget {
    /// Selects the `<input type=file>` itself.
    pub selector: String,
    pub text: String,
    /// Its `accept` attribute ("" when it takes anything).
    pub accept: String,
}

/// The file inputs of the page that a person can open, in document order.
pub fn targets(page: &Page) -> Result<Vec<UploadTarget>, AuditError> {
    page.evaluate(FIND_TARGETS)
}

/// What is uploaded: a file name and its bytes.
pub struct SampleFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A sample file `accept` takes: a PDF when documents are welcome (or anything is),
/// else an image (`screenshot`, a real PNG), else a CSV, else plain text.
pub fn sample_for(accept: &str, screenshot: impl FnOnce() -> Option<Vec<u8>>) -> SampleFile {
    let accepted: Vec<String> = accept
        .split(',')
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty())
        .collect();
    let takes = |types: &[&str]| {
        accepted.is_empty() || accepted.iter().any(|a| types.contains(&a.as_str()))
    };
    if takes(&[".pdf", "application/pdf", "application/*", "*/*"]) {
        return SampleFile {
            name: "plg-audit-sample.pdf".into(),
            bytes: sample_pdf(),
        };
    }
    if takes(&["image/*", ".png", "image/png"]) {
        if let Some(png) = screenshot() {
            return SampleFile {
                name: "plg-audit-sample.png".into(),
                bytes: png,
            };
        }
    }
    if takes(&[".csv", "text/csv", "text/*"]) {
        return SampleFile {
            name: "plg-audit-sample.csv".into(),
            bytes: b"name,email\nAda Lovelace,ada@example.com\nGrace Hopper,grace@example.com\n"
                .to_vec(),
        };
    }
    SampleFile {
        name: "plg-audit-sample.txt".into(),
        bytes: b"A sample file uploaded by plg-audit.\n".to_vec(),
    }
}

/// A one-page PDF saying what it is, with a correct cross-reference table.
fn sample_pdf() -> Vec<u8> {
    let text = "BT /F1 18 Tf 72 720 Td (Sample document uploaded by plg-audit) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// Finds `<input type=file>` elements a person can open: the input itself when shown,
/// else its label (wrapping or `for=`), else a shown button beside it. Marks each with
/// `data-plg-upload` so it can be selected again.
const FIND_TARGETS: &str = r#"(() => {
  const shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && parseFloat(s.opacity) > 0; };
  const words = (el) => (el ? (el.innerText || el.getAttribute('aria-label') || el.title || '') : '').replace(/\s+/g, ' ').trim();
  const out = [];
  document.querySelectorAll('input[type="file"]').forEach((input, i) => {
    if (input.disabled) return;
    const label = input.closest('label') || (input.id ? document.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null);
    let opener = null;
    if (shown(input)) opener = input;
    else if (label && shown(label)) opener = label;
    else if (input.parentElement) opener = Array.from(input.parentElement.querySelectorAll('button, [role="button"], a')).find(shown) || null;
    if (!opener) return;
    const text = words(label) || input.getAttribute('aria-label') || input.title || (opener !== input ? words(opener) : '');
    input.setAttribute('data-plg-upload', String(i));
    out.push({ selector: `[data-plg-upload="${i}"]`, text: text.slice(0, 120), accept: input.getAttribute('accept') || '' });
  });
  return out;
})()"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_input_gets_a_pdf_with_a_valid_cross_reference_table() {
        let file = sample_for(".pdf,.docx,image/*", || None);
        assert_eq!(file.name, "plg-audit-sample.pdf");
        let text = String::from_utf8(file.bytes).unwrap();
        let xref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(text[xref..].starts_with("xref\n0 6\n"));
        // Each entry points at its object.
        let fourth: usize = text[xref..].lines().nth(6).unwrap()[..10].parse().unwrap();
        assert!(text[fourth..].starts_with("4 0 obj"));
    }

    #[test]
    fn an_image_input_gets_the_screenshot_and_a_csv_input_a_csv() {
        let image = sample_for("image/png, image/jpeg, image/*", || Some(vec![0x89, b'P']));
        assert_eq!(
            (image.name.as_str(), image.bytes.len()),
            ("plg-audit-sample.png", 2)
        );
        assert_eq!(sample_for(".csv", || None).name, "plg-audit-sample.csv");
        assert_eq!(sample_for("", || None).name, "plg-audit-sample.pdf");
    }
}
