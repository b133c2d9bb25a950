//! Lambda prices by Region (USD), from AWS's price data.
//!
//! Source: the AWS Pricing Calculator's Lambda price file
//! (`calculator.aws/pricing/2.0/meteredUnitMaps/lambda/USD/current/lambda.json`, the
//! public copy of the Price List), read for requests, first-tier duration, provisioned
//! concurrency, duration on provisioned concurrency and ephemeral storage per Region;
//! us-east-1 checked against the AWS Lambda pricing page. Two figures are derived by
//! AWS's published rules rather than read per Region, and said so in `docs/model.md`:
//! - the duration tiers: "a 10 % discount for the next 9 billion GB-seconds and 20 %
//!   beyond 15 billion" (x86; 7.5 and 18.75 billion for Arm), the same thresholds in
//!   every commercial Region (AWS Compute Blog, "Introducing tiered pricing for AWS
//!   Lambda", August 2022);
//! - Arm's provisioned concurrency prices: 20 % below x86, as for duration (AWS News
//!   Blog, "AWS Lambda Functions Powered by AWS Graviton2", 2021; exact in us-east-1).
//!
//! Rounding the derived figures to the 10 decimals AWS quotes reproduces every
//! us-east-1 price exactly (a test checks it).

use crate::config::Architecture;

/// Prices per GB-second for one architecture.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct GbSecondPrices {
    /// On-demand duration tiers: (GB-s in the tier per month, price); the last tier is open.
    pub on_demand_tiers: [(f64, f64); 3],
    /// Provisioned concurrency, paid while configured, busy or idle.
    pub provisioned: f64,
    /// Duration of invocations served by provisioned environments.
    pub provisioned_duration: f64,
}

impl GbSecondPrices {
    /// The first-tier on-demand price.
    pub fn on_demand(&self) -> f64 {
        self.on_demand_tiers[0].1
    }

    /// Prices from a first-tier duration price and x86 provisioned prices, by AWS's
    /// rules (see the module's documentation).
    fn derived(
        arch: Architecture,
        tier1: f64,
        provisioned: f64,
        provisioned_duration: f64,
    ) -> Self {
        let (first, next) = match arch {
            Architecture::X86_64 => (6e9, 9e9),
            Architecture::Arm64 => (7.5e9, 11.25e9),
        };
        let arm = |x86: f64| match arch {
            Architecture::X86_64 => x86,
            Architecture::Arm64 => quoted(x86 * 0.8),
        };
        Self {
            on_demand_tiers: [
                (first, tier1),
                (next, quoted(tier1 * 0.9)),
                (f64::INFINITY, quoted(tier1 * 0.8)),
            ],
            provisioned: arm(provisioned),
            provisioned_duration: arm(provisioned_duration),
        }
    }
}

/// A price rounded to the 10 decimals AWS quotes.
fn quoted(price: f64) -> f64 {
    (price * 1e10).round() / 1e10
}

/// Every price a bill needs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PriceTable {
    /// Where the prices come from: a Region's name, with "+ overrides" when a
    /// scenario's `pricing:` changed some.
    pub source: String,
    /// Per request.
    pub request: f64,
    /// Duration and provisioned prices of x86_64 functions.
    pub x86_64: GbSecondPrices,
    /// Duration and provisioned prices of arm64 functions: lower, and with their own
    /// tiers, counted apart from x86's.
    pub arm64: GbSecondPrices,
    /// Ephemeral storage above 512 MB, per GB-second.
    pub ephemeral_gb_s: f64,
    /// SnapStart's snapshot cache (Python and .NET), per GB of memory per second the
    /// version is active.
    pub snapstart_cache_gb_s: f64,
    /// SnapStart's restore (Python and .NET), per GB of memory restored.
    pub snapstart_restore_gb: f64,
}

/// SnapStart's prices in us-east-1 ("AWS Lambda pricing",
/// <https://aws.amazon.com/lambda/pricing/>, SnapStart for Python and .NET): cache
/// $0.0000015046 per GB-second, restore $0.0001397998 per GB. The per-Region table
/// does not carry them; every Region uses these unless a scenario overrides them.
const SNAPSTART_CACHE_GB_S: f64 = 0.000_001_504_6;
/// See [`SNAPSTART_CACHE_GB_S`].
const SNAPSTART_RESTORE_GB: f64 = 0.000_139_799_8;

