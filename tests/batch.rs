//! `plg-audit batch`: many products audited at once and compared side by side; one
//! product's failure never stops the others.

mod common;

use common::{fixture, out_dir, plg_audit};

#[test]
fn a_batch_with_an_unreachable_product_writes_three_reports_one_error_and_the_comparison() {
    let sites = [
        fixture("freemium"),
        fixture("journey-card"),
        fixture("saleslead"),
    ];
    let work = out_dir();
    let list = work.path().join("products.txt");
    let mut text = String::from("# our product and two competitors, plus one that is down\n");
    for s in &sites {
        text.push_str(s.url());
        text.push('\n');
    }
    text.push_str("http://127.0.0.1:9/\n");
    std::fs::write(&list, text).unwrap();
    let out = work.path().join("batch");
    let o = plg_audit(&[
        "batch",
        list.to_str().unwrap(),
        "--jobs",
        "2",
        "--offline",
        "--max-pages",
        "6",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert_eq!(
        common::stderr(&o),
        "plg-audit: 1 of 4 products could not be audited fully; the comparison shows why"
    );
    let comparison: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("comparison.json")).unwrap())
            .unwrap();
    let columns = comparison["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 4);
    let errors: Vec<&str> = columns.iter().filter_map(|c| c["error"].as_str()).collect();
    assert_eq!(
        errors,
        ["could not reach http://127.0.0.1:9/: the connection was refused (is the site up?)"]
    );
    for (site, column) in sites.iter().zip(columns) {
        let dir = out.join(column["report"].as_str().expect("a report directory"));
        let report = common::report(&dir);
        assert_eq!(report["target"], format!("{}/", site.url()));
        assert!(dir.join("report.html").is_file());
    }
    let row = |label: &str| -> Vec<String> {
        comparison["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["label"] == label)
            .unwrap_or_else(|| panic!("no row {label}"))["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        row("Journey outcome"),
        ["completed", "card required", "sales gated", "not walked"]
    );
    assert_eq!(
        row("Motion"),
        ["product-led", "product-led", "sales-led", "—"]
    );
    assert!(out.join("comparison.html").is_file());
    let md = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(md.starts_with("# PLG comparison\n"), "{md}");
}

#[test]
fn the_best_of_each_row_is_marked_and_a_sales_gate_is_not_the_fewest_steps() {
    let sites = [fixture("freemium"), fixture("saleslead")];
    let work = out_dir();
    let list = work.path().join("products.toml");
    std::fs::write(
        &list,
        format!(
            "[[product]]\nname = \"Notebloom\"\nurl = \"{}\"\n\n[[product]]\nname = \"Ledgerly\"\nurl = \"{}\"\n",
            sites[0].url(),
            sites[1].url()
        ),
    )
    .unwrap();
    let out = work.path().join("batch");
    let o = plg_audit(&[
        "batch",
        list.to_str().unwrap(),
        "--offline",
        "--max-pages",
        "6",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let comparison: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("comparison.json")).unwrap())
            .unwrap();
    let names: Vec<&str> = comparison["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Notebloom", "Ledgerly"]);
    assert!(out.join("notebloom").join("report.json").is_file());
    let row = |label: &str| {
        comparison["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["label"] == label)
            .unwrap()
            .clone()
    };
    assert_eq!(
        row("Steps")["cells"][1],
        "—",
        "a sales gate has no steps to count"
    );
    assert_eq!(
        row("Steps")["best"],
        serde_json::json!([]),
        "one product alone is not a best"
    );
    assert_eq!(row("Overall score")["best"], serde_json::json!([0]));
}

#[test]
fn a_batch_file_with_a_wrong_line_is_invalid_configuration() {
    let work = out_dir();
    let list = work.path().join("products.txt");
    std::fs::write(&list, "https://a.example\nnot a url\n").unwrap();
    let o = plg_audit(&["batch", list.to_str().unwrap(), "--offline"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        common::stderr(&o),
        format!(
            "plg-audit: invalid configuration: {}:2: one URL per line, got \"not a url\"",
            list.display()
        )
    );
}
