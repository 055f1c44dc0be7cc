/**
 * AWS list prices the cost model uses, us-east-1, on-demand, no free tier. Written down from the
 * public pricing pages as of PRICES_AS_OF; prices change, so every figure `recsys plan` prints
 * names the price it used and the model takes a replacement table.
 */
export const PRICES_AS_OF =
  '2025-11 (us-east-1 list prices; check the pages before relying on them)';

export interface Prices {
  /** Lambda, Arm (Graviton, what the stack deploys), per GB-second of memory × billed duration. */
  lambdaPerGbSecond: number;
  /** Lambda, per request (invocation). */
  lambdaPerRequest: number;
  /** Step Functions Standard, per state transition (Distributed Map child executions included). */
  sfnPerTransition: number;
  /** Keyspaces on-demand, per write request unit (1 KB written, LOCAL_QUORUM). */
  keyspacesPerWru: number;
  /** Keyspaces on-demand, per read request unit (4 KB read, LOCAL_QUORUM). */
  keyspacesPerRru: number;
  /** Keyspaces provisioned capacity, per write capacity unit (1 KB/s) per hour. */
  keyspacesPerWcuHour: number;
  /** Keyspaces provisioned capacity, per read capacity unit (4 KB/s, LOCAL_QUORUM) per hour. */
  keyspacesPerRcuHour: number;
  /**
   * Keyspaces pre-warming (warm throughput), once, per write unit per second added above the
   * table's baseline (a new on-demand table's 4,000). ASSUMED, see US_EAST_1.
   */
  keyspacesPerPrewarmWriteUnit: number;
  /** Keyspaces storage, per GB-month. */
  keyspacesPerGbMonth: number;
  s3PerPut: number;
  s3PerGet: number;
  s3PerGbMonth: number;
  /** API Gateway REST API, per request (first 333 M a month). */
  apiGatewayPerRequest: number;
}

export const US_EAST_1: Prices = {
  // https://aws.amazon.com/lambda/pricing/ : Arm $0.0000133334 per GB-s (first 7.5 B GB-s a
  // month; x86 is $0.0000166667), $0.20 per 1M requests.
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  // https://aws.amazon.com/step-functions/pricing/ : $0.025 per 1,000 state transitions.
  sfnPerTransition: 0.025 / 1000,
  // https://aws.amazon.com/keyspaces/pricing/ : on-demand after the 14 Nov 2024 reduction
  // (up to 56% off): $0.625 per 1M WRU, $0.125 per 1M RRU. The page renders its figures from the
  // AWS Price List; that data for Amazon Keyspaces (service code AmazonMCS), "US East (N.
  // Virginia)", as stored in aws-samples/sample-pricing-calculator-for-keyspaces
  // (src/data/mcs.json, price list published 2025-07-02; src/data/keyspaces-pricing.json, published
  // 2025-11-05, agrees on reads and storage) reads: MCS-WriteUnits $0.000000625, MCS-ReadUnits
  // $0.000000125, Provisioned Write Units $0.00065 and Provisioned Read Units $0.00013 per
  // capacity unit-hour, storage $0.25 per GB-month (it was $0.30 here before: an older figure).
  keyspacesPerWru: 0.625 / 1e6,
  keyspacesPerRru: 0.125 / 1e6,
  keyspacesPerWcuHour: 0.00065,
  keyspacesPerRcuHour: 0.00013,
  // ASSUMPTION, not a list price: pre-warming (Jan 2026) is "a one-time charge based on the
  // difference between the values you specify and the baseline capacity" (AWS What's New,
  // 2026-01-29), but no stored copy of the pricing page or the Price List gives the figure. Priced
  // here as one hour of the same provisioned write capacity ($0.00065 per write unit/s added).
  keyspacesPerPrewarmWriteUnit: 0.00065,
  keyspacesPerGbMonth: 0.25,
  // https://aws.amazon.com/s3/pricing/ : Standard, $0.005 per 1,000 PUT, $0.0004 per 1,000 GET,
  // $0.023 per GB-month (first 50 TB).
  s3PerPut: 0.005 / 1000,
  s3PerGet: 0.0004 / 1000,
  s3PerGbMonth: 0.023,
  // https://aws.amazon.com/api-gateway/pricing/ : REST APIs, $3.50 per million requests.
  apiGatewayPerRequest: 3.5 / 1e6,
};
