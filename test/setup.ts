/**
 * Property tests replay the same cases on every run (a fixed fast-check seed), so that CI's
 * verdict depends on the code, not on the draw. FC_SEED=N picks another draw; FC_SEED=random
 * draws anew each run (to explore: a failure prints its seed and counterexample).
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed === undefined ? 20261202 : Number(seed) });
