//! `lambdasim fit`: what a file of REPORT lines holds, and lines that paste into a
//! scenario as they are.

use assert_cmd::Command;
use std::fs;

fn lambdasim() -> Command {
    Command::cargo_bin("lambdasim").unwrap()
}

/// 400 REPORT lines, durations 50–450 ms, every tenth a cold start with its Init.
fn reports() -> String {
    (0..400)
        .map(|i| {
            let init = if i % 10 == 0 { format!("\tInit Duration: {}.5 ms", 300 + i) } else { String::new() };
            format!(
                "2024-11-29T10:00:00.000Z REPORT RequestId: r{i}\tDuration: {}.25 ms\tBilled Duration: {} ms\tMemory Size: 1024 MB\tMax Memory Used: {} MB{init}\n",
                50 + i,
                51 + i,
                60 + i % 7
            )
        })
        .collect()
}

#[test]
fn fit_summarises_report_lines_and_its_lines_paste_into_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("report.log"), reports()).unwrap();
    let out = lambdasim()
        .current_dir(dir.path())
        .args(["fit", "report.log"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("report.log: 400 invocations"), "{text}");
    assert!(text.contains("p50 249.25ms"), "{text}");
    assert!(text.contains("cold starts: 40 of 400 (10.000 %)"), "{text}");
    assert!(
        text.contains("memory: 1024 MB configured, at most 66 MB used"),
        "{text}"
    );
    // Every suggested line, pasted under a function, makes a valid scenario.
    let pasted: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("duration: {") || l.starts_with("init_duration: {"))
        .collect();
    assert_eq!(pasted.len(), 4, "{text}");
    for line in pasted {
        assert_pastes(dir.path(), &format!("    {line}\n"));
    }
}

/// `function` (the lines of a function's settings) under a function named `f` makes a
/// scenario `lambdasim validate` accepts.
fn assert_pastes(dir: &std::path::Path, function: &str) {
    let yaml = format!(
        "name: s\nduration: 10m\nfunctions:\n  - name: f\n{function}    traffic:\n      - poisson: {{ rate: 5 }}\n"
    );
    fs::write(dir.join("s.yaml"), yaml).unwrap();
    lambdasim()
        .current_dir(dir)
        .args(["validate", "s.yaml"])
        .assert()
        .success();
}

#[test]
fn fit_of_a_bad_file_is_an_input_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("d.csv"), "duration_ms\n5\nquick\n").unwrap();
    lambdasim()
        .current_dir(dir.path())
        .args(["fit", "d.csv"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("d.csv:3"));
    lambdasim()
        .current_dir(dir.path())
        .args(["fit", "missing.log"])
        .assert()
        .code(2);
}

/// The REPORT lines as `aws logs filter-log-events` gives them: CloudWatch Logs events,
/// one JSON object a line, the tabs escaped in the message.
fn events(reports: &str) -> String {
    reports
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let message = line.split_once(' ').unwrap().1;
            let event = serde_json::json!({
                "logStreamName": "2024/11/29/[$LATEST]0123456789abcdef",
                "timestamp": 1_732_874_400_000u64 + i as u64,
                "message": format!("{message}\n"),
                "ingestionTime": 1_732_874_401_000u64,
                "eventId": format!("{i}"),
            });
            format!("{event}\n")
        })
        .collect()
}

#[test]
fn fit_reads_cloudwatch_logs_events_and_snapstart_restores() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("events.jsonl"), events(&reports())).unwrap();
    let fit = |file: &str| {
        let out = lambdasim()
            .current_dir(dir.path())
            .args(["fit", file])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let text = fit("events.jsonl");
    assert!(text.contains("events.jsonl: 400 invocations"), "{text}");
    assert!(text.contains("p50 249.25ms"), "{text}");
    assert!(
        text.contains("cold starts: 40 of 400 (10.000 %), Init"),
        "{text}"
    );
    assert!(text.contains("at most 66 MB used"), "{text}");
    // A SnapStart function logs its restores where others log Init.
    let restored = reports().replace("Init Duration", "Restore Duration");
    fs::write(dir.path().join("snap.log"), restored).unwrap();
    let text = fit("snap.log");
    assert!(
        text.contains("cold starts: 40 of 400 (10.000 %), SnapStart restore"),
        "{text}"
    );
    let pasted: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("restore_duration: {"))
        .collect();
    assert_eq!(pasted.len(), 2, "{text}");
    for line in pasted {
        assert_pastes(
            dir.path(),
            &format!("    snapstart:\n      runtime: java\n      {line}\n"),
        );
    }
}

#[test]
fn fit_reads_lambdas_json_log_format_with_application_records_first() {
    // Lambda's JSON log format: the function's own records (a `message` of their own,
    // not CloudWatch Logs events) before and between the platform.report records.
    let mut log = String::from(
        "{\"timestamp\":\"2024-11-29T10:00:00.000Z\",\"level\":\"INFO\",\"requestId\":\"r0\",\"message\":\"processing order\"}\n",
    );
    for i in 0..20 {
        let init = if i == 0 {
            ",\"initDurationMs\":410.5"
        } else {
            ""
        };
        log.push_str(&format!(
            "{{\"time\":\"2024-11-29T10:00:0{}.000Z\",\"type\":\"platform.report\",\"record\":{{\"requestId\":\"r{i}\",\"metrics\":{{\"durationMs\":{}.5,\"billedDurationMs\":{},\"memorySizeMB\":512,\"maxMemoryUsedMB\":70{init}}}}}}}\n",
            i % 10,
            100 + i,
            101 + i
        ));
        log.push_str("{\"timestamp\":\"2024-11-29T10:00:00.000Z\",\"level\":\"INFO\",\"message\":\"done\"}\n");
    }
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("json.log"), log).unwrap();
    let out = lambdasim()
        .current_dir(dir.path())
        .args(["fit", "json.log"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("json.log: 20 invocations"), "{text}");
    assert!(text.contains("cold starts: 1 of 20"), "{text}");
    assert!(text.contains("memory: 512 MB configured"), "{text}");
}
