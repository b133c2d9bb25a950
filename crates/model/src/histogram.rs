//! Latency histogram (being implemented).
