//! Indicator lists, query lists, templates and batching.

use huntkit::bulk::{
    batch_values, check_sliceable, decode_text, parse_indicators, parse_query_file, BatchLimits,
    IndicatorKind, InputFormat, Job, JobConfig, Template, Window, Work,
};

fn kinds(text: &str, format: InputFormat) -> Vec<(String, IndicatorKind, usize)> {
    let list = parse_indicators(text, format).expect("parse");
    list.indicators
        .into_iter()
        .map(|i| (i.value, i.kind, i.line))
        .collect()
}

#[test]
fn every_kind_from_a_text_list_with_bom_and_crlf() {
    let bytes =
        "\u{feff}10.1.2.3\r\n2001:db8::7\r\nevil.example.net\r\nhttps://evil.example.net/p?q=1\r\n\
                 44d88612fea8a8f36de82e1278abb02f\r\n3395856ce81f2b7382dee72602f798b642f14140\r\n\
                 275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F\r\n\
                 mallory@evil.example.net\r\nCONTOSO\\svc-sql\r\n"
            .as_bytes();
    let text = decode_text(bytes).expect("text");
    use IndicatorKind::*;
    let got: Vec<(IndicatorKind, usize)> = kinds(&text, InputFormat::Lines)
        .into_iter()
        .map(|(_, k, l)| (k, l))
        .collect();
    assert_eq!(
        got,
        [
            (Ipv4, 1),
            (Ipv6, 2),
            (Domain, 3),
            (Url, 4),
            (Md5, 5),
            (Sha1, 6),
            (Sha256, 7),
            (Email, 8),
            (Account, 9)
        ]
    );
    let list = parse_indicators(&text, InputFormat::Lines).expect("parse");
    assert_eq!(
        list.indicators[6].value,
        "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
    );
    assert!(list.rejected.is_empty());
}

