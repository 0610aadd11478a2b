/** A row of `npm run bench`'s table, the median every measure takes, and how far its samples spread. */
export interface Result {
  name: string;
  ours: string;
  baseline: string;
  ratio: number;
  bar: string;
  pass: boolean;
  /** Reported, with no bar to meet. */
  informational?: boolean;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * The middle half of `values` (from the lower to the upper quartile, nearest sample), for showing next to a median
 * how much its samples varied: on this shared machine that spread can be as wide as the distance to a bar.
 */
export const middleHalf = (values: number[]): [number, number] => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))] ?? 0;
  return [at(0.25), at(0.75)];
};
