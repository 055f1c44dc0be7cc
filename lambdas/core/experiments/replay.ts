/**
 * Replay: an off-policy estimate of a candidate model's hit rate@k from the lists the product
 * already served (the logging policy) and the feedback that followed, before the candidate serves
 * anyone. Pure: the service (services/experiments/replay.ts) reads the logs and computes the
 * candidate's list for each logged one; this module only does the arithmetic.
 *
 * THE ESTIMATOR. A logged event e is a list L_e the user saw (its first k movies), the set Y_e of
 * those movies that later got positive feedback (a rating ≥ 4, a like, a click: the join of
 * `listOutcomes`), and C_e, the k movies the candidate would have shown that user at that time.
 * Feedback exists only for movies that were shown, so the candidate's list is judged slot by slot
 * (its j-th movie, j = 1…k):
 *
 * 1. Replay per slot (Li, Chu, Langford & Wang 2011, "Unbiased offline evaluation of
 *    contextual-bandit-based news article recommendation algorithms", the "rejection sampling"
 *    replay): keep the events where the candidate's choice matches the logged one and average
 *    their rewards. Here the choice is the candidate's j-th movie and it matches when L_e showed
 *    that movie anywhere in its first k (hit@k does not care where), so
 *        r̂_j = Σ_e [C_e(j) ∈ L_e]·[C_e(j) ∈ Y_e] / Σ_e [C_e(j) ∈ L_e],
 *    the candidate's positive rate at slot j. Li et al. show this is unbiased when the logger
 *    chose at random, independently of the reward; then "matched" is a random subsample.
 * 2. Each event's hit, observed where it can be and imputed where it cannot (the direct method of
 *    Dudík, Langford & Li 2011 for the unmatched slots only):
 *        ĥ_e = 1 − Π_{j matched} (1 − [C_e(j) ∈ Y_e]) · Π_{j unmatched} (1 − r̂_j),
 *    i.e. the probability that no slot is a hit, assuming a user's responses to the movies of one
 *    list are independent of each other (the "independent click" model). The estimate is the mean
 *    of ĥ_e over the logged lists: the candidate's hit rate@k per list, as `GET /metrics/online`
 *    counts the logged model's.
 *
 * Why it recovers the truth under a random logger: if each shown movie i is a hit with probability
 * p_i, independently, and the logged list is a uniformly random k-subset (so whether C_e(j) was
 * shown is independent of its outcome), then E[(1 − y_j)] = 1 − p_j for a matched slot and
 * r̂_j → p_j for an unmatched one, so E[ĥ_e] → 1 − Π_j (1 − p_j), the candidate's true hit rate.
 * When the candidate is the logging policy every slot matches and ĥ is exactly the logged hit rate.
 *
 * The product's own logger is deterministic (a user's list is whatever the active model ranks),
 * so there is no propensity to weight by and self-normalised IPS degenerates (weights 0 or ∞). The
 * matched slots are then where the two models agree, and the imputation assumes that a candidate
 * movie does as well where the logged list lacked it as where it had it — an assumption, not a
 * property of the design: `matchedShare` (matched slots / all slots) says how much of the
 * estimate was observed rather than imputed. Lists served to the candidate's own arm of an
 * experiment match fully. Randomising part of the logged lists (an exploration share) would make
 * every slot's match a random draw and the estimate unbiased.
 *
 * THE INTERVAL. A 95 % percentile bootstrap (Efron & Tibshirani 1993, ch. 13) that resamples
 * USERS, not lists, with replacement and recomputes everything, the slot rates r̂_j included: one
 * user's lists share a taste and are not independent, so resampling lists would understate the
 * spread (the cluster bootstrap). The logged policy's hit rate on the same lists, and the paired
 * difference candidate − logged, come from the same resamples.
 */
import { Rng } from '../generator/random.ts';

