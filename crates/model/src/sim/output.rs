//! Closing time-series buckets and the run's summary.

use super::*;

impl Simulation {
    /// Closes every bucket that ends at or before `time`.
    pub(super) fn close_buckets_until(
        &mut self,
        time: Nanos,
        sink: &mut dyn SeriesSink,
    ) -> std::io::Result<()> {
        if self.stop_if_cancelled(time) {
            return Ok(());
        }
        while self.bucket_start < self.end && self.bucket_end <= time {
            let (start, end) = (self.bucket_start, self.bucket_end);
            self.count_all_waiting_tries(end);
            for (i, func) in self.functions.iter_mut().enumerate() {
                let (mut row, usage) = func.metrics.close_bucket(i, start, end);
                if let Some(q) = &mut func.sqs {
                    let b = q.close_bucket(end);
                    row.sqs_depth = b.depth;
                    row.sqs_oldest_age_s = b.oldest_age as f64 / 1e9;
                    row.sqs_processed = b.processed;
                    row.sqs_dead_lettered = b.dead_lettered;
                    row.sqs_batches_throttled = b.batches_throttled;
                    row.sqs_pollers = b.pollers;
                }
                if let Some(s) = &mut func.shards {
                    let b = s.close_bucket();
                    row.stream_waiting = b.waiting;
                    row.stream_iterator_age_s = b.iterator_age as f64 / 1e9;
                    row.stream_processed = b.processed;
                    row.stream_discarded = b.discarded;
                    row.stream_batches_throttled = b.batches_throttled;
                }
                row.cost_usd = usage
                    .bill(&self.config.functions[i], &self.config.billing)
                    .total;
                sink.record(&row)?;
            }
            self.bucket_start = end;
            self.bucket_end = (end + self.config.resolution).min(self.end);
        }
        Ok(())
    }

    pub(super) fn summary(&self) -> RunSummary {
        let (mut functions, usages): (Vec<_>, Vec<_>) = self
            .functions
            .iter()
            .zip(&self.config.functions)
            .zip(self.async_queued())
            .map(|((func, cfg), queued)| {
                let queued = (cfg.invocation == InvocationType::Async).then_some(queued);
                let (mut summary, usage) = func.metrics.summary(&cfg.name, self.end, queued);
                summary.sqs = func.sqs.as_ref().map(|q| q.summary());
                summary.stream = func.shards.as_ref().map(|s| s.summary());
                (summary, usage)
            })
            .unzip();
        let bills = bill_account(
            &self.config.functions,
            &usages,
            self.end,
            &self.config.billing,
        );
        let mut account = AccountSummary {
            peak_concurrency: self.account_concurrency.peak,
            price_table: self.config.billing.prices.source.clone(),
            ..AccountSummary::default()
        };
        for (summary, bill) in functions.iter_mut().zip(bills) {
            summary.cost_usd = bill;
            account.requests += summary.requests;
            account.invocations += summary.invocations;
            account.throttles += summary.throttles;
            account.cold_starts += summary.cold_starts;
            account.cost_usd.add(&summary.cost_usd);
        }
        RunSummary {
            duration_s: self.end as f64 / 1e9,
            account,
            functions,
            events: self.events,
        }
    }
}
