//! Prices (being implemented).
