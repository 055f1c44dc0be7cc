/** Where the bench scripts find ml-latest-small's ratings (scripts/support says where the data set is). */
import { mlSmall } from '../support/movielens-small.ts';

export const ML_LATEST_SMALL_RATINGS = mlSmall('ratings.csv');
