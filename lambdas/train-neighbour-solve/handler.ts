import { lambdaHandler } from '../services/lambda-handler.ts';
import { neighbourSolve } from '../services/train/neighbours.ts';

/** Neighbours: XᵀX summed, factored and inverted once into the EASE weights. */
export const handler = lambdaHandler(neighbourSolve);
