//! What became of the messages of SQS functions and the records of stream functions:
//! their batches are the invocations the cards count, so what a queue or a stream
//! holds back (how old its oldest work gets, what is given up) is told here.

use super::answer::{age_text, bad_share, group_start};
use super::{ReportVariant, escape};
use crate::table::{percent, thousands};
use lambdasim_model::FunctionSummary;
use std::fmt::Write;

/// One function's mapping in the table's terms.
struct Row {
    kind: &'static str,
    received: u64,
    processed: u64,
    given_up: u64,
    held_at_end: u64,
    batches: u64,
    batches_throttled: u64,
    age_p99_s: f64,
    age_max_s: f64,
}

impl Row {
    /// The function's SQS or stream mapping, if it has one.
    fn of(f: &FunctionSummary) -> Option<Self> {
        if let Some(q) = &f.sqs {
            return Some(Self {
                kind: "SQS queue",
                received: q.received,
                processed: q.processed,
                given_up: q.dead_lettered,
                held_at_end: q.queued_at_end,
                batches: q.batches,
                batches_throttled: q.batches_throttled,
                age_p99_s: q.oldest_age_p99_s,
                age_max_s: q.oldest_age_max_s,
            });
        }
        f.stream.as_ref().map(|s| Self {
            kind: "stream",
            received: s.received,
            processed: s.processed,
            given_up: s.discarded,
            held_at_end: s.held_at_end,
            batches: s.batches,
            batches_throttled: s.batches_throttled,
            age_p99_s: s.iterator_age_p99_s,
            age_max_s: s.iterator_age_max_s,
        })
    }
}

/// The table, when some variant has an SQS or stream function.
pub(super) fn table(page: &mut String, variants: &[ReportVariant<'_>]) {
    let any = variants
        .iter()
        .flat_map(|v| &v.summary.run.functions)
        .any(|f| Row::of(f).is_some());
    if !any {
        return;
    }
    page.push_str(
        "<h3>Queues and streams</h3>\n<p>An SQS or stream function is invoked once per \
         batch, so its requests above are messages or records and its invocations \
         batches. Given up: messages dead-lettered after <code>max_receive_count</code> \
         receives, or records discarded after <code>maximum_retry_attempts</code> or \
         past <code>maximum_record_age</code>. Age: the oldest message's \
         (<code>ApproximateAgeOfOldestMessage</code>) for a queue, the iterator age \
         (<code>IteratorAge</code>) for a stream, the 99th percentile and the greatest \
         over the time buckets. Shares are of the work received.</p>\n\
         <div class=\"table-wrap\"><table class=\"numbers\">\n<thead><tr><th>variant</th>\
         <th>function</th><th>source</th><th>received</th><th>processed</th>\
         <th>given up</th><th>held at end</th><th>batches</th><th>batches throttled</th>\
         <th>age p99</th><th>age max</th></tr></thead>\n<tbody>\n",
    );
    for v in variants {
        let rows = v
            .summary
            .run
            .functions
            .iter()
            .filter_map(|f| Row::of(f).map(|r| (f, r)));
        for (i, (f, r)) in rows.enumerate() {
            let (variant, first) = group_start(i, v.summary.name);
            let _ = writeln!(
                page,
                "<tr{first}><th scope=\"row\">{variant}</th><td class=\"name\">{}</td>\
                 <td class=\"name\">{}</td><td>{}</td><td>{} <small>{}</small></td>\
                 <td class=\"{}\">{} <small>{}</small></td><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&f.name),
                r.kind,
                thousands(r.received),
                thousands(r.processed),
                percent(r.processed, r.received),
                bad_share(r.given_up, r.received),
                thousands(r.given_up),
                percent(r.given_up, r.received),
                thousands(r.held_at_end),
                thousands(r.batches),
                thousands(r.batches_throttled),
                age_text(r.age_p99_s * 1e3),
                age_text(r.age_max_s * 1e3),
            );
        }
    }
    page.push_str("</tbody>\n</table></div>\n");
}