impl PriceTable {
    /// The table of a Region, `None` for one this table does not have.
    pub fn region(name: &str) -> Option<Self> {
        let row = REGIONS.iter().find(|r| r.region == name)?;
        Some(Self {
            source: row.region.to_string(),
            request: row.requests_per_million / 1e6,
            x86_64: GbSecondPrices::derived(
                Architecture::X86_64,
                row.x86_duration,
                row.x86_provisioned,
                row.x86_provisioned_duration,
            ),
            arm64: GbSecondPrices::derived(
                Architecture::Arm64,
                row.arm_duration,
                row.x86_provisioned,
                row.x86_provisioned_duration,
            ),
            ephemeral_gb_s: row.storage,
            snapstart_cache_gb_s: SNAPSTART_CACHE_GB_S,
            snapstart_restore_gb: SNAPSTART_RESTORE_GB,
        })
    }

    /// The per-GB-second prices of an architecture.
    pub fn arch(&self, arch: Architecture) -> &GbSecondPrices {
        match arch {
            Architecture::X86_64 => &self.x86_64,
            Architecture::Arm64 => &self.arm64,
        }
    }

    /// The Regions with a table, for messages.
    pub fn known_regions() -> impl Iterator<Item = &'static str> {
        REGIONS.iter().map(|r| r.region)
    }
}

impl Default for PriceTable {
    /// us-east-1, the Region AWS's examples use.
    fn default() -> Self {
        Self::region("us-east-1").expect("us-east-1 is in the table")
    }
}

/// One Region's prices as AWS's price data gives them (USD; per GB-second unless said).
struct RegionRow {
    region: &'static str,
    requests_per_million: f64,
    x86_duration: f64,
    arm_duration: f64,
    x86_provisioned: f64,
    x86_provisioned_duration: f64,
    storage: f64,
}

const fn row(
    region: &'static str,
    requests_per_million: f64,
    [x86_duration, arm_duration]: [f64; 2],
    [x86_provisioned, x86_provisioned_duration]: [f64; 2],
    storage: f64,
) -> RegionRow {
    RegionRow {
        region,
        requests_per_million,
        x86_duration,
        arm_duration,
        x86_provisioned,
        x86_provisioned_duration,
        storage,
    }
}

/// Standard on-demand duration prices (x86, Arm), the same in most Regions.
const STANDARD: [f64; 2] = [0.000_016_666_7, 0.000_013_333_4];

