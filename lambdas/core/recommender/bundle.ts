import { decodeModel, encodeModel, type AlsModel } from '../als/index.ts';
import {
  decodeContentModel,
  encodeContentModel,
  type ContentModel,
} from '../content/content-model.ts';
import {
  decodeNeighbourModel,
  encodeNeighbourModel,
  type NeighbourModel,
} from '../neighbours/model.ts';
import { rankingPolicyFor, type RankingPolicy } from '../serving/ranking.ts';

/**
 * One published model version: everything serving needs, fitted by one training run.
 * - `ranking`: implicit ALS; its factors rank every movie for every person (stored top-N,
 *   fold-in, similar movies);
 * - `neighbours`: EASE over the most-rated movies, blended into the ranking with weight `blend`;
 * - `rating`: explicit ALS with biases; predicts the stars shown beside each recommendation;
 * - `content` (optional): ridge regression from a movie's genres, year and tags into the ranking
 *   model's factor space — vectors for movies the model lacks or has few ratings for (cold start).
 */
export interface ModelBundle {
  readonly ranking: AlsModel;
  readonly neighbours: NeighbourModel | null;
  readonly rating: AlsModel | null;
  readonly blend: number;
  readonly policy: RankingPolicy;
  /** Absent or null: no cold-start vectors (bundles published before the content model). */
  readonly content?: ContentModel | null;
}

/** Files of a bundle under the model's prefix. `model.bin` keeps its name from version 1. */
export const BUNDLE_FILES = {
  manifest: 'recommender.json',
  ranking: 'model.bin',
  neighbours: 'neighbours.bin',
  rating: 'rating.bin',
  content: 'content.bin',
} as const;

export interface BundleManifest {
  readonly version: 2;
  readonly blend: number;
  readonly policy: RankingPolicy;
  readonly neighbours: boolean;
  readonly rating: boolean;
  /** Optional: manifests written before the content model lack it (read as false). */
  readonly content?: boolean;
}

/** The bundle as named files (what Publish writes to S3). */
export function encodeBundle(bundle: ModelBundle): Map<string, Uint8Array> {
  const manifest: BundleManifest = {
    version: 2,
    blend: bundle.blend,
    policy: bundle.policy,
    neighbours: bundle.neighbours !== null,
    rating: bundle.rating !== null,
    content: Boolean(bundle.content),
  };
  const files = new Map<string, Uint8Array>([
    [BUNDLE_FILES.manifest, new TextEncoder().encode(JSON.stringify(manifest))],
    [BUNDLE_FILES.ranking, encodeModel(bundle.ranking)],
  ]);
  if (bundle.neighbours)
    files.set(BUNDLE_FILES.neighbours, encodeNeighbourModel(bundle.neighbours));
  if (bundle.rating) files.set(BUNDLE_FILES.rating, encodeModel(bundle.rating));
  if (bundle.content) files.set(BUNDLE_FILES.content, encodeContentModel(bundle.content));
  return files;
}

/**
 * Reads a bundle through `read(name)` (undefined when a file is absent). A model published before
 * bundles existed has only `model.bin`: it ranks alone with its own policy and, if explicit,
 * predicts the stars too.
 */
export async function decodeBundle(
  read: (name: string) => Promise<Uint8Array | undefined>,
): Promise<ModelBundle> {
  const [manifestBytes, rankingBytes] = await Promise.all([
    read(BUNDLE_FILES.manifest),
    read(BUNDLE_FILES.ranking),
  ]);
  if (!rankingBytes) throw new Error(`model file ${BUNDLE_FILES.ranking} is missing`);
  const ranking = decodeModel(rankingBytes);
  if (!manifestBytes) {
    return {
      ranking,
      neighbours: null,
      rating: ranking.options.implicit ? null : ranking,
      blend: 0,
      policy: rankingPolicyFor(ranking),
      content: null,
    };
  }
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as BundleManifest;
  const [neighbourBytes, ratingBytes, contentBytes] = await Promise.all([
    manifest.neighbours ? read(BUNDLE_FILES.neighbours) : undefined,
    manifest.rating ? read(BUNDLE_FILES.rating) : undefined,
    manifest.content ? read(BUNDLE_FILES.content) : undefined,
  ]);
  if (manifest.neighbours && !neighbourBytes) throw new Error('neighbours.bin is missing');
  if (manifest.rating && !ratingBytes) throw new Error('rating.bin is missing');
  if (manifest.content && !contentBytes) throw new Error('content.bin is missing');
  const content = contentBytes ? decodeContentModel(contentBytes) : null;
  if (content && content.rank !== ranking.rank) {
    throw new Error(`content.bin has rank ${content.rank}, the ranking model ${ranking.rank}`);
  }
  return {
    ranking,
    neighbours: neighbourBytes ? decodeNeighbourModel(neighbourBytes) : null,
    rating: ratingBytes ? decodeModel(ratingBytes) : null,
    blend: manifest.blend,
    policy: manifest.policy,
    content,
  };
}