#[test]
fn invalid_lines_are_reported_with_their_numbers_and_duplicates_dropped() {
    let text = "1.1.1.1\nnot an indicator\n\nhxxp://bad[.]example[.]com/x\n1.1.1.1\nzz\n10.0.0.0/8\nD41D8CD98F00B204E9800998ECF8427E\nd41d8cd98f00b204e9800998ecf8427e\n";
    let list = parse_indicators(text, InputFormat::Lines).expect("parse");
    let values: Vec<&str> = list.indicators.iter().map(|i| i.value.as_str()).collect();
    assert_eq!(
        values,
        [
            "1.1.1.1",
            "http://bad.example.com/x",
            "d41d8cd98f00b204e9800998ecf8427e"
        ]
    );
    assert!(list.indicators[1].refanged);
    let rejected: Vec<(usize, &str)> = list
        .rejected
        .iter()
        .map(|r| (r.line, r.text.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [(2, "not an indicator"), (6, "zz"), (7, "10.0.0.0/8")]
    );
    assert!(list.rejected[0].reason.contains("white space"));
    assert!(list.rejected[2].reason.contains("range"));
    let dupes: Vec<(usize, usize)> = list
        .duplicates
        .iter()
        .map(|d| (d.line, d.first_line))
        .collect();
    assert_eq!(dupes, [(5, 1), (9, 8)]);
}

#[test]
fn quoted_csv_with_a_header_picks_the_indicator_column() {
    let text = "\u{feff}\"first seen\",\"indicator\",\"note\"\r\n\
                \"2024-10-01\",\"evil.example.org\",\"said \"\"hi\"\", then left\"\r\n\
                \"2024-10-02\",\"1.2.3.4\",\"multi\r\nline note\"\r\n\
                \"2024-10-03\",\"\",\"blank indicator\"\r\n\
                \"2024-10-04\",\"?? what\",\"bad\"\r\n\
                \"2024-10-05\",\"1.2.3.4\",\"dupe\"\r\n";
    let format = InputFormat::detect(Some("feed.csv"), text);
    assert_eq!(
        format,
        InputFormat::Csv {
            delimiter: b',',
            column: None
        }
    );
    let list = parse_indicators(text, format).expect("parse");
    assert_eq!(
        list.header.as_deref(),
        Some(&["first seen".to_owned(), "indicator".into(), "note".into()][..])
    );
    assert_eq!(list.column, Some(1));
    let got: Vec<(&str, usize)> = list
        .indicators
        .iter()
        .map(|i| (i.value.as_str(), i.line))
        .collect();
    assert_eq!(got, [("evil.example.org", 2), ("1.2.3.4", 3)]);
    let rejected: Vec<(usize, &str)> = list
        .rejected
        .iter()
        .map(|r| (r.line, r.text.as_str()))
        .collect();
    assert_eq!(rejected, [(6, "?? what")]);
    assert_eq!(list.duplicates.len(), 1);
    assert_eq!(list.duplicates[0].line, 7);
}

#[test]
fn csv_without_a_header_picks_the_column_with_most_indicators() {
    let text = "alpha;10.0.0.1;x\nbeta;10.0.0.2;y\ngamma;zzz;z\n";
    let list = parse_indicators(text, InputFormat::detect(Some("a.csv"), text)).expect("parse");
    assert_eq!(list.header, None);
    assert_eq!(list.column, Some(1));
    assert_eq!(list.indicators.len(), 2);
    assert_eq!(list.rejected[0].line, 3);
    // An explicit column wins.
    let list = parse_indicators(
        text,
        InputFormat::Csv {
            delimiter: b';',
            column: Some(0),
        },
    )
    .expect("parse");
    assert_eq!(list.rejected.len(), 3);
}

#[test]
fn pasted_spreadsheet_cells_are_tab_separated() {
    let text =
        "host\tsha256\nPC1\te3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";
    let format = InputFormat::detect(None, text);
    let got = kinds(text, format);
    assert_eq!(
        got,
        [(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".to_owned(),
            IndicatorKind::Sha256,
            2
        )]
    );
}

#[test]
fn batching_respects_count_and_size() {
    let values: Vec<String> = (0..1_001)
        .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
        .collect();
    let batches = batch_values(
        &values,
        BatchLimits {
            max_values: 250,
            max_chars: 1_000_000,
        },
    );
    assert_eq!(
        batches.iter().map(Vec::len).collect::<Vec<_>>(),
        [250, 250, 250, 250, 1]
    );
    assert_eq!(batches.concat(), values, "order kept, nothing lost");
    let long: Vec<String> = (0..10)
        .map(|i| format!("https://example.com/{}", "a".repeat(i * 100)))
        .collect();
    let batches = batch_values(
        &long,
        BatchLimits {
            max_values: 500,
            max_chars: 1_000,
        },
    );
    for b in &batches {
        let chars: usize = b.iter().map(|v| v.len() + 4).sum();
        assert!(chars <= 1_000 || b.len() == 1, "batch of {} chars", chars);
    }
    assert_eq!(batches.concat(), long);
}

#[test]
fn a_template_job_has_one_unit_per_batch_and_checks_values_first() {
    let range = Window::new(0, 86_400_000);
    let values: Vec<String> = (0..7).map(|i| format!("host{i}.example.com")).collect();
    let config = JobConfig {
        batch: BatchLimits {
            max_values: 3,
            max_chars: 10_000,
        },
        ..JobConfig::default()
    };
    let job = Job::template(
        "DeviceNetworkEvents | where RemoteUrl in~ ({{values}})",
        &values,
        range,
        config,
    )
    .expect("job");
    let sizes: Vec<usize> = job
        .units()
        .iter()
        .map(|u| match &u.work {
            Work::Batch { values, .. } => values.len(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(sizes, [3, 3, 1]);
    let text = job.query_text(job.units()[2].id).expect("text");
    assert_eq!(
        text,
        "DeviceNetworkEvents | where RemoteUrl in~ (\"host6.example.com\")"
    );
    let err = Job::template(
        "T | where A == {{value}}",
        &["ok".into(), "bad\u{0}".into()],
        range,
        JobConfig::default(),
    )
    .expect_err("refused value");
    assert!(err.to_string().contains("U+0000"), "{err}");
    let per_value = Job::template(
        "T | where A == {{value}}",
        &values,
        range,
        JobConfig::default(),
    )
    .expect("job");
    assert_eq!(per_value.units().len(), 7);
    assert!(Template::parse("T | where A == '{{value}}'").is_err());
}

fn fixture(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/");
    std::fs::read_to_string(format!("{path}{name}"))
        .expect("the shared fixtures are next to the repository")
}

#[test]
fn the_public_query_collection_reads_as_a_query_list() {
    let list = parse_query_file("queries.jsonl", &fixture("queries.jsonl"));
    assert!(list.problems.is_empty(), "{:?}", list.problems.first());
    assert!(list.queries.len() > 1_000);
    assert!(list
        .queries
        .iter()
        .all(|q| !q.query.trim().is_empty() && !q.name.is_empty()));
    let job = Job::queries(
        list.queries.clone(),
        Window::new(0, 1),
        JobConfig::default(),
    )
    .expect("job");
    assert_eq!(job.units().len(), list.queries.len());
    // The slicing check on real hunting queries: most aggregate or take,
    // some are row-level; every refusal says why in words.
    let (mut sliceable, mut refused) = (0, 0);
    for q in &list.queries {
        match check_sliceable(&q.query) {
            Ok(_) => sliceable += 1,
            Err(r) => {
                refused += 1;
                assert!(r.reason.len() > 20, "{}", r.reason);
            }
        }
    }
    assert!(
        sliceable > 50 && refused > 500,
        "sliceable {sliceable}, refused {refused}"
    );
}
