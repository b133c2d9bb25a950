//! The colours of every chart, in one place so that a state, a reason or a limit has
//! the same colour everywhere (Tableau 10, which stays distinct for most colour vision).

use plotters::style::RGBColor;

/// Titles and the strongest text.
pub const INK: RGBColor = RGBColor(0x22, 0x2b, 0x36);
/// Axis labels and secondary text.
pub const MUTED: RGBColor = RGBColor(0x5b, 0x66, 0x73);
/// Axis lines.
pub const AXIS: RGBColor = RGBColor(0x9a, 0xa4, 0xaf);
/// Horizontal grid lines.
pub const GRID: RGBColor = RGBColor(0xe6, 0xe9, 0xed);

pub const BLUE: RGBColor = RGBColor(0x4e, 0x79, 0xa7);
pub const ORANGE: RGBColor = RGBColor(0xf2, 0x8e, 0x2b);
pub const RED: RGBColor = RGBColor(0xe1, 0x57, 0x59);
pub const TEAL: RGBColor = RGBColor(0x76, 0xb7, 0xb2);
pub const GREEN: RGBColor = RGBColor(0x59, 0xa1, 0x4f);
pub const YELLOW: RGBColor = RGBColor(0xed, 0xc9, 0x48);
pub const PURPLE: RGBColor = RGBColor(0xb0, 0x7a, 0xa1);
pub const PINK: RGBColor = RGBColor(0xff, 0x9d, 0xa7);
pub const BROWN: RGBColor = RGBColor(0x9c, 0x75, 0x5f);
pub const GREY: RGBColor = RGBColor(0xba, 0xb0, 0xac);

/// Limit lines: darker than the data so they read as rules, not series.
pub const ACCOUNT_LIMIT: RGBColor = RGBColor(0x22, 0x2b, 0x36);
pub const POOL_LIMIT: RGBColor = RGBColor(0x7f, 0x8c, 0x99);
pub const RESERVED_LIMIT: RGBColor = RGBColor(0x8e, 0x44, 0xad);
pub const PROVISIONED_LIMIT: RGBColor = RGBColor(0x1f, 0x4e, 0x79);

/// The colour of the `index`-th variant in comparison charts.
pub fn variant(index: usize) -> RGBColor {
    const CYCLE: [RGBColor; 10] = [
        BLUE, ORANGE, GREEN, RED, PURPLE, TEAL, BROWN, PINK, YELLOW, GREY,
    ];
    CYCLE[index % CYCLE.len()]
}