/** One logged list and the candidate's list for the same user at the same time. */
export interface ReplayEvent {
  /** The cluster of the bootstrap: lists of one user are resampled together. */
  readonly userId: number;
  /** The movies the logged list showed (its first k are used). */
  readonly logged: readonly number[];
  /** Movies among the logged list's first k that got positive feedback. */
  readonly positives: ReadonlySet<number>;
  /** The candidate's list for that user at that time (its first k are used). */
  readonly candidate: readonly number[];
}

export interface ReplayOptions {
  readonly k: number;
  /** Bootstrap resamples (default 1000). */
  readonly resamples?: number;
  /** Seed of the bootstrap's generator: the same logs give the same interval. */
  readonly seed?: number;
}

export interface Estimate {
  /** null when nothing could be estimated (no events, or no slot ever matched). */
  readonly value: number | null;
  /** 95 % bootstrap percentile interval. */
  readonly low: number;
  readonly high: number;
}

export interface ReplayEstimate {
  readonly k: number;
  readonly lists: number;
  readonly users: number;
  /** Candidate slots whose movie the logged list showed, and all candidate slots. */
  readonly matchedSlots: number;
  readonly slots: number;
  /** matchedSlots / slots: the share of the estimate observed rather than imputed. */
  readonly matchedShare: number;
  /** r̂_j per slot j (1-based position j−1); null for a slot that never matched. */
  readonly slotRates: readonly (number | null)[];
  /** The candidate's estimated hit rate@k per list. */
  readonly candidate: Estimate;
  /** The logged lists' own hit rate@k (observed), on the same lists. */
  readonly logged: Estimate;
  /** candidate − logged, paired on the same resamples; `significant` when its interval excludes 0. */
  readonly difference: Estimate & { readonly significant: boolean };
  readonly resamples: number;
}

/** An event reduced to what the estimator reads: per slot, matched? and a hit? */
interface Prepared {
  /** Per candidate slot: 0 unmatched, 1 matched without a hit, 2 matched with a hit. */
  readonly slots: Uint8Array;
  readonly loggedHit: boolean;
}

function prepare(event: ReplayEvent, k: number): Prepared {
  const shown = new Set(event.logged.slice(0, k));
  const candidate = event.candidate.slice(0, k);
  const slots = new Uint8Array(candidate.length);
  candidate.forEach((movieId, j) => {
    if (shown.has(movieId)) slots[j] = event.positives.has(movieId) ? 2 : 1;
  });
  let loggedHit = false;
  for (const movieId of event.positives) if (shown.has(movieId)) loggedHit = true;
  return { slots, loggedHit };
}

interface PointEstimate {
  readonly candidate: number | null;
  readonly logged: number;
  readonly slotRates: (number | null)[];
}

/**
 * ĥ and the logged hit rate over `events` (each index of `take` once per time it was drawn).
 * Slot rates: r̂_j from the matched slots at j; a slot that never matched takes the pooled rate of
 * every matched slot (the best guess available); with no matched slot at all there is nothing to
 * replay and the candidate's estimate is null.
 */
function pointEstimate(
  events: readonly Prepared[],
  take: readonly number[],
  k: number,
): PointEstimate {
  const matched = new Float64Array(k);
  const hits = new Float64Array(k);
  for (const index of take) {
    const { slots } = events[index]!;
    for (let j = 0; j < slots.length; j++) {
      if (slots[j]! > 0) matched[j]!++;
      if (slots[j] === 2) hits[j]!++;
    }
  }
  let allMatched = 0;
  let allHits = 0;
  for (let j = 0; j < k; j++) {
    allMatched += matched[j]!;
    allHits += hits[j]!;
  }
  const slotRates = Array.from({ length: k }, (_, j) =>
    matched[j]! > 0 ? hits[j]! / matched[j]! : null,
  );
  let loggedHits = 0;
  for (const index of take) if (events[index]!.loggedHit) loggedHits++;
  const logged = take.length > 0 ? loggedHits / take.length : 0;
  if (allMatched === 0 || take.length === 0) return { candidate: null, logged, slotRates };
  const pooled = allHits / allMatched;
  const rate = slotRates.map((r) => r ?? pooled);
  let sum = 0;
  for (const index of take) {
    const { slots } = events[index]!;
    let noHit = 1;
    for (let j = 0; j < slots.length; j++) {
      const s = slots[j]!;
      noHit *= s === 0 ? 1 - rate[j]! : s === 2 ? 0 : 1;
    }
    sum += 1 - noHit;
  }
  return { candidate: sum / take.length, logged, slotRates };
}

