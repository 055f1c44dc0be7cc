import type { GeneratorParams } from './params.ts';
import { movieIdsFor } from './catalogue.ts';
import { Rng, STREAM } from './random.ts';

/** The hidden truth behind the catalogue: each movie's id, bias and taste vector. */
export interface PlantedMovies {
  ids: Int32Array;
  bias: Float32Array;
  /** Row-major, `rank` values per movie. */
  factors: Float32Array;
}

/** Spread of one vector component such that u·v has standard deviation `tasteSd`. */
export function factorComponentSd(params: GeneratorParams): number {
  return (params.model.tasteSd ** 2 / params.rank) ** 0.25;
}

export function plantMovies(params: GeneratorParams): PlantedMovies {
  const { movies, rank, seed } = params;
  const ids = movieIdsFor(seed, movies);
  const bias = new Float32Array(movies);
  const factors = new Float32Array(movies * rank);
  const componentSd = factorComponentSd(params);
  for (let m = 0; m < movies; m++) {
    const rng = Rng.for(seed, STREAM.movieFactors, ids[m]!);
    bias[m] = params.model.movieBiasSd * rng.normal();
    for (let k = 0; k < rank; k++) factors[m * rank + k] = componentSd * rng.normal();
  }
  return { ids, bias, factors };
}
