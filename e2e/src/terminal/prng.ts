// A small seeded PRNG (xorshift32 over a splitmix-style seed scramble), so a fleet run with the same
// seed makes the same amounts, cards and capture/reversal choices: a failing run can be repeated.
export type Random = () => number;

/** Uniform numbers in [0, 1) from a 32-bit seed; the same seed gives the same sequence. */
export function seededRandom(seed: number): Random {
  // Scramble the seed so that close seeds (terminal 1, 2, 3) do not start close; never 0.
  let s = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0;
  s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
  if (s === 0) s = 0x6d2b79f5;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

/** An integer in [min, max], both included. */
export function randomInt(random: Random, min: number, max: number): number {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min)
    throw new RangeError(`randomInt: [${min}, ${max}] is not a range of integers`);
  return min + Math.floor(random() * (max - min + 1));
}