/** The q-quantile of sorted values (linear interpolation between order statistics). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** The replay estimate of the candidate's hit rate@k, the logged one, and their difference. */
export function replayEstimate(
  events: readonly ReplayEvent[],
  options: ReplayOptions,
): ReplayEstimate {
  const { k } = options;
  const resamples = options.resamples ?? 1000;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number ≥ 1, got ${k}`);
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`resamples must be a whole number ≥ 1, got ${resamples}`);
  }
  const prepared = events.map((e) => prepare(e, k));
  // Lists grouped by user: the bootstrap's clusters.
  const byUser = new Map<number, number[]>();
  events.forEach((e, index) => {
    const own = byUser.get(e.userId);
    if (own) own.push(index);
    else byUser.set(e.userId, [index]);
  });
  const clusters = [...byUser.values()];
  const all = events.map((_, index) => index);
  const point = pointEstimate(prepared, all, k);

  let matchedSlots = 0;
  let slots = 0;
  for (const p of prepared) {
    slots += p.slots.length;
    for (const s of p.slots) if (s > 0) matchedSlots++;
  }

  const rng = new Rng(options.seed ?? 0x5eed);
  const candidates: number[] = [];
  const loggeds: number[] = [];
  const differences: number[] = [];
  for (let b = 0; b < resamples && clusters.length > 0; b++) {
    const take: number[] = [];
    for (let c = 0; c < clusters.length; c++) take.push(...clusters[rng.int(clusters.length)]!);
    const again = pointEstimate(prepared, take, k);
    loggeds.push(again.logged);
    if (again.candidate === null) continue;
    candidates.push(again.candidate);
    differences.push(again.candidate - again.logged);
  }
  const interval = (values: number[], value: number | null): Estimate => {
    if (value === null || values.length === 0) return { value, low: 0, high: 1 };
    values.sort((a, b) => a - b);
    return { value, low: quantile(values, 0.025), high: quantile(values, 0.975) };
  };
  const candidate = interval(candidates, point.candidate);
  const logged = interval(loggeds, events.length > 0 ? point.logged : null);
  const diffValue = point.candidate === null ? null : point.candidate - point.logged;
  const diff =
    diffValue === null || differences.length === 0
      ? { value: diffValue, low: -1, high: 1 }
      : interval(differences, diffValue);
  return {
    k,
    lists: events.length,
    users: clusters.length,
    matchedSlots,
    slots,
    matchedShare: slots > 0 ? matchedSlots / slots : 0,
    slotRates: point.slotRates,
    candidate,
    logged,
    difference: { ...diff, significant: diffValue !== null && (diff.low > 0 || diff.high < 0) },
    resamples,
  };
}

/** `--days`: whole days of logs to replay, 1 to 30 (the events' own age limit). */
export const REPLAY_MAX_DAYS = 30;

/** Why a replay request is refused (one line each), or an empty list. */
export function replayRequestProblems(request: { model: unknown; days: unknown }): string[] {
  const problems: string[] = [];
  const { model, days } = request;
  if (typeof model !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(model)) {
    problems.push('--model: expected a model id (see recsys models list)');
  }
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > REPLAY_MAX_DAYS) {
    problems.push(`--days: expected a whole number of days from 1 to ${REPLAY_MAX_DAYS}`);
  }
  return problems;
}