const REGIONS: &[RegionRow] = &[
    row(
        "us-east-1",
        0.20,
        STANDARD,
        [0.000_004_166_7, 0.000_009_722_2],
        0.000_000_030_9,
    ),
    row(
        "us-east-2",
        0.20,
        STANDARD,
        [0.000_004_166_7, 0.000_009_722_2],
        0.000_000_030_9,
    ),
    row(
        "us-west-1",
        0.20,
        STANDARD,
        [0.000_004_904_1, 0.000_011_443_0],
        0.000_000_037_0,
    ),
    row(
        "us-west-2",
        0.20,
        STANDARD,
        [0.000_004_166_7, 0.000_009_722_2],
        0.000_000_030_9,
    ),
    row(
        "ca-central-1",
        0.20,
        STANDARD,
        [0.000_004_646_0, 0.000_010_840_7],
        0.000_000_034_0,
    ),
    row(
        "sa-east-1",
        0.20,
        STANDARD,
        [0.000_006_637_2, 0.000_015_486_7],
        0.000_000_058_6,
    ),
    row(
        "eu-west-1",
        0.20,
        STANDARD,
        [0.000_004_646_0, 0.000_010_840_7],
        0.000_000_034_0,
    ),
    row(
        "eu-west-2",
        0.20,
        STANDARD,
        [0.000_004_830_4, 0.000_011_270_9],
        0.000_000_035_8,
    ),
    row(
        "eu-west-3",
        0.20,
        STANDARD,
        [0.000_004_867_3, 0.000_011_356_9],
        0.000_000_035_8,
    ),
    row(
        "eu-central-1",
        0.20,
        STANDARD,
        [0.000_005_014_7, 0.000_011_701_1],
        0.000_000_036_7,
    ),
    row(
        "eu-north-1",
        0.20,
        STANDARD,
        [0.000_004_424_8, 0.000_010_324_5],
        0.000_000_032_3,
    ),
    row(
        "eu-south-1",
        0.23,
        [0.000_019_517_2, 0.000_015_613_8],
        [0.000_004_878_3, 0.000_011_382_7],
        0.000_000_035_7,
    ),
    row(
        "eu-central-2",
        0.22,
        [0.000_018_333_4, 0.000_014_666_7],
        [0.000_005_516_2, 0.000_012_871_2],
        0.000_000_044_1,
    ),
    row(
        "ap-south-1",
        0.20,
        STANDARD,
        [0.000_004_498_5, 0.000_010_496_6],
        0.000_000_035_2,
    ),
    row(
        "ap-northeast-1",
        0.20,
        STANDARD,
        [0.000_005_383_5, 0.000_012_561_5],
        0.000_000_037_0,
    ),
    row(
        "ap-northeast-2",
        0.20,
        STANDARD,
        [0.000_005_125_4, 0.000_011_959_2],
        0.000_000_035_2,
    ),
    row(
        "ap-northeast-3",
        0.20,
        STANDARD,
        [0.000_005_383_5, 0.000_012_561_5],
        0.000_000_037_0,
    ),
    row(
        "ap-southeast-1",
        0.20,
        STANDARD,
        [0.000_005_199_1, 0.000_012_131_3],
        0.000_000_037_0,
    ),
    row(
        "ap-southeast-2",
        0.20,
        STANDARD,
        [0.000_005_236_0, 0.000_012_217_3],
        0.000_000_037_0,
    ),
    row(
        "ap-southeast-4",
        0.20,
        STANDARD,
        [0.000_005_236_0, 0.000_012_217_3],
        0.000_000_037_0,
    ),
    row(
        "ap-southeast-5",
        0.18,
        [0.000_015_000_0, 0.000_012_000_0],
        [0.000_004_679_1, 0.000_010_918_1],
        0.000_000_033_3,
    ),
    row(
        "ap-east-1",
        0.28,
        [0.000_022_920_0, 0.000_018_300_0],
        [0.000_005_715_3, 0.000_013_335_8],
        0.000_000_040_7,
    ),
    row(
        "me-south-1",
        0.25,
        [0.000_020_666_7, 0.000_016_533_4],
        [0.000_005_110_8, 0.000_011_925_1],
        0.000_000_037_4,
    ),
    row(
        "af-south-1",
        0.27,
        [0.000_022_100_0, 0.000_017_680_0],
        [0.000_005_530_0, 0.000_012_900_0],
        0.000_000_040_4,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_us_east_1_prices_are_the_published_ones() {
        let t = PriceTable::default();
        assert_eq!(t.request, 0.20 / 1e6);
        let x = t.x86_64;
        assert_eq!(
            x.on_demand_tiers.map(|(_, p)| p),
            [0.000_016_666_7, 0.000_015_000_0, 0.000_013_333_4]
        );
        assert_eq!(
            (x.provisioned, x.provisioned_duration),
            (0.000_004_166_7, 0.000_009_722_2)
        );
        let a = t.arm64;
        assert_eq!(
            a.on_demand_tiers.map(|(_, p)| p),
            [0.000_013_333_4, 0.000_012_000_1, 0.000_010_666_7]
        );
        assert_eq!(
            (a.provisioned, a.provisioned_duration),
            (0.000_003_333_4, 0.000_007_777_8)
        );
        assert_eq!(a.on_demand_tiers[0].0, 7.5e9);
        assert_eq!(t.ephemeral_gb_s, 0.000_000_030_9);
    }

    #[test]
    fn regions_differ_where_aws_prices_differ() {
        let frankfurt = PriceTable::region("eu-central-1").unwrap();
        assert_eq!(frankfurt.x86_64.on_demand(), 0.000_016_666_7);
        assert_eq!(frankfurt.x86_64.provisioned, 0.000_005_014_7);
        let hong_kong = PriceTable::region("ap-east-1").unwrap();
        assert_eq!(hong_kong.request, 0.28 / 1e6);
        assert!(PriceTable::region("mars-east-1").is_none());
        assert!(PriceTable::known_regions().count() >= 20);
    }
}
