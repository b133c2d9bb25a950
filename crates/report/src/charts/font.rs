//! The one font every chart uses, compiled into the binary so that a chart looks the
//! same on a machine with no fonts installed (plotters' `ab_glyph` backend draws from
//! it; no system font lookup is ever made).

use plotters::style::{FontStyle, register_font};
use std::sync::OnceLock;

/// DejaVu Sans; its licence is `assets/LICENSE-DejaVu.txt`.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// The family name the charts ask for. Registering the bundled font under the generic
/// name means plotters' own defaults find it too, and SVG viewers fall back sensibly.
pub const FAMILY: &str = "sans-serif";

/// Registers the bundled font once per process; true if it is usable.
pub fn ensure_registered() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_font_registers() {
        assert!(ensure_registered());
        assert!(ensure_registered());
    }
}
